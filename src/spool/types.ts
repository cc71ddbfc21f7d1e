import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';

export type Env = 'prod' | 'dev';

/** A lane's key in maps: env, then token. */
export const laneKey = (token: string, env: Env): string => `${env}\u0000${token}`;
export type EventStatus = 'pending' | 'delivered' | 'dead';

/** Bytes counted per row on top of its body: ids, token, timestamps, index entries. */
export const ROW_OVERHEAD = 256;

export interface AppendInput {
  token: string;
  env: Env;
  body: Uint8Array;
  warnings?: string[];
}

export interface Appended {
  id: string;
  seq: number;
  receivedAt: number;
}

export interface PendingEvent {
  seq: number;
  id: string;
  token: string;
  env: Env;
  body: Buffer;
  receivedAt: number;
  attempts: number;
}

export interface LaneStats {
  token: string;
  env: Env;
  pending: number;
  oldestReceivedAt: number | null;
}

export interface SpoolStats {
  pending: number;
  delivered: number;
  dead: number;
  bytes: number;
  maxBytes: number;
  lanes: LaneStats[];
  lastWriteError: string | null;
}

export interface Outcome {
  at: number;
  status: number | null;
  error?: string;
}

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
}
