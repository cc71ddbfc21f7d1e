import { existsSync, statSync } from 'node:fs';
import Database from 'libsql';
import { VERSION } from '../version.ts';
import { migrations } from './migrations.generated.ts';

/**
 * A spool's format is the number of migrations applied to it (drizzle/):
 * format 5 has 0000 to 0004. A relay migrates any older spool up to its own
 * format and records, in `spool_meta`, the format and its own version
 * (`format`, `migrated_by`). A spool of a format this build does not know was
 * migrated by a newer relay: its tables may mean things this build would get
 * wrong, so it is refused before anything is written, the lock file included.
 */
export const SPOOL_FORMAT = migrations.length;

/** The formats this build reads: every older one is migrated up at start. */
export const READS_FORMATS = { from: 1, to: SPOOL_FORMAT } as const;

/** The `spool_meta` keys the format lives in (one owner: migrate.ts writes them, readFormat reads them). */
export const FORMAT_KEYS = { format: 'format', migratedBy: 'migrated_by' } as const;

export interface SpoolFormat {
  /** Migrations applied (the larger of the recorded format and the migrations table's rows). */
  format: number;
  /** The relay that last migrated it; null for a spool migrated before this was recorded. */
  migratedBy: string | null;
}

/** The refusal, one sentence: both versions, and what to do. */
export function newerFormat(path: string, found: SpoolFormat): string {
  const by = found.migratedBy ? `relay ${found.migratedBy}` : 'a newer relay';
  const run = found.migratedBy ? `relay ${found.migratedBy} or newer` : 'the newer relay that migrated it';
  return (
    `spool ${path} has format ${found.format}, written by ${by}, and this relay ${VERSION} reads formats up to ` +
    `${SPOOL_FORMAT}: run ${run} on it (the file was left untouched), or set spool.path to another file.`
  );
}

type Row = { value: string } | undefined;

/**
 * Reads a spool's format without writing anything. With no write-ahead log
 * beside it the file alone is the database: opened `immutable`, SQLite
 * creates no -shm or -wal either. With a log, read-only: the log's commits
 * count, and a read-only connection never checkpoints into the file.
 * Null for a file that does not exist yet, is empty, or has no tables (a new
 * spool); a file SQLite cannot read is left to open.ts, which says why.
 */
export function readFormat(path: string): SpoolFormat | null {
  if (!existsSync(path) || statSync(path).size === 0) return null;
  const hasLog = existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0;
  let db: InstanceType<typeof Database> | null = null;
  try {
    db = new Database(`file:${path}?${hasLog ? 'mode=ro' : 'immutable=1'}`);
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (t) => t.name,
      ),
    );
    let format = 0;
    let migratedBy: string | null = null;
    if (tables.has('__drizzle_migrations')) {
      format = Number((db.prepare('SELECT count(*) AS n FROM "__drizzle_migrations"').get() as { n: number }).n);
    }
    if (tables.has('spool_meta')) {
      const get = db.prepare('SELECT value FROM spool_meta WHERE key = ?');
      const recorded = Number((get.get(FORMAT_KEYS.format) as Row)?.value ?? 0);
      if (Number.isFinite(recorded)) format = Math.max(format, recorded);
      migratedBy = (get.get(FORMAT_KEYS.migratedBy) as Row)?.value ?? null;
    }
    return { format, migratedBy };
  } catch {
    return null; // not readable as a database: open.ts checks it and says why
  } finally {
    try {
      db?.close();
    } catch {
      // a read-only connection has nothing to write back
    }
  }
}

/** The refusal's message when `path` holds a spool newer than this build, else null. */
export function tooNew(path: string): string | null {
  const f = readFormat(path);
  return f && f.format > SPOOL_FORMAT ? newerFormat(path, f) : null;
}
