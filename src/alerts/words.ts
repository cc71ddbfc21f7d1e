import { WARNING_HELP } from '../warnings/index.ts';
import type { Details } from './snapshot.ts';

/** Small pieces of the alert sentences (conditions.ts), shared so each is worded once. */

/** The times a sentence can use, already in words. */
export interface When {
  /** "11:54", in the site's zone ("3 Jan 11:54" on another day). */
  since: string;
  /** How long since `since`, at this message: "6 min". */
  lasted: string;
}

export const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
export const pct = (v: unknown): string => `${Math.round(n(v) * 1000) / 10}%`;
export const plural = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
/** "880 MB"; a spool under 10 MB in KB, so a small quota does not read "0 MB of 1 MB". */
export const size = (bytes: unknown) =>
  n(bytes) >= 10 * 1048576 ? `${Math.round(n(bytes) / 1048576)} MB` : `${Math.round(n(bytes) / 1024)} KB`;
/** "1 event waits", "12 events wait". */
export const waiting = (k: number) => `${plural(k, 'event')} ${k === 1 ? 'waits' : 'wait'}`;
export const tokenOf = (d: Details) => `token ${d.token}${d.token_name ? ` (${d.token_name})` : ''}`;

/** "HTTP 503 ×12, no answer ×6": the failures in the success-rate window, most frequent first. */
export function codes(d: Details): string {
  const c = (d.codes ?? {}) as Record<string, number>;
  const parts = Object.entries(c)
    .sort((a, b) => b[1] - a[1])
    .map(([code, k]) => `${code === 'error' ? 'no answer' : `HTTP ${code}`} ×${k}`);
  return parts.length > 0 ? parts.join(', ') : 'no failures';
}

/** "missing_table_number ×3 (what it means)": the warnings seen, most frequent first, the first one explained. */
export function kinds(d: Details): string {
  const k = Object.entries((d.kinds ?? {}) as Record<string, number>).sort((a, b) => b[1] - a[1]);
  const list = k.map(([id, count]) => `${id} ×${count}`).join(', ');
  const help = k[0] ? (WARNING_HELP as Record<string, string>)[k[0][0]] : undefined;
  return help ? `${list} (${help})` : list;
}
