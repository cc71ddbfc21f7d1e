/**
 * Alerts outlive a restart of the compiled binary: the spool keeps what
 * fires, since when and when it was sent, so a relay stopped (SIGTERM) or
 * killed (kill -9) while an alert fires neither sends it again when it comes
 * back nor forgets to send its resolution once the condition clears.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import type { AlertMessage } from '../../src/alerts/index.ts';
import { type Hook, startHook } from '../helpers/alert-receivers.ts';
import { installSite, type RunningBinary, serveSite, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { freePort } from '../helpers/ports.ts';
import { post, TOKEN } from '../helpers/relay.ts';
import { relayToml } from '../helpers/reliability.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();
let hook: Hook;
let cloud: MockCloud | undefined;
beforeAll(async () => {
  hook = await startHook();
});
afterAll(async () => {
  await hook.stop();
  await cloud?.stop();
});

/** The alerter ticks every 5 s; the machine may be busy. */
const TICK_MS = 5000;
/** unreachable_minutes = 0.05: the cloud_unreachable alert fires 3 s into an outage. */
const UNREACHABLE_MS = 3000;
/** A condition stays ok this long before "resolved" is sent (the relay's hold, 2 min). */
const HOLD_MS = 120_000;

const messages = () => hook.got.filter((m) => m.condition === 'cloud_unreachable') as AlertMessage[];
const states = () => messages().map((m) => m.state);

/**
 * The new process has found the cloud down again (its forwarder tried) and
 * has had two ticks past the threshold: long enough for a relay that forgot
 * the alert to send it again.
 */
async function outageSeenAgain(r: RunningBinary): Promise<void> {
  await waitFor(
    () => r.lines.some((l) => l.includes('"cloud unreachable"')),
    'the restarted relay to find the cloud down',
    30_000,
  );
  await Bun.sleep(UNREACHABLE_MS + 2 * TICK_MS + 2000);
}

describe('alerts across restarts of the compiled binary', () => {
  it('cloud_unreachable fires once, survives a SIGTERM and a kill -9, and resolves once when the cloud is back', async () => {
    const cloudPort = freePort();
    const { dir, bin } = await installSite(
      onCleanup,
      relayToml({
        cloudUrl: `http://127.0.0.1:${cloudPort}`,
        config: {
          alerts: { webhook_url: hook.url, unreachable_minutes: UNREACHABLE_MS / 60_000 },
          forward: { initial_backoff_seconds: 0.5, max_backoff_seconds: 2 },
        },
      }),
    );
    let relay = await serveSite(onCleanup, bin, dir);
    expect((await post(relay.url, TOKEN, '{"event":"order_created","timestamp":"2026-01-01T12:00:00Z"}')).status).toBe(
      200,
    );
    await waitFor(() => messages().length > 0, 'the cloud_unreachable alert', 30_000);
    expect(states()).toEqual(['firing']);
    const firing = messages()[0]!;

    // Stopped as a service manager stops it, then started again: the alert is not news.
    expect(await stopBinary(relay, 'SIGTERM')).toBe(0);
    relay = await serveSite(onCleanup, bin, dir);
    await outageSeenAgain(relay);
    expect(states()).toEqual(['firing']);

    // Killed outright while it fires: the same.
    await stopBinary(relay, 'SIGKILL');
    relay = await serveSite(onCleanup, bin, dir);
    await outageSeenAgain(relay);
    expect(states()).toEqual(['firing']);

    // The cloud comes back: the waiting event goes out, and after the hold one "resolved" is sent,
    // naming the outage's start as the first message did.
    cloud = await startMockCloud(cloudPort);
    await waitFor(() => cloud!.stored.length === 1, 'the waiting event delivered', 30_000);
    await waitFor(() => messages().length > 1, 'the resolution', HOLD_MS + 6 * TICK_MS);
    expect(states()).toEqual(['firing', 'resolved']);
    // The same instant: wall and monotonic clocks are read a moment apart, so a few ms either way.
    expect(Math.abs(Date.parse(messages()[1]!.since) - Date.parse(firing.since))).toBeLessThan(50);
    await stopBinary(relay, 'SIGTERM');
  }, 300_000);
});
