/**
 * A step of the system clock under the compiled binary (an NTP correction, a
 * dead CMOS battery, a technician fixing the date), made with libfaketime:
 * the wall clock moves, the monotonic clock stays real.
 *
 * Backwards, lanes backing off must not wait out the step; forwards, ages
 * must not jump (no alert fires); either way, event ids keep going forward
 * in time, and /health says the clock stepped.
 */
import { describe, expect, it } from 'bun:test';
import { installSite, startBinary, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { fakeWallClock } from '../helpers/faketime.ts';
import { startMockCloud } from '../helpers/mock-cloud.ts';
import { post, TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { relayToml } from '../helpers/reliability.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();

const LANES = [
  { token: TOKEN, env: 'prod' },
  { token: TOKEN, env: 'dev' },
  { token: TOKEN2, env: 'prod' },
  { token: TOKEN2, env: 'dev' },
] as const;

/** The Unix milliseconds a UUIDv7 carries in its first 48 bits. */
const idTime = (id: string): number => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);

const HOUR_S = 3600;

async function startSite(cloudUrl: string, config = {}) {
  const toml = relayToml({
    cloudUrl,
    config: {
      forward: { initial_backoff_seconds: 1, max_backoff_seconds: 4 },
      cloud: { timeout_seconds: 2 },
      ...config,
    },
  });
  const site = await installSite(onCleanup, toml, 'relay-clock-');
  const clock = fakeWallClock(site.dir);
  const relay = await startBinary(site.bin, ['serve'], { cwd: site.dir, env: clock.env });
  onCleanup(() => stopBinary(relay));
  return { site, clock, relay };
}

async function postAll(url: string, round: number): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, lane] of LANES.entries()) {
    const res = await post(url, lane.token, JSON.stringify({ round, lane: i }), { env: lane.env });
    expect(res.status).toBe(200);
    ids.push(((await res.json()) as { event_id: string }).event_id);
  }
  return ids;
}

const health = async (url: string) =>
  (await (await fetch(`${url}/health`)).json()) as { status: string; reasons?: { id: string; detail: string }[] };

describe('the wall clock steps under a running relay', () => {
  it('backwards by 2 h while every lane backs off: delivery resumes within the max backoff once the cloud is back', async () => {
    const cloud = await startMockCloud();
    onCleanup(() => cloud.stop());
    cloud.always({ kind: 'status', status: 503 });
    const { clock, relay } = await startSite(cloud.url);

    const before = await postAll(relay.url, 1);
    // Every lane has failed at least twice: each is now waiting out a backoff.
    await waitFor(() => LANES.every((l) => cloud.received.filter((r) => r.token === l.token).length >= 4), 'retries');

    clock.set(-2 * HOUR_S);
    await Bun.sleep(1500); // libfaketime re-reads its file each second
    const after = await postAll(relay.url, 2);
    cloud.always({ kind: 'ok' });
    const backAt = Date.now();

    const keys = [...before, ...after];
    // max_backoff_seconds (4) plus the margin a loaded machine needs; a frozen lane would wait 2 h.
    await waitFor(
      () => keys.every((k) => cloud.stored.some((r) => r.headers['idempotency-key'] === k)),
      'every event delivered after the step',
      15_000,
    );
    expect(Date.now() - backAt).toBeLessThan(15_000);

    // Ids go on forward in time across the step: the second round holds the first round's time.
    const times = keys.map(idTime);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);

    // The step is told: once in the log with its size, and on /health.
    await waitFor(
      async () => (await health(relay.url)).reasons?.some((r) => r.id === 'clock_stepped') ?? false,
      'step on /health',
    );
    const lines = relay.lines.filter((l) => /clock step/i.test(l));
    expect(lines.length).toBe(1);
    expect(lines[0]).toContain('-720');
  }, 60_000);

  it('forwards by 3 days with the cloud away: no alert fires for ages that did not pass', async () => {
    const cloud = await startMockCloud();
    await cloud.stop(); // refused connections: the cloud is unreachable from the start
    const { clock, relay } = await startSite(cloud.url, {
      alerts: { unreachable_minutes: 60, after_minutes: 60 },
    });
    await postAll(relay.url, 1);
    await waitFor(() => relay.lines.some((l) => l.includes('"cloud unreachable"')), 'cloud unreachable noticed');

    clock.set(3 * 24 * HOUR_S);
    // The alerter evaluates every 5 s: three ticks after the step.
    await Bun.sleep(16_000);
    // The conditions that read ages: the cloud's silence and the oldest waiting event.
    const alerts = relay.lines.filter((l) => /"alert":"(cloud_unreachable|oldest_pending|lane_stalled)"/.test(l));
    expect(alerts).toEqual([]);
    const h = await health(relay.url);
    expect(h.reasons?.map((r) => r.id)).toContain('clock_stepped');
  }, 60_000);
});
