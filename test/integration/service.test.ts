/**
 * `relay service` through the CLI in this process: writing and removing the
 * systemd unit in a temp dir, and the Windows service's sc.exe commands it
 * prints. The unit and the commands as pure functions are
 * test/unit/service.test.ts; the compiled binary, test/binary/service.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN } from '../helpers/config.ts';
import { cli, iniValues, parseWindowsCommandLine } from '../helpers/install.ts';
import { itUnless } from '../helpers/skip.ts';

const onCleanup = useCleanup();
const dir = () => onCleanup.tempDir('relay-service-');

/** A site as `relay init` leaves it: <dir>/relay.toml with one token. */
async function site(extraInit: string[] = []): Promise<string> {
  const d = dir();
  expect((await cli(['init', '--token', TOKEN, ...extraInit], { cwd: d })).code).toBe(0);
  return d;
}

const FAKE_BIN = '/opt/relay/bin/relay';

describe('relay service install / uninstall (Linux)', () => {
  it('writes the unit where --unit-path says and tells the systemctl command to run', async () => {
    const d = await site();
    const unitPath = join(d, 'units', 'relay.service');
    const r = await cli(['service', 'install', '--binary', FAKE_BIN, '--unit-path', unitPath], { cwd: d });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('sudo systemctl daemon-reload && sudo systemctl enable --now relay.service');
    const unit = iniValues(readFileSync(unitPath, 'utf8'));
    expect(unit.get('ExecStart')).toEqual([`${FAKE_BIN} serve --config ${join(d, 'relay.toml')}`]);
    expect(unit.get('WorkingDirectory')).toEqual([d]);
  });

  it('refuses a config the relay would not start with, unless --force', async () => {
    const d = await site(['--admin-password-env', 'RELAY_ADMIN_PASSWORD']);
    const unitPath = join(d, 'relay.service');
    const args = ['service', 'install', '--binary', FAKE_BIN, '--unit-path', unitPath];
    const refused = await cli(args, { cwd: d });
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('RELAY_ADMIN_PASSWORD is not set');
    expect(existsSync(unitPath)).toBe(false);
    // relay.env beside the config is what systemd gives the service (EnvironmentFile=).
    writeFileSync(join(d, 'relay.env'), '# admin\nRELAY_ADMIN_PASSWORD="kitchen 42"\n');
    expect((await cli(args, { cwd: d })).code).toBe(0);
    const missing = await cli([...args, '--config', join(d, 'nope.toml')], { cwd: d });
    expect(missing.err).toContain('relay init --config');
    expect((await cli([...args, '--config', join(d, 'nope.toml'), '--force'], { cwd: d })).code).toBe(0);
  });

  it('adds a spool kept outside the config folder to ReadWritePaths', async () => {
    const d = await site();
    const spoolDir = join(dir(), 'spool');
    const config = join(d, 'relay.toml');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace('path = "data/relay.db"', `path = "${spoolDir}/relay.db"`),
    );
    const unitPath = join(d, 'relay.service');
    expect((await cli(['service', 'install', '--binary', FAKE_BIN, '--unit-path', unitPath], { cwd: d })).code).toBe(0);
    expect(iniValues(readFileSync(unitPath, 'utf8')).get('ReadWritePaths')).toEqual([`${d} ${spoolDir}`]);
  });

  it('uninstall removes a disabled unit but refuses an enabled one', async () => {
    const d = await site();
    const unitPath = join(d, 'relay.service');
    await cli(['service', 'install', '--binary', FAKE_BIN, '--unit-path', unitPath], { cwd: d });
    mkdirSync(join(d, 'multi-user.target.wants'));
    symlinkSync(unitPath, join(d, 'multi-user.target.wants', 'relay.service'));
    const refused = await cli(['service', 'uninstall', '--unit-path', unitPath], { cwd: d });
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('systemctl disable --now relay.service');
    expect(existsSync(unitPath)).toBe(true);
    Bun.spawnSync(['rm', join(d, 'multi-user.target.wants', 'relay.service')]);
    const removed = await cli(['service', 'uninstall', '--unit-path', unitPath], { cwd: d });
    expect(removed.code).toBe(0);
    expect(existsSync(unitPath)).toBe(false);
  });

  itUnless(existsSync('/run/systemd/system') && 'systemd runs here, so its absence cannot be shown')(
    '--now says plainly when systemd is not running, and writes nothing',
    async () => {
      const d = await site();
      const unitPath = join(d, 'relay.service');
      const r = await cli(['service', 'install', '--now', '--binary', FAKE_BIN, '--unit-path', unitPath], { cwd: d });
      expect(r.code).toBe(1);
      expect(r.err).toContain('systemd is not running on this machine');
      expect(existsSync(unitPath)).toBe(false);
    },
  );

  it('from source, asks for --binary instead of writing a unit that starts bun', async () => {
    const d = await site();
    const r = await cli(['service', 'print', '--systemd'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.err).toContain('--binary');
  });
});

describe('relay service print --windows (the service itself runs under Wine: test/binary/windows-service.test.ts)', () => {
  const binary = 'C:\\Program Files\\EmiliaVision Relay\\relay.exe';

  it('prints the sc.exe commands for the given Windows paths; relative paths and a foreign install are refused', async () => {
    const d = dir();
    const r = await cli(['service', 'print', '--windows', '--binary', binary, '--config', 'C:\\relay\\relay.toml'], {
      cwd: d,
    });
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
      'sc.exe create',
      'sc.exe description',
      'sc.exe failure',
      'sc.exe start',
    ]);
    const create = parseWindowsCommandLine(lines[0]!);
    expect(parseWindowsCommandLine(create[create.indexOf('binPath=') + 1]!)).toEqual([
      'C:\\Program Files\\EmiliaVision Relay\\relay-service.exe',
      'C:\\relay',
      binary,
      'serve',
      '--config',
      'C:\\relay\\relay.toml',
      '--service',
    ]);
    const relative = await cli(['service', 'print', '--windows', '--binary', 'relay.exe'], { cwd: d });
    expect(relative.code).toBe(2);
    expect(relative.err).toContain('absolute Windows path');
    expect((await cli(['service', 'install', '--windows'], { cwd: d })).code).toBe(2);
  });
});
