import { existsSync } from 'node:fs';
import { authority, type Config, listenAddresses } from '../../config/index.ts';
import { fetchProxy, type ProxyRoute, proxyFailure, scrubProxy, throughProxy } from '../../forward/index.ts';
import { type ReportedHealth, readHealth } from '../../health/index.ts';
import { systemClock } from '../../lib/clock.ts';
import { silentLogger } from '../../lib/log.ts';
import { maskToken } from '../../lib/mask.ts';
import { Spool, SpoolOpenError } from '../../spool/index.ts';
import type { Io } from '../context.ts';

/**
 * The technician's commands reach the relay two ways: its spool file (opened
 * beside a running server: WAL and busy_timeout let both write, and the server
 * notices our commits within ~1 s through PRAGMA data_version) and its HTTP
 * port, from the same config the server reads.
 */

export function spoolExists(config: Config): boolean {
  return existsSync(config.spool.path);
}

/**
 * Opens the spool, runs `fn`, closes it. A spool that does not exist yet is
 * not created by a read (`ifMissing` answers instead); a spool that cannot be
 * opened prints the reason and gives exit code 1.
 */
export async function withSpool(
  config: Config,
  io: Io,
  fn: (spool: Spool) => Promise<number>,
  ifMissing?: () => number | Promise<number>,
): Promise<number> {
  if (ifMissing && !spoolExists(config)) return ifMissing();
  let spool: Spool;
  try {
    spool = await Spool.open({
      path: config.spool.path,
      maxBytes: config.spool.max_size_mb * 1024 * 1024,
      clock: systemClock,
      log: silentLogger,
      // A short command: no integrity read of the whole spool, no checkpoint thread.
      background: false,
    });
  } catch (e) {
    io.err(
      e instanceof SpoolOpenError
        ? `relay: ${e.message}`
        : `relay: spool ${config.spool.path}: ${(e as Error).message}`,
    );
    return 1;
  }
  try {
    return await fn(spool);
  } finally {
    await spool.close();
  }
}

/**
 * The URL the local relay listens on, from server.host/port: a wildcard
 * address is reached on loopback; IPv6 literals are bracketed (RFC 3986
 * section 3.2.2). Port 0 means "chosen at start": no fixed address to call.
 */
export function localRelayUrl(config: Config): string | undefined {
  const { host, port, tls_cert } = config.server;
  if (port === 0) return undefined;
  // The first address listened on ("localhost": 127.0.0.1).
  let h = listenAddresses(host)[0]!.host;
  if (h === '0.0.0.0') h = '127.0.0.1';
  else if (h === '::') h = '::1';
  return `${tls_cert ? 'https' : 'http'}://${authority(h, port)}`;
}

export type Reply =
  | { ok: true; status: number; statusText: string; text: string; headers: Headers; ms: number }
  | {
      ok: false;
      error: string;
      ms: number;
      /** `error` is the proxy's fault, explained (proxyFailure): no generic advice needed. */
      proxyFault?: boolean;
    };

/**
 * One HTTP request with a deadline. `insecureTls` is for the relay's own
 * loopback endpoint only, whose certificate is usually self-signed for the POS;
 * the cloud is always verified. `proxy` is for the cloud (resolveProxy); without
 * it the request goes direct even when HTTP(S)_PROXY is set, as the relay's own
 * loopback address must. A failure through the proxy says it was the proxy's.
 */
export async function request(
  url: string,
  init: RequestInit & { timeoutMs: number; insecureTls?: boolean; proxy?: ProxyRoute },
): Promise<Reply> {
  const started = performance.now();
  const { timeoutMs, insecureTls, proxy, ...rest } = init;
  try {
    const res = await fetch(url, {
      ...rest,
      proxy: fetchProxy(proxy?.url),
      // A fresh connection each time: a pooled one the peer (tinyproxy, say) closed after its last
      // answer fails the next request with ECONNRESET, and a CLI's check is not retried.
      keepalive: false,
      signal: AbortSignal.timeout(timeoutMs),
      ...(insecureTls ? { tls: { rejectUnauthorized: false } } : {}),
    });
    const text = await res.text();
    const reply = { status: res.status, statusText: res.statusText, text, headers: res.headers };
    return { ok: true, ...reply, ms: performance.now() - started };
  } catch (e) {
    const err = e as Error & { code?: string };
    const plain =
      err.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : err.code && !err.message.startsWith(err.code)
          ? `${err.code}: ${err.message}`
          : err.message;
    const explained = err.name !== 'TimeoutError' && proxy ? proxyFailure(e, proxy, url) : undefined;
    const ms = performance.now() - started;
    if (explained) return { ok: false, error: explained, ms, proxyFault: true };
    return { ok: false, error: `${scrubProxy(plain, proxy)}${throughProxy(proxy)}`, ms };
  }
}

/**
 * A token named on the command line: the full token, or a prefix of one of
 * `known` (what the relay prints: "019ab6ed" or "019ab6ed…"). A prefix must
 * match exactly one token.
 */
export function resolveToken(
  given: string,
  known: Iterable<string>,
): { ok: true; token: string } | { ok: false; ambiguous: boolean; problem: string } {
  const all = [...new Set(known)];
  if (all.includes(given)) return { ok: true, token: given };
  const prefix = given.replace(/…$/, '');
  const hits = prefix.length > 0 ? all.filter((t) => t.startsWith(prefix)) : [];
  if (hits.length === 1) return { ok: true, token: hits[0]! };
  if (hits.length > 1) {
    return {
      ok: false,
      ambiguous: true,
      problem: `token ${JSON.stringify(given)} matches ${hits.length} tokens (${hits.map(maskToken).join(', ')}); give more characters`,
    };
  }
  return {
    ok: false,
    ambiguous: false,
    problem: `token ${maskToken(given)} is neither in the config nor in the spool`,
  };
}

export type Probe =
  | { running: true; url: string; health: ReportedHealth }
  | { running: false; url: string | null; reason: string };

const HEALTH_TIMEOUT_MS = 3000;

export async function probeRelay(config: Config): Promise<Probe> {
  const base = localRelayUrl(config);
  if (!base) {
    return {
      running: false,
      url: null,
      reason: 'server.port is 0 (a port chosen at start), so there is no fixed address to ask',
    };
  }
  const url = `${base}/health`;
  const r = await request(url, { timeoutMs: HEALTH_TIMEOUT_MS, insecureTls: true });
  if (!r.ok) return { running: false, url, reason: r.error };
  try {
    const health = readHealth(JSON.parse(r.text));
    if (r.status === 200 && health) return { running: true, url, health };
  } catch {
    // fall through: something else answers on that port
  }
  return { running: false, url, reason: `something answered ${r.status} there, but not the relay's /health` };
}

export const tokenNames = (config: Config): Map<string, string> =>
  new Map(config.tokens.filter((t) => t.name !== '').map((t) => [t.token, t.name]));
