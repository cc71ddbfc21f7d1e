import { describe, expect, it } from 'bun:test';
import { duration, iso } from '../../src/lib/time.ts';

describe('duration: one wording of a span everywhere (page, /health, alerts, CLI)', () => {
  const cases: [number, string][] = [
    [-5_000, '0 s'],
    [0, '0 s'],
    [999, '0 s'],
    [30_000, '30 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [47 * 60_000 + 59_000, '47 min'],
    [3 * 3_600_000, '3 h'],
    [185 * 60_000, '3 h 5 min'],
    [24 * 3_600_000 - 1, '23 h 59 min'],
    [24 * 3_600_000, '1 d'],
    [50 * 3_600_000, '2 d 2 h'],
  ];
  for (const [ms, words] of cases) it(`${ms} ms reads "${words}"`, () => expect(duration(ms)).toBe(words));
});

describe('iso: a stored wall time as people and JSON read it', () => {
  it('is UTC ISO 8601; null and undefined stay null', () => {
    expect(iso(Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toBe('2026-01-02T03:04:05.006Z');
    expect(iso(null)).toBeNull();
    expect(iso(undefined)).toBeNull();
  });
});
