/**
 * log.file (src/lib/log.ts createFileLogger): JSON lines appended to the file,
 * rotated to <file>.1 as it writes and at start, and a clear error when the
 * file cannot be made. A log that fails as it runs (disk full, file removed)
 * is test/unit/log-destination.test.ts; the binary logging to a file is
 * test/binary/log-file.test.ts, on a full disk test/binary/log-faults.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileLogger, isLogConfigError, LOG_DISK_STATE_CODES } from '../../src/lib/log.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { logFileLines as lines } from '../helpers/log.ts';

const onCleanup = useCleanup();

describe('log.file', () => {
  it('appends JSON lines to the file, and as it reaches its size moves them to <file>.1 and starts again', () => {
    const path = join(onCleanup.tempDir('relay-logfile-'), 'logs', 'relay.log'); // the folder is created
    const f = createFileLogger('info', path, { maxBytes: 2000, checkEveryMs: 3_600_000 });
    onCleanup(() => f.stop());
    for (let i = 0; i < 5; i++) f.logger.info({ i }, 'line');
    expect(f.rotateIfLarge()).toBe(false); // ~400 bytes: below the limit
    expect(existsSync(`${path}.1`)).toBe(false);
    // Each line is ~75 bytes: the 27th would take the file past 2000, so it starts the new file.
    for (let i = 5; i < 40; i++) f.logger.info({ i }, 'line');
    const first = lines(`${path}.1`).map((l) => l.i);
    expect(first).toEqual([...Array(first.length).keys()]);
    expect(statSync(`${path}.1`).size).toBeLessThanOrEqual(2000);
    const now = lines(path);
    expect(now[0]!.msg).toBe('log file rotated');
    expect(now.slice(1).map((l) => l.i)).toEqual([...Array(40).keys()].slice(first.length));
    // Again and again: two files at most, each within the limit.
    for (let i = 40; i < 200; i++) f.logger.info({ i }, 'line');
    expect(statSync(path).size).toBeLessThanOrEqual(2000);
    expect(statSync(`${path}.1`).size).toBeLessThanOrEqual(2000);
    expect(lines(path).at(-1)!.i).toBe(199);
    expect(existsSync(`${path}.2`)).toBe(false);
  });

  it('rotates at start a file left at its size by an earlier run', () => {
    const dir = onCleanup.tempDir('relay-logfile-start-');
    const path = join(dir, 'relay.log');
    writeFileSync(path, `${JSON.stringify({ msg: 'old', i: 0 })}\n`.repeat(100)); // ~1.7 KB
    const f = createFileLogger('info', path, { maxBytes: 1000, checkEveryMs: 3_600_000 });
    onCleanup(() => f.stop());
    expect(lines(`${path}.1`)).toHaveLength(100);
    expect(lines(path).map((l) => l.msg)).toEqual(['log file rotated']);
  });

  it('throws, naming the reason, when the file cannot be created', () => {
    const dir = onCleanup.tempDir('relay-logfile-bad-');
    writeFileSync(join(dir, 'not-a-dir'), '');
    expect(() => createFileLogger('info', join(dir, 'not-a-dir', 'relay.log'))).toThrow(
      /EEXIST|ENOTDIR|not a directory/,
    );
    mkdirSync(join(dir, 'a-folder'));
    expect(() => createFileLogger('info', join(dir, 'a-folder'))).toThrow(/EISDIR/);
  });

  it('at start, tells the config apart from the disk: a full disk starts, a bad path stops', () => {
    const table: [string, boolean][] = [
      ['ENOSPC', false],
      ['EDQUOT', false],
      ['EIO', false],
      ['EMFILE', false],
      ['EISDIR', true],
      ['ENOTDIR', true],
      ['EEXIST', true],
      ['EACCES', true],
      ['EPERM', true],
      ['EROFS', true],
      ['ENAMETOOLONG', true],
    ];
    for (const [code, config] of table) expect([code, isLogConfigError(code)]).toEqual([code, config]);
    for (const code of LOG_DISK_STATE_CODES) expect(isLogConfigError(code)).toBe(false);
  });
});
