import { sql } from 'drizzle-orm';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';

export interface EmbeddedMigration {
  tag: string;
  folderMillis: number;
  hash: string;
  sql: string[];
}

/**
 * drizzle's libSQL migrator, fed from migrations embedded in the binary
 * instead of a folder on disk. Same bookkeeping table and rule (apply every
 * migration newer than the last recorded one), so it is idempotent across
 * restarts and compatible with `drizzle-kit migrate`.
 */
export async function runMigrations(
  db: LibSQLDatabase<Record<string, unknown>>,
  migrations: EmbeddedMigration[],
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
  // One batch = one transaction: a failed migration leaves the schema as it was.
  await db.batch(stmts as unknown as Parameters<typeof db.batch>[0]);
  return todo.map((m) => m.tag);
}
