import { getTableColumns } from 'drizzle-orm';
import type { SyncDb } from './open.ts';
import { ENVS, events } from './schema.ts';
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
/** Chunks read past a damaged spot when the file's extent is unknown: 10,000 seqs. */
const BLIND_CHUNKS = 20;

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
  known: number | null,
  take: (rows: SalvageRow[]) => Promise<void> | void,
): Promise<Unreadable> {
  // NOT INDEXED: by the table's own b-tree (rowid ranges), so a damaged index page costs nothing.
  const stmt = db.prepare(
    `SELECT ${SELECT} FROM events NOT INDEXED WHERE seq BETWEEN ? AND ? AND status != 'delivered' ORDER BY seq`,
  );
  // One row by its key: a range scan steps on to the next row to end, which may be the damaged one.
  const one = db.prepare(`SELECT ${SELECT} FROM events NOT INDEXED WHERE seq = ? AND status != 'delivered'`);
  const unreadable: Unreadable = [];
  const bad = (from: number, to: number) => {
    const last = unreadable.at(-1);
    if (last && last[1] === from - 1) last[1] = to;
    else unreadable.push([from, to]);
  };
  // Without a known highest seq (a cut file), the b-tree says where rows go on, until it
  // cannot say for BLIND_CHUNKS chunks in a row.
  const hi = known ?? Number.MAX_SAFE_INTEGER - SALVAGE_CHUNK;
  let blind = 0;
  // The next seq stored after `at`, by the table's b-tree: gaps (a fresh spool's floor) are skipped at once.
  const after = db.prepare('SELECT seq FROM events NOT INDEXED WHERE seq > ? ORDER BY seq LIMIT 1');
  const next = (at: number): number => {
    try {
      const r = after.get(at) as { seq: number } | undefined;
      blind = 0;
      return r ? Number(r.seq) : hi + 1;
    } catch {
      return ++blind > BLIND_CHUNKS && known === null ? hi + 1 : at + 1;
    }
  };
  // Ranges still to read, lowest first (a stack popped from the end); one chunk at a time.
  const todo: [number, number][] = [];
  let start = next(0);
  const more = () => {
    if (todo.length > 0 || start > hi) return;
    const to = Math.min(hi, start + SALVAGE_CHUNK - 1);
    todo.push([start, to]);
    start = next(to);
  };
  for (more(); todo.length > 0; more()) {
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
    // A cut file can yield rows SQLite does not call damaged (nulls past the end): each must look like an event.
    const good = rows.filter(wellFormed);
    if (good.length < rows.length) for (const r of rows) if (!wellFormed(r)) bad(r.seq, r.seq);
    if (good.length > 0) await take(good.map((r) => ({ ...r, body: Buffer.from(r.body) })));
  }
  return unreadable;
}

const STATUSES: readonly unknown[] = ['pending', 'dead'];
const LANES: readonly unknown[] = ENVS;

function wellFormed(r: SalvageRow): boolean {
  return (
    Number.isSafeInteger(r.seq) &&
    r.seq > 0 &&
    typeof r.id === 'string' &&
    typeof r.token === 'string' &&
    LANES.includes(r.env) &&
    STATUSES.includes(r.status) &&
    r.body !== null &&
    typeof r.body === 'object' &&
    typeof r.size === 'number' &&
    typeof r.receivedAt === 'number'
  );
}

/** "seq 40-57, 90": unreadable ranges for a report. */
export const describeUnreadable = (u: Unreadable): string =>
  u.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ');
