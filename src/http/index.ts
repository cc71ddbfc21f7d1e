export { type Answer, reply } from './answer.ts';
export type { AppDeps, RelayApp } from './app.ts';
export { createApp } from './app.ts';
export { checkJson, judgeEncoding, MAX_DEPTH, maxDepth, readLimited, splitBom } from './body.ts';
export { SERVER_IDLE_SECONDS } from './deadline.ts';
export type { IngestSettings, TokenEntry } from './ingest.ts';
export { INVALID_TOKEN, IngestService } from './ingest.ts';
export {
  errorRefusal,
  type IngestRefusal,
  ingestRefusal,
  REFUSAL_IDS,
  REFUSALS,
  type RefusalId,
  type RefusalOptions,
  refusal,
} from './refusal.ts';
export {
  ACTIVE_MS,
  clockTime,
  people,
  RECENT_MINUTES,
  type ReasonCount,
  type RefusalEntry,
  RefusalTally,
  refusalLine,
} from './tally.ts';
export { WARNING_HEADER, warningHeaderValue, warningsInBody } from './warning-header.ts';
