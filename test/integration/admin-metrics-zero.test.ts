import { afterEach, describe, expect, it } from 'bun:test';
import { REFUSAL_IDS } from '../../src/http/index.ts';
import { ENVS } from '../../src/spool/index.ts';
import { WARNING_IDS } from '../../src/warnings/index.ts';
import { type AdminRelay, startAdminRelay } from '../helpers/admin.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { INACTIVE, ORDER_CREATED, post, TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * /metrics lists the series of every active configured token × env at 0
 * before any event (Prometheus, "Avoid missing metrics"), so that
 * `increase(relay_events_received_total[5m])` sees a lane's first event: a
 * series born with value 1 has no earlier sample to increase from.
 */

const PASSWORD = 'metrics-secret';
const NEW_TOKEN = '0c5d1e2f-3a4b-7c6d-8e9f-a0b1c2d3e4f5';
const LANE_SERIES = ['relay_events_received_total', 'relay_events_delivered_total', 'relay_spool_pending'] as const;

/** `name{labels} value` lines of the Prometheus text format, keyed by name and labels. */
function samples(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const hit = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (hit) m.set(hit[1]!, Number(hit[2]));
  }
  return m;
}
const key = (name: string, token: string, env: string) => `${name}{token="${token.slice(0, 8)}…",env="${env}"}`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
async function relay(cloudUrl?: string): Promise<AdminRelay> {
  const a = await startAdminRelay({ password: PASSWORD, cloudUrl });
  cleanups.push(() => a.stop());
  return a;
}
async function cloud(): Promise<MockCloud> {
  const m = await startMockCloud();
  cleanups.push(() => m.stop());
  return m;
}
const scrape = async (a: AdminRelay) => samples(await (await a.admin('/metrics')).text());

describe('/metrics before and after the first event', () => {
  it('a fresh relay lists every active token × env at 0, and no inactive token', async () => {
    const s = await scrape(await relay());
    for (const name of LANE_SERIES) {
      for (const token of [TOKEN, TOKEN2]) {
        for (const env of ENVS)
          expect([key(name, token, env), s.get(key(name, token, env))]).toEqual([key(name, token, env), 0]);
      }
      for (const env of ENVS) expect(s.has(key(name, INACTIVE, env))).toBe(false);
    }
  });

  it('every payload warning, the "error" attempts and the dead letters start at 0', async () => {
    const s = await scrape(await relay());
    for (const id of WARNING_IDS) expect([id, s.get(`relay_payload_warnings_total{warning="${id}"}`)]).toEqual([id, 0]);
    expect(s.get('relay_forward_attempts_total{code="error"}')).toBe(0);
    expect(s.get('relay_events_dead_total')).toBe(0);
    // HTTP codes are the cloud's, an open set: none is made up in advance.
    expect([...s.keys()].filter((k) => k.startsWith('relay_forward_attempts_total{'))).toEqual([
      'relay_forward_attempts_total{code="error"}',
    ]);
  });

  it('every refusal reason starts at 0, and no token is refused before one is', async () => {
    const s = await scrape(await relay());
    for (const reason of REFUSAL_IDS)
      expect([reason, s.get(`relay_refusals_total{reason="${reason}"}`)]).toEqual([reason, 0]);
    // Unknown tokens are an open set, sent by whoever: none is made up in advance.
    expect([...s.keys()].filter((k) => k.startsWith('relay_refusals_unknown_token_total{'))).toEqual([]);
  });

  it("one delivered event: that token's prod series read 1, every other lane stays 0", async () => {
    const mock = await cloud();
    const a = await relay(mock.url);
    expect((await post(a.url, TOKEN, ORDER_CREATED)).status).toBe(200);
    await waitFor(() => mock.stored.length === 1, 'the event delivered');
    await waitFor(
      async () => (await scrape(a)).get(key('relay_events_delivered_total', TOKEN, 'prod')) === 1,
      'counted',
    );
    const s = await scrape(a);
    for (const name of ['relay_events_received_total', 'relay_events_delivered_total']) {
      expect(s.get(key(name, TOKEN, 'prod'))).toBe(1);
      expect(s.get(key(name, TOKEN, 'dev'))).toBe(0);
      expect(s.get(key(name, TOKEN2, 'prod'))).toBe(0);
      expect(s.get(key(name, TOKEN2, 'dev'))).toBe(0);
    }
    expect(s.get('relay_forward_attempts_total{code="200"}')).toBe(1);
  });

  it('a token added by a reload has its zero series from the next scrape on', async () => {
    const a = await relay();
    expect((await scrape(a)).has(key('relay_events_received_total', NEW_TOKEN, 'prod'))).toBe(false);
    a.writeConfig({
      password: PASSWORD,
      tokens: [
        { token: TOKEN, name: 'Main POS' },
        { token: NEW_TOKEN, name: 'Terrace' },
      ],
    });
    expect((await a.admin('/admin/api/reload', { method: 'POST' })).status).toBe(200);
    const s = await scrape(a);
    for (const name of LANE_SERIES) for (const env of ENVS) expect(s.get(key(name, NEW_TOKEN, env))).toBe(0);
    // A token the reload dropped keeps its series: a counter that vanishes reads as a reset.
    expect(s.get(key('relay_events_received_total', TOKEN2, 'prod'))).toBe(0);
  });
});
