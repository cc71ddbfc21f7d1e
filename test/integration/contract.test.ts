/**
 * The webhook contract of the relay in this process on port 0: the cloud's
 * answers and their shapes, the exact bytes stored, the body size limit, the
 * per-token rate limit and a spool that cannot take an event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { FakeClock } from '../helpers/clock.ts';
import { INACTIVE, ORDER_CREATED, post, startTestRelay, type TestRelay, TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { fileExec, fileRow, fileRows } from '../helpers/spool-file.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function storedBody(t: TestRelay, id: string): Buffer | undefined {
  const row = fileRow<{ body: Buffer }>(t.config.spool.path, 'SELECT body FROM events WHERE id = ?', id);
  return row?.body;
}

describe('the webhook contract, served locally', () => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay({ limits: { rate_per_token: 1000, burst_per_token: 100000 } });
  });
  afterAll(() => t.stop());

  it('answers 200 with the cloud success shape and stores the exact bytes', async () => {
    const before = Date.now();
    const res = await post(t.url, TOKEN, ORDER_CREATED);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as Record<string, string>;
    // ORDER_CREATED is the guide v1.0 example (`table`, items without timestamps): warned, yet a
    // production POS binding the cloud's four keys strictly meets no fifth; the warnings are in a header.
    expect(Object.keys(body)).toEqual(['status', 'event_id', 'message', 'received_at']);
    expect(JSON.parse(res.headers.get('x-relay-warnings')!)).toHaveLength(3);
    expect(body.status).toBe('success');
    expect(body.message).toBe('Webhook received and stored');
    expect(body.event_id).toMatch(UUID_V7);
    expect(body.received_at).toMatch(ISO_MS_UTC);
    expect(Date.parse(body.received_at!)).toBeGreaterThanOrEqual(before - 5);
    const stored = storedBody(t, body.event_id!);
    expect(stored?.toString('utf8')).toBe(ORDER_CREATED);
    expect(stored?.toString('utf8')).toContain('"price": 19.00');
  });

  it('acknowledges only what is committed: the row is readable from a second connection at ack time', async () => {
    const res = await post(t.url, TOKEN, '{"event":"x","total":1.10}');
    const { event_id } = (await res.json()) as { event_id: string };
    const rows = fileRows<{ status: string }>(t.config.spool.path, 'SELECT status FROM events WHERE id = ?', event_id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('pending');
    expect(t.relay.spool.settings()).toMatchObject({ synchronous: 2, journalMode: 'wal' });
  });

  it('gives UUIDv7 event ids that grow with acknowledgement order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = (await (await post(t.url, TOKEN, `{"i":${i}}`)).json()) as { event_id: string };
      ids.push(r.event_id);
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(20);
  });

  it('treats no env as prod and ?env=dev as dev', async () => {
    const prod = (await (await post(t.url, TOKEN, '{"a":1}')).json()) as { event_id: string };
    const dev = (await (await post(t.url, TOKEN, '{"a":2}', { env: 'dev' })).json()) as { event_id: string };
    const prodExplicit = (await (await post(t.url, TOKEN, '{"a":3}', { env: 'prod' })).json()) as { event_id: string };
    const envOf = (id: string) =>
      fileRow<{ env: string }>(t.config.spool.path, 'SELECT env FROM events WHERE id = ?', id)!.env;
    expect([envOf(prod.event_id), envOf(dev.event_id), envOf(prodExplicit.event_id)]).toEqual(['prod', 'dev', 'prod']);
  });

  const rejects: [string, () => Promise<Response>, number, RegExp][] = [
    ['an env typo', () => post(t.url, TOKEN, '{}', { env: 'production' }), 400, /allowed values are "prod".*"dev"/],
    ['an empty env', () => post(t.url, TOKEN, '{}', { env: '' }), 400, /allowed values/],
    [
      'env given twice',
      () => fetch(`${t.url}/webhooks/v1/pos/${TOKEN}?env=dev&env=prod`, { method: 'POST', body: '{}' }),
      400,
      /allowed values/,
    ],
    ['an unknown token', () => post(t.url, 'not-a-token', '{}'), 401, /^Invalid or inactive webhook token$/],
    ['an inactive token', () => post(t.url, INACTIVE, '{}'), 401, /^Invalid or inactive webhook token$/],
    ['an empty body', () => post(t.url, TOKEN, ''), 400, /empty/],
    ['invalid JSON', () => post(t.url, TOKEN, '{"event": "order_created",'), 400, /^Invalid JSON/],
    [
      'invalid UTF-8',
      () => post(t.url, TOKEN, new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])),
      400,
      /UTF-8/,
    ],
    ['two JSON documents', () => post(t.url, TOKEN, '{} {}'), 400, /^Invalid JSON/],
    ['NaN', () => post(t.url, TOKEN, '{"a": NaN}'), 400, /^Invalid JSON/],
    ['JSON nested 513 deep', () => post(t.url, TOKEN, '['.repeat(513) + ']'.repeat(513)), 400, /512/],
    [
      'an unknown path',
      () => fetch(`${t.url}/webhooks/v2/pos/${TOKEN}`, { method: 'POST', body: '{}' }),
      404,
      /Not Found/,
    ],
  ];
  for (const [what, send, status, detail] of rejects) {
    it(`refuses ${what} with ${status} and a {"detail"} body, storing nothing`, async () => {
      const count = () => fileRow<{ n: number }>(t.config.spool.path, 'SELECT count(*) AS n FROM events')!.n;
      const before = count();
      const res = await send();
      expect(res.status).toBe(status);
      const body = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['detail']);
      expect(String(body.detail)).toMatch(detail);
      expect(count()).toBe(before);
    });
  }

  it('accepts any JSON value: arrays, strings, numbers, null', async () => {
    for (const v of ['[1,2,3]', '"text"', '42', 'null', '{"nested":{"a":[{"b":null}]}}']) {
      const res = await post(t.url, TOKEN2, v);
      expect(res.status).toBe(200);
    }
  });

  it('answers /health with spool, cloud and pending', async () => {
    const res = await fetch(`${t.url}/health`);
    expect(res.status).toBe(200);
    const h = (await res.json()) as { spool: { ok: boolean; pending: number }; cloud: { reachable: unknown } };
    expect(h.spool.ok).toBe(true);
    const pending = fileRow<{ n: number }>(
      t.config.spool.path,
      `SELECT count(*) AS n FROM events WHERE status='pending'`,
    )!.n;
    expect(h.spool.pending).toBe(pending);
    expect(pending).toBeGreaterThan(0);
    expect(h.cloud).toHaveProperty('reachable');
  });
});

describe('body size limit', () => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay();
  });
  afterAll(() => t.stop());
  const MAX = 10 * 1024 * 1024;

  /** A JSON string value padded to exactly `n` bytes. */
  const jsonOfSize = (n: number) => `"${'a'.repeat(n - 2)}"`;

  it('accepts a body of exactly 10 MB', async () => {
    const res = await post(t.url, TOKEN, jsonOfSize(MAX));
    expect(res.status).toBe(200);
  });

  it('refuses 10 MB + 1 byte with 413 from Content-Length', async () => {
    const res = await post(t.url, TOKEN, jsonOfSize(MAX + 1));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/too large/i);
  });

  it('refuses a chunked body over 10 MB with 413 while streaming', async () => {
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    const stream = new ReadableStream<Uint8Array>({
      pull(ctl) {
        if (sent > MAX + chunk.length * 4) return ctl.close();
        sent += chunk.length;
        ctl.enqueue(chunk);
      },
    });
    const res = await fetch(`${t.url}/webhooks/v1/pos/${TOKEN}`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    const count = fileRow<{ n: number }>(
      t.config.spool.path,
      'SELECT count(*) AS n FROM events WHERE size > ?',
      MAX,
    )!.n;
    expect(count).toBe(0);
  });

  it('refuses by Content-Length before reading: a lying header with no body still gets 413', async () => {
    const url = new URL(t.url);
    const sock = await Bun.connect({
      hostname: url.hostname,
      port: Number(url.port),
      socket: {
        data(s, d) {
          (s.data as { buf: string }).buf += new TextDecoder().decode(d);
        },
      },
      data: { buf: '' },
    });
    sock.write(
      `POST /webhooks/v1/pos/${TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${MAX + 1}\r\n\r\n{`,
    );
    const deadline = Date.now() + 3000;
    while (!(sock.data as { buf: string }).buf.includes('\r\n\r\n') && Date.now() < deadline) await Bun.sleep(10);
    sock.end();
    expect((sock.data as { buf: string }).buf).toStartWith('HTTP/1.1 413');
  });
});

describe('per-token rate limit', () => {
  it('answers 429 with Retry-After past the burst, per token', async () => {
    // On a clock that stands still, the five posts are one instant however slow
    // the machine: the burst is all there is, and Retry-After is exactly the refill.
    const clock = new FakeClock();
    const t = await startTestRelay({ limits: { rate_per_token: 1, burst_per_token: 3 } }, { clock });
    try {
      const codes: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i++) {
        const r = await post(t.url, TOKEN, '{"a":1}');
        codes.push(r.status);
        if (r.status === 429) {
          retryAfter = r.headers.get('retry-after');
          expect(((await r.json()) as { detail: string }).detail).toMatch(/Too Many Requests/);
        }
      }
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      expect(retryAfter).toBe('1'); // one token a second
      expect((await post(t.url, TOKEN2, '{"a":1}')).status).toBe(200);
      clock.advance(1000);
      expect((await post(t.url, TOKEN, '{"a":1}')).status).toBe(200);
      expect((await post(t.url, TOKEN, '{"a":1}')).status).toBe(429);
    } finally {
      await t.stop();
    }
  });
});

describe('when the spool cannot take an event', () => {
  it('answers 503 with Retry-After once the quota is reached, and never a 200 for what it did not store', async () => {
    // 5.1 MB quota (4 MB of it counted for the write-ahead log); each event ~300 KB.
    const t = await startTestRelay({ spool: { max_size_mb: 5.1 } });
    try {
      const big = `{"pad":"${'x'.repeat(300_000)}"}`;
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await post(t.url, TOKEN, big);
        codes.push(r.status);
        if (r.status === 503) {
          expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
          expect(((await r.json()) as { detail: string }).detail).toMatch(/full/);
        }
      }
      expect(codes).toEqual([200, 200, 200, 503, 503]);
      const n = fileRow<{ n: number }>(t.config.spool.path, 'SELECT count(*) AS n FROM events')!.n;
      expect(n).toBe(3);
    } finally {
      await t.stop();
    }
  });

  it('answers 503 when the database refuses the write', async () => {
    const t = await startTestRelay();
    try {
      // A trigger makes every insert fail, as a broken disk would.
      fileExec(
        t.config.spool.path,
        `CREATE TRIGGER fail BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`,
      );
      const r = await post(t.url, TOKEN, '{"a":1}');
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBeTruthy();
      const h = (await (await fetch(`${t.url}/health`)).json()) as { spool: { ok: boolean } };
      expect(h.spool.ok).toBe(false);
      fileExec(t.config.spool.path, 'DROP TRIGGER fail');
      expect((await post(t.url, TOKEN, '{"a":1}')).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});
