import type { ClockStep } from '../lib/clock.ts';

/**
 * The age of a waiting event on the monotonic clock. An event's received_at
 * is wall time (it is stored and shown), so `now - received_at` jumps with
 * every wall-clock step: three days forwards and every waiting event looks
 * three days old. Instead, the first time the alerter sees an event at the
 * head of its lane it works out once when, on the monotonic clock, the event
 * came in (receivedMono: its wall time read in the wall-clock frame it was
 * received in, from the steps seen since start), and from then on the age
 * is monotonic time since then. Pure; the alerter keeps one anchor per lane.
 */

export interface AgeAnchor {
  /** The event's received_at: the same lane with another head is another event. */
  receivedAt: number;
  /** Its age when first seen, at least 0. */
  ageMs: number;
  /** Monotonic time it was first seen. */
  mono: number;
}

/**
 * How long after a step the relay may notice it (its clock watch runs every
 * second, and a busy loop runs it late): an event received in that gap is
 * already in the new frame though its time reads before the step was seen.
 */
export const STEP_NOTICE_SLACK_MS = 2000;

/**
 * The monotonic time an event received at wall time `receivedAt` came in,
 * given the wall clock and the monotonic clock now and the wall-clock steps
 * seen since start (oldest first). Between two steps wall minus monotonic is
 * constant, so each frame maps its wall times to monotonic ones; the event
 * belongs to the frame whose monotonic span holds its mapped time. After a
 * step back two frames can both hold it: the newest is taken (the younger
 * age: an alert waits rather than fires on a guess). The frame before the
 * first step reaches back without end (events from before the relay
 * started); an event no frame holds (received "in the future") came in now.
 */
export function receivedMono(
  receivedAt: number,
  wall: number,
  mono: number,
  steps: readonly ClockStep[],
  slackMs = STEP_NOTICE_SLACK_MS,
): number {
  let offset = wall - mono;
  // Frame f follows steps[f - 1] (frame 0 is before the first step); the newest first.
  for (let f = steps.length; f >= 0; f--) {
    const m = receivedAt - offset;
    const from = f === 0 ? -Infinity : steps[f - 1]!.atMono - slackMs;
    const to = f === steps.length ? mono : steps[f]!.atMono;
    if (m >= from && m <= to) return m;
    if (f > 0) offset -= steps[f - 1]!.deltaMs;
  }
  return mono;
}

/** `prev` if it is this event's anchor; otherwise a new anchor taken now. */
export function anchorAge(
  prev: AgeAnchor | undefined,
  receivedAt: number,
  wall: number,
  mono: number,
  steps: readonly ClockStep[] = [],
): AgeAnchor {
  if (prev && prev.receivedAt === receivedAt) return prev;
  return { receivedAt, ageMs: Math.max(0, mono - receivedMono(receivedAt, wall, mono, steps)), mono };
}

/** The anchored event's age at monotonic time `mono`. */
export const ageAt = (a: AgeAnchor, mono: number): number => a.ageMs + Math.max(0, mono - a.mono);
