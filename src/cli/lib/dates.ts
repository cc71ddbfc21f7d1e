/**
 * A date a technician types: ISO 8601 calendar date "2026-01-31" (midnight,
 * local time) or date-time "2026-01-31T18:30", "2026-01-31 18:30:05",
 * "2026-01-31T18:30:05.250-03:00", "...Z". Without an offset the time is
 * local, as on the PC's clock. Anything else, including impossible dates like
 * 2026-02-30 (which Date would roll over to March), is refused.
 */
const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

export function parseDateArg(text: string): number | undefined {
  const m = PATTERN.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m.slice(1) as (string | undefined)[];
  const n = (v: string | undefined) => Number(v ?? '0');
  const ms = Number((frac ?? '0').padEnd(3, '0'));
  if (n(mo) < 1 || n(mo) > 12 || n(d) < 1 || n(h) > 23 || n(mi) > 59 || n(s) > 59) return undefined;
  // Round trip through UTC fields to reject days a month does not have.
  const check = new Date(Date.UTC(n(y), n(mo) - 1, n(d)));
  if (check.getUTCMonth() !== n(mo) - 1 || check.getUTCDate() !== n(d)) return undefined;
  if (zone === undefined) return new Date(n(y), n(mo) - 1, n(d), n(h), n(mi), n(s), ms).getTime();
  let offsetMin = 0;
  if (zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    if (n(z[2]) > 23 || n(z[3]) > 59) return undefined;
    offsetMin = (z[1] === '-' ? -1 : 1) * (n(z[2]) * 60 + n(z[3]));
  }
  return Date.UTC(n(y), n(mo) - 1, n(d), n(h), n(mi), n(s), ms) - offsetMin * 60_000;
}
