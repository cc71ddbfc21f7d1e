/**
 * The release script's own functions (scripts/release.ts): the SHA256SUMS
 * format and the libSQL addon versions. The binaries it makes are
 * test/binary/release.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { libsqlAddonVersion, sha256sums } from '../../scripts/release.ts';
import { useCleanup } from '../helpers/cleanup.ts';

const ROOT = join(import.meta.dir, '..', '..');
const onCleanup = useCleanup();

describe('the release script', () => {
  it('writes SHA256SUMS in the format sha256sum -c reads', () => {
    const dir = onCleanup.tempDir('relay-sums-');
    writeFileSync(join(dir, 'a'), 'abc');
    expect(sha256sums(dir, ['a'])).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a\n');
  });

  it('takes each addon at the version libsql itself pins', () => {
    const pinned = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'libsql', 'package.json'), 'utf8')) as {
      optionalDependencies: Record<string, string>;
    };
    expect(libsqlAddonVersion('win32-x64-msvc')).toBe(pinned.optionalDependencies['@libsql/win32-x64-msvc']!);
    expect(() => libsqlAddonVersion('plan9-mips')).toThrow('optionalDependencies["@libsql/plan9-mips"]');
  });
});
