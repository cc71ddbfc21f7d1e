import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import Database from 'libsql';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { runMigrations } from './migrate.ts';
import { migrations } from './migrations.generated.ts';
import * as schema from './schema.ts';

export type SyncDb = InstanceType<typeof Database>;
export type Drizzle = LibSQLDatabase<typeof schema>;

/** The spool file cannot be used; the message says which file and what to do. */
export class SpoolOpenError extends Error {
  override name = 'SpoolOpenError';
}

const SQLITE_HEADER = 'SQLite format 3\0';

/**
 * A spool that is not a database is never overwritten or recreated: it may be
 * the only copy of a restaurant's unsent events. Refuse and say what to do.
 */
function checkHeader(path: string): void {
  if (!existsSync(path)) return;
  const size = statSync(path).size;
  if (size === 0) return; // a new, empty file: SQLite initialises it
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(16);
  try {
    readSync(fd, buf, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (size < 100 || buf.toString('latin1') !== SQLITE_HEADER) {
    throw new SpoolOpenError(
      `spool ${path}: not a relay spool (no SQLite header). The file was left untouched. ` +
        `Move it aside (mv "${path}" "${path}.broken") to start an empty spool, or set spool.path to the right file.`,
    );
  }
}

export interface OpenedSpool {
  /** Synchronous connection: the single writer and the forwarder's lane reads. */
  sync: SyncDb;
  /** drizzle over @libsql/client: migrations and reporting queries. */
  db: Drizzle;
  client: Client;
}

export async function openSpoolFiles(path: string): Promise<OpenedSpool> {
  mkdirSync(dirname(path), { recursive: true });
  checkHeader(path);
  let sync: SyncDb;
  try {
    sync = new Database(path);
    // WAL + synchronous=FULL: a commit returns only after the WAL is fsynced
    // (https://sqlite.org/pragma.html#pragma_synchronous), so an ack is durable.
    sync.exec('PRAGMA journal_mode = WAL');
    sync.exec('PRAGMA synchronous = FULL');
    sync.exec('PRAGMA busy_timeout = 5000');
    sync.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
    throw new SpoolOpenError(
      `spool ${path}: cannot open (${(e as Error).message}). The file was left untouched. ` +
        `If it is damaged, move it aside (mv "${path}" "${path}.broken") and start again; ` +
        `check that the directory is writable and the disk is not full.`,
    );
  }
  const client = createClient({ url: `file:${path}` });
  const db = drizzle(client, { schema });
  try {
    await client.execute('PRAGMA busy_timeout = 5000');
    await runMigrations(db, migrations);
  } catch (e) {
    sync.close();
    client.close();
    throw new SpoolOpenError(`spool ${path}: migration failed (${(e as Error).message})`);
  }
  return { sync, db, client };
}
