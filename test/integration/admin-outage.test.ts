import { afterEach, describe, expect, it } from 'bun:test';
import type { StatusView } from '../../src/admin/view.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { startRelay } from '../../src/relay.ts';
import { FakeClock } from '../helpers/clock.ts';
import { post, startTestRelay, TOKEN, tempDir, testConfig } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * The status page's colour through a cloud outage, on the injected clock: the
 * first delivery fails for real (nothing listens on the cloud URL), then the
 * test moves the relay's time instead of waiting. Shorter than
 * admin.outage_amber_seconds (60 s by default): amber, "needs attention";
 * longer: red, Degraded. /health says degraded all along, as it always has.
 */

type Running = { url: string; stop(): Promise<void> };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const status = async (r: Running) => (await (await fetch(`${r.url}/admin/api/status`)).json()) as StatusView;
const page = async (r: Running) => await (await fetch(`${r.url}/admin`)).text();
const health = async (r: Running) => ((await (await fetch(`${r.url}/health`)).json()) as { status: string }).status;
const bannerOf = (html: string) =>
  /<section class="banner (\w+)" data-status="(\w+)" data-level="(\w+)">\s*<h2><span class="dot"><\/span>([^<]*)</
    .exec(html)
    ?.slice(1);

/** One event posted, and the relay's first delivery of it got no answer. */
async function cloudDown(r: Running & { relay: { forwarder: { cloud: { reachable: boolean | null } } } }) {
  expect((await post(r.url, TOKEN, '{"event":"order_created"}')).status).toBe(200);
  await waitFor(() => r.relay.forwarder.cloud.reachable === false, 'the first delivery to fail');
}

/**
 * The lane's retry timer is real time: after the test moves the FakeClock,
 * the lane is overdue (lane_stalled, red) until that timer fires and looks at
 * the clock again. Wait for it, so the colour is the outage's alone.
 */
async function caughtUp(r: Running & { relay: { forwarder: { stalled(): unknown[] } } }) {
  await waitFor(() => r.relay.forwarder.stalled().length === 0, 'the lane to catch up with the moved clock');
}

describe('a cloud outage on the status page', () => {
  it('is amber for 20 s and 59 s, red at 61 s; /health is degraded throughout', async () => {
    const clock = new FakeClock();
    const r = await startTestRelay({}, { clock });
    cleanups.push(() => r.stop());
    await cloudDown(r);

    clock.advance(20_000);
    await caughtUp(r);
    let v = await status(r);
    expect([v.status, v.level, v.cloud.outage_seconds]).toEqual(['degraded', 'warn', 20]);
    expect(v.reasons).toEqual([{ id: 'cloud_unreachable', colour: 'amber', detail: expect.any(String) }]);
    expect(v.reasons[0]!.detail).toMatch(
      /^The cloud has not answered for 20 s \(.*\)\. Events are kept on disk and sent when it answers\. If it lasts 1 min \(admin\.outage_amber_seconds\), the relay shows Degraded\.$/,
    );
    let html = await page(r);
    expect(bannerOf(html)).toEqual(['warn', 'degraded', 'warn', 'Running, needs attention']);
    expect(html).toContain(
      '<li data-reason="cloud_unreachable" data-colour="amber">The cloud has not answered for 20 s',
    );
    expect(html).toContain('class="card cloud-wait"');
    expect(await health(r)).toBe('degraded');

    clock.advance(39_000);
    await caughtUp(r);
    expect((await status(r)).level).toBe('warn');

    clock.advance(2_000);
    await caughtUp(r);
    v = await status(r);
    expect([v.status, v.level, v.cloud.outage_seconds]).toEqual(['degraded', 'degraded', 61]);
    expect(v.reasons.map((x) => [x.id, x.colour])).toEqual([['cloud_unreachable', 'red']]);
    expect(v.reasons[0]!.detail).toContain('The cloud has not answered for 1 min (');
    expect(v.reasons[0]!.detail).not.toContain('the relay shows Degraded');
    html = await page(r);
    expect(bannerOf(html)).toEqual(['bad', 'degraded', 'degraded', 'Degraded']);
    expect(html).toContain('class="card cloud-down"');
    expect(await health(r)).toBe('degraded');
  });

  it('is measured on the monotonic clock: a wall-clock step forwards or back neither reddens nor ends it, and is shown', async () => {
    const clock = new FakeClock();
    const r = await startTestRelay({}, { clock });
    cleanups.push(() => r.stop());
    await cloudDown(r);
    clock.advance(20_000);
    clock.stepWall(2 * 3_600_000);
    await caughtUp(r);
    // The relay's clock watch notices the step within a second.
    await waitFor(async () => (await status(r)).reasons.some((x) => x.id === 'clock_stepped'), 'the step noticed');
    let v = await status(r);
    expect([v.level, v.cloud.outage_seconds]).toEqual(['warn', 20]);
    // The waiting event's age is the one the alerts act on: 20 s, not 2 h 20 s; so no lane is called stuck.
    expect(v.lanes.map((l) => l.oldest_pending_seconds)).toEqual([20]);
    expect(v.attention).toEqual([]);
    expect(v.reasons.map((x) => [x.id, x.colour])).toEqual([
      ['cloud_unreachable', 'amber'],
      ['clock_stepped', 'amber'],
    ]);
    expect(v.reasons[1]!.detail).toStartWith('The wall clock stepped forwards by 2 h (+7200000 ms) at ');
    const html = await page(r);
    expect(html).toContain(
      '<li data-reason="clock_stepped" data-colour="amber">The wall clock stepped forwards by 2 h',
    );

    clock.stepWall(-4 * 3_600_000);
    await waitFor(
      async () => (await status(r)).reasons[1]?.detail.includes('stepped back by 4 h') === true,
      'the step back noticed',
    );
    await caughtUp(r);
    v = await status(r);
    expect([v.level, v.cloud.outage_seconds, v.status]).toEqual(['warn', 20, 'degraded']);
    expect(v.lanes.map((l) => l.oldest_pending_seconds)).toEqual([20]);
    clock.advance(41_000);
    await caughtUp(r);
    expect((await status(r)).level).toBe('degraded');
  });

  it('turns red after admin.outage_amber_seconds as configured (5 s)', async () => {
    const clock = new FakeClock();
    const tmp = tempDir('relay-outage-');
    const config = testConfig(tmp.dir);
    config.admin = { ...config.admin, outage_amber_seconds: 5 };
    const relay = await startRelay(config, { log: silentLogger, clock });
    const r = { relay, url: relay.url, stop: async () => (await relay.stop(), tmp.cleanup()) };
    cleanups.push(() => r.stop());
    await cloudDown(r);
    clock.advance(4_000);
    await caughtUp(r);
    expect((await status(r)).level).toBe('warn');
    clock.advance(2_000);
    await caughtUp(r);
    const v = await status(r);
    expect([v.level, v.cloud.outage_amber_seconds]).toEqual(['degraded', 5]);
  });

  it('is green, with /health ok, when nothing is wrong', async () => {
    const r = await startTestRelay({}, { clock: new FakeClock() });
    cleanups.push(() => r.stop());
    const v = await status(r);
    expect([v.status, v.level, v.cloud.outage_seconds]).toEqual(['ok', 'ok', null]);
    expect(bannerOf(await page(r))).toEqual(['good', 'ok', 'ok', 'Healthy']);
  });
});

describe('the site on the status page', () => {
  it("shows the site's name, its zone and its local time by the relay's clock", async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 0, 0, 0)); // 21:00 the evening before in São Paulo
    const tmp = tempDir('relay-site-');
    const config = testConfig(tmp.dir);
    config.site = { ...config.site, name: 'Cantina <Centro>', timezone: 'America/Sao_Paulo' };
    const relay = await startRelay(config, { log: silentLogger, clock });
    const r = { url: relay.url, stop: async () => (await relay.stop(), tmp.cleanup()) };
    cleanups.push(() => r.stop());
    expect((await status(r)).site).toEqual({
      name: 'Cantina <Centro>',
      timezone: 'America/Sao_Paulo',
      local_time: '2025-12-31T21:00:00-03:00',
      local_time_text: 'Wed, 31 Dec 2025, 21:00 (UTC-03:00)',
    });
    const html = await page(r);
    expect(html).toContain('<title>Relay status · Cantina &lt;Centro&gt;</title>');
    expect(html).toContain('<strong data-field="site-name">Cantina &lt;Centro&gt;</strong>');
    expect(html).toContain('<span data-field="site-zone">America/Sao_Paulo</span>');
    expect(html).toContain(
      '<time data-field="site-time" datetime="2025-12-31T21:00:00-03:00">Wed, 31 Dec 2025, 21:00 (UTC-03:00)</time>',
    );
    // The live fragment carries it, so the time moves on with each refresh.
    clock.advance(90 * 60_000);
    expect(await (await fetch(`${r.url}/admin/live`)).text()).toContain('Wed, 31 Dec 2025, 22:30 (UTC-03:00)');
  });
});
