import { getTableColumns } from 'drizzle-orm';
import type { SyncDb } from './open.ts';
import { events } from './schema.ts';
import type { EventRow } from './types.ts';

/**
 * Reading what SQLite can still read out of a damaged spool: events by seq
 * ranges, a range that fails split in halves down to single rows, so one bad
 * page costs only the rows on it. Delivered events are not read back (the
 * cloud has them). Runs on a copy of the damaged files, never on them.
 */

/** Every column a salvaged event keeps; what delivery wrote is not needed. */
export const SALVAGE_COLUMNS = [
  'seq',
  'id',
  'token',
  'env',
  'body',
  'size',
  'receivedAt',
  'status',
  'attempts',
  'lastAttemptAt',
  'lastStatus',
  'lastError',
  'warnings',
] as const satisfies readonly (keyof EventRow)[];
export type SalvageRow = Pick<EventRow, (typeof SALVAGE_COLUMNS)[number]>;

const COLUMNS = getTableColumns(events);
const SELECT = SALVAGE_COLUMNS.map((k) => (COLUMNS[k].name === k ? k : `${COLUMNS[k].name} AS ${k}`)).join(', ');

/** Rows per read while ranges read cleanly. */
export const SALVAGE_CHUNK = 500;

/** Seq ranges that could not be read, merged: `[first, last]`. */
export type Unreadable = [number, number][];

export interface ReadOutcome {
  /** The highest seq the file says it holds, or null when even that cannot be read. */
  maxSeq: number | null;
  unreadable: Unreadable;
}

/** The highest seq, or null: reading it touches only the rightmost pages, so it usually survives. */
export function readMaxSeq(db: SyncDb): number | null {
  try {
    const r = db.prepare('SELECT max(seq) AS m FROM events').get() as { m: number | null };
    return r.m === null ? 0 : Number(r.m);
  } catch {
    return null;
  }
}

/**
 * Reads events with seq in [1, hi] that are pending or dead, in seq order,
 * handing each readable chunk to `take` (awaited: its pace is the reader's).
 */
export async function readSalvageable(
  db: SyncDb,
  hi: number,
  take: (rows: SalvageRow[]) => Promise<void> | void,
): Promise<Unreadable> {
  // NOT INDEXED: by the table's own b-tree (rowid ranges), so a damaged index page costs nothing.
  const stmt = db.prepare(
    `SELECT ${SELECT} FROM events NOT INDEXED WHERE seq BETWEEN ? AND ? AND status != 'delivered' ORDER BY seq`,
  );
  // One row by its key: a range scan steps on to the next row to end, which may be the damaged one.
  const one = db.prepare(`SELECT ${SELECT} FROM events WHERE seq = ? AND status != 'delivered'`);
  const unreadable: Unreadable = [];
  const bad = (from: number, to: number) => {
    const last = unreadable.at(-1);
    if (last && last[1] === from - 1) last[1] = to;
    else unreadable.push([from, to]);
  };
  // Ranges still to read, lowest first (a stack popped from the end).
  const todo: [number, number][] = [];
  for (let top = hi; top >= 1; top -= SALVAGE_CHUNK) todo.push([Math.max(1, top - SALVAGE_CHUNK + 1), top]);
  while (todo.length > 0) {
    const [from, to] = todo.pop()!;
    let rows: SalvageRow[];
    try {
      rows = (from === to ? one.all(from) : stmt.all(from, to)) as SalvageRow[];
    } catch {
      if (from === to) bad(from, to);
      else {
        const mid = Math.floor((from + to) / 2);
        todo.push([mid + 1, to], [from, mid]);
      }
      continue;
    }
    if (rows.length > 0) await take(rows.map((r) => ({ ...r, body: Buffer.from(r.body) })));
  }
  return unreadable;
}

/** "seq 40-57, 90": unreadable ranges for a report. */
export const describeUnreadable = (u: Unreadable): string =>
  u.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ');
