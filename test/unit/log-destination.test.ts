/**
 * The relay's own log never stops it (src/lib/log.ts LogDestination): a write
 * that fails is dropped and counted in its health, reported once, and tried
 * again after a backoff; the first line that gets through says how many were
 * lost. Real files and devices: /dev/full (ENOSPC without a mount), a folder
 * removed under the log, a FIFO whose reader left (EPIPE) or stopped reading
 * (EAGAIN), a tmpfs that really fills up. The cap under a flood is here too.
 */
import { describe, expect, it } from 'bun:test';
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  createFileLogger,
  createLogger,
  fileDestination,
  LOG_RETRY_MS,
  type LogHealth,
  streamDestination,
} from '../../src/lib/log.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { FakeClock } from '../helpers/clock.ts';
import { NO_TMPFS, tmpfsDisk } from '../helpers/disk.ts';
import { logFileLines as lines } from '../helpers/log.ts';
import { itUnless } from '../helpers/skip.ts';

const onCleanup = useCleanup();

/** A destination's stderr reports, captured. */
const reports = () => {
  const seen: string[] = [];
  return { seen, report: (l: string) => void seen.push(l) };
};

/** Everything a non-blocking reader can read now (readFileSync throws EAGAIN on it). */
function drain(fd: number): string {
  let out = '';
  const buf = Buffer.alloc(1 << 16);
  for (;;) {
    let n = 0;
    try {
      n = readSync(fd, buf);
    } catch {
      return out;
    }
    if (n <= 0) return out;
    out += buf.subarray(0, n).toString();
  }
}

/** Every line of a file is a whole JSON line: none glued to a half-written one. */
const allJson = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown> & { msg: string });

describe('a log that cannot be written', () => {
  it('on a full device (ENOSPC): logging never throws, lines are counted, reported once, retried after the backoff', () => {
    const clock = new FakeClock();
    const r = reports();
    const dest = fileDestination('/dev/full', { clock, report: r.report });
    const log = createLogger('info', dest);
    for (let i = 0; i < 100; i++) log.warn({ i }, 'line');
    log.fatal('fatal');
    log.flush();
    const h: LogHealth = dest.health();
    expect(h).toEqual({
      ok: false,
      error: 'ENOSPC: no space left on device, write',
      failures: 101,
      since: clock.now(),
    });
    expect(r.seen).toHaveLength(1);
    expect(r.seen[0]).toContain('relay: cannot write the log (/dev/full): ENOSPC');
    // Past the backoff it tries again, still fails, and says nothing more.
    clock.advance(LOG_RETRY_MS);
    log.info('again');
    dest.check();
    expect(dest.health()).toMatchObject({ ok: false, failures: 102, since: clock.now() - LOG_RETRY_MS });
    expect(r.seen).toHaveLength(1);
  });

  it('on stdout that went away (EPIPE), and on a closed fd (EBADF): counted, never thrown', () => {
    const dir = onCleanup.tempDir('relay-log-pipe-');
    const fifo = join(dir, 'fifo');
    expect(Bun.spawnSync(['mkfifo', fifo]).exitCode).toBe(0);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    onCleanup(() => closeSync(writer));
    const r = reports();
    const dest = streamDestination(writer, 'standard output', { clock: new FakeClock(), report: r.report });
    const log = createLogger('info', dest);
    log.info('read');
    expect(drain(reader)).toContain('"msg":"read"');
    closeSync(reader); // the reader left: EPIPE
    for (let i = 0; i < 10; i++) log.info({ i }, 'line');
    expect(dest.health()).toMatchObject({ ok: false, error: 'EPIPE: broken pipe, write', failures: 10 });
    expect(r.seen).toEqual([expect.stringContaining('relay: cannot write the log (standard output): EPIPE')]);

    const fd = openSync(join(dir, 'closed'), 'a');
    closeSync(fd);
    const bad = streamDestination(fd, 'closed', { report: () => {} });
    createLogger('info', bad).info('line');
    expect(bad.health()).toMatchObject({ ok: false, error: 'EBADF: bad file descriptor, write', failures: 1 });
  });

  it('on a reader that stopped reading (EAGAIN): drops the line after a short wait instead of holding the relay', () => {
    const dir = onCleanup.tempDir('relay-log-slow-');
    const fifo = join(dir, 'fifo');
    expect(Bun.spawnSync(['mkfifo', fifo]).exitCode).toBe(0);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    onCleanup(() => {
      closeSync(writer);
      closeSync(reader);
    });
    const clock = new FakeClock();
    const dest = streamDestination(writer, 'standard output', { clock, report: () => {} });
    const log = createLogger('info', dest);
    const started = performance.now();
    for (let i = 0; i < 2000; i++) log.info({ i, pad: 'x'.repeat(1000) }, 'line'); // 2 MB into a 64 KB pipe
    expect(performance.now() - started).toBeLessThan(1000);
    const h = dest.health();
    expect(h).toMatchObject({ ok: false, error: expect.stringMatching(/EAGAIN/) });
    expect(h.failures).toBeGreaterThan(1900);
    // Once the reader catches up, the next try past the backoff writes the note, on a line of its own.
    let read = drain(reader);
    clock.advance(LOG_RETRY_MS);
    log.info('after');
    read += drain(reader);
    const got = read
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; lost?: number });
    expect(got.at(-2)).toMatchObject({ msg: 'the log could not be written; lines were lost', lost: h.failures });
    expect(got.at(-1)!.msg).toBe('after');
    expect(dest.health()).toMatchObject({ ok: true, since: null, failures: h.failures });
  });
});

describe('a log file whose folder is removed', () => {
  it('notices within a second and starts a new file, recreating the folder', () => {
    const dir = onCleanup.tempDir('relay-log-removed-');
    const path = join(dir, 'logs', 'relay.log');
    const clock = new FakeClock();
    const f = createFileLogger('info', path, { clock, checkEveryMs: 3_600_000, report: () => {} });
    onCleanup(() => f.stop());
    f.logger.info('before');
    rmSync(join(dir, 'logs'), { recursive: true });
    clock.advance(1000);
    f.logger.info('after');
    expect(lines(path).map((l) => l.msg)).toEqual(['log file was removed or replaced; a new one was started', 'after']);
    expect(f.health()).toMatchObject({ ok: true, failures: 0 });
  });

  it('while it cannot be recreated: counted, reported once; once it can, the first line says how many were lost', () => {
    const dir = onCleanup.tempDir('relay-log-blocked-');
    const path = join(dir, 'logs', 'relay.log');
    const clock = new FakeClock();
    const r = reports();
    const f = createFileLogger('info', path, { clock, checkEveryMs: 3_600_000, report: r.report });
    onCleanup(() => f.stop());
    f.logger.info('before');
    rmSync(join(dir, 'logs'), { recursive: true });
    writeFileSync(join(dir, 'logs'), ''); // a file where the folder was: it cannot be made again
    clock.advance(1000);
    for (let i = 0; i < 7; i++) f.logger.info({ i }, 'lost');
    expect(f.health()).toMatchObject({ ok: false, failures: 7, since: clock.now() });
    expect(f.health().error).toMatch(/EEXIST|ENOTDIR/);
    // Before the backoff is over nothing is tried; after it, still blocked: counted again.
    clock.advance(LOG_RETRY_MS);
    f.check();
    f.logger.info('lost too');
    expect(f.health()).toMatchObject({ ok: false, failures: 8 });
    expect(r.seen).toHaveLength(1);

    rmSync(join(dir, 'logs'));
    clock.advance(LOG_RETRY_MS);
    f.check(); // the timer: recovers without waiting for the next line
    expect(f.health()).toMatchObject({ ok: true, failures: 8, since: null });
    f.logger.info('back');
    expect(lines(path)).toEqual([
      expect.objectContaining({ msg: 'the log could not be written; lines were lost', lost: 8 }),
      expect.objectContaining({ msg: 'back' }),
    ]);
    expect(r.seen[1]).toBe(`relay: the log (${path}) is written again; 8 lines were lost`);
  });
});

describe('a log file on a disk that fills up', () => {
  itUnless(NO_TMPFS)(
    'cuts off a half-written line, keeps failing quietly while full, and recovers when space returns',
    () => {
      const disk = tmpfsDisk(onCleanup, 1);
      const path = join(disk.dir, 'relay.log');
      const clock = new FakeClock();
      const r = reports();
      const f = createFileLogger('info', path, { clock, checkEveryMs: 3_600_000, report: r.report });
      onCleanup(() => f.stop());
      // 'first' fills the file's first page but for a few bytes: neither the
      // big line nor the note of what was lost fits there once the disk is full.
      let bare = 0;
      createLogger('info', { write: (l: string) => void (bare = Buffer.byteLength(l)) }).info({ pad: '' }, 'first');
      f.logger.info({ pad: 'p'.repeat(4096 - 40 - bare) }, 'first');
      expect(statSync(path).size).toBe(4096 - 40);
      disk.fill();
      writeFileSync(join(disk.dir, 'keep'), ''); // the disk is full: nothing more fits
      // A line bigger than what is left in the file's last page: part of it goes out, then ENOSPC.
      f.logger.warn({ pad: 'y'.repeat(20_000) }, 'big');
      for (let i = 0; i < 50; i++) f.logger.warn({ i }, 'line');
      expect(f.health()).toMatchObject({ ok: false, failures: 51 });
      expect(f.health().error).toMatch(/ENOSPC/);
      expect(allJson(path).map((l) => l.msg)).toEqual(['first']); // no fragment of 'big' left behind
      expect(r.seen).toHaveLength(1);

      clock.advance(LOG_RETRY_MS);
      f.logger.warn('still full');
      expect(f.health()).toMatchObject({ ok: false, failures: 52 });

      disk.free();
      clock.advance(LOG_RETRY_MS);
      f.logger.info('space again');
      expect(allJson(path).map((l) => [l.msg, l.lost])).toEqual([
        ['first', undefined],
        ['the log could not be written; lines were lost', 52],
        ['space again', undefined],
      ]);
      expect(f.health()).toEqual({
        ok: true,
        error: expect.stringMatching(/ENOSPC/),
        failures: 52,
        since: null,
      });
    },
  );
});

describe('the cap under a flood', () => {
  it('holds the file and <file>.1 within their size however fast lines come, checked as it writes', () => {
    const dir = onCleanup.tempDir('relay-log-flood-');
    const path = join(dir, 'relay.log');
    const maxBytes = 64 * 1024;
    // A timer that never fires in the test: the cap is the writes' own.
    const f = createFileLogger('info', path, { maxBytes, checkEveryMs: 3_600_000 });
    onCleanup(() => f.stop());
    let peak = 0;
    for (let i = 0; i < 50_000; i++) {
      f.logger.warn({ i, token: 'abcd1234', reason: 'spool full' }, 'refused');
      if (i % 100 === 0)
        peak = Math.max(peak, statSync(path).size + (statSync(`${path}.1`, { throwIfNoEntry: false })?.size ?? 0));
    }
    expect(statSync(path).size).toBeLessThanOrEqual(maxBytes);
    expect(statSync(`${path}.1`).size).toBeLessThanOrEqual(maxBytes);
    expect(peak).toBeLessThanOrEqual(2 * maxBytes);
    expect(existsSync(`${path}.2`)).toBe(false);
    // Nothing lost, nothing glued: the newest lines are there, whole, in order.
    const last = [...allJson(`${path}.1`), ...allJson(path)].filter((l) => l.msg === 'refused').map((l) => l.i);
    expect(last.at(-1)).toBe(49_999);
    expect(last).toEqual([...Array(last.length).keys()].map((k) => 50_000 - last.length + k));
    expect(f.health()).toMatchObject({ ok: true, failures: 0 });
  });

  it('keeps its size when it cannot be renamed: the file is emptied instead, and says so', () => {
    const dir = onCleanup.tempDir('relay-log-norename-');
    const path = join(dir, 'relay.log');
    mkdirSync(`${path}.1`);
    writeFileSync(join(`${path}.1`, 'in the way'), ''); // rename onto a folder that is not empty fails
    const maxBytes = 4096;
    const f = createFileLogger('info', path, { maxBytes, checkEveryMs: 3_600_000 });
    onCleanup(() => f.stop());
    for (let i = 0; i < 1000; i++) f.logger.warn({ i }, 'refused');
    expect(statSync(path).size).toBeLessThanOrEqual(maxBytes);
    const got = allJson(path);
    expect(got[0]).toMatchObject({
      level: 'warn',
      msg: 'log file rotation failed; the file was emptied instead to keep its size',
    });
    expect(got.at(-1)).toMatchObject({ msg: 'refused', i: 999 });
    expect(f.health()).toMatchObject({ ok: true, failures: 0 });
  });
});
