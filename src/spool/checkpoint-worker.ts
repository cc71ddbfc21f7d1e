/**
 * The spool's checkpoint thread (checkpoint.ts): copies committed pages from
 * the write-ahead log into the database file, beside the thread that takes
 * events, so that an ack never waits on that copy and its fsync.
 */
import Database from 'libsql';
import type { CheckpointReport, ToCheckpointer } from './checkpoint.ts';

declare const self: Worker;

let db: InstanceType<typeof Database> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

function start(path: string, everyMs: number, idleMs: number): void {
  db = new Database(path);
  // A checkpoint fsyncs the database before the log may be reused
  // (https://sqlite.org/pragma.html#pragma_synchronous): FULL here as on the writer.
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA busy_timeout = 1000');
  const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  let wait = everyMs;
  let failing = false;
  const tick = () => {
    let copied = 0;
    try {
      copied = (checkpoint.get() as { checkpointed: number }).checkpointed;
      if (failing) postMessage({ ok: true } satisfies CheckpointReport);
      failing = false;
    } catch (err) {
      failing = true;
      postMessage({ ok: false, message: (err as Error).message } satisfies CheckpointReport);
    }
    // While events arrive, look again soon; when idle, back off: a quiet relay costs nothing.
    wait = copied > 0 ? everyMs : Math.min(idleMs, wait * 2);
    timer = setTimeout(tick, wait);
  };
  timer = setTimeout(tick, wait);
}

self.onmessage = (e: MessageEvent<ToCheckpointer>) => {
  const m = e.data;
  if (m.t === 'start') {
    try {
      start(m.path, m.everyMs, m.idleMs);
    } catch (err) {
      postMessage({ ok: false, message: (err as Error).message } satisfies CheckpointReport);
    }
    return;
  }
  clearTimeout(timer);
  try {
    db?.close();
  } finally {
    db = null;
    postMessage({ ok: true, stopped: true } satisfies CheckpointReport);
  }
};
