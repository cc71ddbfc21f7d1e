import type { Logger } from '../lib/log.ts';
import { workerUrl } from './worker-url.ts';

/**
 * The spool's background thread (background-worker.ts), one Worker with its
 * own connection, for two jobs the thread taking events should not wait on:
 *
 * - An integrity scan at start: every event read once, because SQLite reports
 *   a damaged page only when something reads it and start-up no longer reads
 *   every event (counts live in `lane_counts`). `sum(size)` needs each row's
 *   record, which sits after the body: every leaf and overflow page is read.
 *   It also compares the events with their counts in the same snapshot.
 * - WAL checkpoints. SQLite's automatic checkpoint runs inside the commit
 *   that crosses `wal_autocheckpoint` pages (https://sqlite.org/wal.html#automatic_checkpoint):
 *   that writer copies ~4 MB into the database file and fsyncs it while the
 *   acks of its batch wait. Here PASSIVE checkpoints (they never block the
 *   writer) run in small steps while events arrive; the writer keeps its own
 *   automatic checkpoint at BACKSTOP_PAGES should this thread fall behind or stop.
 *
 * One thread for both: each Worker is a JavaScript VM of its own (~4 MB RSS).
 */

/** `countsDiffer`: lane_counts disagreed with the events (rows inserted around the relay's writer). */
export type ScanResult =
  | { ok: true; events: number; ms: number; countsDiffer: boolean }
  | { ok: false; message: string; damaged: boolean };

/** SQLite's words for a damaged file (SQLITE_CORRUPT*, SQLITE_NOTADB), as opposed to busy, I/O or memory. */
export const DAMAGED = /malformed|not a database|SQLITE_CORRUPT|SQLITE_NOTADB/i;

export type ToBackground =
  | {
      t: 'start';
      path: string;
      checkpoint: {
        everyMs: number;
        idleMs: number;
        frames: number;
        trimQuietMs: number;
        trimAboveBytes: number;
      } | null;
    }
  | { t: 'stop' };
export type FromBackground =
  | { t: 'scan'; result: ScanResult }
  | { t: 'checkpoint'; ok: true }
  | { t: 'checkpoint'; ok: false; message: string }
  | { t: 'stopped' };

/** The thread checkpoints once the log holds this many pages not yet in the database (background-worker.ts). */
export const CHECKPOINT_PAGES = 256;

/** The writer's own automatic checkpoint, in pages, while the thread checkpoints (SQLite's default is 1000). */
export const BACKSTOP_PAGES = 8000;

/** After this long without a new page in the log, a log larger than WAL_KEEP_BYTES is emptied (background-worker.ts). */
export const TRIM_QUIET_MS = 2000;

export interface Background {
  scanned: Promise<ScanResult>;
  stop(): Promise<void>;
}

export function startBackground(
  path: string,
  opts: { checkpoint: boolean; log: Logger /** A quiet log larger than this is emptied. */; trimAboveBytes: number },
): Background {
  const { log } = opts;
  const worker = new Worker(workerUrl('background-worker'), { smol: true });
  let settle: (r: ScanResult) => void = () => {};
  const scanned = new Promise<ScanResult>((resolve) => {
    settle = resolve;
  });
  let stopped: (() => void) | null = null;
  worker.onmessage = (e: MessageEvent<FromBackground>) => {
    const m = e.data;
    if (m.t === 'scan') {
      settle(m.result);
      // Nothing more to do on this thread: end it, a Worker holds memory.
      if (!opts.checkpoint) void stop();
    } else if (m.t === 'stopped') stopped?.();
    else if (m.ok) log.info('background checkpoints work again');
    else log.warn({ err: m.message }, 'background checkpoint failed; the writer checkpoints itself meanwhile');
  };
  worker.onerror = (e) => {
    settle({ ok: false, message: e.message, damaged: false });
    log.warn({ err: e.message }, 'spool background thread stopped; the writer checkpoints itself');
  };
  // See checkpoints() in background-worker.ts for how these were chosen.
  const checkpoint = opts.checkpoint
    ? {
        everyMs: 5,
        idleMs: 1000,
        frames: CHECKPOINT_PAGES,
        trimQuietMs: TRIM_QUIET_MS,
        trimAboveBytes: opts.trimAboveBytes,
      }
    : null;
  worker.postMessage({ t: 'start', path, checkpoint } satisfies ToBackground);
  let ended: Promise<void> | null = null;
  const stop = () => {
    ended ??= (async () => {
      await Promise.race([
        new Promise<void>((resolve) => {
          stopped = resolve;
          worker.postMessage({ t: 'stop' } satisfies ToBackground);
        }),
        Bun.sleep(2000),
      ]);
      worker.terminate();
      settle({ ok: false, message: 'the scan was stopped before it read every event', damaged: false });
    })();
    return ended;
  };
  return { scanned, stop };
}
