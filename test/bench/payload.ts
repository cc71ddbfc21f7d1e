import { prng } from '../helpers/reliability.ts';

/**
 * Bench payloads, shaped like the troubleshooting guide's "Create Test Data
 * Generator" (a `session_complete` with timed items and totals), pretty-printed
 * as a POS's JSON library would send it. Deterministic, so runs compare.
 */

const NAMES = ['Pasta', 'Pizza', 'Salad', 'Wine', 'Dessert'];
const EMPLOYEES = [72, 96, 113];

const pad = (n: number) => String(n).padStart(2, '0');
/** São Paulo local time with its offset, as the guide asks ("Include timezone offset"). */
const local = (ms: number) => {
  const d = new Date(ms - 3 * 3600_000);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}-03:00`
  );
};

export function sessionComplete(seed: number, itemCount: number): Record<string, unknown> {
  const r = prng(seed);
  const end = Date.UTC(2025, 10, 24, 21, 30, 0);
  const start = end - 2 * 3600_000;
  let t = start;
  const items = [];
  for (let i = 0; i < itemCount; i++) {
    t += (5 + Math.floor(r() * 11)) * 60_000;
    items.push({
      timestamp: local(t),
      employee_id: EMPLOYEES[Math.floor(r() * EMPLOYEES.length)],
      name: NAMES[Math.floor(r() * NAMES.length)],
      quantity: 1 + Math.floor(r() * 3),
      price: Math.round((10 + r() * 90) * 100) / 100,
    });
  }
  const subtotal = Math.round(items.reduce((s, i) => s + i.price * i.quantity, 0) * 100) / 100;
  const tip = Math.round(subtotal * 13) / 100;
  const tax = Math.round(subtotal * 10) / 100;
  return {
    event: 'session_complete',
    // An order id as a POS in production sends it (guide v1.0 "ORD-2025-0124"): a TEST- one now gets a warning.
    order_id: `ORD-2025-${1000 + Math.floor(r() * 9000)}`,
    table_number: `Mesa ${1 + Math.floor(r() * 20)}`,
    timestamp: local(end),
    session_start: local(start),
    session_end: local(end),
    items,
    totals: { subtotal, tip, tax, total: Math.round((subtotal + tip + tax) * 100) / 100 },
  };
}

/** The throughput payload: about 1.5 KB. */
export const SESSION_COMPLETE = JSON.stringify(sessionComplete(1, 8), null, 2);

/** A valid JSON body of exactly `bytes` bytes: one session whose items fill the size, then padding spaces. */
export function bigSession(bytes: number): Uint8Array {
  const one = JSON.stringify(sessionComplete(2, 1).items);
  const perItem = one.length - 1; // "[{...}]" -> "{...}," per extra item
  const base = JSON.stringify(sessionComplete(2, 0));
  let n = Math.max(0, Math.floor((bytes - base.length - 64) / perItem));
  let text = JSON.stringify(sessionComplete(2, n));
  while (text.length > bytes) {
    if (n === 0)
      throw new Error(`bigSession: even an empty session is ${text.length} bytes, more than the ${bytes} asked`);
    n = Math.max(0, n - Math.ceil((text.length - bytes) / perItem) - 1);
    text = JSON.stringify(sessionComplete(2, n));
  }
  return new TextEncoder().encode(text + ' '.repeat(bytes - text.length));
}
