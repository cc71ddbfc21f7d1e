/**
 * A test that cannot run on this machine says why, or it does not skip.
 *
 * `.ci/run` reads bun's "(skip) <describe> > <test>" lines and fails the run
 * for a skip no reason line explains. A reason line is
 * `SKIPPED-BECAUSE<TAB><title><TAB><why>`, printed when the test file loads;
 * it explains every skip line that contains <title> (a describe block's
 * title covers each test in it). Write
 *
 *   describeUnless(why)('the lossy FS', () => { ... });
 *   itUnless(!canMountTmpfs && 'no tmpfs can be mounted here (needs root)')('fills the disk', async () => { ... }, 30_000);
 *
 * where `why` is null, undefined, false or "" when the test can run.
 */
import { describe, it } from 'bun:test';

export const SKIP_MARKER = 'SKIPPED-BECAUSE';

type Why = string | null | undefined | false;

/** Prints the reason line for `title` when `why` says it cannot run; true then. */
export function cannotRun(title: string, why: Why): boolean {
  if (!why) return false;
  console.log(`${SKIP_MARKER}\t${title}\t${why}`);
  return true;
}

/** `describe`, or `describe.skip` with the reason printed. */
export function describeUnless(why: Why) {
  return (title: string, fn: () => void): void => {
    if (cannotRun(title, why)) describe.skip(title, fn);
    else describe(title, fn);
  };
}

/** `it`, or `it.skip` with the reason printed. */
export function itUnless(why: Why) {
  return (title: string, fn: () => unknown, timeout?: number): void => {
    if (cannotRun(title, why)) it.skip(title, fn as () => void);
    else it(title, fn as () => void, timeout);
  };
}
