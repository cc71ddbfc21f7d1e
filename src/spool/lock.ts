import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database from 'libsql';
import { SpoolOpenError } from './open.ts';

/**
 * One relay per spool. Two `relay serve` on the same spool.path (the service
 * and a second one started by hand on another port, say) would each deliver
 * the same pending events, so the cloud would get them twice and out of
 * order. The port alone does not catch it (two configs, two ports).
 *
 * The lock is a small SQLite file beside the spool, `<spool.path>.lock`,
 * held with SQLite's own file locking (https://sqlite.org/lockingv3.html):
 * POSIX advisory locks on Linux, LockFileEx on Windows. The operating system
 * drops them when the process ends however it ends (kill -9, power loss), so
 * there is never a stale lock to delete by hand. The holder keeps a RESERVED
 * lock (an open write transaction), which still lets another process read who
 * holds it for the error message. CLI commands (`relay events`, `status`) do
 * not take it: they are meant to run beside the server.
 *
 * Two things undo the lock without telling anyone, so nothing in the relay may
 * do them: on Linux, opening and closing `<spool>.lock` in this process other
 * than through this connection (POSIX locks belong to the process and go with
 * any close of the file); and deleting the file while a relay runs (the next
 * relay locks a new file). On Windows the system frees a killed process's
 * locks "depending on available system resources" (LockFileEx docs), so a
 * start right after a crash may be refused once.
 */
export interface SpoolLock {
  release(): void;
}

type Holder = { pid: number; host: string; since: string };

const BUSY = /SQLITE_BUSY|database is locked/i;
const FULL = /SQLITE_FULL|database or disk is full/i;

export function lockSpool(path: string): SpoolLock {
  const lockPath = `${path}.lock`;
  let db: InstanceType<typeof Database>;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(lockPath);
    // Rollback journal, not WAL: a RESERVED lock then keeps out every other
    // writer while readers may still look.
    db.exec('PRAGMA busy_timeout = 0');
  } catch (e) {
    throw new SpoolOpenError(`spool ${path}: cannot open its lock file ${lockPath}: ${(e as Error).message}`);
  }
  const refuse = (): never => {
    const holder = readHolder(db);
    db.close();
    const who = holder ? `pid ${holder.pid} on ${holder.host}, since ${holder.since}` : 'another process';
    throw new SpoolOpenError(
      `spool ${path} is in use by another relay (${who}). Two relays on one spool would each deliver ` +
        `the same events. Stop the other one first (the relay service, or the other ` +
        `"relay serve"), or give this one its own spool.path.`,
    );
  };
  // Who holds it is committed first, so that a second relay can name us; then
  // the lock is taken again and kept. Should another relay slip in between,
  // it holds the lock and its own name, and this one is refused.
  try {
    db.exec('PRAGMA journal_mode = DELETE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, host TEXT NOT NULL, since TEXT NOT NULL)');
    db.exec('BEGIN IMMEDIATE');
    db.exec('DELETE FROM holder');
    db.prepare('INSERT INTO holder (pid, host, since) VALUES (?, ?, ?)').run([
      process.pid,
      hostname(),
      new Date().toISOString(),
    ]);
    // A relay being refused reads the holder row under a shared lock for
    // microseconds; the commit waits those out instead of failing.
    db.exec('PRAGMA busy_timeout = 250');
    db.exec('COMMIT');
    db.exec('PRAGMA busy_timeout = 0');
    db.exec('BEGIN IMMEDIATE');
  } catch (e) {
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.exec('PRAGMA busy_timeout = 0');
    } catch {
      // nothing was written that needs undoing
    }
    if (BUSY.test((e as Error).message)) return refuse();
    // A full disk has no room for the holder row's journal; the lock itself
    // needs none. The relay starts (and answers 503 until space returns); a
    // second relay is still refused, though the holder it names may be an
    // earlier one.
    if (FULL.test((e as Error).message)) {
      try {
        db.exec('BEGIN IMMEDIATE');
        return holding(db);
      } catch (e2) {
        if (BUSY.test((e2 as Error).message)) return refuse();
      }
    }
    db.close();
    throw new SpoolOpenError(
      `spool ${path}: cannot lock ${lockPath}: ${(e as Error).message}; the relay must be able to write ` +
        `that file (same user as the spool, a writable folder)`,
    );
  }
  return holding(db);
}

/** The lock, kept by the open write transaction on `db` until released. */
function holding(db: InstanceType<typeof Database>): SpoolLock {
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      try {
        db.exec('ROLLBACK');
      } finally {
        db.close();
      }
    },
  };
}

function readHolder(db: InstanceType<typeof Database>): Holder | null {
  try {
    return (db.prepare('SELECT pid, host, since FROM holder LIMIT 1').get() as Holder | undefined) ?? null;
  } catch {
    return null; // the holder is between its two transactions, or an older file
  }
}
