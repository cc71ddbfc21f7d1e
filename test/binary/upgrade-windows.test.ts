/**
 * `relay upgrade` on Windows, under Wine 10's Service Control Manager: the
 * relay runs as the service `relay service install` registers (its wrapper,
 * relay-service.exe, runs relay.exe); upgrade finds that service, renames the
 * running relay.exe aside as relay.exe.previous, puts the new one in its
 * place, restarts the service with sc.exe stop and start and waits for
 * /health. The builds are this source for Windows x64 with two commits, made
 * from `make release`'s cached Windows runtime and libSQL addon.
 */
import { afterAll, beforeAll, expect, it } from 'bun:test';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { buildRelay } from '../../scripts/build.ts';
import { RELEASE_TARGETS, runtimePath } from '../../scripts/release.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { ORDER_CREATED, post, TOKEN, tempDir } from '../helpers/relay.ts';
import { describeUnless } from '../helpers/skip.ts';
import { waitFor } from '../helpers/wait.ts';
import {
  placeAddon,
  runWine,
  startWineserver,
  stopWineserver,
  WINE_ADDON,
  wineSite,
  wineUnavailable,
} from '../wine/harness.ts';
import { initSite } from '../wine/site.ts';

const CACHE = join(import.meta.dir, '..', '..', '.release-cache');
const WINDOWS = RELEASE_TARGETS.find((t) => t.target === 'bun-windows-x64')!;
/** Its own name, so the Windows service tests' service is never touched. */
const NAME = 'RelayUpgradeTest';

const skip = wineUnavailable() ?? (existsSync(CACHE) ? undefined : `${CACHE} is absent (run \`make release\` first)`);

const onCleanup = useCleanup();
const builds = tempDir('relay-upgrade-win-');
let cloud: MockCloud;
let installed: string;
let next: string;
/** A Windows program whose `version --json` is a relay's and that exits 1 at `serve`. */
let exitsAtStart: string;

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

async function removeService() {
  await runWine('sc', ['stop', NAME]);
  await runWine('taskkill', ['/F', '/IM', 'relay-service.exe']);
  await runWine('sc', ['delete', NAME]);
}

/** `relay version --json` of a build not yet on C: (a copy there, run, removed). */
async function runWineVersion(exe: string) {
  const site = wineSite(exe, 'version');
  try {
    return await runWine(site.exe, ['version', '--json']);
  } finally {
    site.remove();
  }
}

describeUnless(skip)('relay upgrade of the Windows service under Wine 10', () => {
  beforeAll(async () => {
    const build = (commit: string) => {
      const outfile = join(builds.dir, commit, 'relay.exe');
      mkdirSync(join(builds.dir, commit), { recursive: true });
      return buildRelay({
        target: WINDOWS.target,
        outfile,
        commit,
        executablePath: runtimePath(CACHE, WINDOWS),
        addon: WINE_ADDON,
      }).then(() => outfile);
    };
    installed = await build('win-installed');
    next = await build('win-next');
    const v = JSON.parse((await runWineVersion(installed)).stdout);
    const src = join(builds.dir, 'exits.ts');
    writeFileSync(
      src,
      `const info = ${JSON.stringify(JSON.stringify({ ...v, commit: 'exits-at-start' }))};
if (process.argv.includes('version')) { console.log(info); process.exit(0); }
console.error('relay: this build cannot start'); process.exit(1);
`,
    );
    exitsAtStart = join(builds.dir, 'exits', 'relay.exe');
    const r = await Bun.build({
      entrypoints: [src],
      compile: {
        target: 'bun-windows-x64',
        outfile: exitsAtStart,
        executablePath: runtimePath(CACHE, WINDOWS),
      } as Bun.CompileBuildOptions,
    });
    if (!r.success) throw new Error(r.logs.map(String).join('\n'));
    placeAddon(installed, WINE_ADDON);
    await startWineserver();
    await removeService();
    cloud = await startMockCloud();
  }, 180_000);
  afterAll(async () => {
    await removeService();
    await cloud?.stop();
    await stopWineserver();
    builds.cleanup();
  });

  it('finds the service, swaps the running relay.exe aside, restarts through sc.exe and waits for /health', async () => {
    const site = await initSite(installed, 'upgrade', cloud.url, onCleanup);
    const install = await runWine(site.exe, ['service', 'install', '--config', site.config, '--name', NAME, '--now']);
    expect(install.code, install.stdout + install.stderr).toBe(0);
    onCleanup(removeService);
    await waitFor(() => answers(site.url), 'the service answering', 30_000);
    const before = sha(join(site.dir, 'relay.exe'));

    // The new file on C:, beside nothing: its checksum given on the command line.
    const dl = join(site.dir, '..', 'download');
    mkdirSync(dl, { recursive: true });
    cpSync(next, join(dl, 'relay.exe'));
    const r = await runWine(
      site.exe,
      [
        'upgrade',
        `${site.win}\\..\\download\\relay.exe`,
        '--sha256',
        sha(next),
        '--config',
        site.config,
        '--name',
        NAME,
        '--wait',
        '90',
      ],
      { timeoutMs: 180_000 },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`✓ relay ${pkg.version} (commit win-next) for Windows x64, runs here`);
    expect(r.stdout).toContain(`restarted through Windows service ${NAME}`);
    expect(r.stdout).toContain(`relay upgraded to ${pkg.version} (commit win-next)`);
    expect(sha(join(site.dir, 'relay.exe'))).toBe(sha(next));
    expect(sha(join(site.dir, 'relay.exe.previous'))).toBe(before);
    const v = await runWine(site.exe, ['version', '--json']);
    expect(JSON.parse(v.stdout).commit).toBe('win-next');
    const stored = cloud.stored.length;
    expect((await post(site.url, TOKEN, ORDER_CREATED)).status).toBe(200);
    await waitFor(() => cloud.stored.length > stored, 'a delivery by the new relay', 30_000);
  }, 300_000);

  it('a new build that exits at start is rolled back: the previous relay.exe in place again and the service running it', async () => {
    const site = await initSite(installed, 'rollback', cloud.url, onCleanup);
    const install = await runWine(site.exe, ['service', 'install', '--config', site.config, '--name', NAME, '--now']);
    expect(install.code, install.stdout + install.stderr).toBe(0);
    onCleanup(removeService);
    await waitFor(() => answers(site.url), 'the service answering', 30_000);
    const before = sha(join(site.dir, 'relay.exe'));
    const dl = join(site.dir, '..', 'download');
    mkdirSync(dl, { recursive: true });
    cpSync(exitsAtStart, join(dl, 'relay.exe'));
    const r = await runWine(
      site.exe,
      [
        'upgrade',
        `${site.win}\\..\\download\\relay.exe`,
        '--sha256',
        sha(exitsAtStart),
        '--config',
        site.config,
        '--name',
        NAME,
        '--wait',
        '20',
      ],
      { timeoutMs: 240_000 },
    );
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain('✗ the new relay did not come up within 20 s');
    expect(r.stderr).toContain(`↩ rolled back: ${site.win}\\relay.exe is the previous relay again`);
    expect(r.stderr).toMatch(/↩ the previous relay runs again: http:\/\/127\.0\.0\.1:\d+\/health answers ok/);
    expect(sha(join(site.dir, 'relay.exe'))).toBe(before);
    expect(sha(join(site.dir, 'relay.exe.failed'))).toBe(sha(exitsAtStart));
    const stored = cloud.stored.length;
    expect((await post(site.url, TOKEN, ORDER_CREATED)).status).toBe(200);
    await waitFor(() => cloud.stored.length > stored, 'a delivery by the previous relay', 30_000);
  }, 300_000);
});
