/**
 * /metrics of a real relay on port 0 with a mock cloud: what it counts
 * (received, delivered, dead, attempts, warnings, ingest time) with masked
 * token labels, each webhook once across scrapes, and the gauges read at
 * scrape time.
 */
import { describe, expect, it } from 'bun:test';
import { type AdminRelay, startAdminRelay } from '../helpers/admin.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { startMockCloud } from '../helpers/mock-cloud.ts';
import { ORDER_CREATED, post, TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { fileCounts } from '../helpers/spool-file.ts';
import { waitFor } from '../helpers/wait.ts';

const PASSWORD = 'pa:ss wörd';

const onCleanup = useCleanup();

async function relayWith(o: Parameters<typeof startAdminRelay>[0] = {}): Promise<AdminRelay> {
  const a = await startAdminRelay(o);
  onCleanup(() => a.stop());
  return a;
}

async function ack(a: AdminRelay, token: string, body: string): Promise<string> {
  const res = await post(a.url, token, body);
  expect(res.status).toBe(200);
  return ((await res.json()) as { event_id: string }).event_id;
}

const dbCounts = (a: AdminRelay) => fileCounts(a.config.spool.path);

/** `name{labels} value` lines of the Prometheus text format, keyed by name and labels. */
function samples(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const hit = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (hit) m.set(hit[1]!, Number(hit[2]));
  }
  return m;
}

describe('/metrics', () => {
  it('counts received, delivered, dead, attempts, warnings and ingest time, with 8-character token labels', async () => {
    const mock = await startMockCloud();
    onCleanup(() => mock.stop());
    mock.next({ kind: 'status', status: 422 });
    const a = await relayWith({ password: PASSWORD, cloudUrl: mock.url });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await ack(a, TOKEN, ORDER_CREATED));
    await waitFor(() => dbCounts(a).pending === 0, 'all settled');
    const res = await a.admin('/metrics');
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    const s = samples(text);
    const t8 = `${TOKEN.slice(0, 8)}…`;
    expect(s.get(`relay_events_received_total{token="${t8}",env="prod"}`)).toBe(3);
    expect(s.get(`relay_events_delivered_total{token="${t8}",env="prod"}`)).toBe(2);
    expect(s.get('relay_events_dead_total')).toBe(1);
    expect(s.get('relay_forward_attempts_total{code="422"}')).toBe(1);
    expect(s.get('relay_forward_attempts_total{code="200"}')).toBe(2);
    expect(s.get('relay_payload_warnings_total{warning="missing_table_number"}')).toBe(3);
    expect(s.get('relay_payload_warnings_total{warning="missing_event"}')).toBe(0);
    expect(s.get('relay_ingest_duration_seconds_count')).toBe(3);
    expect(s.get('relay_ingest_duration_seconds_bucket{le="+Inf"}')).toBe(3);
    expect(s.get(`relay_spool_pending{token="${t8}",env="prod"}`)).toBe(0);
    expect(s.get('relay_spool_oldest_pending_seconds')).toBe(0);
    expect(s.get('relay_spool_bytes')).toBe(a.relay.spool.stats().bytes);
    expect(s.get('relay_cloud_up')).toBe(1);
    for (const name of [
      'relay_events_received_total',
      'relay_spool_pending',
      'relay_ingest_duration_seconds',
      'relay_cloud_up',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('counts each webhook once across scrapes, per lane', async () => {
    const a = await relayWith({ password: PASSWORD });
    const scrape = async () => samples(await (await a.admin('/metrics')).text());
    const lane = (token: string, env: string) =>
      `relay_events_received_total{token="${token.slice(0, 8)}…",env="${env}"}`;
    await ack(a, TOKEN, ORDER_CREATED);
    await ack(a, TOKEN, ORDER_CREATED);
    let s = await scrape();
    expect(s.get(lane(TOKEN, 'prod'))).toBe(2);
    expect(s.get('relay_ingest_duration_seconds_count')).toBe(2);
    await ack(a, TOKEN, ORDER_CREATED);
    expect((await post(a.url, TOKEN2, ORDER_CREATED, { env: 'dev' })).status).toBe(200);
    s = await scrape();
    expect(s.get(lane(TOKEN, 'prod'))).toBe(3);
    expect(s.get(lane(TOKEN2, 'dev'))).toBe(1);
    expect(s.get('relay_ingest_duration_seconds_count')).toBe(4);
    expect((await scrape()).get(lane(TOKEN, 'prod'))).toBe(3);
  });

  it('reads the gauges at scrape time: pending, the oldest age, and the cloud down', async () => {
    const a = await relayWith({ password: PASSWORD }); // the cloud URL answers nothing
    await ack(a, TOKEN2, '{"event":"x"}');
    await waitFor(() => a.relay.forwarder.cloud.reachable === false, 'a failed attempt');
    const s = samples(await (await a.admin('/metrics')).text());
    expect(s.get(`relay_spool_pending{token="${TOKEN2.slice(0, 8)}…",env="prod"}`)).toBe(1);
    expect(s.get('relay_spool_oldest_pending_seconds')).toBeGreaterThan(0);
    expect(s.get('relay_cloud_up')).toBe(0);
    expect(s.get('relay_forward_attempts_total{code="error"}')).toBeGreaterThanOrEqual(1);
  });
});
