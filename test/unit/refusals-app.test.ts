/**
 * Webhooks refused before the ingest handler answers (no token in the path,
 * extra path parts, a bug that throws) go through the same tally as the
 * others: counted by reason, logged once and then counted, answered with the
 * cloud's {"detail"} body. Other paths are not webhook refusals.
 */
import { describe, expect, it } from 'bun:test';
import { createApp, type IngestService, RefusalTally } from '../../src/http/index.ts';
import { FakeClock } from '../helpers/clock.ts';
import { captureLog } from '../helpers/log.ts';

function app(admit: () => never) {
  const { log, lines } = captureLog('info');
  const refusals = new RefusalTally({ clock: new FakeClock(), log, tickMs: 3_600_000 });
  const ingest = { admit, refusals, maxBodyBytes: 1_000, stop: () => refusals.flush() } as unknown as IngestService;
  const health = () => ({}) as ReturnType<Parameters<typeof createApp>[0]['health']>;
  return { a: createApp({ ingest, health, log }), refusals, lines };
}

const POST = (path: string) => new Request(`http://relay.test${path}`, { method: 'POST', body: '{}' });

describe('refusals around the ingest handler', () => {
  it('counts a POST with no token as not_found, answering the same 404 as before', async () => {
    const { a, refusals, lines } = app(() => {
      throw new Error('not reached');
    });
    for (const path of ['/webhooks/v1/pos/', '/webhooks/v1/pos/abcd1234-x/extra', '/webhooks/v1/pos/']) {
      const res = await a.handle(POST(path));
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ detail: 'Not Found' });
    }
    expect(refusals.byReason().not_found).toBe(3);
    expect(refusals.entries().map((e) => [e.token, e.count])).toEqual([
      ['(no token)', 2],
      ['abcd1234…', 1],
    ]);
    expect(lines.map((l) => [l.reason, l.token])).toEqual([
      ['not_found', '(no token)'],
      ['not_found', 'abcd1234…'],
    ]);
  });

  it('counts a bug on the webhook path as internal_error: a 500, one error line with the cause, not one per request', async () => {
    const { a, refusals, lines } = app(() => {
      throw new Error('boom in admit');
    });
    for (let i = 0; i < 50; i++) {
      const res = await a.handle(POST('/webhooks/v1/pos/abcd1234-5678'));
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ detail: 'Internal Server Error' });
    }
    expect(refusals.byReason().internal_error).toBe(50);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', reason: 'internal_error', err: 'boom in admit' });
  });

  it('leaves other paths alone: a GET or another path is no webhook refusal', async () => {
    const { a, refusals } = app(() => {
      throw new Error('not reached');
    });
    expect((await a.handle(new Request('http://relay.test/webhooks/v1/pos/abc'))).status).toBe(404);
    expect((await a.handle(POST('/nowhere'))).status).toBe(404);
    expect(Object.values(refusals.byReason()).reduce((x, y) => x + y, 0)).toBe(0);
  });
});
