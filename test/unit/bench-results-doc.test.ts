/** The bench writes its latest full run into the docs between markers, and nowhere else. */
import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEADLINES, RESULTS, withResults } from '../bench/results-doc.ts';

const ROOT = join(import.meta.dir, '..', '..');

describe('the bench results in the docs', () => {
  it('replaces only what lies between the markers', () => {
    const doc = `# Perf\nintro\n${RESULTS.begin}\nold table\n${RESULTS.end}\nafter\n`;
    expect(withResults(doc, '| a | b |\n')).toBe(
      `# Perf\nintro\n${RESULTS.begin}\n\n| a | b |\n\n${RESULTS.end}\nafter\n`,
    );
  });

  it('refuses a document without its markers, naming them', () => {
    expect(() => withResults('# Perf\n', 'x')).toThrow(/bench:results:begin/);
    expect(() => withResults(`${RESULTS.begin}\n${RESULTS.end}`, 'x', HEADLINES)).toThrow(/bench:headlines:begin/);
  });

  for (const [file, m] of [
    ['docs/performance.md', RESULTS],
    ['README.md', HEADLINES],
  ] as const) {
    it(`finds both markers in ${file}, in order, once`, () => {
      const doc = readFileSync(join(ROOT, file), 'utf8');
      expect(doc.split(m.begin)).toHaveLength(2);
      expect(doc.split(m.end)).toHaveLength(2);
      expect(doc.indexOf(m.begin)).toBeLessThan(doc.indexOf(m.end));
    });
  }
});
