import { type Drizzle, openSpoolFiles, type SyncDb } from './open.ts';
import {
  type Appended,
  type AppendInput,
  type Env,
  type EventStatus,
  type LaneStats,
  type Outcome,
  type PendingEvent,
  ROW_OVERHEAD,
  type SpoolDeps,
  type SpoolStats,
} from './types.ts';
import { GroupCommitWriter } from './writer.ts';

export * from './types.ts';

export const laneKey = (token: string, env: Env): string => `${env}\u0000${token}`;

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

  static async open(deps: SpoolDeps): Promise<Spool> {
    const { sync, db, client } = await openSpoolFiles(deps.path);
    return new Spool(sync, db, () => client.close(), deps);
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
    this.lanePending.clear();
    this.counts = { delivered: 0, dead: 0 };
    this.loadCounts();
    for (const l of this.pendingLanes()) for (const fn of this.listeners) fn(l.token, l.env);
    return true;
  }

  private loadCounts(): void {
    const lanes = this.sync
      .prepare(`SELECT token, env, count(*) AS n FROM events WHERE status = 'pending' GROUP BY token, env`)
      .all() as { token: string; env: Env; n: number }[];
    for (const l of lanes) {
      this.lanePending.set(laneKey(l.token, l.env), { token: l.token, env: l.env, pending: l.n });
    }
    const totals = this.sync
      .prepare(`SELECT status, count(*) AS n, coalesce(sum(size), 0) AS bytes FROM events GROUP BY status`)
      .all() as { status: EventStatus; n: number; bytes: number }[];
    let held = 0;
    for (const t of totals) {
      held += t.bytes + t.n * ROW_OVERHEAD;
      if (t.status === 'delivered') this.counts.delivered = t.n;
      if (t.status === 'dead') this.counts.dead = t.n;
    }
    this.writer.heldBytes = held;
  }

  /** Resolves once the event is committed and the WAL fsynced; rejects with SpoolFullError / SpoolWriteError. */
  async append(input: AppendInput): Promise<Appended> {
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
      lastWriteError: this.writer.lastError,
    };
  }

  /** Finishes the batch being written, then closes both connections. */
  async close(): Promise<void> {
    await this.writer.drain();
    this.sync.close();
    this.closeClient();
  }
}
