/**
 * Helpers for the reliability suites (crash, hostile, fuzz, TLS, spool full,
 * corruption): a relay.toml for the binary, raw HTTP/1.1 over a socket,
 * reading a spool file from outside the relay, a seeded PRNG.
 */

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import type { Config } from '../../src/config/index.ts';
import { runBinary } from './binary.ts';
import { buildToml, type ConfigOver, mergeOver, TEST_TOKENS } from './config.ts';
import { freePort as portFree } from './ports.ts';

/** helpers/ports.ts freePort, as a promise (the callers here await it); see there for when to use it. */
export async function freePort(): Promise<number> {
  return portFree();
}

export interface TomlOptions {
  cloudUrl: string;
  port?: number;
  /** Relative to the folder the file is written in; spool/relay.db unless given. */
  spool?: string;
  forwardRate?: number;
  level?: string;
  /** Any other settings, applied last (helpers/config.ts). */
  config?: ConfigOver;
}

/**
 * A relay.toml for the compiled binary, from the one builder
 * (helpers/config.ts): generous POS limits and forwarding pace (the
 * reliability suites are about loss and order, not pacing), log level info
 * (startBinary reads the port from the "relay started" line), the two
 * active test tokens.
 */
export function relayToml(o: TomlOptions): string {
  const over: ConfigOver = {
    server: { port: o.port ?? 0 },
    spool: { path: o.spool ?? 'spool/relay.db' },
    cloud: { url: o.cloudUrl },
    forward: { rate_per_token: o.forwardRate ?? 10000 },
    limits: { rate_per_token: 100000, burst_per_token: 100000 },
    log: { level: (o.level ?? 'info') as Config['log']['level'] },
    tokens: TEST_TOKENS.filter((t) => t.active !== false),
  };
  return buildToml(mergeOver(over, o.config ?? {}));
}

export interface RawAnswer {
  /** Status of the first response, or null when the connection closed without one. */
  status: number | null;
  head: string;
  body: string;
  /** Everything received, for requests that get more than one response. */
  raw: string;
  closed: boolean;
}

/**
 * Sends bytes over a plain TCP socket and reads the first HTTP response:
 * what `fetch` will not send (lying Content-Length, broken framing).
 * `halfClose` ends our side after sending; `waitMs` bounds the wait.
 */
export async function rawHttp(
  base: string,
  request: string | Uint8Array,
  opts: { waitMs?: number; halfClose?: boolean } = {},
): Promise<RawAnswer> {
  const conn = await connectRaw(base);
  const { state, sock } = conn;
  await conn.writeAll(typeof request === 'string' ? new TextEncoder().encode(request) : request);
  if (opts.halfClose) sock.shutdown(true);
  const end = Date.now() + (opts.waitMs ?? 3000);
  while (!state.closed && Date.now() < end && parseResponse(state.buf) === null) await Bun.sleep(5);
  sock.end();
  const raw = new TextDecoder().decode(state.buf);
  const parsed = parseResponse(state.buf);
  return { ...(parsed ?? { status: null, head: raw, body: '' }), raw, closed: state.closed };
}

export interface RawConnection {
  sock: Bun.Socket<undefined>;
  state: { buf: Uint8Array; closed: boolean };
  /** Writes every byte, waiting for the socket to drain (false if it closed first). */
  writeAll(bytes: Uint8Array): Promise<boolean>;
  /** The first response, once complete; null while it is not. */
  response(): { status: number; head: string; body: string } | null;
}

/** A plain TCP connection to the relay that records what comes back. */
export async function connectRaw(base: string): Promise<RawConnection> {
  const u = new URL(base);
  const state = { buf: new Uint8Array(0), closed: false };
  let drained: (() => void) | null = null;
  const sock = await Bun.connect({
    hostname: u.hostname,
    port: Number(u.port),
    socket: {
      data(_s, d) {
        const next = new Uint8Array(state.buf.length + d.length);
        next.set(state.buf);
        next.set(d, state.buf.length);
        state.buf = next;
      },
      drain() {
        drained?.();
      },
      close() {
        state.closed = true;
        drained?.();
      },
      error() {
        state.closed = true;
        drained?.();
      },
    },
  });
  return {
    sock,
    state,
    response: () => parseResponse(state.buf),
    async writeAll(bytes) {
      let off = 0;
      while (off < bytes.length) {
        if (state.closed) return false;
        const n = sock.write(bytes.subarray(off));
        if (n > 0) off += n;
        if (off < bytes.length) {
          await new Promise<void>((r) => {
            drained = r;
            setTimeout(r, 50); // drain is an edge: poll as well
          });
          drained = null;
        }
      }
      return true;
    },
  };
}

/** The first complete response in `buf` (Content-Length framed), or null if it is not all there yet. */
function parseResponse(buf: Uint8Array): { status: number; head: string; body: string } | null {
  const text = new TextDecoder().decode(buf);
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const head = text.slice(0, end);
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  if (!m) return null;
  const status = Number(m[1]);
  if (status === 100) return parseResponse(buf.slice(end + 4));
  const len = /\r\ncontent-length: *(\d+)/i.exec(head);
  const bodyStart = end + 4;
  if (!len) return { status, head, body: '' };
  const need = Number(len[1]);
  const rest = buf.slice(new TextEncoder().encode(text.slice(0, bodyStart)).length);
  if (rest.length < need) return null;
  return { status, head, body: new TextDecoder().decode(rest.slice(0, need)) };
}

/** helpers/binary.ts runBinary with no environment and a 5 s bound: a relay that wrongly starts fails fast. */
export function runBounded(bin: string, args: string[], cwd: string, timeoutMs = 5000) {
  return runBinary(bin, args, cwd, {}, timeoutMs);
}

/** Resident memory of a process, in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export interface SpoolRow {
  seq: number;
  id: string;
  token: string;
  env: string;
  body: Buffer;
  status: string;
  cloud_event_id: string | null;
}

/** Every event in a spool file, read by a separate connection (the relay may still be running). */
export function readSpool(path: string): SpoolRow[] {
  const db = new Database(path);
  try {
    const rows = db
      .prepare('SELECT seq, id, token, env, body, status, cloud_event_id FROM events ORDER BY seq')
      .all() as (Omit<SpoolRow, 'body'> & { body: ArrayBuffer | Uint8Array })[];
    // libsql hands BLOBs back as ArrayBuffer.
    return rows.map((r) => ({
      ...r,
      body: Buffer.from(r.body instanceof ArrayBuffer ? new Uint8Array(r.body) : r.body),
    }));
  } finally {
    db.close();
  }
}

/** SHA-256 of every file in a directory, by name: to prove the relay left them untouched. */
export function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    out[name] = createHash('sha256')
      .update(readFileSync(join(dir, name)))
      .digest('hex');
  }
  return out;
}

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with its printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from `env[name]` when given (to replay a failure), else a fresh one. */
export function seedFrom(name: string): number {
  const given = process.env[name];
  return given !== undefined && given !== '' ? Number(given) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
}
