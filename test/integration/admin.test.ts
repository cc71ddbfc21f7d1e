import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { Histogram, Registry } from 'prom-client';
import { isLoopback, isLoopbackHost } from '../src/admin/auth.ts';
import { PlainHistogram } from '../src/admin/metrics.ts';
import type { StatusView } from '../src/admin/view.ts';
import { type AdminRelay, basic, configToml, startAdminRelay } from './helpers/admin.ts';
import { installBinary, startBinary } from './helpers/binary.ts';
import { type MockCloud, startMockCloud } from './helpers/mock-cloud.ts';
import { ORDER_CREATED, post, TOKEN, TOKEN2, tempDir } from './helpers/relay.ts';
import { fileRow, fileRows } from './helpers/spool-file.ts';
import { waitFor } from './helpers/wait.ts';

const PASSWORD = 'pa:ss wörd';
const NEW_TOKEN = '019ab700-1111-7222-8333-444455556666';
const HOSTILE = '<img src=x onerror=alert(1)>';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function relayWith(o: Parameters<typeof startAdminRelay>[0] = {}): Promise<AdminRelay> {
  const a = await startAdminRelay(o);
  cleanups.push(() => a.stop());
  return a;
}

async function ack(a: AdminRelay, token: string, body: string): Promise<string> {
  const res = await post(a.url, token, body);
  expect(res.status).toBe(200);
  return ((await res.json()) as { event_id: string }).event_id;
}

const dbCounts = (a: AdminRelay) => {
  const rows = fileRows<{ status: string; n: number }>(
    a.config.spool.path,
    'SELECT status, count(*) AS n FROM events GROUP BY status',
  );
  const c: Record<string, number> = { pending: 0, delivered: 0, dead: 0 };
  for (const r of rows) c[r.status] = r.n;
  return c;
};

const statusOf = (a: AdminRelay, id: string) =>
  fileRow<{ status: string }>(a.config.spool.path, 'SELECT status FROM events WHERE id = ?', id)?.status;

const ADMIN_ROUTES: [string, string][] = [
  ['GET', '/admin'],
  ['GET', '/admin/live'],
  ['GET', '/admin/app.js'],
  ['GET', '/admin/app.css'],
  ['GET', '/admin/api/status'],
  ['GET', '/admin/api/events'],
  ['GET', '/admin/api/events/0190-x'],
  ['POST', '/admin/api/events/0190-x/replay'],
  ['POST', '/admin/api/replay-dead'],
  ['POST', '/admin/api/reload'],
  ['GET', '/metrics'],
];

describe('who may use the admin surface', () => {
  it('asks for HTTP Basic on every admin route: 401, WWW-Authenticate, a {"detail"} body', async () => {
    const a = await relayWith({ password: PASSWORD });
    for (const [method, path] of ADMIN_ROUTES) {
      const res = await a.admin(path, { method, auth: null });
      expect([method, path, res.status]).toEqual([method, path, 401]);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="relay"');
      expect(Object.keys((await res.json()) as object)).toEqual(['detail']);
    }
  });

  it('refuses a wrong password, another user, and a malformed header; admits admin with the password', async () => {
    const a = await relayWith({ password: PASSWORD });
    for (const auth of [
      basic('admin', 'wrong'),
      basic('root', PASSWORD),
      basic('admin', `${PASSWORD}x`),
      'Basic !!!',
      `Bearer ${PASSWORD}`,
    ]) {
      expect((await a.admin('/admin/api/status', { auth })).status).toBe(401);
    }
    expect((await a.admin('/admin/api/status', { auth: basic('admin', PASSWORD) })).status).toBe(200);
    expect(
      (await a.admin('/admin/api/status', { auth: `basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` }))
        .status,
    ).toBe(200);
  });

  it('keeps the webhook endpoint and /health open, as the contract has them', async () => {
    const a = await relayWith({ password: PASSWORD });
    expect((await post(a.url, TOKEN, '{"a":1}')).status).toBe(200);
    expect((await fetch(`${a.url}/health`)).status).toBe(200);
  });

  it('with no password, serves this machine but answers 403 to another address', async () => {
    const a = await relayWith({ host: '0.0.0.0' });
    expect((await a.admin('/admin/api/status')).status).toBe(200);
    const other = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4');
    if (!other) {
      console.warn(
        'admin.test: no non-loopback IPv4 interface on this machine; the remote-client 403 is checked by isLoopback only',
      );
      return;
    }
    const res = await fetch(`http://${other.address}:${a.relay.port}/admin/api/status`);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/no \[admin\] password.*only on this machine/);
    expect((await fetch(`http://${other.address}:${a.relay.port}/health`)).status).toBe(200);
  });

  it('with no password, refuses a foreign Host name (DNS rebinding) with 403', async () => {
    const a = await relayWith();
    const res = await a.admin('/admin/api/status', { headers: { host: 'evil.example:8080' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/not a loopback name/);
    expect((await a.admin('/admin/api/status', { headers: { host: `localhost:${a.relay.port}` } })).status).toBe(200);
  });

  it('knows loopback addresses', () => {
    const yes = ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '[::1]', '0:0:0:0:0:0:0:1'];
    const no = ['192.168.1.10', '10.0.0.1', '::ffff:192.168.0.1', '::', '0.0.0.0', '128.0.0.1', '', null, '1270.0.0.1'];
    for (const ip of yes) expect([ip, isLoopback(ip)]).toEqual([ip, true]);
    for (const ip of no) expect([ip, isLoopback(ip)]).toEqual([ip, false]);
    expect(['localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'relay.localhost'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['evil.example', '192.168.1.2:8080', 'localhost.evil.example', ''].map(isLoopbackHost)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('refuses actions without the X-Relay-Admin header or from another origin (CSRF)', async () => {
    const a = await relayWith({ password: PASSWORD });
    const bare = await a.admin('/admin/api/replay-dead', { method: 'POST', headers: { 'x-relay-admin': '' } });
    expect(bare.status).toBe(200); // present (even empty) is what a cross-site form cannot do
    const none = await fetch(`${a.url}/admin/api/replay-dead`, {
      method: 'POST',
      headers: { authorization: basic('admin', PASSWORD) },
    });
    expect(none.status).toBe(403);
    expect(((await none.json()) as { detail: string }).detail).toMatch(/X-Relay-Admin/);
    const foreign = await a.admin('/admin/api/replay-dead', {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const same = await a.admin('/admin/api/replay-dead', { method: 'POST', headers: { origin: a.url } });
    expect(same.status).toBe(200);
  });

  it('sends the security headers, and the page has no inline script or style', async () => {
    const a = await relayWith({ password: PASSWORD });
    const res = await a.admin('/admin');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const page = await res.text();
    expect(page.match(/<script\b[^>]*>/g)).toEqual(['<script src="/admin/app.js" defer>']);
    expect(page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });
});

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
    const before = mock.stored.length;
    const res = await a.admin(`/admin/api/events/${deadId}/replay`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ replayed: [deadId] });
    // The server learnt of the replay in the same request, not from its 1 s poll.
    expect(a.relay.spool.stats().dead).toBe(0);
    // The forwarder's own 1 s poll would also find it; waking at once is the promise.
    await waitFor(() => statusOf(a, deadId) === 'delivered', 'the replayed event delivered', 900);
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
    const res = await a.admin('/admin/api/replay-dead', { method: 'POST' });
    expect(await res.json()).toEqual({ replayed: 2 });
    await waitFor(() => ids.every((id) => statusOf(a, id) === 'delivered'), 'both delivered', 900);
  });
});

describe('a token the cloud refuses', () => {
  it('is listed as paused, named by its first 8 characters, with what to do', async () => {
    const mock = await startMockCloud();
    cleanups.push(() => mock.stop());
    mock.always({ kind: 'status', status: 401, body: { detail: 'Invalid or inactive webhook token' } });
    const a = await relayWith({ password: PASSWORD, cloudUrl: mock.url });
    await ack(a, TOKEN2, '{"event":"x"}');
    await waitFor(() => a.relay.forwarder.paused().length === 1, 'the token paused');
    const v = (await (await a.admin('/admin/api/status')).json()) as StatusView;
    expect(v.status).toBe('degraded');
    expect(v.paused_tokens).toMatchObject([{ token: `${TOKEN2.slice(0, 8)}…`, token_name: 'Bar' }]);
    expect(v.attention.join('\n')).toMatch(
      /refuses token 7f3c2a91… \(Bar\) as invalid or inactive \(401\).*reactivate/,
    );
    expect(v.lanes[0]!.waiting_because).toMatch(/^paused: cloud answered 401/);
    const page = await (await a.admin('/admin')).text();
    expect(page).toContain('<h2>Paused tokens</h2>');
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

describe('the ingest-time histogram', () => {
  const cases: { name: string; observe: number[]; buckets: Record<string, number>; sum: number }[] = [
    { name: 'nothing observed', observe: [], buckets: { '0.001': 0, '0.01': 0, '+Inf': 0 }, sum: 0 },
    {
      name: 'a value on a bound counts in that bucket (le is "less or equal")',
      observe: [0.001],
      buckets: { '0.001': 1, '0.01': 1, '+Inf': 1 },
      sum: 0.001,
    },
    {
      name: 'buckets are cumulative; above the last bound only +Inf',
      observe: [0.0004, 0.005, 0.02, 3],
      buckets: { '0.001': 1, '0.01': 2, '+Inf': 4 },
      sum: 3.0254,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const h = new PlainHistogram('t_seconds', 'help', [0.001, 0.01]);
      for (const v of c.observe) h.observe(v);
      const got = await h.get();
      const buckets = Object.fromEntries(
        got.values.filter((v) => v.metricName === 't_seconds_bucket').map((v) => [String(v.labels.le), v.value]),
      );
      expect(buckets).toEqual(c.buckets);
      expect(got.values.find((v) => v.metricName === 't_seconds_sum')!.value).toBeCloseTo(c.sum, 9);
      expect(got.values.find((v) => v.metricName === 't_seconds_count')!.value).toBe(c.observe.length);
    });
  }

  it("renders exactly as prom-client's own Histogram does", async () => {
    const bounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    const observed = [0.0001, 0.0005, 0.0007, 0.003, 0.003, 0.2, 1.7, 9];
    const ours = new Registry();
    const h = new PlainHistogram('relay_ingest_duration_seconds', 'Time to answer.', bounds);
    ours.registerMetric(h as unknown as Parameters<Registry['registerMetric']>[0]);
    const theirs = new Registry();
    const p = new Histogram({
      name: 'relay_ingest_duration_seconds',
      help: 'Time to answer.',
      buckets: bounds,
      registers: [theirs],
    });
    for (const v of observed) {
      h.observe(v);
      p.observe(v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});

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
    cleanups.push(() => mock.stop());
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

describe('in the compiled binary', () => {
  it('serves the page, its script and /metrics from inside dist/relay, with the password from ${ENV}', async () => {
    const tmp = tempDir('relay-admin-bin-');
    cleanups.push(tmp.cleanup);
    const bin = await installBinary(tmp.dir);
    const config = join(tmp.dir, 'relay.toml');
    writeFileSync(config, configToml(tmp.dir, { password: '${RELAY_ADMIN_PASSWORD}', logLevel: 'info' }));
    const r = await startBinary(bin, ['serve', '--config', config], {
      cwd: tmp.dir,
      env: { RELAY_ADMIN_PASSWORD: 'from-env' },
    });
    cleanups.push(async () => {
      r.proc.kill('SIGTERM');
      await r.exited;
    });
    const auth = { authorization: basic('admin', 'from-env') };
    expect((await fetch(`${r.url}/admin`)).status).toBe(401);
    const page = await fetch(`${r.url}/admin`, { headers: auth });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>EmiliaVision relay</h1>');
    expect(await (await fetch(`${r.url}/admin/app.js`, { headers: auth })).text()).toContain("'X-Relay-Admin': '1'");
    expect(await (await fetch(`${r.url}/metrics`, { headers: auth })).text()).toContain(
      '# TYPE relay_ingest_duration_seconds histogram',
    );
  });
});
