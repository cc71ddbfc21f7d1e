import { copyFileSync, existsSync, rmSync } from 'node:fs';
import Database from 'libsql';
import { DAMAGED } from './background.ts';
import type { SyncDb } from './open.ts';
import { readMaxSeq, readSalvageable, type SalvageRow, type Unreadable } from './salvage-read.ts';
import { workerUrl } from './worker-url.ts';

/**
 * A salvage reads a damaged spool's pending and dead events into the spool in
 * use. The damaged files are copied first (`<file>.salvage`, `-wal`: SQLite
 * writes the shared-memory file, and may write the database, even to read),
 * read from the copy, and the copy deleted. In the relay the reading runs on a
 * thread of its own, so the POS's answers never wait on it.
 */

export interface SalvageReport {
  source: string;
  /** Pending and dead events put into this spool. */
  restored: number;
  /** Already in this spool (an earlier salvage of the same file). */
  skipped: number;
  /** Not restored: their seq is taken, or beyond what may be given while the relay runs. */
  conflicts: number;
  /** Seq ranges SQLite could not read. */
  unreadable: Unreadable;
  /** The file's highest seq, null when unreadable (then nothing could be read). */
  maxSeq: number | null;
  error: string | null;
  ms: number;
}

/** Where the restored rows go: the spool's writer, one chunk per turn. */
export type SalvageSink = (rows: SalvageRow[]) => Promise<{ restored: number; skipped: number; conflicts: number }>;

export type ToSalvage = { t: 'salvage'; source: string; hi: number | null } | { t: 'next' };
export type FromSalvage =
  | { t: 'rows'; rows: SalvageRow[] }
  | { t: 'done'; maxSeq: number | null; unreadable: Unreadable; error: string | null };

/** The working copy of a damaged file set. */
export function copyForSalvage(source: string): string {
  const work = `${source}.salvage`;
  for (const suffix of ['', '-wal']) {
    rmSync(`${work}${suffix}`, { force: true });
    if (existsSync(`${source}${suffix}`)) copyFileSync(`${source}${suffix}`, `${work}${suffix}`);
  }
  rmSync(`${work}-shm`, { force: true });
  return work;
}

export function removeCopy(work: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${work}${suffix}`, { force: true });
}

/** The errors no retry can change: the salvage is over. */
export const FINAL = /does not exist|cannot be read at all/;

/**
 * Reads the copy of `source`, on the calling thread. `hi`: the highest seq
 * the damaged file may hold, for when it cannot say so itself (a cut file).
 */
export async function readCopy(
  source: string,
  take: (rows: SalvageRow[]) => Promise<void>,
  hi: number | null = null,
): Promise<{ maxSeq: number | null; unreadable: Unreadable; error: string | null }> {
  if (!existsSync(source)) return { maxSeq: null, unreadable: [], error: `${source} does not exist` };
  const work = `${source}.salvage`;
  let db: SyncDb | null = null;
  try {
    copyForSalvage(source);
    db = new Database(work);
    // Unknown (a cut file): read on as far as the table's b-tree leads.
    const maxSeq = readMaxSeq(db) ?? hi;
    // A connection that met a damaged page may refuse to prepare anything after: a fresh one reads.
    db.close();
    db = new Database(work);
    const unreadable = await readSalvageable(db, maxSeq, take);
    return { maxSeq, unreadable, error: null };
  } catch (e) {
    const message = (e as Error).message;
    // Every read is caught inside; what reaches here is SQLite refusing the schema itself: no retry helps.
    const error = DAMAGED.test(message) ? `the events table cannot be read at all (${message})` : message;
    return { maxSeq: null, unreadable: [], error };
  } finally {
    try {
      db?.close();
    } catch {
      // a damaged copy may refuse even to close cleanly; it is deleted next
    }
    removeCopy(work);
  }
}

/** Runs a salvage of `source` into `sink`; `threaded` reads on a Worker (the relay), else here (the CLI). */
export async function salvage(
  source: string,
  sink: SalvageSink,
  opts: { threaded: boolean; onProgress?: (restored: number) => void; signal?: AbortSignal; hi?: number | null },
): Promise<SalvageReport> {
  const started = performance.now();
  const totals = { restored: 0, skipped: 0, conflicts: 0 };
  const take = async (rows: SalvageRow[]) => {
    const r = await sink(rows);
    totals.restored += r.restored;
    totals.skipped += r.skipped;
    totals.conflicts += r.conflicts;
    opts.onProgress?.(totals.restored);
  };
  const hi = opts.hi ?? null;
  const read = opts.threaded ? await readOnThread(source, take, hi, opts.signal) : await readCopy(source, take, hi);
  return { source, ...totals, ...read, ms: Math.round(performance.now() - started) };
}

function readOnThread(
  source: string,
  take: (rows: SalvageRow[]) => Promise<void>,
  hi: number | null,
  signal?: AbortSignal,
) {
  return new Promise<{ maxSeq: number | null; unreadable: Unreadable; error: string | null }>((resolve) => {
    const stopped = { maxSeq: null, unreadable: [], error: 'stopped with the relay' };
    if (signal?.aborted) return resolve(stopped);
    const worker = new Worker(workerUrl('background-worker'), { smol: true });
    let done = false;
    const finish = (r: { maxSeq: number | null; unreadable: Unreadable; error: string | null }) => {
      if (done) return;
      done = true;
      worker.terminate();
      // A thread ended early leaves its working copy: removed here, where it ran from.
      if (r === stopped) removeCopy(`${source}.salvage`);
      resolve(r);
    };
    signal?.addEventListener('abort', () => finish(stopped));
    worker.onmessage = (e: MessageEvent<FromSalvage>) => {
      const m = e.data;
      if (m.t === 'done') return finish({ maxSeq: m.maxSeq, unreadable: m.unreadable, error: m.error });
      // A body crosses the thread as whatever the clone made of it (an ArrayBuffer, in Bun): bytes again here.
      const rows = m.rows.map((r) => ({ ...r, body: Buffer.from(r.body as unknown as ArrayBuffer) }));
      take(rows).then(
        () => !done && worker.postMessage({ t: 'next' } satisfies ToSalvage),
        (err: Error) => finish({ maxSeq: null, unreadable: [], error: `storing salvaged events: ${err.message}` }),
      );
    };
    worker.onerror = (e) => finish({ maxSeq: null, unreadable: [], error: e.message });
    worker.postMessage({ t: 'salvage', source, hi } satisfies ToSalvage);
  });
}
