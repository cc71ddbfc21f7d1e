import type { WarningsInBody } from '../config/index.ts';
import type { Env } from '../spool/index.ts';

/**
 * Where a 200's payload warnings travel. The cloud's answer has four keys
 * (basic guide, "Success Response"), and a POS that binds it strictly (a
 * Jackson ObjectMapper with default settings) fails on a fifth; so the
 * warnings always go in this header, and in the body only where
 * `warnings.in_body` says.
 *
 * One header whose value is a JSON array of the sentences, the same strings
 * as the body's "warnings", rather than one header per warning: clients fold
 * repeated headers into one comma-joined value (fetch, .NET, Python's
 * `headers[...]`) and the sentences contain commas, so only one array reads
 * back unambiguously. Header values must be ASCII (RFC 9110 §5.5: others are
 * opaque bytes that .NET and Java decode as Latin-1), so every character
 * past 0x7E is written as a JSON \uXXXX escape; JSON.stringify already
 * escapes the control characters, so no CR or LF can end the header early.
 */
export const WARNING_HEADER = 'X-Relay-Warnings';

const NOT_PRINTABLE_ASCII = /[\u007f-\uffff]/g;

/** The header's value: a JSON array of `messages`, printable ASCII only. */
export function warningHeaderValue(messages: readonly string[]): string {
  return JSON.stringify(messages).replace(
    NOT_PRINTABLE_ASCII,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Whether an answer to a request on lane `env` carries its warnings in the body too. */
export const warningsInBody = (mode: WarningsInBody, env: Env): boolean =>
  mode === 'always' || (mode === 'dev' && env === 'dev');
