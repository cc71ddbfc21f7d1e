import { existsSync } from 'node:fs';
import type { ScanResult } from './background.ts';
import { DAMAGED } from './background.ts';
import type { SpoolLock } from './lock.ts';
import { SpoolDamagedError } from './open.ts';
import { damagedWhileServing, keepOpen, type Opened, openChecked } from './opening.ts';
import { FALLBACK_FLOOR, type Quarantined, quarantineAdvice, setAside } from './quarantine.ts';
import { type SalvageReport, salvage } from './salvage.ts';
import { describeUnreadable, type SalvageRow } from './salvage-read.ts';
import { prepareStatements, type Statements } from './statements.ts';
import { ROW_OVERHEAD, type SpoolDeps } from './types.ts';
import { GroupCommitWriter } from './writer.ts';

/** One open spool file: its connections, statements and writer. A quarantine replaces it whole. */
export interface Core {
  opened: Opened;
  stmts: Statements;
  writer: GroupCommitWriter;
}

/**
 * The spool file's life: opening it, the integrity read's verdict, and what
 * `spool.on_damage` does with a damaged file — refuse (stop taking events) or
 * quarantine (set it aside, serve from a fresh file at once, salvage the
 * readable events into it). While a salvage runs, lane heads wait for it, so
 * the cloud still gets each lane in acknowledgement order.
 */
export class Lifecycle {
  private damage: string | null = null;
  private swapping: Promise<void> | null = null;
  private salvaging: Promise<SalvageReport> | null = null;
  private closed = false;
  private scan: Promise<ScanResult> = Promise.resolve({ ok: true, events: 0, ms: 0, countsDiffer: false });
  private readonly stopSalvage = new AbortController();
  /** The first file's lock: a quarantine keeps it, the fresh file is the same spool. */
  private readonly lock: SpoolLock | null;
  core: Core;

  private constructor(
    opened: Opened,
    private readonly deps: SpoolDeps,
    /** Rows changed outside the writer's appends: held bytes, seqs and lanes are read again. */
    private readonly changed: () => void,
  ) {
    this.lock = opened.lock;
    this.core = this.makeCore(opened);
  }

  static async open(deps: SpoolDeps, changed: () => void): Promise<Lifecycle> {
    let life: Lifecycle;
    try {
      life = await openChecked(deps, (o) => new Lifecycle(o, deps, changed));
    } catch (e) {
      if (!(e instanceof SpoolDamagedError) || deps.onDamage !== 'quarantine') throw e;
      const file = setAside(deps.path, deps.clock.now(), () => closeAll(e.leftOpen));
      life = await openChecked(deps, (o) => new Lifecycle(o, deps, changed));
      await life.noteQuarantine(file, e.message, e.maxSeq === null ? null : e.maxSeq + 1);
    }
    life.watchScan();
    life.resumeSalvage();
    return life;
  }

  private makeCore(opened: Opened): Core {
    const stmts = prepareStatements(opened.sync);
    const store = { maxSeq: stmts.maxSeq, insert: stmts.insert, reclaim: stmts.pruneOldest };
    const writer = new GroupCommitWriter(opened.sync, store, {
      ...this.deps,
      onFailure: (e) => {
        if (DAMAGED.test(`${e.code ?? ''} ${e.message}`)) this.found(e.message);
      },
    });
    let held = 0;
    for (const r of stmts.counts()) held += r.bytes + r.n * ROW_OVERHEAD;
    writer.setHeldBytes(held);
    return { opened, stmts, writer };
  }

  get damaged(): string | null {
    return this.damage;
  }

  get scanned(): Promise<ScanResult> {
    return this.scan;
  }

  /** Resolves once no quarantine is under way: appends wait for the fresh file, never for the salvage. */
  get ready(): Promise<void> | null {
    return this.swapping;
  }

  /** True while a salvage runs: lane heads wait, so salvaged events go out before newer ones. */
  get holdingLanes(): boolean {
    return this.salvaging !== null || this.swapping !== null;
  }

  /** Every quarantine recorded for this spool, oldest first. */
  quarantines(): Quarantined[] {
    const raw = this.core.stmts.meta.get('quarantined');
    return raw ? (JSON.parse(raw) as Quarantined[]) : [];
  }

  /** Quarantined files still where the relay put them (moving one away clears it). */
  quarantined(): Quarantined[] {
    return this.quarantines().filter((q) => existsSync(q.file));
  }

  lastSalvage(): SalvageReport | null {
    const raw = this.core.stmts.meta.get('salvage_report');
    return raw ? (JSON.parse(raw) as SalvageReport) : null;
  }

  private watchScan(): void {
    const bg = this.core.opened.background;
    if (!bg) return;
    this.scan = bg.scanned;
    const core = this.core;
    void bg.scanned.then((r) => {
      if (this.closed || this.core !== core) return;
      if (!r.ok && !r.damaged) {
        // Busy, out of memory or file handles: not a verdict on the file.
        this.deps.log.warn(
          { spool: this.deps.path, err: r.message },
          'spool integrity read failed; it runs again at next start',
        );
      } else if (!r.ok) this.found(r.message);
      else {
        this.deps.log.info({ events: r.events, ms: r.ms }, 'spool read in full: no damaged page');
        if (r.countsDiffer) this.recount();
      }
    });
  }

  private recount(): void {
    this.deps.log.warn('spool counts differ from its events (rows added by another program?); counting them again');
    this.core.writer
      .run(() => this.core.stmts.recount())
      .then(() => !this.closed && this.changed())
      .catch((e) =>
        this.deps.log.warn({ err: (e as Error).message }, 'spool recount failed; it runs again at next start'),
      );
  }

  /** SQLite called the file in use damaged (the integrity read, or a write). */
  private found(message: string): void {
    if (this.closed || this.damage || this.swapping) return;
    if (this.deps.onDamage === 'quarantine') {
      this.swapping = this.swap(message).finally(() => {
        this.swapping = null;
      });
      return;
    }
    this.damage = damagedWhileServing(this.deps.path, message);
    // Nothing may be copied into the damaged file from here, not even by SQLite's own checkpoint.
    this.core.opened.sync.exec('PRAGMA wal_autocheckpoint = 0');
    this.deps.log.error({ spool: this.deps.path, err: message }, 'spool damaged: no more events are taken');
  }

  /** Sets the damaged file aside and serves from a fresh one; appends meanwhile wait for it. */
  private async swap(reason: string): Promise<void> {
    const old = this.core;
    // Every seq the damaged file may hold is below the next one its writer would give.
    const floor = old.writer.reserveSeq();
    let earlier: Quarantined[] = [];
    try {
      earlier = this.quarantines();
    } catch {
      // the damaged file cannot even say which quarantines came before
    }
    await old.opened.background?.stop();
    await old.writer.drain();
    keepOpen(old.opened);
    const file = setAside(this.deps.path, this.deps.clock.now(), () => {
      old.opened.sync.close();
      old.opened.closeClient();
    });
    const opened = await openChecked({ ...this.deps, lock: false }, (o) => o);
    this.core = this.makeCore(opened);
    await this.noteQuarantine(file, reason, floor, earlier);
    this.watchScan();
  }

  /** Records the quarantine in the fresh file (its seq floor first), says so loudly, starts the salvage. */
  private async noteQuarantine(
    file: string,
    reason: string,
    floor: number | null,
    earlier: Quarantined[] = [],
  ): Promise<void> {
    const q: Quarantined = { file, at: new Date(this.deps.clock.now()).toISOString(), reason };
    const { stmts, writer } = this.core;
    await writer.run(() => {
      stmts.meta.set('quarantined', JSON.stringify([...earlier, ...this.quarantines(), q]));
      stmts.meta.set('seq_floor', String(Math.max(floor ?? FALLBACK_FLOOR, stmts.maxSeq() + 1)));
      stmts.meta.set('salvage_source', file);
    });
    writer.seeSeqs();
    this.deps.log.error(
      { spool: this.deps.path, quarantined: file, err: reason },
      `spool damaged: ${quarantineAdvice(q)}`,
    );
    this.resumeSalvage();
  }

  /** A salvage recorded as not finished (just quarantined, or cut by a restart) runs now; it is idempotent. */
  private resumeSalvage(): void {
    const source = this.core.stmts.meta.get('salvage_source');
    if (!source || this.salvaging) return;
    const { stmts, writer } = this.core;
    const safe = stmts.maxSeq();
    const sink = (rows: SalvageRow[]) => writer.run(() => stmts.insertSalvaged(rows, safe, () => writer.reserveSeq()));
    this.salvaging = salvage(source, sink, { threaded: true, signal: this.stopSalvage.signal })
      .then(async (report) => {
        // Stopped by close: the salvage runs again, whole, at the next start.
        if (this.closed) return report;
        await writer.run(() => {
          stmts.meta.set('salvage_report', JSON.stringify(report));
          stmts.meta.delete('salvage_source');
        });
        const fields = { source, restored: report.restored, skipped: report.skipped, err: report.error };
        const text =
          `salvage of ${source}: ${report.restored} pending or dead-lettered event(s) restored` +
          (report.unreadable.length > 0 ? `; seq ${describeUnreadable(report.unreadable)} could not be read` : '');
        if (report.error || report.unreadable.length > 0) this.deps.log.error(fields, text);
        else this.deps.log.info(fields, text);
        return report;
      })
      .finally(() => {
        this.salvaging = null;
        if (!this.closed) this.changed();
      });
  }

  /** `relay spool salvage FILE`: by hand, on this thread; `reseq` only when no relay serves this spool. */
  salvageFile(file: string, opts: { reseq: boolean; onProgress?: (restored: number) => void }): Promise<SalvageReport> {
    const { stmts, writer } = this.core;
    const safe = stmts.maxSeq();
    const next = opts.reseq ? () => writer.reserveSeq() : null;
    return salvage(file, (rows) => writer.run(() => stmts.insertSalvaged(rows, safe, next)), {
      threaded: false,
      onProgress: opts.onProgress,
    }).then((r) => {
      this.changed();
      return r;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopSalvage.abort();
    await this.swapping;
    await this.salvaging;
    const { opened, writer } = this.core;
    try {
      await writer.drain();
      await opened.background?.stop();
      // A damaged spool keeps its connections open to the end of the process,
      // as a refused one does: closing the last would checkpoint into it.
      if (this.damage) return;
      opened.sync.close();
      opened.closeClient();
    } finally {
      // Last, and whatever failed above: another relay may take the spool only now.
      this.lock?.release();
    }
  }
}

function closeAll(held: unknown[]): void {
  for (const h of held) {
    try {
      (h as { close(): void }).close();
    } catch {
      // already closed, or refused: the copy of the files is what is kept
    }
  }
}
