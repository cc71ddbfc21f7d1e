/**
 * The budget measures the disk: spool.max_size_mb, /health's bytes, the page
 * and the full-spool 503 count what the spool's files take (its pages in use
 * plus its write-ahead log, at least the 4 MB the log is cut back to once
 * writes pause), so the
 * number a technician sets is what the disk loses.
 */
import { describe, expect, it } from 'bun:test';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { TRIM_QUIET_MS } from '../../src/spool/background.ts';
import { Spool, SpoolFullError } from '../../src/spool/index.ts';
import { WAL_KEEP_BYTES } from '../../src/spool/open.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN } from '../helpers/relay.ts';
import { fileDiskBytes, onSpoolFile } from '../helpers/spool-file.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();
const MB = 1024 * 1024;
const body = new TextEncoder().encode(JSON.stringify({ event: 'session_complete', pad: 'x'.repeat(1500) }));

/** The files' sizes as the disk sees them (the database and its log). */
const onDisk = (path: string) => {
  const size = (p: string) => {
    try {
      return statSync(p).size;
    } catch {
      return 0;
    }
  };
  return size(path) + size(`${path}-wal`);
};

describe('the spool budget', () => {
  it('counts pages in use plus the log, so the files never take more than the quota', async () => {
    const path = join(onCleanup.tempDir(), 'spool.db');
    const maxBytes = 6 * MB;
    const spool = await Spool.open({ path, maxBytes, clock: systemClock, log: silentLogger });
    onCleanup(() => spool.close());
    let accepted = 0;
    let refused = false;
    while (!refused) {
      const batch = await Promise.allSettled(
        Array.from({ length: 50 }, () => spool.append({ token: TOKEN, env: 'prod', body })),
      );
      for (const r of batch) {
        if (r.status === 'fulfilled') accepted++;
        else {
          expect(r.reason).toBeInstanceOf(SpoolFullError);
          refused = true;
        }
      }
      expect(spool.stats().bytes).toBeLessThanOrEqual(maxBytes);
      expect(onDisk(path)).toBeLessThanOrEqual(maxBytes);
    }
    // Full at the quota, not at a count of bodies: about 2 MB of events beside 4 MB counted for the log.
    expect(accepted).toBeGreaterThan(800);
    expect(spool.stats().bytes).toBe(fileDiskBytes(path));
    expect(spool.stats().bytes).toBeGreaterThan(maxBytes - 8 * 1024);
    // Every page checkpointed into the file: still within the quota.
    onSpoolFile(path, (db) => db.exec('PRAGMA wal_checkpoint(PASSIVE)'));
    expect(onDisk(path)).toBeLessThanOrEqual(maxBytes);
  });

  it('keeps a burst’s log while events keep coming, empties it once they pause, and counts no less than 4 MB for it', async () => {
    const path = join(onCleanup.tempDir(), 'spool.db');
    const spool = await Spool.open({ path, maxBytes: 1 << 30, clock: systemClock, log: silentLogger });
    onCleanup(() => spool.close());
    // One burst of ~12 MB in a single batch: the log grows past 4 MB.
    const big = new TextEncoder().encode(JSON.stringify({ pad: 'y'.repeat(1_000_000) }));
    await Promise.all(Array.from({ length: 12 }, () => spool.append({ token: TOKEN, env: 'prod', body: big })));
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(WAL_KEEP_BYTES);
    expect(spool.stats().bytes).toBe(fileDiskBytes(path));
    // Events keep coming for longer than the quiet spell: the log is reused as it is, never cut
    // (growing it again would cost every commit's fsync).
    const until = performance.now() + TRIM_QUIET_MS + 1000;
    while (performance.now() < until) {
      await spool.append({ token: TOKEN, env: 'prod', body });
      await Bun.sleep(100);
    }
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(WAL_KEEP_BYTES);
    // They pause: the background thread empties the log.
    await waitFor(
      () => statSync(`${path}-wal`).size <= WAL_KEEP_BYTES,
      'the log emptied after the quiet spell',
      TRIM_QUIET_MS + 3000,
    );
    // The emptied log still counts as the 4 MB it will take again.
    expect(spool.stats().bytes).toBe(fileDiskBytes(path));
  });
});
