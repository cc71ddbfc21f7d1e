/**
 * How long the backlog takes to reach the cloud at the current pace: the
 * pace read from the latest deliveries the spool recorded (Spool.pace), the
 * estimate and its words from the pure functions below (the status page and
 * `relay status` show the same sentence).
 */

/** The pace is the last minute's, from at most this many of its latest deliveries. */
export const PACE_WINDOW_MS = 60_000;
export const PACE_SAMPLE = 1000;

/** The latest deliveries: how many (at most PACE_SAMPLE, within PACE_WINDOW_MS) and when the first of them was. */
export interface RecentDeliveries {
  count: number;
  firstAt: number | null;
}

/**
 * Deliveries per second: the recent ones over the time from the first of
 * them to `now` (at least a second, so a burst does not read as a torrent).
 */
export function pacePerSecond(recent: RecentDeliveries, now: number): number {
  if (recent.count === 0 || recent.firstAt === null) return 0;
  const spanMs = Math.max(1000, now - recent.firstAt);
  return (recent.count * 1000) / spanMs;
}

export type DrainEstimate =
  | { kind: 'empty' }
  | { kind: 'stalled' }
  | { kind: 'draining'; seconds: number; perSecond: number };

/** The backlog's expected time to drain: nothing to drain, not moving, or seconds at the pace. */
export function drainEstimate(pending: number, perSecond: number): DrainEstimate {
  if (pending <= 0) return { kind: 'empty' };
  if (!(perSecond > 0)) return { kind: 'stalled' };
  return { kind: 'draining', seconds: Math.ceil(pending / perSecond), perSecond };
}

/** "45 s", "12 min", "3 h 20 min", "2 d 4 h": rounded up, two units at most. */
export function drainDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const hours = Math.floor(minutes / 60);
    return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  }
  const hours = Math.ceil(minutes / 60);
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** The sentence a technician reads. */
export function drainWords(e: DrainEstimate): string {
  if (e.kind === 'empty') return 'nothing waits';
  if (e.kind === 'stalled') return 'not draining: no event reached the cloud in the last minute';
  const pace = e.perSecond >= 10 ? Math.round(e.perSecond).toLocaleString('en-US') : e.perSecond.toFixed(1);
  return `about ${drainDuration(e.seconds)} to drain at the last minute's pace (${pace} events/s)`;
}
