/**
 * The folders are the architecture: each folder of src/ is reached by the
 * others only through its face (`index.ts`), and `lib/` is a leaf that imports
 * nothing of theirs. Read from the source files themselves.
 */
import { describe, expect, it } from 'bun:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dir, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of a file, resolved to paths under src/ ("spool/index.ts"). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)];
  const dynamic = [...text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g)];
  return [...found, ...dynamic].map((m) => relative(SRC, resolve(dirname(file), m[1]!)));
}

const folderOf = (p: string): string | null => (p.includes('/') ? p.split('/')[0]! : null);

const all = files(SRC).map((f) => relative(SRC, f));

describe('src/ folders', () => {
  for (const file of all) {
    const own = folderOf(file);
    it(`${file} reaches other folders only through their index.ts`, () => {
      const past = imports(join(SRC, file)).filter((target) => {
        const folder = folderOf(target);
        if (folder === null || folder === own || folder === 'lib' || target.startsWith('..')) return false;
        return target !== `${folder}/index.ts`;
      });
      expect(past).toEqual([]);
    });
  }

  it('lib/ is a leaf: it imports nothing outside lib/', () => {
    const out = all
      .filter((f) => f.startsWith('lib/'))
      .flatMap((f) => imports(join(SRC, f)).map((t) => `${f} -> ${t}`))
      .filter((edge) => !edge.split(' -> ')[1]!.startsWith('lib/'));
    expect(out).toEqual([]);
  });

  it('only spool/ opens a database connection', () => {
    const opening = all.filter(
      (f) =>
        !f.startsWith('spool/') &&
        /from ['"](libsql|@libsql\/client|drizzle-orm[^'"]*)['"]/.test(readFileSync(join(SRC, f), 'utf8')),
    );
    expect(opening).toEqual([]);
  });
});
