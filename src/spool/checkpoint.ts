import type { Logger } from '../lib/log.ts';
import { workerUrl } from './worker-url.ts';

/**
 * WAL checkpoints on their own thread. SQLite's automatic checkpoint runs
 * inside the commit that crosses `wal_autocheckpoint` pages
 * (https://sqlite.org/wal.html#automatic_checkpoint): that writer copies
 * ~4 MB into the database file and fsyncs it while the acks of its batch
 * wait. Here a second connection checkpoints (PASSIVE: it never blocks the
 * writer) every few ms while events arrive, and the writer keeps its automatic
 * checkpoint at a larger log (BACKSTOP_PAGES) in case this thread falls
 * behind or stops.
 */
export type ToCheckpointer = { t: 'start'; path: string; everyMs: number; idleMs: number } | { t: 'stop' };
export type CheckpointReport = { ok: true; stopped?: boolean } | { ok: false; message: string };

/** The writer's own automatic checkpoint, in pages, while this thread runs (SQLite's default is 1000). */
export const BACKSTOP_PAGES = 8000;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(path: string, log: Logger): Checkpointer {
  const worker = new Worker(workerUrl('checkpoint-worker'));
  let stopped: (() => void) | null = null;
  worker.onmessage = (e: MessageEvent<CheckpointReport>) => {
    const r = e.data;
    if (r.ok && r.stopped) stopped?.();
    else if (r.ok) log.info('background checkpoints work again');
    else log.warn({ err: r.message }, 'background checkpoint failed; the writer checkpoints itself meanwhile');
  };
  worker.onerror = (e) => log.warn({ err: e.message }, 'checkpoint thread stopped; the writer checkpoints itself');
  worker.postMessage({ t: 'start', path, everyMs: 5, idleMs: 1000 } satisfies ToCheckpointer);
  return {
    stop: async () => {
      await Promise.race([
        new Promise<void>((resolve) => {
          stopped = resolve;
          worker.postMessage({ t: 'stop' } satisfies ToCheckpointer);
        }),
        Bun.sleep(2000),
      ]);
      worker.terminate();
    },
  };
}
