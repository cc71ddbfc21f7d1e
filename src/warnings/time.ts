/**
 * Instants and zone offsets for the clock and site-zone checks. Every webhook
 * runs these on each of its timestamps, so the expensive part (Intl) is
 * cached and the parse reads characters, no regex and no Date.
 */

import { daysInMonth, MAX_OFFSET_MIN } from './values.ts';

const MINUTE = 60_000;

export interface ZonedTime {
  /** The instant, ms since the epoch. */
  ms: number;
  /** The offset the sender wrote, in minutes east of UTC (`Z` is 0). */
  offsetMin: number;
}

const DASH = 45;
const PLUS = 43;
const COLON = 58;

/** Two digits at `i` as a number, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The instant and written offset of a zoned ISO 8601 string, accepting
 * exactly what `judgeTime` calls ok (values.ts: date, `T`/`t`/space,
 * hh:mm[:ss[.fff]], `Z` or ±hh[[:]mm]); null for anything else, which other
 * checks name. By hand rather than by a capturing regex and Date.UTC: every
 * timestamp of every webhook comes through here, and this is several times cheaper.
 */
export function zonedTime(v: unknown): ZonedTime | null {
  if (typeof v !== 'string' || v.length < 17) return null;
  const century = two(v, 0);
  const yy = two(v, 2);
  const month = two(v, 5);
  const day = two(v, 8);
  const hour = two(v, 11);
  const minute = two(v, 14);
  // A month 13, a 30 February or an hour 25 matches the pattern but is no
  // instant to judge (values.ts impossiblePart names it).
  if ((century | yy) < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 24) return null;
  if (day > daysInMonth(century * 100 + yy, month) || minute < 0 || minute > 59) return null;
  const sep = v.charCodeAt(10);
  if (v.charCodeAt(4) !== DASH || v.charCodeAt(7) !== DASH || v.charCodeAt(13) !== COLON) return null;
  if (sep !== 84 && sep !== 116 && sep !== 32) return null; // T, t, space
  let i = 16;
  let second = 0;
  let ms = 0;
  let fraction = false;
  if (v.charCodeAt(i) === COLON) {
    second = two(v, i + 1);
    if (second < 0 || second > 60) return null;
    i += 3;
    const c = v.charCodeAt(i);
    if (c === 46 || c === 44) {
      // . or , then at least one digit; milliseconds from the first three
      const from = ++i;
      let scale = 100;
      for (let d = v.charCodeAt(i) - 48; d >= 0 && d <= 9; d = v.charCodeAt(++i) - 48) {
        if (scale >= 1) ms += d * scale;
        if (d !== 0) fraction = true;
        scale /= 10;
      }
      if (i === from) return null;
    }
  }
  if (hour === 24 && (minute !== 0 || second !== 0 || fraction)) return null; // 24:00 is the end of a day, 24:01 none
  let offsetMin: number;
  const z = v.charCodeAt(i);
  if (z === 90 || z === 122) {
    // Z, z
    if (i + 1 !== v.length) return null;
    offsetMin = 0;
  } else if (z === PLUS || z === DASH) {
    const oh = two(v, i + 1);
    if (oh < 0) return null;
    i += 3;
    let om = 0;
    if (i < v.length) {
      if (v.charCodeAt(i) === COLON) i++;
      om = two(v, i);
      if (om < 0 || om > 59 || i + 2 !== v.length) return null;
    }
    if (oh * 60 + om > MAX_OFFSET_MIN) return null;
    offsetMin = (z === DASH ? -1 : 1) * (oh * 60 + om);
  } else {
    return null;
  }
  const wall = (((daysFromCivil(century * 100 + yy, month, day) * 24 + hour) * 60 + minute) * 60 + second) * 1000 + ms;
  return { ms: wall - offsetMin * MINUTE, offsetMin };
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil): what Date.UTC computes, without its cost. A day past the
 * month's end rolls over as Date.UTC's does.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Zones change offset at quarter hours (UTC) in every modern rule, +05:45 and
 * +10:30 zones included, so one lookup per quarter hour is exact where hourly
 * buckets would be wrong for half an hour around a Lord Howe transition.
 */
const BUCKET_MS = 15 * MINUTE;
/** Buckets kept per zone: webhooks carry times near now, so a few are used; the cap bounds a POS sending random dates. */
const MAX_BUCKETS = 4096;
const MAX_ZONES = 64;

interface ZoneCache {
  zone: string;
  /** null: not an IANA zone this runtime knows (config/checks.ts refuses them; code-built configs may not). */
  format: Intl.DateTimeFormat | null;
  offsets: Map<number, number>;
  /** The bucket asked last and its offset: a webhook's timestamps are minutes apart, so most lookups end here. */
  lastBucket: number;
  lastOffset: number;
}

const zones = new Map<string, ZoneCache>();
/** The zone asked last: a relay has one site. */
let last: ZoneCache | null = null;

function zoneCache(zone: string): ZoneCache {
  if (last !== null && last.zone === zone) return last;
  let c = zones.get(zone);
  if (c !== undefined) return (last = c);
  let format: Intl.DateTimeFormat | null = null;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  } catch {
    format = null;
  }
  if (zones.size >= MAX_ZONES) zones.clear();
  c = { zone, format, offsets: new Map(), lastBucket: Number.NaN, lastOffset: 0 };
  zones.set(zone, c);
  return (last = c);
}

/** "GMT-03:00", "GMT+05:45", "GMT" (UTC itself), "GMT-03:06:28" (local mean time before 1914). */
const LONG_OFFSET = /GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?/;

/** Minutes east of UTC that `zone` is at the instant `ms`; null for an unknown zone. */
export function zoneOffsetMin(zone: string, ms: number): number | null {
  const c = zoneCache(zone);
  if (c.format === null || !Number.isFinite(ms)) return null;
  const bucket = Math.floor(ms / BUCKET_MS);
  if (bucket === c.lastBucket) return c.lastOffset;
  c.lastBucket = bucket;
  const hit = c.offsets.get(bucket);
  if (hit !== undefined) return (c.lastOffset = hit);
  const name = c.format.formatToParts(bucket * BUCKET_MS).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = LONG_OFFSET.exec(name);
  const off =
    m === null || m[1] === undefined
      ? 0
      : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]) + Number(m[4] ?? 0) / 60);
  if (c.offsets.size >= MAX_BUCKETS) c.offsets.clear();
  c.offsets.set(bucket, off);
  return (c.lastOffset = off);
}

/**
 * "UTC", "Etc/UTC", "GMT", "Zulu"...: the zone of a server nobody set, not a
 * place (Lisbon, London and Reykjavik have names). A site left at this PC's
 * zone on such a box would tell every São Paulo POS to send UTC, the very
 * mistake the zone check exists for, so it is not judged against one.
 */
const UTC_ALIAS = /^(?:Etc\/)?(?:UTC|UCT|GMT|Universal|Zulu|Greenwich)(?:[+-]?0)?$/i;
export const isUtcAlias = (zone: string): boolean => UTC_ALIAS.test(zone);

const pad = (n: number) => String(n).padStart(2, '0');

/** "+00:00", "-03:00", "+05:45": the way the guide writes offsets. */
export function formatOffset(offsetMin: number): string {
  const abs = Math.round(Math.abs(offsetMin));
  return `${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The instant as wall-clock time at `offsetMin`, with that offset: "2025-11-24T18:30:00-03:00". */
export function localIso(ms: number, offsetMin: number): string {
  const wall = new Date(ms + Math.round(offsetMin) * MINUTE).toISOString().slice(0, 19);
  return `${wall}${formatOffset(offsetMin)}`;
}

/** "40 minutes", "3 hours", "12 days": a lead or a skew as a person reads it. */
export function span(ms: number): string {
  const min = Math.round(Math.abs(ms) / MINUTE);
  if (min < 120) return `${min} minute${min === 1 ? '' : 's'}`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} hours`;
  return `${Math.round(h / 24)} days`;
}
