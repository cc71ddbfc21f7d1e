/** The spool's background thread: see background.ts. */
import Database from 'libsql';
import type { FromBackground, ScanResult, ToBackground } from './background.ts';

declare const self: Worker;

type Db = InstanceType<typeof Database>;
type Totals = { n: number; bytes: number };

const post = (m: FromBackground) => postMessage(m);
let db: Db | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

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
    return { ok: false, message: (err as Error).message };
  }
}

function checkpoints(d: Db, everyMs: number, idleMs: number): void {
  const checkpoint = d.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  let wait = everyMs;
  let failing = false;
  const tick = () => {
    let copied = 0;
    try {
      copied = (checkpoint.get() as { checkpointed: number }).checkpointed;
      if (failing) post({ t: 'checkpoint', ok: true });
      failing = false;
    } catch (err) {
      if (!failing) post({ t: 'checkpoint', ok: false, message: (err as Error).message });
      failing = true;
    }
    // While events arrive, look again soon; when idle, back off: a quiet relay costs nothing.
    wait = copied > 0 ? everyMs : Math.min(idleMs, wait * 2);
    timer = setTimeout(tick, wait);
  };
  timer = setTimeout(tick, wait);
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
    post({ t: 'scan', result: { ok: false, message: (err as Error).message } });
    return;
  }
  const result = scan(db);
  post({ t: 'scan', result });
  // Never copy into a file the scan found damaged.
  if (m.checkpoint && result.ok) checkpoints(db, m.checkpoint.everyMs, m.checkpoint.idleMs);
}

self.onmessage = (e: MessageEvent<ToBackground>) => {
  const m = e.data;
  if (m.t === 'start') return start(m);
  clearTimeout(timer);
  try {
    db?.close();
  } catch {
    // a connection that failed to open has nothing to release
  } finally {
    db = null;
    post({ t: 'stopped' });
  }
};
