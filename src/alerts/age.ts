/**
 * The age of a waiting event on the monotonic clock. An event's received_at
 * is wall time (it is stored and shown), so `now - received_at` jumps with
 * every wall-clock step: two hours forwards and every waiting event looks two
 * hours old. Instead, the first time the alerter sees an event at the head
 * of its lane it takes the event's wall age once (never below 0: received
 * "in the future" after a step back is just received) and from then on adds
 * monotonic time to it. Pure; the alerter keeps one anchor per lane.
 */

export interface AgeAnchor {
  /** The event's received_at: the same lane with another head is another event. */
  receivedAt: number;
  /** Its wall age when first seen, at least 0. */
  ageMs: number;
  /** Monotonic time it was first seen. */
  mono: number;
}

/** `prev` if it is this event's anchor; otherwise a new anchor taken now. */
export function anchorAge(prev: AgeAnchor | undefined, receivedAt: number, wall: number, mono: number): AgeAnchor {
  if (prev && prev.receivedAt === receivedAt) return prev;
  return { receivedAt, ageMs: Math.max(0, wall - receivedAt), mono };
}

/** The anchored event's age at monotonic time `mono`. */
export const ageAt = (a: AgeAnchor, mono: number): number => a.ageMs + Math.max(0, mono - a.mono);
