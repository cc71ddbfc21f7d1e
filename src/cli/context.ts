import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Config, loadConfig, resolveConfigPath } from '../config/index.ts';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** True when stdout is a terminal (progress bars, colours). */
  isTty?: boolean;
  /** Writes to stdout without a newline (progress redraws with "\r"). */
  write?: (s: string) => void;
}

/** Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad config. */
export type ExitCode = number | 'running';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: Io): Promise<ExitCode>;
}

export class UsageError extends Error {}

/** parseArgs that reports a bad option as a usage error naming the command. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({
      args,
      options: { ...options, config: { type: 'string', short: 'c' } },
      allowPositionals,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(`relay ${command}: ${(e as Error).message}`);
  }
}

/** Finds and validates the config; prints every problem and returns undefined when it is bad. */
export function loadConfigFor(explicit: string | undefined, io: Io): { config: Config; path: string } | undefined {
  const path = resolveConfigPath(explicit, { cwd: io.cwd, env: io.env });
  if (!path) {
    io.err('relay: no config file: pass --config FILE, create ./relay.toml, or set RELAY_CONFIG');
    return undefined;
  }
  const r = loadConfig(path, io.env);
  if (!r.ok) {
    for (const p of r.problems) io.err(p);
    io.err(`config ${path}: ${r.problems.length} problem(s)`);
    return undefined;
  }
  return { config: r.config, path };
}
