/**
 * The relay's own files are its owner's only. The spool holds full tokens
 * and order bodies, the log names addresses and events: on a PC other
 * accounts share, a file readable by them leaks both. A process umask covers
 * every file the relay makes, SQLite's own -wal and -shm and a quarantined
 * copy included, where a chmod after each create would miss some; the
 * systemd unit sets UMask=0077 too, and a relay started by hand gets the same.
 */

/** Group and others get nothing: files 0600, folders 0700. */
export const PRIVATE_UMASK = 0o077;

/** Sets the process umask to PRIVATE_UMASK; Windows has no umask (its ACLs follow the folder). */
export function privateByDefault(platform: NodeJS.Platform = process.platform): void {
  if (platform !== 'win32') process.umask(PRIVATE_UMASK);
}

/** "group and others", "others", or null: who besides the owner may read a file of `mode` (st_mode). */
export function readableBy(mode: number): string | null {
  const group = (mode & 0o040) !== 0;
  const others = (mode & 0o004) !== 0;
  if (group && others) return 'group and others';
  if (others) return 'others';
  if (group) return 'group';
  return null;
}
