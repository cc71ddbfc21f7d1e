/** The integrity scan's thread (integrity.ts): one read of every event, then an answer. */
import Database from 'libsql';
import type { ScanResult } from './integrity.ts';

declare const self: Worker;

self.onmessage = (e: MessageEvent<string>) => {
  const started = performance.now();
  let db: InstanceType<typeof Database> | undefined;
  let answer: ScanResult;
  try {
    db = new Database(e.data, { readonly: true });
    const r = db.prepare('SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM events').get() as { n: number };
    answer = { ok: true, events: r.n, ms: Math.round(performance.now() - started) };
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
