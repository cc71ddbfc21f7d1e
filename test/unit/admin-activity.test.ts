/**
 * The status page's 24-hour chart, its pure parts: the counters per
 * interval, the intervals the page shows (table), and the SVG drawn from
 * them. In a browser at a phone's width: test/binary/admin-browser-activity.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { activitySvg, activityView, lastWith } from '../../src/admin/activity.ts';
import { BucketCounts } from '../../src/lib/buckets.ts';

const M = 60_000;
const Q = 15 * M;
/** 2026-01-01 12:00 UTC, 09:00 in São Paulo. */
const NOON = Date.UTC(2026, 0, 1, 12);

describe('counts per interval', () => {
  it('adds each count to the interval that holds it and keeps only the latest intervals', () => {
    const c = new BucketCounts(Q, 4);
    c.add(NOON);
    c.add(NOON + Q - 1);
    c.add(NOON + Q, 5);
    expect([...c.snapshot()]).toEqual([
      [NOON, 2],
      [NOON + Q, 5],
    ]);
    c.add(NOON + 4 * Q);
    // The 4 latest intervals are kept: NOON is the fifth from the newest.
    expect([...c.snapshot()]).toEqual([
      [NOON + Q, 5],
      [NOON + 4 * Q, 1],
    ]);
    c.add(NOON + 9 * Q);
    expect([...c.snapshot()]).toEqual([[NOON + 9 * Q, 1]]);
  });

  it('counts a wall clock stepped back in the earlier interval, without dropping the newer ones', () => {
    const c = new BucketCounts(Q, 96);
    c.add(NOON + 2 * Q);
    c.add(NOON);
    expect(c.snapshot().get(NOON)).toBe(1);
    expect(c.snapshot().get(NOON + 2 * Q)).toBe(1);
  });
});

describe('the intervals the chart shows', () => {
  const counts = (pairs: [number, number][]) => new Map(pairs);
  const cases: {
    name: string;
    now: number;
    startedAt: number;
    received: [number, number][];
    expect: { first: string; last: string; sinceStart: boolean; counted: number; received: number[] };
  }[] = [
    {
      name: 'a relay started an hour ago: intervals before its start are unknown, not 0',
      now: NOON + 7 * M,
      startedAt: NOON - 60 * M + 30_000,
      received: [
        [NOON - 60 * M, 3],
        [NOON, 2],
      ],
      expect: {
        first: '2025-12-31T12:15:00.000Z',
        last: '2026-01-01T12:00:00.000Z',
        sinceStart: true,
        counted: 5,
        received: [3, 0, 0, 0, 2],
      },
    },
    {
      name: 'a relay up for two days: all 96 intervals counted, counts older than the chart left out',
      now: NOON,
      startedAt: NOON - 48 * 60 * M,
      received: [
        [NOON - 24 * 60 * M, 9],
        [NOON - 24 * 60 * M + Q, 4],
        [NOON, 1],
      ],
      expect: {
        first: '2025-12-31T12:15:00.000Z',
        last: '2026-01-01T12:00:00.000Z',
        sinceStart: false,
        counted: 96,
        received: [4, ...new Array(94).fill(0), 1],
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = activityView({
        now: c.now,
        startedAt: c.startedAt,
        bucketMs: Q,
        count: 96,
        zone: 'America/Sao_Paulo',
        received: counts(c.received),
        delivered: new Map(),
        refused: new Map(),
      });
      expect(v.buckets).toHaveLength(96);
      expect(v.buckets[0]!.start).toBe(c.expect.first);
      expect(v.buckets.at(-1)!.start).toBe(c.expect.last);
      expect(v.since_start).toBe(c.expect.sinceStart);
      const counted = v.buckets.filter((b) => b.counted);
      expect(counted).toHaveLength(c.expect.counted);
      expect(counted.map((b) => b.received)).toEqual(c.expect.received);
    });
  }

  it("writes each interval's times in the site's zone", () => {
    const v = activityView({
      now: NOON,
      startedAt: 0,
      bucketMs: Q,
      count: 96,
      zone: 'America/Sao_Paulo',
      received: new Map(),
      delivered: new Map(),
      refused: new Map(),
    });
    expect(v.buckets.at(-1)).toMatchObject({ from: '09:00', to: '09:15' });
    expect(v.bucket_minutes).toBe(15);
  });
});

describe('the chart as SVG', () => {
  const view = activityView({
    now: NOON,
    startedAt: NOON - 2 * Q,
    bucketMs: Q,
    count: 4,
    zone: 'UTC',
    received: new Map([
      [NOON - 2 * Q, 10],
      [NOON - Q, 5],
    ]),
    delivered: new Map([[NOON - 2 * Q, 10]]),
    refused: new Map([[NOON - Q, 2000]]),
  });
  const svg = activitySvg(view, {
    bucket: (b) => `${b.from}-${b.to} <${b.received}>`,
    unknown: (b) => `${b.from} unknown`,
  }).text;
  const groups = [...svg.matchAll(/<g class="b[^"]*"([^>]*)>(.*?)<\/g>/g)];

  it('draws one group per interval with its counts as data attributes, and an empty interval with no bar', () => {
    expect(svg.startsWith('<svg class="activity-chart" viewBox="0 0 40 160"')).toBe(true);
    expect(groups.map((g) => /data-received="(\d+)"/.exec(g[1]!)?.[1] ?? 'unknown')).toEqual([
      'unknown',
      '10',
      '5',
      '0',
    ]);
    expect(groups.map((g) => (g[2]!.match(/<rect class="(received|delivered|refused)"/g) ?? []).length)).toEqual([
      0, 2, 2, 0,
    ]);
  });

  it('scales received and delivered together and refused on its own', () => {
    const rect = (g: number, css: string) =>
      new RegExp(`<rect class="${css}" x="[\\d.]+" y="([\\d.]+)" width="[\\d.]+" height="([\\d.]+)"`).exec(
        groups[g]![2]!,
      );
    expect(rect(1, 'received')?.slice(1)).toEqual(['0', '48']);
    expect(rect(2, 'received')?.slice(1)).toEqual(['24', '24']);
    expect(rect(1, 'delivered')?.slice(1)).toEqual(['56', '48']);
    expect(rect(2, 'delivered')).toBeNull();
    expect(rect(2, 'refused')?.slice(1)).toEqual(['112', '48']);
  });

  it('says each interval in its <title>, escaped', () => {
    expect(groups[1]![2]).toContain('<title>11:30-11:45 &lt;10&gt;</title>');
    expect(groups[0]![2]).toContain('<title>11:15 unknown</title>');
    expect(svg).not.toContain('style=');
    // The intervals before the start: one grey band, as wide as they are.
    expect(svg).toContain('<rect class="unk" x="0" y="0" width="10" height="160"/>');
  });
});

describe('when events last arrived and left', () => {
  const at = (received: [number, number][], delivered: [number, number][]) =>
    activityView({
      now: NOON,
      startedAt: 0,
      bucketMs: Q,
      count: 96,
      zone: 'UTC',
      received: new Map(received),
      delivered: new Map(delivered),
      refused: new Map(),
    });
  const cases: {
    name: string;
    received: [number, number][];
    delivered: [number, number][];
    want: (string | null)[];
  }[] = [
    { name: 'nothing in the chart', received: [], delivered: [], want: [null, null] },
    {
      name: 'arrivals went on after deliveries stopped',
      received: [
        [NOON - 8 * Q, 3],
        [NOON - Q, 1],
      ],
      delivered: [[NOON - 8 * Q, 3]],
      want: ['11:45', '10:00'],
    },
    {
      name: 'an interval older than the chart is not news',
      received: [[NOON - 96 * Q, 7]],
      delivered: [],
      want: [null, null],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = at(c.received, c.delivered);
      expect([lastWith(v, 'received')?.from ?? null, lastWith(v, 'delivered')?.from ?? null]).toEqual(c.want);
    });
  }
});
