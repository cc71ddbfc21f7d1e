/**
 * Stalls and clock steps, in process, on a FakeClock: a lane whose runner
 * stops acting past its promised deadline is reported stalled; a lane that
 * is only waiting out its backoff is not; a backwards step of the wall clock
 * does not lengthen a backoff.
 */
import { describe, expect, it } from 'bun:test';
import { useCleanup } from '../helpers/cleanup.ts';
import { testClock } from '../helpers/clock.ts';
import { startMockCloud } from '../helpers/mock-cloud.ts';
import { ORDER_CREATED, post, startTestRelay, TOKEN } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();

async function setup(forward: { initial_backoff_seconds: number; max_backoff_seconds: number }) {
  const cloud = await startMockCloud();
  onCleanup(() => cloud.stop());
  const clock = testClock();
  const t = await startTestRelay({ cloud: { url: cloud.url, timeout_seconds: 2 }, forward }, { clock });
  onCleanup(() => t.stop());
  return { cloud, clock, t };
}

describe('stalled lanes', () => {
  it('a runner stuck on a spool write past its deadline plus the margin is stalled; it recovers when the write returns', async () => {
    const { cloud, clock, t } = await setup({ initial_backoff_seconds: 1, max_backoff_seconds: 300 });
    const spool = t.relay.spool;
    const real = spool.markDelivered.bind(spool);
    let release: () => void = () => {};
    const stuck = new Promise<void>((r) => {
      release = r;
    });
    onCleanup(() => release());
    // A disk that stops answering: the delivery's record never returns until released.
    spool.markDelivered = async (...args) => {
      await stuck;
      return real(...args);
    };
    expect((await post(t.url, TOKEN, ORDER_CREATED)).status).toBe(200);
    await waitFor(() => cloud.stored.length === 1, 'the delivery reached the cloud');
    expect(t.relay.forwarder.stalled()).toEqual([]);
    clock.advance(4_000);
    expect(t.relay.forwarder.stalled()).toEqual([]);
    // Past the request's own timeout (2 s) plus the margin (5 s), whenever the answer was read.
    clock.advance(4_000);
    const stalled = t.relay.forwarder.stalled();
    expect(stalled).toHaveLength(1);
    expect(stalled[0]).toMatchObject({ token: TOKEN, env: 'prod' });
    expect(stalled[0]!.overdueMs).toBeGreaterThan(0);
    release();
    await waitFor(() => t.relay.spool.stats().pending === 0, 'the record written once the disk answers');
    expect(t.relay.forwarder.stalled()).toEqual([]);
  });

  it('a lane waiting out a long pause (the cloud refused its token) is not stalled, however long the wait', async () => {
    const { cloud, clock, t } = await setup({ initial_backoff_seconds: 1, max_backoff_seconds: 300 });
    cloud.always({ kind: 'status', status: 401 });
    expect((await post(t.url, TOKEN, ORDER_CREATED)).status).toBe(200);
    await waitFor(() => t.relay.forwarder.paused().length === 1, 'the token paused');
    clock.advance(290_000);
    expect(t.relay.forwarder.stalled()).toEqual([]);
    clock.advance(20_000);
    // Its pause is over and the runner, on a real timer, has not woken: by the monotonic clock it is late.
    expect(t.relay.forwarder.stalled()).toHaveLength(1);
  });

  it('a backwards step of the wall clock does not lengthen a backoff', async () => {
    const { cloud, clock, t } = await setup({ initial_backoff_seconds: 2, max_backoff_seconds: 2 });
    cloud.always({ kind: 'status', status: 503 });
    expect((await post(t.url, TOKEN, ORDER_CREATED)).status).toBe(200);
    await waitFor(() => t.relay.spool.headAttempts(TOKEN, 'prod')?.attempts === 1, 'the failure recorded');
    cloud.always({ kind: 'ok' });
    clock.stepWall(-8 * 86_400_000);
    clock.advance(2_001);
    await waitFor(() => cloud.stored.length === 1, 'delivered once the backoff is over on the monotonic clock', 5000);
  });
});
