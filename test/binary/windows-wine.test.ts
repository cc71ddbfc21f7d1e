/**
 * The Windows relay, run: dist/relay-windows-x64.exe under Wine 10 in the
 * Debian 13 chroot of test/wine/setup.sh (made by `make wine`, else here).
 * Skips, saying why, only where that chroot cannot be made (no root, no
 * route to Debian's mirror) or `make release` has not run.
 *
 * What a Wine run does not test: Bun's unpacking of the libSQL addon into
 * %TEMP% (Wine cannot; the addon is put where Bun's fallback looks, see
 * test/wine/harness.ts placeAddon), Windows' own file locking. The service: windows-service.test.ts.
 *
 * RELAY_WINE_EXE=/path/to/relay.exe runs the same checks on another build
 * (how a wrong worker path in the Windows build was shown to fail here).
 */
import { afterAll, beforeAll, expect, it } from 'bun:test';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { avx2FromCpuinfo } from '../../src/cli/lib/cpu.ts';
import { LOG_FILE_MAX_BYTES } from '../../src/lib/log.ts';
import { type RunningBinary, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { freePort } from '../helpers/ports.ts';
import { ORDER_CREATED, post, TOKEN } from '../helpers/relay.ts';
import { describeUnless, itUnless } from '../helpers/skip.ts';
import { waitFor } from '../helpers/wait.ts';
import {
  chrootArgv,
  HOST_ENV,
  placeAddon,
  runWine,
  startWine,
  startWineserver,
  stopWineserver,
  WINE_ADDON,
  WINE_EXE,
  wineSite,
  wineUnavailable,
} from '../wine/harness.ts';
import { initSite as initSiteIn, jsonLines } from '../wine/site.ts';

const ROOT = join(import.meta.dir, '..', '..');
const EXE = WINE_EXE;
const BASELINE = join(ROOT, 'dist', 'relay-windows-x64-baseline.exe');
const ADDON = WINE_ADDON;
const VERSION_LINE = new RegExp(`^relay ${pkg.version.replace(/\./g, '\\.')} \\(commit [0-9a-f]{12}(-dirty)?\\)$`);

const skip = wineUnavailable();

const onCleanup = useCleanup();
let cloud: MockCloud;

const logOf = (r: RunningBinary) => jsonLines(r.lines);
const said = (r: RunningBinary, msg: string) => logOf(r).some((l) => l.msg === msg);
const initSite = (label: string, edits?: [RegExp, string][]) => initSiteIn(EXE, label, cloud.url, onCleanup, edits);

async function serve(site: { exe: string; config: string }): Promise<RunningBinary> {
  const r = await startWine(site.exe, ['serve', '--config', site.config]);
  onCleanup(() => stopBinary(r));
  return r;
}

const body = (n: number) => ORDER_CREATED.replace('"Mesa 8"', `"Wine ${n}"`);

describeUnless(skip)('relay-windows-x64.exe under Wine 10', () => {
  beforeAll(async () => {
    placeAddon(EXE, ADDON);
    if (existsSync(BASELINE)) placeAddon(BASELINE, ADDON);
    await startWineserver();
    cloud = await startMockCloud();
  }, 60_000);
  afterAll(async () => {
    await cloud?.stop();
    await stopWineserver();
  });

  const hostAvx2 = avx2FromCpuinfo(existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '');
  for (const [name, exe, flavor] of [
    ['relay-windows-x64.exe', EXE, ''],
    ['relay-windows-x64-baseline.exe', BASELINE, ' baseline'],
  ] as const) {
    itUnless(!existsSync(exe) && `${exe} is absent (run \`make release\` first)`)(
      `${name} prints its version, its build, and AVX2 as Windows reports it`,
      async () => {
        const site = wineSite(exe, `version${flavor}`);
        onCleanup(site.remove);
        const r = await runWine(site.exe, ['version']);
        expect(r.code, r.stderr).toBe(0);
        const [first, build] = r.stdout.trim().split(/\r?\n/);
        expect(first).toMatch(VERSION_LINE);
        // IsProcessorFeaturePresent through bun:ffi: Wine answers from the CPU's own CPUID, as Linux does in /proc/cpuinfo.
        expect(build).toStartWith(`build: windows-x64${flavor}`);
        expect(build).toContain(hostAvx2 === 'yes' ? 'this CPU has AVX2' : 'this CPU does not report AVX2');
      },
      60_000,
    );
  }

  it('init, check, serve from a folder with spaces: 200s, forwarded, background thread, status, events, Ctrl-C', async () => {
    const site = await initSite('serve');
    const check = await runWine(site.exe, ['check', '--config', site.config]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain(`spool ${site.win}\\data\\relay.db`);

    const relay = await serve(site);
    expect(relay.url).toBe(site.url);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post(relay.url, TOKEN, body(i), { env: i % 2 ? 'dev' : undefined });
      expect(res.status).toBe(200);
      ids.push(((await res.json()) as { event_id: string }).event_id);
    }
    await waitFor(() => cloud.stored.filter((s) => s.text.includes('"Wine ')).length === 5, 'five deliveries', 20_000);
    const got = cloud.stored.filter((s) => s.text.includes('"Wine '));
    expect(got.map((s) => s.text)).toEqual([0, 1, 2, 3, 4].map(body));
    expect(got.map((s) => s.headers['idempotency-key'])).toEqual(ids);
    expect(got.map((s) => s.query)).toEqual(['', '?env=dev', '', '?env=dev', '']);

    // The spool's background thread (integrity read, checkpoints) started: on Windows
    // its script's path is percent-encoded (%7EBUN), which once kept it from starting.
    const stopped = () => relay.lines.some((l) => l.includes('spool background thread stopped'));
    await waitFor(
      () => said(relay, 'spool read in full: no damaged page') || stopped(),
      'the background integrity read',
      20_000,
    );
    const thread = relay.lines.filter((l) => /background|ModuleNotFound|read in full/.test(l)).join('\n');
    expect(stopped(), thread).toBe(false);
    expect(thread).not.toContain('ModuleNotFound');
    // Its checkpoints copy the log into the database file itself within about a second.
    await waitFor(() => readFileSync(site.spool).includes('"Wine 4"'), 'a checkpoint into relay.db', 20_000);

    const status = await runWine(site.exe, ['status', '--config', site.config]);
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toContain(site.url);
    const list = await runWine(site.exe, [
      'events',
      'list',
      '--status',
      'delivered',
      '--json',
      '--config',
      site.config,
    ]);
    expect(list.code, list.stderr).toBe(0);
    const listed = (JSON.parse(list.stdout) as { events: { id: string }[] }).events.map((e) => e.id);
    expect(listed.sort()).toEqual([...ids].sort());

    // Ctrl-C: SIGINT to the Windows process is the console's CTRL_C_EVENT under Wine.
    relay.proc.kill('SIGINT');
    expect(await relay.exited).toBe(0);
    expect(logOf(relay).find((l) => l.msg === 'stopping')?.signal).toBe('SIGINT');
    expect(said(relay, 'relay stopped')).toBe(true);
  }, 120_000);

  it('killed with events pending, starts again on the same spool (its lock released) and delivers them', async () => {
    const site = await initSite('kill');
    cloud.always({ kind: 'status', status: 503 });
    onCleanup(() => cloud.always({ kind: 'ok' }));
    const first = await serve(site);
    const ids: string[] = [];
    for (let i = 10; i < 13; i++) {
      const res = await post(first.url, TOKEN, body(i));
      expect(res.status).toBe(200);
      ids.push(((await res.json()) as { event_id: string }).event_id);
    }
    first.proc.kill('SIGKILL');
    await first.exited;
    expect(cloud.stored.filter((s) => ids.includes(s.headers['idempotency-key'] ?? ''))).toEqual([]);

    cloud.always({ kind: 'ok' });
    const second = await serve(site);
    expect(logOf(second).find((l) => l.msg === 'relay started')?.pending).toBe(3);
    await waitFor(
      () => ids.every((id) => cloud.stored.some((s) => s.headers['idempotency-key'] === id)),
      'the three events after the restart',
      20_000,
    );
    const delivered = cloud.stored.filter((s) => ids.includes(s.headers['idempotency-key'] ?? ''));
    expect(delivered.map((s) => s.text)).toEqual([10, 11, 12].map(body));
    second.proc.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 120_000);

  it('writes its log to a file beside the config ([log] file), rotated past 10 MB', async () => {
    const site = await initSite('log', [[/^file = ""$/m, 'file = "relay.log"']]);
    const log = join(site.dir, 'relay.log');
    // A log already at the limit, as months of running leave it: the next start rotates it.
    const old = `${'{"msg":"an old line"}\n'.repeat(Math.ceil(LOG_FILE_MAX_BYTES / 21))}`;
    writeFileSync(log, old);
    // Nothing on stdout now: the file is the only place to see it start.
    const proc = Bun.spawn(chrootArgv(['wine', site.exe, 'serve', '--config', site.config]), {
      env: HOST_ENV,
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'ignore',
    });
    onCleanup(() => proc.kill('SIGKILL'));
    const text = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
    await waitFor(() => text().includes('"relay started"'), 'relay started in relay.log', 20_000);
    expect(readFileSync(`${log}.1`, 'utf8')).toBe(old);
    expect(text()).toContain('"log file rotated"');
    expect(text()).not.toContain('an old line');
    expect((await post(site.url, TOKEN, body(20))).status).toBe(200);
    await waitFor(() => cloud.stored.some((s) => s.text === body(20)), 'the delivery', 20_000);
    proc.kill('SIGINT');
    expect(await proc.exited).toBe(0);
    expect(text()).toContain('"relay stopped"');
    expect(text()).toContain('spool read in full: no damaged page');
  }, 60_000);

  it('refuses a second relay on the same spool while the first runs, naming the first', async () => {
    const site = await initSite('lock');
    const first = await serve(site);
    // The same config, another port: only the spool is shared.
    const second = join(site.dir, 'second.toml');
    writeFileSync(
      second,
      readFileSync(join(site.dir, 'relay.toml'), 'utf8').replace(/^port = \d+$/m, `port = ${freePort()}`),
    );
    const r = await runWine(site.exe, ['serve', '--config', `${site.win}\\second.toml`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is in use by another relay');
    expect((await post(first.url, TOKEN, body(30))).status).toBe(200);
    first.proc.kill('SIGINT');
    expect(await first.exited).toBe(0);
  }, 60_000);
});
