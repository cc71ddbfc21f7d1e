/**
 * Payload warnings in the relay's answer: in the X-Relay-Warnings header of
 * the 200, in its body after the cloud's four keys only for ?env=dev (the
 * default warnings.in_body), stored with the event, counted, and never
 * changing the bytes forwarded. Which warning each payload gets is
 * test/unit/warnings.test.ts; in_body's other values, test/integration/clients.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { CLOUD_KEYS, headerWarnings } from '../helpers/answer.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { CLEAN } from '../helpers/payloads.ts';
import { ORDER_CREATED, post, startTestRelay, type TestRelay, TOKEN } from '../helpers/relay.ts';
import { fileRow } from '../helpers/spool-file.ts';
import { waitFor } from '../helpers/wait.ts';

describe('payload warnings in the 200 answer', () => {
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

  it('gives a production POS its warnings in the header and the cloud four keys in the body, stores them with the event, and counts them', async () => {
    const res = await post(t.url, TOKEN, ORDER_CREATED);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([...CLOUD_KEYS]);
    const warnings = headerWarnings(res)!;
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/table_number is missing.*table was sent/);
    const stored = await t.relay.spool.getEvent(body.event_id as string);
    expect(stored?.warnings).toEqual(warnings);
    const metrics = await t.relay.metrics.render();
    expect(metrics).toMatch(/^relay_payload_warnings_total\{warning="missing_table_number"\} 1$/m);
    expect(metrics).toMatch(/^relay_payload_warnings_total\{warning="items_without_employee_id"\} 1$/m);
  });

  it('adds "warnings" after the four keys of an answer to ?env=dev, the same sentences as its header', async () => {
    const res = await post(t.url, TOKEN, ORDER_CREATED, { env: 'dev' });
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([...CLOUD_KEYS, 'warnings']);
    expect(body.warnings).toEqual(headerWarnings(res));
    expect((body.warnings as string[])[0]).toMatch(/table_number is missing.*table was sent/);
  });

  it('answers a clean payload with exactly the cloud four keys, no warning header, and stores no warnings', async () => {
    for (const env of ['prod', 'dev']) {
      const res = await post(t.url, TOKEN, JSON.stringify(CLEAN), { env });
      expect(res.headers.has('x-relay-warnings')).toBe(false);
      expect(Object.keys((await res.json()) as object)).toEqual([...CLOUD_KEYS]);
    }
    const res = await post(t.url, TOKEN, JSON.stringify(CLEAN));
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([...CLOUD_KEYS]);
    const row = fileRow<{ warnings: string | null }>(
      t.config.spool.path,
      'SELECT warnings FROM events WHERE id = ?',
      body.event_id as string,
    );
    expect(row?.warnings).toBeNull();
  });

  it('never changes what is stored or forwarded: the cloud receives the exact bytes', async () => {
    const raw = '{"event":"x", "timestamp":"2025-11-24T18:30:00", "total": 19.00}';
    const res = await post(t.url, TOKEN, raw);
    const body = (await res.json()) as { event_id: string };
    expect(headerWarnings(res)!.map((w) => w.split(' ')[0])).toEqual(['table_number', 'timestamp']);
    await waitFor(() => mock.stored.some((r) => r.headers['idempotency-key'] === body.event_id), 'delivery');
    const got = mock.stored.find((r) => r.headers['idempotency-key'] === body.event_id)!;
    expect(got.text).toBe(raw);
    expect(got.text).not.toContain('warnings');
  });
});
