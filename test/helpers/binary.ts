import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Subprocess } from 'bun';

const ROOT = join(import.meta.dir, '..', '..');
export const BINARY = join(ROOT, 'dist', 'relay');

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

export interface RunningBinary {
  proc: Subprocess<'ignore', 'pipe', 'pipe'>;
  url: string;
  lines: string[];
  exited: Promise<number>;
}

/** Starts `relay serve` and waits for its "relay started" log line to learn the port. */
export async function startBinary(
  bin: string,
  args: string[],
  opts: { cwd: string; env?: Record<string, string> },
): Promise<RunningBinary> {
  const proc = Bun.spawn([bin, ...args], {
    cwd: opts.cwd,
    env: { PATH: '/usr/bin:/bin', ...opts.env },
    stdin: 'ignore',
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

export function runBinary(bin: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  // Bounded: a relay that wrongly starts serving must fail the test, not hang it.
  const p = Bun.spawnSync([bin, ...args], {
    cwd,
    env: { PATH: '/usr/bin:/bin', ...env },
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: 10_000,
    killSignal: 'SIGKILL',
  });
  return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}
