// The health module's public face: the one shape of GET /health, for the
// route that serves it, the status page and `relay status` that read it.

/** GET /health's JSON body. Its keys are the wire format: snake_case, in this order. */
export interface Health {
  /** 'degraded' when the spool cannot take events or was quarantined, the cloud is unreachable, or a token is paused. */
  status: 'ok' | 'degraded';
  version: string;
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
}

export { buildHealth, type HealthSources } from './build.ts';
export { readHealth } from './read.ts';
