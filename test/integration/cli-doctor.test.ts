/**
 * `relay doctor` in this process, against a mock cloud on port 0: each check
 * (config, spool, disk, cloud, clock, every active token) with its verdict,
 * the exit code, the JSON form. The compiled binary's verdicts are
 * test/binary/cli-doctor.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import { diagnose } from '../../src/cli/lib/diagnose.ts';
import { type Config, loadConfig } from '../../src/config/index.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { type CliConfig, runInProcess, seedSpool, writeConfig } from '../helpers/cli.ts';
import { FakeClock } from '../helpers/clock.ts';
import { refusingCloud } from '../helpers/mock-cloud.ts';
import { INACTIVE, TOKEN, TOKEN2 } from '../helpers/relay.ts';

const onCleanup = useCleanup();

/** A mock cloud that answers /health and refuses TOKEN2 with the cloud's 401. */
async function cloud() {
  const mock = await refusingCloud(TOKEN2);
  onCleanup(() => mock.stop());
  return mock;
}

function setup(cloudUrl: string, tokens?: CliConfig['tokens']) {
  const dir = onCleanup.tempDir('relay-doctor-');
  const path = writeConfig(dir, { cloudUrl, tokens });
  const run = (args: string[] = []) => runInProcess(['doctor', ...args, '--config', path], { cwd: dir });
  const config = (): Config => {
    const r = loadConfig(path, {});
    if (!r.ok) throw new Error(r.problems.join('\n'));
    return r.config;
  };
  return { dir, path, run, config };
}

const M = (t: string) => `${t.slice(0, 8)}…`;

describe('relay doctor', () => {
  it("posts the guide's ?env=dev diagnostic_test per active token: ✅ accepted, ❌ 401, exit 1", async () => {
    const mock = await cloud();
    const { run } = setup(mock.url);
    const r = await run();
    expect(r.code).toBe(1);
    const text = r.stdout();
    expect(text).toContain('✅ config:');
    expect(text).toContain('✅ spool:');
    expect(text).toContain('✅ disk:');
    expect(text).toMatch(/✅ cloud: http:\/\/127\.0\.0\.1:\d+\/health answered 200/);
    expect(text).toMatch(/✅ clock: .*within \d+ s of the cloud's clock/);
    expect(text).toContain(
      `✅ token: token ${M(TOKEN)} (Main POS): accepted by the cloud (?env=dev diagnostic_test, event_id cloud-1`,
    );
    expect(text).toContain(`❌ token: token ${M(TOKEN2)} (Bar): token invalid or inactive (the cloud answered 401)`);
    expect(text).toContain(`➖ token: token ${M(INACTIVE)} (Old): inactive in the config, not tested`);
    expect(text).toContain('1 check(s) failed');
    for (const t of [TOKEN, TOKEN2, INACTIVE]) expect(text).not.toContain(t);

    // Straight to the cloud, dev environment, the guide's payload with a timezone offset.
    expect(mock.received.map((x) => [x.token, x.env]).sort()).toEqual([
      [TOKEN, 'dev'],
      [TOKEN2, 'dev'],
    ]);
    const body = JSON.parse(mock.received[0]!.text);
    expect(body).toEqual({
      event: 'diagnostic_test',
      timestamp: expect.any(String),
      table_number: 'Diagnostic Test',
      diagnostic: true,
    });
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(Math.abs(Date.parse(body.timestamp) - Date.now())).toBeLessThan(10_000);
  });

  it('exits 0 when every check passes, and says so in JSON', async () => {
    const mock = await cloud();
    const { run, dir } = setup(mock.url, [{ token: TOKEN, name: 'Main POS' }]);
    await seedSpool(join(dir, 'spool', 'relay.db'), [{}]);
    const r = await run(['--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout());
    expect(j.ok).toBe(true);
    expect(j.checks.map((c: { check: string }) => c.check)).toEqual([
      'config',
      'relay',
      'spool',
      'disk',
      'files',
      'cloud',
      'clock',
      'token',
    ]);
    // The relay itself is not running here: a warning, not a failure.
    expect(j.checks.find((c: { check: string }) => c.check === 'relay').status).toBe('warn');
    expect(j.checks.filter((c: { status: string }) => c.status === 'fail')).toEqual([]);
    expect(j.checks.find((c: { check: string }) => c.check === 'spool').message).toContain('is writable (1 pending');
    // The write probe leaves nothing behind: no table in the spool, no file beside it.
    expect(readdirSync(join(dir, 'spool')).filter((f) => f.startsWith('.relay-doctor'))).toEqual([]);
    const db = new Database(join(dir, 'spool', 'relay.db'));
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (t) => t.name,
    );
    db.close();
    expect(tables).toContain('events');
    expect(tables.filter((t) => t.includes('doctor'))).toEqual([]);
    const events = await runInProcess(['events', 'list', '--json', '--config', join(dir, 'relay.toml')]);
    expect(JSON.parse(events.stdout()).events).toHaveLength(1);
  });

  it('fails when the cloud cannot be reached, and does not try the tokens', async () => {
    const { run } = setup('http://127.0.0.1:9');
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.stdout()).toMatch(/❌ cloud: cannot reach http:\/\/127\.0\.0\.1:9\/health: .*ECONNREFUSED/);
    expect(r.stdout()).toContain(`➖ token: token ${M(TOKEN)} (Main POS): not tested, the cloud is unreachable`);
  });

  it("warns when the clock is off by more than 60 s from the cloud's Date header, fails before 2025", async () => {
    const mock = await cloud();
    const { config, path } = setup(mock.url, [{ token: TOKEN }]);
    const ahead = await diagnose(config(), path, { clock: new FakeClock(Date.now() + 5 * 60_000) });
    expect(ahead.find((c) => c.check === 'clock')).toEqual({
      check: 'clock',
      status: 'warn',
      message: expect.stringMatching(/clock is (29\d|30\d) s ahead of the cloud's/),
    });
    const fine = await diagnose(config(), path, { clock: new FakeClock(Date.now() + 20_000) });
    expect(fine.find((c) => c.check === 'clock')!.status).toBe('pass');
    const y2k = await diagnose(config(), path, { clock: new FakeClock(Date.UTC(2000, 0, 1)) });
    expect(y2k.find((c) => c.check === 'clock')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('2000-01-01'),
    });
  });

  it('stops with exit 2 on an invalid config', async () => {
    const dir = onCleanup.tempDir('relay-doctor-');
    await Bun.write(join(dir, 'relay.toml'), '[cloud]\nurl = "ftp://nope"\n');
    const r = await runInProcess(['doctor'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toContain('cloud.url');
    expect(r.stdout()).toContain('❌ config:');
  });
});
