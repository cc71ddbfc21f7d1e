import { and, asc, desc, eq, getTableColumns, gt, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import { seqOfId } from './event-id.ts';
import type { Drizzle } from './open.ts';
import { attempts, events, laneCounts as laneCountsTable, legacyIds } from './schema.ts';
import { BESIDE_RELAY, inSlices, type SliceDone } from './slices.ts';
import {
  type EventDetail,
  type EventStatus,
  type EventSummary,
  type LaneCounts,
  type ListFilter,
  laneKey,
  type Progress,
  type ReplayResult,
} from './types.ts';

/**
 * Reporting and repair queries for the CLI and the admin surface (through
 * Spool's methods), over drizzle and @libsql/client. They may run in another
 * process while the server runs: the server notices their commits through
 * `PRAGMA data_version` (Spool.checkExternalChanges) and rescans its lanes.
 */

// Every column but the body: what a list shows.
const { body: _body, ...summaryColumns } = getTableColumns(events);
type SummaryRow = Omit<typeof events.$inferSelect, 'body'>;

const parseWarnings = (w: string | null): string[] => {
  if (!w) return [];
  try {
    const v = JSON.parse(w) as unknown;
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
};

/**
 * Most recent first. Filtered by status or token, each lane (token, env,
 * status) is read newest first by the events_lane index, `limit` rows at
 * most, and the lanes merged: never a sort of every pending event (a temp
 * B-tree over 300,000 rows) or a scan of the table for a token.
 */
export async function listEvents(db: Drizzle, f: ListFilter = {}): Promise<EventSummary[]> {
  const limit = f.limit ?? 50;
  let rows: SummaryRow[];
  if (!f.status && !f.token) {
    rows = await db.select(summaryColumns).from(events).orderBy(desc(events.seq)).limit(limit);
  } else {
    // Every lane that has or had events of that status or token (a row stays once made).
    const lanes = await db
      .select({ token: laneCountsTable.token, env: laneCountsTable.env, status: laneCountsTable.status })
      .from(laneCountsTable)
      .where(
        and(
          f.status ? eq(laneCountsTable.status, f.status) : undefined,
          f.token ? eq(laneCountsTable.token, f.token) : undefined,
        ),
      );
    const per = await Promise.all(
      lanes.map((l) =>
        db
          .select(summaryColumns)
          .from(events)
          .where(and(eq(events.status, l.status), eq(events.token, l.token), eq(events.env, l.env)))
          .orderBy(desc(events.seq))
          .limit(limit),
      ),
    );
    rows = per
      .flat()
      .sort((a, b) => b.seq - a.seq)
      .slice(0, limit);
  }
  return rows.map((r) => ({ ...r, warnings: parseWarnings(r.warnings) }));
}

export async function getEvent(db: Drizzle, id: string): Promise<EventDetail | undefined> {
  const [row] = await db
    .select({ ...summaryColumns, body: events.body })
    .from(events)
    .where(whereId(db, id));
  if (!row) return undefined;
  const history = await db
    .select({ at: attempts.at, status: attempts.status, verdict: attempts.verdict, detail: attempts.detail })
    .from(attempts)
    .where(eq(attempts.eventSeq, row.seq))
    .orderBy(asc(attempts.at), asc(attempts.id));
  return { ...row, body: Buffer.from(row.body), warnings: parseWarnings(row.warnings), history };
}

/**
 * Dead-lettered events go back to pending. Their `seq` is older than anything
 * pending in their lane, so they are sent next, ahead of newer events.
 */
export async function replayEvents(db: Drizzle, ids: string[]): Promise<ReplayResult> {
  if (ids.length === 0) return { replayed: [], notDead: [], missing: [] };
  const byId = new Map<string, { seq: number; status: EventStatus }>();
  for (const id of new Set(ids)) {
    const [r] = await db.select({ seq: events.seq, status: events.status }).from(events).where(whereId(db, id));
    if (r) byId.set(id, r);
  }
  const dead = ids.filter((id) => byId.get(id)?.status === 'dead');
  if (dead.length > 0) {
    await db
      .update(events)
      .set({ status: 'pending' })
      .where(
        and(
          inArray(
            events.seq,
            dead.map((id) => byId.get(id)!.seq),
          ),
          eq(events.status, 'dead'),
        ),
      );
  }
  return {
    replayed: dead,
    notDead: ids.filter((id) => byId.has(id) && byId.get(id)?.status !== 'dead'),
    missing: ids.filter((id) => !byId.has(id)),
  };
}

/**
 * The condition that finds event `id`, always by primary key: the seq an id
 * carries (event-id.ts), or for an id from before ids carried one, the seq
 * `legacy_ids` kept for it (drizzle/0003). `events.id` has no index: a lookup
 * that read the table would stall the relay for as long (185 ms per 200,000
 * events). Ids are lower-case hex; an upper-case copy finds the same event.
 */
function whereId(db: Drizzle, raw: string) {
  const id = raw.toLowerCase();
  const seq = seqOfId(id);
  const legacy = inArray(events.seq, db.select({ seq: legacyIds.seq }).from(legacyIds).where(eq(legacyIds.id, id)));
  // One statement, both ways by primary key (SQLite's multi-index OR): never a scan.
  return and(seq === null ? legacy : or(eq(events.seq, seq), legacy), eq(events.id, id))!;
}

/**
 * One slice of a repair (slices.ts): `statement` changes up to a slice's rows
 * in its own transaction; how many it changed and how long it took.
 */
async function sliceOf(db: Drizzle, statement: SQL): Promise<SliceDone> {
  const started = performance.now();
  const r = await db.run(statement);
  return { rows: r.rowsAffected, ms: performance.now() - started };
}

/**
 * Every dead-lettered event back to pending, in slices (slices.ts): a
 * running relay's writer keeps the database most of the time meanwhile.
 */
export async function replayAllDead(db: Drizzle, onProgress?: Progress): Promise<number> {
  const total = await countWhere(db, sql`status = 'dead'`);
  return inSlices(
    (rows) =>
      sliceOf(
        db,
        sql`UPDATE events SET status = 'pending' WHERE seq IN (SELECT seq FROM events WHERE status = 'dead' LIMIT ${rows})`,
      ),
    { onSlice: (done) => onProgress?.(done, total), settings: BESIDE_RELAY },
  );
}

/**
 * Deletes delivered events delivered before `before` (ms), oldest first, in
 * slices (slices.ts), so a running relay keeps acknowledging within
 * milliseconds. Never pending or dead ones.
 */
export async function purgeDelivered(db: Drizzle, before: number, onProgress?: Progress): Promise<number> {
  const total = await countWhere(db, and(eq(events.status, 'delivered'), lt(events.deliveredAt, before))!);
  return inSlices(
    (rows) =>
      sliceOf(
        db,
        sql`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE status = 'delivered'
          AND delivered_at < ${before} ORDER BY delivered_at LIMIT ${rows})`,
      ),
    { onSlice: (done) => onProgress?.(done, total), settings: BESIDE_RELAY },
  );
}

async function countWhere(db: Drizzle, where: ReturnType<typeof sql> | ReturnType<typeof and>): Promise<number> {
  const [r] = await db.select({ n: sql<number>`count(*)` }).from(events).where(where);
  return Number(r?.n ?? 0);
}

/**
 * Counts per lane (token, env) and status, with the age of the oldest pending
 * event: from `lane_counts` (kept exact on every write), and one lane-head
 * lookup per lane, so a million-event spool answers at once.
 */
export async function laneCounts(db: Drizzle): Promise<LaneCounts[]> {
  const rows = await db
    .select({
      token: laneCountsTable.token,
      env: laneCountsTable.env,
      status: laneCountsTable.status,
      n: laneCountsTable.n,
    })
    .from(laneCountsTable)
    .where(gt(laneCountsTable.n, 0));
  const lanes = new Map<string, LaneCounts>();
  for (const r of rows) {
    const key = laneKey(r.token, r.env);
    const lane = lanes.get(key) ?? {
      token: r.token,
      env: r.env,
      pending: 0,
      delivered: 0,
      dead: 0,
      oldestPendingAt: null,
    };
    lane[r.status] = Number(r.n);
    if (r.status === 'pending') {
      // The lane's head, by the events_lane index.
      const [head] = await db
        .select({ at: events.receivedAt })
        .from(events)
        .where(and(eq(events.status, 'pending'), eq(events.token, r.token), eq(events.env, r.env)))
        .orderBy(asc(events.seq))
        .limit(1);
      lane.oldestPendingAt = head ? Number(head.at) : null;
    }
    lanes.set(key, lane);
  }
  return [...lanes.values()].sort((a, b) => a.token.localeCompare(b.token) || a.env.localeCompare(b.env));
}
