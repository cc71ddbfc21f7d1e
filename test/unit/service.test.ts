/**
 * `relay service` as pure functions: the systemd unit and the Windows
 * start-up task it writes, their quoting, relay.env. Writing and removing
 * them through the CLI is test/integration/service.test.ts; systemd-analyze
 * and the compiled binary installing itself, test/binary/service.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { systemdListPath, systemdUnit, systemdWord } from '../../src/cli/service/systemd.ts';
import { parseEnvFile } from '../../src/cli/service/target.ts';
import {
  commandLine,
  installPlan,
  taskXml,
  taskXmlBytes,
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
});
