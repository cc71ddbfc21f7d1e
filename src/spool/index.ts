export { DAMAGED } from './background.ts';
export { openSpoolFiles, SpoolOpenError } from './open.ts';
export type { AttemptSummary, EventDetail, EventSummary, LaneCounts, ListFilter, ReplayResult } from './queries.ts';
export * as queries from './queries.ts';
export * as schema from './schema.ts';
export { ENVS, EVENT_STATUSES, VERDICTS, type Verdict } from './schema.ts';
export type { Appended, AppendInput, Env, EventStatus, LaneStats, Outcome, PendingEvent, SpoolStats } from './spool.ts';
export { laneKey, ROW_OVERHEAD, Spool } from './spool.ts';
export { SpoolFullError, SpoolWriteError } from './writer.ts';
