/**
 * Maintenance on a large spool goes in slices (src/spool/slices.ts), so the
 * POS's acks never wait for all of it: the relay's retention prune lets
 * appends commit between its slices, and `relay events purge` from another
 * process leaves the relay's writer the database between its own. The
 * figures on 300,000 events: `make bench` section backlog.
 */
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { Spool } from '../../src/spool/index.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { seedSpool } from '../helpers/cli.ts';
import { TOKEN } from '../helpers/relay.ts';
import { fileCounts, fileDiskBytes } from '../helpers/spool-file.ts';

const onCleanup = useCleanup();
const body = new TextEncoder().encode(JSON.stringify({ event: 'order_created', pad: 'x'.repeat(1200) }));

async function open(path: string, background = true): Promise<Spool> {
  const spool = await Spool.open({ path, maxBytes: 1 << 30, clock: systemClock, log: silentLogger, background });
  onCleanup(() => spool.close());
  return spool;
}

const many = (n: number, s: Parameters<typeof seedSpool>[1][number]) => Array.from({ length: n }, () => ({ ...s }));
const OLD = Date.parse('2025-03-01T00:00:00Z');

describe('maintenance in slices', () => {
  it('the retention prune lets appends commit between its slices, deletes only what it must, and counts stay exact', async () => {
    const path = join(onCleanup.tempDir(), 'spool.db');
    await seedSpool(path, [
      ...many(6000, { status: 'delivered', deliveredAt: OLD }),
      ...many(5, {}),
      ...many(3, { status: 'dead' }),
    ]);
    const spool = await open(path);
    let pruned = false;
    const running = spool.pruneDelivered(OLD + 1);
    // Joined, not run twice.
    expect(spool.pruneDelivered(OLD + 1)).toBe(running);
    const prune = running.then((n) => {
      pruned = true;
      return n;
    });
    const acked: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      await spool.append({ token: TOKEN, env: 'prod', body });
      acked.push(pruned);
    }
    // Acknowledged while the prune was still deleting: it did not hold the writer.
    expect(acked).toEqual([false, false, false, false, false]);
    expect(await prune).toBe(6000);
    expect(fileCounts(path)).toEqual({ pending: 10, delivered: 0, dead: 3 });
    expect(spool.stats().bytes).toBe(fileDiskBytes(path));
  });

  it('`relay events purge` beside a running relay leaves its writer the database between slices', async () => {
    const path = join(onCleanup.tempDir(), 'spool.db');
    await seedSpool(path, [...many(6000, { status: 'delivered', deliveredAt: OLD }), ...many(2, {})]);
    const server = await open(path);
    const cli = await open(path, false);
    let purged = false;
    const steps: number[] = [];
    const purge = cli
      .purgeDelivered(OLD + 1, (done) => steps.push(done))
      .then((n) => {
        purged = true;
        return n;
      });
    const acked: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      await server.append({ token: TOKEN, env: 'prod', body });
      acked.push(purged);
    }
    expect(acked).toEqual([false, false, false, false, false]);
    expect(await purge).toBe(6000);
    // No slice over 1,000 rows.
    const sizes = steps.map((d, i) => d - (steps[i - 1] ?? 0));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1000);
    expect(fileCounts(path)).toEqual({ pending: 7, delivered: 0, dead: 0 });
  });
});
