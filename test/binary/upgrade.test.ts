/**
 * `relay upgrade` on the compiled binaries. The relay runs under a loop that
 * starts it again when it exits (helpers/supervisor.ts): it stands in for
 * systemd's Restart=always, which cannot be driven here (no systemd as PID 1
 * in this container), and is what --supervisor restart-on-exit restarts
 * through. The new builds are real: this source built again with another
 * commit, and a compiled program that says it is a relay and exits at start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRelay } from '../../scripts/build.ts';
import { ensureBinary, installSite } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { runCli } from '../helpers/cli.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { freePort } from '../helpers/ports.ts';
import { post, TOKEN, tempDir } from '../helpers/relay.ts';
import { relayToml } from '../helpers/reliability.ts';
import { itUnless } from '../helpers/skip.ts';
import { supervise } from '../helpers/supervisor.ts';
import { NO_TINYPROXY, startTinyproxy, TINYPROXY } from '../helpers/tinyproxy.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();
const builds = tempDir('relay-upgrade-builds-');
let cloud: MockCloud;
/** This source, built again as commit "upgrade-test". */
let good: string;
/** A compiled program whose `version --json` is a relay's and that exits 1 at `serve`. */
let exitsAtStart: string;
let shipped: { version: string; commit: string; spool_format: unknown };

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(async () => {
  cloud = await startMockCloud();
  const installed = await ensureBinary();
  const v = Bun.spawnSync([installed, 'version', '--json']);
  shipped = JSON.parse(v.stdout.toString());
  good = join(builds.dir, 'release', 'relay-linux-x64');
  await buildRelay({ target: 'bun-linux-x64', outfile: good, commit: 'upgrade-test' });
  // As scripts/release.ts writes it.
  writeFileSync(join(builds.dir, 'release', 'SHA256SUMS'), `${sha(good)}  relay-linux-x64\n`);

  const src = join(builds.dir, 'exits.ts');
  writeFileSync(
    src,
    `const info = ${JSON.stringify(JSON.stringify({ ...shipped, commit: 'exits-at-start' }))};
if (process.argv.includes('version')) { console.log(info); process.exit(0); }
console.error('relay: this build cannot start'); process.exit(1);
`,
  );
  exitsAtStart = join(builds.dir, 'relay-exits');
  const r = await Bun.build({ entrypoints: [src], compile: { outfile: exitsAtStart } });
  if (!r.success) throw new Error(r.logs.map(String).join('\n'));
}, 180_000);

afterAll(async () => {
  await cloud.stop();
  builds.cleanup();
});

/** A site with a fixed port (upgrade asks its /health there), run under the supervisor loop. */
async function supervisedSite() {
  const port = freePort();
  const { dir, bin, spool } = await installSite(
    onCleanup,
    relayToml({ cloudUrl: cloud.url, port, config: { server: { host: '127.0.0.1' } } }),
    'relay-upgrade-',
  );
  const url = `http://127.0.0.1:${port}`;
  const sup = supervise(onCleanup, bin, dir);
  await waitFor(async () => (await fetch(`${url}/health`).catch(() => null))?.ok === true, 'the relay up', 30_000);
  return { dir, bin, spool, url, sup };
}

/** The release folder served over HTTP, as a download link would be. */
function serveRelease(): string {
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: (req) => {
      const f = join(builds.dir, 'release', new URL(req.url).pathname.split('/').pop()!);
      return existsSync(f) ? new Response(Bun.file(f)) : new Response('no', { status: 404 });
    },
  });
  onCleanup(() => server.stop(true));
  return `http://127.0.0.1:${server.port}/v2`;
}

const commitOf = (bin: string) => JSON.parse(Bun.spawnSync([bin, 'version', '--json']).stdout.toString()).commit;

/** Posts an event and waits for the mock cloud to have it: deliveries run. */
async function delivers(url: string, n: number): Promise<void> {
  const before = cloud.stored.length;
  const body = JSON.stringify({ event: 'order_created', timestamp: '2026-01-01T12:00:00Z', n });
  expect((await post(url, TOKEN, body)).status).toBe(200);
  await waitFor(() => cloud.stored.length > before, 'the event delivered', 30_000);
}

describe('relay upgrade', () => {
  it('a good build from a URL with SHA256SUMS beside it: checked, swapped in, restarted, answering, delivering', async () => {
    const site = await supervisedSite();
    await delivers(site.url, 1);
    const before = sha(site.bin);
    const release = serveRelease();
    const r = await runCli(
      site.bin,
      ['upgrade', `${release}/relay-linux-x64`, '--supervisor', 'restart-on-exit', '--wait', '90'],
      { cwd: site.dir },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`✓ checksum: SHA-256 ${sha(good)} matches SHA256SUMS`);
    expect(r.stdout).toContain(`✓ relay ${shipped.version} (commit upgrade-test) for Linux x64, runs here`);
    expect(r.stdout).toMatch(/✓ reads this spool: formats 1 to \d+, the spool has \d+/);
    expect(r.stdout).toContain(`relay upgraded to ${shipped.version} (commit upgrade-test)`);
    // The swap: the new file in place, the old one kept beside it, and the new one is what runs.
    expect(sha(site.bin)).toBe(sha(good));
    expect(sha(`${site.bin}.previous`)).toBe(before);
    expect(commitOf(site.bin)).toBe('upgrade-test');
    expect(site.sup.exits()).toBe(1);
    await delivers(site.url, 2);
  }, 240_000);

  itUnless(!TINYPROXY && NO_TINYPROXY)(
    'a URL is fetched through the proxy the config names for the cloud',
    async () => {
      const dir = onCleanup.tempDir('relay-upgrade-proxy-');
      const proxy = await startTinyproxy({ dir });
      onCleanup(() => proxy.stop());
      const site = await installSite(
        onCleanup,
        relayToml({ cloudUrl: cloud.url, config: { cloud: { proxy: proxy.url } } }),
        'relay-upgrade-',
      );
      const release = serveRelease();
      // Not under a service (none found: no systemd here, and this relay is not running): the swap is
      // made and the technician told to restart.
      const r = await runCli(site.bin, ['upgrade', `${release}/relay-linux-x64`], { cwd: site.dir });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(await proxy.settledRequests()).toEqual([
        `GET ${release}/relay-linux-x64 HTTP/1.1`,
        `GET ${release}/SHA256SUMS HTTP/1.1`,
      ]);
      expect(r.stdout).toContain(
        `! the relay does not run under a service this command can restart (no systemd unit or Windows service found; --supervisor names another). The new binary runs from its next start: restart the relay now. To go back: mv "${site.bin}.previous" "${site.bin}".`,
      );
      expect(commitOf(site.bin)).toBe('upgrade-test');
    },
    120_000,
  );

  it('a checksum mismatch changes nothing', async () => {
    const { dir, bin } = await installSite(onCleanup, relayToml({ cloudUrl: cloud.url }), 'relay-upgrade-');
    const before = sha(bin);
    const wrong = 'f'.repeat(64);
    const r = await runCli(bin, ['upgrade', good, '--sha256', wrong, '--supervisor', 'restart-on-exit'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `relay upgrade: checksum mismatch for relay-linux-x64: its SHA-256 is ${sha(good)}, --sha256 says ${wrong} (a damaged or different file); nothing was changed`,
    );
    expect(sha(bin)).toBe(before);
    expect(existsSync(`${bin}.previous`)).toBe(false);
  }, 60_000);

  it('a file for another platform, or a script, is refused before anything changes', async () => {
    const { dir, bin } = await installSite(onCleanup, relayToml({ cloudUrl: cloud.url }), 'relay-upgrade-');
    const before = sha(bin);
    // The relay with its header saying AArch64, as dist/relay-linux-arm64 from `make release` says.
    const arm = join(dir, 'relay-linux-arm64');
    copyFileSync(good, arm);
    const bytes = readFileSync(arm);
    bytes.writeUInt16LE(0xb7, 18);
    writeFileSync(arm, bytes);
    const script = join(dir, 'relay-new');
    writeFileSync(script, '#!/bin/sh\necho \'{"version":"9.9.9","commit":"x"}\'\n', { mode: 0o755 });
    // `make release`'s own ARM build with its SHA256SUMS, when dist/ has them: the checksum passes, the platform does not.
    const released = join(import.meta.dir, '..', '..', 'dist', 'relay-linux-arm64');
    const fromRelease = existsSync(released) && existsSync(join(released, '..', 'SHA256SUMS'));
    if (fromRelease) {
      const r = await runCli(bin, ['upgrade', released], { cwd: dir });
      expect(r.stdout).toContain('matches SHA256SUMS');
      expect(r.stderr).toContain(
        'relay-linux-arm64 is for Linux arm64 and this machine is Linux x64; nothing was changed',
      );
      expect(r.code).toBe(1);
    } else console.warn('dist/relay-linux-arm64 is absent (make release): its header stand-in alone is tried');
    for (const [file, said] of [
      [arm, 'relay-linux-arm64 is for Linux arm64 and this machine is Linux x64; nothing was changed'],
      [script, 'relay-new is not a relay binary: a script (#!/bin/sh); nothing was changed'],
    ] as const) {
      const r = await runCli(bin, ['upgrade', file, '--sha256', sha(file)], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(said);
      expect(sha(bin)).toBe(before);
      expect(existsSync(`${bin}.previous`)).toBe(false);
    }
  }, 60_000);

  it('a new build that exits at start is rolled back by itself, and the relay runs and delivers again', async () => {
    const site = await supervisedSite();
    const before = sha(site.bin);
    const r = await runCli(
      site.bin,
      ['upgrade', exitsAtStart, '--sha256', sha(exitsAtStart), '--supervisor', 'restart-on-exit', '--wait', '15'],
      { cwd: site.dir },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✓ swapped in');
    expect(r.stderr).toContain('✗ the new relay did not come up within 15 s: /health: ');
    expect(r.stderr).toContain(
      `↩ rolled back: ${site.bin} is the previous relay again (the new one is kept as ${site.bin}.failed)`,
    );
    expect(r.stderr).toMatch(/↩ the previous relay runs again: http:\/\/127\.0\.0\.1:\d+\/health answers ok/);
    // It tried to start the new one (and the supervisor saw it exit), then the old one was back.
    expect(site.sup.lines.some((l) => l.includes('relay: this build cannot start'))).toBe(true);
    expect(sha(site.bin)).toBe(before);
    expect(sha(`${site.bin}.failed`)).toBe(sha(exitsAtStart));
    expect(commitOf(site.bin)).toBe(shipped.commit);
    await delivers(site.url, 3);
  }, 240_000);
});
