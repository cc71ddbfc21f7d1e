/**
 * A small tmpfs: a disk that really fills up (ENOSPC for files, SQLITE_FULL
 * for the spool), and gets its space back on demand. Mounting needs root (or
 * CAP_SYS_ADMIN): `canMountTmpfs` says whether this machine can, for
 * `itUnless(NO_TMPFS)` (test/helpers/skip.ts).
 */
import { closeSync, mkdirSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { OnCleanup } from './cleanup.ts';
import { tempDir } from './temp.ts';

const mount = (dir: string, sizeMb: number) =>
  Bun.spawnSync(['mount', '-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { stderr: 'pipe' });

/** Lazy: a process that still holds a file on it (a relay being killed) must not fail the cleanup. */
const unmount = (dir: string) => void Bun.spawnSync(['umount', '-l', dir], { stderr: 'pipe' });

/** Whether a tmpfs can be mounted here; probed once, on a throwaway directory. */
export const canMountTmpfs: boolean = (() => {
  const probe = tempDir('relay-mount-probe-');
  try {
    const ok = mount(probe.dir, 1).exitCode === 0;
    if (ok) unmount(probe.dir);
    return ok;
  } finally {
    probe.cleanup();
  }
})();

/** Why a full-disk test cannot run here (test/helpers/skip.ts), or false when it can. */
export const NO_TMPFS: string | false = !canMountTmpfs && 'no tmpfs can be mounted here (needs root or CAP_SYS_ADMIN)';

export interface TmpfsDisk {
  /** The mount point: put the spool, the log, anything that should run out of space here. */
  dir: string;
  /**
   * Writes zeros to `name` until the disk refuses (ENOSPC), down to the last
   * byte tmpfs will give; returns the file's path and size. Whatever else
   * writes to the disk afterwards gets ENOSPC until `free()` or `resize()`.
   */
  fill(name?: string): { path: string; bytes: number };
  /** Removes what `fill` wrote: its space is free again. */
  free(name?: string): void;
  /** `mount -o remount,size=…`: grows (or shrinks) the disk without touching its files. */
  resize(sizeMb: number): void;
  /** Bytes still free, as statfs reports them to an unprivileged writer. */
  freeBytes(): number;
}

/**
 * A `sizeMb` tmpfs mounted on a fresh temp dir, unmounted (lazily) and removed
 * after the test. Throws when it cannot mount: gate the test on `canMountTmpfs`.
 */
export function tmpfsDisk(onCleanup: OnCleanup, sizeMb: number): TmpfsDisk {
  const dir = join(onCleanup.tempDir('relay-tmpfs-'), 'disk');
  mkdirSync(dir);
  const m = mount(dir, sizeMb);
  if (m.exitCode !== 0) throw new Error(`mount -t tmpfs -o size=${sizeMb}m on ${dir} failed: ${m.stderr.toString()}`);
  // Registered after tempDir, so it runs first (last in, first out): unmounted, then removed.
  onCleanup(() => unmount(dir));
  return {
    dir,
    fill(name = 'filler') {
      const path = join(dir, name);
      const fd = openSync(path, 'a');
      let bytes = 0;
      try {
        // Big chunks while they fit, then smaller ones for the last partial pages.
        for (const chunk of [1 << 20, 4096, 1]) {
          const buf = Buffer.alloc(chunk);
          for (;;) {
            try {
              bytes += writeSync(fd, buf);
            } catch (e) {
              if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
              break;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return { path, bytes };
    },
    free(name = 'filler') {
      rmSync(join(dir, name), { force: true });
    },
    resize(sizeMb) {
      const r = Bun.spawnSync(['mount', '-o', `remount,size=${sizeMb}m`, dir], { stderr: 'pipe' });
      if (r.exitCode !== 0) throw new Error(`remount ${dir} to ${sizeMb}m failed: ${r.stderr.toString()}`);
    },
    freeBytes() {
      const s = statfsSync(dir);
      return s.bavail * s.bsize;
    },
  };
}
