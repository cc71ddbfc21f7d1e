/**
 * How long a webhook body may take to arrive: pure decisions, table-tested
 * in test/unit/body-deadline.test.ts.
 *
 * Bun closes a connection `idleTimeout` seconds into a request whose body is
 * still arriving, bytes flowing or not, with no answer; a POS on a weak
 * Wi-Fi link then sees a reset and nobody sees why. The relay instead sets
 * its own deadline, scaled to the size declared: `server.body_timeout_seconds`
 * plus one second per MIN_BODY_RATE bytes (a body without Content-Length is
 * given the time of the largest allowed), and answers 408 when it passes,
 * storing nothing. Bun's timer on such a request is pushed past the deadline
 * (`idleSecondsFor`), so the relay's answer comes first.
 */

/** Bun's idleTimeout for the server (relay.ts): a connection silent this long, headers unfinished or idle, is closed. */
export const SERVER_IDLE_SECONDS = 30;

/** The slowest upload the relay waits for beyond the base time: a poor 2G link still does this. */
export const MIN_BODY_RATE = 64 * 1024;
/** Bun's idle timeout takes at most 255 s; the deadline stays below it with room for the answer. */
export const MAX_DEADLINE_MS = 240_000;
/** Seconds Bun's timer is set beyond the relay's deadline, so the 408 is written before Bun closes. */
const IDLE_MARGIN_S = 5;
const BUN_MAX_IDLE_S = 255;

/** The deadline in ms for a body of `declared` bytes (null: not declared, chunked), `maxBody` at most. */
export function bodyDeadlineMs(declared: number | null, maxBody: number, baseSeconds: number): number {
  const bytes = Math.min(declared ?? maxBody, maxBody);
  return Math.min(Math.round((baseSeconds + bytes / MIN_BODY_RATE) * 1000), MAX_DEADLINE_MS);
}

/** Bun's idle timeout for a request with this deadline; null when the server's own (`serverIdleS`) is long enough. */
export function idleSecondsFor(deadlineMs: number, serverIdleS: number): number | null {
  const need = Math.ceil(deadlineMs / 1000) + IDLE_MARGIN_S;
  return need <= serverIdleS ? null : Math.min(need, BUN_MAX_IDLE_S);
}

/** The 408's sentence: what was expected, in what time, and that nothing was stored. */
export function lateBodyDetail(declared: number | null, deadlineMs: number, baseSeconds: number): string {
  const size = declared === null ? 'the body (no Content-Length)' : `the body (Content-Length ${declared})`;
  const secs = Math.round(deadlineMs / 100) / 10;
  return (
    `Request Timeout: ${size} did not arrive within ${secs} s (server.body_timeout_seconds = ${baseSeconds}, ` +
    `plus 1 s per ${MIN_BODY_RATE / 1024} KB); nothing was stored: send it again`
  );
}
