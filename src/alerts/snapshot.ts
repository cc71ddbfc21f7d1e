import type { Config } from '../config/index.ts';
import type { ConditionId } from './conditions.ts';

/**
 * What the conditions read (a Snapshot of the relay, built by alerter.ts) and
 * what they give (Findings). Every time here is monotonic (lib/clock.ts):
 * `now`, each `since`, an age. A wall-clock step changes none of them, so it
 * neither fires nor silences an alert; the wall times in `details` and
 * `wall` are for people to read.
 */

export type AlertsConfig = Config['alerts'];

/** A token as alerts show it: its first 8 characters and its configured name. */
export interface TokenRef {
  token: string;
  name: string;
}

export type Detail = string | number | boolean | null | Record<string, number>;
export type Details = Record<string, Detail>;

export interface Finding {
  /** One alert per key: the condition, plus the token for per-token conditions. Never holds a whole token. */
  key: string;
  condition: ConditionId;
  bad: boolean;
  ok: boolean;
  /** When the problem began (monotonic), as far as the snapshot knows (the alert keeps the first one it saw). */
  since: number;
  details: Details;
  subject?: TokenRef;
}

/** A token's payload warnings on its first events since start (watch.ts keeps them). */
export interface TokenWarnings {
  token: string;
  /** Events seen since start. */
  seen: number;
  /** Events with warnings, counted while the token is watched. */
  warned: number;
  kinds: Record<string, number>;
  /** Monotonic time of the first warned event. */
  firstWarnedAt: number;
  /** True once `first_events` clean events in a row followed the last warned one: the integration is fixed. */
  settled: boolean;
}

/** The relay as the alerter sees it at one moment; alerter.ts builds it from Relay's parts. */
export interface Snapshot {
  /** The wall clock at this snapshot: for the wall times the spool records (a quarantine's `at`). */
  wall: number;
  /** `since`: monotonic time `reachable` last changed (the forwarder's cloud.sinceMono). */
  cloud: { reachable: boolean | null; since: number | null; lastError: string | null };
  spool: {
    pending: number;
    dead: number;
    bytes: number;
    maxBytes: number;
    /**
     * The lane head that has waited longest: its received_at (wall, as stored)
     * and its age in ms, anchored on the monotonic clock (age.ts).
     */
    oldest: { at: number; ageMs: number; token: string; env: string } | null;
    /** Damaged spool files set aside and still in place (spool/quarantine.ts). */
    quarantined: readonly { file: string; at: string; reason: string }[];
  };
  paused: readonly { token: string; reason: string }[];
  /** Lanes with events whose runner has not tried past its schedule (forwarder.stalled()); `since` monotonic. */
  stalled: readonly { token: string; env: string; since: number; overdueMs: number; pending: number }[];
  /** The latest delivery attempts, at most success_rate_window of them, by code ("200", "503", "error"). */
  attempts: { total: number; ok: number; codes: Record<string, number> };
  firstEvents: readonly TokenWarnings[];
  /**
   * Refused webhooks per kind and token (its first 8 characters, as the
   * refusal tally keeps it): since start, and in the tally's last few minutes.
   */
  refusals: readonly { reason: string; token: string; client: string | null; count: number; recent: number }[];
  /** The configured tokens: names for the text, and what to scrub from error strings. */
  tokens: readonly { token: string; name: string }[];
  /** Client addresses blocked now for wrong admin passwords; `since` and `until` monotonic. */
  adminBlocks?: readonly { client: string; since: number; until: number; failures: number }[];
}

/** What a condition's check is given besides the snapshot. */
export interface CheckContext {
  cfg: AlertsConfig;
  /** Monotonic now. */
  now: number;
  /** The dead-letter count that is not news (those there at start, or when the last alert resolved). */
  deadBaseline: number;
}
