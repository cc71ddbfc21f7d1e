import type { Health } from '../health/index.ts';

/**
 * The status page's colour: green ok, amber warn, red degraded.
 *
 * /health's `status` is the machine view, as the cloud's contract has it: it
 * says degraded from the first delivery that got no answer. A person reading
 * the page should not see red for a blip (a router restart, a cloud deploy)
 * during which nothing is lost, so an outage shorter than
 * `admin.outage_amber_seconds` is amber; longer, red as /health says.
 */
export type Level = 'ok' | 'warn' | 'degraded';

export interface LevelInputs {
  health: Health;
  /** How long the cloud has not answered, in seconds; null while it answers (or was never tried). */
  outageSeconds: number | null;
  amberSeconds: number;
  /** How many things the page lists for attention. */
  attention: number;
}

/** The outage is short enough to be amber. An unknown start (null) is not. */
export const shortOutage = (outageSeconds: number | null, amberSeconds: number): boolean =>
  outageSeconds !== null && outageSeconds < amberSeconds;

export function statusLevel({ health: h, outageSeconds, amberSeconds, attention }: LevelInputs): Level {
  if (h.status === 'degraded') {
    // Only the cloud's silence is softened: a spool that cannot write or a
    // token the cloud refuses is red at once, whatever the outage's age.
    const onlyTheCloud =
      h.spool.ok && h.spool.quarantined.length === 0 && h.paused_tokens.length === 0 && h.cloud.reachable === false;
    if (!onlyTheCloud || !shortOutage(outageSeconds, amberSeconds)) return 'degraded';
    return 'warn';
  }
  return attention > 0 ? 'warn' : 'ok';
}
