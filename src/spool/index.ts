export { DAMAGED, type ScanResult } from './background.ts';
export { type DrainEstimate, drainDuration, drainEstimate, drainWords, pacePerSecond } from './drain.ts';
export { READS_FORMATS, readFormat, SPOOL_FORMAT } from './format.ts';
export { SpoolOpenError } from './open.ts';
export { describeUnreadable } from './salvage-read.ts';
export { ENVS, EVENT_STATUSES, VERDICTS } from './schema.ts';
export { Spool } from './spool.ts';
// The spool's vocabulary, types.ts, is its face's too (rows, events, stats, settings).
export type * from './types.ts';
export { laneKey, ROW_OVERHEAD } from './types.ts';
export { SpoolFullError, SpoolWriteError } from './writer.ts';
