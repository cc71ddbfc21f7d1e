import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';

/**
 * Setting a damaged spool aside (`spool.on_damage = "quarantine"`): its file
 * set becomes `<spool>.damaged-<UTC time>` with `-wal` and `-shm`, never
 * deleted and never written again, and an empty spool takes its place at once.
 */

export interface Quarantined {
  /** The damaged database as it now is named; its -wal and -shm beside it. */
  file: string;
  at: string;
  reason: string;
}

/** A fresh spool's first seq when the damaged one's highest cannot be read: above any seq a real spool reaches. */
export const FALLBACK_FLOOR = 2 ** 39;

/** "2026-12-02T05-31-07Z": a UTC time that is a valid file name on every system. */
export const stampOf = (now: number): string =>
  new Date(now)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');

// The log first: a -wal left beside a missing database would be reset by the next open.
const SUFFIXES = ['-wal', '-shm', ''] as const;

/**
 * Renames the damaged file set; open connections keep the renamed files
 * (POSIX), so nothing the relay still holds can write to the new spool. Where
 * an open file cannot be renamed (Windows), the set is copied byte for byte
 * and fsynced, `closeOld` closes the connections, and the originals go.
 * Returns the damaged database's new name.
 */
/** The name a damaged set gets: two quarantines within a second (a restart loop) keep both sets. */
export function asideName(path: string, now: number): string {
  let base = `${path}.damaged-${stampOf(now)}`;
  for (let n = 2; existsSync(base) || existsSync(`${base}-wal`); n++) base = `${path}.damaged-${stampOf(now)}-${n}`;
  return base;
}

export function setAside(path: string, base: string, closeOld: () => void): string {
  const present = SUFFIXES.filter((s) => existsSync(`${path}${s}`));
  try {
    for (const s of present) renameSync(`${path}${s}`, `${base}${s}`);
    return base;
  } catch {
    // fall through: copy what is still under the old name
  }
  for (const s of present) {
    if (!existsSync(`${path}${s}`)) continue;
    copyFileSync(`${path}${s}`, `${base}${s}`);
    const fd = openSync(`${base}${s}`, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  closeOld();
  for (const s of SUFFIXES) rmSync(`${path}${s}`, { force: true });
  return base;
}

/** What a technician is told, in the log, on /health and the status page. */
export const quarantineAdvice = (q: Quarantined): string =>
  `the damaged spool was moved to ${q.file} (${q.reason}); an empty spool took its place and the relay ` +
  `kept taking events. Readable pending events are salvaged from it automatically ` +
  `(relay spool salvage "${q.file}" does it again by hand). Keep the file for EmiliaVision support, ` +
  `then move it out of the spool folder to clear this warning; check the disk.`;

/**
 * What a quarantine is about to do, on disk before the rename (fsynced, with
 * its folder): a crash between the rename and the fresh spool's own record
 * must not leave a damaged file nobody salvages or names.
 */
export interface Intent extends Quarantined {
  /** The fresh spool's first seq: above every seq the damaged one may hold. */
  floor: number;
  /** Quarantines recorded before, and damaged files still to salvage (this one last). */
  earlier: Quarantined[];
  sources: string[];
}

const intentPath = (path: string) => `${path}.quarantine`;

function fsyncPath(p: string): void {
  const fd = openSync(p, 'r');
  try {
    fsyncSync(fd);
  } catch {
    // a folder that cannot be fsynced (some systems): the file itself was
  } finally {
    closeSync(fd);
  }
}

export function writeIntent(path: string, intent: Intent): void {
  writeFileSync(intentPath(path), JSON.stringify(intent));
  fsyncPath(intentPath(path));
  fsyncPath(dirname(path));
}

export function readIntent(path: string): Intent | null {
  try {
    return JSON.parse(readFileSync(intentPath(path), 'utf8')) as Intent;
  } catch {
    return null;
  }
}

export const clearIntent = (path: string): void => rmSync(intentPath(path), { force: true });

/**
 * Connections on a damaged file that must never be closed: closing the last
 * one would checkpoint into it (SQLite has no "close without checkpoint" here).
 * They are held until the process ends, when the system drops them unclosed.
 */
const neverClosed: unknown[] = [];
export const keepOpen = (...held: unknown[]): void => void neverClosed.push(...held);

/** What a damaged file still says about earlier quarantines, if it can be read at all. */
export function oldMeta(held: unknown): { earlier: Quarantined[]; sources: string[]; floor: number } {
  const out = { earlier: [] as Quarantined[], sources: [] as string[], floor: 0 };
  const db = held as { prepare?: (sql: string) => { get(...a: unknown[]): unknown } } | undefined;
  const get = (key: string): string | null => {
    try {
      const r = db?.prepare?.('SELECT value FROM spool_meta WHERE key = ?').get(key) as { value: string } | undefined;
      return r?.value ?? null;
    } catch {
      return null;
    }
  };
  try {
    out.earlier = JSON.parse(get('quarantined') ?? '[]') as Quarantined[];
    out.sources = JSON.parse(get('salvage_sources') ?? '[]') as string[];
  } catch {
    // unreadable: nothing known of earlier quarantines
  }
  out.floor = Number(get('seq_floor') ?? 0) || 0;
  return out;
}

export function closeAll(held: unknown[]): void {
  for (const h of held) {
    try {
      (h as { close(): void }).close();
    } catch {
      // already closed, or refused: the copy of the files is what is kept
    }
  }
}
