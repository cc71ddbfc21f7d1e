import { maskToken } from '../../lib/mask.ts';
import type { Io } from '../context.ts';

/**
 * Formatting shared by the technician's commands. Tokens are shown as their
 * first 8 characters only (cloud guide, "Information to Include"), in tables,
 * in JSON and inside any text that came back from the cloud.
 */

/** A plain-text table: left-aligned columns, two spaces apart, header first. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

// Code points, not UTF-16 units: "…" in a masked token is one column.
const width = (s: string): number => Array.from(s).length;

/** Local wall-clock time to the second, as the technician's PC shows it: "2026-01-31 18:30:05". */
export function localTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** ISO 8601 with the local offset, e.g. "2026-01-31T18:30:05.123-03:00" (guide: "Timestamps include timezone"). */
export function isoWithOffset(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:` +
    `${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}${sign}${p(Math.trunc(off / 60))}:${p(off % 60)}`
  );
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** A token's label for humans: "019ab6ed… (Main POS)". */
export function tokenLabel(token: string, names: ReadonlyMap<string, string>): string {
  const name = names.get(token);
  return name ? `${maskToken(token)} (${name})` : maskToken(token);
}

/** Symbols per check outcome, as the cloud guide's diagnostic script prints them. */
export const MARK = { pass: '✅', warn: '⚠️ ', fail: '❌', skip: '➖' } as const;
