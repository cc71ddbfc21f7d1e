import { type AnyElysia, Elysia } from 'elysia';
import type { Logger } from '../lib/log.ts';
import type { RelayMetrics } from '../lib/metrics.ts';
import type { IngestService } from './ingest.ts';
import { healthRoutes, ingestRoutes, reply } from './routes.ts';

export interface AppDeps {
  ingest: IngestService;
  /** The admin plugin (status page, API, /metrics); optional so the contract can be served alone. */
  admin?: AnyElysia;
  health: () => Record<string, unknown>;
  log: Logger;
  metrics?: RelayMetrics;
}

/** Every error body is `{"detail": "..."}`, as the cloud's (FastAPI-style) answers are. */
export function createApp(deps: AppDeps) {
  return new Elysia({ name: 'relay.app' })
    .onError(({ code, error }) => {
      if (code === 'NOT_FOUND') return reply({ status: 404, body: { detail: 'Not Found' } });
      if (code === 'PARSE' || code === 'VALIDATION') {
        return reply({ status: 400, body: { detail: 'Bad Request' } });
      }
      deps.log.error({ code, err: error instanceof Error ? error.message : String(error) }, 'unhandled error');
      return reply({ status: 500, body: { detail: 'Internal Server Error' } });
    })
    .use(ingestRoutes(deps.ingest, deps.metrics))
    .use(healthRoutes(deps.health))
    .use(deps.admin ?? new Elysia({ name: 'relay.admin.none' }));
}

export type RelayApp = ReturnType<typeof createApp>;
