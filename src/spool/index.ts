export { Spool, laneKey, ROW_OVERHEAD } from './spool.ts';
export type { AppendInput, Appended, Env, EventStatus, LaneStats, Outcome, PendingEvent, SpoolStats } from './spool.ts';
export { SpoolFullError, SpoolWriteError } from './writer.ts';
export { SpoolOpenError } from './open.ts';
export * as schema from './schema.ts';
export * as queries from './queries.ts';
export type { AttemptSummary, EventDetail, EventSummary, LaneCounts, ListFilter, ReplayResult } from './queries.ts';
export { openSpoolFiles } from './open.ts';
