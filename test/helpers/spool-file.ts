import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import Database from 'libsql';
import { WAL_KEEP_BYTES } from '../../src/spool/open.ts';

/**
 * The spool file as an outside program sees it (a technician's sqlite3 beside
 * the running relay): a short-lived connection of the test's own, never the
 * relay's. What a test reads here is what is on disk, committed.
 */
export function onSpoolFile<T>(path: string, fn: (db: InstanceType<typeof Database>) => T): T {
  const db = new Database(path);
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    return fn(db);
  } finally {
    db.close();
  }
}

/** One row of a query on the spool file, or undefined. */
export const fileRow = <T>(path: string, sql: string, ...args: unknown[]): T | undefined =>
  onSpoolFile(path, (db) => db.prepare(sql).get(...args) as T | undefined);

/** Every row of a query on the spool file. */
export const fileRows = <T>(path: string, sql: string, ...args: unknown[]): T[] =>
  onSpoolFile(path, (db) => db.prepare(sql).all(...args) as T[]);

/** Runs statements on the spool file, as another program would. */
export const fileExec = (path: string, sql: string): void => onSpoolFile(path, (db) => void db.exec(sql));

/** An event's status (pending, delivered, dead) read straight from the file; undefined when it is not there. */
export const fileStatus = (path: string, id: string): string | undefined =>
  fileRow<{ status: string }>(path, 'SELECT status FROM events WHERE id = ?', id)?.status;

/** Counts per status, read straight from the file. */
export function fileCounts(path: string): Record<'pending' | 'delivered' | 'dead', number> {
  const rows = fileRows<{ status: string; n: number }>(
    path,
    'SELECT status, count(*) AS n FROM events GROUP BY status',
  );
  return { pending: 0, delivered: 0, dead: 0, ...Object.fromEntries(rows.map((r) => [r.status, r.n])) };
}

/** Writes a page of garbage in the middle of the events (after a checkpoint, so the file holds them all). */
export function damageMiddlePage(path: string): void {
  const db = new Database(path);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  const pageSize = (db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size;
  db.close();
  const pages = statSync(path).size / pageSize;
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, Math.floor(pages / 2) * pageSize);
  closeSync(fd);
}

/**
 * What the spool takes on disk as the quota counts it: pages in use plus the
 * write-ahead log, at least the size the log is cut back to.
 */
export function fileDiskBytes(path: string): number {
  const pages = onSpoolFile(path, (db) => {
    const one = (p: string) => Number(Object.values(db.prepare(`PRAGMA ${p}`).get() as object)[0]);
    return (one('page_count') - one('freelist_count')) * one('page_size');
  });
  let wal = 0;
  try {
    wal = statSync(`${path}-wal`).size;
  } catch {
    // no log
  }
  return pages + Math.max(wal, WAL_KEEP_BYTES);
}
