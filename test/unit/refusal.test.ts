/**
 * The one refusal builder (src/http/refusal.ts): every `{"detail": ...}`
 * answer, the webhook contract's and the admin surface's, comes from it.
 */
import { describe, expect, it } from 'bun:test';
import { type Answer, errorRefusal, type RefusalOptions, refusal, reply } from '../../src/http/index.ts';
import type { Logger } from '../../src/lib/log.ts';

describe('refusal (pure)', () => {
  const cases: [string, [number, string, RefusalOptions?], Answer][] = [
    [
      'a status and a sentence',
      [401, 'Invalid or inactive webhook token'],
      {
        status: 401,
        body: { detail: 'Invalid or inactive webhook token' },
      },
    ],
    [
      'headers, sent as given',
      [429, 'Too Many Requests', { headers: { 'Retry-After': '1' } }],
      {
        status: 429,
        body: { detail: 'Too Many Requests' },
        headers: { 'Retry-After': '1' },
      },
    ],
    [
      'extra fields, after detail',
      [422, 'Config refused', { extra: { problems: ['a', 'b'] } }],
      {
        status: 422,
        body: { detail: 'Config refused', problems: ['a', 'b'] },
      },
    ],
    ['empty options, as none', [404, 'Not Found', {}], { status: 404, body: { detail: 'Not Found' } }],
  ];
  for (const [what, args, want] of cases) {
    it(`builds ${what}`, () => {
      const got = refusal(...args);
      expect(got).toStrictEqual(want);
      expect(Object.keys(got.body)[0]).toBe('detail');
    });
  }

  it('sends it as the cloud does: JSON, the status, the headers', async () => {
    const res = reply(refusal(503, 'Service Unavailable: retry later', { headers: { 'Retry-After': '5' } }));
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.text()).toBe('{"detail":"Service Unavailable: retry later"}');
  });
});

describe('errorRefusal (pure, but for the log line)', () => {
  const logged: unknown[] = [];
  const log = { error: (o: unknown) => logged.push(o) } as unknown as Logger;

  const cases: [string | number, number, string, boolean][] = [
    ['NOT_FOUND', 404, 'Not Found', false],
    ['PARSE', 400, 'Bad Request', false],
    ['VALIDATION', 400, 'Bad Request', false],
    ['UNKNOWN', 500, 'Internal Server Error', true],
    ['INTERNAL_SERVER_ERROR', 500, 'Internal Server Error', true],
    [418, 500, 'Internal Server Error', true],
  ];
  for (const [code, status, detail, logs] of cases) {
    it(`answers ${code} with ${status} ${detail}${logs ? ', and logs it' : ''}`, () => {
      logged.length = 0;
      expect(errorRefusal(code, new Error('boom'), log)).toStrictEqual({ status, body: { detail } });
      expect(logged).toEqual(logs ? [{ code, err: 'boom' }] : []);
    });
  }

  it('passes the caller headers on (the admin surface sends its own)', () => {
    expect(errorRefusal('NOT_FOUND', null, log, { headers: { 'X-Frame-Options': 'DENY' } })).toStrictEqual({
      status: 404,
      body: { detail: 'Not Found' },
      headers: { 'X-Frame-Options': 'DENY' },
    });
  });
});
