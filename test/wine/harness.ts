/**
 * Runs the Windows relay under Wine 10 in the Debian 13 chroot that
 * test/wine/setup.sh prepares (outside the repository, reused between runs).
 *
 * Every Wine command runs through `unshare --mount` + `chroot`: /proc and /dev
 * are mounted in a mount namespace of its own and vanish with it, so a test
 * that dies leaves nothing mounted. The chroot shares the host's network, so a
 * mock cloud on the host's loopback is reachable from the relay under Wine.
 * Each step execs the next (sh, chroot, env, Debian's `wine` script, Wine's
 * loader), so the PID a test holds is the Windows process itself: SIGINT to it
 * is what Ctrl-C in its console would be, SIGKILL ends it like Task Manager.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { libsqlAddonVersion } from '../../scripts/release.ts';
import { type RunningBinary, startBinary } from '../helpers/binary.ts';

const ROOT = join(import.meta.dir, '..', '..');
export const WINE_CACHE = process.env.RELAY_WINE_CACHE ?? '/var/cache/relay-wine';
export const CHROOT = join(WINE_CACHE, 'trixie');
/** The prefix's C: drive, seen from the host. */
export const DRIVE_C = join(CHROOT, 'root', '.wine', 'drive_c');
/** The prefix's B: drive (test/wine/setup.sh BDRIVE), seen from the host. */
const DRIVE_B = join(CHROOT, 'relay-b');

// Inside the chroot, nothing of the host's environment: its NODE_EXTRA_CA_CERTS,
// for one, names a file that is not there. WINEDEBUG=-all also silences the
// "wine32 is missing" hint of Debian's wrapper (a 64-bit prefix needs no wine32).
const INNER = `
r=$1; cwd=$2; shift 2
mount -t proc proc "$r/proc" && mount --rbind /dev "$r/dev" || exit 97
mkdir -p -m 700 "$r/tmp/xdg-root"
exec chroot "$r" /bin/sh -c 'cd "$1" || exit 96; shift; exec "$@"' sh "$cwd" /usr/bin/env -i \\
  PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 WINEPREFIX=/root/.wine WINEDEBUG=-all \\
  XDG_RUNTIME_DIR=/tmp/xdg-root "$@"`;

export const HOST_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
const UNSHARE = Bun.which('unshare', HOST_ENV) ?? 'unshare';

/** The argv that runs `argv` inside the chroot, in `cwd` (a path inside it), with `env` added. */
export function chrootArgv(argv: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): string[] {
  const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
  return [
    UNSHARE,
    '--mount',
    '--propagation',
    'private',
    '--',
    'sh',
    '-c',
    INNER,
    'sh',
    CHROOT,
    opts.cwd ?? '/',
    ...env,
    ...argv,
  ];
}

/**
 * Makes the chroot if it is not there yet (`make test` did it already through
 * `make wine`; a bare `bun test` gets it here), or says why it cannot be had.
 */
export function prepareWine(): { ok: true; ms: number } | { ok: false; why: string } {
  if (process.platform !== 'linux' || process.arch !== 'x64') return { ok: false, why: 'needs a Linux x64 host' };
  for (const cmd of ['unshare', 'chroot']) {
    if (!Bun.which(cmd, HOST_ENV)) return { ok: false, why: `no ${cmd} command on this host` };
  }
  const t0 = performance.now();
  const p = Bun.spawnSync(['bash', join(ROOT, 'test', 'wine', 'setup.sh')], {
    env: { ...HOST_ENV, RELAY_WINE_CACHE: WINE_CACHE },
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: 900_000,
  });
  if (p.exitCode === 0) return { ok: true, ms: performance.now() - t0 };
  const failed = join(WINE_CACHE, 'failed');
  const why = existsSync(failed) ? readFileSync(failed, 'utf8').trim() : p.stderr.toString().trim();
  return { ok: false, why: `the Wine chroot could not be made: ${why || `setup.sh exited with ${p.exitCode}`}` };
}

/**
 * Under Wine, Bun cannot unpack the embedded libSQL addon into %TEMP% (Wine
 * refuses the \Device\HarddiskVolumeN\... path Bun opens it under) and falls
 * back to loading it from B:\~BUN\root\<name>.node, the name the exe itself
 * records. Puts the addon there, so a Wine run tests everything but Bun's
 * %TEMP% unpacking. Returns the name.
 */
export function placeAddon(exe: string, addon: string): string {
  const name = /B:\/~BUN\/root\/([\w.-]+\.node)/.exec(readFileSync(exe).toString('latin1'))?.[1];
  if (!name) throw new Error(`${exe} names no B:/~BUN/root/*.node addon`);
  const dir = join(DRIVE_B, '~BUN', 'root');
  mkdirSync(dir, { recursive: true });
  cpSync(addon, join(dir, name));
  return name;
}

/** `C:\a\b` for a host path under DRIVE_C. */
export function winPath(hostPath: string): string {
  if (!hostPath.startsWith(`${DRIVE_C}/`)) throw new Error(`${hostPath} is not on the prefix's C: drive`);
  return `C:\\${hostPath.slice(DRIVE_C.length + 1).replaceAll('/', '\\')}`;
}

/** Where `winDir` (a path on C:) is inside the chroot, for a process's working directory. */
const chrootPath = (hostPath: string) => hostPath.slice(CHROOT.length) || '/';

export interface WineRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `wine EXE ARGS` to its end, without blocking this process (a mock cloud in
 * it must keep answering the relay meanwhile); SIGKILLed after `timeoutMs`.
 */
export async function runWine(
  exe: string,
  args: string[],
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<WineRun> {
  const proc = Bun.spawn(chrootArgv(['wine', exe, ...args], { cwd: opts.cwd ? chrootPath(opts.cwd) : '/' }), {
    env: HOST_ENV,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** `wine EXE serve ...`, waiting for its "relay started" line (helpers/binary.ts startBinary). */
export function startWine(exe: string, args: string[]): Promise<RunningBinary> {
  const [cmd, ...rest] = chrootArgv(['wine', exe, ...args]);
  return startBinary(cmd!, rest, { cwd: '/', env: HOST_ENV });
}

/**
 * One wineserver for the whole file (`-p`: it stays when the last Wine program
 * exits), so each command does not boot Wine's services again. It keeps its
 * stdout open for good, hence no pipe; and so do the services the first Wine
 * program starts (services.exe, explorer.exe, ...), which inherit that
 * program's stdout: a first program without one starts them, or a test's
 * pipe would never see its end. `stopWineserver` ends the server and every
 * Wine process of the prefix (all started by these tests).
 */
export async function startWineserver(): Promise<void> {
  const quiet = { env: HOST_ENV, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' } as const;
  await Bun.spawn(chrootArgv(['wineserver', '-p']), quiet).exited;
  await Bun.spawn(chrootArgv(['wine', 'cmd', '/c', 'exit']), quiet).exited;
}

export async function stopWineserver(): Promise<void> {
  await Bun.spawn(chrootArgv(['wineserver', '-k']), {
    env: HOST_ENV,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'ignore',
  }).exited;
}

/**
 * A folder on C: whose name has spaces, as `C:\ProgramData\EmiliaVision
 * Relay` has, with the exe copied in; removed by `remove`.
 */
export function wineSite(exe: string, label: string) {
  const top = join(DRIVE_C, 'ProgramData', `relay test ${label} ${process.pid}`);
  const dir = join(top, 'EmiliaVision Relay');
  rmSync(top, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(exe, join(dir, 'relay.exe'));
  return {
    dir,
    win: winPath(dir),
    exe: `${winPath(dir)}\\relay.exe`,
    remove: () => rmSync(top, { recursive: true, force: true }),
  };
}

/** The Windows build the Wine tests run (RELAY_WINE_EXE: another build, e.g. to show a fix failing without it). */
export const WINE_EXE = process.env.RELAY_WINE_EXE ?? join(ROOT, 'dist', 'relay-windows-x64.exe');
/** The win32 libSQL addon `make release` cached, put where Bun's fallback looks (placeAddon). */
export const WINE_ADDON = join(
  ROOT,
  '.release-cache',
  `@libsql+win32-x64-msvc@${libsqlAddonVersion('win32-x64-msvc')}`,
  'index.node',
);

/** Why the Wine tests cannot run here (no release build, no chroot), or undefined when they can. */
export function wineUnavailable(): string | undefined {
  for (const f of [WINE_EXE, WINE_ADDON]) if (!existsSync(f)) return `${f} is absent (run \`make release\` first)`;
  const wine = prepareWine();
  return wine.ok ? undefined : wine.why;
}
