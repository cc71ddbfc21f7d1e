/** The bench writes its latest full run into docs/performance.md between two markers, and nowhere else. */
import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BEGIN, END, withResults } from '../bench/results-doc.ts';

describe('the bench results in docs/performance.md', () => {
  it('replaces only what lies between the markers', () => {
    const doc = `# Perf\nintro\n${BEGIN}\nold table\n${END}\nafter\n`;
    expect(withResults(doc, '| a | b |\n')).toBe(`# Perf\nintro\n${BEGIN}\n\n| a | b |\n\n${END}\nafter\n`);
  });

  it('refuses a document without its markers, naming them', () => {
    expect(() => withResults('# Perf\n', 'x')).toThrow(/bench:results:begin/);
  });

  it('finds both markers in docs/performance.md', () => {
    const doc = readFileSync(join(import.meta.dir, '..', '..', 'docs', 'performance.md'), 'utf8');
    expect(doc).toContain(BEGIN);
    expect(doc).toContain(END);
    expect(doc.indexOf(BEGIN)).toBeLessThan(doc.indexOf(END));
  });
});
