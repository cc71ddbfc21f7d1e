import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Client, createClient } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import Database from 'libsql';
import { VERSION } from '../version.ts';
import { BACKSTOP_PAGES } from './background.ts';
import { FORMAT_KEYS } from './format.ts';
import { runMigrations } from './migrate.ts';
import { migrations } from './migrations.generated.ts';
import { keepOpen } from './quarantine.ts';
import * as schema from './schema.ts';

export type SyncDb = InstanceType<typeof Database>;
export type Drizzle = LibSQLDatabase<typeof schema>;

/** The spool file cannot be used; the message says which file and what to do. */
export class SpoolOpenError extends Error {
  override name = 'SpoolOpenError';
}

/**
 * The file's content is damaged (SQLite's corruption codes, a torn header, a
 * cut file, a broken log header), as opposed to a lock, a permission or a
 * full disk: what `spool.on_damage` decides about.
 */
export class SpoolDamagedError extends SpoolOpenError {
  override name = 'SpoolDamagedError';
  /** Connections left open on the damaged files (closing the last would checkpoint into them). */
  leftOpen: unknown[] = [];
  /** The damaged file's highest seq, when it could still be read. */
  maxSeq: number | null = null;
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
    throw new SpoolDamagedError(
      `spool ${path}: not a relay spool (no SQLite header). The file was left untouched. ` +
        `Move it aside (mv "${path}" "${path}.broken", and its -wal file with it) to start an empty spool, or set spool.path to the right file.`,
    );
  }
}

const WAL_MAGIC_LE = 0x377f0682;
const WAL_MAGIC_BE = 0x377f0683;
const WAL_HEADER = 32;
const WAL_FRAME_HEADER = 24;

const moveAside = (path: string) =>
  `Keep a copy of the spool folder, then move the damaged file aside (mv "${path}" "${path}.broken", and its -wal file with it) ` +
  `to start an empty spool, or restore it from a backup.`;

/**
 * SQLite's WAL checksum (https://sqlite.org/fileformat2.html#walformat): pairs
 * of 32-bit words, in the byte order the magic number names, summed Fibonacci-style.
 */
function walChecksum(
  buf: Buffer,
  start: number,
  end: number,
  bigEndian: boolean,
  s: [number, number],
): [number, number] {
  let [s0, s1] = s;
  for (let i = start; i < end; i += 8) {
    const x0 = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
    const x1 = bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

function readHead(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(n);
  try {
    readSync(fd, buf, 0, n, 0);
  } finally {
    closeSync(fd);
  }
  return buf;
}

/**
 * A write-ahead log whose header is not SQLite's would be ignored and then
 * reset by SQLite on open, silently dropping every commit since the last
 * checkpoint: acknowledged events. Refuse instead. A log shorter than its
 * header holds no frame, so there is nothing in it to lose.
 */
function checkWal(path: string): void {
  const wal = `${path}-wal`;
  if (!existsSync(wal) || statSync(wal).size < WAL_HEADER) return;
  const h = readHead(wal, WAL_HEADER);
  const magic = h.readUInt32BE(0);
  const pageSize = h.readUInt32BE(8);
  const validPageSize = pageSize >= 512 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0;
  const magicOk = magic === WAL_MAGIC_LE || magic === WAL_MAGIC_BE;
  const [c0, c1] = magicOk ? walChecksum(h, 0, 24, magic === WAL_MAGIC_BE, [0, 0]) : [-1, -1];
  if (
    !magicOk ||
    h.readUInt32BE(4) !== 3007000 ||
    !validPageSize ||
    c0 !== h.readUInt32BE(24) ||
    c1 !== h.readUInt32BE(28)
  ) {
    throw new SpoolDamagedError(
      `spool ${path}: its write-ahead log ${wal} is damaged (not a SQLite WAL header). ` +
        `The relay left both files untouched: events acknowledged since the last checkpoint may be in the log. ` +
        `Keep a copy of the spool folder, then move the log aside (mv "${wal}" "${wal}.broken") ` +
        `to start from the last checkpoint.`,
    );
  }
}

/**
 * The pages of the last committed transaction in the WAL (frames whose salts
 * match the header and whose checksums chain, up to the last commit frame), and
 * the database size that commit declares. `null` when the log has no commit.
 */
function walCommitted(wal: string): { pages: Set<number>; dbPages: number } | null {
  if (!existsSync(wal) || statSync(wal).size < WAL_HEADER) return null;
  // Frame by frame through one buffer: a log of 32 MB read whole would add as
  // much to the RSS of a `relay status` run beside a busy relay.
  const fd = openSync(wal, 'r');
  try {
    const head = Buffer.alloc(WAL_HEADER);
    if (readSync(fd, head, 0, WAL_HEADER, 0) < WAL_HEADER) return null;
    const bigEndian = head.readUInt32BE(0) === WAL_MAGIC_BE;
    const pageSize = head.readUInt32BE(8);
    const salt1 = head.readUInt32BE(16);
    const salt2 = head.readUInt32BE(20);
    let sum: [number, number] = [head.readUInt32BE(24), head.readUInt32BE(28)];
    const frame = Buffer.alloc(WAL_FRAME_HEADER + pageSize);
    const seen: number[] = [];
    let committed: { frames: number; dbPages: number } | null = null;
    for (let off = WAL_HEADER; ; off += frame.length) {
      if (readSync(fd, frame, 0, frame.length, off) < frame.length) break;
      if (frame.readUInt32BE(8) !== salt1 || frame.readUInt32BE(12) !== salt2) break;
      sum = walChecksum(frame, 0, 8, bigEndian, sum);
      sum = walChecksum(frame, WAL_FRAME_HEADER, frame.length, bigEndian, sum);
      if (sum[0] !== frame.readUInt32BE(16) || sum[1] !== frame.readUInt32BE(20)) break;
      seen.push(frame.readUInt32BE(0));
      const dbPages = frame.readUInt32BE(4);
      if (dbPages !== 0) committed = { frames: seen.length, dbPages };
    }
    return committed && { pages: new Set(seen.slice(0, committed.frames)), dbPages: committed.dbPages };
  } finally {
    closeSync(fd);
  }
}

/**
 * A spool shorter than its header says (cut by a copy, a full disk, a broken
 * sync tool) loses pages SQLite reports only when it reaches them, maybe long
 * after start-up. The header's page count (valid when its change counter
 * matches "version-valid-for", https://sqlite.org/fileformat2.html#in_header_database_size)
 * says how long the file must be; pages beyond the end are fine only if the
 * WAL holds them (a checkpoint interrupted by a crash writes page 1 first).
 * O(1) unless the file is short; `PRAGMA quick_check` would read the whole
 * file (seconds for a large spool), so it is not run here.
 */
function checkLength(path: string): void {
  const size = statSync(path).size;
  if (size < 100) return; // empty new file (checkHeader refuses the rest)
  const h = readHead(path, 100);
  const raw = h.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const headerPages = h.readUInt32BE(28);
  if (headerPages === 0 || h.readUInt32BE(24) !== h.readUInt32BE(92)) return;
  const filePages = Math.floor(size / pageSize);
  if (filePages >= headerPages) return;
  const wal = walCommitted(`${path}-wal`);
  const needed = wal?.dbPages ?? headerPages;
  for (let p = filePages + 1; p <= needed; p++) {
    if (!wal?.pages.has(p)) {
      throw new SpoolDamagedError(
        `spool ${path}: the file is truncated (${size} bytes; its header says ${headerPages * pageSize}). ` +
          `The relay left it untouched. ${moveAside(path)}`,
      );
    }
  }
}

/**
 * The write-ahead log as the quota counts it at the least, and the size it is
 * cut back to once writes pause. While events keep coming the log keeps the
 * size it reached (33 MB in a burst at 64 connections): a log cut back each
 * time it starts over would grow its file again under every commit's fsync,
 * and that cost a fifth of the acks a second. Once the log has been quiet
 * for TRIM_QUIET_MS the background thread empties it (background-worker.ts);
 * without that thread the log is cut back to this size whenever it starts
 * over (https://sqlite.org/pragma.html#pragma_journal_size_limit, opening.ts).
 */
export const WAL_KEEP_BYTES = 4 * 1024 * 1024;

/**
 * The page cache of each of the spool's connections, in KiB, whatever the
 * spool holds: memory stays the same with 300,000 events pending as with
 * none (lane heads and counts are index lookups, lists are LIMITed). No file
 * mapping (mmap_size 0): a mapped spool would count its pages in the relay's
 * RSS. Measured on the compiled relay, 300,000 events pending over 8 lanes
 * (`make bench`, backlog): 80 MB empty, of which 45 MB are the executable's
 * own pages and 9 MB libSQL's; 100-115 MB while taking events; the rest of
 * the growth is the JavaScript heap and its allocator under load.
 */
export const CACHE_KIB = 2048;

export interface OpenedSpool {
  /** Synchronous connection: the single writer and the forwarder's lane reads. */
  sync: SyncDb;
  /** drizzle over @libsql/client: migrations and reporting queries. */
  db: Drizzle;
  client: Client;
}

export async function openSpoolFiles(path: string): Promise<OpenedSpool> {
  mkdirSync(dirname(path), { recursive: true });
  // Every check reads the files only: SQLite must not open (and on close,
  // checkpoint into) a damaged spool.
  checkHeader(path);
  if (existsSync(path)) {
    checkWal(path);
    checkLength(path);
  } else if (existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > WAL_HEADER) {
    // SQLite would reset a log with no database beside it: acknowledged events may be in it.
    throw new SpoolDamagedError(
      `spool ${path}: the database file is missing but its write-ahead log ${path}-wal is there ` +
        `(moved without it?); the log may hold acknowledged events. Put the database back beside it, ` +
        `or move the log aside too (mv "${path}-wal" "${path}-wal.broken").`,
    );
  }
  let sync: SyncDb | undefined;
  try {
    sync = new Database(path);
    // WAL + synchronous=FULL: a commit returns only after the WAL is fsynced
    // (https://sqlite.org/pragma.html#pragma_synchronous), so an ack is durable.
    sync.exec('PRAGMA journal_mode = WAL');
    sync.exec('PRAGMA synchronous = FULL');
    sync.exec('PRAGMA busy_timeout = 5000');
    sync.exec(`PRAGMA cache_size = -${CACHE_KIB}`);
    sync.exec('PRAGMA mmap_size = 0');
    sync.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
    // Never closed: closing it could checkpoint into a damaged file.
    keepOpen(sync);
    throw new SpoolOpenError(
      `spool ${path}: cannot open (${(e as Error).message}). The file was left untouched. ` +
        `If it is damaged, move it aside (mv "${path}" "${path}.broken", and its -wal file with it) and start again; ` +
        `check that the directory is writable and the disk is not full.`,
    );
  }
  const client = createClient({ url: `file:${path}` });
  const db = drizzle(client, { schema });
  try {
    await client.execute('PRAGMA busy_timeout = 5000');
    await client.execute(`PRAGMA cache_size = -${CACHE_KIB}`);
    await client.execute('PRAGMA mmap_size = 0');
    // Its commits (a purge from the CLI, a replay) leave checkpoints to the serving relay's
    // background thread, as the writer does: one here would fsync the database while that
    // relay's acks wait for their own fsync. Past this many pages it checkpoints itself.
    await client.execute(`PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    await runMigrations(db, migrations, { keys: FORMAT_KEYS, version: VERSION });
  } catch (e) {
    keepOpen(sync, client);
    throw new SpoolOpenError(`spool ${path}: migration failed (${(e as Error).message})`);
  }
  return { sync, db, client };
}
