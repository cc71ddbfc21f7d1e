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
