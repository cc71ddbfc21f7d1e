/**
 * The docs describe the product as it is: every src/ folder in the
 * architecture, every CLI command in operations, every config key in the
 * configuration reference (a copy of config.example.toml, key for key); the
 * README stays short; nothing speaks of issues or sessions.
 */
import { describe, expect, it } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../src/cli/index.ts';
import { defaultConfig } from '../../src/config/index.ts';

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
