/**
 * The backlog's time to drain (src/spool/drain.ts): the pace of the last
 * minute's deliveries, the estimate, and the words the status page and
 * `relay status` show.
 */
import { describe, expect, it } from 'bun:test';
import { type DrainEstimate, drainDuration, drainEstimate, drainWords, pacePerSecond } from '../../src/spool/drain.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('the pace', () => {
  const cases: [string, number, number | null, number][] = [
    // [what, deliveries, first of them (ms before now), per second]
    ['none in the last minute', 0, null, 0],
    ['1,000 over the last 2.5 s', 1000, 2500, 400],
    ['600 over the whole minute', 600, 60_000, 10],
    ['a burst of 50 in the same millisecond reads as 50 over a second', 50, 0, 50],
    ['one event 30 s ago', 1, 30_000, 1 / 30],
  ];
  for (const [what, count, ago, perSecond] of cases) {
    it(what, () => {
      expect(pacePerSecond({ count, firstAt: ago === null ? null : NOW - ago }, NOW)).toBeCloseTo(perSecond, 6);
    });
  }
});

describe('the estimate and its words', () => {
  const cases: [string, number, number, DrainEstimate, string][] = [
    // [what, pending, per second, estimate, words]
    ['nothing waits', 0, 400, { kind: 'empty' }, 'nothing waits'],
    [
      'a backlog that does not move',
      300_000,
      0,
      { kind: 'stalled' },
      'not draining: no event reached the cloud in the last minute',
    ],
    [
      '300,000 at the cloud’s limit for 4 tokens',
      300_000,
      400,
      { kind: 'draining', seconds: 750, perSecond: 400 },
      "about 13 min to drain at the last minute's pace (400 events/s)",
    ],
    [
      '300,000 unlimited',
      300_000,
      2540,
      { kind: 'draining', seconds: 119, perSecond: 2540 },
      "about 2 min to drain at the last minute's pace (2,540 events/s)",
    ],
    [
      'a few events, slowly',
      7,
      0.5,
      { kind: 'draining', seconds: 14, perSecond: 0.5 },
      "about 14 s to drain at the last minute's pace (0.5 events/s)",
    ],
    [
      'a long outage at a trickle',
      1_000_000,
      3,
      { kind: 'draining', seconds: 333_334, perSecond: 3 },
      "about 3 d 21 h to drain at the last minute's pace (3.0 events/s)",
    ],
  ];
  for (const [what, pending, perSecond, estimate, words] of cases) {
    it(what, () => {
      const e = drainEstimate(pending, perSecond);
      expect(e).toEqual(estimate);
      expect(drainWords(e)).toBe(words);
    });
  }
});

describe('durations', () => {
  const cases: [number, string][] = [
    [0.2, '1 s'],
    [59, '59 s'],
    [60, '1 min'],
    [61, '2 min'],
    [3600, '1 h'],
    [3601, '1 h 1 min'],
    [7260, '2 h 1 min'],
    [86_400, '1 d'],
    [90_000, '1 d 1 h'],
  ];
  for (const [seconds, text] of cases) it(`${seconds} s -> ${text}`, () => expect(drainDuration(seconds)).toBe(text));
});
