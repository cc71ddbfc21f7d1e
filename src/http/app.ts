import { type AnyElysia, Elysia } from 'elysia';
import type { Logger } from '../lib/log.ts';
import type { RelayMetrics } from '../lib/metrics.ts';
import { reply } from './answer.ts';
import type { IngestService } from './ingest.ts';
import { errorRefusal, ingestRefusal, type RefusalId } from './refusal.ts';
import { clientOf, healthRoutes, ingestRoutes } from './routes.ts';

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
    .onError(({ code, error, request, server }) => {
      const token = webhookToken(request);
      if (token === null) return reply(errorRefusal(code, error, deps.log));
      // A webhook refused before its handler ran (no token, extra path parts,
      // a bug): counted and logged by the tally like every other refusal, not a line each.
      const why = WEBHOOK_ERRORS[String(code)] ?? INTERNAL;
      const note =
        why.reason === 'internal_error' ? (error instanceof Error ? error.message : String(error)) : undefined;
      deps.ingest.refusals.record(why.reason, token, clientOf(server, request), note);
      return reply(ingestRefusal(why.reason, why.detail));
    })
    .use(ingestRoutes(deps.ingest, deps.metrics))
    .use(healthRoutes(deps.health))
    .onStop(() => deps.ingest.stop());
}

const WEBHOOK_PATH = '/webhooks/v1/pos/';

/** Elysia's error codes on the webhook path, as refusals; any other code is a bug (500). */
const WEBHOOK_ERRORS: Partial<Record<string, { reason: RefusalId; detail: string }>> = {
  NOT_FOUND: { reason: 'not_found', detail: 'Not Found' },
  PARSE: { reason: 'bad_request', detail: 'Bad Request' },
  VALIDATION: { reason: 'bad_request', detail: 'Bad Request' },
};
const INTERNAL = { reason: 'internal_error', detail: 'Internal Server Error' } as const;

/** For a POST under the webhook path, the token part ("" when none); null for any other request. */
function webhookToken(request: Request): string | null {
  if (request.method !== 'POST') return null;
  const path = new URL(request.url).pathname;
  if (!path.startsWith(WEBHOOK_PATH)) return null;
  return decodeSafe(path.slice(WEBHOOK_PATH.length).split('/')[0]!);
}

const decodeSafe = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export type RelayApp = ReturnType<typeof createApp>;
