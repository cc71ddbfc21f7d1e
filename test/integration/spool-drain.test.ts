/**
 * The backlog's expected time to drain, at the pace of the last minute's
 * deliveries, as `relay status` says it (the status page shows the same
 * words; the estimate itself is a table in test/unit/spool-drain.test.ts).
 */
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { useCleanup } from '../helpers/cleanup.ts';
import { runInProcess, seedSpool, writeConfig } from '../helpers/cli.ts';

const onCleanup = useCleanup();

describe('drain time in relay status', () => {
  it('shows the time the waiting events take at the pace of the last minute', async () => {
    const dir = onCleanup.tempDir('relay-drain-');
    const config = writeConfig(dir);
    const spool = join(dir, 'spool', 'relay.db');
    const now = Date.now();
    // 300 delivered over the last 30 s (10 a second, a little less by the time status runs), 45 waiting;
    // and older deliveries that do not count.
    await seedSpool(spool, [
      ...Array.from({ length: 200 }, () => ({ status: 'delivered' as const, deliveredAt: now - 3_600_000 })),
      ...Array.from({ length: 300 }, (_, i) => ({ status: 'delivered' as const, deliveredAt: now - 30_000 + i * 100 })),
      ...Array.from({ length: 45 }, () => ({})),
    ]);
    const human = await runInProcess(['status', '--config', config], { cwd: dir });
    const pace = /^drain: {2}about 5 s to drain at the last minute's pace \((9\.\d|10\.0) events\/s\)$/;
    expect(human.out.filter((l) => pace.test(l))).toHaveLength(1);
    const json = await runInProcess(['status', '--json', '--config', config], { cwd: dir });
    const drain = JSON.parse(json.out.join('\n')).drain as { seconds: number; text: string };
    expect(drain.seconds).toBe(5);
    expect(`drain:  ${drain.text}`).toMatch(pace);
  });

  it('says when nothing moves, and nothing when nothing waits', async () => {
    const dir = onCleanup.tempDir('relay-drain-');
    const config = writeConfig(dir);
    const spool = join(dir, 'spool', 'relay.db');
    await seedSpool(spool, [{}, {}]);
    const stalled = await runInProcess(['status', '--config', config], { cwd: dir });
    expect(stalled.out).toContain('drain:  not draining: no event reached the cloud in the last minute');
    const empty = onCleanup.tempDir('relay-drain-');
    const none = await runInProcess(['status', '--config', writeConfig(empty)], { cwd: empty });
    expect(none.out.some((l) => l.startsWith('drain:'))).toBe(false);
  });
});
