/**
 * `relay service` as pure functions: the systemd unit and the Windows
 * service's sc.exe commands, their quoting, relay.env, sc.exe's answers. Writing and removing
 * them through the CLI is test/integration/service.test.ts; systemd-analyze
 * and the compiled binary installing itself, test/binary/service.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { systemdListPath, systemdUnit, systemdWord } from '../../src/cli/service/systemd.ts';
import { parseEnvFile } from '../../src/cli/service/target.ts';
import {
  commandLine,
  DEFAULT_SERVICE_NAME,
  installPlan,
  parseScQcProgram,
  parseScQuery,
  serviceCommandLine,
  uninstallPlan,
  windowsArg,
} from '../../src/cli/service/windows.ts';
import { iniValues, parseWindowsCommandLine } from '../helpers/formats.ts';

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
});

describe('relay service install / uninstall (Linux)', () => {
  it('reads relay.env as systemd does: comments skipped, one pair of quotes removed', () => {
    expect(parseEnvFile('# c\n; c\nA=1\nB="two words"\nC=\'x\'\n  D = spaced \nnot a line\n')).toEqual({
      A: '1',
      B: 'two words',
      C: 'x',
      D: 'spaced',
    });
  });
});

describe('the Windows service (its sc.exe commands; run under Wine in test/binary/windows-service.test.ts)', () => {
  const binary = 'C:\\Program Files\\EmiliaVision Relay\\relay.exe';
  const config = 'C:\\ProgramData\\R&D "Relay"\\relay.toml';

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

  it('runs relay-service.exe beside relay.exe, in the config folder, with the relay command line after it', () => {
    expect(parseWindowsCommandLine(serviceCommandLine({ binary, config }))).toEqual([
      'C:\\Program Files\\EmiliaVision Relay\\relay-service.exe',
      'C:\\ProgramData\\R&D "Relay"',
      binary,
      'serve',
      '--config',
      config,
      '--service',
    ]);
  });

  it('registers an auto-start service with failure actions, and starts it only with --now', () => {
    const steps = installPlan(DEFAULT_SERVICE_NAME, { binary, config }, true);
    expect(steps.map((s) => s.argv.slice(0, 2).join(' '))).toEqual([
      'sc.exe create',
      'sc.exe description',
      'sc.exe failure',
      'sc.exe start',
    ]);
    const create = steps[0]!.argv;
    // sc.exe reads `key=` and its value as two words.
    expect(create[create.indexOf('binPath=') + 1]).toBe(serviceCommandLine({ binary, config }));
    expect(create[create.indexOf('start=') + 1]).toBe('auto');
    expect(create[create.indexOf('DisplayName=') + 1]).toBe('EmiliaVision Relay');
    expect(steps[2]!.argv.join(' ')).toContain('actions= restart/5000');
    expect(steps[3]!.waitFor).toBe('RUNNING');
    expect(installPlan('relay', { binary, config }, false).map((s) => s.argv[1])).not.toContain('start');
  });

  it('uninstalls by stopping (waiting until stopped; not running is fine), then deleting', () => {
    const steps = uninstallPlan('EmiliaVisionRelay');
    expect(steps.map((s) => commandLine(s.argv))).toEqual([
      'sc.exe stop EmiliaVisionRelay',
      'sc.exe delete EmiliaVisionRelay',
    ]);
    expect(steps.map((s) => [s.mayFail === true, s.waitFor])).toEqual([
      [true, 'STOPPED'],
      [false, undefined],
    ]);
  });

  const RUNNING =
    'SERVICE_NAME: EmiliaVisionRelay\r\n        TYPE               : 10  WIN32_OWN_PROCESS\r\n        STATE              : 4  RUNNING\r\n';
  it.each([
    [0, RUNNING, 'RUNNING'],
    [0, RUNNING.replace('4  RUNNING', '3  STOP_PENDING'), 'STOP_PENDING'],
    [0, RUNNING.replace('4  RUNNING', '1  STOPPED'), 'STOPPED'],
    [
      1060,
      '[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n',
      'missing',
    ],
    [36, '', 'missing'], // Wine's sc prints nothing, and Bun reports 1060 in 8 bits
    [5, '[SC] OpenService FAILED 5:\r\n\r\nAccess is denied.\r\n', undefined],
    [0, 'STATE : 9 SOMETHING_NEW', undefined],
  ])('reads sc query (exit %d) %j as %j', (code, out, state) => {
    expect(parseScQuery(code, out)).toBe(state as ReturnType<typeof parseScQuery>);
  });

  it.each([
    [
      '        BINARY_PATH_NAME   : "C:\\Program Files\\R\\relay-service.exe" "C:\\ProgramData\\R" x\r\n',
      'C:\\Program Files\\R\\relay-service.exe',
    ],
    ['        BINARY_PATH_NAME   : C:\\R\\relay-service.exe C:\\R x\r\n', 'C:\\R\\relay-service.exe'],
    ['', undefined],
  ])('reads the program out of sc qc %j as %j', (out, program) => {
    expect(parseScQcProgram(out)).toBe(program);
  });
});
