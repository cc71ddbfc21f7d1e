import { HOUR_MS } from '../lib/time.ts';
import {
  type AlertsConfig,
  type ConditionId,
  type Details,
  disabledConditions,
  type Finding,
  findings,
  type Snapshot,
  type TokenRef,
} from './conditions.ts';

/**
 * The alert state machine, pure: (state, snapshot, now) → (state, transitions).
 * `now` and every time kept here are monotonic (clock.mono()): holds and
 * repeats are lengths of monotonic time, which a wall-clock step does not
 * change. The alerter turns them into wall time where people read them.
 * A condition sends "firing" once when it starts, again at most every
 * repeat_hours while it lasts, and "resolved" once when it has been ok
 * for `resolveAfterMs` without a break. A value that dips back inside that
 * hold keeps the alert firing without a word, so a flapping link sends two
 * messages, not two per flap. Table-tested in test/unit/alerts-evaluate.test.ts.
 */

export interface Active {
  key: string;
  condition: ConditionId;
  subject?: TokenRef;
  /** When the problem began: kept from the first firing through repeats. */
  since: number;
  /** When it first fired (since can be earlier: the cloud was unreachable before the threshold passed). */
  firedAt: number;
  lastSentAt: number;
  /** Since when the finding has been ok without a break; null while it is not. */
  okSince: number | null;
  details: Details;
  /**
   * Set while an alert read back from the spool (memory.ts) has had no
   * finding since the restart: monotonic time it was read. Some conditions'
   * evidence lives in memory only (the success rate's window, a token's first
   * events); until it is gathered again, no finding means "not known yet",
   * not ok, so a restart neither resolves such an alert nor fires it again.
   * Bounded by RESTORED_UNKNOWN_MS, after which no finding counts as ok again.
   */
  restored?: number;
}

export interface AlertState {
  readonly active: ReadonlyMap<string, Active>;
  /** Dead letters that are not news: those there at start, or when the last dead-letter alert ended. */
  readonly deadBaseline: number | null;
}

export interface Transition {
  state: 'firing' | 'resolved';
  /** A reminder of a condition already told (repeat_hours later). */
  repeat: boolean;
  key: string;
  condition: ConditionId;
  subject?: TokenRef;
  since: number;
  at: number;
  details: Details;
}

export interface EvalOptions {
  /** How long a condition stays ok before "resolved" is sent. */
  resolveAfterMs: number;
}

export const DEFAULT_RESOLVE_AFTER_MS = 120_000;

/**
 * How long an alert read back at start waits, without a finding, before its
 * absence counts as ok: long enough for the success rate's window and a
 * token's next events at a restaurant's pace, short enough that an alert
 * whose cause went away while the relay was down is resolved the same day.
 */
export const RESTORED_UNKNOWN_MS = 15 * 60_000;

export const initialState = (): AlertState => ({ active: new Map(), deadBaseline: null });

export function evaluate(
  state: AlertState,
  snap: Snapshot,
  now: number,
  cfg: AlertsConfig,
  opts: EvalOptions = { resolveAfterMs: DEFAULT_RESOLVE_AFTER_MS },
): { state: AlertState; transitions: Transition[] } {
  const baseline = state.deadBaseline ?? snap.spool.dead;
  const found = findings(snap, cfg, now, baseline);
  const off = disabledConditions(cfg);
  const active = new Map(state.active);
  const transitions: Transition[] = [];
  const repeatMs = cfg.repeat_hours * HOUR_MS;

  const transition = (a: Active, st: Transition['state'], repeat: boolean, details: Details): Transition => ({
    state: st,
    repeat,
    key: a.key,
    condition: a.condition,
    ...(a.subject ? { subject: a.subject } : {}),
    since: a.since,
    at: now,
    details,
  });

  /** An alert whose finding is ok (or gone): resolved once the hold is over. */
  const clearing = (a: Active, f: Finding | undefined) => {
    const okSince = a.okSince ?? now;
    const details = f?.details ?? a.details;
    if (now - okSince >= opts.resolveAfterMs) {
      active.delete(a.key);
      transitions.push(transition(a, 'resolved', false, details));
    } else {
      active.set(a.key, { ...a, okSince, details });
    }
  };

  const seen = new Set<string>();
  for (const f of found) {
    seen.add(f.key);
    const a = active.get(f.key);
    if (!a) {
      if (!f.bad) continue;
      const fresh: Active = {
        key: f.key,
        condition: f.condition,
        ...(f.subject ? { subject: f.subject } : {}),
        since: Math.min(f.since, now),
        firedAt: now,
        lastSentAt: now,
        okSince: null,
        details: f.details,
      };
      active.set(f.key, fresh);
      transitions.push(transition(fresh, 'firing', false, f.details));
      continue;
    }
    if (f.ok) {
      const { restored: _seen, ...known } = a;
      clearing(known, f);
      continue;
    }
    // Bad, or between bad and ok: it lasts. Reminded at most every repeat_hours.
    const { restored: _seen, ...known } = a;
    const next: Active = { ...known, okSince: null, details: f.details };
    if (now - a.lastSentAt >= repeatMs) {
      next.lastSentAt = now;
      transitions.push(transition(next, 'firing', true, f.details));
    }
    active.set(f.key, next);
  }
  for (const a of state.active.values()) {
    if (seen.has(a.key)) continue;
    // Turned off by a reload: nothing was resolved, so nothing is said.
    if (off.has(a.condition)) active.delete(a.key);
    else if (a.restored !== undefined && now - a.restored < RESTORED_UNKNOWN_MS)
      continue; // not known yet: kept as it is
    else clearing(a, undefined);
  }

  // The baseline holds while the dead-letter alert is open; otherwise it follows the count down
  // (a replay), so the next dead letter is news. Off, it follows the count: turning it on is not news.
  const deadOpen = active.has('dead_letters');
  const deadBaseline = off.has('dead_letters')
    ? snap.spool.dead
    : deadOpen
      ? baseline
      : Math.min(baseline, snap.spool.dead);
  return { state: { active, deadBaseline }, transitions };
}
