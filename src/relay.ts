import { type AdminMetrics, adminRoutes, createMetrics, Logins, type ReloadResult } from './admin/index.ts';
import { Alerter, type AlerterOptions, AlertWatch, watchMetrics } from './alerts/index.ts';
import { authority, type Config, isWildcard, loadTls } from './config/index.ts';
import { createForwarder, type Forwarder, type ForwardSettings, resolveProxy } from './forward/index.ts';
import { buildHealth, describeStep } from './health/index.ts';
import { createApp, IngestService, type IngestSettings, SERVER_IDLE_SECONDS } from './http/index.ts';
import { type Clock, type ClockStep, ClockStepWatch, systemClock } from './lib/clock.ts';
import { healthyLog, type Logger } from './lib/log.ts';
import { maskToken } from './lib/mask.ts';
import { DAY_MS } from './lib/time.ts';
import { type Listening, listenAll } from './listen.ts';
import { Spool } from './spool/index.ts';
import { type Telemetry, telemetryFor } from './telemetry/index.ts';
import { USER_AGENT, VERSION } from './version.ts';

export interface RelayDeps {
  log: Logger;
  clock?: Clock;
  /** Re-reads the config file (the CLI's; tests may give their own). */
  reloadConfig?: () => { ok: true; config: Config } | { ok: false; problems: string[] };
  /** Whether the log can be written (lib/log.ts); absent: a log that cannot fail (stdout, tests). */
  logHealth?: () => import('./lib/log.ts').LogHealth;
  /** The alerter's tick, hold, backoff and receivers (tests); the relay runs on its defaults. */
  alerts?: AlerterOptions;
}

/** A running relay, as `relay serve` and the tests drive it. */
export interface Relay {
  /** The port listened on (the one chosen by the system when server.port is 0). */
  readonly port: number;
  /** Base URL to reach it from this machine: http(s)://host:port, a wildcard host as 127.0.0.1. */
  readonly url: string;
  /** The spool events are appended to and drained from. */
  readonly spool: Spool;
  /** Drains the spool to the cloud; its cloud status and paused tokens feed /health. */
  readonly forwarder: Forwarder;
  /** The counters and gauges served on /metrics. */
  readonly metrics: AdminMetrics;
  /** README "Alerts": what fires, what was sent, each receiver's health (status(), counters()). */
  readonly alerts: Alerter;
  /** Deletes delivered events older than spool.retention_days now; never rejects (a failure is logged). */
  prune(): Promise<void>;
  /** Re-reads the config file and applies tokens and limits; a bad file is refused and the running config stays. */
  reload(): ReloadResult;
  /** Stop taking requests, finish the batch being written and the request in flight; idempotent. */
  stop(): Promise<void>;
}

const PRUNE_EVERY_MS = 60_000;
const EXTERNAL_CHANGES_EVERY_MS = 1000;
/** How often wall minus monotonic is compared: a step is told within a second of happening. */
const CLOCK_CHECK_EVERY_MS = 1000;
/** Wall-clock steps kept for the alerter to read old received_at times in their frame; older ones are long past any alert. */
const CLOCK_STEPS_KEPT = 32;

/** Bun.serve options beside host, port and tls. */
const SERVE_OPTIONS = {
  // The relay answers 413 itself, from Content-Length or while streaming,
  // with the contract's JSON body; Bun's own limit must not pre-empt it.
  maxRequestBodySize: Number.MAX_SAFE_INTEGER,
  // Elysia defaults to SO_REUSEPORT: a second relay started by mistake on
  // the same port would silently take half of the POS's events into
  // another spool. One relay per port; the second one fails to start.
  reusePort: false,
  // Seconds a connection may stay silent (headers never finished, a body
  // that stalls) before it is closed; a pending answer counts as silence
  // in Bun, so this stays well above a slow fsync. Bun counts a body still
  // arriving as silence too: http/deadline.ts answers those first.
  idleTimeout: SERVER_IDLE_SECONDS,
};

export const forwardSettings = (c: Config): ForwardSettings => ({
  cloudUrl: c.cloud.url,
  timeoutMs: c.cloud.timeout_seconds * 1000,
  ratePerToken: c.forward.rate_per_token,
  initialBackoffMs: c.forward.initial_backoff_seconds * 1000,
  maxBackoffMs: c.forward.max_backoff_seconds * 1000,
  // Read on every request, as curl and Bun read the environment: cloud.proxy, else HTTPS_PROXY/NO_PROXY.
  proxy: resolveProxy(c.cloud.url, c.cloud.proxy, process.env),
});

export const ingestSettings = (c: Config): IngestSettings => ({
  tokens: c.tokens,
  ratePerToken: c.limits.rate_per_token,
  burstPerToken: c.limits.burst_per_token,
  maxBodyBytes: c.server.max_body_bytes,
  bodyTimeoutSeconds: c.server.body_timeout_seconds,
  maxUploads: c.server.max_uploads,
  // The loader resolves "" to this PC's zone; "" left in a config built in code means no zone is known.
  siteZone: c.site.timezone === '' ? null : c.site.timezone,
  clockAheadMs: c.warnings.clock_ahead_minutes * 60_000,
  identifierMinSamples: c.warnings.identifier_min_samples,
  warningsInBody: c.warnings.in_body,
});

/**
 * Wires the relay: http/ appends to spool/, forward/ drains it. An ack never
 * waits on the cloud.
 */
export async function startRelay(config: Config, deps: RelayDeps): Promise<Relay> {
  const clock = deps.clock ?? systemClock;
  const log = deps.log;
  let current = config;
  const tls = loadTls(config.server);
  const spool = await Spool.open({
    path: config.spool.path,
    maxBytes: config.spool.max_size_mb * 1024 * 1024,
    clock,
    log,
    lock: true,
    onDamage: config.spool.on_damage,
  });
  // Delivery attempts and payload warnings reach the alerter through the metric calls (alerts/watch.ts).
  const alertWatch = new AlertWatch(() => current.alerts, clock);
  const metrics = watchMetrics(createMetrics(clock), alertWatch);
  const forwarder = createForwarder({
    spool,
    metrics,
    settings: () => forwardSettings(current),
    clock,
    log,
    userAgent: USER_AGENT,
    // The forwarder starts after `ingest` exists (below), so the closure never meets it undefined.
    onCloudClock: (skewMs) => ingest.noteCloudClock(skewMs),
  });
  const ingest = new IngestService(ingestSettings(config), { spool, clock, log, metrics });
  const clockSteps = new ClockStepWatch(clock);
  const stepHistory: ClockStep[] = [];
  /** Checks for a new wall-clock step (each is logged once) and gives every step seen since start, oldest first. */
  const noticeSteps = (): readonly ClockStep[] => {
    const seen = clockSteps.check();
    // The wall clock reads whole milliseconds and the monotonic one fractions, so a step is measured to
    // ±1 ms: told to the nearest 10 ms, a step of 2 h reads -7200000 ms, not -7199999.
    const step = seen && { ...seen, deltaMs: Math.round(seen.deltaMs / 10) * 10 };
    if (step) {
      stepHistory.push(step);
      if (stepHistory.length > CLOCK_STEPS_KEPT) stepHistory.shift();
      log.warn(
        { step_ms: step.deltaMs, at: new Date(step.at).toISOString() },
        `${describeStep(step.deltaMs)}; the relay's waits and alerts run on the monotonic clock and are not affected`,
      );
    }
    return stepHistory;
  };
  const health = () =>
    buildHealth({
      spool: spool.stats(),
      cloud: forwarder.cloud,
      paused: forwarder.paused(),
      stalled: forwarder.stalled(),
      log: deps.logHealth?.() ?? healthyLog(),
      clock: { recent: stepHistory, steps: clockSteps.steps() },
      mono: clock.mono(),
      tokens: current.tokens,
      version: VERSION,
    });

  const reload = (): ReloadResult => {
    if (!deps.reloadConfig) return { ok: false, problems: ['no config file to reload'] };
    const r = deps.reloadConfig();
    if (!r.ok) {
      log.error({ problems: r.problems }, 'config reload refused; keeping the running config');
      return { ok: false, problems: r.problems };
    }
    current = r.config;
    ingest.configure(ingestSettings(r.config));
    log.info({ tokens: r.config.tokens.map((t) => maskToken(t.token)) }, 'config reloaded');
    return { ok: true, problems: [] };
  };

  // Wrong admin passwords per address: the admin guard holds them, the alerter reads the blocks.
  const logins = new Logins({ clock, log });
  const alerts = new Alerter({
    ...deps.alerts,
    config: () => current,
    source: {
      adminBlocks: () => logins.blocked(),
      spool: () => spool.stats(),
      cloud: () => forwarder.cloud,
      paused: () => forwarder.paused(),
      stalled: () => forwarder.stalled(),
      clockSteps: noticeSteps,
    },
    watch: alertWatch,
    // What fires, since when and when it was sent outlive a restart.
    memory: { load: () => spool.alertState(), save: (v) => spool.saveAlertState(v) },
    clock,
    log,
    userAgent: USER_AGENT,
  });
  let telemetry: Telemetry | null = null;
  const admin = adminRoutes({
    spool,
    forwarder,
    metrics,
    config: () => current,
    reload,
    health,
    log,
    clock,
    logins,
    alerts: {
      status: () => alerts.status(),
      counters: () => alerts.counters(),
      laneAge: (token, env, receivedAt) => alerts.laneAge(token, env, receivedAt),
    },
    telemetry: () => telemetry?.status() ?? null,
  });
  const app = createApp({ ingest, health, log, admin, metrics });
  let listening: Listening;
  try {
    listening = listenAll(app, config.server, SERVE_OPTIONS, tls, log);
  } catch (e) {
    await spool.close();
    throw e;
  }
  const server = listening.server;
  forwarder.start();
  alerts.start();
  // Pushed telemetry ([telemetry]; off unless an endpoint is set).
  telemetry = await telemetryFor(config, spool, VERSION, {
    figures: () => metrics.figures(),
    define: (f) => metrics.define(f),
    log,
    clock,
    userAgent: USER_AGENT,
  });

  const prune = () => pruneDelivered(spool, current.spool.retention_days, clock, log);
  void prune();
  const stopPrune = every(PRUNE_EVERY_MS, prune, log, 'retention prune failed');
  const stopWatch = every(
    EXTERNAL_CHANGES_EVERY_MS,
    () => {
      if (spool.checkExternalChanges()) log.info('spool changed by another process; lanes rescanned');
    },
    log,
    'spool change check failed',
  );
  const stopClockWatch = every(CLOCK_CHECK_EVERY_MS, noticeSteps, log, 'clock step check failed');

  log.info(
    {
      version: VERSION,
      listen: listening.addresses[0],
      also: listening.addresses.slice(1),
      spool: config.spool.path,
      cloud: config.cloud.url,
      tokens: config.tokens.map((t) => maskToken(t.token)),
      pending: spool.stats().pending,
    },
    'relay started',
  );

  let stopping: Promise<void> | null = null;
  return {
    port: server.port as number,
    url: `${tls ? 'https' : 'http'}://${localAuthority(server.hostname ?? '', server.port as number)}`,
    spool,
    forwarder,
    metrics,
    alerts,
    prune,
    reload,
    stop(): Promise<void> {
      stopping ??= (async () => {
        // Evaluation stops now; a send under way gets a second, alongside the rest of the stop.
        const alertsStopped = alerts.stop();
        const telemetryStopped = telemetry?.stop();
        stopPrune();
        stopWatch();
        stopClockWatch();
        await listening.stopOthers();
        await app.stop();
        await forwarder.stop();
        await telemetryStopped; // its last push reads the spool
        await spool.close();
        await alertsStopped;
        log.info('relay stopped');
      })();
      return stopping;
    },
  };
}

/** Where this machine reaches an address: a wildcard on its loopback (0.0.0.0 on 127.0.0.1, :: on ::1). */
const localAuthority = (host: string, port: number): string =>
  authority(isWildcard(host) ? (host === '::' ? '::1' : '127.0.0.1') : host, port);

/** One retention pass; a failure is logged, so a timer never meets a rejection. */
async function pruneDelivered(spool: Spool, retentionDays: number, clock: Clock, log: Logger): Promise<void> {
  try {
    const n = await spool.pruneDelivered(clock.now() - retentionDays * DAY_MS);
    if (n > 0) log.info({ deleted: n, retention_days: retentionDays }, 'pruned delivered events');
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'retention prune failed');
  }
}

/**
 * Runs `fn` every `ms` (first after `ms`) until the returned function is
 * called. A throw or rejection is logged as a warning `failed` and the next
 * run still comes: a background chore must neither stop for good nor end the
 * process with an unhandled rejection.
 */
export function every(ms: number, fn: () => unknown, log: Logger, failed: string): () => void {
  const run = async () => {
    try {
      await fn();
    } catch (e) {
      log.warn({ err: (e as Error).message }, failed);
    }
  };
  const timer = setInterval(run, ms);
  return () => clearInterval(timer);
}
