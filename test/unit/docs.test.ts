/**
 * The docs describe the product as it is: every src/ folder in the
 * architecture, every CLI command in operations, every config key in the
 * configuration reference (a copy of config.example.toml, key for key); the
 * README stays short; nothing speaks of issues or sessions. The guarantees
 * name the tests that prove them, as they are named in the files cited, and
 * quote the lines those tests print instead of a past run's figures.
 */
import { describe, expect, it } from 'bun:test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../src/cli/index.ts';
import { defaultConfig } from '../../src/config/index.ts';
import { GUARANTEE_PREFIX } from '../helpers/guarantee.ts';

const ROOT = join(import.meta.dir, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const DOCS = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));

/** Dotted keys of a config object: "server.port", "tokens.token"; arrays of tables by their first entry. */
function keys(o: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => {
    const name = prefix ? `${prefix}.${k}` : k;
    if (Array.isArray(v))
      return v.length > 0 && typeof v[0] === 'object' ? keys(v[0] as Record<string, unknown>, name) : [name];
    if (v !== null && typeof v === 'object') return keys(v as Record<string, unknown>, name);
    return [name];
  });
}

describe('the docs cover the product', () => {
  it('names every src/ folder and top-level file in docs/architecture.md', () => {
    const arch = read('docs/architecture.md');
    const missing = readdirSync(join(ROOT, 'src'))
      .map((f) => `src/${f}`)
      .filter((p) => !arch.includes(p));
    expect(missing).toEqual([]);
  });

  it('documents every CLI command in docs/operations.md', () => {
    const ops = read('docs/operations.md');
    expect(COMMANDS.map((c) => c.name).filter((n) => !ops.includes(`relay ${n}`))).toEqual([]);
  });

  it('carries config.example.toml in docs/configuration.md, and it sets every key the relay reads', () => {
    const doc = read('docs/configuration.md');
    const block = /```toml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    expect(block).toBe(read('config.example.toml'));
    const documented = new Set(keys(Bun.TOML.parse(block) as Record<string, unknown>));
    const defaults = defaultConfig() as unknown as Record<string, unknown>;
    const wanted = keys({ ...defaults, tokens: [{ token: '', name: '', active: true }] });
    expect(wanted.filter((k) => !documented.has(k))).toEqual([]);
  });

  it('keeps the README under 400 lines, each doc linked from it', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThan(400);
    expect(DOCS.filter((d) => !readme.includes(`docs/${d}`))).toEqual([]);
  });

  it('speaks of the product, not of issues or work sessions', () => {
    for (const f of ['README.md', ...DOCS.map((d) => `docs/${d}`)]) {
      expect({ f, found: read(f).match(/\bissues? \d+|\bthis session\b|\bearlier session\b/gi) }).toEqual({
        f,
        found: null,
      });
    }
  });
});

/**
 * docs/guarantees.md in order: each test file it cites (`test/….test.ts`),
 * the test names after it (› *name*, a trailing … allowed), and the code
 * spans that follow it, each span with the file cited last before it.
 */
function guaranteesDoc() {
  const doc = read('docs/guarantees.md');
  const flat = (t: string) => t.replace(/\s+/g, ' ').trim();
  const citations: { file: string; names: string[] }[] = [];
  const spans: { text: string; file: string | null }[] = [];
  let last: string | null = null;
  for (const m of doc.matchAll(/`([^`]+)`((?:\s*›\s*\*[^*]+\*)*)/g)) {
    const text = flat(m[1]!);
    if (/^test\/\S+\.test\.ts$/.test(text)) {
      last = text;
      const names = [...m[2]!.matchAll(/\*([^*]+)\*/g)].map((n) => flat(n[1]!).replace(/\s*…$/, ''));
      citations.push({ file: text, names });
    } else spans.push({ text, file: last });
  }
  /** The prose: fenced blocks and code spans (commands, printed lines, constants) taken out. */
  const prose = doc.replace(/```[\s\S]*?```/g, '').replace(/`[^`]*`/g, '``');
  return { doc, citations, spans, prose, flat };
}

/** Every test file under test/ (this one aside), for the lines they print. */
function testFiles(dir = 'test'): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return testFiles(path);
    return e.name.endsWith('.test.ts') && path !== 'test/unit/docs.test.ts' ? [path] : [];
  });
}

describe('docs/guarantees.md names its proofs and pastes no run figures', () => {
  const g = guaranteesDoc();

  it('cites only files under test/ that exist', () => {
    const paths = [...g.doc.matchAll(/`(test\/[^`\s]+)`/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  it('names each cited test as it is written in the file it cites (a renamed test turns this red)', () => {
    const named = g.citations.flatMap((c) => c.names.map((name) => ({ file: c.file, name })));
    expect(named.length).toBeGreaterThan(10);
    const missing = named.filter(({ file, name }) => !g.flat(read(file)).includes(name));
    expect(missing).toEqual([]);
  });

  it('quotes each printed line from the test that prints it, and every line a test prints', () => {
    const quoted = g.spans.filter((s) => s.text.startsWith(`${GUARANTEE_PREFIX} `));
    const topic = (line: string) => line.slice(GUARANTEE_PREFIX.length + 1).split(':')[0];
    expect(quoted.length).toBeGreaterThan(5);
    const wrong = quoted.filter((q) => !q.file || !read(q.file).includes(`printGuarantee('${topic(q.text)}'`));
    expect(wrong).toEqual([]);
    const printed = testFiles().flatMap((f) =>
      [...read(f).matchAll(/printGuarantee\('([^']+)'/g)].map((m) => ({ file: f, topic: m[1]! })),
    );
    const said = new Set(quoted.map((q) => topic(q.text)));
    expect(printed.filter((p) => !said.has(p.topic))).toEqual([]);
  });

  it("quotes a test's fixed figures as its constants (`NAME = value`, declared so in the file cited)", () => {
    const constants = g.spans.filter((s) => /^[A-Z][A-Z0-9_]* = \S+$/.test(s.text));
    expect(constants.length).toBeGreaterThan(0);
    expect(constants.filter((c) => !c.file || !read(c.file).includes(`const ${c.text};`))).toEqual([]);
  });

  it('pastes no figures of past runs into its prose (the tests print them)', () => {
    // What a run measures, not what a test is: big or grouped counts (an RFC's
    // number aside), ranges over runs, approximations, counts of runs.
    const pasted = [
      /(?<![\w.,]|RFC )(?:\d{1,3}(?:,\d{3})+|\d{4,})(?![\d])/g,
      /\d(?:[.,]\d+)?\s?[–-]\s?\d/g,
      /~\s?\d|\babout \d/g,
      /\b\d+ runs\b/g,
    ].flatMap((re) => [...g.prose.matchAll(re)].map((m) => g.prose.slice(Math.max(0, m.index - 30), m.index + 20)));
    expect(pasted).toEqual([]);
  });
});
