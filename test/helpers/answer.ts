/**
 * Reading a relay answer as a POS client would: the cloud's four keys in the
 * body, the relay's payload warnings in the X-Relay-Warnings header (a JSON
 * array of sentences, ASCII only).
 */
import { expect } from 'bun:test';

/** The cloud's success answer, key for key (basic guide, "Success Response"). */
export const CLOUD_KEYS = ['status', 'event_id', 'message', 'received_at'] as const;

/** The warnings of an answer's header; undefined when it has none. */
export function headerWarnings(res: Response): string[] | undefined {
  const raw = res.headers.get('x-relay-warnings');
  if (raw === null) return undefined;
  // Printable ASCII only, whatever the sentences hold: every client reads it back the same.
  expect(raw).toMatch(/^[\x20-\x7e]*$/);
  const parsed: unknown = JSON.parse(raw);
  expect(Array.isArray(parsed)).toBe(true);
  return parsed as string[];
}

export interface ReadAnswer {
  status: string;
  event_id: string;
  message: string;
  received_at: string;
  /** From the header; undefined when there are none. */
  warnings?: string[];
}

/**
 * A 200 read as a client reads it: the body has exactly the cloud's four
 * keys, plus "warnings" (the header's sentences) when the request went to
 * ?env=dev (warnings.in_body's default); the warnings come from the header.
 */
export async function readAnswer(res: Response, env = 'prod'): Promise<ReadAnswer> {
  const a = (await res.json()) as ReadAnswer;
  const warnings = headerWarnings(res);
  expect(Object.keys(a)).toEqual(env === 'dev' && warnings ? [...CLOUD_KEYS, 'warnings'] : [...CLOUD_KEYS]);
  if (env === 'dev') expect(a.warnings).toEqual(warnings);
  return { ...a, warnings };
}
