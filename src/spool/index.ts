export { DAMAGED, type ScanResult } from './background.ts';
export { type DrainEstimate, drainDuration, drainEstimate, drainWords, pacePerSecond } from './drain.ts';
export { READS_FORMATS, readFormat, SPOOL_FORMAT } from './format.ts';
export { SpoolOpenError } from './open.ts';
export { describeUnreadable } from './salvage-read.ts';
export { ENVS, EVENT_STATUSES, VERDICTS } from './schema.ts';
export { Spool } from './spool.ts';
export type {
  Appended,
  AppendInput,
  AttemptSummary,
  Env,
  EventDetail,
  EventStatus,
  EventSummary,
  HeadAttempts,
  LaneCounts,
  LaneStats,
  ListFilter,
  Outcome,
  PendingEvent,
  Progress,
  ReplayResult,
  SpoolDeps,
  SpoolSettings,
  SpoolStats,
  Verdict,
} from './types.ts';
export { laneKey, ROW_OVERHEAD } from './types.ts';
export { SpoolFullError, SpoolWriteError } from './writer.ts';
