import { Elysia } from 'elysia';
import type { Config } from '../config/index.ts';
import type { Forwarder } from '../forward/index.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { noopMetrics, type RelayMetrics } from '../lib/metrics.ts';
import type { Spool } from '../spool/index.ts';

export interface ReloadResult {
  ok: boolean;
  problems: string[];
}

export interface AdminMetrics extends RelayMetrics {
  /** Prometheus text exposition format. */
  render(): Promise<string> | string;
}

export interface AdminDeps {
  spool: Spool;
  forwarder: Forwarder;
  metrics: AdminMetrics;
  config: () => Config;
  /** Re-reads the config file; a bad file is refused and the running config stays. */
  reload: () => ReloadResult;
  health: () => Record<string, unknown>;
  log: Logger;
  clock: Clock;
}

/** The admin surface (status page, its API, /metrics). Filled in by issue 6. */
export const adminRoutes = (_deps: AdminDeps) => new Elysia({ name: 'relay.admin' });

export function createMetrics(): AdminMetrics {
  return { ...noopMetrics, render: () => '' };
}
