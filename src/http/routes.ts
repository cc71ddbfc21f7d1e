import { Elysia } from 'elysia';
import { readLimited } from './body.ts';
import type { RelayMetrics } from '../lib/metrics.ts';
import type { Answer, IngestService } from './ingest.ts';

/** An answer as the cloud would send it: JSON, status, and any headers. */
export function reply(a: Answer): Response {
  return new Response(JSON.stringify(a.body), {
    status: a.status,
    headers: { 'content-type': 'application/json', ...a.headers },
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
export const ingestRoutes = (service: IngestService, metrics?: RelayMetrics) =>
  new Elysia({ name: 'relay.ingest' }).post(
    '/webhooks/v1/pos/:token',
    async ({ params, request }) => {
      const started = performance.now();
      const res = await handle(service, params.token, request);
      metrics?.ingestSeconds((performance.now() - started) / 1000);
      return res;
    },
    { parse: 'none' },
  );

async function handle(service: IngestService, token: string, request: Request): Promise<Response> {
  const admitted = service.admit(token, envValues(request.url));
  if ('status' in admitted) return reply(admitted);
  const read = await readLimited(request, service.maxBodyBytes);
  if (!read.ok) return reply({ status: read.status, body: { detail: read.detail } });
  return reply(await service.store(admitted.token, admitted.env, read.bytes));
}

export const healthRoutes = (health: () => Record<string, unknown>) =>
  new Elysia({ name: 'relay.health' }).get('/health', () => reply({ status: 200, body: health() }));
