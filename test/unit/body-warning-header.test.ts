/**
 * Where a 200's payload warnings travel (src/http/warning-header.ts), as pure
 * decisions: the X-Relay-Warnings header's value, and which answers carry
 * them in the body too (warnings.in_body). Through a real relay,
 * test/integration/clients.test.ts and warnings.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { WARNING_HEADER, warningHeaderValue, warningsInBody } from '../../src/http/index.ts';

describe('the X-Relay-Warnings header', () => {
  it('is named X-Relay-Warnings', () => expect(WARNING_HEADER).toBe('X-Relay-Warnings'));

  const sentences: [what: string, messages: string[]][] = [
    ['plain sentences with commas and quotes', ['table_number is missing: send "Mesa 8", e.g.', 'a, b']],
    ['accents and ± from the wording or the payload', ['add Z or ±hh:mm', 'timestamp "18:30 São Paulo"']],
    ['§ and an emoji (a surrogate pair)', ['RFC 8259 §8.1', 'table_number "🍕 12"']],
    ['control characters a payload value may carry', ['tab\there', 'new\r\nline', 'del\u007fete', 'nul\u0000']],
    ['no warnings at all', []],
  ];

  it.each(sentences)('carries %s as printable ASCII that parses back to the same strings', (_what, messages) => {
    const value = warningHeaderValue(messages);
    expect(value).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(value)).toEqual(messages);
    // A valid header value for the platform's own Headers, which refuses CR, LF and NUL.
    expect(new Headers({ [WARNING_HEADER]: value }).get(WARNING_HEADER)).toBe(value);
  });

  it('escapes characters past 0x7E as JSON \\u escapes', () => {
    expect(warningHeaderValue(['São ±'])).toBe('["S\\u00e3o \\u00b1"]');
  });
});

describe('warnings.in_body', () => {
  const table: [mode: 'dev' | 'always' | 'never', env: 'prod' | 'dev', inBody: boolean][] = [
    ['dev', 'prod', false],
    ['dev', 'dev', true],
    ['always', 'prod', true],
    ['always', 'dev', true],
    ['never', 'prod', false],
    ['never', 'dev', false],
  ];
  it.each(table)('%p puts an answer to env=%p in the body: %p', (mode, env, inBody) => {
    expect(warningsInBody(mode, env)).toBe(inBody);
  });
});
