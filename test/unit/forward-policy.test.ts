/**
 * The forwarder's pure policy (src/forward/policy.ts): what each cloud answer
 * means for the event, how a Retry-After is read, and the backoff with full
 * jitter, each as a table. The forwarder acting on them against a mock cloud
 * is test/integration/forward.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import {
  backoffDelay,
  classify,
  laneStall,
  parseRetryAfter,
  recoverySlot,
  type Verdict,
} from '../../src/forward/policy.ts';

describe('classify: what a cloud answer means for the event', () => {
  const cases: [status: number | null, verdict: Verdict, why: string][] = [
    [200, 'delivered', 'OK'],
    [201, 'delivered', 'Created'],
    [202, 'delivered', 'Accepted'],
    [204, 'delivered', 'No Content'],
    [299, 'delivered', 'the top of the 2xx range'],
    [401, 'pause', 'the token was deactivated'],
    [408, 'retry', 'Request Timeout'],
    [429, 'retry', 'Too Many Requests'],
    [500, 'retry', 'Internal Server Error'],
    [502, 'retry', 'Bad Gateway'],
    [503, 'retry', 'Service Unavailable'],
    [504, 'retry', 'Gateway Timeout'],
    [599, 'retry', 'the top of the 5xx range'],
    [null, 'retry', 'no answer at all (network error)'],
    [400, 'dead', 'Bad Request'],
    [403, 'dead', 'Forbidden'],
    [404, 'dead', 'Not Found'],
    [409, 'dead', 'Conflict'],
    [410, 'dead', 'Gone'],
    [413, 'dead', 'Content Too Large'],
    [415, 'dead', 'Unsupported Media Type'],
    [422, 'dead', 'Unprocessable Content'],
    [499, 'dead', 'the top of the 4xx range'],
    [100, 'retry', 'an unexpected 1xx'],
    [101, 'retry', 'an unexpected Switching Protocols'],
    [300, 'retry', 'an unexpected Multiple Choices'],
    [301, 'retry', 'an unexpected redirect (misconfigured URL)'],
    [302, 'retry', 'an unexpected Found'],
    [304, 'retry', 'an unexpected Not Modified'],
    [307, 'retry', 'an unexpected Temporary Redirect'],
    [308, 'retry', 'an unexpected Permanent Redirect'],
  ];
  it.each(cases)('answers %p with %p (%s)', (status, verdict) => {
    expect(classify(status)).toBe(verdict);
  });

  it('never dead-letters an event because of a 1xx, 2xx, 3xx or 5xx answer', () => {
    const deadOutside4xx: number[] = [];
    for (let s = 100; s < 600; s++) {
      if ((s < 400 || s >= 500) && classify(s) === 'dead') deadOutside4xx.push(s);
    }
    expect(deadOutside4xx).toEqual([]);
  });

  it('delivers every 2xx and nothing else', () => {
    const delivered: number[] = [];
    for (let s = 100; s < 600; s++) if (classify(s) === 'delivered') delivered.push(s);
    expect(delivered.length).toBe(100);
    expect(delivered[0]).toBe(200);
    expect(delivered.at(-1)).toBe(299);
  });

  it('pauses only on 401', () => {
    const paused: number[] = [];
    for (let s = 100; s < 600; s++) if (classify(s) === 'pause') paused.push(s);
    expect(paused).toEqual([401]);
  });
});

describe('parseRetryAfter: when the cloud asks us to come back', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const at = (ms: number) => new Date(now + ms).toUTCString(); // IMF-fixdate

  const delays: [value: string, ms: number][] = [
    ['0', 0],
    ['1', 1_000],
    ['120', 120_000],
    ['007', 7_000],
    ['3600', 3_600_000],
    [' 120 ', 120_000], // optional whitespace around the field value
    ['\t5\t', 5_000],
  ];
  it.each(delays)('reads delay-seconds %p as %p ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  const dates: [label: string, value: string, ms: number][] = [
    ['an IMF-fixdate 90 s ahead', at(90_000), 90_000],
    ['an IMF-fixdate one hour ahead', at(3_600_000), 3_600_000],
    ['an IMF-fixdate exactly now', at(0), 0],
    ['an IMF-fixdate in the past', at(-60_000), 0],
    ['an IMF-fixdate years in the past', 'Sun, 06 Nov 1994 08:49:37 GMT', 0],
    ['an obsolete RFC 850 date 2 minutes ahead', 'Thursday, 01-Jan-26 12:02:00 GMT', 120_000],
  ];
  it.each(dates)('reads %s as ms from now', (_label, value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it('counts an HTTP-date from the exact millisecond of now', () => {
    const later = now + 250; // HTTP-dates have whole seconds; now need not
    expect(parseRetryAfter(at(90_000), later)).toBe(89_750);
  });

  // RFC 9110 §5.6.7: recipients MUST accept asctime(), whose time is UTC even
  // though it carries no zone.
  it('reads an obsolete asctime() date as UTC whatever the local time zone', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'America/Sao_Paulo';
    try {
      expect(parseRetryAfter('Thu Jan  1 12:02:00 2026', now)).toBe(120_000);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  const unreadable: [label: string, value: string | null | undefined][] = [
    ['null (no header)', null],
    ['undefined', undefined],
    ['an empty value', ''],
    ['only whitespace', '   '],
    ['a word', 'soon'],
    ['a sentence', 'later please'],
    ['seconds with a unit', '5s'],
    ['two numbers', '12 34'],
    ['hex', '0x10'],
    ['an exponent', '1e3'],
    ['Infinity', 'Infinity'],
  ];
  it.each(unreadable)('ignores %s', (_label, value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  // delay-seconds is 1*DIGIT: these are neither delay-seconds nor HTTP-dates,
  // so they are ignored rather than handed to a lenient date parser.
  const numberLike: [label: string, value: string][] = [
    ['a fraction', '1.5'],
    ['a negative number', '-1'],
    ['a signed number', '+5'],
  ];
  for (const [label, value] of numberLike) {
    it(`ignores ${label} (${JSON.stringify(value)})`, () => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    });
  }
});

describe('backoffDelay: exponential backoff with full jitter', () => {
  const opts = { initialMs: 1_000, maxMs: 60_000 };
  const top = () => 0.999999;
  const half = () => 0.5;
  const zero = () => 0;

  const growth: [failures: number, atTop: number, atHalf: number][] = [
    [1, 1_000, 500],
    [2, 2_000, 1_000],
    [3, 4_000, 2_000],
    [4, 8_000, 4_000],
    [5, 16_000, 8_000],
    [6, 32_000, 16_000],
    [7, 60_000, 30_000], // 64 s capped at 60 s
    [8, 60_000, 30_000],
    [20, 60_000, 30_000],
  ];
  it.each(growth)('after %p failures waits up to %p ms (half-way: %p ms)', (failures, atTop, atHalf) => {
    expect(backoffDelay(failures, opts, top)).toBe(atTop);
    expect(backoffDelay(failures, opts, half)).toBe(atHalf);
  });

  it('doubles the ceiling with each failure until the cap', () => {
    const seen: number[] = [];
    for (let f = 1; f <= 10; f++) seen.push(backoffDelay(f, { initialMs: 250, maxMs: 100_000 }, half));
    expect(seen).toEqual([125, 250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 50_000]);
  });

  it.each([0, 1, 2, 10, 100])('may retry at once when the jitter draws 0 (%p failures)', (failures) => {
    expect(backoffDelay(failures, opts, zero)).toBe(0);
  });

  it('treats zero failures like the first one', () => {
    expect(backoffDelay(0, opts, top)).toBe(backoffDelay(1, opts, top));
    expect(backoffDelay(0, opts, half)).toBe(500);
  });

  it.each([53, 100, 1_024, 1_000_000])('stays finite and capped after %p failures', (failures) => {
    const d = backoffDelay(failures, opts, top);
    expect(Number.isFinite(d)).toBe(true);
    expect(d).toBe(60_000);
  });

  it('spreads delays uniformly over [0, ceiling]', () => {
    const ceiling = 8_000; // failures = 4
    for (let i = 0; i < 100; i++) {
      const r = i / 100;
      expect(backoffDelay(4, opts, () => r)).toBe(Math.round(r * ceiling));
    }
  });

  const floors: [label: string, failures: number, random: () => number, retryAfterMs: number, ms: number][] = [
    ['retries a 503 after its Retry-After even when the jitter draws 0', 1, zero, 5_000, 5_000],
    ['honours a Retry-After above the whole backoff ceiling', 1, top, 5_000, 5_000],
    ['keeps the jittered delay when it is already past the Retry-After', 5, half, 5_000, 8_000],
    ['keeps the jittered delay when Retry-After is 0', 3, half, 0, 2_000],
    ['caps a Retry-After of one hour at maxMs', 1, zero, 3_600_000, 60_000],
    ['caps a Retry-After of a day at maxMs even at the top of the jitter', 20, top, 86_400_000, 60_000],
    ['accepts a Retry-After exactly at maxMs', 2, zero, 60_000, 60_000],
  ];
  it.each(floors)('%s', (_label, failures, random, retryAfterMs, ms) => {
    expect(backoffDelay(failures, opts, random, retryAfterMs)).toBe(ms);
  });

  it('behaves as without a Retry-After when none is given', () => {
    for (let f = 1; f <= 8; f++) {
      expect(backoffDelay(f, opts, half, undefined)).toBe(backoffDelay(f, opts, half));
    }
  });

  it('caps everything at maxMs even when maxMs is below initialMs', () => {
    const tight = { initialMs: 10_000, maxMs: 3_000 };
    expect(backoffDelay(1, tight, top)).toBe(3_000);
    expect(backoffDelay(1, tight, half)).toBe(1_500);
    expect(backoffDelay(1, tight, zero, 9_000)).toBe(3_000);
  });

  it('draws exactly one random number per delay', () => {
    let calls = 0;
    const counting = () => {
      calls++;
      return 0.25;
    };
    expect(backoffDelay(3, opts, counting, 100)).toBe(1_000);
    expect(calls).toBe(1);
  });
});

describe('laneStall: a lane with pending events that has not acted by its deadline plus the margin', () => {
  const cases: [dueBy: number, now: number, margin: number, expected: ReturnType<typeof laneStall>, why: string][] = [
    [1000, 1000, 5000, null, 'at its deadline: on time'],
    [1000, 6000, 5000, null, 'exactly at deadline plus margin: still on time'],
    [1000, 6001, 5000, { sinceMono: 6000, overdueMs: 1 }, 'one ms past the margin: stalled'],
    [1000, 66_000, 5000, { sinceMono: 6000, overdueMs: 60_000 }, 'a minute past: stalled for a minute'],
    [300_000, 10_000, 5000, null, 'a backoff ending in five minutes: waiting, not stalled'],
    [0, 0, 0, null, 'no margin, at the deadline'],
  ];
  for (const [dueBy, now, margin, expected, why] of cases) {
    it(why, () => expect(laneStall(dueBy, now, margin)).toEqual(expected));
  }
});

describe('recoverySlot: the lanes woken by the cloud’s first answer take turns inside one spread', () => {
  const slots = (n: number, at = 5_000, spread = 1000) =>
    Array.from({ length: n }, (_, i) => recoverySlot(at, i, n, spread));
  it('one lane goes halfway through the spread', () => expect(slots(1)).toEqual([5500]));
  it('three lanes a quarter apart', () => expect(slots(3)).toEqual([5250, 5500, 5750]));
  it('a hundred lanes all after the answer and before its spread ends, in order, never two in the same ms', () => {
    const s = slots(100);
    expect(s[0]).toBeGreaterThan(5000);
    expect(s.at(-1)).toBeLessThan(6000);
    expect(new Set(s).size).toBe(100);
    expect([...s].sort((a, b) => a - b)).toEqual(s);
  });
  it('the slot depends only on the answer’s time, not on how long the outage or the lane’s own wait was', () =>
    expect(recoverySlot(3 * 86_400_000, 0, 1, 1000)).toBe(3 * 86_400_000 + 500));
});
