import { describe, expect, it } from 'bun:test';
import {
  admit,
  afterFailure,
  delayAfter,
  type LoginRecord,
  LOGIN_POLICY as P,
  retryAfterSeconds,
} from '../../src/admin/login-policy.ts';
import { Logins } from '../../src/admin/logins.ts';
import { FakeClock } from '../helpers/clock.ts';
import { captureLog } from '../helpers/log.ts';

const T = 1_000_000;
const rec = (o: Partial<LoginRecord>): LoginRecord => ({
  failures: 0,
  lastFailure: T,
  nextTry: T,
  blockedUntil: 0,
  ...o,
});

describe('delayAfter: the wait after the nth wrong password in a row', () => {
  it.each([
    [1, 0],
    [P.freeFailures, 0],
    [P.freeFailures + 1, 1_000],
    [P.freeFailures + 2, 2_000],
    [P.freeFailures + 3, 4_000],
    [P.freeFailures + 6, 32_000],
    [P.freeFailures + 7, 60_000],
    [P.blockAfter - 1, 60_000],
  ])('after %i: %i ms', (n, ms) => {
    expect(delayAfter(n)).toBe(ms);
  });
});

describe('admit: is a try from this address checked now?', () => {
  it.each([
    ['no record', undefined, T, { ok: true }],
    ['its wait is over', rec({ failures: 7, nextTry: T + 2_000 }), T + 2_000, { ok: true }],
    [
      'still waiting',
      rec({ failures: 7, nextTry: T + 2_000 }),
      T + 500,
      { ok: false, retryAfterMs: 1_500, blocked: false },
    ],
    [
      'blocked',
      rec({ failures: 20, nextTry: T + P.blockMs, blockedUntil: T + P.blockMs }),
      T + 60_000,
      { ok: false, retryAfterMs: P.blockMs - 60_000, blocked: true },
    ],
    [
      'block over',
      rec({ failures: 20, nextTry: T + P.blockMs, blockedUntil: T + P.blockMs }),
      T + P.blockMs,
      { ok: true },
    ],
    [
      'idle past forgetAfterMs, whatever it says',
      rec({ failures: 19, nextTry: T + P.forgetAfterMs + 1 }),
      T + P.forgetAfterMs,
      { ok: true },
    ],
  ] as const)('%s', (_what, r, now, want) => {
    expect(admit(r, now)).toEqual(want);
  });
});

describe('afterFailure: the record after a wrong password', () => {
  it.each([
    ['the first', undefined, T, { failures: 1, nextTry: T, blockedUntil: 0 }, false],
    [
      'the last free one',
      rec({ failures: P.freeFailures - 1 }),
      T,
      { failures: P.freeFailures, nextTry: T, blockedUntil: 0 },
      false,
    ],
    [
      'the first that costs',
      rec({ failures: P.freeFailures }),
      T,
      { failures: P.freeFailures + 1, nextTry: T + 1_000, blockedUntil: 0 },
      false,
    ],
    [
      'the one that blocks',
      rec({ failures: P.blockAfter - 1 }),
      T,
      { failures: P.blockAfter, nextTry: T + P.blockMs, blockedUntil: T + P.blockMs },
      true,
    ],
    [
      'one right after a block: blocks again',
      rec({ failures: P.blockAfter, lastFailure: T - P.blockMs, blockedUntil: T }),
      T + 1,
      { failures: P.blockAfter + 1, nextTry: T + 1 + P.blockMs, blockedUntil: T + 1 + P.blockMs },
      true,
    ],
    [
      'one after forgetAfterMs of quiet past the block: starts afresh',
      rec({ failures: P.blockAfter, lastFailure: T - P.blockMs, blockedUntil: T }),
      T + P.forgetAfterMs,
      { failures: 1, nextTry: T + P.forgetAfterMs, blockedUntil: 0 },
      false,
    ],
  ] as const)('%s', (_what, r, now, want, blockStarted) => {
    const got = afterFailure(r, now);
    expect(got.record).toEqual({ ...want, lastFailure: now });
    expect(got.blockStarted).toBe(blockStarted);
  });
});

it.each([
  [1, 1],
  [999, 1],
  [1_000, 1],
  [1_001, 2],
  [P.blockMs, P.blockMs / 1000],
])('retryAfterSeconds(%i) = %i', (ms, s) => {
  expect(retryAfterSeconds(ms)).toBe(s);
});

describe('Logins: one record per address, on the monotonic clock', () => {
  it('holds the guessing address with 429 and Retry-After, never another, and blocks it after blockAfter', () => {
    const clock = new FakeClock();
    const { log, lines } = captureLog();
    const logins = new Logins({ clock, log });
    const guesser = '192.168.1.66';
    let checked = 0;
    for (let i = 0; i < 1000; i++) {
      if (logins.hold(guesser)) continue;
      checked++;
      logins.failed(guesser);
    }
    expect(checked).toBe(P.freeFailures + 1);
    const held = logins.hold(guesser)!;
    expect(held.status).toBe(429);
    expect(held.headers).toEqual({ 'Retry-After': '1' });
    expect(logins.hold('192.168.1.10')).toBeUndefined();
    expect(logins.hold('::ffff:192.168.1.66')?.status).toBe(429);
    // One line for the first wrong password, none for the next within the minute.
    expect(lines.filter((l) => l.msg === `wrong admin password from ${guesser}`)).toHaveLength(1);

    // Waiting each time out: blockAfter wrong passwords, then a block.
    for (let n = checked; n < P.blockAfter; n++) {
      clock.advance(delayAfter(n));
      expect(logins.hold(guesser)).toBeUndefined();
      logins.failed(guesser);
    }
    expect(logins.blocked()).toEqual([
      { client: guesser, since: clock.mono(), until: clock.mono() + P.blockMs, failures: P.blockAfter },
    ]);
    expect(logins.hold(guesser)!.headers).toEqual({ 'Retry-After': String(P.blockMs / 1000) });
    // The loop's held tries and the three asked above.
    expect(logins.counters()).toEqual({ failures: P.blockAfter, refused: 1000 - checked + 3, blocks: 1 });
    expect(
      lines.some((l) => l.msg === `admin logins from ${guesser} blocked for 15 min after 20 wrong passwords`),
    ).toBe(true);
    // A wall-clock step does not end the block.
    clock.stepWall(P.blockMs * 2);
    expect(logins.hold(guesser)?.status).toBe(429);
    clock.advance(P.blockMs);
    expect(logins.hold(guesser)).toBeUndefined();
    expect(logins.blocked()).toEqual([]);
  });

  it('forgets an address whose right password came', () => {
    const logins = new Logins({ clock: new FakeClock(), log: captureLog().log });
    for (let i = 0; i < P.freeFailures; i++) logins.failed('10.0.0.5');
    logins.succeeded('10.0.0.5');
    for (let i = 0; i < P.freeFailures; i++) logins.failed('10.0.0.5');
    expect(logins.hold('10.0.0.5')).toBeUndefined();
  });
});
