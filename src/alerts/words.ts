import { type Language, LOCALE, number, t, tn } from '../i18n/index.ts';
import { WARNING_HELP, type WarningId } from '../warnings/index.ts';
import type { Details } from './snapshot.ts';

/** Small pieces of the alert sentences (conditions.ts), shared so each is worded once (i18n catalogs). */

export const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
/** "97.5%" ("97,5%" in Portuguese). */
export const pct = (lang: Language, v: unknown): string =>
  `${new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 1 }).format(Math.round(n(v) * 1000) / 10)}%`;
/** "880 MB"; a spool under 10 MB in KB, so a small quota does not read "0 MB of 1 MB". */
export const size = (bytes: unknown) =>
  n(bytes) >= 10 * 1048576 ? `${Math.round(n(bytes) / 1048576)} MB` : `${Math.round(n(bytes) / 1024)} KB`;
/** "3,366,426": counts as people read them. */
export const many = (lang: Language, v: unknown) => number(lang, n(v));
/** "1 event waits", "12 events wait". */
export const waiting = (lang: Language, k: number) => tn(lang, 'alert.waiting', k);
export const events = (lang: Language, k: number) => tn(lang, 'alert.events', k);
export const deadLetters = (lang: Language, k: number) => tn(lang, 'alert.dead_letters', k);
export const tokenOf = (lang: Language, d: Details) =>
  d.token_name
    ? t(lang, 'alert.token_named', { token: String(d.token), name: String(d.token_name) })
    : t(lang, 'alert.token', { token: String(d.token) });
export const posAt = (lang: Language, d: Details) =>
  d.client ? t(lang, 'alert.pos_at', { client: String(d.client) }) : t(lang, 'alert.pos');

/** "HTTP 503 ×12, no answer ×6": the failures in the success-rate window, most frequent first. */
export function codes(lang: Language, d: Details): string {
  const c = (d.codes ?? {}) as Record<string, number>;
  const parts = Object.entries(c)
    .sort((a, b) => b[1] - a[1])
    .map(([code, k]) => `${code === 'error' ? t(lang, 'alert.no_answer') : `HTTP ${code}`} ×${k}`);
  return parts.length > 0 ? parts.join(', ') : t(lang, 'alert.no_failures');
}

/** "missing_table_number ×3 (what it means)": the warnings seen, most frequent first, the first one explained. */
export function kinds(lang: Language, d: Details): string {
  const k = Object.entries((d.kinds ?? {}) as Record<string, number>).sort((a, b) => b[1] - a[1]);
  const list = k.map(([id, count]) => `${id} ×${count}`).join(', ');
  const first = k[0]?.[0];
  const help = first !== undefined && first in WARNING_HELP ? t(lang, `warning.${first as WarningId}`) : undefined;
  return help ? `${list} (${help})` : list;
}
