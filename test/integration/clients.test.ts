/**
 * What real POS HTTP clients send and read, through the relay in this
 * process on port 0 and a mock cloud: a production POS binding the cloud's
 * answer strictly gets its four keys and the warnings in a header
 * (warnings.in_body decides the body). The same with curl and Python against the binary is
 * test/binary/clients.test.ts; the decisions alone, test/unit/body-*.test.ts.
 */

import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
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
      const ingest = new IngestService(
        { ...ingestSettings(config), warningsInBody: config.warnings.in_body },
        { spool, clock: systemClock, log: silentLogger },
      );
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
