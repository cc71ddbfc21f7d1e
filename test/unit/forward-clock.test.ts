/** This PC's clock against the cloud's Date header (forward/policy.ts clockSkew): the POS-clock warning blames the right clock. */
import { describe, expect, it } from 'bun:test';
import { clockSkew } from '../../src/forward/policy.ts';

const T = Date.parse('2026-12-02T05:00:00.000Z');
const HEADER = 'Wed, 02 Dec 2026 05:00:00 GMT';

describe('clockSkew', () => {
  it.each<[string, number, number, string | null, number | null]>([
    ['in step, within the header second', T + 200, T + 400, HEADER, 0],
    ['in step at the second boundary', T + 990, T + 1010, HEADER, 0],
    ['this PC 60 min behind', T - 3_600_000, T - 3_600_000, HEADER, -3_600_000],
    ['this PC 5 s ahead (beyond the second)', T + 6000, T + 6000, HEADER, 5000],
    ['no Date header', T, T, null, null],
    ['a Date that is not an HTTP-date', T, T, '2026-12-02T05:00:00Z', null],
    ['garbage', T, T, 'soon', null],
  ])('%s', (_name, sent, received, date, want) => {
    expect(clockSkew(sent, received, date)).toBe(want);
  });
});
