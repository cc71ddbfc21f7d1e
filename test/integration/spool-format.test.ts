/**
 * The spool's format: a relay records the format it migrated the file to and
 * its own version, and refuses a spool a newer relay migrated, before writing
 * anything (not even its lock file). On the compiled binary:
 * test/binary/spool-format.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { READS_FORMATS, SPOOL_FORMAT, Spool, SpoolOpenError } from '../../src/spool/index.ts';
import { runMigrations } from '../../src/spool/migrate.ts';
import { migrations } from '../../src/spool/migrations.generated.ts';
import { VERSION } from '../../src/version.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN } from '../helpers/relay.ts';
import { fileExec, fileRows } from '../helpers/spool-file.ts';

const onCleanup = useCleanup();

const open = (path: string, lock = true) =>
  Spool.open({ path, maxBytes: 1 << 30, clock: systemClock, log: silentLogger, lock });

const meta = (path: string) =>
  Object.fromEntries(
    fileRows<{ key: string; value: string }>(
      path,
      "SELECT key, value FROM spool_meta WHERE key IN ('format', 'migrated_by')",
    ).map((r) => [r.key, r.value]),
  );

/**
 * Every file in the spool's folder and its bytes, but the -shm: SQLite's
 * shared-memory index, rebuilt from the log by whoever opens it next, where
 * any reader (a technician's sqlite3 too) marks what it reads.
 */
const folder = (path: string) =>
  Object.fromEntries(
    readdirSync(dirname(path))
      .filter((f) => !f.endsWith('-shm'))
      .map((f) => [f, readFileSync(join(dirname(path), f))]),
  );

describe('spool format', () => {
  it('a new spool records its format (the number of migrations) and the relay that migrated it', async () => {
    const path = join(onCleanup.tempDir(), 'spool.db');
    const spool = await open(path);
    await spool.close();
    expect(SPOOL_FORMAT).toBe(migrations.length);
    expect(READS_FORMATS).toEqual({ from: 1, to: SPOOL_FORMAT });
    expect(meta(path)).toEqual({ format: String(SPOOL_FORMAT), migrated_by: VERSION });
  });

  it('an older spool is migrated up and stamped with this relay', async () => {
    const path = join(onCleanup.tempDir(), 'spool.db');
    const client = createClient({ url: `file:${path}` });
    await runMigrations(drizzle(client), migrations.slice(0, 3));
    client.close();
    const spool = await open(path);
    await spool.close();
    expect(meta(path)).toEqual({ format: String(SPOOL_FORMAT), migrated_by: VERSION });
  });

  for (const how of ['clean', 'with its log'] as const) {
    it(`a spool of a newer format (${how}) is refused in one sentence naming both versions, every file untouched`, async () => {
      const path = join(onCleanup.tempDir(), 'spool.db');
      const spool = await open(path);
      await spool.append({ token: TOKEN, env: 'prod', body: new TextEncoder().encode('{"a":1}') });
      await spool.close();
      // What a newer relay leaves: a higher format and its version in spool_meta.
      fileExec(
        path,
        `UPDATE spool_meta SET value = '${SPOOL_FORMAT + 1}' WHERE key = 'format';
         UPDATE spool_meta SET value = '9.9.9' WHERE key = 'migrated_by'`,
      );
      if (how === 'with its log') {
        // A newer relay killed: its last commits only in the write-ahead log.
        const { default: Database } = await import('libsql');
        const db = new Database(path);
        db.exec('PRAGMA wal_autocheckpoint = 0');
        db.exec("INSERT INTO spool_meta (key, value) VALUES ('newer_fact', 'x')");
        // Kept open until the end of the test: closing would checkpoint and delete the log.
        onCleanup(() => db.close());
        expect(existsSync(`${path}-wal`)).toBe(true);
      }
      const before = folder(path);
      for (const lock of [true, false]) {
        const err = await open(path, lock).then(
          () => null,
          (e: Error) => e,
        );
        expect(err).toBeInstanceOf(SpoolOpenError);
        expect(err!.message).toBe(
          `spool ${path} has format ${SPOOL_FORMAT + 1}, written by relay 9.9.9, and this relay ${VERSION} reads ` +
            `formats up to ${SPOOL_FORMAT}: run relay 9.9.9 or newer on it (the file was left untouched), ` +
            `or set spool.path to another file.`,
        );
        // The lock file too: its holder row is written only after this check.
        expect(folder(path)).toEqual(before);
      }
    });
  }

  it('a newer spool without its version recorded (more migrations than this build knows) is refused too', async () => {
    const path = join(onCleanup.tempDir(), 'spool.db');
    const client = createClient({ url: `file:${path}` });
    const future = { tag: '9999_future', folderMillis: 9_999_999_999_999, hash: 'f', sql: ['CREATE TABLE future (x)'] };
    await runMigrations(drizzle(client), [...migrations, future]);
    client.close();
    const before = folder(path);
    const err = await open(path).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toContain(`has format ${SPOOL_FORMAT + 1}, written by a newer relay`);
    expect(folder(path)).toEqual(before);
  });
});
