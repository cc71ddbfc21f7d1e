/**
 * A wall clock the test moves under a running binary: Debian's libfaketime,
 * preloaded, reads an offset from a file on every clock call (cached for a
 * second) and adds it to what the process sees of the wall clock. The
 * monotonic clock is left real (FAKETIME_DONT_FAKE_MONOTONIC), as an NTP
 * step or a date fixed by hand leaves it.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
/** The Debian package (also in .ci/run). */
export const FAKETIME_PACKAGE = 'faketime';

/** Installs libfaketime where it is missing (as the FUSE suite does its packages); throws where that fails. */
export function ensureFaketime(): string {
  if (existsSync(LIB)) return LIB;
  const install = () => Bun.spawnSync(['apt-get', 'install', '-y', FAKETIME_PACKAGE], { stderr: 'pipe' }).exitCode;
  if (install() !== 0) {
    Bun.spawnSync(['apt-get', 'update'], { stderr: 'pipe' });
    install();
  }
  if (!existsSync(LIB)) throw new Error(`faketime: ${LIB} missing; apt-get install -y ${FAKETIME_PACKAGE}`);
  return LIB;
}

export interface FakeWallClock {
  /** Environment for the binary: the preload and the offset file. */
  env: Record<string, string>;
  /**
   * Sets the offset from the real wall clock, in seconds (negative: behind).
   * The process sees it within about a second (FAKETIME_CACHE_DURATION).
   */
  set(offsetSeconds: number): void;
}

/** A wall clock for one binary, starting at the real time; its offset file lives in `dir`. */
export function fakeWallClock(dir: string): FakeWallClock {
  const lib = ensureFaketime();
  const file = join(dir, 'faketime.offset');
  const set = (s: number) => writeFileSync(file, `${s >= 0 ? '+' : ''}${Math.round(s)}\n`);
  set(0);
  return {
    env: {
      LD_PRELOAD: lib,
      FAKETIME_TIMESTAMP_FILE: file,
      FAKETIME_CACHE_DURATION: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
    set,
  };
}
