import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { SyncDb } from './open.ts';
import { ROW_OVERHEAD, type AppendInput, type Appended } from './types.ts';

/** The spool's quota (`spool.max_size_mb`) is reached by pending and dead events alone. */
export class SpoolFullError extends Error {
  override name = 'SpoolFullError';
}
/** The database refused the write (disk full, I/O error, ...). Nothing of the batch is stored. */
export class SpoolWriteError extends Error {
  override name = 'SpoolWriteError';
}

type Stmts = ReturnType<typeof prepare>;

function prepare(db: SyncDb) {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    insert: db.prepare(
      `INSERT INTO events (id, token, env, body, size, received_at, status, attempts, warnings)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?)`,
    ),
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
    // Oldest delivered first: they are the only rows the relay may delete on its own.
    pruneOldest: db.prepare(
      `DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE status = 'delivered'
       ORDER BY delivered_at LIMIT ?) RETURNING size`,
    ),
    pruneBefore: db.prepare(
      `DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE status = 'delivered'
       AND delivered_at < ? ORDER BY delivered_at LIMIT 1000) RETURNING size`,
    ),
  };
}

type Op =
  | { kind: 'append'; input: AppendInput; id: string; receivedAt: number; done: Settle<Appended> }
  | { kind: 'run'; fn: (s: Stmts, w: GroupCommitWriter) => unknown; done: Settle<unknown> };

interface Settle<T> {
  resolve: (v: T) => void;
  reject: (e: Error) => void;
}

const MAX_BATCH = 1024;

/**
 * Group commit: every write of one event-loop turn goes into one transaction
 * and one fsync, and each caller is answered when that transaction is durable.
 * Flushing after `setImmediate` lets the requests that arrived meanwhile join
 * the batch (measured: 3.5k -> 15k acks/s against one transaction per request).
 */
export class GroupCommitWriter {
  heldBytes = 0;
  lastError: string | null = null;
  private queue: Op[] = [];
  private scheduled = false;
  private flushing: Promise<void> | null = null;
  private prunedCount = 0;
  private readonly s: Stmts;
  private readonly newId: () => string;

  constructor(
    private readonly db: SyncDb,
    private readonly deps: { maxBytes: number; clock: Clock; log: Logger; newId?: () => string },
  ) {
    this.s = prepare(db);
    this.newId = deps.newId ?? (() => Bun.randomUUIDv7());
  }

  append(input: AppendInput): Promise<Appended> {
    return new Promise((resolve, reject) => {
      // id and time are taken on arrival, so UUIDv7 order matches ack order.
      this.push({
        kind: 'append',
        input,
        id: this.newId(),
        receivedAt: this.deps.clock.now(),
        done: { resolve, reject },
      });
    });
  }

  run<T>(fn: (s: Stmts, w: GroupCommitWriter) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.push({ kind: 'run', fn, done: { resolve: resolve as (v: unknown) => void, reject } });
    });
  }

  private push(op: Op): void {
    this.queue.push(op);
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

  takePrunedCount(): number {
    const n = this.prunedCount;
    this.prunedCount = 0;
    return n;
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

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0, MAX_BATCH);
    if (batch.length > 0) this.writeBatch(batch);
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private writeBatch(batch: Op[]): void {
    const s = this.s;
    const results: (unknown | Error)[] = [];
    this.pendingHeld = this.heldBytes;
    let pruned = 0;
    try {
      s.begin.run();
      for (const op of batch) {
        if (op.kind === 'run') {
          results.push(op.fn(s, this));
          continue;
        }
        const need = op.input.body.byteLength + ROW_OVERHEAD;
        if (this.pendingHeld + need > this.deps.maxBytes) {
          pruned += this.makeRoom(this.pendingHeld + need - this.deps.maxBytes);
        }
        if (this.pendingHeld + need > this.deps.maxBytes) {
          results.push(new SpoolFullError('spool quota reached (spool.max_size_mb)'));
          continue;
        }
        const warnings = op.input.warnings?.length ? JSON.stringify(op.input.warnings) : null;
        const r = s.insert.run(
          op.id,
          op.input.token,
          op.input.env,
          op.input.body,
          op.input.body.byteLength,
          op.receivedAt,
          warnings,
        );
        this.pendingHeld += need;
        results.push({ id: op.id, seq: Number(r.lastInsertRowid), receivedAt: op.receivedAt });
      }
      s.commit.run();
    } catch (e) {
      this.rollback();
      const err = new SpoolWriteError(`spool write failed: ${(e as Error).message}`);
      this.lastError = err.message;
      this.deps.log.error({ err: (e as Error).message, batch: batch.length }, 'spool write failed');
      for (const op of batch) op.done.reject(err);
      return;
    }
    this.heldBytes = this.pendingHeld;
    this.prunedCount += pruned;
    this.lastError = null;
    batch.forEach((op, i) => {
      const r = results[i];
      if (r instanceof Error) op.done.reject(r);
      else (op.done.resolve as (v: unknown) => void)(r);
    });
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

  private rollback(): void {
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } catch {
      // SQLite may already have rolled back (e.g. SQLITE_FULL); nothing else to undo.
    }
  }
}
