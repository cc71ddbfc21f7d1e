/**
 * What real POS HTTP clients send and read, through the relay in this
 * process on port 0 and a mock cloud: a production POS binding the cloud's
 * answer strictly gets its four keys and the warnings in a header
 * (warnings.in_body decides the body); a UTF-8 byte order mark (.NET's
 * StreamWriter with Encoding.UTF8) is removed before the JSON is stored and
 * forwarded; a compressed body is refused with a sentence saying to send it
 * plain. The same with curl and Python against the binary is
 * test/binary/clients.test.ts; the decisions alone, test/unit/body-*.test.ts.
 */

import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { deflateSync, gzipSync } from 'node:zlib';
import type { WarningsInBody } from '../../src/config/index.ts';
import { createApp, IngestService } from '../../src/http/index.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { ingestSettings } from '../../src/relay.ts';
import { Spool } from '../../src/spool/index.ts';
import { CLOUD_KEYS, headerWarnings, readAnswer } from '../helpers/answer.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { CLEAN } from '../helpers/payloads.ts';
import { ORDER_CREATED, post, startTestRelay, type TestRelay, TOKEN, tempDir, testConfig } from '../helpers/relay.ts';
import { fileRow } from '../helpers/spool-file.ts';
import { waitFor } from '../helpers/wait.ts';

const BOM = Uint8Array.of(0xef, 0xbb, 0xbf);
const utf8 = (s: string) => new TextEncoder().encode(s);
const withBom = (s: string) => new Uint8Array([...BOM, ...utf8(s)]);
const BOM_WARNING = /^the body began with a UTF-8 byte order mark, .*RFC 8259 §8\.1/;

let t: TestRelay;
let mock: MockCloud;
beforeAll(async () => {
  mock = await startMockCloud();
  t = await startTestRelay({ cloud: { url: mock.url } });
});
afterAll(async () => {
  await t.stop();
  await mock.stop();
});

/** What the cloud received for `eventId`, once delivered. */
async function delivered(eventId: string) {
  await waitFor(() => mock.stored.some((r) => r.headers['idempotency-key'] === eventId), `delivery of ${eventId}`);
  return mock.stored.find((r) => r.headers['idempotency-key'] === eventId)!;
}

const storedCount = (): number =>
  fileRow<{ n: number }>(t.config.spool.path, 'SELECT count(*) AS n FROM events')?.n ?? 0;

describe('a production POS gets the cloud answer, key for key', () => {
  it("answers the guide's own sample payload with exactly the four documented keys and the warnings in X-Relay-Warnings", async () => {
    const res = await post(t.url, TOKEN, ORDER_CREATED);
    expect(res.status).toBe(200);
    const text = await res.clone().text();
    expect(Object.keys(JSON.parse(text))).toEqual([...CLOUD_KEYS]);
    expect(text).not.toContain('warnings');
    const warnings = headerWarnings(res)!;
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/^table_number is missing: guide v2\.0 expects table_number, and table was sent/);
  });

  it('escapes what is not ASCII in the header, and a client reads back the very sentences', async () => {
    const raw = JSON.stringify({ ...CLEAN, timestamp: '24/11/2025 18:30 São Paulo ±3' });
    const res = await post(t.url, TOKEN, raw);
    const header = res.headers.get('x-relay-warnings')!;
    expect(header).toContain('S\\u00e3o Paulo \\u00b13');
    expect(headerWarnings(res)).toEqual([
      'timestamp "24/11/2025 18:30 São Paulo ±3" is not an ISO 8601 date-time: send e.g. "2025-11-24T18:30:00-03:00"',
    ]);
    expect(Object.keys((await res.json()) as object)).toEqual([...CLOUD_KEYS]);
  });

  it('puts the warnings in the body too for ?env=dev, where the guide says integrators test (in_body = "dev")', async () => {
    const res = await post(t.url, TOKEN, ORDER_CREATED, { env: 'dev' });
    const a = await readAnswer(res, 'dev');
    expect(a.warnings).toHaveLength(3);
  });

  it('sends no warning header with a clean payload', async () => {
    const res = await post(t.url, TOKEN, JSON.stringify(CLEAN));
    expect(res.headers.has('x-relay-warnings')).toBe(false);
    expect(Object.keys((await res.json()) as object)).toEqual([...CLOUD_KEYS]);
  });

  describe.each([
    ['always', { prod: true, dev: true }],
    ['never', { prod: false, dev: false }],
    ['dev', { prod: false, dev: true }],
  ] as const)('warnings.in_body = %p', (mode: WarningsInBody, inBody) => {
    const tmp = tempDir();
    let spool: Spool;
    let app: ReturnType<typeof createApp>;
    let url: string;
    beforeAll(async () => {
      const config = testConfig(tmp.dir, { warnings: { in_body: mode } });
      spool = await Spool.open({
        path: config.spool.path,
        maxBytes: 64 * 1024 * 1024,
        clock: systemClock,
        log: silentLogger,
      });
      // The relay's own wiring from config to service: warnings.in_body must reach it.
      const ingest = new IngestService(ingestSettings(config), { spool, clock: systemClock, log: silentLogger });
      app = createApp({ ingest, health: () => ({}) as never, log: silentLogger });
      app.listen({ hostname: '127.0.0.1', port: 0 });
      url = `http://127.0.0.1:${app.server!.port}`;
    });
    afterAll(async () => {
      await app.stop();
      await spool.close();
      tmp.cleanup();
    });

    it.each(['prod', 'dev'] as const)('env=%p: the header always, the body as configured', async (env) => {
      const res = await post(url, TOKEN, ORDER_CREATED, { env });
      const header = headerWarnings(res)!;
      expect(header).toHaveLength(3);
      const body = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(inBody[env] ? [...CLOUD_KEYS, 'warnings'] : [...CLOUD_KEYS]);
      if (inBody[env]) expect(body.warnings).toEqual(header);
    });
  });
});

describe('a UTF-8 byte order mark before the JSON', () => {
  it('is removed before the JSON is stored and forwarded: the cloud receives the JSON text after it, and the POS is told', async () => {
    const raw = JSON.stringify(CLEAN, null, 2);
    const res = await post(t.url, TOKEN, withBom(raw));
    expect(res.status).toBe(200);
    const a = (await res.json()) as { event_id: string };
    expect(Object.keys(a)).toEqual([...CLOUD_KEYS]);
    expect(headerWarnings(res)).toEqual([expect.stringMatching(BOM_WARNING)]);
    const stored = fileRow<{ body: Buffer; warnings: string }>(
      t.config.spool.path,
      'SELECT body, warnings FROM events WHERE id = ?',
      a.event_id,
    )!;
    expect(Buffer.compare(stored.body, Buffer.from(raw))).toBe(0);
    expect(JSON.parse(stored.warnings)).toEqual([expect.stringMatching(BOM_WARNING)]);
    const got = await delivered(a.event_id);
    expect(Buffer.compare(Buffer.from(got.body), Buffer.from(raw))).toBe(0);
    expect([...got.body.subarray(0, 1)]).toEqual([0x7b]);
    expect(await t.relay.metrics.render()).toMatch(/^relay_payload_warnings_total\{warning="utf8_bom"\} [1-9]/m);
  });

  it("keeps a payload's own warnings, object or not, with the BOM's last", async () => {
    const res = await post(t.url, TOKEN, withBom('[1,2]'));
    expect(res.status).toBe(200);
    expect(headerWarnings(res)).toEqual([
      expect.stringMatching(/^payload is an array, not a JSON object/),
      expect.stringMatching(BOM_WARNING),
    ]);
    const got = await delivered(((await res.json()) as { event_id: string }).event_id);
    expect(got.text).toBe('[1,2]');
  });

  it.each([
    ['a BOM and nothing else', BOM, /^Request body is empty/],
    ['two BOMs', new Uint8Array([...BOM, ...withBom('{}')]), /^Invalid JSON/],
    ['UTF-16 with its BOM (.NET Encoding.Unicode)', Uint8Array.of(0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00), /UTF-16/],
  ])('refuses %s with a 400 and stores nothing', async (_what, body, detail) => {
    const before = storedCount();
    const res = await post(t.url, TOKEN, body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
    expect(storedCount()).toBe(before);
  });
});

describe('Content-Encoding', () => {
  const json = JSON.stringify(CLEAN);
  const UNCOMPRESSED = /send the JSON uncompressed, with no Content-Encoding header$/;

  it.each([
    ['gzip', gzipSync(json)],
    ['x-gzip', gzipSync(json)],
    ['deflate', deflateSync(json)],
  ])(
    'refuses a %s body with 415 saying to send it uncompressed, storing and forwarding nothing',
    async (coding, body) => {
      const before = storedCount();
      const forwarded = mock.received.length;
      const res = await post(t.url, TOKEN, body, { headers: { 'content-encoding': coding } });
      expect(res.status).toBe(415);
      const detail = ((await res.json()) as { detail: string }).detail;
      expect(detail).toStartWith(`Compressed request bodies are not accepted (Content-Encoding "${coding}")`);
      expect(detail).toMatch(UNCOMPRESSED);
      expect(storedCount()).toBe(before);
      expect(mock.received.length).toBe(forwarded);
    },
  );

  it.each(['br', 'zstd', 'x-foo', 'gzip, br'])('refuses Content-Encoding %p with 415 unread', async (coding) => {
    const res = await post(t.url, TOKEN, json, { headers: { 'content-encoding': coding } });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({
      detail: `Unsupported Content-Encoding ${JSON.stringify(coding)}: send the JSON uncompressed, with no Content-Encoding header`,
    });
  });

  it.each(['gzip', 'deflate'])(
    'refuses plain JSON labelled %p with a 400 that says the label is wrong',
    async (coding) => {
      const before = storedCount();
      const res = await post(t.url, TOKEN, json, { headers: { 'content-encoding': coding } });
      expect(res.status).toBe(400);
      const detail = ((await res.json()) as { detail: string }).detail;
      expect(detail).toStartWith(`Request body is labelled Content-Encoding "${coding}" but is not`);
      expect(detail).toMatch(UNCOMPRESSED);
      expect(storedCount()).toBe(before);
    },
  );

  it('takes identity as no coding at all, and forwards the exact bytes', async () => {
    const res = await post(t.url, TOKEN, json, { headers: { 'content-encoding': 'identity' } });
    expect(res.status).toBe(200);
    const got = await delivered(((await res.json()) as { event_id: string }).event_id);
    expect(got.text).toBe(json);
  });

  it('answers a compressed body over server.max_body_bytes with 413, as any body that large', async () => {
    const small = await startTestRelay({ server: { max_body_bytes: 1024 } });
    try {
      const big = gzipSync(crypto.getRandomValues(new Uint8Array(4096)));
      const res = await post(small.url, TOKEN, big, { headers: { 'content-encoding': 'gzip' } });
      expect(res.status).toBe(413);
    } finally {
      await small.stop();
    }
  });

  it('counts the refusals by reason: compressed_body and mislabelled_encoding', async () => {
    const m = await t.relay.metrics.render();
    const count = (reason: string) =>
      Number(new RegExp(`^relay_refusals_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(m)?.[1]);
    // Three compressed, four unknown codings; two mislabelled.
    expect(count('compressed_body')).toBe(7);
    expect(count('mislabelled_encoding')).toBe(2);
  });
});
