import { CONDITION_IDS } from './conditions.ts';
import type { Active, AlertState } from './evaluate.ts';

/**
 * The alert state a restart must not forget: which alerts fire, since when,
 * when each was last sent (for repeat_hours) and the dead letters that are
 * not news. The spool keeps it (spool_meta, one JSON value) and the alerter
 * writes it when it changes, so a relay that comes back neither sends a
 * firing alert again nor forgets to resolve it.
 *
 * The alerter acts on the monotonic clock, which starts again with every
 * process; the spool keeps wall times, converted at the save and at the load.
 * Across a restart an alert's age is therefore wall-clock time. A step back
 * while the relay was down shows as a save in the future: every stored time
 * is moved back by that much, so no age is negative and a reminder is not
 * put off by the step. A step forwards cannot be told from a long stop: it
 * counts as time down (the alert reads older, and a reminder may come due at
 * the start). Pure: the alerter passes both clocks' readings.
 */

/** Bumped when the shape changes; another shape is not read (the alerts start afresh, as before a first save). */
const SHAPE = 1;

/** An active alert as kept: its times (since, firedAt, lastSentAt) in wall time, nothing of this process's. */
type StoredAlert = Omit<Active, 'okSince' | 'restored'>;

/** What an active alert says, its times turned by `wall` from monotonic to wall time (the spool's copy, the status). */
export function activeInWall(a: Active, wall: (mono: number) => number): Omit<StoredAlert, 'key'> {
  return {
    condition: a.condition,
    ...(a.subject ? { subject: a.subject } : {}),
    since: wall(a.since),
    firedAt: wall(a.firedAt),
    lastSentAt: wall(a.lastSentAt),
    details: a.details,
  };
}

export interface StoredAlerts {
  shape: typeof SHAPE;
  /** Wall time of the save. */
  savedAt: number;
  deadBaseline: number | null;
  active: StoredAlert[];
}

/** Both clocks read at one moment. */
export interface ClockReading {
  wall: number;
  mono: number;
}

/** The state as the spool keeps it, its times in wall time. */
export function toStored(state: AlertState, at: ClockReading): StoredAlerts {
  const wall = (m: number) => Math.round(at.wall - (at.mono - m));
  return {
    shape: SHAPE,
    savedAt: at.wall,
    deadBaseline: state.deadBaseline,
    active: [...state.active.values()].map((a) => ({ key: a.key, ...activeInWall(a, wall) })),
  };
}

/**
 * What changes the stored state: the alerts, their times and the dead-letter
 * baseline. Details change on every tick (counts, minutes) and are saved with
 * the next change, not for themselves.
 */
export function storedChange(state: AlertState): string {
  return JSON.stringify([
    state.deadBaseline,
    [...state.active.values()].map((a) => [a.key, a.since, a.firedAt, a.lastSentAt]),
  ]);
}

export interface Restored {
  state: AlertState;
  /** How far the wall clock went back while the relay was down (0: not at all). */
  steppedBackMs: number;
  /** Alerts dropped: their condition is not one this build knows. */
  dropped: string[];
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The stored state in this process's monotonic frame; null when there is
 * none or it is not one this build reads (the alerts then start afresh).
 * Each time is at most now; an alert's order of times is kept.
 */
export function fromStored(raw: string | null, at: ClockReading): Restored | null {
  if (raw === null) return null;
  let s: Partial<StoredAlerts>;
  try {
    s = JSON.parse(raw) as Partial<StoredAlerts>;
  } catch {
    return null;
  }
  if (s?.shape !== SHAPE || !isNum(s.savedAt) || !Array.isArray(s.active)) return null;
  const steppedBackMs = Math.max(0, s.savedAt - at.wall);
  const mono = (w: number) => Math.min(at.mono, at.mono - (at.wall - (w - steppedBackMs)));
  const active = new Map<string, Active>();
  const dropped: string[] = [];
  for (const a of s.active) {
    if (!a || typeof a.key !== 'string' || !isNum(a.since) || !isNum(a.firedAt) || !isNum(a.lastSentAt)) continue;
    if (!CONDITION_IDS.includes(a.condition)) {
      dropped.push(a.key);
      continue;
    }
    const firedAt = mono(a.firedAt);
    active.set(a.key, {
      key: a.key,
      condition: a.condition,
      ...(a.subject ? { subject: a.subject } : {}),
      since: Math.min(mono(a.since), firedAt),
      firedAt,
      lastSentAt: Math.max(mono(a.lastSentAt), firedAt),
      okSince: null,
      details: a.details && typeof a.details === 'object' ? a.details : {},
      restored: at.mono,
    });
  }
  const deadBaseline = isNum(s.deadBaseline) ? s.deadBaseline : null;
  return { state: { active, deadBaseline }, steppedBackMs, dropped };
}
