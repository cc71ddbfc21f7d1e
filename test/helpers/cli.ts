import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Io } from '../../src/cli/context.ts';
import { main } from '../../src/cli/index.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { Spool } from '../../src/spool/index.ts';
import { INACTIVE, TOKEN, TOKEN2 } from './relay.ts';
import { fileRows, onSpoolFile } from './spool-file.ts';

/** Helpers for the technician's commands: a config file, a captured Io, a seeded spool, the binary run without blocking. */

/** A port that was free a moment ago: the CLI finds the relay by server.port, so tests cannot use port 0. */
export function freePort(): number {
  const s = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
  const port = s.port as number;
  s.stop(true);
  return port;
}

export interface CliConfig {
  port?: number;
  cloudUrl?: string;
  spool?: string;
  tokens?: { token: string; name?: string; active?: boolean }[];
  logLevel?: string;
}

/** Writes `relay.toml` in `dir` and returns its path. */
export function writeConfig(dir: string, c: CliConfig = {}): string {
  const tokens = c.tokens ?? [
    { token: TOKEN, name: 'Main POS' },
    { token: TOKEN2, name: 'Bar' },
    { token: INACTIVE, name: 'Old', active: false },
  ];
  const text = `[server]
host = "127.0.0.1"
port = ${c.port ?? 0}
[spool]
path = "${c.spool ?? 'spool/relay.db'}"
[cloud]
url = "${c.cloudUrl ?? 'http://127.0.0.1:9'}"
timeout_seconds = 2
[forward]
initial_backoff_seconds = 0.02
max_backoff_seconds = 0.2
[log]
level = "${c.logLevel ?? 'info'}"
${tokens.map((t) => `[[tokens]]\ntoken = "${t.token}"\nname = "${t.name ?? ''}"\nactive = ${t.active ?? true}\n`).join('')}`;
  const path = join(dir, 'relay.toml');
  writeFileSync(path, text);
  return path;
}

export interface Captured {
  io: Io & { write: (s: string) => void };
  out: string[];
  err: string[];
  /** What was written without a newline (progress redraws). */
  raw: string[];
  stdout(): string;
}

export function captureIo(opts: { isTty?: boolean; cwd?: string; env?: Record<string, string> } = {}): Captured {
  const out: string[] = [];
  const err: string[] = [];
  const raw: string[] = [];
  return {
    io: {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      write: (s) => raw.push(s),
      env: opts.env ?? {},
      cwd: opts.cwd ?? process.cwd(),
      isTty: opts.isTty ?? false,
    },
    out,
    err,
    raw,
    stdout: () => out.join('\n'),
  };
}

/** `relay ARGS...` in this process, through main() (usage errors become exit 2 as in the binary). */
export async function runInProcess(args: string[], opts: { isTty?: boolean; cwd?: string } = {}) {
  const c = captureIo(opts);
  const code = await main(args, c.io);
  return { code, ...c };
}

/** The binary, without blocking this process's event loop (an in-process server may have to answer it). */
export async function runCli(
  bin: string,
  args: string[],
  opts: { cwd: string; stdin?: string | Uint8Array; env?: Record<string, string> },
) {
  const proc = Bun.spawn([bin, ...args], {
    cwd: opts.cwd,
    env: { PATH: '/usr/bin:/bin', ...opts.env },
    stdin: opts.stdin === undefined ? 'ignore' : new Blob([opts.stdin]),
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

export interface Seed {
  token?: string;
  env?: 'prod' | 'dev';
  body?: string;
  status?: 'pending' | 'delivered' | 'dead';
  /** ms since the epoch; delivered events only. */
  deliveredAt?: number;
  warnings?: string[];
}

/** Appends events through the real spool, then moves them to the status asked for. Returns their ids in order. */
export async function seedSpool(path: string, seeds: Seed[]): Promise<string[]> {
  const spool = await Spool.open({ path, maxBytes: 1024 * 1024 * 1024, clock: systemClock, log: silentLogger });
  try {
    const appended = await Promise.all(
      seeds.map((s) =>
        spool.append({
          token: s.token ?? TOKEN,
          env: s.env ?? 'prod',
          body: new TextEncoder().encode(s.body ?? '{"event":"order_created","table_number":"Mesa 1"}'),
          warnings: s.warnings,
        }),
      ),
    );
    // The statuses are set as another program would (the forwarder is not running here).
    onSpoolFile(path, (db) => {
      const dead = db.prepare(
        `UPDATE events SET status = 'dead', attempts = 1, last_status = 422, last_error = '{"detail":"mock 422"}' WHERE id = ?`,
      );
      const delivered = db.prepare(
        `UPDATE events SET status = 'delivered', attempts = 1, last_status = 200, delivered_at = ? WHERE id = ?`,
      );
      db.exec('BEGIN');
      for (const [i, s] of seeds.entries()) {
        const id = appended[i]!.id;
        if (s.status === 'dead') dead.run(id);
        if (s.status === 'delivered') delivered.run(s.deliveredAt ?? Date.now(), id);
      }
      db.exec('COMMIT');
    });
    return appended.map((a) => a.id);
  } finally {
    await spool.close();
  }
}

/** Counts per status, read straight from the file. */
export async function statusCounts(path: string): Promise<Record<string, number>> {
  const rows = fileRows<{ status: string; n: number }>(
    path,
    'SELECT status, count(*) AS n FROM events GROUP BY status',
  );
  return { pending: 0, delivered: 0, dead: 0, ...Object.fromEntries(rows.map((r) => [r.status, r.n])) };
}
