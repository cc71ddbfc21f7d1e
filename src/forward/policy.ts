/**
 * Pure decisions of the forwarder, table-tested in test/forward-policy.test.ts.
 */

import type { Verdict } from '../spool/index.ts';

// The one list of verdicts is the spool's (it stores them); re-exported for callers of classify.
export type { Verdict };

/**
 * What a cloud answer means for the event (`status` null: no HTTP answer at
 * all — connection refused, reset, DNS, timeout).
 * - 2xx: stored upstream.
 * - 401: the cloud deactivated the token (guide: "Token invalid or inactive -
 *   contact EmiliaVision"); the event is fine, the token is not: pause the
 *   token's lanes and keep every event.
 * - 408, 429, 5xx, no answer: transient (guide "Retry Strategy"): same event again.
 * - 407: a proxy between us and the cloud wants (other) credentials (RFC 9110
 *   §15.5.8); the cloud never saw the event, so it is kept and sent again
 *   once the proxy is fixed, never dead-lettered.
 * - other 4xx (400, 413, 422, ...): this event will never be accepted as it
 *   is: dead-letter it so the lane moves on.
 * - anything else (1xx/3xx): unexpected; retrying keeps the event, dead-lettering
 *   a whole lane because of a misconfigured URL would not.
 */
export function classify(status: number | null): Verdict {
  if (status === null) return 'retry';
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 401) return 'pause';
  if (status === 407 || status === 408 || status === 429 || status >= 500) return 'retry';
  if (status >= 400 && status < 500) return 'dead';
  return 'retry';
}

// The three HTTP-date forms (RFC 9110 §5.6.7); anything else is not a date here.
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850_DATE = /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Returns milliseconds from `now`, or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  let at: number;
  if (IMF_FIXDATE.test(v) || RFC850_DATE.test(v)) at = Date.parse(v);
  // asctime has no zone; RFC 9110 says to read it as UTC, not local time.
  else if (ASCTIME_DATE.test(v)) at = Date.parse(`${v} GMT`);
  else return undefined;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with full jitter ("Exponential Backoff and Jitter",
 * AWS Architecture Blog, 2015): a uniform delay in [0, min(max, initial·2^n)].
 * A Retry-After from the cloud is a floor — never send before the cloud asked —
 * and the whole is capped at max_backoff_seconds so one odd header cannot stall
 * a lane for a day.
 */
export function backoffDelay(
  failures: number,
  opts: BackoffOptions,
  random: () => number,
  retryAfterMs?: number,
): number {
  const n = Math.max(0, failures - 1);
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(n, 52));
  const jittered = random() * ceiling;
  const floor = retryAfterMs ?? 0;
  return Math.round(Math.min(opts.maxMs, Math.max(jittered, floor)));
}

/**
 * This PC's clock minus the cloud's, from an answer's Date header (RFC 9110
 * §6.6.1: IMF-fixdate, one-second resolution), taken at the request's
 * midpoint. The header is truncated to the second, so the cloud's time was in
 * [date, date + 1 s): only what lies outside that window counts as skew.
 * null when the header is absent or not a date.
 */
export function clockSkew(sentAt: number, receivedAt: number, date: string | null): number | null {
  if (date === null || !IMF_FIXDATE.test(date.trim())) return null;
  const cloud = Date.parse(date);
  if (Number.isNaN(cloud)) return null;
  const mid = (sentAt + receivedAt) / 2;
  if (mid < cloud) return Math.round(mid - cloud);
  return Math.round(Math.max(0, mid - (cloud + 1000)));
}

/** How far past its scheduled attempt a lane may be before it counts as stalled: timers and a busy event loop run late. */
export const STALL_MARGIN_MS = 5000;

/**
 * Whether a lane with pending events is stalled: its runner promised to act
 * by `dueBy` (monotonic: the end of its wait, or its request's timeout) and
 * `now` is past that by more than `marginMs`. Returns since when (the
 * deadline plus the margin) and by how much, or null while it is on time.
 */
export function laneStall(
  dueBy: number,
  now: number,
  marginMs: number,
): { sinceMono: number; overdueMs: number } | null {
  const since = dueBy + marginMs;
  return now > since ? { sinceMono: since, overdueMs: Math.round(now - since) } : null;
}

/**
 * When the `i`-th of `n` lanes woken by the cloud's first answer after an
 * outage (at `atMono`) may try again: spread evenly inside `spreadMs` so the
 * lanes do not all arrive in the same instant, the last one still within
 * `spreadMs` of the answer however long the outage or the lanes' own waits.
 */
export function recoverySlot(atMono: number, i: number, n: number, spreadMs: number): number {
  return atMono + Math.floor(((i + 1) * spreadMs) / (n + 1));
}
