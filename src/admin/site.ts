import { hostTimeZone } from '../config/index.ts';
import { dateTime, languageOr } from '../i18n/index.ts';

/**
 * The restaurant the page is about: `[site] name` and its zone, with the
 * site's wall-clock time by the relay's clock. A technician helping from
 * another city reads "the oldest event waited since 18:30" in the
 * restaurant's time, and a relay clock that is off shows here at a glance.
 */

export interface SiteView {
  name: string;
  /** IANA zone, e.g. "America/Sao_Paulo". */
  timezone: string;
  /** The relay's now in that zone, ISO 8601 with its offset: "2026-01-01T15:30:00-03:00". */
  local_time: string;
  /** The same for people, in `[site] language`: "Thu, 1 Jan 2026, 15:30 (UTC-03:00)", "qui., 1 de jan. de 2026, 15:30 (UTC-03:00)". */
  local_time_text: string;
}

/** The loader resolves "" to the host's zone; a config built in code may still carry "". */
function zoneOr(zone: string): string {
  const z = zone || hostTimeZone();
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: z });
    return z;
  } catch {
    // config/checks.ts refuses unknown zones; a page must render even so.
    return 'UTC';
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "+hh:mm" of `zone` at `now`: the wall-clock fields read as UTC, minus now. */
function offset(now: number, zone: string): { iso: string; wall: Record<string, string> } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(now);
  const wall = Object.fromEntries(parts.map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(+wall.year!, +wall.month! - 1, +wall.day!, +wall.hour!, +wall.minute!, +wall.second!);
  const minutes = Math.round((asUtc - Math.floor(now / 1000) * 1000) / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return { iso: `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`, wall };
}

export function siteView(site: { name: string; timezone: string; language?: string }, now: number): SiteView {
  const timezone = zoneOr(site.timezone);
  const { iso: off, wall: w } = offset(now, timezone);
  const text = dateTime(languageOr(site.language ?? ''), now, timezone, { weekday: true });
  return {
    name: site.name,
    timezone,
    local_time: `${w.year}-${w.month}-${w.day}T${w.hour}:${w.minute}:${w.second}${off}`,
    local_time_text: `${text} (UTC${off})`,
  };
}
