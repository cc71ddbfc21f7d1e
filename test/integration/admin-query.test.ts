/**
 * GET /admin/api/events' query string, checked by its Elysia schema: through
 * the real relay on port 0, as the status page and curl reach it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { maskToken } from '../../src/lib/mask.ts';
import { type AdminRelay, basic, startAdminRelay } from '../helpers/admin.ts';
import { post, TOKEN, TOKEN2 } from '../helpers/relay.ts';

const PASSWORD = 'query-test';
/** More than the default limit of 50, so the default shows. */
const ON_TOKEN = 52;

let a: AdminRelay;
beforeAll(async () => {
  a = await startAdminRelay({ password: PASSWORD });
  for (let i = 0; i < ON_TOKEN; i++) expect((await post(a.url, TOKEN, `{"n":${i}}`)).status).toBe(200);
  expect((await post(a.url, TOKEN2, '{"n":"bar"}')).status).toBe(200);
});
afterAll(() => a.stop());

const events = async (query: string) => {
  const res = await a.admin(`/admin/api/events${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { events: { token: string; status: string }[] }).events;
};

describe('GET /admin/api/events: a valid query', () => {
  const cases: [string, string, number][] = [
    ['no query: the latest 50', '', 50],
    ['a limit', '?limit=3', 3],
    ['the largest limit', '?limit=1000', ON_TOKEN + 1],
    ['the smallest limit', '?limit=1', 1],
    ['a status', '?status=pending&limit=1000', ON_TOKEN + 1],
    ['a status with no events', '?status=dead', 0],
    ['a token', `?token=${TOKEN2}`, 1],
    ['an empty token, as none', '?token=&limit=1000', ON_TOKEN + 1],
    ['an unknown parameter, ignored', '?colour=red&limit=2', 2],
    ['a repeated parameter: the last counts', '?limit=abc&limit=4', 4],
  ];
  for (const [what, query, n] of cases) {
    it(`lists ${n} for ${what} (${query || 'none'})`, async () => {
      expect(await events(query)).toHaveLength(n);
    });
  }

  it('filters by token and status together', async () => {
    const got = await events(`?token=${TOKEN2}&status=pending`);
    expect(got.map((e) => [e.status, e.token])).toEqual([['pending', maskToken(TOKEN2)]]);
  });
});

describe('GET /admin/api/events: a refused query', () => {
  const STATUS = 'expected one of pending, delivered, dead';
  const LIMIT = 'expected an integer 1..1000';
  const cases: [string, string][] = [
    ['?status=lost', `Invalid status "lost": ${STATUS}`],
    ['?status=DEAD', `Invalid status "DEAD": ${STATUS}`],
    ['?status=', `Invalid status "": ${STATUS}`],
    [`?status=${'x'.repeat(100)}`, `Invalid status "${'x'.repeat(20)}": ${STATUS}`],
    ['?status=a%22b', `Invalid status "a\\"b": ${STATUS}`],
    ['?limit=0', `Invalid limit "0": ${LIMIT}`],
    ['?limit=-1', `Invalid limit "-1": ${LIMIT}`],
    ['?limit=1001', `Invalid limit "1001": ${LIMIT}`],
    ['?limit=1.5', `Invalid limit "1.5": ${LIMIT}`],
    ['?limit=abc', `Invalid limit "abc": ${LIMIT}`],
    ['?limit=', `Invalid limit "": ${LIMIT}`],
    ['?limit=4&limit=0', `Invalid limit "0": ${LIMIT}`],
    ['?status=lost&limit=0', `Invalid status "lost": ${STATUS}`],
  ];
  for (const [query, detail] of cases) {
    it(`answers ${query.slice(0, 40)} with 400 and the parameter, what it must be, what came`, async () => {
      const res = await a.admin(`/admin/api/events${query}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ detail });
    });
  }

  it('keeps the admin security headers on the 400', async () => {
    const res = await a.admin('/admin/api/events?limit=0');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  for (const auth of [null, basic('admin', 'wrong')]) {
    it(`tells a caller without the password (${auth ? 'wrong' : 'none'}) 401, not what was wrong with the query`, async () => {
      for (const query of ['?status=lost', '?limit=0', '?limit=abc']) {
        const res = await a.admin(`/admin/api/events${query}`, { auth });
        expect([query, res.status]).toEqual([query, 401]);
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="relay"');
        expect(res.headers.get('x-frame-options')).toBe('DENY');
        expect(((await res.json()) as { detail: string }).detail).toMatch(/^Authentication required/);
      }
    });
  }
});

describe('the rest of the app keeps its own error answers', () => {
  it('answers an unknown path, under /admin too, 404 {"detail": "Not Found"}', async () => {
    for (const path of ['/nope', '/admin/nope', '/webhooks/v1/pos']) {
      const res = await fetch(`${a.url}${path}`);
      expect([path, res.status]).toEqual([path, 404]);
      expect(await res.json()).toEqual({ detail: 'Not Found' });
    }
  });
});
