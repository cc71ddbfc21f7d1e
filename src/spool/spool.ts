import type { Background, ScanResult } from './background.ts';
import type { Drizzle, SyncDb } from './open.ts';
import { damagedWhileServing, type Opened, openChecked } from './opening.ts';
import * as queries from './queries.ts';
import { prepareStatements, type Statements } from './statements.ts';
import {
  type Appended,
  type AppendInput,
  type Env,
  type EventDetail,
  type EventSummary,
  type HeadAttempts,
  type LaneCounts,
  type ListFilter,
  type Outcome,
  type PendingEvent,
  type Progress,
  type ReplayResult,
  ROW_OVERHEAD,
  type SpoolDeps,
  type SpoolSettings,
  type SpoolStats,
} from './types.ts';
import { GroupCommitWriter, SpoolWriteError } from './writer.ts';

/**
 * The spool: every accepted event, on disk, in acknowledgement order. It knows
 * neither HTTP nor delivery: it appends, hands out lane heads, records
 * outcomes, and answers the reads and repairs of the status page and the CLI.
 * Its connections and tables stay inside spool/.
 */
export class Spool {
  private readonly listeners: ((token: string, env: Env) => void)[] = [];
  private readonly stmts: Statements;
  private readonly writer: GroupCommitWriter;
  private readonly sync: SyncDb;
  private readonly db: Drizzle;
  private readonly background: Background | null;
  private damage: string | null = null;
  private closed = false;
  private scan: Promise<ScanResult> = Promise.resolve({ ok: true, events: 0, ms: 0, countsDiffer: false });
  private dataVersion = -1;

  private constructor(
    private readonly opened: Opened,
    private readonly deps: SpoolDeps,
  ) {
    this.sync = opened.sync;
    this.db = opened.db;
    this.background = opened.background;
    const stmts = prepareStatements(this.sync);
    this.stmts = stmts;
    const store = { maxSeq: stmts.maxSeq, insert: stmts.insert, reclaim: stmts.pruneOldest };
    this.writer = new GroupCommitWriter(this.sync, store, deps);
    this.writer.setHeldBytes(this.countedBytes());
    this.checkExternalChanges();
  }

  /** The spool file. */
  get path(): string {
    return this.deps.path;
  }

  /** Set when the background integrity scan found the file damaged: no more events are taken. */
  get damaged(): string | null {
    return this.damage;
  }

  /** The integrity scan's answer (Spool.open), once it has read every event. */
  get scanned(): Promise<ScanResult> {
    return this.scan;
  }

  /**
   * Opens the spool. Every event is then read once by a scan on another
   * thread, because SQLite reports a damaged page only when something reads
   * it. A spool up to `scanFirstBytes` (default 64 MB, ~40,000 events, read in
   * well under 100 ms) is read before the relay serves, so a damaged one is
   * refused at start; a larger one (a million events take ~1.5 s) is served
   * meanwhile and, should the scan fail, stops taking events with the same advice.
   */
  static async open(deps: SpoolDeps): Promise<Spool> {
    const spool = await openChecked(deps, (o) => new Spool(o, deps));
    if (spool.background) {
      spool.scan = spool.background.scanned;
      void spool.scan.then((r) => spool.checkScan(r));
    }
    return spool;
  }

  private checkScan(r: ScanResult): void {
    if (this.closed) return;
    if (!r.ok && !r.damaged) {
      // Busy, out of memory or file handles: not a verdict on the file.
      this.deps.log.warn(
        { spool: this.deps.path, err: r.message },
        'spool integrity read failed; it runs again at next start',
      );
      return;
    }
    if (!r.ok) {
      this.damage = damagedWhileServing(this.deps.path, r.message);
      // Nothing may be copied into the damaged file from here, not even by SQLite's own checkpoint.
      this.sync.exec('PRAGMA wal_autocheckpoint = 0');
      this.deps.log.error({ spool: this.deps.path, err: r.message }, 'spool damaged: no more events are taken');
      return;
    }
    this.deps.log.info({ events: r.events, ms: r.ms }, 'spool read in full: no damaged page');
    if (r.countsDiffer) {
      this.recount().catch((e) =>
        this.deps.log.warn({ err: (e as Error).message }, 'spool recount failed; it runs again at next start'),
      );
    }
  }

  /**
   * Counts every event again into lane_counts, when the integrity scan found
   * rows inserted around the writer (drizzle/0002_lane_counts.sql). It takes
   * the writer's turn, so it is logged; the lanes it finds are announced.
   */
  async recount(): Promise<void> {
    this.deps.log.warn('spool counts differ from its events (rows added by another program?); counting them again');
    await this.writer.run(() => this.stmts.recount());
    if (!this.closed) this.reload();
  }

  /**
   * Another process (the `relay events ...` CLI) or connection may change the
   * spool while the server runs. `PRAGMA data_version` changes only for
   * commits by other connections (https://sqlite.org/pragma.html#pragma_data_version),
   * so polling it is cheap; on a change the held bytes and next seq are read
   * again and every lane with pending events is announced to the listeners.
   */
  checkExternalChanges(): boolean {
    const v = this.stmts.dataVersion();
    if (v === this.dataVersion) return false;
    const first = this.dataVersion === -1;
    this.dataVersion = v;
    if (first) return false;
    this.reload();
    return true;
  }

  /** After a change the writer did not make: held bytes and next seq read again, every pending lane announced. */
  private reload(): void {
    this.dataVersion = this.stmts.dataVersion();
    this.writer.setHeldBytes(this.countedBytes());
    this.writer.seeSeqs();
    for (const l of this.pendingLanes()) for (const fn of this.listeners) fn(l.token, l.env);
  }

  /**
   * Bytes held by the stored events, from `lane_counts` (a few rows, kept
   * exact in every write's own transaction), never by counting `events`.
   */
  private countedBytes(): number {
    let held = 0;
    for (const r of this.stmts.counts()) held += r.bytes + r.n * ROW_OVERHEAD;
    return held;
  }

  /** Resolves once the event is committed and the WAL fsynced; rejects with SpoolFullError / SpoolWriteError. */
  async append(input: AppendInput): Promise<Appended> {
    if (this.damage) throw new SpoolWriteError(this.damage);
    const r = await this.writer.append(input);
    for (const l of this.listeners) l(input.token, input.env);
    return r;
  }

  /** Called after each stored append, and for every pending lane after an outside change. */
  onAppend(listener: (token: string, env: Env) => void): void {
    this.listeners.push(listener);
  }

  /** The oldest pending event of a lane, or undefined when the lane is empty. */
  head(token: string, env: Env): PendingEvent | undefined {
    return this.stmts.head(token, env);
  }

  /** How often a lane's head was tried and what came back; undefined when the lane is empty. */
  headAttempts(token: string, env: Env): HeadAttempts | undefined {
    return this.stmts.headAttempts(token, env);
  }

  /** A token's latest bodies, newest first (delivered ones while kept): what was learned of them survives a restart. */
  recentBodies(token: string, limit: number): Buffer[] {
    return this.stmts.recentBodies(token, limit);
  }

  /** Lanes that have pending events. */
  pendingLanes(): { token: string; env: Env }[] {
    return this.stmts
      .counts()
      .filter((c) => c.status === 'pending')
      .map((c) => ({ token: c.token, env: c.env }));
  }

  /** A failed attempt the lane will retry (verdict retry, or pause for a refused token). */
  async recordAttempt(ev: PendingEvent, verdict: 'retry' | 'pause', o: Outcome): Promise<void> {
    await this.writer.run(() => this.stmts.record(ev.seq, verdict, { ...o, detail: o.error ?? null }));
  }

  async markDelivered(ev: PendingEvent, o: Outcome & { cloudEventId: string | null }): Promise<void> {
    await this.writer.run(() => this.stmts.record(ev.seq, 'delivered', { ...o, detail: o.cloudEventId }));
  }

  async markDead(ev: PendingEvent, o: Outcome): Promise<void> {
    await this.writer.run(() => this.stmts.record(ev.seq, 'dead', { ...o, detail: o.error ?? null }));
  }

  /** Deletes delivered events older than `before` (ms). Pending and dead events are never deleted here. */
  async pruneDelivered(before: number): Promise<number> {
    return this.writer.run((tx) => {
      const sizes = this.stmts.pruneDeliveredBefore(before);
      tx.released(sizes);
      return sizes.length;
    });
  }

  stats(): SpoolStats {
    return {
      ...this.stmts.tally(),
      bytes: this.writer.heldBytes,
      maxBytes: this.deps.maxBytes,
      lastWriteError: this.damage ?? this.writer.lastError,
    };
  }

  /** Most recent first. */
  listEvents(filter: ListFilter = {}): Promise<EventSummary[]> {
    return queries.listEvents(this.db, filter);
  }

  /** One event, its body and every attempt; an upper-case copy of an id finds the same event. */
  getEvent(id: string): Promise<EventDetail | undefined> {
    return queries.getEvent(this.db, id);
  }

  /** Counts per lane and status, with the age of each lane's oldest pending event. */
  laneCounts(): Promise<LaneCounts[]> {
    return queries.laneCounts(this.db);
  }

  /**
   * Dead-lettered events back to pending. Their `seq` is older than anything
   * pending in their lane, so they are sent next, ahead of newer events.
   */
  async replay(ids: string[]): Promise<ReplayResult> {
    const r = await queries.replayEvents(this.db, ids);
    if (r.replayed.length > 0) this.changed();
    return r;
  }

  /** Every dead letter back to pending, in chunks so a terminal can show progress. */
  async replayAllDead(onProgress?: Progress): Promise<number> {
    const n = await queries.replayAllDead(this.db, onProgress);
    if (n > 0) this.changed();
    return n;
  }

  /** Deletes delivered events received before `before` (ms), never pending or dead ones. */
  async purgeDelivered(before: number, onProgress?: Progress): Promise<number> {
    const n = await queries.purgeDelivered(this.db, before, onProgress);
    if (n > 0) this.changed();
    return n;
  }

  /** The reporting connection wrote: the writer's view and the lanes follow at once, not at the next poll. */
  private changed(): void {
    if (!this.closed) this.reload();
  }

  /** Proves the file writable with a write that is rolled back (`relay doctor`). */
  probeWrite(): void {
    this.stmts.probeWrite();
  }

  /** The writer connection's durability settings. */
  settings(): SpoolSettings {
    return this.stmts.settings();
  }

  /** Finishes the batch being written, then closes both connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.writer.drain();
      await this.background?.stop();
      // A damaged spool keeps its connections open to the end of the process,
      // as a refused one does: closing the last would checkpoint into it.
      if (this.damage) return;
      this.sync.close();
      this.opened.closeClient();
    } finally {
      // Last, and whatever failed above: another relay may take the spool only now.
      this.opened.lock?.release();
    }
  }
}
