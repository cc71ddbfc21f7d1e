import type { AlertCounters, AlertStatus } from '../alerts/index.ts';
import type { Config } from '../config/index.ts';
import type { Forwarder } from '../forward/index.ts';
import type { RefusalTally } from '../http/index.ts';
import type { BucketCounts } from '../lib/buckets.ts';
import type { Clock } from '../lib/clock.ts';
import type { Figure } from '../lib/figures.ts';
import type { Logger } from '../lib/log.ts';
import type { RelayMetrics } from '../lib/metrics.ts';
import type { Spool, SpoolStats } from '../spool/index.ts';
import type { TelemetryStatus } from '../telemetry/index.ts';
import type { LoginCounters, Logins } from './logins.ts';
import { createPromMetrics } from './metrics.ts';

export interface ReloadResult {
  ok: boolean;
  problems: string[];
}

/** What the gauges read at scrape time. */
export interface GaugeSource {
  spool: () => SpoolStats;
  cloudReachable: () => boolean | null;
  now: () => number;
  /** The configured tokens: the active ones' per-lane series start at 0. */
  tokens: () => readonly { token: string; active: boolean }[];
  /** The alerter's counters, once it runs. */
  alerts?: () => AlertCounters | null;
  /** Wrong admin passwords, refused tries and blocks since start. */
  logins?: () => LoginCounters;
}

export interface AdminMetrics extends RelayMetrics {
  /** Prometheus text exposition format. */
  render(): Promise<string> | string;
  /** The Content-Type of `render()`'s text. */
  readonly contentType: string;
  /** Connects the gauges to the spool and the forwarder (the admin surface does it once). */
  watch(source: GaugeSource): void;
  /** Payload warnings given since the start, by warning id, for the status page. */
  warningCounts(): Record<string, number>;
  /** Ingest's refusal tally, once handed over. */
  watchRefusals(tally: RefusalTally): void;
  /** The refusal tally, for the status page; null before ingest handed it over. */
  refusals(): RefusalTally | null;
  /** Events received and delivered per interval since start (wall time), for the page's 24-hour chart. */
  activity(): { startedAt: number; received: BucketCounts; delivered: BucketCounts };
  /** The figures /metrics shows that telemetry pushes too, each defined once (lib/figures.ts). */
  figures(): readonly Figure[];
  /** Adds a figure to /metrics and to what telemetry pushes (telemetry's own push failures). */
  define(figure: Figure): void;
}

export interface AdminDeps {
  spool: Spool;
  forwarder: Forwarder;
  metrics: AdminMetrics;
  config: () => Config;
  /** Re-reads the config file; a bad file is refused and the running config stays. */
  reload: () => ReloadResult;
  /** GET /health's body; the status page takes its status from it. */
  health: () => import('../health/index.ts').Health;
  log: Logger;
  clock: Clock;
  /** Wrong admin passwords per address (logins.ts); the relay shares its own with the alerter, else one is made. */
  logins?: Logins;
  /** What alerts fire, were sent, and how each receiver does; absent where no alerter runs. */
  alerts?: {
    status: () => AlertStatus;
    counters: () => AlertCounters;
    /** A lane head's age on the monotonic clock, as the alerts measure it (a wall-clock step does not move it). */
    laneAge?: (token: string, env: string, receivedAt: number) => number;
  };
  /** How pushed telemetry goes ([telemetry]); null or absent when it is off. */
  telemetry?: () => TelemetryStatus | null;
}

export { LOGIN_POLICY } from './login-policy.ts';
export { type LoginBlock, type LoginCounters, Logins, type LoginsView } from './logins.ts';
export { adminRoutes } from './routes.ts';

export function createMetrics(clock?: Clock): AdminMetrics {
  return createPromMetrics(clock);
}
