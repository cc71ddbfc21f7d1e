/** How the checks read a payload's values: presence, date-times, and quoting a value for a message. */

export type Obj = Record<string, unknown>;

export const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Present and not null or an empty string ("No null values in required fields", guide v2.0 checklist). */
export const has = (o: Obj, key: string): boolean =>
  Object.hasOwn(o, key) && o[key] !== null && o[key] !== undefined && o[key] !== '';

/** The top-level date-time fields the guides use. */
export const TIME_FIELDS = ['timestamp', 'session_start', 'session_end'] as const;

/** A value quoted for a message: short, so a huge field cannot bloat the answer. */
export function quote(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

/** "null", "an array", "a string": what a value is, for a message. */
export const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);

/**
 * ISO 8601 / RFC 3339 date-time (date, `T` or space, hh:mm[:ss[.fff]]) and an
 * optional zone: `Z` or ±hh[:mm].
 */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/** The same shape with the zone required: `test` allocates no match array, and every webhook runs it. */
const DATE_TIME_ZONED = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$/;

export type TimeVerdict = 'ok' | 'no_zone' | 'not_iso';

export function judgeTime(v: unknown): TimeVerdict {
  if (typeof v !== 'string') return 'not_iso';
  if (DATE_TIME_ZONED.test(v)) return 'ok';
  return DATE_TIME.test(v) ? 'no_zone' : 'not_iso';
}
