/**
 * What `relay service` needs to know before writing anything: which binary,
 * which config, and whether that config will start. Shared by the systemd and
 * the Windows paths of src/cli/commands/service.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, posix, relative, win32 } from 'node:path';
import { loadConfig, resolveConfigPath } from '../../config/index.ts';
import type { Io } from '../context.ts';

export type Platform = 'systemd' | 'windows';

export function hostPlatform(): Platform | undefined {
  if (process.platform === 'linux') return 'systemd';
  if (process.platform === 'win32') return 'windows';
  return undefined;
}

const pathsFor = (p: Platform) => (p === 'windows' ? win32 : posix);

/** Thrown with a message for the technician; the command prints it and exits 2. */
export class ServiceSetupError extends Error {}

/**
 * An absolute path for the target platform. Relative paths resolve against the
 * working directory only when the target is this machine's own platform.
 */
export function absoluteFor(platform: Platform, path: string, io: Io, what: string): string {
  const p = pathsFor(platform);
  if (p.isAbsolute(path)) return p.normalize(path);
  if (platform === hostPlatform()) return p.resolve(io.cwd, path);
  throw new ServiceSetupError(
    `relay service: ${what} must be an absolute ${platform === 'windows' ? 'Windows' : 'Linux'} path, got ${JSON.stringify(path)}`,
  );
}

/**
 * The binary the service runs: --binary, else this very executable. From
 * source, process.execPath is bun itself, which would start a bare bun at boot.
 */
export function binaryFor(platform: Platform, explicit: string | undefined, io: Io): string {
  if (explicit) return absoluteFor(platform, explicit, io, '--binary');
  const exe = process.execPath;
  const name = exe.split(/[\\/]/).pop()?.toLowerCase() ?? '';
  if (platform !== hostPlatform() || name === 'bun' || name === 'bun.exe') {
    throw new ServiceSetupError(
      `relay service: pass --binary with the path of the relay binary (this is ${JSON.stringify(exe)}, not a compiled relay for ${platform})`,
    );
  }
  return exe;
}

/** --config, else ./relay.toml or $RELAY_CONFIG as `relay serve` finds it, else ./relay.toml. */
export function configFor(platform: Platform, explicit: string | undefined, io: Io): string {
  if (explicit) return absoluteFor(platform, explicit, io, '--config');
  return (
    resolveConfigPath(undefined, { cwd: io.cwd, env: io.env }) ?? absoluteFor(platform, 'relay.toml', io, 'the config')
  );
}

/**
 * KEY=VALUE lines as systemd's EnvironmentFile= reads them (systemd.exec(5)):
 * # and ; start comments, one pair of surrounding quotes is removed.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0]))
      value = value.slice(1, -1);
    env[m[1]!] = value;
  }
  return env;
}

export interface Checked {
  ok: boolean;
  problems: string[];
  /** Directories the relay writes outside the config's folder (a spool kept elsewhere). */
  extraWritable: string[];
}

/**
 * Loads the config as the service will: with the environment plus the
 * optional relay.env beside it. A service whose config is bad would only
 * restart forever, so install refuses it unless forced.
 */
export function checkConfig(config: string, io: Io, envFile?: string): Checked {
  if (!existsSync(config)) {
    return {
      ok: false,
      problems: [`config ${config}: no such file (write one with: relay init --config ${config})`],
      extraWritable: [],
    };
  }
  const fromFile = envFile && existsSync(envFile) ? parseEnvFile(readFileSync(envFile, 'utf8')) : {};
  const r = loadConfig(config, { ...io.env, ...fromFile });
  if (!r.ok) return { ok: false, problems: r.problems, extraWritable: [] };
  const extraWritable: string[] = [];
  const spool = r.config.spool.path;
  if (spool !== ':memory:') {
    const dir = dirname(spool);
    const rel = relative(dirname(config), dir);
    if (rel.startsWith('..') || isAbsolute(rel)) extraWritable.push(dir);
  }
  return { ok: true, problems: [], extraWritable };
}
