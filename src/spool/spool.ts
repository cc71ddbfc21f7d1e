import type { ScanResult } from './background.ts';
import { type DrainEstimate, drainEstimate, pacePerSecond } from './drain.ts';
import { Lifecycle } from './lifecycle.ts';
import type { Quarantined } from './quarantine.ts';
import * as queries from './queries.ts';
import type { SalvageReport } from './salvage.ts';
import { inSlices } from './slices.ts';
import type {
  Appended,
  AppendInput,
  Env,
  EventDetail,
  EventSummary,
  HeadAttempts,
  LaneCounts,
  ListFilter,
  Outcome,
  PendingEvent,
  Progress,
  ReplayResult,
  SpoolDeps,
  SpoolSettings,
  SpoolStats,
} from './types.ts';
import { SpoolWriteError } from './writer.ts';

/**
 * The spool: every accepted event, on disk, in acknowledgement order. It knows
 * neither HTTP nor delivery: it appends, hands out lane heads, records
 * outcomes, and answers the reads and repairs of the status page and the CLI.
 * Its connections and tables stay inside spool/.
 */
export class Spool {
  private readonly listeners: ((token: string, env: Env) => void)[] = [];
  private closed = false;
  private dataVersion = -1;

  private constructor(
    private readonly life: Lifecycle,
    private readonly deps: SpoolDeps,
  ) {
    this.checkExternalChanges();
  }

  /**
   * Opens the spool. Every event is then read once by a scan on another
   * thread, because SQLite reports a damaged page only when something reads
   * it. A spool up to `scanFirstBytes` (default 64 MB, ~40,000 events, read in
   * well under 100 ms) is read before the relay serves, so a damaged one is
   * found at start; a larger one (a million events take ~1.5 s) is served
   * meanwhile. A damaged file is quarantined or refused (`deps.onDamage`, lifecycle.ts).
   */
  static async open(deps: SpoolDeps): Promise<Spool> {
    let spool: Spool | null = null;
    // A salvage that finishes announces its lanes through the spool made just below.
    spool = new Spool(await Lifecycle.open(deps, () => spool?.changed()), deps);
    return spool;
  }

  /** The spool file. */
  get path(): string {
    return this.deps.path;
  }

  /** Set when the file was found damaged and `on_damage` is refuse: no more events are taken. */
  get damaged(): string | null {
    return this.life.damaged;
  }

  /** The integrity scan's answer (Spool.open), once it has read every event. */
  get scanned(): Promise<ScanResult> {
    return this.life.scanned;
  }

  /** Files quarantined by this spool that are still where it put them. */
  quarantined(): Quarantined[] {
    return this.life.quarantined();
  }

  /** The last salvage's report, once one has finished. */
  lastSalvage(): SalvageReport | null {
    return this.life.lastSalvage();
  }

  /**
   * This spool's site id (spool_meta `site_id`): `make()` the first time, the
   * same one ever after, so a site keeps its name in pushed telemetry across
   * restarts and upgrades.
   */
  async siteId(make: () => string): Promise<string> {
    await this.life.ready; // never into a file being set aside
    const { stmts, writer } = this.life.core;
    return writer.run(
      () => {
        const had = stmts.meta.get('site_id');
        if (had) return had;
        const id = make();
        stmts.meta.set('site_id', id);
        return id;
      },
      { durable: true },
    );
  }

  /**
   * Another process (the `relay events ...` CLI) or connection may change the
   * spool while the server runs. `PRAGMA data_version` changes only for
   * commits by other connections (https://sqlite.org/pragma.html#pragma_data_version),
   * so polling it is cheap; on a change the held bytes and next seq are read
   * again and every lane with pending events is announced to the listeners.
   */
  checkExternalChanges(): boolean {
    const v = this.life.core.stmts.dataVersion();
    if (v === this.dataVersion) return false;
    const first = this.dataVersion === -1;
    this.dataVersion = v;
    if (first) return false;
    this.reload();
    return true;
  }

  /** After a change the writer did not make: next seq read again, every pending lane announced. */
  private reload(): void {
    const { stmts, writer } = this.life.core;
    this.dataVersion = stmts.dataVersion();
    writer.seeSeqs();
    for (const l of this.pendingLanes()) for (const fn of this.listeners) fn(l.token, l.env);
  }

  private changed(): void {
    if (!this.closed) this.reload();
  }

  /** Resolves once the event is committed and the WAL fsynced; rejects with SpoolFullError / SpoolWriteError. */
  async append(input: AppendInput): Promise<Appended> {
    const swapping = this.life.ready;
    if (swapping) await swapping;
    if (this.life.damaged) throw new SpoolWriteError(this.life.damaged);
    const r = await this.life.core.writer.append(input);
    for (const l of this.listeners) l(input.token, input.env);
    return r;
  }

  /** Called after each stored append, and for every pending lane after an outside change. */
  onAppend(listener: (token: string, env: Env) => void): void {
    this.listeners.push(listener);
  }

  /** The oldest pending event of a lane; undefined when the lane is empty or waits for a salvage. */
  head(token: string, env: Env): PendingEvent | undefined {
    return this.life.holdingLanes ? undefined : this.life.core.stmts.head(token, env);
  }

  /** How often a lane's head was tried and what came back; undefined when the lane is empty. */
  headAttempts(token: string, env: Env): HeadAttempts | undefined {
    return this.life.core.stmts.headAttempts(token, env);
  }

  /** A token's latest bodies, newest first (delivered ones while kept): what was learned of them survives a restart. */
  recentBodies(token: string, limit: number): Buffer[] {
    return this.life.core.stmts.recentBodies(token, limit);
  }

  /** Lanes that have pending events (none while a salvage runs: they are announced after it). */
  pendingLanes(): { token: string; env: Env }[] {
    if (this.life.holdingLanes) return [];
    return this.life.core.stmts
      .counts()
      .filter((c) => c.status === 'pending')
      .map((c) => ({ token: c.token, env: c.env }));
  }

  /** A failed attempt the lane will retry (verdict retry, or pause for a refused token). */
  async recordAttempt(ev: PendingEvent, verdict: 'retry' | 'pause', o: Outcome): Promise<void> {
    await this.life.ready; // never into a file being set aside
    const { stmts, writer } = this.life.core;
    await writer.run(() => stmts.record(ev.seq, verdict, { ...o, detail: o.error ?? null }));
  }

  async markDelivered(ev: PendingEvent, o: Outcome & { cloudEventId: string | null }): Promise<void> {
    await this.life.ready; // never into a file being set aside
    const { stmts, writer } = this.life.core;
    await writer.run(() => stmts.record(ev.seq, 'delivered', { ...o, detail: o.cloudEventId }));
  }

  async markDead(ev: PendingEvent, o: Outcome): Promise<void> {
    await this.life.ready; // never into a file being set aside
    const { stmts, writer } = this.life.core;
    await writer.run(() => stmts.record(ev.seq, 'dead', { ...o, detail: o.error ?? null }));
  }

  /**
   * Deletes delivered events older than `before` (ms), in slices (slices.ts)
   * so acks keep flowing meanwhile. Pending and dead events are never deleted
   * here. A prune asked for while one runs joins it.
   */
  pruneDelivered(before: number): Promise<number> {
    this.pruning ??= this.prune(before).finally(() => {
      this.pruning = null;
    });
    return this.pruning;
  }

  private pruning: Promise<number> | null = null;

  private async prune(before: number): Promise<number> {
    await this.life.ready; // never into a file being set aside
    return inSlices(
      async (rows) => {
        await this.life.ready;
        const { stmts, writer } = this.life.core;
        return writer.run(() => {
          const started = performance.now();
          const sizes = stmts.pruneDeliveredBefore(before, rows);
          return { rows: sizes.length, ms: performance.now() - started };
        });
      },
      { stop: () => this.closed },
    );
  }

  stats(): SpoolStats {
    const { stmts, writer } = this.life.core;
    const recorded = this.life.quarantines();
    return {
      ...stmts.tally(),
      bytes: this.diskBytes(),
      maxBytes: this.deps.maxBytes,
      lastWriteError: this.life.damaged ?? writer.lastError,
      quarantined: this.life.quarantined(recorded),
      quarantines: recorded.length,
      salvaging: this.life.holdingLanes,
    };
  }

  /**
   * What the spool takes on disk, measured now (a checkpoint or another
   * process may have changed it since the last write); the last batch's
   * measure when the file cannot say.
   */
  private diskBytes(): number {
    const { stmts, writer } = this.life.core;
    try {
      return stmts.diskBytes();
    } catch {
      return writer.heldBytes;
    }
  }

  /**
   * The backlog's expected time to drain at the pace of the last minute's
   * deliveries (drain.ts): what the status page and `relay status` show.
   */
  drain(now = this.deps.clock.now()): DrainEstimate {
    const { stmts } = this.life.core;
    let pending = 0;
    for (const c of stmts.counts()) if (c.status === 'pending') pending += c.n;
    return drainEstimate(pending, pacePerSecond(stmts.recentDelivered(now), now));
  }

  /** Most recent first. */
  listEvents(filter: ListFilter = {}): Promise<EventSummary[]> {
    return queries.listEvents(this.life.core.opened.db, filter);
  }

  /** One event, its body and every attempt; an upper-case copy of an id finds the same event. */
  getEvent(id: string): Promise<EventDetail | undefined> {
    return queries.getEvent(this.life.core.opened.db, id);
  }

  /** Counts per lane and status, with the age of each lane's oldest pending event. */
  laneCounts(): Promise<LaneCounts[]> {
    return queries.laneCounts(this.life.core.opened.db);
  }

  /** Dead letters back to pending: their older seq sends them next, ahead of newer events. */
  async replay(ids: string[]): Promise<ReplayResult> {
    await this.life.ready; // never into a file being set aside
    const r = await queries.replayEvents(this.life.core.opened.db, ids);
    if (r.replayed.length > 0) this.changed();
    return r;
  }

  /** Every dead letter back to pending, in chunks so a terminal can show progress. */
  async replayAllDead(onProgress?: Progress): Promise<number> {
    await this.life.ready; // never into a file being set aside
    const n = await queries.replayAllDead(this.life.core.opened.db, onProgress);
    if (n > 0) this.changed();
    return n;
  }

  /** Deletes delivered events received before `before` (ms), never pending or dead ones. */
  async purgeDelivered(before: number, onProgress?: Progress): Promise<number> {
    await this.life.ready; // never into a file being set aside
    const n = await queries.purgeDelivered(this.life.core.opened.db, before, onProgress);
    if (n > 0) this.changed();
    return n;
  }

  /** Restores the pending and dead events of a damaged file or backup (`relay spool salvage`). */
  salvageFile(file: string, opts: { reseq: boolean; onProgress?: (restored: number) => void }): Promise<SalvageReport> {
    return this.life.salvageFile(file, opts);
  }

  /** The alerts' state kept across restarts (alerts/memory.ts owns its shape); null before the first save. */
  alertState(): string | null {
    return this.life.core.stmts.meta.get('alerts');
  }

  /** Keeps the alerts' state, fsynced: a kill right after an alert was sent must not forget it. */
  async saveAlertState(value: string): Promise<void> {
    await this.life.ready; // never into a file being set aside
    const { stmts, writer } = this.life.core;
    await writer.run(() => stmts.meta.set('alerts', value), { durable: true });
  }

  /** Proves the file writable with a write that is rolled back (`relay doctor`). */
  probeWrite(): void {
    this.life.core.stmts.probeWrite();
  }

  /** The writer connection's durability settings. */
  settings(): SpoolSettings {
    return this.life.core.stmts.settings();
  }

  /** Finishes the batch being written, then closes both connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.life.close();
  }
}
