import { sql } from 'drizzle-orm';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';

export interface EmbeddedMigration {
  tag: string;
  folderMillis: number;
  hash: string;
  sql: string[];
}

/**
 * What the migrating relay writes into `spool_meta` in the same transaction
 * (format.ts): the format reached and its own version.
 */
export interface FormatStamp {
  keys: { format: string; migratedBy: string };
  version: string;
}

/**
 * drizzle's libSQL migrator, fed from migrations embedded in the binary
 * instead of a folder on disk. Same bookkeeping table and rule (apply every
 * migration newer than the last recorded one), so it is idempotent across
 * restarts and compatible with `drizzle-kit migrate`. With `stamp`, the
 * format and the relay's version go into `spool_meta` in the same batch.
 */
export async function runMigrations(
  db: LibSQLDatabase<Record<string, unknown>>,
  migrations: EmbeddedMigration[],
  stamp?: FormatStamp,
): Promise<string[]> {
  await db.run(sql`CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (
    id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
  const last = await db.values<[unknown, string, unknown]>(
    sql`SELECT id, hash, created_at FROM "__drizzle_migrations" ORDER BY created_at DESC LIMIT 1`,
  );
  const lastMillis = last[0] ? Number(last[0][2]) : -Infinity;
  const todo = migrations.filter((m) => m.folderMillis > lastMillis);
  if (todo.length === 0) return [];
  const stmts = todo.flatMap((m) => [
    ...m.sql.filter((s) => s.trim() !== '').map((s) => db.run(sql.raw(s))),
    db.run(sql`INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (${m.hash}, ${m.folderMillis})`),
  ]);
  if (stamp) {
    const upsert = (key: string, value: string) =>
      db.run(
        sql`INSERT INTO spool_meta (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      );
    stmts.push(upsert(stamp.keys.format, String(migrations.length)), upsert(stamp.keys.migratedBy, stamp.version));
  }
  // One batch = one transaction: a failed migration leaves the schema as it was.
  await db.batch(stmts as unknown as Parameters<typeof db.batch>[0]);
  return todo.map((m) => m.tag);
}
