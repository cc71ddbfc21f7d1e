/**
 * Each alert condition through a real relay: a real spool, the forwarder
 * against a mock cloud, the webhook a real HTTP server. Time is the
 * FakeClock's; the alerter is ticked by hand. Every test sees one "firing"
 * and one "resolved" message, with the sentence a technician reads.
 */
import { afterEach, describe, expect, it } from 'bun:test';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { post, TOKEN } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';
import { type AlertRelay, alertRelay, clean, HOLD, HOUR, MIN, NOON, warned } from './alerts-setup.ts';

let t: AlertRelay;
let cloud: MockCloud;
afterEach(async () => {
  await t?.stop();
  await cloud?.stop();
});

const ok200 = async (body: string) => {
  const res = await post(t.relay.url, TOKEN, body);
  expect(res.status).toBe(200);
  const warnings = res.headers.get('x-relay-warnings');
  return {
    ...((await res.json()) as { event_id: string }),
    warnings: warnings ? (JSON.parse(warnings) as string[]) : undefined,
  };
};

/**
 * Points the relay at the mock cloud and moves the clock until `until` holds:
 * a lane retries only once the clock passes its backoff, and an attempt to the
 * old URL may still be settling (its backoff counted from the moved clock).
 */
async function cloudBack(until: () => boolean, what: string): Promise<void> {
  t.useCloud(cloud.url);
  await waitFor(() => {
    t.clock.advance(1000);
    return until();
  }, what);
}

/** The hold passes with the condition ok: the "resolved" goes out. */
async function resolveNow(): Promise<void> {
  await t.tick();
  t.clock.advance(HOLD);
  await t.tick();
}

describe('alerts, one condition at a time, through a running relay', () => {
  it('cloud_unreachable: after unreachable_minutes, silent inside repeat_hours, repeated after, resolved when the cloud answers', async () => {
    cloud = await startMockCloud();
    t = await alertRelay();
    await ok200(clean());
    await waitFor(() => t.relay.forwarder.cloud.reachable === false, 'a failed delivery');
    t.clock.advance(4 * MIN);
    await t.tick();
    expect(t.of('cloud_unreachable')).toEqual([]);
    t.clock.advance(MIN);
    await t.tick();
    const [m] = t.of('cloud_unreachable');
    expect(m).toMatchObject({ site: 'Cantina Roma', state: 'firing', since: new Date(NOON).toISOString() });
    expect(m!.text).toMatch(
      /^🔴 Cantina Roma: the relay has not reached the EmiliaVision cloud since 12:00 \(5 min; last error: .+\)\. 1 event waits safely on this PC\. What to do: Check this PC's internet connection/,
    );
    expect(m!.what_to_do).toStartWith("Check this PC's internet connection");
    expect(m!.details).toMatchObject({ pending: 1, threshold_minutes: 5 });

    t.clock.advance(4 * HOUR - MIN);
    await t.tick();
    expect(t.of('cloud_unreachable')).toHaveLength(1);
    t.clock.advance(MIN);
    await t.tick();
    expect(t.of('cloud_unreachable').map((x) => x.text.slice(0, 24))).toEqual([
      '🔴 Cantina Roma: the rel',
      '🔴 Cantina Roma, still: ',
    ]);

    await cloudBack(() => t.relay.forwarder.cloud.reachable === true, 'the cloud answering');
    await resolveNow();
    const all = t.of('cloud_unreachable');
    expect(all).toHaveLength(3);
    expect(all[2]!.state).toBe('resolved');
    expect(all[2]!.text).toMatch(
      /^✅ Cantina Roma, resolved: the EmiliaVision cloud answers again \(unreachable from 12:00, for 4 h \d+ min\)/,
    );
  });

  it('oldest_pending: after_minutes as a fraction; resolved once the backlog is delivered', async () => {
    cloud = await startMockCloud();
    t = await alertRelay({ alerts: { after_minutes: 0.5 } });
    await ok200(clean());
    t.clock.advance(30_000);
    await t.tick();
    expect(t.of('oldest_pending')).toEqual([]);
    t.clock.advance(1000);
    await t.tick();
    const [m] = t.of('oldest_pending');
    expect(m!.text).toMatch(
      /^🔴 Cantina Roma: 1 event waits for the cloud; the oldest \(token 019ab6ed… \(Main POS\), prod\) was received at 12:00, \d+ s ago \(alert after 0\.5 min\)\. What to do: Open the status page/,
    );
    await cloudBack(() => t.relay.spool.stats().pending === 0, 'the backlog delivered');
    await resolveNow();
    expect(t.of('oldest_pending').map((x) => x.state)).toEqual(['firing', 'resolved']);
    expect(t.of('oldest_pending')[1]!.text).toMatch(
      /^✅ Cantina Roma, resolved: no event has waited longer than 0\.5 min any more \(the backlog began at 12:00; 0 events waiting now\)/,
    );
  });

  it('success_rate: below success_rate_below over the last success_rate_window attempts; resolved when they succeed', async () => {
    cloud = await startMockCloud();
    t = await alertRelay({ cloud: { url: cloud.url }, alerts: { success_rate_window: 10, dead_letters: false } });
    cloud.next(...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 422 })));
    for (let i = 0; i < 10; i++) await ok200(clean());
    await waitFor(() => t.relay.spool.stats().pending === 0, 'ten attempts');
    await t.tick();
    const [m] = t.of('success_rate');
    expect(m!.text).toMatch(
      /^🔴 Cantina Roma: only 60% of the last 10 deliveries to the cloud succeeded \(alert below 95%\) since 12:00: HTTP 422 ×4\. What to do: The relay retries on its own/,
    );
    expect(m!.details).toMatchObject({ rate: 0.6, attempts: 10, failed: 4, codes: { '422': 4 } });
    for (let i = 0; i < 10; i++) await ok200(clean());
    await waitFor(() => t.relay.spool.stats().delivered === 16, 'ten more deliveries');
    await resolveNow();
    expect(t.of('success_rate').map((x) => x.state)).toEqual(['firing', 'resolved']);
    expect(t.of('success_rate')[1]!.text).toMatch(
      /^✅ Cantina Roma, resolved: deliveries succeed again: 100% of the last 10/,
    );
  });

  it('token_paused: a 401 pauses the token; resolved when the cloud takes it again; the token is never shown whole', async () => {
    cloud = await startMockCloud();
    t = await alertRelay({ cloud: { url: cloud.url } });
    cloud.next({ kind: 'status', status: 401 });
    await ok200(clean());
    await waitFor(() => t.relay.forwarder.paused().length === 1, 'the token paused');
    await t.tick();
    const [m] = t.of('token_paused');
    expect(m!.text).toMatch(
      /^🔴 Cantina Roma: the cloud refuses token 019ab6ed… \(Main POS\) as invalid or inactive \(HTTP 401\) since 12:00; its events are kept and retried\. What to do: Compare that token in relay\.toml/,
    );
    // The pause lasts forward.max_backoff_seconds (0.2 s of the relay's clock); then the head goes again.
    t.clock.advance(1000);
    await waitFor(() => t.relay.forwarder.paused().length === 0, 'the token accepted again');
    await resolveNow();
    expect(t.of('token_paused').map((x) => x.state)).toEqual(['firing', 'resolved']);
    expect(t.of('token_paused')[1]!.text).toMatch(
      /^✅ Cantina Roma, resolved: the cloud accepts token 019ab6ed… \(Main POS\) again/,
    );
    expect(JSON.stringify(t.hook.got)).not.toContain(TOKEN);
  });

  it('dead_letters: a rejected event fires; replaying it resolves', async () => {
    cloud = await startMockCloud();
    t = await alertRelay({ cloud: { url: cloud.url } });
    cloud.next({ kind: 'status', status: 422, body: { detail: 'bad payload' } });
    const { event_id } = await ok200(clean());
    await waitFor(() => t.relay.spool.stats().dead === 1, 'a dead letter');
    await t.tick();
    const [m] = t.of('dead_letters');
    expect(m!.text).toMatch(
      /^🔴 Cantina Roma: the cloud rejected 1 event for good since 12:00 \(1 dead letter in the spool now\)\. What to do: Open "Dead letters" on the status page/,
    );
    expect((await t.relay.spool.replay([event_id])).replayed).toEqual([event_id]);
    await waitFor(() => t.relay.spool.stats().delivered === 1, 'the replayed event delivered');
    await resolveNow();
    expect(t.of('dead_letters').map((x) => x.state)).toEqual(['firing', 'resolved']);
    expect(t.of('dead_letters')[1]!.text).toMatch(
      /^✅ Cantina Roma, resolved: the dead letters that came after 12:00 were replayed \(0 dead letters in the spool now\)/,
    );
  });

  it('spool_full: over spool_full_above; resolved once delivered events are pruned', async () => {
    cloud = await startMockCloud();
    // 8 MB of quota, 4 MB of it counted for the write-ahead log: five events of ~300 KB fill it past 60%, and deleting them brings it back to about 51%.
    t = await alertRelay({ spool: { max_size_mb: 8 }, alerts: { spool_full_above: 0.6 } });
    const pad = 'x'.repeat(300_000);
    for (let i = 0; i < 5; i++) await ok200(JSON.stringify({ ...JSON.parse(clean()), note: pad }));
    await t.tick();
    const [m] = t.of('spool_full');
    expect(m!.text).toMatch(
      /^🔴 Cantina Roma: the relay's spool is 6\d\.\d% full \(\d+ KB of 8192 KB, alert above 60%\) since 12:00\. When it is full, the POS gets 503 and its events are refused\. What to do: Restore the internet connection/,
    );
    await cloudBack(() => t.relay.spool.stats().delivered === 5, 'the spool delivered');
    t.clock.advance(8 * 24 * HOUR);
    await t.relay.prune();
    await resolveNow();
    expect(t.of('spool_full').map((x) => x.state)).toEqual(['firing', 'resolved']);
    expect(t.of('spool_full')[1]!.text).toMatch(
      /^✅ Cantina Roma, resolved: the spool is down to 5\d\.\d% full \(\d+ KB of 8192 KB\)\./,
    );
  });

  it("payload_warnings: a warning among a token's first_events fires; first_events clean ones in a row resolve it", async () => {
    cloud = await startMockCloud();
    t = await alertRelay({ cloud: { url: cloud.url }, alerts: { first_events: 3 } });
    expect((await ok200(clean())).warnings).toBeUndefined();
    expect((await ok200(warned())).warnings).toHaveLength(1);
    await t.tick();
    const [m] = t.of('payload_warnings');
    expect(m!.text).toMatch(
      /^🔴 Cantina Roma: events with payload warnings from token 019ab6ed… \(Main POS\): 1 of 2 since the relay started \(first at 12:00\): missing_table_number ×1 \(.+\)\. The cloud accepts them, but its dashboard may not show them\. What to do: Send the warnings to the POS integrator/,
    );
    for (let i = 0; i < 2; i++) await ok200(clean());
    await resolveNow();
    expect(t.of('payload_warnings')).toHaveLength(1);
    await ok200(clean());
    await resolveNow();
    expect(t.of('payload_warnings').map((x) => x.state)).toEqual(['firing', 'resolved']);
    expect(t.of('payload_warnings')[1]!.text).toMatch(
      /^✅ Cantina Roma, resolved: token 019ab6ed… \(Main POS\) now sends clean events: 3 events in a row/,
    );
    expect(JSON.stringify(t.hook.got)).not.toContain(TOKEN);
  });
});
