/**
 * The forwarder against a mock cloud on port 0: the exact bytes and
 * Idempotency-Key, lane order, each cloud answer's verdict (retry after
 * Retry-After or a backoff, pause on 401, dead letter on 4xx), the pace
 * toward the cloud, a restart; and the spool's housekeeping.
 *
 * Where a test is about time, the relay runs on a FakeClock (helpers/clock.ts)
 * and the test asserts on clock times, which the relay's own decisions fix
 * exactly, never on how long the wall clock took.
 */
import { describe, expect, it } from 'bun:test';
import type { Clock } from '../../src/lib/clock.ts';
import type { Logger } from '../../src/lib/log.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { testClock } from '../helpers/clock.ts';
import { captureLog } from '../helpers/log.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { freePort } from '../helpers/ports.ts';
import { ORDER_CREATED, post, startTestRelay, type TestRelay, TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { fileRow, onSpoolFile } from '../helpers/spool-file.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();

async function setup(
  over: Parameters<typeof startTestRelay>[0] = {},
  opts: { cloud?: MockCloud; clock?: Clock; log?: Logger } = {},
) {
  const mock = opts.cloud ?? (await startMockCloud());
  onCleanup(() => mock.stop());
  const t = await startTestRelay(
    { ...over, cloud: { url: mock.url, timeout_seconds: 2, ...over.cloud } },
    { clock: opts.clock, log: opts.log },
  );
  onCleanup(() => t.stop());
  return { mock, t };
}

async function ack(t: TestRelay, token: string, body: string, env?: string): Promise<string> {
  const res = await post(t.url, token, body, { env });
  expect(res.status).toBe(200);
  return ((await res.json()) as { event_id: string }).event_id;
}

const row = (t: TestRelay, id: string) =>
  fileRow<Record<string, unknown>>(t.config.spool.path, 'SELECT * FROM events WHERE id = ?', id) as Record<
    string,
    unknown
  >;

describe('forwarding to the cloud', () => {
  it('forwards the guide order_created example byte for byte, with its Idempotency-Key', async () => {
    const { mock, t } = await setup();
    const id = await ack(t, TOKEN, ORDER_CREATED);
    await waitFor(() => mock.stored.length === 1, 'delivery');
    const r = mock.stored[0]!;
    expect(r.path).toBe(`/webhooks/v1/pos/${TOKEN}`);
    expect(r.query).toBe('');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['idempotency-key']).toBe(id);
    expect(Buffer.from(r.body).equals(Buffer.from(ORDER_CREATED, 'utf8'))).toBe(true);
    await waitFor(() => row(t, id).status === 'delivered', 'delivered mark');
    expect(row(t, id).cloud_event_id).toBe('cloud-1');
    expect(Number(row(t, id).delivered_at)).toBeGreaterThan(0);
  });

  it('sends dev events with ?env=dev and prod events without a query', async () => {
    const { mock, t } = await setup();
    await ack(t, TOKEN, '{"e":"dev"}', 'dev');
    await ack(t, TOKEN, '{"e":"prod"}', 'prod');
    await waitFor(() => mock.stored.length === 2, 'both delivered');
    const byBody = Object.fromEntries(mock.stored.map((r) => [r.text, r.query]));
    expect(byBody).toEqual({ '{"e":"dev"}': '?env=dev', '{"e":"prod"}': '' });
  });

  it('keeps FIFO within a lane while the cloud fails at random', async () => {
    const { mock, t } = await setup();
    let n = 0;
    mock.handler = () => (++n % 3 === 0 ? Response.json({ detail: 'busy' }, { status: 503 }) : undefined);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await ack(t, i % 2 ? TOKEN : TOKEN2, `{"i":${i}}`));
    await waitFor(() => mock.stored.length >= 40, 'all delivered', 20_000);
    for (const token of [TOKEN, TOKEN2]) {
      const got = mock.stored.filter((r) => r.token === token).map((r) => r.headers['idempotency-key']);
      const want = ids.filter((_, i) => (i % 2 ? TOKEN : TOKEN2) === token);
      expect(got).toEqual(want);
    }
  });

  it('retries a 503 after its Retry-After, then delivers', async () => {
    // The clock runs on its own (10x): the resend may come only once it reads
    // 1 s past the 503, however late the relay's timer fires.
    const clock = testClock();
    onCleanup(clock.run());
    const { log, lines } = captureLog('warn');
    const { mock, t } = await setup({ forward: { max_backoff_seconds: 5 } }, { clock, log });
    const sentAt: number[] = []; // clock time of each request's arrival
    mock.handler = () => void sentAt.push(clock.now());
    mock.next({ kind: 'status', status: 503, retryAfter: '1' });
    const id = await ack(t, TOKEN, '{"a":1}');
    await waitFor(() => mock.stored.length === 1, 'delivery after retry');
    expect(mock.received).toHaveLength(2);
    // The wait the relay computed from the header (not a backoff of 20 ms, jittered)...
    expect(lines.filter((l) => l.msg === 'delivery failed, will retry').map((l) => l.retry_in_ms)).toEqual([1000]);
    // ...and kept: the resend was decided on the clock at least 1000 ms after the 503 came back.
    expect(sentAt[1]! - sentAt[0]!).toBeGreaterThanOrEqual(1000);
    expect(mock.received.map((r) => r.headers['idempotency-key'])).toEqual([id, id]);
    await waitFor(() => row(t, id).status === 'delivered', 'delivered mark');
    expect(row(t, id).attempts).toBe(2);
  });

  it('retries 429 and 500 answers with backoff until delivered', async () => {
    const { mock, t } = await setup();
    mock.next({ kind: 'status', status: 429 }, { kind: 'status', status: 500 }, { kind: 'status', status: 502 });
    const id = await ack(t, TOKEN, '{"a":1}');
    await waitFor(() => mock.stored.length === 1, 'delivery');
    expect(mock.received.map((r) => r.headers['idempotency-key'])).toEqual([id, id, id, id]);
  });

  it('retries after a timeout; the resend carries the same Idempotency-Key', async () => {
    const { mock, t } = await setup({ cloud: { timeout_seconds: 0.3 } });
    mock.next({ kind: 'hang', ms: 1500 });
    const id = await ack(t, TOKEN, '{"a":1}');
    await waitFor(() => mock.stored.length === 1, 'delivery after timeout', 5000);
    expect(mock.received.length).toBeGreaterThanOrEqual(2);
    // The attempt cut by the timeout is recorded as such, not as a connection failure.
    const listed = await t.relay.spool.getEvent(id);
    expect(JSON.stringify(listed)).toContain('timeout after 300 ms');
    expect(new Set(mock.received.map((r) => r.headers['idempotency-key']))).toEqual(new Set([id]));
  });

  it('keeps events while the cloud refuses connections, and delivers when it comes back', async () => {
    // Chosen beforehand: the relay is given the cloud's URL before the cloud exists.
    const port = freePort();
    const dir = onCleanup.tempDir();
    const t = await startTestRelay({ cloud: { url: `http://127.0.0.1:${port}` } }, { dir });
    onCleanup(() => t.relay.stop());
    const ids = [await ack(t, TOKEN, '{"i":1}'), await ack(t, TOKEN, '{"i":2}')];
    await waitFor(async () => {
      const h = (await (await fetch(`${t.url}/health`)).json()) as { cloud: { reachable: boolean | null } };
      return h.cloud.reachable === false;
    }, 'health to show the cloud unreachable');
    const mock = await startMockCloud(port);
    onCleanup(() => mock.stop());
    await waitFor(() => mock.stored.length === 2, 'delivery after the cloud returns', 5000);
    expect(mock.stored.map((r) => r.headers['idempotency-key'])).toEqual(ids);
    await waitFor(() => t.relay.spool.stats().pending === 0, 'the relay to record both deliveries');
    const h = (await (await fetch(`${t.url}/health`)).json()) as {
      cloud: { reachable: boolean };
      spool: { pending: number };
    };
    expect(h.cloud.reachable).toBe(true);
    expect(h.spool.pending).toBe(0);
  });

  it('pauses both lanes of a token the cloud answers 401 for, keeps its events, and resumes', async () => {
    // The clock stands still until the pause is in place, so the pause's end is known exactly.
    const clock = testClock();
    const { mock, t } = await setup({ forward: { max_backoff_seconds: 0.5 } }, { clock });
    let refuse = true;
    const tried: { env: string | null; at: number }[] = []; // TOKEN's requests, at clock time
    mock.handler = (r) => {
      if (r.token !== TOKEN) return undefined;
      tried.push({ env: r.env, at: clock.now() });
      return refuse ? Response.json({ detail: 'Invalid or inactive webhook token' }, { status: 401 }) : undefined;
    };
    const t0 = clock.now();
    await ack(t, TOKEN, '{"lane":"prod"}');
    await waitFor(() => t.relay.forwarder.paused().length === 1, 'the token paused');
    // The pause lasts max_backoff_seconds on the relay's clock.
    expect(t.relay.forwarder.paused()).toMatchObject([{ token: TOKEN, until: t0 + 500 }]);
    await ack(t, TOKEN, '{"lane":"dev"}', 'dev'); // the token's other lane: paused too
    await ack(t, TOKEN2, '{"other":"token"}');
    await waitFor(() => mock.stored.some((r) => r.token === TOKEN2), 'the other token to deliver');
    const h = (await (await fetch(`${t.url}/health`)).json()) as { paused_tokens: { token: string; reason: string }[] };
    expect(h.paused_tokens.map((p) => p.token)).toEqual([`${TOKEN.slice(0, 8)}…`]);
    expect(JSON.stringify(h)).not.toContain(TOKEN);
    // Now time passes (10x): each lane tries again, and gets its 401 again, only once the pause is over.
    onCleanup(clock.run());
    await waitFor(
      () => tried.some((x) => x.env === 'dev') && tried.filter((x) => x.env === null).length >= 2,
      'a try on each lane after the pause',
    );
    expect(tried[0]).toEqual({ env: null, at: t0 });
    expect(tried.slice(1).filter((x) => x.at < t0 + 500)).toEqual([]);
    expect(t.relay.spool.stats().pending).toBe(2);
    refuse = false;
    await waitFor(() => mock.stored.filter((r) => r.token === TOKEN).length === 2, 'resume after reactivation', 5000);
    // The cloud stores before the relay reads its answer: wait for the relay to settle it.
    await waitFor(async () => {
      const after = (await (await fetch(`${t.url}/health`)).json()) as { paused_tokens: unknown[] };
      return after.paused_tokens.length === 0;
    }, 'the pause to be lifted');
    expect(t.relay.forwarder.paused()).toEqual([]);
  });

  for (const status of [400, 413, 422]) {
    it(`dead-letters an event the cloud answers ${status}, keeping its answer, and moves the lane on`, async () => {
      const { mock, t } = await setup();
      mock.next({ kind: 'status', status, body: { detail: `refused with ${status}` } });
      const bad = await ack(t, TOKEN, '{"i":"bad"}');
      const good = await ack(t, TOKEN, '{"i":"good"}');
      await waitFor(() => mock.stored.length === 1, 'the next event to be delivered');
      expect(mock.stored[0]!.headers['idempotency-key']).toBe(good);
      const r = row(t, bad);
      expect(r.status).toBe('dead');
      expect(r.last_status).toBe(status);
      expect(String(r.last_error)).toContain(`refused with ${status}`);
      expect(t.relay.spool.stats().dead).toBe(1);
    });
  }

  it('sends at most forward.rate_per_token requests per second per token', async () => {
    // The token bucket refills on the relay's clock. It stands still but for
    // the test's steps of 50 ms, one token at 20/s: so each request's clock
    // time is known exactly, and a request too many would show at once.
    const clock = testClock();
    const { mock, t } = await setup({ forward: { rate_per_token: 20 } }, { clock });
    const times: number[] = []; // clock time of each request's arrival
    mock.handler = () => void times.push(clock.now());
    const t0 = clock.now();
    for (let i = 0; i < 30; i++) await ack(t, TOKEN, `{"i":${i}}`);
    await waitFor(() => times.length >= 2, 'the burst');
    for (let n = 3; n <= 30; n++) {
      clock.advance(50);
      await waitFor(() => times.length >= n, `request ${n} after ${(n - 2) * 50} ms of clock`);
    }
    await waitFor(() => mock.stored.length === 30, 'all 30 delivered');
    // Burst of 2 (rate/10), then one per 50 ms: never early, never a second one in a step.
    expect(times.map((at) => at - t0)).toEqual([0, 0, ...Array.from({ length: 28 }, (_, k) => (k + 1) * 50)]);
    // So 30 requests take (30 - 2) / 20 s, and no second holds more than 20 plus the burst.
    expect(times[29]! - times[0]!).toBe(((30 - 2) / 20) * 1000);
    for (let i = 0; i + 22 < times.length; i++) expect(times[i + 22]! - times[i]!).toBeGreaterThanOrEqual(1000);
  });

  it('resumes in lane order after a restart, sending what was pending', async () => {
    const dir = onCleanup.tempDir();
    const down = await startTestRelay({ cloud: { url: 'http://127.0.0.1:9' } }, { dir });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await ack(down, TOKEN, `{"i":${i}}`));
    await down.relay.stop();
    const mock = await startMockCloud();
    onCleanup(() => mock.stop());
    const up = await startTestRelay({ cloud: { url: mock.url } }, { dir });
    onCleanup(() => up.relay.stop());
    await waitFor(() => mock.stored.length === 10, 'delivery after restart');
    expect(mock.stored.map((r) => r.headers['idempotency-key'])).toEqual(ids);
  });
});

describe('spool housekeeping', () => {
  it('deletes delivered events after retention_days, never pending or dead ones', async () => {
    const { mock, t } = await setup();
    mock.next({ kind: 'status', status: 422 });
    const dead = await ack(t, TOKEN, '{"i":"dead"}');
    const delivered = await ack(t, TOKEN, '{"i":"delivered"}');
    await waitFor(() => mock.stored.length === 1, 'delivery');
    await waitFor(() => row(t, delivered).status === 'delivered', 'delivered mark');
    await mock.stop();
    const pending = await ack(t, TOKEN2, '{"i":"pending"}');
    const old = Date.now() - 8 * 86_400_000;
    onSpoolFile(t.config.spool.path, (db) =>
      db
        .prepare(
          'UPDATE events SET received_at = ?, delivered_at = CASE WHEN delivered_at IS NULL THEN NULL ELSE ? END',
        )
        .run(old, old),
    );
    await t.relay.prune();
    expect(row(t, delivered)).toBeUndefined();
    expect(row(t, dead).status).toBe('dead');
    expect(row(t, pending).status).toBe('pending');
  });

  it('makes room by deleting delivered events first when the quota is near', async () => {
    const { mock, t } = await setup({ spool: { max_size_mb: 5.1 } });
    const big = (i: number) => `{"i":${i},"pad":"${'x'.repeat(300_000)}"}`;
    for (let i = 0; i < 3; i++) await ack(t, TOKEN, big(i));
    await waitFor(() => t.relay.spool.stats().delivered === 3, 'three delivered');
    await mock.stop();
    for (let i = 3; i < 6; i++) await ack(t, TOKEN, big(i));
    expect(t.relay.spool.stats().pending).toBe(3);
    const r = await post(t.url, TOKEN, big(6));
    expect(r.status).toBe(503);
  });
});
