/**
 * The one line a test that proves a guarantee prints for each run:
 *
 *   [guarantee] delivered across kill -9: 2,913 acknowledged, 0 lost, 11 sent again under the same key
 *
 * docs/guarantees.md says what each line reports instead of pasting a run's
 * figures (which go stale); test/unit/docs.test.ts checks that every line the
 * doc quotes is printed by the test it cites. A test prints its line before
 * its verdict, so a red run reports its figures too.
 */

/** What every such line starts with: `bun test … | grep '\[guarantee\]'` collects a run's figures. */
export const GUARANTEE_PREFIX = '[guarantee]';

/** A count and what it counts (`[2913, 'acknowledged']`), or words as they are (`'seed 42'`). */
export type Figure = string | readonly [count: number, what: string];

/** Counts in English with thousands separators; fractions to one decimal. */
export function figure(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: Number.isInteger(n) ? 0 : 1 });
}

/** `[guarantee] <topic>: <figure>, <figure>, …` */
export function guaranteeLine(topic: string, figures: readonly Figure[]): string {
  const said = figures.map((f) => (typeof f === 'string' ? f : `${figure(f[0])} ${f[1]}`));
  return `${GUARANTEE_PREFIX} ${topic}: ${said.join(', ')}`;
}

/** Prints the run's line on stdout, where `bun test` shows it beside the test. */
export function printGuarantee(topic: string, figures: readonly Figure[]): void {
  console.log(guaranteeLine(topic, figures));
}
