/**
 * The admin surface of a real relay on port 0 with a mock cloud: the status
 * API and page agree with the spool, never show a secret, escape what the POS
 * and the cloud sent, replay dead letters at once; a refused token is listed
 * as paused; the config reloads from its file. Who may use it is
 * test/integration/admin-auth.test.ts; /metrics, admin-metrics.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import type { StatusView } from '../../src/admin/view.ts';
import { type AdminRelay, basic, startAdminRelay } from '../helpers/admin.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { ORDER_CREATED, post, TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { fileCounts, fileRow } from '../helpers/spool-file.ts';
import { waitFor } from '../helpers/wait.ts';

const PASSWORD = 'pa:ss wörd';
const NEW_TOKEN = '019ab700-1111-7222-8333-444455556666';
const HOSTILE = '<img src=x onerror=alert(1)>';

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

const statusOf = (a: AdminRelay, id: string) =>
  fileRow<{ status: string }>(a.config.spool.path, 'SELECT status FROM events WHERE id = ?', id)?.status;

describe('status, events and replay', () => {
  let mock: MockCloud;
  let a: AdminRelay;
  let deadId = '';
  let pendingId = '';
  const delivered: string[] = [];

  beforeAll(async () => {
    mock = await startMockCloud();
    // TOKEN2's lane gets 503 forever (so it waits); TOKEN's first event is rejected with a hostile body.
    mock.handler = (r) => (r.token === TOKEN2 ? Response.json({ detail: 'busy' }, { status: 503 }) : undefined);
    mock.next({ kind: 'status', status: 422, body: { detail: `table_number ${HOSTILE} required` } });
    a = await startAdminRelay({ password: PASSWORD, cloudUrl: mock.url });
    deadId = await ack(a, TOKEN, JSON.stringify({ event: 'order_created', timestamp: HOSTILE }));
    await waitFor(() => statusOf(a, deadId) === 'dead', 'the first event dead-lettered');
    for (let i = 0; i < 2; i++) delivered.push(await ack(a, TOKEN, ORDER_CREATED));
    pendingId = await ack(a, TOKEN2, '{"event":"x"}');
    await waitFor(() => delivered.every((id) => statusOf(a, id) === 'delivered'), 'two delivered');
    await waitFor(
      async () =>
        ((await (await a.admin(`/admin/api/events/${pendingId}`)).json()) as { attempts: number }).attempts > 0,
      'TOKEN2 tried',
    );
  });
  afterAll(async () => {
    await a.stop();
    await mock.stop();
  });

  const status = async () => (await (await a.admin('/admin/api/status')).json()) as StatusView;

  /**
   * Takes the relay's 1 s external-changes poll (src/relay.ts) out of the way
   * until the test ends: it would find a replayed event too and wake its lane.
   * Without it only the replay's own wake of the forwarder can deliver the
   * event, so the test waits for the delivery itself instead of racing the
   * poll with a deadline just under 1 s.
   */
  function withoutThePoll(): void {
    const spool = a.relay.spool;
    spool.checkExternalChanges = () => false;
    onCleanup(() => void Reflect.deleteProperty(spool, 'checkExternalChanges'));
  }

  it('reports the counts the spool holds, per lane, with masked tokens and why a lane waits', async () => {
    const v = await status();
    expect({ pending: v.spool.pending, delivered: v.spool.delivered, dead: v.spool.dead }).toEqual(
      dbCounts(a) as never,
    );
    expect(v.spool).toMatchObject({ pending: 1, delivered: 2, dead: 1 });
    const lane2 = v.lanes.find((l) => l.token === `${TOKEN2.slice(0, 8)}…`)!;
    expect(lane2).toMatchObject({ token_name: 'Bar', env: 'prod', pending: 1, delivered: 0, dead: 0 });
    expect(lane2.waiting_because).toMatch(/retrying: \d+ attempts?, the last .* got HTTP 503: \{"detail":"busy"\}/);
    expect(lane2.oldest_pending_seconds).toBeGreaterThanOrEqual(0);
    expect(v.cloud.reachable).toBe(true);
    expect(v.cloud.last_delivery_at).not.toBeNull();
    expect(v.attention.join('\n')).toMatch(/1 event was rejected by the cloud \(dead letters\)/);
    expect(v.dead_letters.map((e) => [e.id, e.last_status])).toEqual([[deadId, 422]]);
    expect(v.recent.find((e) => e.id === deadId)!.warnings[1]).toBe(
      `timestamp "${HOSTILE}" is not an ISO 8601 date-time: send e.g. "2025-11-24T18:30:00-03:00"`,
    );
    expect(v.warnings.find((w) => w.id === 'missing_table_number')!.count).toBe(4);
    expect((v.config as { tokens: { token: string }[] }).tokens[0]!.token).toBe(`${TOKEN.slice(0, 8)}…`);
    expect((v.config as { admin: { password: string } }).admin.password).toBe('********');
  });

  it('never shows a whole token or the password, in the page, the API or /metrics', async () => {
    for (const path of [
      '/admin',
      '/admin/live',
      '/admin/api/status',
      '/admin/api/events',
      `/admin/api/events/${deadId}`,
      '/metrics',
    ]) {
      const text = await (await a.admin(path)).text();
      for (const secret of [TOKEN, TOKEN2, PASSWORD]) expect([path, text.includes(secret)]).toEqual([path, false]);
    }
  });

  it('escapes payload values and the cloud answer on the page', async () => {
    const page = await (await a.admin('/admin')).text();
    expect(page).not.toContain(HOSTILE);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('table_number &lt;img src=x onerror=alert(1)&gt; required');
    expect(page).not.toMatch(/<img/);
    expect(page).toMatch(/data-field="dead">1</);
    expect(page).toMatch(/data-field="delivered">2</);
    expect(page).toMatch(/data-field="pending">1</);
  });

  it('lists events by status and shows one with its attempts and the exact body', async () => {
    const list = (await (await a.admin('/admin/api/events?status=dead')).json()) as {
      events: { id: string; token: string }[];
    };
    expect(list.events.map((e) => e.id)).toEqual([deadId]);
    const one = (await (await a.admin(`/admin/api/events/${deadId}`)).json()) as {
      body: string;
      history: { status: number; verdict: string; detail: string }[];
    };
    expect(JSON.parse(one.body)).toEqual({ event: 'order_created', timestamp: HOSTILE });
    expect(one.history.map((h) => [h.status, h.verdict])).toEqual([[422, 'dead']]);
    expect(one.history[0]!.detail).toContain('table_number');
    expect((await a.admin('/admin/api/events?status=lost')).status).toBe(400);
    expect((await a.admin('/admin/api/events?limit=0')).status).toBe(400);
    const missing = await a.admin('/admin/api/events/01900000-0000-7000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(Object.keys((await missing.json()) as object)).toEqual(['detail']);
  });

  it('replays a dead letter: it goes back to its lane and is delivered at once', async () => {
    withoutThePoll();
    const before = mock.stored.length;
    const res = await a.admin(`/admin/api/events/${deadId}/replay`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ replayed: [deadId] });
    // The server learnt of the replay in the same request, not from its 1 s poll.
    expect(a.relay.spool.stats().dead).toBe(0);
    // Waking the lane at once is the promise: with the poll out, nothing else would send it.
    await waitFor(() => statusOf(a, deadId) === 'delivered', 'the replayed event delivered');
    expect(mock.stored.length).toBe(before + 1);
    expect(mock.stored.at(-1)!.headers['idempotency-key']).toBe(deadId);
    expect((await status()).spool.dead).toBe(0);
  });

  it('refuses to replay what is not a dead letter (409) or not there (404)', async () => {
    const pending = await a.admin(`/admin/api/events/${pendingId}/replay`, { method: 'POST' });
    expect(pending.status).toBe(409);
    expect(((await pending.json()) as { detail: string }).detail).toMatch(/not a dead letter/);
    expect((await a.admin('/admin/api/events/nope/replay', { method: 'POST' })).status).toBe(404);
    expect(statusOf(a, pendingId)).toBe('pending');
  });

  it('replays every dead letter at once', async () => {
    mock.next({ kind: 'status', status: 400 }, { kind: 'status', status: 400 });
    const ids = [await ack(a, TOKEN, '{"n":1}'), await ack(a, TOKEN, '{"n":2}')];
    await waitFor(() => ids.every((id) => statusOf(a, id) === 'dead'), 'two dead letters');
    withoutThePoll();
    const res = await a.admin('/admin/api/replay-dead', { method: 'POST' });
    expect(await res.json()).toEqual({ replayed: 2 });
    await waitFor(() => ids.every((id) => statusOf(a, id) === 'delivered'), 'both delivered');
  });
});

describe('a token the cloud refuses', () => {
  it('is listed as paused, named by its first 8 characters, with what to do', async () => {
    const mock = await startMockCloud();
    onCleanup(() => mock.stop());
    mock.always({ kind: 'status', status: 401, body: { detail: 'Invalid or inactive webhook token' } });
    const a = await relayWith({ password: PASSWORD, cloudUrl: mock.url });
    await ack(a, TOKEN2, '{"event":"x"}');
    await waitFor(() => a.relay.forwarder.paused().length === 1, 'the token paused');
    const v = (await (await a.admin('/admin/api/status')).json()) as StatusView;
    expect(v.status).toBe('degraded');
    expect(v.paused_tokens).toMatchObject([{ token: `${TOKEN2.slice(0, 8)}…`, token_name: 'Bar' }]);
    expect(v.reasons.map((r) => [r.id, r.colour])).toEqual([['token_paused', 'red']]);
    expect(v.reasons[0]!.detail).toMatch(/refuses token 7f3c2a91… \(Bar\) as invalid or inactive \(401\).*reactivate/);
    expect(v.lanes[0]!.waiting_because).toMatch(/^paused: cloud answered 401/);
    const page = await (await a.admin('/admin')).text();
    expect(page).toContain('<h2>Paused tokens</h2>');
    expect(page).toContain('<li data-reason="token_paused" data-colour="red">The cloud refuses token 7f3c2a91… (Bar)');
    expect(page).toContain('Degraded');
  });
});

describe('config reload from the status page', () => {
  it('accepts a token added to the file, without a restart', async () => {
    const a = await relayWith({ password: PASSWORD });
    expect((await post(a.url, NEW_TOKEN, '{"a":1}')).status).toBe(401);
    a.writeConfig({ password: PASSWORD, tokens: [{ token: TOKEN }, { token: NEW_TOKEN, name: 'Terrace' }] });
    const res = await a.admin('/admin/api/reload', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ok: true,
      tokens: 2,
      active: [`${TOKEN.slice(0, 8)}…`, `${NEW_TOKEN.slice(0, 8)}…`],
    });
    expect((await post(a.url, NEW_TOKEN, '{"a":1}')).status).toBe(200);
    expect((await post(a.url, TOKEN2, '{"a":1}')).status).toBe(401);
  });

  it('refuses an invalid file with its problems, and the running config stays', async () => {
    const a = await relayWith({ password: PASSWORD });
    a.writeConfig({ password: PASSWORD, tokens: [{ token: NEW_TOKEN }], extra: '[limts]\nrate_per_token = 5' });
    const res = await a.admin('/admin/api/reload', { method: 'POST' });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { detail: string; problems: string[] };
    expect(body.detail).toMatch(/^Config refused, the running config stays: /);
    expect(body.problems.join('\n')).toMatch(/limts/);
    expect((await post(a.url, TOKEN, '{"a":1}')).status).toBe(200);
    expect((await post(a.url, NEW_TOKEN, '{"a":1}')).status).toBe(401);
  });

  it('takes a changed admin password at once', async () => {
    const a = await relayWith({ password: PASSWORD });
    a.writeConfig({ password: 'new-secret' });
    expect((await a.admin('/admin/api/reload', { method: 'POST' })).status).toBe(200);
    expect((await a.admin('/admin/api/status')).status).toBe(401);
    expect((await a.admin('/admin/api/status', { auth: basic('admin', 'new-secret') })).status).toBe(200);
  });
});
