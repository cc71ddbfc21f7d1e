/**
 * The ladder's Worker rung (ladder.ts): storing on a thread of its own,
 * with the fsync pipelined. COMMIT runs with synchronous=NORMAL (no fsync),
 * then one fsync of the WAL answers every batch committed before it; the
 * batches that arrive meanwhile are committed next, while the main thread
 * goes on parsing.
 */
import { fsyncSync } from 'node:fs';
import { type Appendable, openStore } from './ladder-store.ts';

declare const self: Worker;
type Batch = { id: number; events: Appendable[] };

let store: ReturnType<typeof openStore> | null = null;
let wal = -1;
let queue: Batch[] = [];
let scheduled = false;

function work(): void {
  scheduled = false;
  const batches = queue;
  queue = [];
  store!.write(batches.flatMap((b) => b.events));
  if (wal < 0) wal = store!.walFd();
  fsyncSync(wal);
  postMessage(batches.map((b) => b.id));
}

self.onmessage = (ev: MessageEvent<{ path: string } | Batch>) => {
  if ('path' in ev.data) {
    store = openStore(ev.data.path, 'NORMAL');
    postMessage('ready');
    return;
  }
  queue.push(ev.data);
  if (!scheduled) {
    scheduled = true;
    setImmediate(work);
  }
};
