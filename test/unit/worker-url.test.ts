/** The background thread's script is found from source and in each platform's compiled binary. */
import { describe, expect, it } from 'bun:test';
import { workerUrlFrom } from '../../src/spool/worker-url.ts';

describe('the spool thread script', () => {
  it.each([
    ['from source', 'file:///work/relay/src/spool/worker-url.ts', 'file:///work/relay/src/spool/background-worker.ts'],
    ['in a Linux binary', 'file:///$bunfs/root/relay', 'file:///$bunfs/root/spool/background-worker.js'],
    [
      'in a Windows binary, tilde as Bun writes it',
      'file:///B:/%7EBUN/root/relay.exe',
      'file:///B:/%7EBUN/root/spool/background-worker.js',
    ],
    [
      'in a Windows binary, tilde unencoded',
      'file:///B:/~BUN/root/relay.exe',
      'file:///B:/~BUN/root/spool/background-worker.js',
    ],
    [
      'from source under a folder named like it',
      'file:///home/x/~BUNDLE/src/spool/worker-url.ts',
      'file:///home/x/~BUNDLE/src/spool/background-worker.ts',
    ],
  ])('is found %s', (_where, here, want) => {
    expect(workerUrlFrom(here, 'background-worker')).toBe(want);
  });
});
