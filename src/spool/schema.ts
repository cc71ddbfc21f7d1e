import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** The two lanes of a token: `?env=prod` (the default) and `?env=dev` (basic guide, "Webhook Endpoint"). */
export const ENVS = ['prod', 'dev'] as const;
export type Env = (typeof ENVS)[number];

/** An event waits (`pending`), reached the cloud (`delivered`) or was refused by it for good (`dead`). */
export const EVENT_STATUSES = ['pending', 'delivered', 'dead'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/**
 * What one delivery attempt meant (forward/policy.ts `classify`): the one list
 * of verdicts. The forwarder handles each in an exhaustive map, so a new one
 * does not compile until it is handled.
 */
export const VERDICTS = ['delivered', 'retry', 'pause', 'dead'] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * One row per accepted webhook. `seq` (the rowid) is the acknowledgement order:
 * within a lane (token, env) events are delivered in ascending `seq`.
 * `body` holds the exact bytes received: never re-serialised (`19.00` stays `19.00`).
 */
export const events = sqliteTable(
  'events',
  {
    seq: integer('seq').primaryKey(),
    // Not indexed: an id carries its seq (event-id.ts), so lookups go by seq.
    id: text('id').notNull(),
    token: text('token').notNull(),
    env: text('env', { enum: ENVS }).notNull(),
    body: blob('body', { mode: 'buffer' }).notNull(),
    size: integer('size').notNull(),
    receivedAt: integer('received_at').notNull(),
    status: text('status', { enum: EVENT_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastAttemptAt: integer('last_attempt_at'),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    cloudEventId: text('cloud_event_id'),
    deliveredAt: integer('delivered_at'),
    warnings: text('warnings'),
  },
  (t) => [
    // Lane heads: the oldest pending event of (token, env) in O(log n).
    index('events_lane').on(t.status, t.token, t.env, t.seq),
    // Retention and quota pruning: oldest delivered first.
    index('events_delivered').on(t.status, t.deliveredAt).where(sql`status = 'delivered'`),
  ],
);

export type EventRow = typeof events.$inferSelect;

/**
 * Every delivery attempt and the cloud's answer, for `relay events show` and
 * the status page. Deleted with its event.
 */
export const attempts = sqliteTable(
  'attempts',
  {
    id: integer('id').primaryKey(),
    eventSeq: integer('event_seq').notNull(),
    at: integer('at').notNull(),
    status: integer('status'),
    verdict: text('verdict', { enum: VERDICTS }).notNull(),
    detail: text('detail'),
  },
  (t) => [index('attempts_event').on(t.eventSeq, t.at)],
);

export type AttemptRow = typeof attempts.$inferSelect;

/**
 * Events and bytes per lane and status, kept in the same transaction as the
 * change: inserts by the relay's writer (once per batch and lane), status
 * changes and deletes by triggers on `events` (drizzle/0002_lane_counts.sql).
 * Rows inserted any other way are found by the start-up integrity read, which
 * counts again (Spool.recount). Start-up,
 * /health and the quota read these few rows instead of counting a spool that
 * may hold a million events (counting them took 1.5 s at start).
 */
export const laneCounts = sqliteTable(
  'lane_counts',
  {
    token: text('token').notNull(),
    env: text('env', { enum: ENVS }).notNull(),
    status: text('status', { enum: EVENT_STATUSES }).notNull(),
    n: integer('n').notNull().default(0),
    bytes: integer('bytes').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.token, t.env, t.status] })],
);

/**
 * Ids of events stored before ids carried their seq (drizzle/0003): the one
 * way to find those by id now that `events.id` has no index.
 */
export const legacyIds = sqliteTable('legacy_ids', {
  id: text('id').primaryKey(),
  seq: integer('seq').notNull(),
});

/**
 * Facts about the spool file itself, one row each (drizzle/0004): the seq a
 * fresh spool must start above after a quarantine (`seq_floor`), a salvage
 * still to finish (`salvage_source`, its deliveries wait for it), the last
 * salvage's report and the files quarantined so far (`quarantined`, JSON).
 */
export const spoolMeta = sqliteTable('spool_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
