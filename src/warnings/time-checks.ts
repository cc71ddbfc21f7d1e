import type { Warn, WarningContext } from './definitions.ts';
import { formatOffset, isUtcAlias, localIso, span, type ZonedTime, zonedTime, zoneOffsetMin } from './time.ts';
import { has, isObject, type Obj, quote, TIME_FIELDS } from './values.ts';

/**
 * The checks that need the site's zone and the relay's clock, in one pass
 * over the payload's timestamps (top-level fields, then items), since both
 * read the same parsed instant.
 *
 * - A zoned timestamp whose offset is not the site's at that instant: the
 *   guide's "Using UTC when restaurant is in São Paulo", or a POS that kept
 *   -05:00 through New York's summer. The dashboard files the event at the
 *   wrong hour.
 * - A timestamp well ahead of the relay's clock: the POS clock is wrong
 *   (events "from the future" sort wrongly), unless the relay's own clock is
 *   the one off against the cloud's, which the message then says instead.
 */

export type TimeId = 'timestamp_wrong_timezone' | 'timestamp_in_future' | 'relay_clock_off';

/** A top-level field's name, or an item's index (its label is built only for a message). */
type Where = string | number;
const label = (w: Where) => (typeof w === 'number' ? `items[${w}].timestamp` : w);

interface Miss {
  where: Where;
  value: unknown;
  t: ZonedTime;
  siteOffset: number;
}

interface Ahead {
  where: Where;
  value: unknown;
  leadMs: number;
}

/** "is in UTC (+00:00)", "is at +01:00": the offset the POS wrote. */
const written = (offsetMin: number) => (offsetMin === 0 ? 'is in UTC (+00:00)' : `is at ${formatOffset(offsetMin)}`);

const example = (m: Miss) => `send local time with its offset, e.g. "${localIso(m.t.ms, m.siteOffset)}"`;

/** One payload's scan: plain fields and a method, which the JIT keeps cheaper than a closure over mutable locals. */
class Scan {
  ahead: Ahead | null = null;
  constructor(
    readonly zone: string | null,
    readonly now: number | null,
    readonly aheadMs: number,
  ) {}

  /** Notes a timestamp ahead of the clock; returns it when its offset is not the site's. */
  look(where: Where, value: unknown): Miss | null {
    const t = zonedTime(value);
    if (t === null) return null; // no zone or not ISO 8601: timestamp_without_timezone / timestamp_not_iso8601
    if (this.now !== null) {
      const leadMs = t.ms - this.now;
      if (leadMs > this.aheadMs && (this.ahead === null || leadMs > this.ahead.leadMs))
        this.ahead = { where, value, leadMs };
    }
    if (this.zone === null) return null;
    const siteOffset = zoneOffsetMin(this.zone, t.ms);
    return siteOffset === null || siteOffset === t.offsetMin ? null : { where, value, t, siteOffset };
  }
}

export function runTimeChecks(p: Obj, ctx: WarningContext, warn: Warn<TimeId>): void {
  const zone = ctx.siteZone === null || isUtcAlias(ctx.siteZone) ? null : ctx.siteZone;
  const now = ctx.now;
  // Without a zone or a clock (a config built in code, the pure tests) there is nothing to compare with.
  if (zone === null && now === null) return;
  const scan = new Scan(zone, now, ctx.clockAheadMs);

  let top: Miss | null = null;
  const alsoTop: string[] = [];
  for (const f of TIME_FIELDS) {
    if (!has(p, f)) continue;
    const m = scan.look(f, p[f]);
    if (m === null) continue;
    if (top === null) top = m;
    else alsoTop.push(f);
  }

  let firstItem: Miss | null = null;
  let itemMisses = 0;
  const items = Array.isArray(p.items) ? p.items : [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!isObject(item) || !has(item, 'timestamp')) continue;
    const m = scan.look(i, item.timestamp);
    if (m === null) continue;
    itemMisses++;
    firstItem ??= m;
  }

  // One line for the top-level fields and one for the items, however many are off.
  if (top !== null) {
    const also = alsoTop.length > 0 ? ` (${alsoTop.join(', ')} too)` : '';
    warn(
      'timestamp_wrong_timezone',
      `${label(top.where)} ${quote(top.value)} ${written(top.t.offsetMin)}, but the site's zone ${zone} is at ${formatOffset(top.siteOffset)} then: ${example(top)}${also}`,
    );
  }
  if (firstItem !== null) {
    const n = items.length;
    warn(
      'timestamp_wrong_timezone',
      `${itemMisses} of ${n} item${n === 1 ? '' : 's'} ${itemMisses === 1 ? 'has' : 'have'} a timestamp not in the site's zone (first: ${label(firstItem.where)} ${quote(firstItem.value)} ${written(firstItem.t.offsetMin)}; ${zone} is at ${formatOffset(firstItem.siteOffset)} then): ${example(firstItem)}`,
    );
  }
  if (scan.ahead !== null && now !== null) clockWarning(scan.ahead, now, ctx, warn);
}

function clockWarning(a: Ahead, now: number, ctx: WarningContext, warn: Warn<TimeId>): void {
  const at = `${label(a.where)} ${quote(a.value)}`;
  const skew = ctx.relayClockSkewMs;
  if (skew === null || Math.abs(skew) <= ctx.clockAheadMs) {
    // The relay agrees with the cloud (or nothing is known yet): the POS is the likelier culprit.
    const offset = ctx.siteZone === null ? null : zoneOffsetMin(ctx.siteZone, now);
    const clock = offset === null ? new Date(now).toISOString() : localIso(now, offset);
    warn(
      'timestamp_in_future',
      `${at} is ${span(a.leadMs)} ahead of this relay's clock (${clock}): the POS clock may be wrong; check its date, time and timezone`,
    );
    return;
  }
  // skew is relay minus cloud, so the cloud's now is `now - skew` and the lead against it `lead + skew`.
  const pc = `this relay PC's clock is ${span(skew)} ${skew < 0 ? 'behind' : 'ahead of'} the cloud's`;
  const vsCloud = a.leadMs + skew;
  warn(
    'relay_clock_off',
    vsCloud > ctx.clockAheadMs
      ? `${at} is ${span(vsCloud)} ahead of the cloud's clock, so the POS clock may be wrong; and ${pc}: fix the time on this PC (NTP) too`
      : `${at} is ${span(a.leadMs)} ahead of this relay's clock, but the POS is not to blame: ${pc}. Fix the time on this PC (NTP)`,
  );
}
