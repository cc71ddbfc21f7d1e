import { Elysia } from 'elysia';
import type { RelayMetrics } from '../lib/metrics.ts';
import { BodyBudget, readLimited } from './body.ts';
import type { Answer, IngestService } from './ingest.ts';

const JSON_ONLY = { 'content-type': 'application/json' };

/** An answer as the cloud would send it: JSON, status, and any headers. */
export function reply(a: Answer): Response {
  return new Response(JSON.stringify(a.body), {
    status: a.status,
    headers: a.headers ? { ...JSON_ONLY, ...a.headers } : JSON_ONLY,
  });
}

function envValues(url: string): string[] {
  const q = url.indexOf('?');
  if (q === -1) return [];
  return new URLSearchParams(url.slice(q + 1)).getAll('env');
}

/**
 * POST /webhooks/v1/pos/{token}?env=dev|prod — the cloud's contract (basic
 * guide, "Webhook Endpoint"). The body is read raw (`parse: 'none'`): it is
 * stored byte for byte, never re-serialised.
 */
export const ingestRoutes = (service: IngestService, metrics?: RelayMetrics) => {
  const large = new BodyBudget(LARGE_BUDGET);
  return new Elysia({ name: 'relay.ingest' }).post(
    '/webhooks/v1/pos/:token',
    async ({ params, request }) => {
      const started = performance.now();
      const res = await handle(service, params.token, request, large);
      metrics?.ingestSeconds((performance.now() - started) / 1000);
      return res;
    },
    { parse: 'none' },
  );
};

/** Bodies above this take turns while checked and stored; the usual few-KB webhook never waits. */
const LARGE_BODY = 1024 * 1024;
/**
 * One 10 MB body at a time (several smaller ones), each followed by a full
 * GC (~10 ms): eight concurrent 10 MB uploads peaked at 352-362 MB RSS
 * without this and 275-277 MB with it (test/bench memory, 3 runs each); a
 * 32 MB budget or the GC alone left 337-368 MB. Garbage of a parsed 10 MB
 * body (its text and parse tree, ~30 MB) is otherwise still held when the
 * next one is parsed.
 */
const LARGE_BUDGET = 16 * 1024 * 1024;

async function handle(service: IngestService, token: string, request: Request, large: BodyBudget): Promise<Response> {
  const admitted = service.admit(token, envValues(request.url));
  if ('status' in admitted) return reply(admitted);
  const read = await readLimited(request, service.maxBodyBytes, { framed: true });
  if (!read.ok) return reply({ status: read.status, body: { detail: read.detail } });
  const n = read.bytes.byteLength;
  if (n <= LARGE_BODY) return reply(await service.store(admitted.token, admitted.env, read.bytes));
  await large.acquire(n);
  try {
    return reply(await service.store(admitted.token, admitted.env, read.bytes));
  } finally {
    large.release(n);
    Bun.gc(true);
  }
}

export const healthRoutes = (health: () => Record<string, unknown>) =>
  new Elysia({ name: 'relay.health' }).get('/health', () => reply({ status: 200, body: health() }));
