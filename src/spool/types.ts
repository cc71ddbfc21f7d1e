import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { AttemptRow, Env, EventRow, EventStatus, events } from './schema.ts';

/**
 * The spool's types, every one derived from the drizzle schema (schema.ts):
 * a column added there reaches each of them, and the compiler finds a
 * statement or a caller that forgot it.
 */

export type { AttemptRow, Env, EventRow, EventStatus, Verdict } from './schema.ts';

/** A row of `events` as inserted (defaults optional). */
export type NewEventRow = typeof events.$inferInsert;

/** A lane's key in maps: env, then token. */
export const laneKey = (token: string, env: Env): string => `${env}\u0000${token}`;

/**
 * An append's bytes on disk beyond its body (ids, token, timestamps, index
 * entries, its share of a page), counted from its arrival until its batch is
 * inserted and the spool measured again (writer.ts). Measured: 570 B for a
 * 1,554 B body, 840 B for a 1,277 B body on 4 KB pages.
 */
export const ROW_OVERHEAD = 600;

/**
 * The columns an append writes, in the hot-path INSERT's order (statements.ts
 * builds the statement from them); every other column takes its schema
 * default. test/unit/spool-columns.test.ts checks that no column without a
 * default is missing.
 */
export const APPEND_COLUMNS = ['seq', 'id', 'token', 'env', 'body', 'size', 'receivedAt', 'warnings'] as const;
/** The request's bytes go in as they came (a Uint8Array; drizzle reads them back as a Buffer). */
export type AppendRow = Omit<Required<Pick<NewEventRow, (typeof APPEND_COLUMNS)[number]>>, 'body'> & {
  body: Uint8Array;
};

/** What a POS event brings to the spool. */
export interface AppendInput {
  token: string;
  env: Env;
  body: Uint8Array;
  warnings?: string[];
}

export type Appended = Pick<EventRow, 'id' | 'seq' | 'receivedAt'>;

/** The columns the forwarder needs of a lane's head (statements.ts reads exactly these). */
export const PENDING_COLUMNS = ['seq', 'id', 'token', 'env', 'body', 'receivedAt', 'attempts'] as const;
export type PendingEvent = Pick<EventRow, (typeof PENDING_COLUMNS)[number]>;

/** A lane's head as the status page explains it: how often it was tried and what came back. */
export const HEAD_ATTEMPT_COLUMNS = ['attempts', 'lastStatus', 'lastError', 'lastAttemptAt'] as const;
export type HeadAttempts = Pick<EventRow, (typeof HEAD_ATTEMPT_COLUMNS)[number]>;

/** An event as listed: every column but the body, warnings parsed. */
export type EventSummary = Omit<EventRow, 'body' | 'warnings'> & { warnings: string[] };
export type AttemptSummary = Pick<AttemptRow, 'at' | 'status' | 'verdict' | 'detail'>;
export interface EventDetail extends EventSummary {
  body: Buffer;
  history: AttemptSummary[];
}

export interface ListFilter {
  status?: EventStatus;
  token?: string;
  limit?: number;
}

export interface ReplayResult {
  replayed: string[];
  notDead: string[];
  missing: string[];
}

export interface LaneCounts extends Record<EventStatus, number> {
  token: string;
  env: Env;
  oldestPendingAt: number | null;
}

export interface LaneStats {
  token: string;
  env: Env;
  pending: number;
  oldestReceivedAt: number | null;
}

export interface SpoolStats extends Record<EventStatus, number> {
  bytes: number;
  maxBytes: number;
  lanes: LaneStats[];
  lastWriteError: string | null;
  /** Damaged files this spool set aside that are still where it put them (quarantine.ts). */
  quarantined: { file: string; at: string; reason: string }[];
  /** Quarantines recorded for this spool, whether or not their files are still there. */
  quarantines: number;
  /** True while a salvage puts a quarantined file's events back (lane heads wait for it). */
  salvaging: boolean;
}

/** The writer connection's settings, for `relay doctor` and tests of the durability promise. */
export interface SpoolSettings {
  /** SQLite's code: 2 is FULL (an fsync before every commit returns). */
  synchronous: number;
  journalMode: string;
  walAutocheckpoint: number;
  /** Page cache: negative is KiB (open.ts CACHE_KIB). */
  cacheSize: number;
  /** 0: the file is read, never mapped into memory. */
  mmapSize: number;
  /** Bytes the write-ahead log is counted at the least, and cut back to once writes pause (open.ts WAL_KEEP_BYTES). */
  journalSizeLimit: number;
}

/** A delivery attempt's outcome as recorded. */
export interface Outcome {
  at: number;
  status: number | null;
  error?: string;
}

export type Progress = (done: number, total: number) => void;

export interface SpoolDeps {
  path: string;
  maxBytes: number;
  clock: Clock;
  log: Logger;
  /** A spool up to this size is read in full before serving; a larger one in the background (Spool.open). */
  scanFirstBytes?: number;
  /** Hold the spool's lock file (lock.ts) while open: `relay serve` does, CLI commands do not (default false). */
  lock?: boolean;
  /** The background thread (integrity read, checkpoints); false for short CLI commands (default true). */
  background?: boolean;
  /** WAL checkpoints on their own thread (default true; false: SQLite's automatic checkpoint in the writer). */
  checkpointThread?: boolean;
  /**
   * A damaged file: 'quarantine' sets it aside and serves from a fresh one
   * (`relay serve`, `spool.on_damage`); 'refuse' (the default, for CLI
   * commands beside a server) stops taking events and leaves it where it is.
   */
  onDamage?: 'quarantine' | 'refuse';
}
