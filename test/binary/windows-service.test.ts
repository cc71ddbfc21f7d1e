/**
 * The Windows service, run: `relay service install` registers
 * relay-service.exe (embedded in relay-windows-x64.exe) with Wine's Service
 * Control Manager, which starts it; it runs `relay serve --service`, restarts
 * it when it is killed, stops it gracefully on `sc stop`, and `relay service
 * uninstall` removes it. Wine's SCM runs own-process services only while a
 * persistent wineserver runs (harness.ts startWineserver), and "boot" is
 * Wine starting again: its services.exe starts the auto-start services.
 *
 * What Wine cannot show: the SCM's failure actions (`sc failure`: Wine ignores
 * them, so a dying relay-service.exe is not restarted here), LocalSystem's
 * rights, the Services console, a real reboot.
 */
import { afterAll, beforeAll, expect, it } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCleanup } from '../helpers/cleanup.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { ORDER_CREATED, post, TOKEN } from '../helpers/relay.ts';
import { describeUnless } from '../helpers/skip.ts';
import { waitFor } from '../helpers/wait.ts';
import {
  placeAddon,
  runWine,
  startWineserver,
  stopWineserver,
  WINE_ADDON,
  WINE_EXE,
  wineUnavailable,
} from '../wine/harness.ts';
import { initSite, jsonLines, type Site } from '../wine/site.ts';

const EXE = WINE_EXE;
const ADDON = WINE_ADDON;
const NAME = 'EmiliaVisionRelay';
const KEY = `HKLM\\System\\CurrentControlSet\\Services\\${NAME}`;

const skip = wineUnavailable();

const onCleanup = useCleanup();
let cloud: MockCloud;

const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
const serviceLog = (site: Site) => read(join(site.dir, 'relay-service.log'));
const relayLog = (site: Site) => jsonLines(read(join(site.dir, 'relay.log')).split('\n'));
/** The Windows PIDs relay-service.exe started the relay with, in order. */
const childPids = (site: Site) => [...serviceLog(site).matchAll(/started the relay \(pid (\d+)\)/g)].map((m) => m[1]!);

async function scState(): Promise<string> {
  const r = await runWine('sc', ['query', NAME]);
  return /STATE\s*:\s*\d+\s+(\w+)/.exec(r.stdout)?.[1] ?? `none (exit ${r.code})`;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

const body = (label: string) => ORDER_CREATED.replace('"Mesa 8"', `"Service ${label}"`);

/** Whatever a failed test left: its processes ended, the service deleted (the Wine prefix is kept between runs). */
async function removeService() {
  await runWine('taskkill', ['/F', '/IM', 'relay-service.exe']);
  await runWine('taskkill', ['/F', '/IM', 'relay.exe']);
  await runWine('sc', ['delete', NAME]);
}

async function install(site: Site, now: boolean) {
  const r = await runWine(site.exe, ['service', 'install', '--config', site.config, ...(now ? ['--now'] : [])]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  onCleanup(removeService);
  return r;
}

async function uninstall(site: Site) {
  const r = await runWine(site.exe, ['service', 'uninstall']);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(await scState()).toBe('none (exit 36)'); // 1060 ERROR_SERVICE_DOES_NOT_EXIST, in 8 bits
  expect(existsSync(join(site.dir, 'relay-service.exe'))).toBe(false);
  expect((await runWine('reg', ['query', KEY])).code).not.toBe(0);
  return r;
}

describeUnless(skip)('relay-windows-x64.exe as a Windows service under Wine 10', () => {
  beforeAll(async () => {
    placeAddon(EXE, ADDON);
    await startWineserver();
    await removeService();
    cloud = await startMockCloud();
  }, 60_000);
  afterAll(async () => {
    await cloud?.stop();
    await stopWineserver();
  });

  it('install --now: an auto-start service that answers; killed, it is back in seconds; sc stop lets the delivery in flight finish; uninstall removes it', async () => {
    const site = await initSite(EXE, 'service', cloud.url, onCleanup, [[/^file = ""$/m, 'file = "relay.log"']]);
    const installed = await install(site, true);
    expect(installed.stdout).toContain(`wrote ${site.win}\\relay-service.exe`);
    expect(installed.stdout).toContain(`> sc.exe create ${NAME} binPath=`);
    // What the SCM keeps: started at boot (2, SERVICE_AUTO_START), the wrapper on the relay's own command line.
    const reg = await runWine('reg', ['query', KEY]);
    expect(reg.stdout).toMatch(/Start\s+REG_DWORD\s+0x2\b/);
    expect(reg.stdout).toContain(`"${site.win}\\relay-service.exe" "${site.win}" "${site.win}\\relay.exe" serve`);
    expect(reg.stdout).toContain('EmiliaVision Relay');
    expect(await scState()).toBe('RUNNING');
    await waitFor(() => answers(site.url), 'the service answering', 20_000);
    expect((await post(site.url, TOKEN, body('a'))).status).toBe(200);
    await waitFor(() => cloud.stored.some((s) => s.text === body('a')), 'the first delivery', 20_000);

    // A crash: the relay killed outright (Task Manager's End task). relay-service.exe starts it again.
    const [first] = childPids(site);
    expect(first).toBeDefined();
    const kill = await runWine('taskkill', ['/F', '/PID', first!]);
    expect(kill.code, kill.stdout + kill.stderr).toBe(0);
    await waitFor(() => childPids(site).length === 2, 'a second relay started by the service', 20_000);
    expect(serviceLog(site)).toContain('the relay exited by itself');
    await waitFor(() => answers(site.url), 'the restarted relay answering', 20_000);
    expect(await scState()).toBe('RUNNING');

    // sc stop while a delivery is in flight: the cloud takes 1.5 s to answer it.
    let inFlight = false;
    cloud.handler = async (r) => {
      if (r.text !== body('slow')) return undefined;
      inFlight = true;
      await Bun.sleep(1500);
      return undefined;
    };
    onCleanup(() => {
      cloud.handler = undefined;
    });
    const slow = await post(site.url, TOKEN, body('slow'));
    expect(slow.status).toBe(200);
    const slowId = ((await slow.json()) as { event_id: string }).event_id;
    await waitFor(() => inFlight, 'the slow delivery reaching the cloud', 20_000);
    const stop = await runWine('sc', ['stop', NAME]);
    expect(stop.code, stop.stdout).toBe(0);
    await waitFor(async () => (await scState()) === 'STOPPED', 'the service stopped', 60_000);
    expect(serviceLog(site)).toContain('the relay stopped (exit code 0)');
    const log = relayLog(site);
    expect(log.find((l) => l.msg === 'stopping')?.signal).toBe('service stop (standard input closed)');
    expect(log.some((l) => l.msg === 'relay stopped')).toBe(true);
    // Delivered and recorded so: the spool, read by the CLI with the relay gone, says so.
    const events = await runWine(site.exe, [
      'events',
      'list',
      '--status',
      'delivered',
      '--json',
      '--config',
      site.config,
    ]);
    expect(events.code, events.stderr).toBe(0);
    expect((JSON.parse(events.stdout) as { events: { id: string }[] }).events.map((e) => e.id)).toContain(slowId);
    expect(cloud.stored.filter((s) => s.text === body('slow'))).toHaveLength(1);

    await uninstall(site);
  }, 180_000);

  it('install without --now: started when Wine boots again, and stopped by uninstall', async () => {
    const site = await initSite(EXE, 'boot', cloud.url, onCleanup, [[/^file = ""$/m, 'file = "relay.log"']]);
    const installed = await install(site, false);
    expect(installed.stdout).toContain(`start it now: sc.exe start ${NAME}`);
    expect(await scState()).toBe('STOPPED');
    expect(await answers(site.url)).toBe(false);

    // "Boot": every Wine process ends, then Wine starts again and its services.exe starts the auto-start ones.
    await stopWineserver();
    await startWineserver();
    await waitFor(() => answers(site.url), 'the service started at boot', 30_000);
    expect(await scState()).toBe('RUNNING');
    expect((await post(site.url, TOKEN, body('boot'))).status).toBe(200);
    await waitFor(() => cloud.stored.some((s) => s.text === body('boot')), 'the delivery', 20_000);

    const removed = await uninstall(site);
    expect(removed.stdout).toContain(`> sc.exe stop ${NAME}`);
    expect(serviceLog(site)).toContain('the relay stopped (exit code 0)');
    expect(await answers(site.url)).toBe(false);
  }, 180_000);
});
