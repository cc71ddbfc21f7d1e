import type { CloudStatus, PausedToken } from '../forward/index.ts';
import { maskToken } from '../lib/mask.ts';
import type { SpoolStats } from '../spool/index.ts';
import type { Health } from './index.ts';

/** What /health reports on, read at request time. */
export interface HealthSources {
  spool: SpoolStats;
  cloud: CloudStatus;
  paused: PausedToken[];
  version: string;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** GET /health's body: pure, so every way to be degraded is tested without a server. */
export function buildHealth({ spool: s, cloud, paused, version }: HealthSources): Health {
  const spoolOk = s.lastWriteError === null && s.bytes < s.maxBytes;
  return {
    // reachable === null (not tried yet) is not a reason to be degraded: a relay with nothing to send is fine.
    status:
      spoolOk && s.quarantined.length === 0 && cloud.reachable !== false && paused.length === 0 ? 'ok' : 'degraded',
    version,
    spool: {
      ok: spoolOk,
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
      until: new Date(p.until).toISOString(),
      reason: p.reason,
    })),
  };
}
