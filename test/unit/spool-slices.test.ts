/**
 * Maintenance in slices (src/spool/slices.ts): each slice holds the write
 * lock about 10 ms, never more than 1,000 rows, with a pause as long as the
 * slice between two, so the writer acknowledging a POS gets the database at
 * least half of the time.
 */
import { describe, expect, it } from 'bun:test';
import { BESIDE_RELAY, inSlices, nextSliceRows, pauseAfter, SLICE } from '../../src/spool/slices.ts';

describe('the next slice', () => {
  const cases: [string, number, number, number][] = [
    // [what, rows, ms it took, next rows]
    ['twice as many when it took under half the target', 100, 2, 200],
    ['as many when it took about the target', 100, 7, 100],
    ['as many at the target exactly', 100, 10, 100],
    ['half as many when it took longer', 100, 25, 50],
    ['never more than the most', 800, 1, 1000],
    ['never fewer than the least', 12, 500, 10],
  ];
  for (const [what, rows, ms, next] of cases) {
    it(`${what}: ${rows} rows in ${ms} ms -> ${next}`, () => {
      expect(nextSliceRows(rows, ms)).toBe(next);
    });
  }
});

describe('the pause after a slice', () => {
  const cases: [number, number][] = [
    [0.3, SLICE.minPauseMs],
    [4.9, SLICE.minPauseMs],
    [12.2, 13],
    [80, 80],
  ];
  for (const [ms, pause] of cases) {
    it(`${ms} ms of work -> ${pause} ms of pause`, () => {
      expect(pauseAfter(ms)).toBe(pause);
    });
  }
});

describe('the pause after a slice from another process (relay events purge beside a running relay)', () => {
  const cases: [number, number][] = [
    [3, 100],
    [40, 100],
    [150, 150],
  ];
  for (const [ms, pause] of cases) {
    it(`${ms} ms of work -> ${pause} ms of pause: longer than the waiting writer's sleeps`, () => {
      expect(pauseAfter(ms, BESIDE_RELAY)).toBe(pause);
    });
  }
});

describe('inSlices', () => {
  it('asks for slices within the bounds until one comes back short, pausing between them', async () => {
    let left = 2500;
    const asked: number[] = [];
    const at: number[] = [];
    const done = await inSlices(async (rows) => {
      at.push(performance.now());
      asked.push(rows);
      const n = Math.min(rows, left);
      left -= n;
      return { rows: n, ms: 1 };
    });
    expect(done).toBe(2500);
    expect(asked).toEqual([100, 200, 400, 800, 1000, 1000]);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(SLICE.minPauseMs - 1);
  });

  it('reports progress only when a slice changed rows, and stops when told', async () => {
    const seen: number[] = [];
    expect(await inSlices(async () => ({ rows: 0, ms: 0 }), { onSlice: (d) => seen.push(d) })).toBe(0);
    expect(seen).toEqual([]);
    let slices = 0;
    const n = await inSlices(
      async (rows) => {
        slices++;
        return { rows, ms: 1 };
      },
      { onSlice: (d) => seen.push(d), stop: () => slices >= 2 },
    );
    expect(n).toBe(300);
    expect(seen).toEqual([100, 300]);
  });
});
