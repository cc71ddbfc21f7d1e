import { adminRoutes, createMetrics, type ReloadResult } from './admin/index.ts';
import type { Config } from './config/index.ts';
import { createForwarder, type ForwardSettings } from './forward/index.ts';
import { createApp, IngestService, type IngestSettings } from './http/index.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import type { Logger } from './lib/log.ts';
import { maskToken } from './lib/mask.ts';
import { Spool } from './spool/index.ts';
import { VERSION } from './version.ts';

export interface RelayDeps {
  log: Logger;
  clock?: Clock;
  /** Re-reads the config file (the CLI's; tests may give their own). */
  reloadConfig?: () => { ok: true; config: Config } | { ok: false; problems: string[] };
}

const DAY_MS = 86_400_000;
const PRUNE_EVERY_MS = 60_000;
const EXTERNAL_CHANGES_EVERY_MS = 1000;

export const forwardSettings = (c: Config): ForwardSettings => ({
  cloudUrl: c.cloud.url,
  timeoutMs: c.cloud.timeout_seconds * 1000,
  ratePerToken: c.forward.rate_per_token,
  initialBackoffMs: c.forward.initial_backoff_seconds * 1000,
  maxBackoffMs: c.forward.max_backoff_seconds * 1000,
});

export const ingestSettings = (c: Config): IngestSettings => ({
  tokens: c.tokens,
  ratePerToken: c.limits.rate_per_token,
  burstPerToken: c.limits.burst_per_token,
  maxBodyBytes: c.server.max_body_bytes,
});

/**
 * Wires the relay: http/ appends to spool/, forward/ drains it. An ack never
 * waits on the cloud.
 */
export async function startRelay(config: Config, deps: RelayDeps) {
  const clock = deps.clock ?? systemClock;
  const log = deps.log;
  let current = config;
  const spool = await Spool.open({
    path: config.spool.path,
    maxBytes: config.spool.max_size_mb * 1024 * 1024,
    clock,
    log,
  });
  const metrics = createMetrics();
  const forwarder = createForwarder({
    spool,
    metrics,
    settings: () => forwardSettings(current),
    clock,
    log,
    userAgent: `emiliavision-relay/${VERSION}`,
  });
  const ingest = new IngestService(ingestSettings(config), { spool, clock, log, metrics });

  const health = () => {
    const s = spool.stats();
    const paused = forwarder.paused();
    const cloud = forwarder.cloud;
    const spoolOk = s.lastWriteError === null && s.bytes < s.maxBytes;
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    return {
      status: spoolOk && cloud.reachable !== false && paused.length === 0 ? 'ok' : 'degraded',
      version: VERSION,
      spool: { ok: spoolOk, pending: s.pending, dead: s.dead, bytes: s.bytes, max_bytes: s.maxBytes, error: s.lastWriteError },
      cloud: {
        reachable: cloud.reachable,
        since: iso(cloud.since),
        last_delivery_at: iso(cloud.lastDeliveryAt),
        last_error: cloud.lastError,
      },
      paused_tokens: paused.map((p) => ({ token: maskToken(p.token), until: iso(p.until), reason: p.reason })),
    };
  };

  const reload = (): ReloadResult => {
    if (!deps.reloadConfig) return { ok: false, problems: ['no config file to reload'] };
    const r = deps.reloadConfig();
    if (!r.ok) {
      log.error({ problems: r.problems }, 'config reload refused; keeping the running config');
      return { ok: false, problems: r.problems };
    }
    reconfigure(r.config);
    log.info({ tokens: r.config.tokens.map((t) => maskToken(t.token)) }, 'config reloaded');
    return { ok: true, problems: [] };
  };
  const reconfigure = (next: Config) => {
    current = next;
    ingest.configure(ingestSettings(next));
  };

  const admin = adminRoutes({ spool, forwarder, metrics, config: () => current, reload, health, log, clock });
  const app = createApp({ ingest, health, log, admin, metrics });
  const tls = config.server.tls_cert
    ? { cert: Bun.file(config.server.tls_cert), key: Bun.file(config.server.tls_key) }
    : undefined;
  app.listen({
    hostname: config.server.host,
    port: config.server.port,
    // The relay answers 413 itself, from Content-Length or while streaming,
    // with the contract's JSON body; Bun's own limit must not pre-empt it.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    ...(tls ? { tls } : {}),
  });
  const server = app.server!;
  forwarder.start();

  const prune = async () => {
    const before = clock.now() - current.spool.retention_days * DAY_MS;
    try {
      const n = await spool.pruneDelivered(before);
      if (n > 0) log.info({ deleted: n, retention_days: current.spool.retention_days }, 'pruned delivered events');
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'retention prune failed');
    }
  };
  void prune();
  const pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
  const watchTimer = setInterval(() => {
    try {
      if (spool.checkExternalChanges()) log.info('spool changed by another process; lanes rescanned');
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'spool change check failed');
    }
  }, EXTERNAL_CHANGES_EVERY_MS);

  log.info(
    {
      version: VERSION,
      listen: `${server.hostname}:${server.port}`,
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
    url: `${tls ? 'https' : 'http'}://${server.hostname === '0.0.0.0' ? '127.0.0.1' : server.hostname}:${server.port}`,
    spool,
    forwarder,
    ingest,
    health,
    prune,
    metrics,
    reconfigure,
    reload,
    /** Stop taking requests, finish the batch being written and the request in flight. */
    stop(): Promise<void> {
      stopping ??= (async () => {
        clearInterval(pruneTimer);
        clearInterval(watchTimer);
        await app.stop();
        await forwarder.stop();
        await spool.close();
        log.info('relay stopped');
      })();
      return stopping;
    },
  };
}

export type Relay = Awaited<ReturnType<typeof startRelay>>;
