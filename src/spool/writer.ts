import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { type CommitMode, commitMode } from './commit-mode.ts';
import { eventId } from './event-id.ts';
import type { SyncDb } from './open.ts';
import { type Appended, type AppendInput, type AppendRow, ROW_OVERHEAD } from './types.ts';

/** The spool's quota (`spool.max_size_mb`) is reached by pending and dead events alone. */
export class SpoolFullError extends Error {
  override name = 'SpoolFullError';
}
/** The database refused the write (disk full, I/O error, ...). Nothing of the batch is stored. */
export class SpoolWriteError extends Error {
  override name = 'SpoolWriteError';
}

/**
 * What the writer needs of the spool's tables, given by the Spool
 * (statements.ts): it batches and commits, and knows nothing of statuses.
 */
export interface WriterStore {
  /** The highest seq stored. */
  maxSeq(): number;
  /** Inserts the rows, in order, inside the current transaction. */
  insert(rows: readonly AppendRow[]): void;
  /** Deletes up to `limit` of the oldest rows the quota may take back; their body sizes (none left: empty). */
  reclaim(limit: number): number[];
  /** What the spool takes on disk now, its log included (as this connection sees it inside a transaction). */
  diskBytes(): number;
}

type AppendOp = { kind: 'append'; row: AppendRow; done: Settle<Appended> };
type Op = AppendOp | { kind: 'run'; fn: () => unknown; durable: boolean; done: Settle<unknown> };

interface Settle<T> {
  resolve: (v: T) => void;
  reject: (e: Error) => void;
}

const MAX_BATCH = 1024;
/** The longest a write waits for company while more keep arriving (ms). */
const GATHER_MS = 1;
/**
 * Measuring the disk (two page counts and a stat) cost 5% of the main
 * thread's time at 64 connections when every batch did it. Far from the
 * quota the writer counts on its estimate (the last measure plus each stored
 * event's body and ROW_OVERHEAD) and measures again at most this often (ms);
 * within MEASURE_NEAR_BYTES of the quota every batch measures.
 */
const MEASURE_EVERY_MS = 1000;
const MEASURE_NEAR_BYTES = 16 * 1024 * 1024;

/**
 * Group commit: the writes of consecutive event-loop turns go into one
 * transaction and one fsync, and each caller is answered when that
 * transaction is durable. Flushing after `setImmediate` lets the requests that
 * arrived meanwhile join the batch; waiting further turns while each brings
 * new appends (at most GATHER_MS) fills it, and a lone writer does not wait
 * (the figures are in README "Performance"). It also keeps the quota
 * (`maxBytes`) on what the spool takes on disk (the store's diskBytes: pages
 * in use plus the write-ahead log), measured at every batch near the quota
 * and at least once a second elsewhere, each append counted at its body plus
 * ROW_OVERHEAD until it is measured: an append that
 * does not fit after the store reclaimed what it may is refused with
 * SpoolFullError, alone.
 */
export class GroupCommitWriter {
  private held = 0;
  /** When `held` was last measured rather than estimated (monotonic ms). */
  private measuredAt = Number.NEGATIVE_INFINITY;
  private error: string | null = null;
  /** Batches that failed since the last one that committed. */
  private failedSince = 0;
  /** Whether a failed batch since then held events (not only the forwarder's records). */
  private failedStoringEvents = false;
  private queue: Op[] = [];
  private scheduled = false;
  /** Given on arrival, so ids (which carry it) exist before the insert; a failed batch leaves a gap, never a reuse. */
  private nextSeq = 1;
  /**
   * The time the latest id carries. Ids never go back in time: after a
   * backwards step of the wall clock they hold this until the clock catches
   * up (RFC 9562 §6.2 allows it; the seq in the id keeps them unique).
   */
  private idMs = 0;

  private readonly begin;
  private readonly commit;

  constructor(
    private readonly db: SyncDb,
    private readonly store: WriterStore,
    private readonly deps: {
      maxBytes: number;
      clock: Clock;
      log: Logger;
      /** Told of every batch that failed, with SQLite's error (the Spool looks for damage). */
      onFailure?: (e: Error & { code?: string }) => void;
    },
  ) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.seeSeqs();
    this.held = this.measure();
  }

  /** What the spool takes on disk now, measured. */
  private measure(): number {
    this.measuredAt = this.deps.clock.mono();
    return this.store.diskBytes();
  }

  /** Whether an estimate of `held` bytes is close enough to the quota, or old enough, to be measured again. */
  private due(held: number): boolean {
    return (
      held > this.deps.maxBytes - MEASURE_NEAR_BYTES || this.deps.clock.mono() - this.measuredAt >= MEASURE_EVERY_MS
    );
  }

  /** What the spool took on disk after the last batch (the quota's measure). */
  get heldBytes(): number {
    return this.held;
  }

  /** The last batch's failure, until a batch commits (one with an event in it, when events failed). */
  get lastError(): string | null {
    return this.error;
  }

  /** Takes account of events inserted by another connection (a restored backup, a repair by hand). */
  seeSeqs(): void {
    this.nextSeq = Math.max(this.nextSeq, this.store.maxSeq() + 1);
  }

  /** A seq no append will take: for an event put back by a salvage whose own seq is taken. */
  reserveSeq(): number {
    return this.nextSeq++;
  }

  append(input: AppendInput): Promise<Appended> {
    return new Promise((resolve, reject) => {
      // seq, id and time are taken on arrival: ids sort in ack order.
      const seq = this.nextSeq++;
      const receivedAt = this.deps.clock.now();
      this.idMs = Math.max(this.idMs, receivedAt);
      const row: AppendRow = {
        seq,
        id: eventId(this.idMs, seq),
        token: input.token,
        env: input.env,
        body: input.body,
        size: input.body.byteLength,
        receivedAt,
        warnings: input.warnings?.length ? JSON.stringify(input.warnings) : null,
      };
      this.push({ kind: 'append', row, done: { resolve, reject } });
    });
  }

  /** Runs `fn` in a batch's transaction after the appends queued before it; `durable`: that batch fsyncs. */
  run<T>(fn: () => T, opts: { durable?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const durable = opts.durable === true;
      this.push({ kind: 'run', fn, durable, done: { resolve: resolve as (v: unknown) => void, reject } });
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
    const results: (unknown | Error)[] = new Array(batch.length);
    /** Admitted appends not yet inserted, in queue (= acknowledgement) order. */
    const admitted: AppendRow[] = [];
    /** Their estimated bytes: not yet in the pages the store measures. */
    let coming = 0;
    /** Events this batch stores (admitted ones leave `admitted` as they are inserted). */
    let stored = 0;
    let held = this.held;
    const insert = () => {
      if (admitted.length === 0) return;
      this.store.insert(admitted);
      admitted.length = 0;
      coming = 0;
    };
    // See commit-mode.ts: only batches that answer a POS wait for the fsync.
    let durable = 0;
    for (const op of batch) if (op.kind === 'run' && op.durable) durable++;
    const mode = commitMode(appends + durable, this.unsynced);
    const relaxed = mode === 'normal';
    try {
      // Inside the try: should FULL fail to be set, the batch fails and nobody gets a 200.
      this.setMode(mode);
      this.begin.run();
      // Measured (when due) before the batch's first append and after any other write in it: a
      // checkpoint, a prune or another process may have changed it. Deliveries alone measure nothing.
      let stale = true;
      for (let i = 0; i < batch.length; i++) {
        const op = batch[i]!;
        if (op.kind === 'run') {
          // Statements run in queue order: appends before this op are inserted first.
          insert();
          results[i] = op.fn();
          stale = true;
          continue;
        }
        if (stale) {
          if (this.due(held)) held = this.measure() + coming;
          stale = false;
        }
        const need = op.row.size + ROW_OVERHEAD;
        if (held + need > this.deps.maxBytes) held = this.reclaim(need, coming);
        if (held + need > this.deps.maxBytes) {
          results[i] = new SpoolFullError('spool quota reached (spool.max_size_mb)');
          continue;
        }
        held += need;
        coming += need;
        admitted.push(op.row);
        stored++;
        results[i] = { id: op.row.id, seq: op.row.seq, receivedAt: op.row.receivedAt } satisfies Appended;
      }
      insert();
      this.commit.run();
      // What the batch took, its log frames included, when that matters now.
      if (appends > 0 && this.due(held)) held = this.measure();
    } catch (e) {
      this.rollback();
      if (relaxed) this.restoreFull();
      const err = new SpoolWriteError(`spool write failed: ${(e as Error).message}`);
      // Once per kind of failure, not per batch: a POS retrying fast into a
      // full disk would otherwise write a line per request (the refusals are
      // counted by http/, the failures here).
      if (this.error !== err.message) {
        this.deps.log.error({ err: (e as Error).message, batch: batch.length }, 'spool write failed');
      }
      if (this.error === null) {
        this.failedSince = 0;
        this.failedStoringEvents = false;
      }
      this.failedSince++;
      this.failedStoringEvents ||= appends > 0;
      this.error = err.message;
      for (const op of batch) op.done.reject(err);
      this.deps.onFailure?.(e as Error);
      return;
    }
    if (relaxed) this.restoreFull();
    this.unsynced = relaxed ? this.unsynced + 1 : 0;
    this.held = held;
    // Once events failed to be stored, only a stored event ends the failure:
    // the forwarder's small records can fit on a disk that has no room for
    // the POS's next event, and /health must not turn green on them.
    if (this.error !== null && (stored > 0 || !this.failedStoringEvents)) {
      this.deps.log.info({ failed_batches: this.failedSince }, 'spool writes succeed again');
      this.error = null;
    }
    for (let i = 0; i < batch.length; i++) {
      const r = results[i];
      if (r instanceof Error) batch[i]!.done.reject(r);
      else (batch[i]!.done.resolve as (v: unknown) => void)(r);
    }
  }

  /**
   * Asks the store for the oldest rows it may delete until `need` more bytes
   * fit beside what is on disk and the `coming` bytes not inserted yet, or
   * none are left; what is then held.
   */
  private reclaim(need: number, coming: number): number {
    let held = this.measure() + coming;
    while (held + need > this.deps.maxBytes) {
      if (this.store.reclaim(64).length === 0) break;
      held = this.measure() + coming;
    }
    return held;
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
