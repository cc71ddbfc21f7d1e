import { type Obj, quote } from './values.ts';

/**
 * Does the payload look like the guides' own test data? The basic guide sends
 * tests to `?env=dev`; the troubleshooting guide's test helpers post
 * `connection_test` with "Test Table", its diagnostic script
 * `diagnostic_test` with `"diagnostic": true` and "Diagnostic Test", its
 * generator `TEST-1234` order ids. Sent to prod, they land in the restaurant's
 * dashboard among real orders ("Wrong Environment").
 */

const TEST_EVENTS = new Set(['test', 'connection_test', 'diagnostic_test']);
const TEST_TABLES = new Set(['test table', 'diagnostic test']);
const TEST_ORDER = /^test-/i;

/** Lengths of the names above: a webhook's "session_complete" or "Mesa 8" is never lower-cased to be compared. */
const LENGTHS = new Set([...TEST_EVENTS, ...TEST_TABLES].map((n) => n.length));

const lower = (v: unknown): string | null => {
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return LENGTHS.has(t.length) ? t.toLowerCase() : null;
};

/** Why the payload looks like test data ('event "connection_test"'), or null when it does not. */
export function testDataReason(p: Obj): string | null {
  if (p.test === true) return '"test": true';
  if (p.diagnostic === true) return '"diagnostic": true';
  const event = lower(p.event);
  if (event !== null && TEST_EVENTS.has(event)) return `event ${quote(p.event)}`;
  for (const f of ['table_number', 'table'] as const) {
    const t = lower(p[f]);
    if (t !== null && TEST_TABLES.has(t)) return `${f} ${quote(p[f])}`;
  }
  if (typeof p.order_id === 'string' && TEST_ORDER.test(p.order_id)) return `order_id ${quote(p.order_id)}`;
  return null;
}
