/**
 * What the bench sections share: processes (the relay binary, the bare
 * server), wrk, /proc readings. Everything runs on 127.0.0.1, bounded in time.
 */

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import { maskToken } from '../../src/lib/mask.ts';
import { tomlOf } from '../helpers/config.ts';
import { waitFor } from '../helpers/wait.ts';
import type { Bench } from './figures.ts';

export const ROOT = join(import.meta.dir, '..', '..');
/** The binary under test: dist/relay (`make build`), or another build given as RELAY_BIN. */
export const RELAY_BIN = process.env.RELAY_BIN ?? join(ROOT, 'dist', 'relay');
export const LUA = join(import.meta.dir, 'post.lua');

/**
 * A port nothing listens on right now (helpers/ports.ts). The bench picks its
 * ports first: it times a start from spawn to the first /health answer, and
 * its clouds are often addresses where nothing will listen at all.
 */
export { freePort } from '../helpers/ports.ts';

export interface Proc {
  proc: Subprocess<'ignore', 'pipe' | 'ignore', 'pipe' | 'ignore'>;
  pid: number;
  url: string;
  /** ms from spawn to the first 200 from GET /health (or to the port answering, for the bare server). */
  readyMs: number;
  /** Last lines the process wrote, for error messages. */
  tail: () => string;
  stop: () => Promise<void>;
}

/** Keeps the last few KB of a child's output without letting it fill a pipe. */
function collect(stream: ReadableStream<Uint8Array> | undefined, sink: string[]): void {
  if (!stream) return;
  void (async () => {
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      sink.push(dec.decode(chunk));
      while (sink.length > 40) sink.shift();
    }
  })();
}

/** Spawns a server and polls GET `url + probe` until it answers 200 (the bench's peers use it too). */
export async function spawnAndWait(
  cmd: string[],
  cwd: string,
  url: string,
  probe: string,
  timeoutMs: number,
): Promise<Proc> {
  const out: string[] = [];
  const started = performance.now();
  const proc = Bun.spawn(cmd, {
    cwd,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  collect(proc.stdout, out);
  collect(proc.stderr, out);
  const tail = () => out.join('').slice(-3000);
  let readyMs = -1;
  const deadline = started + timeoutMs;
  while (readyMs < 0) {
    if (proc.exitCode !== null)
      throw new Error(`${cmd.join(' ')} exited with ${proc.exitCode} before answering ${probe}:\n${tail()}`);
    if (performance.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${cmd.join(' ')} did not answer ${url}${probe} within ${timeoutMs} ms:\n${tail()}`);
    }
    try {
      const r = await fetch(url + probe, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.status === 200) readyMs = performance.now() - started;
      else await Bun.sleep(1);
    } catch {
      await Bun.sleep(1); // not listening yet
    }
  }
  return {
    proc,
    pid: proc.pid,
    url,
    readyMs,
    tail,
    stop: async () => {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await proc.exited;
      clearTimeout(t);
    },
  };
}

export const BENCH_TOKENS = [
  '019ab6ed-150a-7be1-920f-ab82305e5d41',
  '019ab6ed-7c2e-7a41-8d3f-5be09c6a1f27',
  '019ab6ee-1111-7000-8000-00000000b003',
  '019ab6ee-2222-7000-8000-00000000b004',
] as const;

export interface RelayOptions {
  dir: string;
  port: number;
  cloudUrl: string;
  forwardRate?: number;
  initialBackoffS?: number;
  maxBackoffS?: number;
}

/**
 * The bench's relay.toml. The ingest limit (`limits.*`) is lifted so that the
 * runs measure the write path, not the 429 path; the quota is lifted so that
 * the spool never fills during a run.
 */
export function relayToml(o: RelayOptions): string {
  // The tests' one TOML writer (helpers/config.ts), without the tests' base.
  return tomlOf({
    server: { host: '127.0.0.1', port: o.port },
    spool: { path: 'spool.db', max_size_mb: 1000000 },
    cloud: { url: o.cloudUrl, timeout_seconds: 5 },
    forward: {
      rate_per_token: o.forwardRate ?? 100,
      initial_backoff_seconds: o.initialBackoffS ?? 1,
      max_backoff_seconds: o.maxBackoffS ?? 300,
    },
    limits: { rate_per_token: 1000000000, burst_per_token: 1000000000 },
    log: { level: 'warn' },
    tokens: BENCH_TOKENS.map((token, i) => ({ token, name: `bench ${i + 1}` })),
  });
}

/** Starts dist/relay on its own relay.toml in `o.dir` and waits for /health. */
export async function startRelayBinary(o: RelayOptions, timeoutMs = 30_000): Promise<Proc> {
  if (!existsSync(RELAY_BIN)) throw new Error(`${RELAY_BIN} is missing: run \`make build\` (make bench does)`);
  writeFileSync(join(o.dir, 'relay.toml'), relayToml(o));
  return spawnAndWait(
    [RELAY_BIN, 'serve', '--config', 'relay.toml'],
    o.dir,
    `http://127.0.0.1:${o.port}`,
    '/health',
    timeoutMs,
  );
}

export async function startBare(port: number): Promise<Proc> {
  return spawnAndWait(
    [process.execPath, join(import.meta.dir, 'bare.ts'), String(port)],
    ROOT,
    `http://127.0.0.1:${port}`,
    '/',
    15_000,
  );
}

/** VmRSS and VmHWM (peak) of a process, in MB, from /proc (Linux). */
export function memoryMb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${key} line`);
    return Number(m[1]);
  };
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** utime + stime of a /proc/.../stat file, in seconds (clock ticks, USER_HZ = 100). */
function statSeconds(path: string): number {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds (user + system) a process has used, from /proc/PID/stat. */
export function cpuSeconds(pid: number): number {
  return statSeconds(`/proc/${pid}/stat`);
}

/** CPU seconds per thread of a process, from /proc/PID/task/TID/stat. */
export function threadSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(tid, statSeconds(`/proc/${pid}/task/${tid}/stat`));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/** The machine's line of /proc/stat: user, nice, system, idle, iowait, irq, softirq, steal, ... in ticks. */
const machineTicks = (): number[] =>
  readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);

/** Seconds of CPU the whole machine spent busy (all cores), from /proc/stat. */
export function machineBusySeconds(): number {
  const f = machineTicks();
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - f[3]! - f[4]!) / 100; // minus idle and iowait; USER_HZ = 100
}

/** Seconds the hypervisor gave this VM's cores to others (steal), from /proc/stat. */
export function stealSeconds(): number {
  return (machineTicks()[7] ?? 0) / 100;
}

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  errors: number;
  non2xx: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** CPU the server used per request (µs), when its pid was given. */
  cpuUsPerReq: number | null;
  /** Cores' worth of CPU wrk itself used during the run. */
  wrkCores: number;
  /** Cores' worth of CPU used by everything else on the machine during the run (interference). */
  otherCores: number | null;
  command: string;
}

export function ensureWrk(): string {
  const found = Bun.which('wrk');
  if (found) return found;
  console.log('wrk is missing: installing the Debian package (apt-get install -y wrk)');
  const install = () =>
    Bun.spawnSync(['apt-get', 'install', '-y', 'wrk'], { stdout: 'inherit', stderr: 'inherit' }).exitCode;
  if (install() !== 0) {
    Bun.spawnSync(['apt-get', 'update'], { stdout: 'inherit', stderr: 'inherit' });
    if (install() !== 0)
      throw new Error('could not install wrk with apt-get; install it by hand and run make bench again');
  }
  const again = Bun.which('wrk');
  if (!again) throw new Error('apt-get installed wrk but it is not on PATH');
  return again;
}

/** One wrk run (our post.lua) against `url`; the JSON line from its done() hook is parsed. */
export async function wrk(opts: {
  url: string;
  bodyFile: string;
  threads: number;
  connections: number;
  seconds: number;
  serverPid?: number;
}): Promise<WrkResult> {
  const args = [
    'wrk',
    `-t${opts.threads}`,
    `-c${opts.connections}`,
    `-d${opts.seconds}s`,
    '--timeout',
    '10s',
    '-s',
    LUA,
    opts.url,
    '--',
    opts.bodyFile,
  ];
  const cpu0 = opts.serverPid ? cpuSeconds(opts.serverPid) : 0;
  const busy0 = machineBusySeconds();
  const p = Bun.spawn(args, { stdout: 'pipe', stderr: 'pipe' });
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  const code = await p.exited;
  const cpu1 = opts.serverPid ? cpuSeconds(opts.serverPid) : 0;
  const busy = machineBusySeconds() - busy0;
  const usage = p.resourceUsage();
  const wrkCpu = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6 : 0;
  const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (code !== 0 || !line) throw new Error(`${args.join(' ')} failed (exit ${code}):\n${out}\n${err}`);
  const j = JSON.parse(line.slice('BENCH_JSON '.length)) as Record<string, number>;
  const n = (k: string) => {
    const v = j[k];
    if (typeof v !== 'number') throw new Error(`wrk output lacks ${k}: ${line}`);
    return v;
  };
  const seconds = n('duration_us') / 1e6;
  const requests = n('requests');
  return {
    requests,
    seconds,
    rps: requests / seconds,
    errors: n('connect') + n('read') + n('write') + n('timeout'),
    non2xx: n('status'),
    p50Ms: n('p50_us') / 1000,
    p90Ms: n('p90_us') / 1000,
    p99Ms: n('p99_us') / 1000,
    p999Ms: n('p999_us') / 1000,
    maxMs: n('lat_max_us') / 1000,
    cpuUsPerReq: opts.serverPid ? ((cpu1 - cpu0) * 1e6) / requests : null,
    wrkCores: wrkCpu / seconds,
    otherCores: opts.serverPid ? Math.max(0, busy - (cpu1 - cpu0) - wrkCpu) / seconds : null,
    // Tokens never appear whole in what the bench prints or writes (first 8 characters, as in the relay's logs).
    command: args
      .map((a) => (a.includes(' ') ? JSON.stringify(a) : a))
      .join(' ')
      .replace(/\/webhooks\/v1\/pos\/([^/?\s]+)/g, (_m, t: string) => `/webhooks/v1/pos/${maskToken(t)}`),
  };
}

/**
 * The peers' and the ladder's run: 64 keep-alive connections posting the
 * bench body to `p`'s ingest path; a run that was not all 200s measured
 * something other than durable acks, and throws.
 */
export async function wrkAll200(
  p: Proc,
  b: Pick<Bench, 'bodyFile' | 'threads'>,
  who: string,
  seconds: number,
): Promise<WrkResult> {
  const r = await wrk({
    url: p.url + ingestPath(BENCH_TOKENS[0]),
    bodyFile: b.bodyFile,
    threads: b.threads,
    connections: 64,
    seconds,
    serverPid: p.pid,
  });
  if (r.errors > 0 || r.non2xx > 0)
    throw new Error(`${who}: ${r.non2xx} answers not 2xx, ${r.errors} socket errors/timeouts (${r.command})`);
  return r;
}

export const ingestPath = (token: string) => `/webhooks/v1/pos/${token}`;

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export { waitFor };
