import { afterEach, describe, expect, it } from 'bun:test';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemdListPath, systemdUnit, systemdWord } from '../src/cli/service/systemd.ts';
import { parseEnvFile } from '../src/cli/service/target.ts';
import {
  commandLine,
  installPlan,
  taskXml,
  taskXmlBytes,
  uninstallPlan,
  windowsArg,
} from '../src/cli/service/windows.ts';
import { installBinary, runBinary } from './helpers/binary.ts';
import { cli, iniValues, parseWindowsCommandLine } from './helpers/install.ts';
import { TOKEN, tempDir } from './helpers/relay.ts';

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function dir(): string {
  const t = tempDir('relay-service-');
  cleanups.push(t.cleanup);
  return t.dir;
}

/** A site as `relay init` leaves it: <dir>/relay.toml with one token. */
async function site(extraInit: string[] = []): Promise<string> {
  const d = dir();
  expect((await cli(['init', '--token', TOKEN, ...extraInit], { cwd: d })).code).toBe(0);
  return d;
}

const FAKE_BIN = '/opt/relay/bin/relay';

describe('the systemd unit', () => {
  it('restarts always, runs the absolute binary on the absolute config, and is hardened', () => {
    const unit = iniValues(systemdUnit({ binary: FAKE_BIN, config: '/var/lib/relay/relay.toml' }));
    expect(unit.get('ExecStart')).toEqual([`${FAKE_BIN} serve --config /var/lib/relay/relay.toml`]);
    expect(unit.get('Restart')).toEqual(['always']);
    expect(unit.get('StartLimitIntervalSec')).toEqual(['0']);
    expect(unit.get('WorkingDirectory')).toEqual(['/var/lib/relay']);
    expect(unit.get('NoNewPrivileges')).toEqual(['yes']);
    expect(unit.get('ProtectSystem')).toEqual(['strict']);
    expect(unit.get('ReadWritePaths')).toEqual(['/var/lib/relay']);
    expect(unit.get('ProtectHome')).toEqual(['yes']);
    // The compiled binary unpacks its libSQL addon into /tmp at every start.
    expect(unit.get('PrivateTmp')).toEqual(['yes']);
    expect(unit.get('KillSignal')).toEqual(['SIGTERM']);
    expect(unit.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('makes a spool outside the working directory writable, and keeps home folders reachable read-only', () => {
    const spoolElsewhere = iniValues(
      systemdUnit({ binary: FAKE_BIN, config: '/etc/relay/relay.toml', extraWritable: ['/srv/spool'] }),
    );
    expect(spoolElsewhere.get('ReadWritePaths')).toEqual(['/etc/relay /srv/spool']);
    const inHome = iniValues(systemdUnit({ binary: '/home/pi/relay/relay', config: '/home/pi/relay/relay.toml' }));
    expect(inHome.get('ProtectHome')).toEqual(['read-only']);
    expect(inHome.get('ReadWritePaths')).toEqual(['/home/pi/relay']);
  });

  it.each([
    ['/usr/local/bin/relay', '/usr/local/bin/relay'],
    ['/opt/my relay/relay', '"/opt/my relay/relay"'],
    ['/opt/100%/relay', '/opt/100%%/relay'],
    ['/opt/$HOME/relay', '/opt/$$HOME/relay'],
    ['/opt/a"b\\c', '"/opt/a\\"b\\\\c"'],
    ['', '""'],
  ])('quotes the ExecStart word %j as %j', (word, quoted) => {
    expect(systemdWord(word)).toBe(quoted);
  });

  it.each([
    ['/var/lib/relay', '/var/lib/relay'],
    ['/srv/pos data', '"/srv/pos data"'],
    ['/srv/50%', '/srv/50%%'],
  ])('writes the ReadWritePaths entry %j as %j', (path, written) => {
    expect(systemdListPath(path)).toBe(written);
  });

  it.skipIf(!Bun.which('systemd-analyze'))(
    'passes systemd-analyze verify, also with spaces and % in the paths',
    async () => {
      const d = dir();
      const odd = join(d, 'pos relay 100%');
      mkdirSync(odd);
      const bin = await installBinary(odd);
      for (const config of [join(d, 'relay.toml'), join(odd, 'relay.toml')]) {
        const unitPath = join(d, 'relay.service');
        writeFileSync(unitPath, systemdUnit({ binary: bin, config }));
        const p = Bun.spawnSync(['systemd-analyze', 'verify', unitPath], { stdout: 'pipe', stderr: 'pipe' });
        const said = `${p.stdout.toString()}${p.stderr.toString()}`;
        // verify resolves ExecStart's first word: a quoting mistake shows as "not executable".
        expect(said.split('\n').filter((l) => l.includes('relay.service'))).toEqual([]);
        expect(p.exitCode).toBe(0);
      }
    },
  );
});

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

  it.skipIf(existsSync('/run/systemd/system'))(
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

  it('the compiled binary installs itself by its own absolute path', async () => {
    const d = await site();
    const bin = await installBinary(d);
    const unitPath = join(d, 'relay.service');
    const r = runBinary(bin, ['service', 'install', '--unit-path', unitPath], d);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(iniValues(readFileSync(unitPath, 'utf8')).get('ExecStart')).toEqual([
      `${bin} serve --config ${join(d, 'relay.toml')}`,
    ]);
  });

  it('reads relay.env as systemd does: comments skipped, one pair of quotes removed', () => {
    expect(parseEnvFile('# c\n; c\nA=1\nB="two words"\nC=\'x\'\n  D = spaced \nnot a line\n')).toEqual({
      A: '1',
      B: 'two words',
      C: 'x',
      D: 'spaced',
    });
  });
});

describe('the Windows start-up task (generated and checked here; never run on Windows)', () => {
  const binary = 'C:\\Program Files\\EmiliaVision Relay\\relay.exe';
  const config = 'C:\\ProgramData\\R&D "Relay"\\relay.toml';
  const now = new Date(2025, 10, 24, 18, 30, 5);
  const xml = taskXml({ binary, config, now });
  const element = (name: string) => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]!);
  const unescapeXml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

  it.each([
    ['serve', 'serve'],
    ['C:\\relay\\relay.toml', 'C:\\relay\\relay.toml'],
    ['C:\\Program Files\\relay', '"C:\\Program Files\\relay"'],
    ['C:\\my dir\\', '"C:\\my dir\\\\"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['a\\"b', '"a\\\\\\"b"'],
    ['', '""'],
  ])('quotes the argument %j as %j, which Windows reads back unchanged', (arg, quoted) => {
    expect(windowsArg(arg)).toBe(quoted);
    expect(parseWindowsCommandLine(`relay.exe ${windowsArg(arg)}`)).toEqual(['relay.exe', arg]);
  });

  it('starts at boot as SYSTEM, then every minute while not running, without time limit, at normal priority', () => {
    expect(xml).toContain('<BootTrigger>');
    expect(element('Interval')).toEqual(['PT1M', 'PT1M']); // keep-alive repetition, RestartOnFailure
    expect(xml).not.toContain('<Duration>'); // no duration: the repetition never ends
    expect(element('StartBoundary')).toEqual(['2025-11-24T18:30:05']);
    expect(element('UserId')).toEqual(['S-1-5-18']);
    expect(element('MultipleInstancesPolicy')).toEqual(['IgnoreNew']);
    expect(element('ExecutionTimeLimit')).toEqual(['PT0S']);
    expect(element('DisallowStartIfOnBatteries')).toEqual(['false']);
    expect(element('StopIfGoingOnBatteries')).toEqual(['false']);
    expect(element('Priority')).toEqual(['4']);
    // [MS-TSCH] 2.5.4.2: Count 1..255, Interval PT1M..P31D.
    expect(Number(element('Count')[0])).toBeLessThanOrEqual(255);
  });

  it('runs relay.exe serve --config <config> in the config folder, XML-escaped', () => {
    expect(element('Command').map(unescapeXml)).toEqual([binary]);
    expect(parseWindowsCommandLine(`x ${unescapeXml(element('Arguments')[0]!)}`)).toEqual([
      'x',
      'serve',
      '--config',
      config,
    ]);
    expect(element('WorkingDirectory').map(unescapeXml)).toEqual(['C:\\ProgramData\\R&D "Relay"']);
  });

  it('is written as UTF-16 LE with a byte-order mark and CRLF, as its declaration says', () => {
    const bytes = taskXmlBytes(xml);
    expect([...bytes.slice(0, 2)]).toEqual([0xff, 0xfe]);
    const back = new TextDecoder('utf-16le').decode(bytes.slice(2));
    expect(back).toBe(xml.replace(/\n/g, '\r\n'));
    expect(back).toStartWith('<?xml version="1.0" encoding="UTF-16"?>');
  });

  it.skipIf(!Bun.which('python3'))('is well-formed XML (read back by a real XML parser from the UTF-16 file)', () => {
    const d = dir();
    const path = join(d, 'task.xml');
    writeFileSync(path, taskXmlBytes(xml));
    const py =
      'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); ' +
      'print(d.getElementsByTagName("Arguments")[0].firstChild.data)';
    const p = Bun.spawnSync(['python3', '-c', py, path], { stdout: 'pipe', stderr: 'pipe' });
    expect(p.stderr.toString()).toBe('');
    expect(parseWindowsCommandLine(`x ${p.stdout.toString().trim()}`)).toEqual(['x', 'serve', '--config', config]);
  });

  it('registers with schtasks /XML, and uninstalls by disabling, ending, then deleting', () => {
    expect(
      installPlan('EmiliaVision Relay', 'C:\\r\\relay-task.xml', true).steps.map((s) => commandLine(s.argv)),
    ).toEqual([
      'schtasks /Create /TN "EmiliaVision Relay" /XML C:\\r\\relay-task.xml /F',
      'schtasks /Run /TN "EmiliaVision Relay"',
    ]);
    expect(installPlan('relay', 'C:\\r\\t.xml', false).steps).toHaveLength(1);
    const steps = uninstallPlan('EmiliaVision Relay').steps;
    expect(steps.map((s) => s.argv.slice(0, 2).join(' '))).toEqual([
      'schtasks /Change',
      'schtasks /End',
      'schtasks /Delete',
    ]);
    expect(steps.map((s) => s.mayFail === true)).toEqual([false, true, false]);
    expect(steps[0]!.argv).toContain('/DISABLE');
  });

  it('relay service print --windows writes the task for the given Windows paths', async () => {
    const d = dir();
    const r = await cli(['service', 'print', '--windows', '--binary', binary, '--config', 'C:\\relay\\relay.toml'], {
      cwd: d,
    });
    expect(r.code).toBe(0);
    expect(r.out).toContain(`<Command>${binary}</Command>`);
    expect(r.out).toContain('<WorkingDirectory>C:\\relay</WorkingDirectory>');
    const relative = await cli(['service', 'print', '--windows', '--binary', 'relay.exe'], { cwd: d });
    expect(relative.code).toBe(2);
    expect(relative.err).toContain('absolute Windows path');
    expect((await cli(['service', 'install', '--windows'], { cwd: d })).code).toBe(2);
  });
});
