import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fetchProxy, resolveProxy, showProxy } from '../../forward/index.ts';
import { type ReportedHealth, readHealth } from '../../health/index.ts';
import { readFormat } from '../../spool/index.ts';
import { type Command, type Io, loadConfigFor, parseCommandArgs, UsageError } from '../context.ts';
import { localRelayUrl, request } from '../lib/local.ts';
import { DEFAULT_SERVICE_NAME } from '../service/windows.ts';
import {
  type BuildInfo,
  healthVerdict,
  isSha256,
  parseSums,
  platformOf,
  platformWords,
  readBuildInfo,
  spoolProblem,
} from '../upgrade/checks.ts';
import {
  findSupervisor,
  runningFile,
  SUPERVISORS,
  type Supervisor,
  type SupervisorChoice,
} from '../upgrade/supervisor.ts';

const USAGE = `relay upgrade FILE|URL [options]
  Installs another relay binary in place of this one: checks it, swaps it in
  (the one replaced is kept as <binary>.previous), restarts the relay through
  its service and waits for it to answer; rolls back on its own when it does not.
options:
  --sha256 HEX        the file's SHA-256 (else the SHA256SUMS file beside FILE or URL must list it)
  --binary PATH       the installed relay to replace (default: this one)
  --config FILE       the running relay's config (default ./relay.toml, then $RELAY_CONFIG)
  --supervisor KIND   ${SUPERVISORS.join('|')} (default auto: the systemd unit or Windows service it runs under)
  --unit NAME         Linux: the systemd unit (default: found from the running relay)
  --name NAME         Windows: the service's name (default "${DEFAULT_SERVICE_NAME}")
  --wait SECONDS      how long the new relay has to answer /health before it is rolled back (default 60)`;

const DEFAULT_WAIT_S = 60;
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;
const VERSION_TIMEOUT_MS = 30_000;

/** Thrown with what the technician reads; nothing was changed when it is thrown before the swap. */
class Refused extends Error {}

const hostPlatform = () => `${process.platform}-${process.arch}`;

export const upgrade: Command = {
  name: 'upgrade',
  summary:
    'replace this relay with a newer binary (checked, swapped in, restarted, rolled back if it does not come up)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      'upgrade',
      args,
      {
        sha256: { type: 'string' },
        binary: { type: 'string' },
        supervisor: { type: 'string' },
        unit: { type: 'string' },
        name: { type: 'string' },
        wait: { type: 'string' },
      },
      true,
    );
    if (positionals.length !== 1) {
      throw new UsageError(`relay upgrade: expected one FILE or URL, got ${positionals.length}`);
    }
    const source = positionals[0]!;
    if (values.sha256 !== undefined && !isSha256(values.sha256)) {
      throw new UsageError(
        `relay upgrade: --sha256 must be 64 hexadecimal characters, got ${JSON.stringify(values.sha256)}`,
      );
    }
    const choice = (values.supervisor ?? 'auto') as SupervisorChoice;
    if (!SUPERVISORS.includes(choice)) {
      throw new UsageError(
        `relay upgrade: --supervisor must be one of ${SUPERVISORS.join(', ')}, got ${JSON.stringify(choice)}`,
      );
    }
    const waitS = values.wait === undefined ? DEFAULT_WAIT_S : Number(values.wait);
    if (!Number.isFinite(waitS) || waitS <= 0) {
      throw new UsageError(`relay upgrade: --wait must be a number of seconds > 0, got ${JSON.stringify(values.wait)}`);
    }
    const binary = targetBinary(values.binary, io);
    if (!binary) return 2;
    const loaded = loadConfigFor(values.config, io);
    if (!loaded) return 2;
    const { config } = loaded;

    // Beside the installed file (the swap is then a rename), with its extension: Windows runs only a .exe as one.
    const ext = extname(binary);
    const staged = join(dirname(binary), `.${basename(binary, ext)}.upgrade-${process.pid}${ext}`);
    let build: BuildInfo;
    try {
      build = await stage(source, staged, values.sha256, config, io);
      const format = readFormat(config.spool.path)?.format ?? null;
      const problem = spoolProblem(build, format);
      if (problem) throw new Refused(`${problem}; nothing was changed`);
      io.out(
        `✓ reads this spool: formats ${build.reads.from} to ${build.reads.to}` +
          (format === null ? ' (no spool yet)' : `, the spool has ${format}`),
      );
    } catch (e) {
      rmSync(staged, { force: true });
      if (e instanceof Refused) {
        io.err(`relay upgrade: ${e.message}`);
        return 1;
      }
      throw e;
    }

    // The swap: the installed file kept as .previous, the new one renamed over it (atomic on one file system).
    const previous = `${binary}.previous`;
    const supervisor = findSupervisor(choice, binary, values.name ?? DEFAULT_SERVICE_NAME, values.unit);
    const base = localRelayUrl(config);
    if (supervisor.kind !== 'none' && !base) {
      rmSync(staged, { force: true });
      io.err(
        'relay upgrade: server.port is 0 (a port chosen at start), so the restarted relay cannot be asked /health; ' +
          'set server.port, or pass --supervisor none and restart it yourself; nothing was changed',
      );
      return 1;
    }
    const oldPids = runningFile(binary);
    try {
      swapIn(binary, staged, previous);
    } catch (e) {
      rmSync(staged, { force: true });
      io.err(
        `relay upgrade: cannot replace ${binary}: ${(e as Error).message} (run it as the account that installed the relay, e.g. with sudo or as Administrator)`,
      );
      return 1;
    }
    io.out(
      `✓ swapped in: ${binary} is relay ${build.version} (commit ${build.commit}); the one it replaced is ${previous}`,
    );

    if (supervisor.kind === 'none') {
      io.out(
        `! the relay does not run under a service this command can restart (no systemd unit or Windows service found; ` +
          `--supervisor names another). The new binary runs from its next start: restart the relay now. ` +
          `To go back: ${process.platform === 'win32' ? 'move' : 'mv'} "${previous}" "${binary}".`,
      );
      return 0;
    }

    const outcome = await restartAndWait(supervisor, base, build.version, oldPids, binary, waitS * 1000, io);
    if (outcome.ok) {
      io.out(`✓ ${outcome.detail}`);
      io.out(
        `relay upgraded to ${build.version} (commit ${build.commit}); to go back: relay upgrade "${previous}" --sha256 ${sha256(previous)}`,
      );
      return 0;
    }

    // Rolled back: the previous binary renamed in again, restarted, and checked the same way.
    io.err(`✗ the new relay did not come up within ${waitS} s: ${outcome.detail}`);
    const failed = `${binary}.failed`;
    rollBack(binary, previous, failed);
    io.err(`↩ rolled back: ${binary} is the previous relay again (the new one is kept as ${failed})`);
    const back = await restartAndWait(supervisor, base, null, runningFile(binary), binary, waitS * 1000, io);
    io.err(
      back.ok
        ? `↩ the previous relay runs again: ${back.detail}`
        : `✗ the previous relay did not come back either: ${back.detail}`,
    );
    return 1;
  },
};

/** --binary, else this executable; from source that would be bun itself, which is no relay to replace. */
function targetBinary(explicit: string | undefined, io: Io): string | undefined {
  const path = explicit ? resolve(io.cwd, explicit) : process.execPath;
  const name = basename(path).toLowerCase();
  if (!explicit && (name === 'bun' || name === 'bun.exe')) {
    io.err(
      `relay upgrade: pass --binary with the installed relay's path (this is ${JSON.stringify(path)}, not a compiled relay)`,
    );
    return undefined;
  }
  if (!existsSync(path)) {
    io.err(`relay upgrade: --binary ${path}: no such file`);
    return undefined;
  }
  return path;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * The new file copied (or downloaded) to `staged`, beside the installed one
 * so the swap is a rename; checked: its checksum, its platform, and that it
 * runs and says it is a relay. Throws Refused naming the first check that fails.
 */
async function stage(
  source: string,
  staged: string,
  expected: string | undefined,
  config: { cloud: { proxy: string } },
  io: Io,
): Promise<BuildInfo> {
  const isUrl = /^https?:\/\//i.test(source);
  let sumsText: string | null = null;
  const name = isUrl ? basename(new URL(source).pathname) : basename(source);
  if (isUrl) {
    const route = resolveProxy(source, config.cloud.proxy, io.env);
    const r = await fetchTo(source, staged, route);
    if (r) throw new Refused(`download of ${source} failed: ${r}`);
    if (!expected) {
      const sumsUrl = new URL('SHA256SUMS', source).toString();
      const s = await request(sumsUrl, { timeoutMs: 30_000, proxy: route });
      if (s.ok && s.status === 200) sumsText = s.text;
    }
  } else {
    const file = resolve(io.cwd, source);
    if (!existsSync(file)) throw new Refused(`${file}: no such file`);
    copyFileSync(file, staged);
    const sums = join(dirname(file), 'SHA256SUMS');
    if (!expected && existsSync(sums)) sumsText = readFileSync(sums, 'utf8');
  }

  const actual = sha256(staged);
  let want = expected?.toLowerCase();
  let from = '--sha256';
  if (!want) {
    if (sumsText === null) {
      throw new Refused(
        `no checksum for ${name}: pass --sha256 HEX, or keep the release's SHA256SUMS beside it; nothing was changed`,
      );
    }
    want = parseSums(sumsText).get(name);
    from = 'SHA256SUMS';
    if (!want) throw new Refused(`SHA256SUMS beside ${name} does not list it; nothing was changed`);
  }
  if (actual !== want) {
    throw new Refused(
      `checksum mismatch for ${name}: its SHA-256 is ${actual}, ${from} says ${want} (a damaged or different file); nothing was changed`,
    );
  }
  io.out(`✓ checksum: SHA-256 ${actual} matches ${from}`);

  const head = Buffer.alloc(4096);
  const fd = openSync(staged, 'r');
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const kind = platformOf(head.subarray(0, n));
  if ('not' in kind) throw new Refused(`${name} is not a relay binary: ${kind.not}; nothing was changed`);
  if (kind.platform !== hostPlatform()) {
    throw new Refused(
      `${name} is for ${platformWords(kind.platform)} and this machine is ${platformWords(hostPlatform())}; nothing was changed`,
    );
  }
  if (process.platform !== 'win32') chmodSync(staged, 0o755);

  const p = Bun.spawn([staged, 'version', '--json'], { stdout: 'pipe', stderr: 'pipe', stdin: 'ignore', env: io.env });
  const timer = setTimeout(() => p.kill('SIGKILL'), VERSION_TIMEOUT_MS);
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  clearTimeout(timer);
  if (code !== 0) {
    throw new Refused(
      `${name} does not run here ("version --json" exited with ${code}${err.trim() ? `: ${err.trim().split('\n')[0]}` : ''}); nothing was changed`,
    );
  }
  const build = readBuildInfo(out);
  if ('not' in build)
    throw new Refused(`${name} is not a relay this command can install: ${build.not}; nothing was changed`);
  io.out(`✓ relay ${build.version} (commit ${build.commit}) for ${platformWords(kind.platform)}, runs here`);
  return build;
}

/** Downloads `url` into `to` through the proxy the cloud's requests take; an error sentence, or null. */
async function fetchTo(url: string, to: string, route: ReturnType<typeof resolveProxy>): Promise<string | null> {
  try {
    const res = await fetch(url, { proxy: fetchProxy(route.url), signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    if (res.status !== 200) return `HTTP ${res.status} ${res.statusText}`;
    writeFileSync(to, new Uint8Array(await res.arrayBuffer()));
    return null;
  } catch (e) {
    return route.url
      ? `${(e as Error).message} (through the proxy ${showProxy(route.url)}, ${route.from})`
      : (e as Error).message;
  }
}

/**
 * Linux: the installed file copied to .previous, then the new one renamed
 * over it: the path always holds a whole relay. Windows: a running .exe
 * cannot be replaced but can be renamed, so the installed one is renamed
 * aside to .previous and the new one into its place.
 */
function swapIn(binary: string, staged: string, previous: string): void {
  if (process.platform === 'win32') {
    rmSync(previous, { force: true });
    renameSync(binary, previous);
    renameSync(staged, binary);
    return;
  }
  const copy = `${staged}.previous`;
  copyFileSync(binary, copy);
  renameSync(copy, previous);
  renameSync(staged, binary);
}

/** The new file kept as .failed, the previous one in place again (Windows: renamed; Linux: copied, then renamed over). */
function rollBack(binary: string, previous: string, failed: string): void {
  rmSync(failed, { force: true });
  if (process.platform === 'win32') {
    renameSync(binary, failed);
    copyFileSync(previous, binary);
    return;
  }
  copyFileSync(binary, failed);
  const copy = `${binary}.rollback-${process.pid}`;
  copyFileSync(previous, copy);
  renameSync(copy, binary);
}

/**
 * Restarts through the supervisor, then waits for a relay running the file
 * now at `binary` to answer /health (version `version` when given) with its
 * spool open and its lanes moving.
 */
async function restartAndWait(
  supervisor: Supervisor,
  base: string | undefined,
  version: string | null,
  oldPids: number[],
  binary: string,
  waitMs: number,
  io: Io,
): Promise<{ ok: boolean; detail: string }> {
  try {
    await supervisor.restart();
  } catch (e) {
    return { ok: false, detail: `restarting through ${supervisor.name} failed: ${(e as Error).message}` };
  }
  io.out(`… restarted through ${supervisor.name}; waiting up to ${Math.round(waitMs / 1000)} s for /health`);
  if (!base) {
    return { ok: false, detail: 'server.port is 0 (chosen at start): there is no fixed address to ask /health' };
  }
  const end = Date.now() + waitMs;
  let last = 'no answer yet';
  const restartedAt = Date.now();
  while (Date.now() < end) {
    const r = await request(`${base}/health`, { timeoutMs: 2000, insecureTls: true });
    const running = runningFile(binary).filter((pid) => !oldPids.includes(pid));
    if (!r.ok) last = `/health: ${r.error}`;
    else {
      let h: ReportedHealth | undefined;
      try {
        h = readHealth(JSON.parse(r.text));
      } catch {
        h = undefined;
      }
      const verdict = h
        ? healthVerdict(h, version, restartedAt)
        : `something answered ${r.status}, but not the relay's /health`;
      // On Linux the answer must come from a process running the new file, not one still stopping
      // (when this account can see the relay's processes at all: it saw the old ones).
      const fresh = process.platform !== 'linux' || oldPids.length === 0 || running.length > 0;
      if (verdict === null && fresh) {
        return {
          ok: true,
          detail: `${base}/health answers ${h!.status} from relay ${h!.version ?? '?'}: spool open (${h!.spool?.pending ?? 0} waiting), deliveries moving`,
        };
      }
      last = verdict ?? 'the answer came from the relay that was stopping';
    }
    await Bun.sleep(500);
  }
  return { ok: false, detail: last };
}
