/**
 * What `relay upgrade` decides before it touches the installed binary: the
 * checksum SHA256SUMS gives a file, the platform its header names, whether
 * its `version --json` is a relay's and whether that relay reads the spool.
 */
import { describe, expect, it } from 'bun:test';
import { healthVerdict, parseSums, platformOf, readBuildInfo, spoolProblem } from '../../src/cli/upgrade/checks.ts';
import { unitOf } from '../../src/cli/upgrade/supervisor.ts';
import type { ReportedHealth } from '../../src/health/index.ts';

const A = 'a'.repeat(64);
const B = 'B'.repeat(64);

describe('parseSums: SHA256SUMS as scripts/release.ts and sha256sum write it', () => {
  it('reads text and binary mode lines, lower-cases the hash, skips the rest', () => {
    const sums = parseSums(`${A}  relay-linux-x64\n${B} *relay-windows-x64.exe\r\nnot a line\n\n`);
    expect([...sums]).toEqual([
      ['relay-linux-x64', A],
      ['relay-windows-x64.exe', 'b'.repeat(64)],
    ]);
  });
});

/** An ELF header: class 64, little-endian, e_machine at 18. */
const elf = (machine: number) => {
  const b = Buffer.alloc(64);
  b.write('\x7fELF', 0, 'latin1');
  b[4] = 2;
  b[5] = 1;
  b.writeUInt16LE(machine, 18);
  return b;
};
/** A PE file: "MZ", the PE header's offset at 0x3c, "PE\0\0" and the machine there. */
const pe = (machine: number) => {
  const b = Buffer.alloc(256);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  b.writeUInt16LE(machine, 0x84);
  return b;
};

describe('platformOf: the platform a file is for, from its header', () => {
  const cases: [string, Buffer, ReturnType<typeof platformOf>][] = [
    ['Linux x64', elf(0x3e), { platform: 'linux-x64' }],
    ['Linux arm64 (a Raspberry Pi build)', elf(0xb7), { platform: 'linux-arm64' }],
    ['Windows x64', pe(0x8664), { platform: 'win32-x64' }],
    ['Windows arm64', pe(0xaa64), { platform: 'win32-arm64' }],
    ['an unknown ELF machine', elf(0x1234), { not: 'a Linux executable for machine type 0x1234' }],
    ['a shell script', Buffer.from('#!/bin/sh\necho hi\n'), { not: 'a script (#!/bin/sh)' }],
    ['a zip', Buffer.from('PK\x03\x04rest', 'latin1'), { not: 'a zip archive (unpack it first)' }],
    [
      'an HTML error page',
      Buffer.from('<!DOCTYPE html><html>'),
      { not: 'an HTML or XML page (a download that went wrong?)' },
    ],
    ['text', Buffer.from('hello'), { not: 'not an executable' }],
  ];
  for (const [name, bytes, want] of cases) it(name, () => expect(platformOf(bytes)).toEqual(want));
});

describe('readBuildInfo and spoolProblem: a relay that reads this spool', () => {
  const json = (o: unknown) => JSON.stringify(o);
  const relay = { version: '0.2.0', commit: 'abc123', spool_format: { writes: 7, reads: { from: 1, to: 7 } } };
  it('a relay answer', () =>
    expect(readBuildInfo(json(relay))).toEqual({ version: '0.2.0', commit: 'abc123', reads: { from: 1, to: 7 } }));
  it('no JSON', () =>
    expect(readBuildInfo('relay 0.1.0\n')).toEqual({ not: 'its "version --json" printed no JSON ("relay 0.1.0")' }));
  it('JSON, not a relay', () =>
    expect(readBuildInfo(json({ name: 'x' }))).toEqual({
      not: 'its "version --json" is not a relay\'s (no version and commit)',
    }));
  it('a relay from before spool formats were told', () =>
    expect(readBuildInfo(json({ version: '0.1.0', commit: 'old' }))).toEqual({
      not: 'relay 0.1.0 (commit old) does not say which spool formats it reads (too old for relay upgrade)',
    }));

  const build = { version: '0.2.0', commit: 'abc', reads: { from: 2, to: 7 } };
  const cases: [string, number | null, string | null][] = [
    ['no spool yet', null, null],
    ['the newest format it reads', 7, null],
    ['an older one it migrates', 3, null],
    [
      'newer than it reads',
      8,
      'this spool has format 8 and relay 0.2.0 reads formats up to 7: it would refuse to start',
    ],
    ['older than it reads', 1, 'this spool has format 1 and relay 0.2.0 reads formats from 2'],
  ];
  for (const [name, format, want] of cases) it(`spool: ${name}`, () => expect(spoolProblem(build, format)).toBe(want));
});

describe('unitOf: the systemd service a process runs in, from /proc/PID/cgroup', () => {
  const cases: [string, string, string | null][] = [
    ['a system service (cgroup v2)', '0::/system.slice/relay.service\n', 'relay.service'],
    [
      'cgroup v1',
      '12:pids:/system.slice/emilia-relay.service\n1:name=systemd:/system.slice/emilia-relay.service\n',
      'emilia-relay.service',
    ],
    ['a login session', '0::/user.slice/user-1000.slice/session-3.scope\n', null],
    [
      'a user service is not the system unit',
      '0::/user.slice/user-1000.slice/user@1000.service/app.slice/relay.service\n',
      null,
    ],
    ['a container or a shell', '0::/\n', null],
  ];
  for (const [name, cgroup, want] of cases) it(name, () => expect(unitOf(cgroup)).toBe(want));
});

describe('healthVerdict: is the restarted relay up?', () => {
  const T = Date.UTC(2026, 0, 1, 12);
  const up: ReportedHealth = {
    status: 'ok',
    version: '0.2.0',
    reasons: [],
    spool: { pending: 0, error: null },
    cloud: { reachable: null, last_delivery_at: null },
  };
  const cases: [string, ReportedHealth, string | null, string | null][] = [
    ['the new version, nothing waiting', up, '0.2.0', null],
    [
      'still the old version answering',
      { ...up, version: '0.1.0' },
      '0.2.0',
      '/health answers from relay 0.1.0, not 0.2.0',
    ],
    ['any version after a rollback', { ...up, version: '0.1.0' }, null, null],
    [
      'the spool failing',
      { ...up, status: 'degraded', reasons: [{ id: 'spool_failing', detail: 'the spool cannot be written' }] },
      '0.2.0',
      '/health: the spool cannot be written',
    ],
    [
      'events waiting, none delivered since the restart',
      {
        ...up,
        spool: { pending: 3, error: null },
        cloud: { reachable: null, last_delivery_at: new Date(T - 60_000).toISOString() },
      },
      '0.2.0',
      '3 events waiting, none delivered yet',
    ],
    [
      'events waiting, one delivered since the restart',
      {
        ...up,
        spool: { pending: 3, error: null },
        cloud: { reachable: true, last_delivery_at: new Date(T + 500).toISOString() },
      },
      '0.2.0',
      null,
    ],
    [
      "events waiting for a cloud that is down: not the new build's doing",
      {
        ...up,
        status: 'degraded',
        reasons: [{ id: 'cloud_unreachable', detail: 'cloud unreachable' }],
        spool: { pending: 3, error: null },
        cloud: { reachable: false, last_delivery_at: null },
      },
      '0.2.0',
      null,
    ],
  ];
  for (const [name, h, version, want] of cases) it(name, () => expect(healthVerdict(h, version, T)).toBe(want));
});
