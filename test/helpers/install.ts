/** Helpers for the install-side tests (init, service, release). */
import { runInProcess } from './cli.ts';

export { iniValues, parseWindowsCommandLine } from './formats.ts';

export interface CliRun {
  code: number | 'running';
  out: string;
  err: string;
}

/**
 * `relay ARGS` in this process, through the one in-process runner
 * (helpers/cli.ts runInProcess), with this process's PATH (`relay init --tls`
 * finds openssl on it) and the output joined into one string per stream.
 */
export async function cli(
  args: string[],
  opts: { cwd: string; env?: Record<string, string | undefined> },
): Promise<CliRun> {
  const r = await runInProcess(args, { cwd: opts.cwd, env: { PATH: process.env.PATH, ...opts.env } });
  return { code: r.code, out: r.out.join('\n'), err: r.err.join('\n') };
}
