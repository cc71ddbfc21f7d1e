import { existsSync, statSync } from 'node:fs';
import { BACKSTOP_PAGES, type Background, DAMAGED, type ScanResult, startBackground } from './background.ts';
import { lockSpool, type SpoolLock } from './lock.ts';
import { type Drizzle, openSpoolFiles, SpoolOpenError, type SyncDb } from './open.ts';
import {
  type Appended,
  type AppendInput,
  type Env,
  type EventStatus,
  type LaneStats,
  laneKey,
  type Outcome,
  type PendingEvent,
  ROW_OVERHEAD,
  type SpoolDeps,
  type SpoolStats,
} from './types.ts';
import { GroupCommitWriter, SpoolWriteError } from './writer.ts';

export * from './types.ts';

/** See Spool.open. */
const SCAN_FIRST_BYTES = 64 * 1024 * 1024;

/** The spool's size on disk, its write-ahead log included. */
function fileBytes(path: string): number {
  const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
  return size(path) + size(`${path}-wal`);
}

/** A spool SQLite calls damaged (DAMAGED), wherever in opening it first shows, is refused with advice. */
function damagedOpen(path: string, e: unknown): unknown {
  if (e instanceof SpoolOpenError || !DAMAGED.test((e as Error).message)) return e;
  return new SpoolOpenError(
    `spool ${path}: the database is damaged (${(e as Error).message}). The relay will not write to it. ` +
      `Keep a copy of the spool folder, then move the file aside (mv "${path}" "${path}.broken") ` +
      `to start an empty spool, or restore it from a backup.`,
  );
}

/**
 * The spool: every accepted event, on disk, in acknowledgement order. It knows
 * neither HTTP nor delivery: it appends, hands out lane heads and records outcomes.
 */
export class Spool {
  private readonly lanePending = new Map<string, { token: string; env: Env; pending: number }>();
  private counts = { delivered: 0, dead: 0 };
  private readonly listeners: ((token: string, env: Env) => void)[] = [];
  private readonly headStmt;
  private readonly oldestStmt;
  readonly writer: GroupCommitWriter;

  private constructor(
    readonly sync: SyncDb,
    readonly db: Drizzle,
    private readonly closeClient: () => void,
    private readonly deps: SpoolDeps,
  ) {
    this.headStmt = sync.prepare(
      `SELECT seq, id, token, env, body, received_at AS receivedAt, attempts FROM events
       WHERE status = 'pending' AND token = ? AND env = ? ORDER BY seq LIMIT 1`,
    );
    this.oldestStmt = sync.prepare(
      `SELECT received_at AS receivedAt FROM events
       WHERE status = 'pending' AND token = ? AND env = ? ORDER BY seq LIMIT 1`,
    );
    this.writer = new GroupCommitWriter(sync, deps);
    this.writer.onDeliveredPruned = (n) => {
      this.counts.delivered = Math.max(0, this.counts.delivered - n);
    };
    this.loadCounts();
    this.checkExternalChanges();
  }

  /** Set when the background integrity scan found the file damaged: no more events are taken. */
  damaged: string | null = null;
  private background: Background | null = null;
  private closed = false;
  /** The integrity scan's answer (Spool.open), once it has read every event. */
  scanned: Promise<ScanResult> = Promise.resolve({ ok: true, events: 0, ms: 0, countsDiffer: false });

  /**
   * Opens the spool. Every event is then read once by a scan on another
   * thread, because SQLite reports a damaged page only when something reads
   * it. A spool up to `scanFirstBytes` (default 64 MB, ~40,000 events, read in
   * well under 100 ms) is read before the relay serves, so a damaged one is
   * refused at start; a larger one (a million events take ~1.5 s) is served
   * meanwhile and, should the scan fail, stops taking events with the same advice.
   */
  static async open(deps: SpoolDeps): Promise<Spool> {
    const lock = deps.lock ? lockSpool(deps.path) : null;
    try {
      const spool = await Spool.openFiles(deps);
      spool.lock = lock;
      return spool;
    } catch (e) {
      lock?.release();
      throw damagedOpen(deps.path, e);
    }
  }

  private lock: SpoolLock | null = null;

  private static async openFiles(deps: SpoolDeps): Promise<Spool> {
    const { sync, db, client } = await openSpoolFiles(deps.path);
    if (deps.background === false) return new Spool(sync, db, () => client.close(), deps);
    const checkpoint = deps.checkpointThread !== false;
    const background = startBackground(deps.path, { checkpoint, log: deps.log });
    let spool: Spool;
    try {
      if (fileBytes(deps.path) <= (deps.scanFirstBytes ?? SCAN_FIRST_BYTES)) {
        const r = await background.scanned;
        // Refused with the connections left open, as before the scan: closing the
        // last one would checkpoint into the damaged file.
        if (!r.ok && r.damaged) throw new Error(r.message);
      }
      spool = new Spool(sync, db, () => client.close(), deps);
    } catch (e) {
      // The thread's connection is not the last one: closing it copies nothing.
      await background.stop();
      throw e;
    }
    spool.background = background;
    spool.scanned = background.scanned;
    void background.scanned.then((r) => spool.checkScan(r));
    if (checkpoint) sync.exec(`PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`);
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
      this.damaged =
        `spool ${this.deps.path}: the database is damaged (${r.message}); the relay stopped taking events. ` +
        `Stop it, keep a copy of the spool folder, then move the file aside ` +
        `(mv "${this.deps.path}" "${this.deps.path}.broken") to start an empty spool, or restore it from a backup.`;
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
   * Counts every event again into lane_counts: only when the integrity scan
   * found them different, i.e. rows were inserted around the relay's writer
   * (drizzle/0002_lane_counts.sql). Takes the writer's turn (~1.5 s per
   * million events), so it is logged. Lanes it finds are announced, as after
   * any outside change.
   */
  async recount(): Promise<void> {
    this.deps.log.warn('spool counts differ from its events (rows added by another program?); counting them again');
    await this.writer.run((s) => s.recount());
    // Read back at a turn's start, when every append answered so far has
    // also been added to the in-memory counts (their continuations ran).
    await Bun.sleep(0);
    if (!this.closed) this.reload();
  }

  private dataVersion = -1;

  /**
   * Another process (the `relay events ...` CLI) or connection may change the
   * spool while the server runs. `PRAGMA data_version` changes only for
   * commits by other connections (https://sqlite.org/pragma.html#pragma_data_version),
   * so polling it is cheap; on a change the counts are reloaded and every lane
   * with pending events is announced to the listeners.
   */
  checkExternalChanges(): boolean {
    const v = (this.sync.prepare('PRAGMA data_version').get() as { data_version: number }).data_version;
    if (v === this.dataVersion) return false;
    const first = this.dataVersion === -1;
    this.dataVersion = v;
    if (first) return false;
    this.reload();
    return true;
  }

  /** After a change the writer did not make: counts and next seq read again, every pending lane announced. */
  private reload(): void {
    this.lanePending.clear();
    this.counts = { delivered: 0, dead: 0 };
    this.loadCounts();
    this.writer.seeSeqs();
    for (const l of this.pendingLanes()) for (const fn of this.listeners) fn(l.token, l.env);
  }

  /**
   * Counts from `lane_counts` (a few rows, kept exact in every write's own
   * transaction), not from `events`: counting a million events took 1.5 s of
   * start-up (README "Performance").
   */
  private loadCounts(): void {
    const rows = this.sync.prepare(`SELECT token, env, status, n, bytes FROM lane_counts WHERE n > 0`).all() as {
      token: string;
      env: Env;
      status: EventStatus;
      n: number;
      bytes: number;
    }[];
    let held = 0;
    for (const r of rows) {
      held += r.bytes + r.n * ROW_OVERHEAD;
      if (r.status === 'pending') {
        this.lanePending.set(laneKey(r.token, r.env), { token: r.token, env: r.env, pending: r.n });
      } else this.counts[r.status] += r.n;
    }
    this.writer.heldBytes = held;
  }

  /** Resolves once the event is committed and the WAL fsynced; rejects with SpoolFullError / SpoolWriteError. */
  async append(input: AppendInput): Promise<Appended> {
    if (this.damaged) throw new SpoolWriteError(this.damaged);
    const r = await this.writer.append(input);
    const key = laneKey(input.token, input.env);
    const lane = this.lanePending.get(key);
    if (lane) lane.pending++;
    else this.lanePending.set(key, { token: input.token, env: input.env, pending: 1 });
    for (const l of this.listeners) l(input.token, input.env);
    return r;
  }

  onAppend(listener: (token: string, env: Env) => void): void {
    this.listeners.push(listener);
  }

  /** The oldest pending event of a lane, or undefined when the lane is empty. */
  head(token: string, env: Env): PendingEvent | undefined {
    return (this.headStmt.get(token, env) as PendingEvent | undefined) ?? undefined;
  }

  /** Lanes that have pending events. */
  pendingLanes(): { token: string; env: Env }[] {
    return [...this.lanePending.values()].filter((l) => l.pending > 0);
  }

  /** A failed attempt the lane will retry (verdict retry, or pause for a refused token). */
  async recordAttempt(ev: PendingEvent, verdict: 'retry' | 'pause', o: Outcome): Promise<void> {
    await this.writer.run((s) => {
      s.attempt.run(o.at, o.status, o.error ?? null, ev.seq);
      s.logAttempt.run(ev.seq, o.at, o.status, verdict, o.error ?? null);
    });
  }

  async markDelivered(ev: PendingEvent, o: Outcome & { cloudEventId: string | null }): Promise<void> {
    await this.writer.run((s) => {
      s.delivered.run(o.at, o.status, o.cloudEventId, o.at, ev.seq);
      s.logAttempt.run(ev.seq, o.at, o.status, 'delivered', o.cloudEventId);
    });
    this.settle(ev, 'delivered');
  }

  async markDead(ev: PendingEvent, o: Outcome): Promise<void> {
    await this.writer.run((s) => {
      s.dead.run(o.at, o.status, o.error ?? null, ev.seq);
      s.logAttempt.run(ev.seq, o.at, o.status, 'dead', o.error ?? null);
    });
    this.settle(ev, 'dead');
  }

  private settle(ev: PendingEvent, to: 'delivered' | 'dead'): void {
    const lane = this.lanePending.get(laneKey(ev.token, ev.env));
    if (lane && lane.pending > 0) lane.pending--;
    this.counts[to]++;
  }

  /** Deletes delivered events older than `before` (ms). Pending and dead events are never deleted here. */
  async pruneDelivered(before: number): Promise<number> {
    const n = await this.writer.run((_s, w) => w.pruneDeliveredBefore(before));
    this.counts.delivered = Math.max(0, this.counts.delivered - n);
    return n;
  }

  stats(): SpoolStats {
    const lanes: LaneStats[] = [];
    let pending = 0;
    for (const l of this.lanePending.values()) {
      if (l.pending === 0) continue;
      pending += l.pending;
      const o = this.oldestStmt.get(l.token, l.env) as { receivedAt: number } | undefined;
      lanes.push({ ...l, oldestReceivedAt: o?.receivedAt ?? null });
    }
    return {
      pending,
      delivered: this.counts.delivered,
      dead: this.counts.dead,
      bytes: this.writer.heldBytes,
      maxBytes: this.deps.maxBytes,
      lanes,
      lastWriteError: this.damaged ?? this.writer.lastError,
    };
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
      if (this.damaged) return;
      this.sync.close();
      this.closeClient();
    } finally {
      // Last, and whatever failed above: another relay may take the spool only now.
      this.lock?.release();
    }
  }
}
