/**
 * A spool holding a large backlog, made fast: the relay binary opens the file
 * once (so the schema is exactly what its migrations make), then rows go in
 * with libSQL directly, in big transactions with synchronous=OFF (this is test
 * data; a crash here only means running the bench again).
 */

import { join } from 'node:path';
import Database from 'libsql';
import { RECOUNT_SQL } from '../../src/spool/statements.ts';
import { BENCH_TOKENS, freePort, startRelayBinary } from './lib.ts';

export interface Seeded {
  path: string;
  rows: number;
  seconds: number;
  bytes: number;
}

export async function seedSpool(
  dir: string,
  rows: number,
  body: Uint8Array,
  log: (l: string) => void,
): Promise<Seeded> {
  const relay = await startRelayBinary({ dir, port: freePort(), cloudUrl: `http://127.0.0.1:${freePort()}` });
  await relay.stop();
  const path = join(dir, 'spool.db');
  const started = performance.now();
  const db = new Database(path);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = OFF');
    db.exec('PRAGMA cache_size = -262144'); // 256 MB while seeding: the indexes stay in memory
    const insert = db.prepare(
      `INSERT INTO events (id, token, env, body, size, received_at, status, attempts, warnings)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, NULL)`,
    );
    const begin = db.prepare('BEGIN IMMEDIATE');
    const commit = db.prepare('COMMIT');
    const t0 = Date.now() - rows; // one ms apart, oldest first, as a real backlog
    const CHUNK = 50_000;
    for (let done = 0; done < rows; ) {
      const n = Math.min(CHUNK, rows - done);
      begin.run();
      for (let i = 0; i < n; i++, done++) {
        // Round-robin over the tokens: four lanes of 250k, interleaved as a busy site's would be.
        insert.run(
          Bun.randomUUIDv7(),
          BENCH_TOKENS[done % BENCH_TOKENS.length],
          'prod',
          body,
          body.byteLength,
          t0 + done,
        );
      }
      commit.run();
      if (done % 250_000 === 0) log(`  seeded ${done.toLocaleString('en-US')} events`);
    }
    // The relay's writer counts what it inserts in lane_counts; a seed that
    // bypasses it must do the same (drizzle/0002_lane_counts.sql).
    db.exec(RECOUNT_SQL);
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return { path, rows, seconds, bytes: Bun.file(path).size };
}
