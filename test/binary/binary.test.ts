/**
 * The compiled binary alone in a folder with its relay.toml, as a technician
 * installs it: version, check, serving the contract and forwarding byte for
 * byte, losing nothing acknowledged to a SIGKILL, stopping on SIGTERM, and
 * refusing a spool that is not a database.
 */
import { beforeAll, describe, expect, it } from 'bun:test';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { installBinary, type RunningBinary, runBinary, startBinary, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { writeToml } from '../helpers/config.ts';
import { startMockCloud } from '../helpers/mock-cloud.ts';
import { freePort } from '../helpers/ports.ts';
import { ORDER_CREATED, post, TOKEN, TOKEN2, tempDir } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();

/** A directory holding only the binary and a relay.toml (its second token from ${SECOND_TOKEN}). */
async function install(cloudUrl: string, onDamage: 'quarantine' | 'refuse' = 'quarantine') {
  const dir = onCleanup.tempDir('relay-bin-');
  const bin = await installBinary(dir);
  writeToml(dir, {
    spool: { path: 'spool/relay.db', on_damage: onDamage },
    cloud: { url: cloudUrl },
    tokens: [
      { token: TOKEN, name: 'Main POS' },
      { token: '${SECOND_TOKEN}', name: 'Bar' },
    ],
  });
  return { dir, bin };
}

async function serve(bin: string, dir: string): Promise<RunningBinary> {
  const r = await startBinary(bin, ['serve'], { cwd: dir, env: { SECOND_TOKEN: TOKEN2 } });
  onCleanup(() => stopBinary(r));
  return r;
}

describe('the compiled binary', () => {
  beforeAll(async () => {
    const tmp = tempDir();
    await installBinary(tmp.dir);
    tmp.cleanup();
  });

  it('prints its version and build commit', async () => {
    const { dir, bin } = await install('http://127.0.0.1:9');
    const r = runBinary(bin, ['version'], dir);
    expect(r.code).toBe(0);
    // The first line; the second is the build and the CPU (src/cli/lib/cpu.ts).
    const [first, build] = r.stdout.trim().split('\n');
    expect(first).toMatch(new RegExp(`^relay ${pkg.version.replace(/\./g, '\\.')} \\(commit [0-9a-f]{12}\\)$`));
    expect(build).toStartWith('build: ');
  });

  it('checks a config: exit 0 when valid, exit 2 listing every problem with key and line', async () => {
    const { dir, bin } = await install('http://127.0.0.1:9');
    expect(runBinary(bin, ['check'], dir, { SECOND_TOKEN: TOKEN2 }).code).toBe(0);
    writeFileSync(join(dir, 'bad.toml'), '[server]\nprot = 8080\n[forward]\nrate_per_token = "fast"\n');
    const bad = runBinary(bin, ['check', '--config', 'bad.toml'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('server.prot');
    expect(bad.stderr).toContain('(line 2)');
    expect(bad.stderr).toMatch(/forward\.rate_per_token: expected a number > 0, got "fast" \(line 4\)/);
    const missingEnv = runBinary(bin, ['check'], dir);
    expect(missingEnv.code).toBe(2);
    expect(missingEnv.stderr).toContain('SECOND_TOKEN');
  });

  it('serves the contract from ./relay.toml and forwards byte for byte, alone in a directory', async () => {
    const cloud = await startMockCloud();
    onCleanup(() => cloud.stop());
    const { dir, bin } = await install(cloud.url);
    const relay = await serve(bin, dir);
    const res = await post(relay.url, TOKEN2, ORDER_CREATED, { env: 'dev' });
    expect(res.status).toBe(200);
    const { event_id } = (await res.json()) as { event_id: string };
    expect((await post(relay.url, 'nope', '{}')).status).toBe(401);
    await waitFor(() => cloud.stored.length === 1, 'delivery');
    expect(cloud.stored[0]!.text).toBe(ORDER_CREATED);
    expect(cloud.stored[0]!.query).toBe('?env=dev');
    expect(cloud.stored[0]!.headers['idempotency-key']).toBe(event_id);
    const out = relay.lines.join('\n');
    expect(out).not.toContain(TOKEN2);
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain('Focaccia');
  });

  it('loses nothing acknowledged when killed with SIGKILL in the middle of a stream of posts', async () => {
    // The cloud comes up only after the kill, on the URL the relay had from the start.
    const port = freePort();
    const { dir, bin } = await install(`http://127.0.0.1:${port}`);
    const first = await serve(bin, dir);
    const acked: string[] = [];
    let killed = false;
    // Four clients at once, so the kill lands in the middle of group commits;
    // whatever got its 200 before the kill must reach the cloud.
    const clients = [TOKEN, TOKEN2, TOKEN, TOKEN2].map(async (token, c) => {
      for (let i = 0; !killed; i++) {
        try {
          const r = await post(first.url, token, `{"c":${c},"i":${i}}`);
          if (r.status === 200) acked.push(((await r.json()) as { event_id: string }).event_id);
        } catch {
          return; // connection cut by the kill: that request was never acknowledged
        }
        if (acked.length >= 200 && !killed) {
          killed = true;
          first.proc.kill('SIGKILL');
        }
      }
    });
    await Promise.all(clients);
    expect(await first.exited).not.toBe(0);
    expect(acked.length).toBeGreaterThanOrEqual(200);
    const cloud = await startMockCloud(port);
    onCleanup(() => cloud.stop());
    const second = await serve(bin, dir);
    await waitFor(
      () => acked.every((id) => cloud.stored.some((r) => r.headers['idempotency-key'] === id)),
      'every acknowledged event at the cloud',
      15_000,
    );
    // Lane order: each client's events arrive in the order they were sent.
    for (let c = 0; c < 4; c++) {
      const lane = cloud.stored
        .map((r) => JSON.parse(r.text) as { c: number; i: number })
        .filter((e) => e.c === c)
        .map((e) => e.i);
      expect(lane).toEqual([...lane].sort((a, b) => a - b));
    }
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('stops gracefully on SIGTERM within a few seconds', async () => {
    const { dir, bin } = await install('http://127.0.0.1:9');
    const relay = await serve(bin, dir);
    expect((await post(relay.url, TOKEN, '{"a":1}')).status).toBe(200);
    const t0 = Date.now();
    relay.proc.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(relay.lines.some((l) => l.includes('"relay stopped"'))).toBe(true);
  });

  it('serves on a spool that is not a database after setting it aside byte for byte (the default, quarantine)', async () => {
    const { dir, bin } = await install('http://127.0.0.1:9');
    const junk = "this is not a database, but it may be someone's only copy\n".repeat(10);
    Bun.spawnSync(['mkdir', '-p', join(dir, 'spool')]);
    writeFileSync(join(dir, 'spool', 'relay.db'), junk);
    const relay = await startBinary(bin, ['serve'], { cwd: dir, env: { SECOND_TOKEN: TOKEN2 } });
    onCleanup(() => stopBinary(relay));
    expect((await post(relay.url, TOKEN, '{"event":"x"}')).status).toBe(200);
    const aside = readdirSync(join(dir, 'spool')).filter((f) => /^relay\.db\.damaged-[\dT-]+Z$/.test(f));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, 'spool', aside[0]!), 'utf8')).toBe(junk);
    expect(relay.lines.some((l) => l.includes('spool damaged') && l.includes(aside[0]!))).toBe(true);
  });

  it('refuses to start on a spool that is not a database, leaving the file untouched (on_damage "refuse")', async () => {
    const { dir, bin } = await install('http://127.0.0.1:9', 'refuse');
    const junk = "this is not a database, but it may be someone's only copy\n".repeat(10);
    Bun.spawnSync(['mkdir', '-p', join(dir, 'spool')]);
    writeFileSync(join(dir, 'spool', 'relay.db'), junk);
    const r = runBinary(bin, ['serve'], dir, { SECOND_TOKEN: TOKEN2 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(dir, 'spool', 'relay.db'));
    expect(r.stderr).toMatch(/left untouched/);
    expect(readFileSync(join(dir, 'spool', 'relay.db'), 'utf8')).toBe(junk);
  });
});
