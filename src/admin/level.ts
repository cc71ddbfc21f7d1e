import { type Health, pageColour } from '../health/index.ts';

/**
 * The status page's colour: green ok, amber warn, red degraded, from
 * /health's reasons and each reason's colour (health/reasons.ts REASONS).
 *
 * /health's `status` is the machine view, as the cloud's contract has it: it
 * says degraded from the first delivery that got no answer. A person reading
 * the page should not see red for a blip (a router restart, a cloud deploy)
 * during which nothing is lost, so an outage shorter than
 * `admin.outage_amber_seconds` is amber; longer, red as /health says. A
 * reason that needs a look but stops nothing (a clock step, a log that cannot
 * write) is amber.
 */
export type Level = 'ok' | 'warn' | 'degraded';

export interface LevelInputs {
  health: Pick<Health, 'status' | 'reasons'>;
  /** How long the cloud has not answered, in seconds; null while it answers (or was never tried). */
  outageSeconds: number | null;
  amberSeconds: number;
  /** How many other things the page lists for attention (dead letters, a spool filling up). */
  attention: number;
}

/** The outage is short enough to be amber. An unknown start (null) is not. */
export const shortOutage = (outageSeconds: number | null, amberSeconds: number): boolean =>
  outageSeconds !== null && outageSeconds < amberSeconds;

export function statusLevel({ health: h, outageSeconds, amberSeconds, attention }: LevelInputs): Level {
  const red = h.reasons.some((r) => {
    const c = pageColour(r.id);
    return c === 'red' || (c === 'amber_while_short' && !shortOutage(outageSeconds, amberSeconds));
  });
  // A degraded /health with no reason given (not this relay's own) is red, never softened.
  if (red || (h.status === 'degraded' && h.reasons.length === 0)) return 'degraded';
  return h.reasons.length > 0 || attention > 0 ? 'warn' : 'ok';
}
