import Database from 'libsql';

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
