import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { type CommitMode, commitMode } from './commit-mode.ts';
import { eventId } from './event-id.ts';
import type { SyncDb } from './open.ts';
import { type Appended, type AppendInput, laneKey, ROW_OVERHEAD } from './types.ts';

/** The spool's quota (`spool.max_size_mb`) is reached by pending and dead events alone. */
export class SpoolFullError extends Error {
  override name = 'SpoolFullError';
}
/** The database refused the write (disk full, I/O error, ...). Nothing of the batch is stored. */
export class SpoolWriteError extends Error {
  override name = 'SpoolWriteError';
}

type Stmts = ReturnType<typeof prepare>;

/** lane_counts from a full count of the events: for a spool written around the writer. */
export const RECOUNT_SQL = `DELETE FROM lane_counts;
  INSERT INTO lane_counts (token, env, status, n, bytes)
  SELECT token, env, status, count(*), coalesce(sum(size), 0) FROM events GROUP BY token, env, status`;
type Stmt = ReturnType<SyncDb['prepare']>;

/** Columns an append binds, per row. */
const INSERT_ARGS = 8;

/** One INSERT of `rows` events: a multi-row VALUES list binds a whole batch in a few calls. */
function insertRows(db: SyncDb, rows: number): Stmt {
  return db.prepare(
    `INSERT INTO events (seq, id, token, env, body, size, received_at, status, attempts, warnings) VALUES ` +
      Array.from({ length: rows }, () => `(?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)`).join(', '),
  );
}

/**
 * Appends go in as multi-row INSERTs of these sizes (largest first): one
 * statement call per 32 rows instead of one per row took the insert CPU of a
 * 1.5 KB event from 5.4 to 4.1 µs in batches of 45 (the batch size under 64
 * connections). 32 × 8 parameters stays far below SQLite's limit of 32766.
 */
const CHUNKS = [32, 8, 1] as const;

function prepare(db: SyncDb) {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    maxSeq: db.prepare('SELECT coalesce(max(seq), 0) AS m FROM events'),
    commit: db.prepare('COMMIT'),
    insert: insertRows(db, 1),
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
    // Inserts are counted here, once per lane and batch; status changes and
    // deletes by triggers (drizzle/0002_lane_counts.sql).
    countInserted: db.prepare(
      `INSERT INTO lane_counts (token, env, status, n, bytes) VALUES (?, ?, 'pending', ?, ?)
       ON CONFLICT (token, env, status) DO UPDATE SET n = n + excluded.n, bytes = bytes + excluded.bytes`,
    ),
    logAttempt: db.prepare(`INSERT INTO attempts (event_seq, at, status, verdict, detail) VALUES (?, ?, ?, ?, ?)`),
    // Oldest delivered first: they are the only rows the relay may delete on its own.
    pruneOldest: db.prepare(
      `DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE status = 'delivered'
       ORDER BY delivered_at LIMIT ?) RETURNING size`,
    ),
    recount: () => db.exec(RECOUNT_SQL),
    pruneBefore: db.prepare(
      `DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE status = 'delivered'
       AND delivered_at < ? ORDER BY delivered_at LIMIT 1000) RETURNING size`,
    ),
  };
}

type AppendOp = {
  kind: 'append';
  input: AppendInput;
  seq: number;
  id: string;
  receivedAt: number;
  done: Settle<Appended>;
};
type Op = AppendOp | { kind: 'run'; fn: (s: Stmts, w: GroupCommitWriter) => unknown; done: Settle<unknown> };

interface Settle<T> {
  resolve: (v: T) => void;
  reject: (e: Error) => void;
}

const MAX_BATCH = 1024;
/** The longest a write waits for company while more keep arriving (ms). */
const GATHER_MS = 1;

/**
 * Group commit: the writes of consecutive event-loop turns go into one
 * transaction and one fsync, and each caller is answered when that
 * transaction is durable. Flushing after `setImmediate` lets the requests that
 * arrived meanwhile join the batch (measured: 3.5k -> 15k acks/s against one
 * transaction per request); waiting further turns while each brings new
 * appends (at most GATHER_MS) fills it: with 4 clients a batch holds all 4
 * instead of 2 (acks/s +30%, p50 0.65 -> 0.47 ms, p99 2.7 -> 3.1 ms), with 64
 * connections 64 instead of 40 (acks/s +0-17%); a lone writer does not wait
 * (test/bench/ab.ts, 4 alternated pairs each).
 */
export class GroupCommitWriter {
  heldBytes = 0;
  lastError: string | null = null;
  private queue: Op[] = [];
  private scheduled = false;
  /** Told, after a commit, how many delivered events quota pruning deleted. */
  onDeliveredPruned: (n: number) => void = () => {};
  private readonly s: Stmts;
  /**
   * The seq the next append gets. Given on arrival, so ids (which carry it,
   * event-id.ts) exist before the insert; a batch that fails leaves a gap,
   * never a reused seq.
   */
  private nextSeq = 1;

  constructor(
    private readonly db: SyncDb,
    private readonly deps: { maxBytes: number; clock: Clock; log: Logger },
  ) {
    this.s = prepare(db);
    this.seeSeqs();
  }

  /** Takes account of events inserted by another connection (a restored backup, a repair by hand). */
  seeSeqs(): void {
    const { m } = this.s.maxSeq.get() as { m: number };
    this.nextSeq = Math.max(this.nextSeq, Number(m) + 1);
  }

  append(input: AppendInput): Promise<Appended> {
    return new Promise((resolve, reject) => {
      // seq, id and time are taken on arrival: ids sort in ack order.
      const seq = this.nextSeq++;
      const receivedAt = this.deps.clock.now();
      this.push({ kind: 'append', input, seq, id: eventId(receivedAt, seq), receivedAt, done: { resolve, reject } });
    });
  }

  run<T>(fn: (s: Stmts, w: GroupCommitWriter) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.push({ kind: 'run', fn, done: { resolve: resolve as (v: unknown) => void, reject } });
    });
  }

  private push(op: Op): void {
    this.queue.push(op);
    if (op.kind === 'append') this.appends++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Resolves when everything queued so far is written. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.scheduled) {
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Called inside a batch: deletes delivered events older than `before`. */
  pruneDeliveredBefore(before: number): number {
    let n = 0;
    for (;;) {
      const rows = this.s.pruneBefore.all(before) as { size: number }[];
      for (const r of rows) this.pendingHeld -= r.size + ROW_OVERHEAD;
      n += rows.length;
      if (rows.length < 1000) return n;
    }
  }

  private pendingHeld = 0;

  /** Queue length at the last look, and when the first look at this batch was. */
  private seen = 0;
  private firstLook = 0;
  /** Appends in the queue, and in the last batch written. */
  private appends = 0;
  private lastAppends = 0;

  private flush(): void {
    const n = this.queue.length;
    // Only appends wait: an ack is what a POS waits on, and the forwarder's
    // lanes, each with one request in flight, would only be slowed by each
    // other (4-lane drain 1,100 -> 1,050/s each when they waited too). A lone
    // POS is not kept waiting for company that never comes.
    if (n > this.seen && n < MAX_BATCH && this.appends > 0 && (this.appends > 1 || this.lastAppends > 1)) {
      const now = performance.now();
      if (this.seen === 0) this.firstLook = now;
      if (now - this.firstLook < GATHER_MS) {
        // This turn brought writes; the next may bring more from the same wave of requests.
        this.seen = n;
        setImmediate(() => this.flush());
        return;
      }
    }
    this.seen = 0;
    this.scheduled = false;
    const batch = this.queue.splice(0, MAX_BATCH);
    let appends = 0;
    for (const op of batch) if (op.kind === 'append') appends++;
    this.appends -= appends;
    this.lastAppends = appends;
    if (batch.length > 0) this.writeBatch(batch, appends);
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private writeBatch(batch: Op[], appends: number): void {
    const s = this.s;
    const results: (unknown | Error)[] = new Array(batch.length);
    /** Indexes of admitted appends not yet inserted; they keep queue (= acknowledgement) order. */
    const admitted: number[] = [];
    this.pendingHeld = this.heldBytes;
    this.inserted.clear();
    let pruned = 0;
    // See commit-mode.ts: only batches that answer a POS wait for the fsync.
    const mode = commitMode(appends, this.unsynced);
    const relaxed = mode === 'normal';
    try {
      // Inside the try: should FULL fail to be set, the batch fails and nobody gets a 200.
      this.setMode(mode);
      s.begin.run();
      for (let i = 0; i < batch.length; i++) {
        const op = batch[i]!;
        if (op.kind === 'run') {
          // Statements run in queue order: appends before this op are inserted first.
          this.insertAdmitted(batch, admitted, results);
          this.countInserted();
          results[i] = op.fn(s, this);
          continue;
        }
        const need = op.input.body.byteLength + ROW_OVERHEAD;
        if (this.pendingHeld + need > this.deps.maxBytes) {
          pruned += this.makeRoom(this.pendingHeld + need - this.deps.maxBytes);
        }
        if (this.pendingHeld + need > this.deps.maxBytes) {
          results[i] = new SpoolFullError('spool quota reached (spool.max_size_mb)');
          continue;
        }
        this.pendingHeld += need;
        admitted.push(i);
      }
      this.insertAdmitted(batch, admitted, results);
      this.countInserted();
      s.commit.run();
    } catch (e) {
      this.rollback();
      if (relaxed) this.restoreFull();
      const err = new SpoolWriteError(`spool write failed: ${(e as Error).message}`);
      this.lastError = err.message;
      this.deps.log.error({ err: (e as Error).message, batch: batch.length }, 'spool write failed');
      for (const op of batch) op.done.reject(err);
      return;
    }
    if (relaxed) this.restoreFull();
    this.unsynced = relaxed ? this.unsynced + 1 : 0;
    this.heldBytes = this.pendingHeld;
    if (pruned > 0) this.onDeliveredPruned(pruned);
    this.lastError = null;
    for (let i = 0; i < batch.length; i++) {
      const r = results[i];
      if (r instanceof Error) batch[i]!.done.reject(r);
      else (batch[i]!.done.resolve as (v: unknown) => void)(r);
    }
  }

  private readonly inserts = new Map<number, Stmt>();
  /** Events inserted by the batch being written, per lane, for `lane_counts`. */
  private readonly inserted = new Map<string, { token: string; env: string; n: number; bytes: number }>();

  /** Inserts the admitted appends in order, in multi-row statements, each with its seq. */
  private insertAdmitted(batch: Op[], admitted: number[], results: unknown[]): void {
    let at = 0;
    while (at < admitted.length) {
      const left = admitted.length - at;
      const rows = CHUNKS.find((c) => c <= left)!;
      let stmt = this.inserts.get(rows);
      if (!stmt) {
        stmt = rows === 1 ? this.s.insert : insertRows(this.db, rows);
        this.inserts.set(rows, stmt);
      }
      const args: unknown[] = new Array(rows * INSERT_ARGS);
      for (let j = 0, k = 0; j < rows; j++) {
        const op = batch[admitted[at + j]!] as AppendOp;
        const input = op.input;
        args[k++] = op.seq;
        args[k++] = op.id;
        args[k++] = input.token;
        args[k++] = input.env;
        args[k++] = input.body;
        args[k++] = input.body.byteLength;
        args[k++] = op.receivedAt;
        args[k++] = input.warnings?.length ? JSON.stringify(input.warnings) : null;
        const key = laneKey(input.token, input.env);
        const c = this.inserted.get(key);
        if (c) {
          c.n++;
          c.bytes += input.body.byteLength;
        } else this.inserted.set(key, { token: input.token, env: input.env, n: 1, bytes: input.body.byteLength });
      }
      const r = stmt.run(args);
      if (r.changes !== rows) throw new Error(`insert of ${rows} events changed ${r.changes} rows`);
      for (let j = 0; j < rows; j++) {
        const op = batch[admitted[at + j]!] as AppendOp;
        results[admitted[at + j]!] = { id: op.id, seq: op.seq, receivedAt: op.receivedAt };
      }
      at += rows;
    }
    admitted.length = 0;
  }

  /** Adds the events inserted so far in this batch to lane_counts: one statement per lane. */
  private countInserted(): void {
    for (const c of this.inserted.values()) this.s.countInserted.run(c.token, c.env, c.n, c.bytes);
    this.inserted.clear();
  }

  /** Deletes the oldest delivered events until `bytes` are freed or none are left. */
  private makeRoom(bytes: number): number {
    let freed = 0;
    let n = 0;
    while (freed < bytes) {
      const rows = this.s.pruneOldest.all(64) as { size: number }[];
      if (rows.length === 0) break;
      for (const r of rows) freed += r.size + ROW_OVERHEAD;
      n += rows.length;
    }
    this.pendingHeld -= freed;
    return n;
  }

  /** Batches committed without an fsync since the last one with (commit-mode.ts). */
  private unsynced = 0;

  /** The connection's synchronous setting now: FULL at rest, NORMAL only for a batch commitMode relaxes. */
  private mode: CommitMode | null = 'full';

  private setMode(mode: CommitMode): void {
    if (mode === this.mode) return;
    this.mode = null; // unknown until the PRAGMA returns: should it throw, the next batch sets it again
    this.db.exec(`PRAGMA synchronous = ${mode === 'full' ? 'FULL' : 'NORMAL'}`);
    this.mode = mode;
  }

  /** Back to FULL after a relaxed batch; should that fail, the next batch with an append sets it or fails. */
  private restoreFull(): void {
    try {
      this.setMode('full');
    } catch (e) {
      this.deps.log.error({ err: (e as Error).message }, 'spool: could not set synchronous=FULL again');
    }
  }

  private rollback(): void {
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } catch {
      // SQLite may already have rolled back (e.g. SQLITE_FULL); nothing else to undo.
    }
  }
}
