export { createApp } from './app.ts';
export type { AppDeps, RelayApp } from './app.ts';
export { IngestService, INVALID_TOKEN } from './ingest.ts';
export type { IngestSettings, TokenEntry } from './ingest.ts';
export { checkJson, maxDepth, readLimited, MAX_DEPTH } from './body.ts';
