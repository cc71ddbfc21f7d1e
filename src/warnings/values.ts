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

export type TimeVerdict = 'ok' | 'no_zone' | 'not_iso' | 'impossible';

/** Real zones lie within -12:00..+14:00 (Kiribati); an offset past ±14:00 is a typo or garbage. */
export const MAX_OFFSET_MIN = 14 * 60;

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const num2 = (v: string, i: number) => (v.charCodeAt(i) - 48) * 10 + (v.charCodeAt(i + 1) - 48);

/**
 * The first field out of range in a string DATE_TIME matched (so every field
 * sits at its place and is all digits), or null: "month 13", "day 45 of
 * month 2", "hour 99", "offset +25:00". Hour 24 is ISO 8601's end of day,
 * 24:00 only; second 60 is a leap second.
 */
export function impossiblePart(v: string): string | null {
  const month = num2(v, 5);
  if (month < 1 || month > 12) return `month ${month}`;
  const day = num2(v, 8);
  // Digits read as char codes, no substrings: every webhook's timestamps pass here.
  if (day < 1 || day > daysInMonth(num2(v, 0) * 100 + num2(v, 2), month)) return `day ${day} of month ${month}`;
  const hour = num2(v, 11);
  const minute = num2(v, 14);
  if (minute > 59) return `minute ${minute}`;
  let i = 16;
  let fraction = false;
  let second = 0;
  if (v.charCodeAt(i) === 58) {
    second = num2(v, i + 1);
    if (second > 60) return `second ${second}`;
    i += 3;
    const c = v.charCodeAt(i);
    if (c === 46 || c === 44) {
      for (i++; v.charCodeAt(i) >= 48 && v.charCodeAt(i) <= 57; i++) if (v.charCodeAt(i) !== 48) fraction = true;
    }
  }
  if (hour > 24 || (hour === 24 && (minute > 0 || second > 0 || fraction))) return `hour ${hour}`;
  const z = v.charCodeAt(i);
  if (z === 43 || z === 45) {
    const oh = num2(v, i + 1);
    const colon = v.charCodeAt(i + 3) === 58 ? 1 : 0;
    const om = v.length > i + 3 ? num2(v, i + 3 + colon) : 0;
    if (om > 59 || oh * 60 + om > MAX_OFFSET_MIN) return `offset ${v.slice(i)}`;
  }
  return null;
}

export function judgeTime(v: unknown): TimeVerdict {
  if (typeof v !== 'string') return 'not_iso';
  if (DATE_TIME_ZONED.test(v)) return impossiblePart(v) === null ? 'ok' : 'impossible';
  if (!DATE_TIME.test(v)) return 'not_iso';
  return impossiblePart(v) === null ? 'no_zone' : 'impossible';
}
