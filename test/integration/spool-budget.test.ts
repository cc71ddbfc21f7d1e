/**
 * The budget measures the disk: spool.max_size_mb, /health's bytes, the page
 * and the full-spool 503 count what the spool's files take (its pages in use
 * plus its write-ahead log, at least the 4 MB the log is cut back to), so the
 * number a technician sets is what the disk loses.
 */
import { describe, expect, it } from 'bun:test';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { Spool, SpoolFullError } from '../../src/spool/index.ts';
import { WAL_KEEP_BYTES } from '../../src/spool/open.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN } from '../helpers/relay.ts';
import { fileDiskBytes, onSpoolFile } from '../helpers/spool-file.ts';

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

  it('cuts the log back to 4 MB once it starts over, and counts no less than that for it', async () => {
    const path = join(onCleanup.tempDir(), 'spool.db');
    // No background thread: no integrity read holding an old snapshot of the log, the checkpoint done here.
    const spool = await Spool.open({
      path,
      maxBytes: 1 << 30,
      clock: systemClock,
      log: silentLogger,
      background: false,
    });
    onCleanup(() => spool.close());
    // One burst of ~12 MB in a single batch: the log grows past 4 MB.
    const big = new TextEncoder().encode(JSON.stringify({ pad: 'y'.repeat(1_000_000) }));
    await Promise.all(Array.from({ length: 12 }, () => spool.append({ token: TOKEN, env: 'prod', body: big })));
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(WAL_KEEP_BYTES);
    expect(spool.stats().bytes).toBe(fileDiskBytes(path));
    // Checkpointed (the background thread does this on its own), a later write starts the log over and cuts it.
    const done = onSpoolFile(path, (db) => db.prepare('PRAGMA wal_checkpoint(PASSIVE)').get()) as { busy: number };
    expect(done.busy).toBe(0);
    await spool.append({ token: TOKEN, env: 'prod', body });
    await spool.append({ token: TOKEN, env: 'prod', body });
    expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(WAL_KEEP_BYTES);
    const pages = fileDiskBytes(path) - WAL_KEEP_BYTES;
    expect(spool.stats().bytes).toBe(pages + WAL_KEEP_BYTES);
  });
});
