import { maskToken } from '../lib/mask.ts';
import { iso } from '../lib/time.ts';
import type { Health } from './index.ts';
import { type HealthSources, reasonsOf } from './reasons.ts';

/** GET /health's body: pure, so every way to be degraded is tested without a server. */
export function buildHealth(sources: HealthSources): Health {
  const { spool: s, cloud, paused, log, clock, version } = sources;
  const reasons = reasonsOf(sources);
  const lastStep = clock.recent.at(-1) ?? null;
  return {
    // Degraded exactly when there is a reason to say; a relay with nothing to send yet is fine.
    status: reasons.length === 0 ? 'ok' : 'degraded',
    version,
    reasons,
    spool: {
      ok: s.lastWriteError === null && s.bytes < s.maxBytes,
      pending: s.pending,
      dead: s.dead,
      bytes: s.bytes,
      max_bytes: s.maxBytes,
      error: s.lastWriteError,
      quarantined: s.quarantined,
      salvaging: s.salvaging,
    },
    cloud: {
      reachable: cloud.reachable,
      since: iso(cloud.since),
      last_delivery_at: iso(cloud.lastDeliveryAt),
      last_error: cloud.lastError,
    },
    paused_tokens: paused.map((p) => ({
      token: maskToken(p.token),
      until: iso(p.until),
      reason: p.reason,
    })),
    log: { ok: log.ok, error: log.error, failures: log.failures },
    clock: {
      stepped_at: iso(lastStep?.at ?? null),
      step_ms: lastStep?.deltaMs ?? null,
      steps: clock.steps,
    },
  };
}
