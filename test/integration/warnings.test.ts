/**
 * Payload warnings in the relay's answer: added to the 200 after the cloud's
 * four keys, stored with the event, counted, and never changing the bytes
 * forwarded. Which warning each payload gets is test/unit/warnings.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
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

  it('adds "warnings" after the four standard keys, stores them with the event, and counts them', async () => {
    const res = await post(t.url, TOKEN, ORDER_CREATED);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['status', 'event_id', 'message', 'received_at', 'warnings']);
    const warnings = body.warnings as string[];
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/table_number is missing.*table was sent/);
    const stored = await t.relay.spool.getEvent(body.event_id as string);
    expect(stored?.warnings).toEqual(warnings);
    const metrics = await t.relay.metrics.render();
    expect(metrics).toMatch(/^relay_payload_warnings_total\{warning="missing_table_number"\} 1$/m);
    expect(metrics).toMatch(/^relay_payload_warnings_total\{warning="items_without_employee_id"\} 1$/m);
  });

  it('answers a clean payload with exactly the cloud four keys and stores no warnings', async () => {
    const res = await post(t.url, TOKEN, JSON.stringify(CLEAN));
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['status', 'event_id', 'message', 'received_at']);
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
    const body = (await res.json()) as { event_id: string; warnings: string[] };
    expect(body.warnings.map((w) => w.split(' ')[0])).toEqual(['table_number', 'timestamp']);
    await waitFor(() => mock.stored.some((r) => r.headers['idempotency-key'] === body.event_id), 'delivery');
    const got = mock.stored.find((r) => r.headers['idempotency-key'] === body.event_id)!;
    expect(got.text).toBe(raw);
    expect(got.text).not.toContain('warnings');
  });
});
