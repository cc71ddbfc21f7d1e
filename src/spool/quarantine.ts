import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';

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

const SUFFIXES = ['', '-wal', '-shm'] as const;

/**
 * Renames the damaged file set; open connections keep the renamed files
 * (POSIX), so nothing the relay still holds can write to the new spool. Where
 * an open file cannot be renamed (Windows), the set is copied byte for byte
 * and fsynced, `closeOld` closes the connections, and the originals go.
 * Returns the damaged database's new name.
 */
export function setAside(path: string, now: number, closeOld: () => void): string {
  let base = `${path}.damaged-${stampOf(now)}`;
  // Two quarantines within a second (a restart loop) keep both sets.
  for (let n = 2; existsSync(base); n++) base = `${path}.damaged-${stampOf(now)}-${n}`;
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
