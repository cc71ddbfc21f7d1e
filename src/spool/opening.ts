import { existsSync, statSync } from 'node:fs';
import { BACKSTOP_PAGES, type Background, DAMAGED, startBackground } from './background.ts';
import { tooNew } from './format.ts';
import { lockSpool, type SpoolLock } from './lock.ts';
import {
  type Drizzle,
  openSpoolFiles,
  SpoolDamagedError,
  SpoolOpenError,
  type SyncDb,
  WAL_KEEP_BYTES,
} from './open.ts';
import { keepOpen } from './quarantine.ts';
import { readMaxSeq } from './salvage-read.ts';
import type { SpoolDeps } from './types.ts';

/**
 * Opening a spool, in order: its lock (`relay serve` only), the file checks
 * and migrations (open.ts), then the background thread's integrity read,
 * waited for when the file is small enough (see Spool.open).
 */

/** See Spool.open. */
const SCAN_FIRST_BYTES = 64 * 1024 * 1024;

/** The spool's size on disk, its write-ahead log included. */
function fileBytes(path: string): number {
  const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
  return size(path) + size(`${path}-wal`);
}

/** A spool SQLite calls damaged (DAMAGED), wherever in opening it first shows, is refused with advice. */
function damagedOpen(path: string, e: unknown): unknown {
  if (e instanceof SpoolDamagedError || !DAMAGED.test((e as Error).message)) return e;
  return new SpoolDamagedError(
    `spool ${path}: the database is damaged (${(e as Error).message}). The relay will not write to it. ` +
      `Keep a copy of the spool folder, then move the file aside (mv "${path}" "${path}.broken") ` +
      `to start an empty spool, or restore it from a backup.`,
  );
}

/** What the relay says once the background read found the spool it serves damaged. */
export const damagedWhileServing = (path: string, message: string): string =>
  `spool ${path}: the database is damaged (${message}); the relay stopped taking events. ` +
  `Stop it, keep a copy of the spool folder, then move the file aside ` +
  `(mv "${path}" "${path}.broken") to start an empty spool, or restore it from a backup.`;

/** What an opened spool is made of; `close` gives back everything but the connections. */
export interface Opened {
  sync: SyncDb;
  db: Drizzle;
  closeClient: () => void;
  background: Background | null;
  lock: SpoolLock | null;
}

/**
 * Opens the files and, unless `deps.background` is false, starts the
 * background thread; `build` makes the Spool from them. Whatever fails gives
 * back the lock and stops the thread, leaving the connections open: closing
 * the last one would checkpoint into a damaged file.
 */
export async function openChecked<T>(deps: SpoolDeps, build: (o: Opened) => T): Promise<T> {
  // Before any write, the lock's holder row included: a spool a newer relay
  // migrated is refused untouched (format.ts).
  const newer = tooNew(deps.path);
  if (newer) throw new SpoolOpenError(newer);
  const lock = deps.lock ? lockSpool(deps.path) : null;
  let background: Background | null = null;
  let files: Awaited<ReturnType<typeof openSpoolFiles>> | null = null;
  try {
    files = await openSpoolFiles(deps.path);
    const { sync, db, client } = files;
    const checkpoint = deps.checkpointThread !== false;
    if (deps.background !== false) {
      background = startBackground(deps.path, { checkpoint, log: deps.log, trimAboveBytes: WAL_KEEP_BYTES });
      if (fileBytes(deps.path) <= (deps.scanFirstBytes ?? SCAN_FIRST_BYTES)) {
        const r = await background.scanned;
        if (!r.ok && r.damaged) throw new Error(r.message);
      }
    }
    const built = build({ sync, db, closeClient: () => client.close(), background, lock });
    if (background && checkpoint) sync.exec(`PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    // No thread to cut the log back once writes pause: SQLite cuts it whenever it starts over.
    else sync.exec(`PRAGMA journal_size_limit = ${WAL_KEEP_BYTES}`);
    return built;
  } catch (e) {
    // The thread's connection is not the last one: closing it copies nothing.
    await background?.stop();
    lock?.release();
    const err = damagedOpen(deps.path, e);
    if (err instanceof SpoolDamagedError && files) {
      err.leftOpen.push(files.sync, files.client);
      keepOpen(files.sync, files.client);
      err.maxSeq = readMaxSeq(files.sync);
    }
    throw err;
  }
}
