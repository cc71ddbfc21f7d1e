/**
 * Token bucket as a pure function: `capacity` tokens, refilled continuously at
 * `ratePerSec`. Used for the ingest limit (guide "Rate Limits": 100 req/s per
 * token, with a burst) and for the forwarder's pace toward the cloud.
 */
export interface BucketState {
  tokens: number;
  at: number; // ms of the last refill, on the caller's (monotonic) clock
}

export interface BucketLimits {
  ratePerSec: number;
  capacity: number;
}

export interface TakeResult {
  allowed: boolean;
  state: BucketState;
  /** When not allowed: ms until one token is available. */
  waitMs: number;
}

export function takeToken(prev: BucketState | undefined, now: number, limits: BucketLimits): TakeResult {
  const start = prev ?? { tokens: limits.capacity, at: now };
  const elapsed = Math.max(0, now - start.at);
  const tokens = Math.min(limits.capacity, start.tokens + (elapsed * limits.ratePerSec) / 1000);
  if (tokens >= 1) {
    return { allowed: true, state: { tokens: tokens - 1, at: now }, waitMs: 0 };
  }
  const waitMs = Math.ceil(((1 - tokens) * 1000) / limits.ratePerSec);
  return { allowed: false, state: { tokens, at: now }, waitMs };
}

/**
 * A set of buckets keyed by name (one per webhook token), on the monotonic
 * clock: a wall-clock step (NTP, a date fixed by hand) neither refills a
 * bucket (forwards) nor empties it for as long as the step (backwards).
 */
export class Buckets {
  private readonly states = new Map<string, BucketState>();
  constructor(
    private limits: BucketLimits,
    private readonly clock: { mono(): number },
  ) {}

  take(key: string): TakeResult {
    const r = takeToken(this.states.get(key), this.clock.mono(), this.limits);
    this.states.set(key, r.state);
    return r;
  }

  setLimits(limits: BucketLimits): void {
    this.limits = limits;
  }
}
