/**
 * The event row has one source of truth, the drizzle schema: the hot-path
 * INSERT (statements.ts) and the lane head are built from column lists that
 * the compiler ties to it, and here every column the INSERT leaves out must
 * have a default, so a new NOT NULL column cannot be forgotten by appends.
 */
import { describe, expect, it } from 'bun:test';
import { getTableColumns } from 'drizzle-orm';
import { events } from '../../src/spool/schema.ts';
import { APPEND_SQL_COLUMNS } from '../../src/spool/statements.ts';
import { APPEND_COLUMNS, PENDING_COLUMNS } from '../../src/spool/types.ts';

const columns = getTableColumns(events);

describe('the event row', () => {
  it('is inserted under the schema column names, in APPEND_COLUMNS order', () => {
    expect(APPEND_SQL_COLUMNS).toEqual(APPEND_COLUMNS.map((k) => columns[k].name));
    expect(APPEND_SQL_COLUMNS).toContain('received_at');
  });

  for (const [key, col] of Object.entries(columns)) {
    const appended = (APPEND_COLUMNS as readonly string[]).includes(key);
    it(`${key} (${col.name}) is ${appended ? 'written by every append' : 'left to its default or nullable'}`, () => {
      if (!appended) expect(col.notNull === false || col.hasDefault || col.primary).toBe(true);
    });
  }

  it("gives the forwarder each lane head's columns, all of them in the schema", () => {
    for (const k of PENDING_COLUMNS) expect(columns[k]).toBeDefined();
    expect(PENDING_COLUMNS).toContain('body');
  });
});
