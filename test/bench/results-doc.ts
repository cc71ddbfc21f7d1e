/**
 * The bench writes its latest full run into the docs itself, between markers,
 * so the figures a reader sees are the ones a run printed, never pasted by
 * hand: the whole table in docs/performance.md, its headline figures in the
 * README.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface Markers {
  begin: string;
  end: string;
}

/** docs/performance.md: every figure of the run. */
export const RESULTS: Markers = {
  begin: '<!-- bench:results:begin (written by make bench; do not edit) -->',
  end: '<!-- bench:results:end -->',
};
/** README.md: the figures marked `headline`. */
export const HEADLINES: Markers = {
  begin: '<!-- bench:headlines:begin (written by make bench; do not edit) -->',
  end: '<!-- bench:headlines:end -->',
};

/** `doc` with what lies between the markers replaced by `table`; throws, naming them, when they are missing. */
export function withResults(doc: string, table: string, m: Markers = RESULTS): string {
  const b = doc.indexOf(m.begin);
  const e = doc.indexOf(m.end);
  if (b === -1 || e === -1 || e < b) throw new Error(`expected the markers ${m.begin} … ${m.end}`);
  return `${doc.slice(0, b + m.begin.length)}\n\n${table.trim()}\n\n${doc.slice(e)}`;
}

/** Writes `table` into the doc at `path` between `m`; returns false (saying why on stderr) when it cannot. */
export function writeResults(path: string, table: string, m: Markers = RESULTS): boolean {
  if (!existsSync(path)) {
    console.error(`bench: ${path} not found; results not written into it`);
    return false;
  }
  try {
    writeFileSync(path, withResults(readFileSync(path, 'utf8'), table, m));
    return true;
  } catch (e) {
    console.error(`bench: ${path}: ${(e as Error).message}`);
    return false;
  }
}
