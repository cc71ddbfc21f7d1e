import type { Logger } from '../lib/log.ts';
import type { Core } from './lifecycle.ts';
import { FALLBACK_FLOOR } from './quarantine.ts';
import { FINAL, type SalvageReport, salvage } from './salvage.ts';
import { describeUnreadable, type SalvageRow } from './salvage-read.ts';

/**
 * Runs the salvages a spool has recorded (spool_meta.salvage_sources), one
 * file after the other, into the spool in use. A salvage that fails for a
 * reason a retry may change (a busy file, a full disk) is tried again; while
 * any runs, lane heads wait (Lifecycle.holdingLanes), so the cloud still gets
 * each lane in acknowledgement order. A file is struck off the list only once
 * its salvage is over, and that record is fsynced.
 */

const RETRY_MS = 15_000;
const ATTEMPTS = 5;

export const readSources = (core: Core): string[] => {
  const raw = core.stmts.meta.get('salvage_sources');
  return raw ? (JSON.parse(raw) as string[]) : [];
};

export class Salvager {
  private running: Promise<void> | null = null;
  private abort = new AbortController();

  constructor(private readonly d: { core: () => Core; log: Logger; changed: () => void; closed: () => boolean }) {}

  get holding(): boolean {
    return this.running !== null;
  }

  resume(): void {
    if (this.running || this.d.closed()) return;
    const sources = readSources(this.d.core());
    if (sources.length === 0) return;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.running = this.all(sources, signal)
      .catch((e) => this.d.log.error({ err: (e as Error).message }, 'salvage stopped; it runs again at next start'))
      .finally(() => {
        this.running = null;
        if (!this.d.closed()) this.d.changed();
      });
  }

  /** Stops a salvage under way (it resumes, whole and idempotent, at the next resume or start). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async all(sources: string[], signal: AbortSignal): Promise<void> {
    for (const source of sources) {
      for (let attempt = 1; ; attempt++) {
        if (signal.aborted) return;
        const report = await this.once(source, signal);
        if (signal.aborted) return;
        if (report.error === null || FINAL.test(report.error)) {
          await this.done(source, report);
          break;
        }
        if (attempt >= ATTEMPTS) {
          // Deliveries go on; the file stays on the list for the next start or `relay spool salvage`.
          this.d.log.error(
            { source, err: report.error, attempts: attempt },
            `salvage of ${source} failed ${attempt} times; deliveries go on, it runs again at next start`,
          );
          return;
        }
        this.d.log.warn({ source, err: report.error, retry_in_ms: RETRY_MS * attempt }, 'salvage failed; retrying');
        await new Promise<void>((r) => {
          const t = setTimeout(r, RETRY_MS * attempt);
          signal.addEventListener('abort', () => (clearTimeout(t), r()));
        });
      }
    }
  }

  private once(source: string, signal: AbortSignal): Promise<SalvageReport> {
    const { stmts, writer } = this.d.core();
    const floor = Number(stmts.meta.get('seq_floor') ?? 0);
    // Below the floor every seq was the damaged file's: the bound for a file that cannot say its own.
    const hi = floor > 1 && floor < FALLBACK_FLOOR ? floor - 1 : null;
    const safe = stmts.maxSeq();
    const sink = (rows: SalvageRow[]) => writer.run(() => stmts.insertSalvaged(rows, safe, () => writer.reserveSeq()));
    return salvage(source, sink, { threaded: true, signal, hi });
  }

  private async done(source: string, report: SalvageReport): Promise<void> {
    const { stmts, writer } = this.d.core();
    await writer.run(
      () => {
        stmts.meta.set('salvage_report', JSON.stringify(report));
        stmts.meta.set('salvage_sources', JSON.stringify(readSources(this.d.core()).filter((s) => s !== source)));
      },
      { durable: true },
    );
    const fields = { source, restored: report.restored, skipped: report.skipped, err: report.error };
    const text =
      `salvage of ${source}: ${report.restored} pending or dead-lettered event(s) restored` +
      (report.unreadable.length > 0 ? `; seq ${describeUnreadable(report.unreadable)} could not be read` : '') +
      (report.error ? `; ${report.error}` : '');
    if (report.error || report.unreadable.length > 0) this.d.log.error(fields, text);
    else this.d.log.info(fields, text);
  }
}
