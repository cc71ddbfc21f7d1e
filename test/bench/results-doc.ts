/**
 * docs/performance.md carries the latest full `make bench` run between two
 * markers; the bench writes it there itself, so the figures a reader sees are
 * the ones a run printed, never pasted by hand.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const BEGIN = '<!-- bench:results:begin (written by make bench; do not edit) -->';
export const END = '<!-- bench:results:end -->';

/** `doc` with what lies between the markers replaced by `table`; throws, naming them, when they are missing. */
export function withResults(doc: string, table: string): string {
  const b = doc.indexOf(BEGIN);
  const e = doc.indexOf(END);
  if (b === -1 || e === -1 || e < b) throw new Error(`docs/performance.md: expected the markers ${BEGIN} … ${END}`);
  return `${doc.slice(0, b + BEGIN.length)}\n\n${table.trim()}\n\n${doc.slice(e)}`;
}

/** Writes `table` into the doc at `path`; returns false (saying why on stderr) when it cannot. */
export function writeResults(path: string, table: string): boolean {
  if (!existsSync(path)) {
    console.error(`bench: ${path} not found; results not written into the docs`);
    return false;
  }
  try {
    writeFileSync(path, withResults(readFileSync(path, 'utf8'), table));
    return true;
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    return false;
  }
}
