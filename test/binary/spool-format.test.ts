/**
 * The spool format guard on the compiled binary: `relay version --json` says
 * which formats the build reads; a spool a newer relay migrated is refused
 * at start, in one sentence naming both versions, and every file beside it
 * (its log, its lock file) stays byte-identical. In this process:
 * test/integration/spool-format.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SPOOL_FORMAT } from '../../src/spool/index.ts';
import { VERSION } from '../../src/version.ts';
import { configToml } from '../helpers/admin.ts';
import { installBinary, runBinary, startBinary, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { fileExec } from '../helpers/spool-file.ts';

const onCleanup = useCleanup();

/** The spool folder's files and bytes, but SQLite's shared-memory index (-shm), which any reader marks. */
const files = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.startsWith('spool.db') && !f.endsWith('-shm'))
      .map((f) => [f, readFileSync(join(dir, f))]),
  );

describe('spool format on the binary', () => {
  it('`relay version --json` names the formats this build reads', async () => {
    const dir = onCleanup.tempDir('relay-format-version-');
    const bin = await installBinary(dir);
    const r = runBinary(bin, ['version', '--json'], dir);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout) as { version: string; spool_format: unknown };
    expect(v.version).toBe(VERSION);
    expect(v.spool_format).toEqual({ writes: SPOOL_FORMAT, reads: { from: 1, to: SPOOL_FORMAT } });
  });

  it('refuses to start on a spool of a newer format, naming both versions, every file byte-identical', async () => {
    const dir = onCleanup.tempDir('relay-format-bin-');
    const bin = await installBinary(dir);
    const path = join(dir, 'spool.db');
    writeToml(dir);
    // A spool this binary made and served, then stamped as a newer relay would leave it.
    const first = await startBinary(bin, ['serve', '--config', 'relay.toml'], { cwd: dir });
    await stopBinary(first, 'SIGTERM');
    fileExec(
      path,
      `UPDATE spool_meta SET value = '${SPOOL_FORMAT + 1}' WHERE key = 'format';
       UPDATE spool_meta SET value = '7.0.0' WHERE key = 'migrated_by'`,
    );
    const before = files(dir);
    expect(Object.keys(before).sort()).toEqual(
      ['spool.db', 'spool.db.lock', ...Object.keys(before).filter((f) => f.endsWith('-wal'))].sort(),
    );

    const r = runBinary(bin, ['serve', '--config', 'relay.toml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).toContain(
      `spool ${path} has format ${SPOOL_FORMAT + 1}, written by relay 7.0.0, and this relay ${VERSION} reads ` +
        `formats up to ${SPOOL_FORMAT}: run relay 7.0.0 or newer on it (the file was left untouched), ` +
        'or set spool.path to another file.',
    );
    expect(files(dir)).toEqual(before);
    // The CLI's reads refuse it too, and write nothing either.
    const list = runBinary(bin, ['events', 'list', '--config', 'relay.toml'], dir);
    expect(list.code).toBe(1);
    expect(list.stderr).toContain(`has format ${SPOOL_FORMAT + 1}, written by relay 7.0.0`);
    expect(files(dir)).toEqual(before);
  });
});

function writeToml(dir: string): void {
  writeFileSync(join(dir, 'relay.toml'), configToml(dir, { logLevel: 'info' }));
}
