import { statSync } from 'node:fs';
import { getTableColumns, getTableName } from 'drizzle-orm';
import { PACE_SAMPLE, PACE_WINDOW_MS, type RecentDeliveries } from './drain.ts';
import { type SyncDb, WAL_KEEP_BYTES } from './open.ts';
import { SALVAGE_COLUMNS, type SalvageRow } from './salvage-read.ts';
import { ENVS, EVENT_STATUSES, events } from './schema.ts';
import {
  APPEND_COLUMNS,
  type AppendRow,
  type Env,
  type EventStatus,
  HEAD_ATTEMPT_COLUMNS,
  type HeadAttempts,
  type LaneStats,
  laneKey,
  PENDING_COLUMNS,
  type PendingEvent,
  type Verdict,
} from './types.ts';

/**
 * Every statement the spool runs on its synchronous connection, in one place.
 * The hot path (appends, lane heads) is hand-prepared SQL for speed; its
 * column lists come from the drizzle schema, never restated.
 */

type Stmt = ReturnType<SyncDb['prepare']>;
const COLUMNS = getTableColumns(events);
const EVENTS = getTableName(events);

/** `received_at AS receivedAt, ...`: the schema's columns under their TypeScript names. */
const select = (keys: readonly (keyof typeof COLUMNS)[]) =>
  keys.map((k) => (COLUMNS[k].name === k ? k : `${COLUMNS[k].name} AS ${k}`)).join(', ');

/** The append INSERT's column list, from APPEND_COLUMNS. */
export const APPEND_SQL_COLUMNS = APPEND_COLUMNS.map((k) => COLUMNS[k].name);

/** One INSERT of `rows` events: a multi-row VALUES list binds a whole batch in a few calls. */
function insertRows(db: SyncDb, rows: number): Stmt {
  const one = `(${APPEND_COLUMNS.map(() => '?').join(', ')})`;
  return db.prepare(
    `INSERT INTO ${EVENTS} (${APPEND_SQL_COLUMNS.join(', ')}) VALUES ${Array.from({ length: rows }, () => one).join(', ')}`,
  );
}

/**
 * Appends go in as multi-row INSERTs of these sizes (largest first): one
 * statement call per 32 rows instead of one per row costs less CPU per event
 * (README "Performance"). 32 × 8 parameters stays far below SQLite's limit of 32766.
 */
const CHUNKS = [32, 8, 1] as const;

/** lane_counts from a full count of the events: for a spool written around the writer. */
export const RECOUNT_SQL = `DELETE FROM lane_counts;
  INSERT INTO lane_counts (token, env, status, n, bytes)
  SELECT token, env, status, count(*), coalesce(sum(size), 0) FROM events GROUP BY token, env, status`;

export type Statements = ReturnType<typeof prepareStatements>;

/** The rows of spool_meta (schema.ts `spoolMeta`). */
export type MetaKey = 'seq_floor' | 'salvage_sources' | 'salvage_report' | 'quarantined' | 'alerts' | 'site_id';

const SALVAGE_SQL_COLUMNS = SALVAGE_COLUMNS.map((k) => COLUMNS[k].name);

/** An attempt as recorded; `detail` is the cloud's event id when delivered, else the error. */
export interface Recorded {
  at: number;
  status: number | null;
  detail: string | null;
}

export function prepareStatements(db: SyncDb, path: string) {
  const s = {
    pageCount: db.prepare('PRAGMA page_count'),
    freePages: db.prepare('PRAGMA freelist_count'),
    pageSize: db.prepare('PRAGMA page_size'),
    // After a quarantine the fresh spool starts above every seq of the damaged one (spool_meta.seq_floor).
    maxSeq: db.prepare(
      `SELECT max(coalesce((SELECT max(seq) FROM events), 0),
        coalesce((SELECT CAST(value AS INTEGER) - 1 FROM spool_meta WHERE key = 'seq_floor'), 0)) AS m`,
    ),
    metaGet: db.prepare('SELECT value FROM spool_meta WHERE key = ?'),
    metaSet: db.prepare(
      'INSERT INTO spool_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    metaDelete: db.prepare('DELETE FROM spool_meta WHERE key = ?'),
    idAt: db.prepare('SELECT id FROM events WHERE seq = ?'),
    legacyId: db.prepare('SELECT seq FROM legacy_ids WHERE id = ?'),
    salvaged: db.prepare(
      `INSERT INTO events (${SALVAGE_SQL_COLUMNS.join(', ')}) VALUES (${SALVAGE_COLUMNS.map(() => '?').join(', ')})`,
    ),
    keepLegacy: db.prepare('INSERT OR IGNORE INTO legacy_ids (id, seq) VALUES (?, ?)'),
    countOne: db.prepare(
      `INSERT INTO lane_counts (token, env, status, n, bytes) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (token, env, status) DO UPDATE SET n = n + 1, bytes = bytes + excluded.bytes`,
    ),
    head: db.prepare(
      `SELECT ${select(PENDING_COLUMNS)} FROM events
       WHERE status = 'pending' AND token = ? AND env = ? ORDER BY seq LIMIT 1`,
    ),
    headAttempts: db.prepare(
      `SELECT ${select(HEAD_ATTEMPT_COLUMNS)} FROM events
       WHERE status = 'pending' AND token = ? AND env = ? ORDER BY seq LIMIT 1`,
    ),
    oldest: db.prepare(
      `SELECT received_at AS receivedAt FROM events
       WHERE status = 'pending' AND token = ? AND env = ? ORDER BY seq LIMIT 1`,
    ),
    counts: db.prepare(`SELECT token, env, status, n, bytes FROM lane_counts WHERE n > 0`),
    attempt: db.prepare(
      `UPDATE events SET attempts = attempts + 1, last_attempt_at = ?, last_status = ?, last_error = ?
       WHERE seq = ?`,
    ),
    delivered: db.prepare(
      `UPDATE events SET status = 'delivered', attempts = attempts + 1, last_attempt_at = ?,
       last_status = ?, last_error = NULL, cloud_event_id = ?, delivered_at = ? WHERE seq = ?`,
    ),
    dead: db.prepare(
      `UPDATE events SET status = 'dead', attempts = attempts + 1, last_attempt_at = ?,
       last_status = ?, last_error = ? WHERE seq = ? `,
    ),
    logAttempt: db.prepare(`INSERT INTO attempts (event_seq, at, status, verdict, detail) VALUES (?, ?, ?, ?, ?)`),
    // Inserts are counted here, once per lane and batch; status changes and
    // deletes by triggers (drizzle/0002_lane_counts.sql).
    countInserted: db.prepare(
      `INSERT INTO lane_counts (token, env, status, n, bytes) VALUES (?, ?, 'pending', ?, ?)
       ON CONFLICT (token, env, status) DO UPDATE SET n = n + excluded.n, bytes = bytes + excluded.bytes`,
    ),
    // Oldest delivered first: they are the only rows the relay may delete on its own.
    pruneOldest: db.prepare(
      `DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE status = 'delivered'
       ORDER BY delivered_at LIMIT ?) RETURNING size`,
    ),
    pruneBefore: db.prepare(
      `DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE status = 'delivered'
       AND delivered_at < ? ORDER BY delivered_at LIMIT ?) RETURNING size`,
    ),
    dataVersion: db.prepare('PRAGMA data_version'),
    // The latest deliveries, newest first by the events_delivered index: never more than PACE_SAMPLE entries read.
    recentDelivered: db.prepare(
      `SELECT count(*) AS count, min(delivered_at) AS firstAt FROM (SELECT delivered_at FROM events
       WHERE status = 'delivered' AND delivered_at > ? ORDER BY delivered_at DESC LIMIT ${PACE_SAMPLE})`,
    ),
    // By the events_lane index, one (status, env) at a time: never a scan of the table.
    recent: db.prepare(
      `SELECT seq, body FROM events WHERE status = ? AND token = ? AND env = ? ORDER BY seq DESC LIMIT ?`,
    ),
  };
  /** What each verdict changes on the event row (the attempts log gets every one). */
  const onEvent: { [V in Verdict]: (seq: number, o: Recorded) => { changes: number } } = {
    delivered: (seq, o) => s.delivered.run(o.at, o.status, o.detail, o.at, seq),
    dead: (seq, o) => s.dead.run(o.at, o.status, o.detail, seq),
    retry: (seq, o) => s.attempt.run(o.at, o.status, o.detail, seq),
    pause: (seq, o) => s.attempt.run(o.at, o.status, o.detail, seq),
  };
  const counts = () => s.counts.all() as { token: string; env: Env; status: EventStatus; n: number; bytes: number }[];
  const inserts = new Map<number, Stmt>([[1, insertRows(db, 1)]]);
  /** Events inserted by the batch being written, per lane, for `lane_counts`. */
  const inserted = new Map<string, { token: string; env: Env; n: number; bytes: number }>();

  const pageSize = Number((s.pageSize.get() as { page_size: number }).page_size);
  const wal = `${path}-wal`;

  return {
    /**
     * What the spool takes on disk, as the quota counts it: its pages in use
     * (free pages are reused before the file grows) plus its write-ahead log,
     * at least the size the log is cut back to (WAL_KEEP_BYTES, open.ts): a
     * log that size is always there to be reused, so it is counted whether or
     * not it has grown to it yet. Inside a transaction, the pages as this
     * connection sees them. O(1): two header reads and a stat.
     */
    diskBytes(): number {
      const pages =
        Number((s.pageCount.get() as { page_count: number }).page_count) -
        Number((s.freePages.get() as { freelist_count: number }).freelist_count);
      let log = 0;
      try {
        log = statSync(wal).size;
      } catch {
        // no log yet
      }
      return pages * pageSize + Math.max(log, WAL_KEEP_BYTES);
    },
    maxSeq: (): number => Number((s.maxSeq.get() as { m: number }).m),
    head: (token: string, env: Env) => s.head.get(token, env) as PendingEvent | undefined,
    headAttempts: (token: string, env: Env) => s.headAttempts.get(token, env) as HeadAttempts | undefined,
    counts,
    /** Events per status, and each pending lane with its oldest event's time. */
    tally(): Record<EventStatus, number> & { lanes: LaneStats[] } {
      const t = { pending: 0, delivered: 0, dead: 0, lanes: [] as LaneStats[] };
      for (const c of counts()) {
        t[c.status] += c.n;
        if (c.status !== 'pending') continue;
        const oldest = s.oldest.get(c.token, c.env) as { receivedAt: number } | undefined;
        t.lanes.push({ token: c.token, env: c.env, pending: c.n, oldestReceivedAt: oldest?.receivedAt ?? null });
      }
      return t;
    },
    /** The bodies of a token's latest `limit` events (any status, both envs), newest first. */
    recentBodies(token: string, limit: number): Buffer[] {
      const rows: { seq: number; body: Buffer }[] = [];
      for (const status of EVENT_STATUSES) {
        for (const env of ENVS) rows.push(...(s.recent.all(status, token, env, limit) as typeof rows));
      }
      return rows
        .sort((a, b) => b.seq - a.seq)
        .slice(0, limit)
        .map((r) => r.body);
    },
    dataVersion: (): number => (s.dataVersion.get() as { data_version: number }).data_version,
    /** Deliveries in the last PACE_WINDOW_MS before `now` (at most PACE_SAMPLE of the latest) and the first one's time. */
    recentDelivered(now: number): RecentDeliveries {
      const r = s.recentDelivered.get(now - PACE_WINDOW_MS) as { count: number; firstAt: number | null };
      return { count: Number(r.count), firstAt: r.firstAt === null ? null : Number(r.firstAt) };
    },

    /**
     * Inserts rows in order, in multi-row statements, and counts them per lane
     * into lane_counts: inside the writer's transaction.
     */
    insert(rows: readonly AppendRow[]): void {
      inserted.clear(); // left over from a batch that failed half-way
      let at = 0;
      while (at < rows.length) {
        const n = CHUNKS.find((c) => c <= rows.length - at)!;
        let stmt = inserts.get(n);
        if (!stmt) {
          stmt = insertRows(db, n);
          inserts.set(n, stmt);
        }
        const args: unknown[] = new Array(n * APPEND_COLUMNS.length);
        let k = 0;
        for (let j = at; j < at + n; j++) {
          const row = rows[j]!;
          for (const c of APPEND_COLUMNS) args[k++] = row[c];
          const key = laneKey(row.token, row.env);
          const c = inserted.get(key);
          if (c) {
            c.n++;
            c.bytes += row.size;
          } else inserted.set(key, { token: row.token, env: row.env, n: 1, bytes: row.size });
        }
        const r = stmt.run(args);
        if (r.changes !== n) throw new Error(`insert of ${n} events changed ${r.changes} rows`);
        at += n;
      }
      for (const c of inserted.values()) s.countInserted.run(c.token, c.env, c.n, c.bytes);
      inserted.clear();
    },

    /** A finished attempt and its verdict, in the attempts log and on the event. */
    record(seq: number, verdict: Verdict, o: Recorded): void {
      // An event no longer here (its spool was quarantined meanwhile) gets no orphan attempt.
      if (onEvent[verdict](seq, o).changes > 0) s.logAttempt.run(seq, o.at, o.status, verdict, o.detail);
    },

    /** Deletes up to `limit` of the oldest delivered events; their sizes. */
    pruneOldest: (limit: number) => (s.pruneOldest.all(limit) as { size: number }[]).map((r) => r.size),

    /** Deletes up to `limit` of the events delivered before `before`, oldest first (one slice, slices.ts); their sizes. */
    pruneDeliveredBefore: (before: number, limit: number): number[] =>
      (s.pruneBefore.all(before, limit) as { size: number }[]).map((r) => r.size),

    recount: () => db.exec(RECOUNT_SQL),

    meta: {
      get: (key: MetaKey): string | null => (s.metaGet.get(key) as { value: string } | undefined)?.value ?? null,
      set: (key: MetaKey, value: string): void => void s.metaSet.run(key, value),
      delete: (key: MetaKey): void => void s.metaDelete.run(key),
    },

    /**
     * Puts salvaged events back, inside the writer's transaction. An id already
     * here is skipped. A row keeps its seq (so its lane order) when the seq is
     * free and at most `safeSeq`; otherwise it takes `newSeq()` when given
     * (its id then found through legacy_ids), else it is a conflict.
     */
    insertSalvaged(rows: readonly SalvageRow[], safeSeq: number, newSeq: (() => number) | null) {
      const out = { restored: 0, skipped: 0, conflicts: 0 };
      for (const row of rows) {
        const at = s.idAt.get(row.seq) as { id: string } | undefined;
        if (at?.id === row.id || s.legacyId.get(row.id)) {
          out.skipped++;
          continue;
        }
        let seq = row.seq;
        if (at || seq > safeSeq) {
          if (!newSeq) {
            out.conflicts++;
            continue;
          }
          seq = newSeq();
          s.keepLegacy.run(row.id, seq);
        }
        s.salvaged.run(SALVAGE_COLUMNS.map((c) => (c === 'seq' ? seq : row[c])));
        s.countOne.run(row.token, row.env, row.status, row.size);
        out.restored++;
      }
      return out;
    },

    /** The doctor's write probe: a write in a transaction that is rolled back. */
    probeWrite(): void {
      // BEGIN IMMEDIATE takes the write lock (waiting out a running server's
      // batch, busy_timeout); the rolled-back write proves the file is writable.
      db.exec('BEGIN IMMEDIATE');
      try {
        db.exec('CREATE TABLE relay_doctor_probe (x); INSERT INTO relay_doctor_probe VALUES (1)');
      } finally {
        db.exec('ROLLBACK');
      }
    },

    settings() {
      const one = (pragma: string) => Object.values(db.prepare(`PRAGMA ${pragma}`).get() as object)[0];
      return {
        synchronous: Number(one('synchronous')),
        journalMode: String(one('journal_mode')),
        walAutocheckpoint: Number(one('wal_autocheckpoint')),
        cacheSize: Number(one('cache_size')),
        mmapSize: Number(one('mmap_size')),
        journalSizeLimit: Number(one('journal_size_limit')),
      };
    },
  };
}
