import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import type { OnCleanup } from './cleanup.ts';

const ROOT = join(import.meta.dir, '..', '..');
/** dist/relay; RELAY_BINARY runs a suite against another build (an older commit's, to see a test go red). */
export const BINARY = process.env.RELAY_BINARY ?? join(ROOT, 'dist', 'relay');

/** `make test` builds dist/relay first; a bare `bun test` builds it here. */
export async function ensureBinary(): Promise<string> {
  if (!existsSync(BINARY)) {
    const p = Bun.spawnSync(['bun', 'run', 'scripts/build.ts', '--outfile', 'dist/relay'], {
      cwd: ROOT,
      stderr: 'pipe',
    });
    if (p.exitCode !== 0) throw new Error(`build failed: ${p.stderr.toString()}`);
  }
  return BINARY;
}

/** Copies the binary alone into `dir`: no node_modules, no source tree beside it. */
export async function installBinary(dir: string): Promise<string> {
  const to = join(dir, 'relay');
  copyFileSync(await ensureBinary(), to);
  return to;
}

/**
 * What a technician installs: a folder (removed after the test) holding only
 * the binary and `toml` as its relay.toml; `spool` is where
 * helpers/reliability.ts relayToml puts the spool.
 */
export async function installSite(onCleanup: OnCleanup, toml: string, prefix = 'relay-bin-') {
  const dir = onCleanup.tempDir(prefix);
  const bin = await installBinary(dir);
  writeFileSync(join(dir, 'relay.toml'), toml);
  return { dir, bin, spool: join(dir, 'spool', 'relay.db') };
}

/** `relay serve` in `dir` (startBinary), SIGKILLed after the test if it is still running. */
export async function serveSite(onCleanup: OnCleanup, bin: string, dir: string): Promise<RunningBinary> {
  const r = await startBinary(bin, ['serve'], { cwd: dir });
  onCleanup(() => stopBinary(r));
  return r;
}

export interface RunningBinary {
  /** stdin is a pipe when startBinary was asked for one (`relay serve --service`), else /dev/null. */
  proc: Subprocess<'ignore' | 'pipe', 'pipe', 'pipe'>;
  /** http://127.0.0.1:<port> as the relay reported it (0.0.0.0 shown as 127.0.0.1). */
  url: string;
  /** Every line written to stdout and stderr so far. */
  lines: string[];
  exited: Promise<number>;
}

/** Sends `signal` (SIGKILL unless given) unless the process has already exited, and waits for the exit. */
export async function stopBinary(r: RunningBinary, signal: NodeJS.Signals = 'SIGKILL'): Promise<number> {
  if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill(signal);
  return r.exited;
}

/** The port a running binary listens on. */
export const portOf = (r: RunningBinary): number => Number(new URL(r.url).port);

/**
 * Starts `relay serve` and waits for its "relay started" log line (JSON on
 * stdout, level info or lower), whose `listen` is the address it got: so the
 * config can say `port = 0` and no port is picked (and raced for) beforehand.
 */
export async function startBinary(
  bin: string,
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; stdin?: 'pipe' },
): Promise<RunningBinary> {
  const proc = Bun.spawn([bin, ...args], {
    cwd: opts.cwd,
    env: { PATH: '/usr/bin:/bin', ...opts.env },
    stdin: opts.stdin ?? 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const lines: string[] = [];
  let resolveUrl: (u: string) => void = () => {};
  let rejectUrl: (e: Error) => void = () => {};
  const started = new Promise<string>((res, rej) => {
    resolveUrl = res;
    rejectUrl = rej;
  });
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let buf = '';
    for await (const chunk of stream) {
      buf += new TextDecoder().decode(chunk);
      let i: number;
      while ((i = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        if (line.includes('"relay started"')) {
          const listen = (JSON.parse(line) as { listen: string }).listen;
          resolveUrl(`http://${listen.replace('0.0.0.0', '127.0.0.1')}`);
        }
      }
    }
  };
  void pump(proc.stdout);
  void pump(proc.stderr);
  const exited = proc.exited;
  void exited.then((code) => rejectUrl(new Error(`relay exited with ${code} before starting:\n${lines.join('\n')}`)));
  const timer = setTimeout(() => rejectUrl(new Error(`relay did not start in 15 s:\n${lines.join('\n')}`)), 15_000);
  const url = await started.finally(() => clearTimeout(timer));
  return { proc, url, lines, exited };
}

/**
 * Runs the binary to completion (this process waits: nothing in it can answer
 * the binary meanwhile; helpers/cli.ts runCli does not block). SIGKILLed
 * after `timeoutMs`: a relay that wrongly starts serving must fail the test,
 * not hang it.
 */
export function runBinary(
  bin: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  timeoutMs = 10_000,
) {
  const p = Bun.spawnSync([bin, ...args], {
    cwd,
    env: { PATH: '/usr/bin:/bin', ...env },
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}
