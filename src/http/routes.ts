import { Elysia } from 'elysia';
import type { RelayMetrics } from '../lib/metrics.ts';
import { type Answer, reply } from './answer.ts';
import { BodyBudget, encodedBodyDetail, judgeEncoding, readLimited } from './body.ts';
import { bodyDeadlineMs, idleSecondsFor, lateBodyDetail, SERVER_IDLE_SECONDS } from './deadline.ts';
import type { IngestService } from './ingest.ts';
import { type IngestRefusal, ingestRefusal } from './refusal.ts';

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
  const uploads: Uploads = { arriving: 0 };
  return new Elysia({ name: 'relay.ingest' }).post(
    '/webhooks/v1/pos/:token',
    async ({ params, request, server }) => {
      const started = performance.now();
      const answer = await handle(service, params.token, request, large, uploads, server);
      if (answer === GONE) {
        service.notStored(params.token, clientOf(server, request));
        return reply({ status: 400, body: { detail: 'Connection closed before the answer' } });
      }
      // The one place every refusal of this route passes: counted, and logged at most once a minute per kind.
      if ('reason' in answer)
        service.refusals.record(answer.reason, params.token, clientOf(server, request), answer.note);
      // Stored, but the connection closed while it was: the POS gets no answer and may send it again.
      if (answer.status === 200 && request.signal.aborted)
        service.answerLost(params.token, String(answer.body.event_id), clientOf(server, request));
      const res = reply(answer);
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
 * GC (~10 ms): the garbage of a parsed 10 MB body (its text and parse tree,
 * ~30 MB) is otherwise still held when the next one is parsed, and
 * concurrent large uploads pile it up. Neither the budget nor the GC alone
 * keeps the peak down (test/bench memory measures it).
 */
const LARGE_BUDGET = 16 * 1024 * 1024;

/** Seconds a POS is asked to wait when server.max_uploads bodies are arriving: slow ones finish or time out meanwhile. */
const BUSY_RETRY_AFTER_S = 5;

/** Bodies being read now, across requests: server.max_uploads bounds it. */
interface Uploads {
  arriving: number;
}

/** The peer's address, asked for only when the tally meets a token for the first time. */
type Peer =
  | { requestIP(request: Request): { address: string } | null; timeout?(request: Request, seconds: number): void }
  | null
  | undefined;
export const clientOf = (server: Peer, request: Request) => (): string | null =>
  server?.requestIP(request)?.address ?? null;

/** The request's connection closed before it was stored: nothing is stored, and no answer can reach the POS. */
const GONE = Symbol('connection closed');

/**
 * Whether the connection closed under the request. Bun's server cannot
 * answer a request while another follows it on the connection (two
 * requests in one send, or a CRLF after the body): it closes the connection
 * and drops the answer, and the request's signal aborts one turn of the
 * event loop after its body was read. Asked after that turn and before
 * storing, so the POS's resend is not a duplicate.
 */
async function connectionClosed(request: Request): Promise<boolean> {
  await new Promise((resolve) => setImmediate(resolve));
  return request.signal.aborted;
}

async function handle(
  service: IngestService,
  token: string,
  request: Request,
  large: BodyBudget,
  uploads: Uploads,
  server: Peer,
): Promise<Answer | IngestRefusal | typeof GONE> {
  const admitted = service.admit(token, envValues(request.url));
  if ('status' in admitted) return admitted;
  // Before the body is read: an encoding the cloud cannot read is refused unread (body.ts judgeEncoding).
  const encoding = judgeEncoding(request.headers.get('content-encoding'));
  if (encoding.kind === 'refuse') return ingestRefusal('compressed_body', encoding.detail);
  // Unread, the body left on the connection would read as a next request: both refusals close it.
  const max = service.maxUploads;
  if (uploads.arriving >= max) {
    return ingestRefusal(
      'uploads_busy',
      `Service Unavailable: ${max} webhook bodies are arriving already (server.max_uploads); retry in ${BUSY_RETRY_AFTER_S} s`,
      { headers: { 'Retry-After': String(BUSY_RETRY_AFTER_S), Connection: 'close' } },
    );
  }
  const length = request.headers.get('content-length');
  const declared = length !== null && /^\d+$/.test(length) ? Number(length) : null;
  const base = service.bodyTimeoutSeconds;
  const ms = bodyDeadlineMs(declared, service.maxBodyBytes, base);
  // Bun's own timer would close the connection first, unanswered: pushed past the relay's deadline.
  const idle = idleSecondsFor(ms, SERVER_IDLE_SECONDS);
  if (idle !== null) server?.timeout?.(request, idle);
  uploads.arriving++;
  let read: Awaited<ReturnType<typeof readLimited>>;
  try {
    read = await readLimited(request, service.maxBodyBytes, {
      framed: true,
      deadline: { ms, detail: () => lateBodyDetail(declared, ms, base) },
    });
  } finally {
    uploads.arriving--;
  }
  if (!read.ok) {
    return ingestRefusal(read.reason, read.detail, read.status === 408 ? { headers: { Connection: 'close' } } : {});
  }
  if (encoding.kind === 'look') {
    const judged = encodedBodyDetail(encoding.coding, encoding.label, read.bytes);
    return ingestRefusal(judged.compressed ? 'compressed_body' : 'mislabelled_encoding', judged.detail);
  }
  if (await connectionClosed(request)) return GONE;
  const n = read.bytes.byteLength;
  if (n <= LARGE_BODY) return service.store(admitted.token, admitted.env, read.bytes);
  await large.acquire(n);
  try {
    return await service.store(admitted.token, admitted.env, read.bytes);
  } finally {
    large.release(n);
    Bun.gc(true);
  }
}

// Spread: Health is an interface, which has no index signature for Answer's body.
export const healthRoutes = (health: () => import('../health/index.ts').Health) =>
  new Elysia({ name: 'relay.health' }).get('/health', () => reply({ status: 200, body: { ...health() } }));
