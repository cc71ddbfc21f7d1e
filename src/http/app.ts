import { type AnyElysia, Elysia } from 'elysia';
import type { Logger } from '../lib/log.ts';
import type { RelayMetrics } from '../lib/metrics.ts';
import { reply } from './answer.ts';
import type { IngestService } from './ingest.ts';
import { errorRefusal } from './refusal.ts';
import { healthRoutes, ingestRoutes } from './routes.ts';

export interface AppDeps {
  ingest: IngestService;
  /** The admin plugin (status page, API, /metrics); optional so the contract can be served alone. */
  admin?: AnyElysia;
  health: () => import('../health/index.ts').Health;
  log: Logger;
  metrics?: RelayMetrics;
}

/**
 * Every error body is `{"detail": "..."}`, as the cloud's (FastAPI-style) answers are.
 *
 * The admin plugin is mounted before the app's error handler, which therefore
 * does not apply to its routes: Elysia runs an app's error hooks before a
 * plugin's own, and the admin plugin answers its errors itself, checking the
 * caller before it says what was wrong with a request (admin/routes.ts).
 * Unknown paths, /admin/* included, still get the app's 404.
 */
export function createApp(deps: AppDeps) {
  return new Elysia({ name: 'relay.app' })
    .use(deps.admin ?? new Elysia({ name: 'relay.admin.none' }))
    .onError(({ code, error }) => reply(errorRefusal(code, error, deps.log)))
    .use(ingestRoutes(deps.ingest, deps.metrics))
    .use(healthRoutes(deps.health));
}

export type RelayApp = ReturnType<typeof createApp>;
