/**
 * Cloud-wide recovery: a failed connection is the cloud's state, not one
 * lane's. When any lane reaches the cloud again, every lane that was backing
 * off from a failed connection tries within about a second, instead of
 * sitting out its own backoff; a lane waiting on an answer about its own
 * token keeps its wait.
 */
import { describe, expect, it } from 'bun:test';
import { useCleanup } from '../helpers/cleanup.ts';
import { testClock } from '../helpers/clock.ts';
import { startMockCloud } from '../helpers/mock-cloud.ts';
import { freePort } from '../helpers/ports.ts';
import { post, startTestRelay, TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();

async function ack(url: string, token: string, env: string, n: number): Promise<string> {
  const res = await post(url, token, JSON.stringify({ event: 'order_created', n }), { env });
  expect(res.status).toBe(200);
  return ((await res.json()) as { event_id: string }).event_id;
}

describe('after an outage, every lane comes back together', () => {
  it('lanes backing off from refused connections try within 2 s of the first answer, not after their own backoff', async () => {
    const port = freePort();
    const t = await startTestRelay({
      cloud: { url: `http://127.0.0.1:${port}`, timeout_seconds: 2 },
      // A first backoff of up to a minute: a lane sitting it out fails the test.
      forward: { initial_backoff_seconds: 60, max_backoff_seconds: 300 },
    });
    onCleanup(() => t.stop());
    const waiting = [
      await ack(t.url, TOKEN, 'prod', 1),
      await ack(t.url, TOKEN, 'dev', 2),
      await ack(t.url, TOKEN2, 'prod', 3),
    ];
    await waitFor(() => t.relay.forwarder.cloud.reachable === false, 'the cloud unreachable');
    await waitFor(
      () =>
        t.relay.spool
          .stats()
          .lanes.every((l) => l.pending === 0 || (t.relay.spool.headAttempts(l.token, l.env)?.attempts ?? 0) >= 1),
      'each lane tried once',
    );

    const cloud = await startMockCloud(port);
    onCleanup(() => cloud.stop());
    // A new lane has no backoff: its event is the first answer the cloud gives.
    const first = await ack(t.url, TOKEN2, 'dev', 4);
    await waitFor(
      () => [first, ...waiting].every((k) => cloud.stored.some((r) => r.headers['idempotency-key'] === k)),
      'every waiting lane delivered',
      10_000,
    );
    // Measured at the cloud: each waiting lane's first attempt after the cloud's first answer.
    const at = (k: string) => cloud.received.find((r) => r.headers['idempotency-key'] === k)!.at;
    const firstAnswer = at(first);
    for (const k of waiting) expect(at(k) - firstAnswer).toBeLessThan(2000);
  });

  it('after three days away (a fake clock), the waiting lanes take their turns within one monotonic second of the first answer', async () => {
    const port = freePort();
    const clock = testClock();
    const t = await startTestRelay(
      {
        cloud: { url: `http://127.0.0.1:${port}`, timeout_seconds: 2 },
        // Every failure waits the longest backoff: only the cloud's answer can end it early.
        forward: { initial_backoff_seconds: 300, max_backoff_seconds: 300 },
      },
      { clock },
    );
    onCleanup(() => t.stop());
    const waiting = [
      await ack(t.url, TOKEN, 'prod', 1),
      await ack(t.url, TOKEN, 'dev', 2),
      await ack(t.url, TOKEN2, 'prod', 3),
    ];
    const attempts = () =>
      t.relay.spool.stats().lanes.map((l) => t.relay.spool.headAttempts(l.token, l.env)?.attempts ?? 0);
    await waitFor(() => attempts().length === 3 && attempts().every((n) => n >= 1), 'each lane tried once');
    // The outage lasts three days by the relay's monotonic clock; the lanes' real timers still read 300 s.
    clock.advance(3 * 86_400_000);

    const cloud = await startMockCloud(port);
    onCleanup(() => cloud.stop());
    const first = await ack(t.url, TOKEN2, 'dev', 4);
    await waitFor(() => cloud.stored.length === 1, 'the first answer (a lane with no backoff)');
    const answeredAt = clock.mono();
    // Each waiting lane has its turn within the second after the answer, spread over it: with the clock
    // held at the answer, none may go yet.
    await Bun.sleep(1200);
    expect(cloud.received.map((r) => r.headers['idempotency-key'])).toEqual([first]);
    clock.advance(1000);
    await waitFor(
      () => waiting.every((k) => cloud.stored.some((r) => r.headers['idempotency-key'] === k)),
      'every waiting lane delivered once the monotonic second has passed',
      5_000,
    );
    expect(clock.mono() - answeredAt).toBe(1000);
  });

  it('a lane backing off from a 503 about itself keeps its wait when another lane reaches the cloud', async () => {
    const cloud = await startMockCloud();
    onCleanup(() => cloud.stop());
    cloud.handler = (r) => (r.token === TOKEN ? Response.json({ detail: 'busy' }, { status: 503 }) : undefined);
    const t = await startTestRelay({
      cloud: { url: cloud.url, timeout_seconds: 2 },
      forward: { initial_backoff_seconds: 60, max_backoff_seconds: 300 },
    });
    onCleanup(() => t.stop());
    await ack(t.url, TOKEN, 'prod', 1);
    await waitFor(() => cloud.received.length === 1, 'the 503');
    await waitFor(() => t.relay.spool.headAttempts(TOKEN, 'prod')?.attempts === 1, 'the failure recorded');
    await ack(t.url, TOKEN2, 'prod', 2);
    await waitFor(() => cloud.stored.length === 1, 'the other lane delivered');
    await Bun.sleep(1500);
    expect(cloud.received.filter((r) => r.token === TOKEN)).toHaveLength(1);
  });
});
