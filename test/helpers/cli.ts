/** Helpers for the technician's commands: a config file, a captured Io, a seeded spool, the binary run without blocking. */
import type { Io } from '../../src/cli/context.ts';
import { main } from '../../src/cli/index.ts';
import type { Config } from '../../src/config/index.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { Spool } from '../../src/spool/index.ts';
import { type ConfigOver, mergeOver, TOKEN, type TokenEntry, writeToml } from './config.ts';
import { fileCounts, onSpoolFile } from './spool-file.ts';

/** helpers/ports.ts freePort, still importable from here; see there for when a test may pick a port first. */
export { freePort } from './ports.ts';

export interface CliConfig {
  /** The port `relay status`/`send` look for the server on (0, the default, names none). */
  port?: number;
  cloudUrl?: string;
  /** Relative to `dir`; spool/relay.db unless given. */
  spool?: string;
  tokens?: TokenEntry[];
  logLevel?: string;
  /** Any other settings, applied last (helpers/config.ts). */
  config?: ConfigOver;
}

/** Writes `relay.toml` in `dir` from the one builder (helpers/config.ts) and returns its path. */
export function writeConfig(dir: string, c: CliConfig = {}): string {
  const over: ConfigOver = {
    server: { port: c.port ?? 0 },
    spool: { path: c.spool ?? 'spool/relay.db' },
    ...(c.cloudUrl ? { cloud: { url: c.cloudUrl } } : {}),
    log: { level: (c.logLevel ?? 'info') as Config['log']['level'] },
    ...(c.tokens ? { tokens: c.tokens } : {}),
  };
  return writeToml(dir, mergeOver(over, c.config ?? {}));
}

export interface Captured {
  io: Io & { write: (s: string) => void };
  out: string[];
  err: string[];
  /** What was written without a newline (progress redraws). */
  raw: string[];
  stdout(): string;
}

export interface InProcessOpts {
  isTty?: boolean;
  cwd?: string;
  /** The environment main() sees; nothing unless given (not this process's). */
  env?: Record<string, string | undefined>;
}

export function captureIo(opts: InProcessOpts = {}): Captured {
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

/**
 * The one in-process CLI runner: `relay ARGS...` through main() with a
 * captured Io, as the binary's main.ts runs it (usage errors become exit 2).
 * helpers/install.ts's `cli` is this with PATH passed and the output joined.
 */
export async function runInProcess(args: string[], opts: InProcessOpts = {}) {
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
  return fileCounts(path);
}
