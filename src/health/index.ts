// The health module's public face: the one shape of GET /health, for the
// route that serves it, the status page and `relay status` that read it.

import type { Reason } from './reasons.ts';

/** GET /health's JSON body. Its keys are the wire format: snake_case, in this order. */
export interface Health {
  /** 'degraded' exactly when `reasons` is not empty. */
  status: 'ok' | 'degraded';
  version: string;
  /** Why it is degraded, one entry per instance (reasons.ts REASONS): an id and a sentence; empty when ok. */
  reasons: Reason[];
  spool: {
    /** No write error since the last good write, and below max_bytes. */
    ok: boolean;
    pending: number;
    dead: number;
    bytes: number;
    max_bytes: number;
    error: string | null;
    /** Damaged spool files set aside (spool.on_damage = "quarantine") and still in place; each makes the relay degraded. */
    quarantined: { file: string; at: string; reason: string }[];
    /** A quarantined file's events are being put back; deliveries wait for it. */
    salvaging: boolean;
  };
  cloud: {
    /** null: nothing sent since start. */
    reachable: boolean | null;
    /** ISO 8601, when `reachable` last changed. */
    since: string | null;
    last_delivery_at: string | null;
    last_error: string | null;
  };
  /** Tokens the cloud refused, masked; their lanes wait until `until` (ISO 8601). */
  paused_tokens: { token: string; until: string; reason: string }[];
  /** Whether the log can be written: the latest failure and the lines lost since start. */
  log: { ok: boolean; error: string | null; failures: number };
  /** Wall-clock steps seen since start: the latest one's time (ISO 8601, after it) and size (+ forwards). */
  clock: { stepped_at: string | null; step_ms: number | null; steps: number };
}

/**
 * GET /health as read back by the CLI from a relay that may be older or
 * newer than itself: `status` is a string (not only today's two values);
 * every other part, and each field in it, may be missing.
 */
export interface ReportedHealth {
  status: string;
  version?: string;
  spool?: Partial<Health['spool']>;
  cloud?: Partial<Health['cloud']>;
  paused_tokens?: Partial<Health['paused_tokens'][number]>[];
  /** Only entries with a string id and detail; an id may be one this CLI does not know. */
  reasons?: { id: string; detail: string }[];
  log?: Partial<Health['log']>;
  clock?: Partial<Health['clock']>;
}

export { buildHealth } from './build.ts';
export { readHealth } from './read.ts';
export {
  CLOCK_STEP_WINDOW_MS,
  describeStep,
  type HealthSources,
  outageMs,
  type PageColour,
  pageColour,
  REASON_IDS,
  REASONS,
  type Reason,
  type ReasonId,
  type Said,
  saidOf,
  sayIn,
} from './reasons.ts';
