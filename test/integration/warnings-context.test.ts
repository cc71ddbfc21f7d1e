/**
 * The warnings that need context (the site's zone, the relay's clock and the
 * cloud's, the token's history, the lane) on a real server on port 0: each
 * one in a 200 answer (its X-Relay-Warnings header), the stored and forwarded bytes unchanged, a clean
 * payload in the site's zone answered with exactly the cloud's four keys,
 * and the table_number history kept across a restart. Which payload gets
 * which wording is test/unit/warnings-time.test.ts and warnings-history.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { createApp, IngestService } from '../../src/http/index.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { ingestSettings } from '../../src/relay.ts';
import { Spool } from '../../src/spool/index.ts';
import { readAnswer } from '../helpers/answer.ts';
import { FakeClock } from '../helpers/clock.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { post, startTestRelay, type TestRelay, TOKEN, TOKEN2, tempDir, testConfig } from '../helpers/relay.ts';
import { fileRow } from '../helpers/spool-file.ts';
import { waitFor } from '../helpers/wait.ts';

const MIN = 60_000;
const ZONE = { site: { timezone: 'America/Sao_Paulo' } };
/** São Paulo wall-clock time with its offset (-03:00 all year since 2019), `minutes` from now. */
const sp = (minutes = 0, now = Date.now()) =>
  `${new Date(now + minutes * MIN - 180 * MIN).toISOString().slice(0, 19)}-03:00`;
/** Pretty-printed with 19.00, as a POS's JSON library would: the bytes must come back as sent. */
const body = (fields: Record<string, unknown>) =>
  JSON.stringify(
    {
      event: 'session_complete',
      order_id: 'ORD-2025-0124',
      table_number: 'Mesa 8',
      timestamp: sp(),
      items: [{ timestamp: sp(-5), employee_id: 72, name: 'Pasta', price: 'PRICE' }],
      ...fields,
    },
    null,
    2,
  ).replace('"PRICE"', '19.00');

type Answer = { status: string; event_id: string; message: string; received_at: string; warnings?: string[] };

describe('context warnings in the 200 answer', () => {
  let t: TestRelay;
  let mock: MockCloud;
  beforeAll(async () => {
    mock = await startMockCloud();
    t = await startTestRelay({ ...ZONE, cloud: { url: mock.url }, warnings: { identifier_min_samples: 5 } });
  });
  afterAll(async () => {
    await t.stop();
    await mock.stop();
  });

  /** Posts `raw`, checks the answer's keys, the stored bytes and the forwarded bytes; returns the answer. */
  async function send(raw: string, opts: { token?: string; env?: string } = {}): Promise<Answer> {
    const res = await post(t.url, opts.token ?? TOKEN, raw, opts.env ? { env: opts.env } : {});
    expect(res.status).toBe(200);
    const a: Answer = await readAnswer(res, opts.env);
    const stored = await t.relay.spool.getEvent(a.event_id);
    expect(Buffer.from(stored!.body).toString()).toBe(raw);
    expect(stored!.warnings).toEqual(a.warnings ?? []);
    await waitFor(() => mock.stored.some((r) => r.headers['idempotency-key'] === a.event_id), 'delivery');
    expect(mock.stored.find((r) => r.headers['idempotency-key'] === a.event_id)!.text).toBe(raw);
    return a;
  }

  it("answers a clean payload in the site's zone with exactly the cloud's four keys", async () => {
    const a = await send(body({}));
    expect(a.warnings).toBeUndefined();
    const row = fileRow<{ warnings: string | null }>(
      t.config.spool.path,
      'SELECT warnings FROM events WHERE id = ?',
      a.event_id,
    );
    expect(row?.warnings).toBeNull();
  });

  it('timestamp_wrong_timezone: UTC from a São Paulo restaurant, with the local time to send', async () => {
    const now = Date.now();
    const utc = `${new Date(now).toISOString().slice(0, 19)}Z`;
    const a = await send(body({ timestamp: utc }));
    expect(a.warnings).toEqual([
      `timestamp "${utc}" is in UTC (+00:00), but the site's zone America/Sao_Paulo is at -03:00 then: send local time with its offset, e.g. "${sp(0, Math.floor(now / 1000) * 1000)}"`,
    ]);
  });

  it("timestamp_in_future: three hours ahead of the relay's clock blames the POS clock", async () => {
    const ahead = sp(180);
    const a = await send(body({ timestamp: ahead }));
    expect(a.warnings).toHaveLength(1);
    expect(a.warnings![0]).toMatch(
      new RegExp(
        `^timestamp "${ahead}" is 3 hours ahead of this relay's clock \\(.*-03:00\\): the POS clock may be wrong`,
      ),
    );
  });

  it('test_data_in_prod: a connection test sent to prod is told to use ?env=dev; the same in dev is clean', async () => {
    const test = body({ event: 'connection_test', table_number: 'Test Table' });
    const a = await send(test);
    expect(a.warnings).toEqual([
      `this looks like test data (event "connection_test") sent to production: send tests to ?env=dev so they stay out of the restaurant's dashboard`,
    ]);
    expect((await send(test, { env: 'dev' })).warnings).toBeUndefined();
  });

  it('table_number_inconsistent: after identifier_min_samples values, "Table 12" among "Mesa N"', async () => {
    for (let i = 1; i <= 4; i++)
      expect((await send(body({ table_number: `Mesa ${i}` }), { token: TOKEN2 })).warnings).toBeUndefined();
    // Four values are not enough to call one out.
    expect((await send(body({ table_number: 'M-104' }), { token: TOKEN2 })).warnings).toBeUndefined();
    for (let i = 5; i <= 8; i++) await send(body({ table_number: `Mesa ${i}` }), { token: TOKEN2 });
    const a = await send(body({ table_number: 'Table 12' }), { token: TOKEN2 });
    expect(a.warnings).toEqual([
      `table_number "Table 12" does not look like this POS's usual "Mesa 8" (seen 8 times): use one naming scheme so the dashboard keeps one table as one table`,
    ]);
    // The other token's history is its own.
    expect((await send(body({ table_number: 'Table 12' }))).warnings).toBeUndefined();
  });

  it('counts each new warning in /metrics', async () => {
    const m = await t.relay.metrics.render();
    for (const id of [
      'timestamp_wrong_timezone',
      'timestamp_in_future',
      'test_data_in_prod',
      'table_number_inconsistent',
    ])
      expect(m).toMatch(new RegExp(`^relay_payload_warnings_total\\{warning="${id}"\\} 1$`, 'm'));
    expect(m).toMatch(/^relay_payload_warnings_total\{warning="relay_clock_off"\} 0$/m);
  });
});

describe('table_number history across a restart', () => {
  it('seeds each token from the spool, so the first odd value after a restart is called out', async () => {
    const tmp = tempDir();
    try {
      const over = { ...ZONE, warnings: { identifier_min_samples: 5 } };
      const first = await startTestRelay(over, { dir: tmp.dir });
      for (let i = 1; i <= 6; i++)
        expect((await post(first.url, TOKEN, body({ table_number: `Mesa ${i}` }))).status).toBe(200);
      await first.stop();

      const second = await startTestRelay(over, { dir: tmp.dir });
      try {
        const a = await readAnswer(await post(second.url, TOKEN, body({ table_number: 'M-104' })));
        expect(a.warnings).toEqual([
          `table_number "M-104" does not look like this POS's usual "Mesa 6" (seen 6 times): use one naming scheme so the dashboard keeps one table as one table`,
        ]);
      } finally {
        await second.stop();
      }
    } finally {
      tmp.cleanup();
    }
  });
});

describe('relay_clock_off: the cloud says the relay PC is the one off', () => {
  const tmp = tempDir();
  let spool: Spool;
  let ingest: IngestService;
  let app: ReturnType<typeof createApp>;
  let url: string;
  beforeAll(async () => {
    const config = testConfig(tmp.dir, ZONE);
    // This PC's clock runs an hour slow; the POS, synchronised, sends the true time.
    const clock = new FakeClock(Date.now() - 60 * MIN);
    spool = await Spool.open({ path: config.spool.path, maxBytes: 64 * 1024 * 1024, clock, log: silentLogger });
    ingest = new IngestService(ingestSettings(config), { spool, clock, log: silentLogger });
    app = createApp({ ingest, health: () => ({}) as never, log: silentLogger });
    app.listen({ hostname: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${app.server!.port}`;
  });
  afterAll(async () => {
    await app.stop();
    await spool.close();
    tmp.cleanup();
  });

  it('blames the POS while the cloud clock is unknown, the relay PC once the skew is noted, the POS again when forgotten', async () => {
    const warningsOf = async () => {
      const raw = body({ timestamp: sp(0) });
      const a = await readAnswer(await post(url, TOKEN, raw));
      expect(Buffer.from((await spool.getEvent(a.event_id))!.body).toString()).toBe(raw);
      return a.warnings ?? [];
    };
    expect(await warningsOf()).toEqual([
      expect.stringMatching(/is 60 minutes ahead of this relay's clock .*the POS clock may be wrong/),
    ]);
    ingest.noteCloudClock(-60 * MIN);
    expect(await warningsOf()).toEqual([
      expect.stringMatching(
        /is 60 minutes ahead of this relay's clock, but the POS is not to blame: this relay PC's clock is 60 minutes behind the cloud's\. Fix the time on this PC \(NTP\)$/,
      ),
    ]);
    ingest.noteCloudClock(null);
    expect(await warningsOf()).toEqual([expect.stringMatching(/the POS clock may be wrong/)]);
  });
});

describe("the relay's own clock, read from the cloud's answers", () => {
  it('blames this PC, not the POS, once a delivery showed the cloud 60 minutes ahead (its Date header)', async () => {
    const mock = await startMockCloud();
    // The cloud's clock is an hour ahead of this PC's: its answers say so in their Date header.
    mock.handler = () =>
      new Response(JSON.stringify({ status: 'success', event_id: 'c1' }), {
        headers: { 'content-type': 'application/json', date: new Date(Date.now() + 60 * MIN).toUTCString() },
      });
    const t = await startTestRelay({ ...ZONE, cloud: { url: mock.url } });
    try {
      const first = await post(t.url, TOKEN, body({}));
      expect((await readAnswer(first)).warnings).toBeUndefined();
      await waitFor(() => mock.stored.length === 1, 'the first delivery');
      // The POS sends its (right) time, 62 minutes ahead of this PC's slow clock.
      const res = await post(t.url, TOKEN, body({ timestamp: sp(62) }));
      const a = await readAnswer(res);
      expect(a.warnings?.length).toBe(1);
      expect(a.warnings?.[0]).toMatch(
        /the POS is not to blame: this relay PC's clock is 60 minutes behind the cloud's/,
      );
    } finally {
      await t.stop();
      await mock.stop();
    }
  });
});
