/** The spool's background thread: see background.ts. */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import Database from 'libsql';
import { DAMAGED, type FromBackground, type ScanResult, type ToBackground } from './background.ts';
import { type FromSalvage, readCopy, type ToSalvage } from './salvage.ts';

declare const self: Worker;

type Db = InstanceType<typeof Database>;
type Totals = { n: number; bytes: number };

const post = (m: FromBackground) => postMessage(m);
/** The WAL-index header is in the machine's byte order. */
const LE = endianness() === 'LE';

/** A failed read: damage only when SQLite says so (its code or words), not busy, I/O or memory. */
function failed(err: unknown): ScanResult {
  const e = err as Error & { code?: string };
  return { ok: false, message: e.message, damaged: DAMAGED.test(`${e.code ?? ''} ${e.message}`) };
}
/** How often an idle log is looked at. */
const QUIET_TICK_MS = 100;
let db: Db | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
let shm: number | null = null;

function scan(d: Db): ScanResult {
  const started = performance.now();
  try {
    // One read transaction: the events and their counts as of the same commit.
    d.exec('BEGIN');
    try {
      const r = d.prepare('SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM events').get() as Totals;
      const kept = d
        .prepare('SELECT coalesce(sum(n), 0) AS n, coalesce(sum(bytes), 0) AS bytes FROM lane_counts')
        .get() as Totals;
      const ms = Math.round(performance.now() - started);
      return { ok: true, events: r.n, ms, countsDiffer: r.n !== kept.n || r.bytes !== kept.bytes };
    } finally {
      d.exec('COMMIT');
    }
  } catch (err) {
    return failed(err);
  }
}

/**
 * Frames in the log not yet copied into the database, from the WAL-index
 * header in the -shm file (https://sqlite.org/walformat.html#the_wal_index_file_format:
 * mxFrame at byte 16, nBackfill at byte 96, native byte order). A torn read
 * only moves one checkpoint by a tick; null when the file cannot be read.
 */
function pendingFrames(fd: number | null, buf: Buffer): number | null {
  if (fd === null) return null;
  try {
    if (readSync(fd, buf, 0, 100, 0) < 100) return null;
  } catch {
    return null;
  }
  const mxFrame = LE ? buf.readUInt32LE(16) : buf.readUInt32BE(16);
  const backfilled = LE ? buf.readUInt32LE(96) : buf.readUInt32BE(96);
  return Math.max(0, mxFrame - backfilled);
}

/**
 * Checkpoints in small steps: every `everyMs` the log is looked at, and
 * copied once it holds `frames` new pages (or anything, after `idleMs`).
 * Small steps keep each checkpoint's fsync of the database short, because a
 * long one delays the writer's own fsync of the log on the same disk; a
 * checkpoint per tick whatever the log holds would mean many small commits,
 * one database fsync each. Each checkpoint's fsyncs queue with the writer's,
 * so the step trades acks/s against the p99 of a few clients (the step sizes
 * tried and their figures: README "Performance", "Why the spool is built so").
 * A log with a few pages left for `idleMs` is copied too (so the first small
 * commit after a quiet spell is copied at once); after a second with nothing
 * new the log is looked at every 100 ms, so an idle relay costs next to nothing.
 * Once nothing new came for `trimQuietMs`, a log file larger than
 * `trimAboveBytes` is emptied (wal_checkpoint(TRUNCATE)), so a burst's log
 * does not stay on the disk; never under load, where it would have to grow
 * again under the writer's fsyncs.
 */
function checkpoints(
  d: Db,
  path: string,
  o: { everyMs: number; idleMs: number; frames: number; trimQuietMs: number; trimAboveBytes: number },
): void {
  const checkpoint = d.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  const trim = trimmer(d, path, o.trimAboveBytes);
  let trimmed = false;
  let fd: number | null = null;
  try {
    fd = openSync(`${path}-shm`, 'r');
    shm = fd;
  } catch {
    fd = null; // no shared-memory file to read: checkpoint on time alone
  }
  const buf = Buffer.alloc(100);
  let last = performance.now();
  let busy = last;
  let failing = false;
  const tick = () => {
    const pending = pendingFrames(fd, buf);
    const now = performance.now();
    if (pending !== 0) {
      busy = now;
      trimmed = false;
    }
    const due =
      pending === null ? now - last >= o.idleMs / 10 : pending >= o.frames || (pending > 0 && now - last >= o.idleMs);
    if (due) {
      last = now;
      try {
        checkpoint.get();
        if (failing) post({ t: 'checkpoint', ok: true });
        failing = false;
      } catch (err) {
        if (!failing) post({ t: 'checkpoint', ok: false, message: (err as Error).message });
        failing = true;
      }
    }
    if (!trimmed && pending === 0 && now - busy >= o.trimQuietMs) trimmed = trim();
    timer = setTimeout(tick, now - busy > 1000 ? QUIET_TICK_MS : o.everyMs);
  };
  timer = setTimeout(tick, o.everyMs);
}

/**
 * Empties the log when its file is larger than `above` bytes; true when
 * nothing is left to do (emptied, small already, or no log). It never waits:
 * a reader or writer at work makes it try again at the next quiet tick (a
 * TRUNCATE checkpoint that waited would hold new writers back meanwhile).
 */
function trimmer(d: Db, path: string, above: number): () => boolean {
  const truncate = d.prepare('PRAGMA wal_checkpoint(TRUNCATE)');
  return () => {
    let size = 0;
    try {
      size = statSync(`${path}-wal`).size;
    } catch {
      return true; // no log
    }
    if (size <= above) return true;
    try {
      d.exec('PRAGMA busy_timeout = 0');
      const r = truncate.get() as { busy: number };
      return r.busy === 0;
    } catch {
      return false; // busy: the next quiet tick tries again
    } finally {
      d.exec('PRAGMA busy_timeout = 1000');
    }
  };
}

function start(m: Extract<ToBackground, { t: 'start' }>): void {
  try {
    db = new Database(m.path);
    // A checkpoint fsyncs the database before the log may be reused
    // (https://sqlite.org/pragma.html#pragma_synchronous): FULL here as on the writer.
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA busy_timeout = 1000');
    // One pass over the table, and checkpoints that copy through their own
    // buffer: a page cache would only hold RSS.
    db.exec('PRAGMA cache_size = -128');
  } catch (err) {
    post({ t: 'scan', result: failed(err) });
    return;
  }
  const result = scan(db);
  post({ t: 'scan', result });
  // Never copy into a file the scan found damaged.
  if (m.checkpoint && result.ok) checkpoints(db, m.path, m.checkpoint);
}

/** A salvage thread: the same script, reading a damaged file's copy (salvage.ts). */
let next: (() => void) | null = null;
function salvageOnThread(source: string, hi: number | null): void {
  void readCopy(
    source,
    async (rows) => {
      const asked = new Promise<void>((resolve) => {
        next = resolve;
      });
      postMessage({ t: 'rows', rows } satisfies FromSalvage);
      await asked;
    },
    hi,
  ).then((r) => postMessage({ t: 'done', ...r } satisfies FromSalvage));
}

self.onmessage = (e: MessageEvent<ToBackground | ToSalvage>) => {
  const m = e.data;
  if (m.t === 'start') return start(m);
  if (m.t === 'salvage') return salvageOnThread(m.source, m.hi);
  if (m.t === 'next') {
    next?.();
    return;
  }
  clearTimeout(timer);
  try {
    if (shm !== null) closeSync(shm);
    db?.close();
  } catch {
    // a connection that failed to open has nothing to release
  } finally {
    db = null;
    post({ t: 'stopped' });
  }
};
