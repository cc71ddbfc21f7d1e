/**
 * How wrong admin passwords are slowed down, per client address: pure
 * decisions over one address's record and the monotonic clock, table-tested
 * in test/unit/login-policy.test.ts. logins.ts keeps the records, logs and
 * counts.
 *
 * A few mistakes cost nothing (a technician mistyping); after them each
 * wrong password makes the address wait longer before its next try is even
 * checked (1 s, 2 s, 4 s... up to a minute), and after `blockAfter` of them
 * it is blocked for `blockMs`. A try too early is refused with 429 and
 * Retry-After without looking at the password, so sending thousands at once
 * gets no more checked than sending them one by one. The right password from
 * another address is never held up: nothing here is global.
 */

export const LOGIN_POLICY = {
  /** Wrong passwords in a row that cost nothing. */
  freeFailures: 5,
  /** The wait after the first wrong password past the free ones; it doubles with each one after. */
  firstDelayMs: 1_000,
  maxDelayMs: 60_000,
  /** Wrong passwords that block the address. */
  blockAfter: 20,
  blockMs: 15 * 60_000,
  /** A record this long idle (past its block) is forgotten: the address starts afresh. */
  forgetAfterMs: 15 * 60_000,
} as const;

export type LoginPolicy = { readonly [K in keyof typeof LOGIN_POLICY]: number };

/** One address's wrong passwords. Times are monotonic (clock.mono()). */
export interface LoginRecord {
  /** Wrong passwords since the record began. */
  failures: number;
  lastFailure: number;
  /** No try is checked before this. */
  nextTry: number;
  /** Blocked until this (0: never blocked). */
  blockedUntil: number;
}

export type Admission = { ok: true } | { ok: false; retryAfterMs: number; blocked: boolean };

/** True when the record is over: idle for `forgetAfterMs` after its last failure and its block. */
export function forgotten(r: LoginRecord, now: number, p: LoginPolicy = LOGIN_POLICY): boolean {
  return now - Math.max(r.lastFailure, r.blockedUntil) >= p.forgetAfterMs;
}

/** Whether a try from the address is checked now, or refused with how long to wait. */
export function admit(r: LoginRecord | undefined, now: number, p: LoginPolicy = LOGIN_POLICY): Admission {
  if (r === undefined || forgotten(r, now, p)) return { ok: true };
  if (now < r.blockedUntil) return { ok: false, retryAfterMs: r.blockedUntil - now, blocked: true };
  if (now < r.nextTry) return { ok: false, retryAfterMs: r.nextTry - now, blocked: false };
  return { ok: true };
}

/** The wait after the `n`th wrong password in a row. */
export function delayAfter(n: number, p: LoginPolicy = LOGIN_POLICY): number {
  if (n <= p.freeFailures) return 0;
  return Math.min(p.firstDelayMs * 2 ** (n - p.freeFailures - 1), p.maxDelayMs);
}

/**
 * The record after a wrong password at `now`, and whether it started a block.
 * Past `blockAfter` every further wrong password blocks again: once blocked,
 * an address gets one try per block until it stays quiet for `forgetAfterMs`.
 */
export function afterFailure(
  r: LoginRecord | undefined,
  now: number,
  p: LoginPolicy = LOGIN_POLICY,
): { record: LoginRecord; blockStarted: boolean } {
  const failures = (r === undefined || forgotten(r, now, p) ? 0 : r.failures) + 1;
  if (failures >= p.blockAfter) {
    return {
      record: { failures, lastFailure: now, nextTry: now + p.blockMs, blockedUntil: now + p.blockMs },
      blockStarted: true,
    };
  }
  const blockedUntil = r === undefined || forgotten(r, now, p) ? 0 : r.blockedUntil;
  return {
    record: { failures, lastFailure: now, nextTry: now + delayAfter(failures, p), blockedUntil },
    blockStarted: false,
  };
}

/** Retry-After's whole seconds (RFC 9110 §10.2.3), at least 1. */
export const retryAfterSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
