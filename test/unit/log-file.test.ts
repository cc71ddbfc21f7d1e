/**
 * log.file (src/lib/log.ts createFileLogger): JSON lines appended to the file,
 * rotated to <file>.1 past its size, and a clear error when the file cannot
 * be made. The binary logging to a file is test/binary/log-file.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileLogger } from '../../src/lib/log.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { logFileLines as lines } from '../helpers/log.ts';

const onCleanup = useCleanup();

describe('log.file', () => {
  it('appends JSON lines to the file, and past its size moves them to <file>.1 and starts again', () => {
    const path = join(onCleanup.tempDir('relay-logfile-'), 'logs', 'relay.log'); // the folder is created
    const f = createFileLogger('info', path, { maxBytes: 2000, checkEveryMs: 3_600_000 });
    onCleanup(() => f.stop());
    for (let i = 0; i < 5; i++) f.logger.info({ i }, 'line');
    expect(f.rotateIfLarge()).toBe(false); // ~500 bytes: below the limit
    for (let i = 5; i < 40; i++) f.logger.info({ i }, 'line');
    expect(f.rotateIfLarge()).toBe(true);
    expect(lines(`${path}.1`).map((l) => l.i)).toEqual([...Array(40).keys()]);
    f.logger.info({ i: 40 }, 'line');
    expect(lines(path).map((l) => l.msg)).toEqual(['log file rotated', 'line']);
    // A second rotation replaces the older file: two files at most.
    for (let i = 41; i < 80; i++) f.logger.info({ i }, 'line');
    expect(f.rotateIfLarge()).toBe(true);
    expect(lines(`${path}.1`).at(-1)!.i).toBe(79);
    expect(existsSync(`${path}.2`)).toBe(false);
  });

  it('throws, naming the reason, when the file cannot be created', () => {
    const dir = onCleanup.tempDir('relay-logfile-bad-');
    writeFileSync(join(dir, 'not-a-dir'), '');
    expect(() => createFileLogger('info', join(dir, 'not-a-dir', 'relay.log'))).toThrow(
      /EEXIST|ENOTDIR|not a directory/,
    );
  });
});
