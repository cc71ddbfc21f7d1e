/** The integrity scan's thread (integrity.ts): one read of every event, then an answer. */
import Database from 'libsql';
import type { ScanResult } from './integrity.ts';

declare const self: Worker;

type Totals = { n: number; bytes: number };

self.onmessage = (e: MessageEvent<string>) => {
  const started = performance.now();
  let db: InstanceType<typeof Database> | undefined;
  let answer: ScanResult;
  try {
    db = new Database(e.data, { readonly: true });
    // One read transaction: the events and their counts as of the same commit.
    db.exec('BEGIN');
    const r = db.prepare('SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM events').get() as Totals;
    const kept = db
      .prepare('SELECT coalesce(sum(n), 0) AS n, coalesce(sum(bytes), 0) AS bytes FROM lane_counts')
      .get() as Totals;
    db.exec('COMMIT');
    answer = {
      ok: true,
      events: r.n,
      ms: Math.round(performance.now() - started),
      countsDiffer: r.n !== kept.n || r.bytes !== kept.bytes,
    };
  } catch (err) {
    answer = { ok: false, message: (err as Error).message };
  } finally {
    try {
      db?.close();
    } catch {
      // closing a connection that failed to open: nothing to release
    }
  }
  postMessage(answer);
};
