/**
 * The token bucket (src/lib/token-bucket.ts) behind the ingest limit and the
 * pace toward the cloud: takeToken as a pure function of its state and the
 * time, and Buckets keyed by token on a FakeClock moved by hand, never the
 * wall clock.
 */
import { describe, expect, it } from 'bun:test';
import {
  type BucketLimits,
  type BucketState,
  Buckets,
  type TakeResult,
  takeToken,
} from '../../src/lib/token-bucket.ts';
import { FakeClock } from '../helpers/clock.ts';

/** Takes until refused (or `limit` takes); returns how many were allowed and the refusal. */
function drain(take: () => TakeResult, limit = 10_000): { allowed: number; refusal: TakeResult | undefined } {
  let allowed = 0;
  for (let i = 0; i < limit; i++) {
    const r = take();
    if (!r.allowed) return { allowed, refusal: r };
    allowed++;
  }
  return { allowed, refusal: undefined };
}

/** takeToken threaded through its own state, at a time the caller moves. */
function pureBucket(limits: BucketLimits, start = 1_000_000) {
  let state: BucketState | undefined;
  let now = start;
  return {
    take(): TakeResult {
      const r = takeToken(state, now, limits);
      state = r.state;
      return r;
    },
    advance(ms: number) {
      now += ms;
    },
    get state() {
      return state;
    },
  };
}

// [ratePerSec, capacity, ms until one token once empty]
const limitsTable: [ratePerSec: number, capacity: number, waitMs: number][] = [
  [100, 5, 10],
  [100, 150, 10],
  [1, 1, 1_000],
  [10, 20, 100],
  [3, 2, 334], // 333.3 ms rounded up: never promise a token before it exists
  [0.5, 3, 2_000],
  [1_000, 10, 1],
];

describe('takeToken (pure)', () => {
  it.each(limitsTable)(
    'at %p/s with capacity %p, allows exactly capacity takes at one instant, then asks to wait %p ms',
    (ratePerSec, capacity, waitMs) => {
      const b = pureBucket({ ratePerSec, capacity });
      const { allowed, refusal } = drain(() => b.take());
      expect(allowed).toBe(capacity);
      expect(refusal?.allowed).toBe(false);
      expect(refusal?.waitMs).toBe(waitMs);
    },
  );

  it.each(limitsTable)(
    'at %p/s (capacity %p), refills one token after the %p ms it asked to wait',
    (ratePerSec, capacity) => {
      const b = pureBucket({ ratePerSec, capacity });
      drain(() => b.take());
      const refusal = b.take();
      expect(refusal.allowed).toBe(false);
      b.advance(refusal.waitMs);
      expect(b.take().allowed).toBe(true);
      expect(b.take().allowed).toBe(false);
    },
  );

  it.each(limitsTable)(
    'at %p/s (capacity %p), still refuses 1 ms before the %p ms it asked to wait',
    (ratePerSec, capacity, waitMs) => {
      const b = pureBucket({ ratePerSec, capacity });
      drain(() => b.take());
      b.advance(waitMs - 1);
      expect(b.take().allowed).toBe(false);
    },
  );

  const refills: [label: string, ratePerSec: number, capacity: number, idleMs: number, takes: number][] = [
    ['refills 1 token in 10 ms at 100/s', 100, 50, 10, 1],
    ['refills 5 tokens in 50 ms at 100/s', 100, 50, 50, 5],
    ['refills 3 tokens in 300 ms at 10/s', 10, 50, 300, 3],
    ['refills 2 tokens (not 3) in 299 ms at 10/s', 10, 50, 299, 2],
    ['refills 7 tokens in 3.5 s at 2/s', 2, 50, 3_500, 7],
    ['refills no more than capacity after an hour idle', 100, 150, 3_600_000, 150],
    ['refills no more than capacity after a day idle', 1, 3, 86_400_000, 3],
  ];
  it.each(refills)('%s', (_label, ratePerSec, capacity, idleMs, takes) => {
    const b = pureBucket({ ratePerSec, capacity });
    drain(() => b.take());
    b.advance(idleMs);
    expect(drain(() => b.take()).allowed).toBe(takes);
  });

  it('never holds more than capacity tokens, however long it idles', () => {
    const limits = { ratePerSec: 100, capacity: 10 };
    const r = takeToken({ tokens: 10, at: 0 }, 1e12, limits);
    expect(r.allowed).toBe(true);
    expect(r.state.tokens).toBe(9);
  });

  it('keeps fractional tokens across a refusal, so waiting in small steps loses nothing', () => {
    const b = pureBucket({ ratePerSec: 10, capacity: 1 }); // one token per 100 ms
    drain(() => b.take());
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      b.advance(20);
      const r = b.take();
      expect(r.allowed).toBe(false);
      waits.push(r.waitMs);
    }
    expect(waits).toEqual([80, 60, 40, 20]);
    b.advance(20);
    expect(b.take().allowed).toBe(true);
  });

  it('does not mutate the state it is given', () => {
    const prev: BucketState = { tokens: 2, at: 1_000 };
    const a = takeToken(prev, 1_500, { ratePerSec: 10, capacity: 10 });
    const b = takeToken(prev, 1_500, { ratePerSec: 10, capacity: 10 });
    expect(prev).toEqual({ tokens: 2, at: 1_000 });
    expect(a).toEqual(b);
    expect(a.state).toEqual({ tokens: 6, at: 1_500 });
  });

  it('grants nothing for a clock that went backwards', () => {
    const r = takeToken({ tokens: 0.5, at: 5_000 }, 4_000, { ratePerSec: 10, capacity: 10 });
    expect(r.allowed).toBe(false);
    expect(r.state.tokens).toBe(0.5);
    expect(r.waitMs).toBe(50);
  });

  it('reports waitMs 0 whenever it allows', () => {
    const b = pureBucket({ ratePerSec: 5, capacity: 4 });
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) waits.push(b.take().waitMs);
    expect(waits).toEqual([0, 0, 0, 0]);
  });
});

describe('Buckets (keyed, on a clock)', () => {
  it.each(limitsTable)(
    'gives a fresh key %p/s with exactly %p takes at one instant, then a wait of %p ms',
    (ratePerSec, capacity, waitMs) => {
      const clock = new FakeClock();
      const buckets = new Buckets({ ratePerSec, capacity }, clock);
      const { allowed, refusal } = drain(() => buckets.take('tok'));
      expect(allowed).toBe(capacity);
      expect(refusal?.waitMs).toBe(waitMs);
      clock.advance(waitMs);
      expect(buckets.take('tok').allowed).toBe(true);
    },
  );

  it('refills at ratePerSec as the clock moves', () => {
    const clock = new FakeClock();
    const buckets = new Buckets({ ratePerSec: 100, capacity: 100 }, clock);
    expect(drain(() => buckets.take('a')).allowed).toBe(100);
    const perStep: number[] = [];
    for (const ms of [10, 50, 250, 1_000]) {
      clock.advance(ms);
      perStep.push(drain(() => buckets.take('a')).allowed);
    }
    expect(perStep).toEqual([1, 5, 25, 100]);
  });

  it('sustains exactly ratePerSec takes per second once the burst is spent', () => {
    const clock = new FakeClock();
    const buckets = new Buckets({ ratePerSec: 50, capacity: 10 }, clock);
    drain(() => buckets.take('a'));
    let allowed = 0;
    for (let ms = 0; ms < 10_000; ms++) {
      clock.advance(1);
      if (buckets.take('a').allowed) allowed++;
    }
    expect(allowed).toBe(500);
  });

  it('never exceeds capacity after a long idle', () => {
    const clock = new FakeClock();
    const buckets = new Buckets({ ratePerSec: 100, capacity: 20 }, clock);
    drain(() => buckets.take('a'));
    clock.advance(7 * 86_400_000);
    expect(drain(() => buckets.take('a')).allowed).toBe(20);
  });

  it('keeps keys independent: draining one token leaves the others full', () => {
    const clock = new FakeClock();
    const buckets = new Buckets({ ratePerSec: 1, capacity: 3 }, clock);
    expect(drain(() => buckets.take('a')).allowed).toBe(3);
    expect(buckets.take('a').allowed).toBe(false);
    expect(drain(() => buckets.take('b')).allowed).toBe(3);
    clock.advance(1_000);
    expect(drain(() => buckets.take('a')).allowed).toBe(1);
    expect(drain(() => buckets.take('b')).allowed).toBe(1);
    expect(drain(() => buckets.take('c')).allowed).toBe(3);
  });

  it('does not charge a key for a refused take', () => {
    const clock = new FakeClock();
    const buckets = new Buckets({ ratePerSec: 10, capacity: 1 }, clock);
    buckets.take('a');
    for (let i = 0; i < 50; i++) expect(buckets.take('a').allowed).toBe(false);
    clock.advance(100);
    expect(buckets.take('a').allowed).toBe(true);
  });

  it('runs on the monotonic clock: a wall-clock step neither refills nor empties a bucket', () => {
    const clock = new FakeClock();
    const buckets = new Buckets({ ratePerSec: 10, capacity: 5 }, clock);
    expect(drain(() => buckets.take('a')).allowed).toBe(5);
    clock.stepWall(3_600_000); // an hour forwards: no refill
    expect(buckets.take('a').allowed).toBe(false);
    clock.advance(100);
    clock.stepWall(-7_200_000); // two hours back: the 100 ms that passed still count
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').waitMs).toBe(100);
  });

  it('applies a raised rate from setLimits', () => {
    const clock = new FakeClock();
    const buckets = new Buckets({ ratePerSec: 1, capacity: 10 }, clock);
    drain(() => buckets.take('a'));
    buckets.setLimits({ ratePerSec: 100, capacity: 10 });
    expect(buckets.take('a').waitMs).toBe(10);
    clock.advance(50);
    expect(drain(() => buckets.take('a')).allowed).toBe(5);
  });

  it('applies a lowered capacity from setLimits to existing and new keys', () => {
    const clock = new FakeClock();
    const buckets = new Buckets({ ratePerSec: 10, capacity: 100 }, clock);
    expect(buckets.take('a').allowed).toBe(true); // 99 left under the old limits
    buckets.setLimits({ ratePerSec: 10, capacity: 2 });
    expect(drain(() => buckets.take('a')).allowed).toBe(2);
    expect(drain(() => buckets.take('b')).allowed).toBe(2);
  });

  it('applies a raised capacity from setLimits to new keys at once and to drained keys by refill', () => {
    const clock = new FakeClock();
    const buckets = new Buckets({ ratePerSec: 10, capacity: 2 }, clock);
    drain(() => buckets.take('a'));
    buckets.setLimits({ ratePerSec: 10, capacity: 8 });
    expect(drain(() => buckets.take('b')).allowed).toBe(8);
    expect(buckets.take('a').allowed).toBe(false);
    clock.advance(60_000);
    expect(drain(() => buckets.take('a')).allowed).toBe(8);
  });
});
