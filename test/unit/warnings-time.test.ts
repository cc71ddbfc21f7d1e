/**
 * The checks that need the site's zone and the relay's clock, as pure
 * functions: `timestamp_wrong_timezone` (across DST changes: an instant just
 * before and just after each), `timestamp_in_future` and `relay_clock_off`.
 * The relay's answer with them is test/integration/warnings-context.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { NO_CONTEXT, payloadWarnings, type WarningContext, type WarningId } from '../../src/warnings/index.ts';
import { zonedTime } from '../../src/warnings/time.ts';
import { impossiblePart, judgeTime } from '../../src/warnings/values.ts';

const MIN = 60_000;
/** Only the fields the checks read; the payload is otherwise the guide's correct one. */
const payload = (timestamp: unknown, extra: Record<string, unknown> = {}) => ({
  event: 'session_complete',
  order_id: 'ORD-123',
  table_number: 'Mesa 8',
  timestamp,
  ...extra,
});
const at = (siteZone: string | null, over: Partial<WarningContext> = {}): WarningContext => ({
  ...NO_CONTEXT,
  siteZone,
  ...over,
});
const only = (v: unknown, ctx: WarningContext, id: WarningId) =>
  payloadWarnings(v, ctx)
    .filter((w) => w.id === id)
    .map((w) => w.message);

describe('timestamp_wrong_timezone', () => {
  it("says the guide's example: UTC from a São Paulo restaurant, with the local time to send", () => {
    expect(only(payload('2025-11-24T21:30:00Z'), at('America/Sao_Paulo'), 'timestamp_wrong_timezone')).toEqual([
      `timestamp "2025-11-24T21:30:00Z" is in UTC (+00:00), but the site's zone America/Sao_Paulo is at -03:00 then: send local time with its offset, e.g. "2025-11-24T18:30:00-03:00"`,
    ]);
  });

  // [zone, timestamp, the site's offset then when it is not the one written (null: no warning), the local time to send]
  const rows: [string, string, string | null, string?][] = [
    // São Paulo: -03:00 all year since 2019; it had DST (-02:00) until February 2019.
    ['America/Sao_Paulo', '2025-11-24T18:30:00-03:00', null],
    ['America/Sao_Paulo', '2025-01-15T18:30:00-03:00', null],
    ['America/Sao_Paulo', '2025-01-15T18:30:00-02:00', '-03:00', '2025-01-15T17:30:00-03:00'],
    ['America/Sao_Paulo', '2018-12-01T12:00:00-02:00', null],
    ['America/Sao_Paulo', '2018-12-01T12:00:00-03:00', '-02:00', '2018-12-01T13:00:00-02:00'],
    ['America/Sao_Paulo', '2025-11-24 18:30:00-03', null],
    ['America/Sao_Paulo', '2025-11-24T18:30:00.123-0300', null],
    // New York springs forward at 2025-03-09 07:00Z (02:00 EST becomes 03:00 EDT).
    ['America/New_York', '2025-03-09T01:59:00-05:00', null],
    ['America/New_York', '2025-03-09T03:00:00-04:00', null],
    ['America/New_York', '2025-03-09T01:59:00-04:00', '-05:00', '2025-03-09T00:59:00-05:00'],
    ['America/New_York', '2025-03-09T03:00:00-05:00', '-04:00', '2025-03-09T04:00:00-04:00'],
    // 02:30 does not exist that night: a POS that kept -05:00 is already on summer time.
    ['America/New_York', '2025-03-09T02:30:00-05:00', '-04:00', '2025-03-09T03:30:00-04:00'],
    ['America/New_York', '2025-07-04T19:00:00-05:00', '-04:00', '2025-07-04T20:00:00-04:00'],
    // ...and falls back at 2025-11-02 06:00Z: 01:30 happens twice, both correct with their offsets.
    ['America/New_York', '2025-11-02T01:30:00-04:00', null],
    ['America/New_York', '2025-11-02T01:30:00-05:00', null],
    ['America/New_York', '2025-11-02T01:59:59-04:00', null],
    ['America/New_York', '2025-11-02T02:00:00-04:00', '-05:00', '2025-11-02T01:00:00-05:00'],
    // Lisbon: +00:00 to +01:00 at 2025-03-30 01:00Z, back at 2025-10-26 01:00Z.
    ['Europe/Lisbon', '2025-03-30T00:59:00Z', null],
    ['Europe/Lisbon', '2025-03-30T01:00:00Z', '+01:00', '2025-03-30T02:00:00+01:00'],
    ['Europe/Lisbon', '2025-03-30T02:00:00+01:00', null],
    ['Europe/Lisbon', '2025-10-26T01:59:00+01:00', null],
    ['Europe/Lisbon', '2025-10-26T02:00:00+01:00', '+00:00', '2025-10-26T01:00:00+00:00'],
    ['Europe/Lisbon', '2025-10-26T01:00:00Z', null],
    // Quarter- and half-hour zones: the cache is per quarter hour, so these are exact too.
    ['Asia/Kathmandu', '2025-11-24T18:30:00+05:45', null],
    ['Asia/Kathmandu', '2025-11-24T18:30:00+05:30', '+05:45', '2025-11-24T18:45:00+05:45'],
    ['Asia/Kolkata', '2025-11-24T18:30:00+0530', null],
    // Lord Howe goes from +11:00 to +10:30 at 2025-04-05 15:00Z.
    ['Australia/Lord_Howe', '2025-04-06T01:59:00+11:00', null],
    ['Australia/Lord_Howe', '2025-04-06T01:30:00+10:30', null],
    ['Australia/Lord_Howe', '2025-04-06T02:00:00+11:00', '+10:30', '2025-04-06T01:30:00+10:30'],
  ];
  for (const [zone, ts, siteOffset, send] of rows) {
    it(`${zone}: ${ts} ${siteOffset === null ? 'is right' : `is wrong (the zone is at ${siteOffset} then)`}`, () => {
      const got = only(payload(ts), at(zone), 'timestamp_wrong_timezone');
      if (siteOffset === null) return expect(got).toEqual([]);
      expect(got).toHaveLength(1);
      expect(got[0]).toContain(`but the site's zone ${zone} is at ${siteOffset} then`);
      expect(got[0]).toContain(`e.g. "${send}"`);
    });
  }

  it('names the offset the POS wrote when it is not UTC', () => {
    expect(only(payload('2025-11-24T22:30:00+01:00'), at('America/Sao_Paulo'), 'timestamp_wrong_timezone')[0]).toMatch(
      /^timestamp "2025-11-24T22:30:00\+01:00" is at \+01:00, but/,
    );
  });

  const silent: [string, unknown, string | null][] = [
    ['a timestamp without zone (timestamp_without_timezone says so)', '2025-11-24T18:30:00', 'America/Sao_Paulo'],
    ['a timestamp that is not ISO 8601', '24/11/2025 18:30', 'America/Sao_Paulo'],
    ['an epoch number', 1764019800, 'America/Sao_Paulo'],
    ['no site zone known', '2025-11-24T21:30:00Z', null],
    ['a site zone this runtime does not know', '2025-11-24T21:30:00Z', 'Mars/Olympus_Mons'],
    ['a site left at a server default UTC', '2025-11-24T18:30:00-03:00', 'UTC'],
    ['a site left at Etc/UTC', '2025-11-24T18:30:00-03:00', 'Etc/UTC'],
    ['a site in Reykjavik (+00:00, a place)', '2025-11-24T18:30:00Z', 'Atlantic/Reykjavik'],
  ];
  for (const [what, ts, zone] of silent) {
    it(`says nothing of the zone for ${what}`, () => {
      expect(only(payload(ts), at(zone), 'timestamp_wrong_timezone')).toEqual([]);
    });
  }

  it('judges session_start and session_end too, in one line', () => {
    const p = payload('2025-11-24T21:30:00Z', {
      session_start: '2025-11-24T19:30:00Z',
      session_end: '2025-11-24T18:30:00-03:00',
    });
    expect(only(p, at('America/Sao_Paulo'), 'timestamp_wrong_timezone')).toEqual([
      `timestamp "2025-11-24T21:30:00Z" is in UTC (+00:00), but the site's zone America/Sao_Paulo is at -03:00 then: send local time with its offset, e.g. "2025-11-24T18:30:00-03:00" (session_start too)`,
    ]);
  });

  it("counts the items off the site's zone in one line, naming the first", () => {
    const items = [
      { timestamp: '2025-11-24T18:35:00-03:00', employee_id: 72 },
      { timestamp: '2025-11-24T21:40:00Z', employee_id: 72 },
      { timestamp: '2025-11-24T21:45:00Z', employee_id: 96 },
    ];
    expect(
      only(payload('2025-11-24T18:30:00-03:00', { items }), at('America/Sao_Paulo'), 'timestamp_wrong_timezone'),
    ).toEqual([
      `2 of 3 items have a timestamp not in the site's zone (first: items[1].timestamp "2025-11-24T21:40:00Z" is in UTC (+00:00); America/Sao_Paulo is at -03:00 then): send local time with its offset, e.g. "2025-11-24T18:40:00-03:00"`,
    ]);
  });

  it('gives one line for the top-level fields and one for the items when both are off', () => {
    const items = [{ timestamp: '2025-11-24T21:40:00Z', employee_id: 72 }];
    const got = only(payload('2025-11-24T21:30:00Z', { items }), at('America/Sao_Paulo'), 'timestamp_wrong_timezone');
    expect(got.map((m) => m.split(' ')[0])).toEqual(['timestamp', '1']);
    expect(got[1]).toStartWith('1 of 1 item has a timestamp not in');
  });
});

describe('timestamp_in_future and relay_clock_off', () => {
  const now = Date.UTC(2025, 10, 24, 21, 30); // 18:30 in São Paulo
  const clock = (over: Partial<WarningContext> = {}) =>
    at('America/Sao_Paulo', { now, clockAheadMs: 15 * MIN, ...over });
  const sp = (minutesFromNow: number) => {
    const d = new Date(now + minutesFromNow * MIN - 3 * 60 * MIN).toISOString().slice(0, 19);
    return `${d}-03:00`;
  };
  const clockIds = (v: unknown, ctx: WarningContext): WarningId[] =>
    payloadWarnings(v, ctx)
      .map((w) => w.id)
      .filter((id) => id === 'timestamp_in_future' || id === 'relay_clock_off');

  // [what, minutes ahead of the relay's clock, relay minus cloud (minutes, null: unknown), the id, text]
  const rows: [string, number, number | null, WarningId | null, RegExp?][] = [
    ['now', 0, null, null],
    ['an hour ago', -60, null, null],
    ['14 minutes ahead (within clock_ahead_minutes)', 14, null, null],
    ['exactly 15 minutes ahead', 15, null, null],
    [
      '16 minutes ahead',
      16,
      null,
      'timestamp_in_future',
      /is 16 minutes ahead of this relay's clock \(2025-11-24T18:30:00-03:00\): the POS clock may be wrong/,
    ],
    ['3 hours ahead', 180, null, 'timestamp_in_future', /is 3 hours ahead/],
    ['2 days ahead', 2 * 24 * 60, null, 'timestamp_in_future', /is 2 days ahead/],
    [
      '16 minutes ahead, the relay within 10 minutes of the cloud',
      16,
      -10,
      'timestamp_in_future',
      /POS clock may be wrong/,
    ],
    [
      '62 minutes ahead, the relay 60 minutes behind the cloud',
      62,
      -60,
      'relay_clock_off',
      /is 62 minutes ahead of this relay's clock, but the POS is not to blame: this relay PC's clock is 60 minutes behind the cloud's\. Fix the time on this PC \(NTP\)$/,
    ],
    [
      '30 minutes ahead, the relay 20 behind: 10 ahead of the cloud, within bounds',
      30,
      -20,
      'relay_clock_off',
      /POS is not to blame: this relay PC's clock is 20 minutes behind/,
    ],
    [
      '20 minutes ahead, the relay itself 30 ahead of the cloud: both are off',
      20,
      30,
      'relay_clock_off',
      /is 50 minutes ahead of the cloud's clock, so the POS clock may be wrong; and this relay PC's clock is 30 minutes ahead of the cloud's: fix the time on this PC \(NTP\) too$/,
    ],
    ['an hour ago, the relay 60 minutes behind: nothing ahead, nothing said', -60, -60, null],
  ];
  for (const [what, ahead, skewMin, id, text] of rows) {
    it(`${what}: ${id ?? 'nothing'}`, () => {
      const ctx = clock({ relayClockSkewMs: skewMin === null ? null : skewMin * MIN });
      const got = payloadWarnings(payload(sp(ahead)), ctx).filter((w) => w.id === id);
      expect(clockIds(payload(sp(ahead)), ctx)).toEqual(id === null ? [] : [id]);
      if (text) expect(got[0]!.message).toMatch(text);
    });
  }

  it('names the timestamp furthest ahead, an item included, once per payload', () => {
    const items = [
      { timestamp: sp(20), employee_id: 72 },
      { timestamp: sp(90), employee_id: 72 },
    ];
    const got = payloadWarnings(payload(sp(30), { session_end: sp(40), items }), clock());
    expect(got.map((w) => w.id)).toEqual(['timestamp_in_future']);
    expect(got[0]!.message).toStartWith(`items[1].timestamp "${sp(90)}" is 90 minutes ahead`);
  });

  it('follows warnings.clock_ahead_minutes', () => {
    expect(clockIds(payload(sp(50)), clock({ clockAheadMs: 60 * MIN }))).toEqual([]);
    expect(clockIds(payload(sp(61)), clock({ clockAheadMs: 60 * MIN }))).toEqual(['timestamp_in_future']);
  });

  it('judges instants, not wall clocks: a UTC timestamp of now is not ahead, only in the wrong zone', () => {
    expect(payloadWarnings(payload('2025-11-24T21:30:00Z'), clock()).map((w) => w.id)).toEqual([
      'timestamp_wrong_timezone',
    ]);
  });

  it('says nothing without a clock, or of a timestamp without zone', () => {
    expect(clockIds(payload(sp(600)), clock({ now: null }))).toEqual([]);
    expect(clockIds(payload('2099-01-01T00:00:00'), clock())).toEqual([]);
  });

  it('shows the relay clock in UTC when no site zone is known', () => {
    const got = payloadWarnings(payload(sp(30)), clock({ siteZone: null }));
    expect(got.map((w) => w.message)).toEqual([
      `timestamp "${sp(30)}" is 30 minutes ahead of this relay's clock (2025-11-24T21:30:00.000Z): the POS clock may be wrong; check its date, time and timezone`,
    ]);
  });
});

describe('zonedTime, the hand parser on the hot path', () => {
  /** The oracle: the zoned pattern of values.ts with captures, and Date's own calendar. */
  const ORACLE =
    /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)$/;
  const oracle = (v: string) => {
    const m = ORACLE.exec(v);
    if (!m) return null;
    const off = m[8] ? (m[8] === '-' ? -1 : 1) * (+m[9]! * 60 + +(m[10] ?? 0)) : 0;
    const ms = Math.floor(Number(`0.${m[7] ?? 0}`) * 1000 + 1e-9);
    // Not Date.UTC itself: it reads years 0-99 as 1900-1999.
    const d = new Date(0);
    d.setUTCFullYear(+m[1]!, +m[2]! - 1, +m[3]!);
    d.setUTCHours(+m[4]!, +m[5]!, +(m[6] ?? 0), ms);
    return { ms: d.getTime() - off * MIN, offsetMin: off };
  };
  const dates = ['2025-11-24', '2024-02-29', '1999-12-31', '2025-01-01', '0001-03-01', '2100-02-28'];
  const times = ['T18:30', 'T18:30:00', 't00:00:59', ' 23:59:60', 'T18:30:00.1', 'T18:30:00,123456', 'T24:00:00'];
  const zones = ['Z', 'z', '+00:00', '-03:00', '-03', '+0530', '+05:45', '-12:00', '+14:00', ''];
  const bad = ['2025-11-24T18:30:00-3:00', '2025-11-24T18:30:00+05:3', '2025-11-24T18:30:00.Z', '2025-11-24T18:3000Z'];
  const more = [
    '2025-11-24T18:30:00-03:00x',
    '2025-11-24T18:30:00+053000',
    '2025-11-24T18:30:00Zx',
    '2025-11-24X18:30:00Z',
    '2025/11/24T18:30:00Z',
    '2025-11-24T18:30:00 Z',
    '',
  ];
  const all = [...dates.flatMap((d) => times.flatMap((t) => zones.map((z) => d + t + z))), ...bad, ...more];

  it(`agrees with judgeTime and Date on ${all.length} strings`, () => {
    for (const v of all) {
      expect([v, zonedTime(v) !== null]).toEqual([v, judgeTime(v) === 'ok']);
      expect([v, zonedTime(v)]).toEqual([v, oracle(v)]);
    }
  });

  it.each([
    ['2024-13-45T99:99:99+25:00', 'month 13'],
    ['2025-11-45T10:00:00Z', 'day 45 of month 11'],
    ['2025-02-29T10:00:00Z', 'day 29 of month 2'],
    ['2025-04-31T10:00:00Z', 'day 31 of month 4'],
    ['2025-11-00T10:00:00Z', 'day 0 of month 11'],
    ['2025-11-24T99:00:00Z', 'hour 99'],
    ['2025-11-24T24:01:00Z', 'hour 24'],
    ['2025-11-24T24:00:00.5Z', 'hour 24'],
    ['2025-11-24T18:99:00Z', 'minute 99'],
    ['2025-11-24T18:30:61Z', 'second 61'],
    ['2025-11-24T18:30:00+25:00', 'offset +25:00'],
    ['2025-11-24T18:30:00-1430', 'offset -1430'],
    ['2025-11-24T18:30:00+05:60', 'offset +05:60'],
    ['2025-11-24T18:30:00+15', 'offset +15'],
    ['2025-11-24T99:30:00', 'hour 99'],
  ])('calls %p impossible (%s), and the hand parser does not judge it', (v, part) => {
    expect([judgeTime(v), impossiblePart(v)]).toEqual(['impossible', part]);
    expect(zonedTime(v)).toBeNull();
  });

  it.each([
    '2024-02-29T10:00:00Z',
    '2000-02-29T10:00:00Z',
    '2025-11-24T24:00:00Z',
    '2025-12-31T23:59:60Z',
    '2025-11-24T18:30:00+14:00',
    '2025-11-24T18:30:00-12:00',
  ])('accepts %p, the edge of a possible date-time', (v) => {
    expect(judgeTime(v)).toBe('ok');
    expect(zonedTime(v)).not.toBeNull();
  });

  it('does not judge a month 13 or an hour 25, which the pattern lets through', () => {
    expect(judgeTime('2025-13-01T10:00:00Z')).toBe('impossible');
    expect(zonedTime('2025-13-01T10:00:00Z')).toBeNull();
    expect(zonedTime('2025-11-24T25:00:00Z')).toBeNull();
    expect(zonedTime(20251124)).toBeNull();
  });
});
