import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { adminRoutes, createMetrics, type ReloadResult } from './admin/index.ts';
import type { Config } from './config/index.ts';
import { createForwarder, type ForwardSettings } from './forward/index.ts';
import { createApp, IngestService, type IngestSettings } from './http/index.ts';
import { type Clock, systemClock } from './lib/clock.ts';
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
 * The PEM files for HTTPS, read before the spool opens so that a wrong path
 * or a file of the wrong kind stops start-up naming the key to fix.
 */
function loadTls(server: Config['server']): { cert: string; key: string } | undefined {
  if (server.tls_cert === '' && server.tls_key === '') return undefined;
  const read = (key: 'tls_cert' | 'tls_key', begin: RegExp, line: string, what: string): string => {
    const path = server[key];
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new Error(`server.${key}: cannot read ${path} (${err.code ?? err.message}); expected ${what}`);
    }
    if (!begin.test(text)) throw new Error(`server.${key}: ${path} is not ${what} (no "${line}" line)`);
    return text;
  };
  const cert = read('tls_cert', /-----BEGIN CERTIFICATE-----/, '-----BEGIN CERTIFICATE-----', 'a PEM certificate');
  const key = read('tls_key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/, '-----BEGIN PRIVATE KEY-----', 'a PEM private key');
  let matches: boolean;
  try {
    matches = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch (e) {
    throw new Error(
      `server.tls_cert/server.tls_key (${server.tls_cert}, ${server.tls_key}): cannot be parsed: ${(e as Error).message}`,
    );
  }
  if (!matches) {
    throw new Error(
      `server.tls_key: ${server.tls_key} is not the private key of server.tls_cert ${server.tls_cert}; ` +
        `give the key that was generated with that certificate`,
    );
  }
  return { cert, key };
}

/**
 * Wires the relay: http/ appends to spool/, forward/ drains it. An ack never
 * waits on the cloud.
 */
export async function startRelay(config: Config, deps: RelayDeps) {
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
      spool: {
        ok: spoolOk,
        pending: s.pending,
        dead: s.dead,
        bytes: s.bytes,
        max_bytes: s.maxBytes,
        error: s.lastWriteError,
      },
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
  try {
    app.listen({
      hostname: config.server.host,
      port: config.server.port,
      // The relay answers 413 itself, from Content-Length or while streaming,
      // with the contract's JSON body; Bun's own limit must not pre-empt it.
      maxRequestBodySize: Number.MAX_SAFE_INTEGER,
      // Elysia defaults to SO_REUSEPORT: a second relay started by mistake on
      // the same port would silently take half of the POS's events into
      // another spool. One relay per port; the second one fails to start.
      reusePort: false,
      // Seconds a connection may stay silent (headers never finished, a body
      // that stalls) before it is closed; a pending answer counts as silence
      // in Bun, so this stays well above a slow fsync.
      idleTimeout: 30,
      ...(tls ? { tls } : {}),
    });
  } catch (e) {
    await spool.close();
    const msg = (e as Error).message;
    // BoringSSL's errors ("KEY_VALUES_MISMATCH", "PEM routines") name neither file.
    if (tls && /SSL|X\.509|PEM|KEY|certificate/i.test(msg)) {
      throw new Error(
        `server.tls_cert/server.tls_key (${config.server.tls_cert}, ${config.server.tls_key}): ` +
          `cannot serve HTTPS with them: ${msg}; the key must be the certificate's private key`,
      );
    }
    throw new Error(`server.host/server.port ${config.server.host}:${config.server.port}: cannot listen: ${msg}`);
  }
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
