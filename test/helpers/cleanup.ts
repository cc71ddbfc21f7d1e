import { afterEach } from 'bun:test';
import { tempDir } from './temp.ts';

export type Cleanup = () => unknown;

export interface OnCleanup {
  /** Runs `fn` after the current test, after the cleanups registered later (last in, first out). */
  (fn: Cleanup): void;
  /** A fresh temp dir, removed after the current test. */
  tempDir(prefix?: string): string;
}

/**
 * The one cleanup block: call it once at the top of a test file
 * (`const onCleanup = useCleanup();`) and register what each test leaves
 * behind (a relay, a mock cloud, a child process, a temp dir).
 *
 * Called per file, not done by this module on import: the module is loaded
 * once for the whole `bun test` run, so a hook registered here would belong to
 * the first file that imported it only.
 *
 * Every cleanup runs even when one throws (a relay that failed to stop must not
 * leave its mock cloud and child processes behind); the first error is
 * rethrown afterwards so the test still fails.
 */
export function useCleanup(): OnCleanup {
  const pending: Cleanup[] = [];
  afterEach(async () => {
    let failure: unknown;
    let failed = false;
    for (const fn of pending.splice(0).reverse()) {
      try {
        await fn();
      } catch (e) {
        if (!failed) failure = e;
        failed = true;
      }
    }
    if (failed) throw failure;
  });
  const onCleanup = ((fn: Cleanup) => {
    pending.push(fn);
  }) as OnCleanup;
  onCleanup.tempDir = (prefix?: string) => {
    const t = tempDir(prefix);
    pending.push(t.cleanup);
    return t.dir;
  };
  return onCleanup;
}
