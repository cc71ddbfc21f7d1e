/**
 * The lossy FS itself (test/fuse/lossy_fs.py): that it loses exactly what was
 * not fsynced. The power-cut test (test/binary/power-cut.test.ts) is only as
 * good as this: an FS that kept unsynced data would pass any program.
 */

import { Database } from 'bun:sqlite';
import { afterAll, beforeAll, expect, it } from 'bun:test';
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeUnless } from '../helpers/skip.ts';
import { fuseUnavailable, LossyFs } from './lossy-fs.ts';

const why = await fuseUnavailable();

describeUnless(why)('the lossy FS', () => {
  let dir: string;
  let fs: LossyFs;
  const at = (name: string) => join(fs.mnt, name);
  const cut = async (o: { keep?: number; seed?: number } = {}) => {
    const r = await fs.powerCut(o);
    fs = r.fs;
    return r.report;
  };
  /** write(2) at an offset, then optionally fsync(2), through one descriptor. */
  const put = (name: string, bytes: string | Uint8Array, o: { at?: number; sync?: boolean; flags?: string } = {}) => {
    const fd = openSync(at(name), o.flags ?? (existsSync(at(name)) ? 'r+' : 'w+'));
    const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    writeSync(fd, b, 0, b.length, o.at ?? 0);
    if (o.sync) fsyncSync(fd);
    closeSync(fd);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lossy-fs-test-'));
    fs = await LossyFs.mount({ backing: join(dir, 'backing'), mnt: join(dir, 'mnt') });
  });
  afterAll(async () => {
    await fs?.unmount();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps what was fsynced, drops what was only written, and reads its own unsynced writes', async () => {
    put('a.txt', 'synced', { sync: true });
    put('a.txt', '-not-synced', { at: 6 });
    expect(readFileSync(at('a.txt'), 'utf8')).toBe('synced-not-synced');
    const report = await cut();
    expect(report.lost_pages_by_name['a.txt']).toBe(1);
    expect(readFileSync(at('a.txt'), 'utf8')).toBe('synced');
    expect(fs.problems()).toEqual([]);
  });

  it('undoes an unsynced truncation; a synced one stays, and what it cut off reads as zeros', async () => {
    put('t.bin', 'x'.repeat(10_000), { sync: true });
    const shrinkThenGrow = (sync: boolean) => {
      const fd = openSync(at('t.bin'), 'r+');
      ftruncateSync(fd, 100);
      writeSync(fd, Buffer.from('y'.repeat(10)), 0, 10, 8000);
      if (sync) fsyncSync(fd);
      closeSync(fd);
    };
    const expected = 'x'.repeat(100) + '\0'.repeat(7900) + 'y'.repeat(10);
    shrinkThenGrow(false);
    expect(readFileSync(at('t.bin'), 'latin1')).toBe(expected);
    await cut();
    expect(readFileSync(at('t.bin'), 'latin1')).toBe('x'.repeat(10_000));
    shrinkThenGrow(true);
    await cut();
    expect(readFileSync(at('t.bin'), 'latin1')).toBe(expected);
  });

  it('removes a file created and never made durable; keeps one whose directory was fsynced (empty)', async () => {
    put('new2.txt', 'b');
    const d = openSync(fs.mnt, 'r');
    fsyncSync(d);
    closeSync(d);
    put('new1.txt', 'a'); // created after the directory's fsync
    put('new3.txt', 'c', { sync: true });
    const report = await cut();
    expect(report.created_removed).toBe(1);
    expect(existsSync(at('new1.txt'))).toBe(false);
    expect(statSync(at('new2.txt')).size).toBe(0);
    expect(readFileSync(at('new3.txt'), 'utf8')).toBe('c');
  });

  it('a torn cut lets a random part of the unsynced pages through, each whole', async () => {
    put('torn.bin', new Uint8Array(64 * 4096), { sync: true });
    const pages = new Uint8Array(64 * 4096);
    for (let p = 0; p < 64; p++) pages.fill(p + 1, p * 4096, (p + 1) * 4096);
    put('torn.bin', pages);
    const report = await cut({ keep: 0.5, seed: 7 });
    expect(report.pages).toBe(64);
    expect(report.pages_kept).toBeGreaterThan(10);
    expect(report.pages_kept).toBeLessThan(54);
    const after = readFileSync(at('torn.bin'));
    let through = 0;
    for (let p = 0; p < 64; p++) {
      const page = after.subarray(p * 4096, (p + 1) * 4096);
      const v = page[0]!;
      expect(v === 0 || v === p + 1).toBe(true);
      expect(page.every((b) => b === v)).toBe(true);
      if (v !== 0) through++;
    }
    expect(through).toBe(report.pages_kept);
  });

  it('serves SQLite in WAL mode (its -shm mmapped): committed with FULL survives, with OFF does not', async () => {
    const db = at('w.db');
    // A child process killed with SIGKILL, as the relay is: no close, no checkpoint.
    const script = `
      import { Database } from 'bun:sqlite';
      const db = new Database(${JSON.stringify(db)});
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (i INTEGER)');
      for (let i = 0; i < 50; i++) db.run('INSERT INTO t VALUES (?)', [i]);
      db.exec('PRAGMA synchronous = OFF');
      for (let i = 50; i < 100; i++) db.run('INSERT INTO t VALUES (?)', [i]);
      console.log(db.query('SELECT count(*) AS n FROM t').get().n);
      await Bun.sleep(60_000);`;
    writeFileSync(join(dir, 'sqlite-child.ts'), script);
    const child = Bun.spawn([process.execPath, join(dir, 'sqlite-child.ts')], { stdout: 'pipe', stderr: 'inherit' });
    const reader = child.stdout.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first.trim()).toBe('100');
    child.kill('SIGKILL');
    await child.exited;
    const report = await cut();
    expect(report.lost_pages_by_name['w.db-wal']).toBeGreaterThan(0);
    const after = new Database(db);
    expect((after.query('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(50);
    expect((after.query('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
    after.close();
    expect(fs.problems()).toEqual([]);
  });
});
