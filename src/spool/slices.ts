/**
 * Maintenance (the retention prune, `relay events purge`, `replay
 * --all-dead`) works on a large spool in slices: short transactions with a
 * pause between them, so the writer that acknowledges a POS's events never
 * waits long for the database. A transaction that deleted 1,000 delivered
 * events at once held the write lock for tens of milliseconds on a busy
 * disk, and a purge that took the lock again at once kept the server's
 * writer in SQLite's busy wait (its event loop stopped) for up to 1.8 s.
 */

export const SLICE = {
  /** Rows in the first slice. */
  firstRows: 100,
  minRows: 10,
  maxRows: 1000,
  /** A slice should hold the write lock about this long. */
  targetMs: 10,
  /** The shortest pause between slices: the busy handler of a writer waiting for the lock sleeps 1, 2, 5 ms... */
  minPauseMs: 5,
} as const;

export type SliceSettings = { [K in keyof typeof SLICE]: number };

/**
 * Slices from another process (`relay events purge`, `replay --all-dead`
 * beside a running relay): the relay's writer waits for the lock in SQLite's
 * busy handler, which sleeps ever longer between tries (1, 2, 5, 10 ... up to
 * 100 ms). Pauses shorter than its sleeps let the other process take the lock
 * again and again before it looks (acks p99 580 ms during a purge of 100,000
 * events with 10 ms pauses); a pause of 100 ms lets every waiting writer in.
 */
export const BESIDE_RELAY: SliceSettings = { ...SLICE, minPauseMs: 100 };

/**
 * The next slice's size from the last one's: halved when it took longer than
 * the target, doubled when it took under half of it, within min and max.
 */
export function nextSliceRows(rows: number, tookMs: number, s: SliceSettings = SLICE): number {
  let next = rows;
  if (tookMs > s.targetMs) next = Math.floor(rows / 2);
  else if (tookMs < s.targetMs / 2) next = rows * 2;
  return Math.max(s.minRows, Math.min(s.maxRows, next));
}

/**
 * The pause after a slice: as long as the slice held the lock, so a writer
 * waiting for it gets the database at least half of the time.
 */
export function pauseAfter(tookMs: number, s: SliceSettings = SLICE): number {
  return Math.max(s.minPauseMs, Math.ceil(tookMs));
}

/** What one slice did: rows changed (fewer than asked: the work is done) and how long it held the lock. */
export interface SliceDone {
  rows: number;
  ms: number;
}

/**
 * Runs `slice(rows)` until it changes fewer rows than asked, pausing between
 * slices; `stop()` ends it early (the spool closing). The total changed.
 */
export async function inSlices(
  slice: (rows: number) => Promise<SliceDone>,
  opts: { onSlice?: (done: number) => void; stop?: () => boolean; settings?: SliceSettings } = {},
): Promise<number> {
  const s = opts.settings ?? SLICE;
  let rows = s.firstRows;
  let done = 0;
  for (;;) {
    if (opts.stop?.()) return done;
    const r = await slice(rows);
    done += r.rows;
    if (r.rows > 0) opts.onSlice?.(done);
    if (r.rows < rows) return done;
    rows = nextSliceRows(rows, r.ms, s);
    await Bun.sleep(pauseAfter(r.ms, s));
  }
}
