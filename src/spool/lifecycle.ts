import { existsSync } from 'node:fs';
import type { ScanResult } from './background.ts';
import { DAMAGED } from './background.ts';
import type { SpoolLock } from './lock.ts';
import { SpoolDamagedError } from './open.ts';
import { damagedWhileServing, type Opened, openChecked } from './opening.ts';
import {
  asideName,
  clearIntent,
  closeAll,
  FALLBACK_FLOOR,
  type Intent,
  keepOpen,
  oldMeta,
  type Quarantined,
  quarantineAdvice,
  readIntent,
  setAside,
  writeIntent,
} from './quarantine.ts';
import { type SalvageReport, salvage } from './salvage.ts';
import { readSources, Salvager } from './salvager.ts';
import { prepareStatements, type Statements } from './statements.ts';
import type { SpoolDeps } from './types.ts';
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
  private closed = false;
  private scan: Promise<ScanResult> = Promise.resolve({ ok: true, events: 0, ms: 0, countsDiffer: false });
  private readonly salvager: Salvager;
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
    this.salvager = new Salvager({
      core: () => this.core,
      log: deps.log,
      changed: () => this.changed(),
      closed: () => this.closed,
    });
  }

  static async open(deps: SpoolDeps, changed: () => void): Promise<Lifecycle> {
    let life: Lifecycle;
    try {
      life = await openChecked(deps, (o) => new Lifecycle(o, deps, changed));
    } catch (e) {
      if (!(e instanceof SpoolDamagedError) || deps.onDamage !== 'quarantine') throw e;
      const old = oldMeta(e.leftOpen[0]);
      const now = deps.clock.now();
      const file = asideName(deps.path, now);
      writeIntent(deps.path, {
        file,
        at: new Date(now).toISOString(),
        reason: e.message,
        floor: e.maxSeq !== null ? Math.max(e.maxSeq + 1, old.floor) : Math.max(FALLBACK_FLOOR, old.floor + 2 ** 30),
        earlier: old.earlier,
        sources: [...old.sources, file],
      });
      setAside(deps.path, file, () => closeAll(e.leftOpen));
      life = await openChecked(deps, (o) => new Lifecycle(o, deps, changed));
    }
    // Also finishes a quarantine a crash cut between its rename and this record.
    await life.applyIntent();
    life.watchScan();
    // Only the serving relay salvages; a CLI command opening the spool beside it must not.
    if (deps.lock) life.salvager.resume();
    return life;
  }

  private makeCore(opened: Opened): Core {
    const stmts = prepareStatements(opened.sync, this.deps.path);
    const store = {
      maxSeq: stmts.maxSeq,
      insert: stmts.insert,
      reclaim: stmts.pruneOldest,
      diskBytes: stmts.diskBytes,
    };
    const writer: GroupCommitWriter = new GroupCommitWriter(opened.sync, store, {
      ...this.deps,
      onFailure: (e) => {
        // A failure of a writer already replaced says nothing about the file in use.
        if (this.core?.writer !== writer) return;
        if (DAMAGED.test(`${e.code ?? ''} ${e.message}`)) this.found(e.message);
      },
    });
    return { opened, stmts, writer };
  }

  get damaged(): string | null {
    return this.damage;
  }

  get scanned(): Promise<ScanResult> {
    return this.scan;
  }

  /** Resolves once no quarantine is under way: writes wait for the fresh file, never for the salvage. */
  get ready(): Promise<void> | null {
    return this.swapping;
  }

  /** True while a quarantine or a salvage runs: lane heads wait, so salvaged events go out before newer ones. */
  get holdingLanes(): boolean {
    return this.salvager.holding || this.swapping !== null;
  }

  /** Every quarantine recorded for this spool, oldest first. */
  quarantines(): Quarantined[] {
    const raw = this.core.stmts.meta.get('quarantined');
    return raw ? (JSON.parse(raw) as Quarantined[]) : [];
  }

  /** Quarantined files still where the relay put them (moving one away clears it). */
  quarantined(all = this.quarantines()): Quarantined[] {
    return all.filter((q) => existsSync(q.file) || existsSync(`${q.file}-wal`));
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
      this.swapping = this.swap(message)
        .catch((e) => this.refuse(`${message}; setting it aside failed: ${(e as Error).message}`))
        .finally(() => {
          this.swapping = null;
        });
      return;
    }
    this.refuse(message);
  }

  private refuse(message: string): void {
    this.damage = damagedWhileServing(this.deps.path, message);
    try {
      // Nothing may be copied into the damaged file from here, not even by SQLite's own checkpoint.
      this.core.opened.sync.exec('PRAGMA wal_autocheckpoint = 0');
    } catch {
      // the connection refuses even that: it writes nothing either
    }
    this.deps.log.error({ spool: this.deps.path, err: message }, 'spool damaged: no more events are taken');
  }

  /** Sets the damaged file aside and serves from a fresh one; writes meanwhile wait for it. */
  private async swap(reason: string): Promise<void> {
    const old = this.core;
    old.opened.sync.exec('PRAGMA wal_autocheckpoint = 0');
    // Every seq the damaged file may hold is below the next one its writer would give.
    const floor = old.writer.reserveSeq();
    let earlier: Quarantined[] = [];
    let sources: string[] = [];
    try {
      earlier = this.quarantines();
      sources = readSources(old);
    } catch {
      // the damaged file cannot even say which quarantines came before
    }
    await this.salvager.stop();
    await old.opened.background?.stop();
    await old.writer.drain();
    keepOpen(old.opened);
    const now = this.deps.clock.now();
    const file = asideName(this.deps.path, now);
    const at = new Date(now).toISOString();
    writeIntent(this.deps.path, { file, at, reason, floor, earlier, sources: [...sources, file] });
    setAside(this.deps.path, file, () => {
      old.opened.sync.close();
      old.opened.closeClient();
    });
    const opened = await openChecked({ ...this.deps, lock: false }, (o) => o);
    this.core = this.makeCore(opened);
    await this.applyIntent();
    this.watchScan();
    if (this.deps.lock) this.salvager.resume();
  }

  /**
   * Records a quarantine's intent in the spool in use (its seq floor, the
   * files to salvage), fsynced, then drops the intent file. Idempotent; an
   * intent whose rename never happened is simply dropped.
   */
  private async applyIntent(): Promise<void> {
    const intent: Intent | null = readIntent(this.deps.path);
    if (!intent) return;
    if (!existsSync(intent.file) && !existsSync(`${intent.file}-wal`)) return clearIntent(this.deps.path);
    const { stmts, writer } = this.core;
    const q: Quarantined = { file: intent.file, at: intent.at, reason: intent.reason };
    await writer.run(
      () => {
        const have = this.quarantines();
        const known = new Set(have.map((h) => h.file));
        const add = [...intent.earlier, q].filter((e) => !known.has(e.file));
        stmts.meta.set('quarantined', JSON.stringify([...have, ...add]));
        stmts.meta.set('seq_floor', String(Math.max(intent.floor, stmts.maxSeq() + 1)));
        stmts.meta.set('salvage_sources', JSON.stringify([...new Set([...readSources(this.core), ...intent.sources])]));
      },
      { durable: true },
    );
    writer.seeSeqs();
    clearIntent(this.deps.path);
    this.deps.log.error(
      { spool: this.deps.path, quarantined: q.file, err: q.reason },
      `spool damaged: ${quarantineAdvice(q)}`,
    );
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
    await this.salvager.stop();
    await this.swapping;
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
