/**
 * The chaos soak, short: two fixed seeds of a minute each whose schedules
 * between them hold every fault (18: a 429, the cloud down with a full spool
 * disk as its backlog drains and a silent POS after, kill -9 inside it,
 * floods, a refused reload; 50: slow answers with a backward clock step
 * inside, 503s, clock steps of hours and days both ways, a full log disk
 * with a reload inside), and the proof that the soak can go red. `make soak`
 * runs longer and other seeds.
 */
import { describe, expect, it } from 'bun:test';
import { runSoak, type SoakSummary } from './soak.ts';

const lines: string[] = [];
const say = (l: string) => void lines.push(l);

/** The summary in the failure message: seed, schedule, violations and the replay command. */
function expectGreen(s: SoakSummary, log: string[]): void {
  if (!s.ok) console.log(log.join('\n'));
  expect(s.violations.map((v) => `${v.kind}: ${v.message}`)).toEqual([]);
  expect(s.acknowledged).toBeGreaterThan(200);
  expect(s.delivered).toBeGreaterThanOrEqual(s.acknowledged);
}

// A minute of faults, a drain of at most 90 s, starts and stops: well inside 5 minutes on a loaded machine.
const RUN_MS = 300_000;

describe('the relay under a seeded schedule of faults', () => {
  for (const seed of [18, 50]) {
    it(
      `keeps every promise for a minute of faults (seed ${seed})`,
      async () => {
        lines.length = 0;
        const s = await runSoak({ seed, seconds: 60, say, replay: `make soak SEED=${seed} MINUTES=1` });
        expectGreen(s, lines);
        expect(Object.values(s.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(8);
      },
      RUN_MS,
    );
  }

  it(
    'turns red when the cloud answers 200 to an event it does not keep',
    async () => {
      lines.length = 0;
      const s = await runSoak({ seed: 5, seconds: 15, kinds: [], say, cloudDropsNth: 40, drainSeconds: 20 });
      expect(s.ok).toBe(false);
      expect(s.lost).toBe(1);
      // The lane also looks stalled from the cloud's side: the event it was owed never came.
      expect(s.violations.map((v) => v.kind)).toContain('lost');
      expect(lines.join('\n')).toContain('replay: make soak SEED=5');
    },
    RUN_MS,
  );
});
