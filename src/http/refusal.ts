import type { Logger } from '../lib/log.ts';
import type { Answer } from './answer.ts';

export interface RefusalOptions {
  /** Sent with the answer: Retry-After, WWW-Authenticate, the admin surface's security headers. */
  headers?: Record<string, string>;
  /** Fields after `detail`, for a caller that acts on more than the sentence (the reload's `problems`). */
  extra?: Record<string, unknown> & { detail?: never };
}

/**
 * Every refusal the relay sends, the webhook contract's and the admin
 * surface's: `{"detail": "..."}` as the cloud's (FastAPI) answers are, so a
 * POS integration that reads the cloud's errors reads the relay's.
 */
export function refusal(status: number, detail: string, opts: RefusalOptions = {}): Answer {
  const body = opts.extra ? { detail, ...opts.extra } : { detail };
  return opts.headers ? { status, body, headers: opts.headers } : { status, body };
}

/**
 * Why the webhook endpoint refused a request: the id (a metric label, a
 * log field, a JSON key), the HTTP status it answers with, and what a person
 * reads about it, side by side. Every refusal of POST /webhooks/v1/pos/...
 * names one of these and is counted by the refusal tally (tally.ts).
 *
 * The status page's sentence for one token ("token 7f3c2a91…", "no token")
 * and the sender ("A POS", "A POS at 10.0.0.7") is `refusal.<id>` in the
 * i18n catalogs, one per language; `log` is the log's message and `level` its
 * level: a refusal is the client's mistake or a full spool (warn), except a
 * bug in the relay (error).
 */
export const REFUSALS = [
  {
    id: 'unknown_token',
    status: 401,
    level: 'warn',
    log: 'webhook refused: unknown or inactive token',
  },
  {
    id: 'invalid_json',
    status: 400,
    level: 'warn',
    log: 'webhook refused: the body is not JSON in UTF-8',
  },
  {
    id: 'too_large',
    status: 413,
    level: 'warn',
    log: 'webhook refused: the body is over server.max_body_bytes',
  },
  {
    id: 'body_timeout',
    status: 408,
    level: 'warn',
    log: 'webhook refused: the body did not arrive in time',
  },
  {
    id: 'compressed_body',
    status: 415,
    level: 'warn',
    log: 'webhook refused: a compressed body (Content-Encoding)',
  },
  {
    id: 'mislabelled_encoding',
    status: 400,
    level: 'warn',
    log: 'webhook refused: a body labelled gzip or deflate that is not',
  },
  {
    id: 'rate_limited',
    status: 429,
    level: 'warn',
    log: 'webhook refused: over limits.rate_per_token',
  },
  {
    id: 'spool_full',
    status: 503,
    level: 'warn',
    log: 'webhook refused: the spool is full',
  },
  {
    id: 'uploads_busy',
    status: 503,
    level: 'warn',
    log: 'webhook refused: server.max_uploads bodies already arriving',
  },
  {
    id: 'spool_failing',
    status: 503,
    level: 'warn',
    log: 'webhook refused: the spool cannot store the event',
  },
  {
    id: 'bad_request',
    status: 400,
    level: 'warn',
    log: 'webhook refused: a bad env or broken HTTP framing',
  },
  {
    id: 'not_found',
    status: 404,
    level: 'warn',
    log: 'webhook refused: no such webhook address',
  },
  {
    id: 'internal_error',
    status: 500,
    level: 'error',
    log: 'webhook refused: an error inside the relay',
  },
] as const;

export type RefusalId = (typeof REFUSALS)[number]['id'];
export const REFUSAL_IDS: readonly RefusalId[] = REFUSALS.map((r) => r.id);

/** A refusal of the webhook endpoint: an answer with its reason, and what the log may add (never sent). */
export type IngestRefusal = Answer & { reason: RefusalId; note?: string };

const STATUS = Object.fromEntries(REFUSALS.map((r) => [r.id, r.status])) as Record<RefusalId, number>;

/** The webhook endpoint's refusal for `reason`: its status comes from REFUSALS, so the two cannot disagree. */
export function ingestRefusal(
  reason: RefusalId,
  detail: string,
  opts: RefusalOptions & { note?: string } = {},
): IngestRefusal {
  const { note, ...rest } = opts;
  const a: IngestRefusal = { ...refusal(STATUS[reason], detail, rest), reason };
  if (note !== undefined) a.note = note;
  return a;
}

/**
 * The refusal for an error Elysia caught before or around a handler: no
 * route, a request it could not parse or that failed a schema, or a bug
 * (logged, and told to the caller only as a 500).
 */
export function errorRefusal(code: string | number, error: unknown, log: Logger, opts: RefusalOptions = {}): Answer {
  if (code === 'NOT_FOUND') return refusal(404, 'Not Found', opts);
  if (code === 'PARSE' || code === 'VALIDATION') return refusal(400, 'Bad Request', opts);
  log.error({ code, err: error instanceof Error ? error.message : String(error) }, 'unhandled error');
  return refusal(500, 'Internal Server Error', opts);
}
