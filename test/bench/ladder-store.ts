/**
 * The ladder's model of the spool's append (ladder.ts): the relay's own
 * tables (the migrations in drizzle/, applied in order), multi-row INSERTs of
 * 32/8/1 events as in src/spool/statements.ts, and the batch's lane_counts
 * row; one transaction per batch. `sync` is SQLite's synchronous setting:
 * OFF (no fsync at all), FULL (the WAL fsynced inside every COMMIT, as the
 * relay does) or NORMAL (no fsync in COMMIT: the caller fsyncs the WAL).
 * A model, not the spool: no quota, no damage handling, no forwarder.
 */
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';

export type Sync = 'OFF' | 'FULL' | 'NORMAL';
const DRIZZLE = join(import.meta.dir, '..', '..', 'drizzle');
const COLUMNS = ['seq', 'id', 'token', 'env', 'body', 'size', 'received_at', 'warnings'];
const CHUNKS = [32, 8, 1] as const;

export interface Appendable {
  seq: number;
  token: string;
  body: Uint8Array;
}

export function openStore(path: string, sync: Sync) {
  const db = new Database(path);
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${sync}`);
  for (const f of readdirSync(DRIZZLE)
    .filter((n) => n.endsWith('.sql'))
    .sort())
    db.exec(readFileSync(join(DRIZZLE, f), 'utf8'));
  const row = `(${COLUMNS.map(() => '?').join(', ')})`;
  const inserts = new Map(
    CHUNKS.map((n) => [
      n,
      db.prepare(
        `INSERT INTO events (${COLUMNS.join(', ')}) VALUES ${Array.from({ length: n }, () => row).join(', ')}`,
      ),
    ]),
  );
  const count = db.prepare(
    `INSERT INTO lane_counts (token, env, status, n, bytes) VALUES (?, 'prod', 'pending', ?, ?)
     ON CONFLICT (token, env, status) DO UPDATE SET n = n + excluded.n, bytes = bytes + excluded.bytes`,
  );
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  return {
    /** The events in one transaction; returns when COMMIT did (after its fsync under FULL). */
    write(events: readonly Appendable[]): void {
      begin.run();
      let bytes = 0;
      for (let at = 0; at < events.length; ) {
        const n = CHUNKS.find((c) => c <= events.length - at)!;
        const args: unknown[] = [];
        for (let i = at; i < at + n; i++) {
          const e = events[i]!;
          args.push(e.seq, `evt-${e.seq}`, e.token, 'prod', e.body, e.body.byteLength, Date.now(), null);
          bytes += e.body.byteLength;
        }
        inserts.get(n)!.run(args);
        at += n;
      }
      if (events.length > 0) count.run(events[0]!.token, events.length, bytes);
      commit.run();
    },
    /** A descriptor of the WAL, for fsyncs of its own (exists after the first write). */
    walFd: (): number => openSync(`${path}-wal`, 'r+'),
  };
}
