/**
 * Counts per fixed interval of wall time (15 minutes: 14:00, 14:15...), the
 * latest `keep` intervals only: what the status page's 24-hour chart reads.
 * Wall time because people read it; a clock stepped back only lands counts
 * in an earlier interval. O(1) to add and bounded memory, so it may sit on
 * the ingest path.
 */
export class BucketCounts {
  private readonly counts = new Map<number, number>();
  private latest = Number.NEGATIVE_INFINITY;

  constructor(
    readonly bucketMs: number,
    readonly keep: number,
  ) {}

  add(at: number, n = 1): void {
    const k = Math.floor(at / this.bucketMs);
    this.counts.set(k, (this.counts.get(k) ?? 0) + n);
    if (k > this.latest) {
      this.latest = k;
      // At most `keep` keys stay: the prune runs once per new interval.
      for (const old of this.counts.keys()) if (old <= k - this.keep) this.counts.delete(old);
    }
  }

  /** Count per interval, keyed by the interval's start (wall ms). */
  snapshot(): Map<number, number> {
    return new Map([...this.counts].map(([k, n]) => [k * this.bucketMs, n]));
  }
}

/** The chart's intervals: 15 minutes, 24 hours of them. */
export const ACTIVITY_BUCKET_MS = 15 * 60_000;
export const ACTIVITY_BUCKETS = 96;
