/**
 * How a batch commits (src/spool/commit-mode.ts): a batch holding a webhook
 * fsyncs (its 200 waits for it); the forwarder's records alone fsync only
 * every FSYNC_EVERY-th time in a row. The spool resting at synchronous=FULL
 * afterwards is test/integration/spool.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { type CommitMode, commitMode, FSYNC_EVERY } from '../../src/spool/commit-mode.ts';

describe('how a batch commits (commit-mode.ts)', () => {
  const cases: { name: string; appends: number; unsynced: number; mode: CommitMode }[] = [
    { name: 'a batch with a webhook in it fsyncs', appends: 1, unsynced: 0, mode: 'full' },
    { name: 'a batch with a webhook fsyncs after relaxed ones too', appends: 3, unsynced: 5, mode: 'full' },
    { name: "the forwarder's records alone do not", appends: 0, unsynced: 0, mode: 'normal' },
    { name: 'nor the next ones in a row', appends: 0, unsynced: FSYNC_EVERY - 2, mode: 'normal' },
    { name: `the ${FSYNC_EVERY}th in a row does`, appends: 0, unsynced: FSYNC_EVERY - 1, mode: 'full' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(commitMode(c.appends, c.unsynced)).toBe(c.mode);
    });
  }
});
