/**
 * The alerts a technician sees without a receiver of their own: the status
 * page's Alerts section (what fires, the last messages, each receiver) and
 * /metrics (relay_alerts_firing, messages and each receiver's sends and
 * failures). A receiver that is down shows there, never as an alert.
 */
import { afterEach, describe, expect, it } from 'bun:test';
import { renderLive } from '../../src/admin/page.ts';
import type { StatusView } from '../../src/admin/view.ts';
import { post, TOKEN } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';
import { type AlertRelay, alertRelay, clean, MIN } from './alerts-setup.ts';

let t: AlertRelay;
afterEach(async () => {
  await t?.stop();
});

const status = async (): Promise<StatusView> =>
  (await (await fetch(`${t.relay.url}/admin/api/status`)).json()) as StatusView;
const metrics = async () => (await fetch(`${t.relay.url}/metrics`)).text();

describe('alerts on the status page and /metrics', () => {
  it('list nothing firing and the receiver, then the firing alert, its message and the sends', async () => {
    t = await alertRelay();
    let v = await status();
    expect(v.alerts?.firing).toEqual([]);
    expect(v.alerts?.receivers.map((r) => r.kind)).toEqual(['webhook']);
    expect(await metrics()).toMatch(/^relay_alerts_firing\{condition="cloud_unreachable"\} 0$/m);

    expect((await post(t.relay.url, TOKEN, clean())).status).toBe(200);
    await waitFor(() => t.relay.forwarder.cloud.reachable === false, 'a failed delivery');
    t.clock.advance(6 * MIN);
    await t.tick();
    v = await status();
    expect(v.alerts?.firing.map((f) => f.condition)).toEqual(['cloud_unreachable']);
    expect(v.alerts?.last_sent[0]).toMatchObject({ condition: 'cloud_unreachable', state: 'firing' });
    expect(v.alerts?.receivers[0]).toMatchObject({ kind: 'webhook', ok: true, failures: 0 });
    const page = renderLive(v).text;
    expect(page).toContain('id="alerts"');
    expect(page).toContain('data-alert="cloud_unreachable"');
    const m = await metrics();
    expect(m).toMatch(/^relay_alerts_firing\{condition="cloud_unreachable"\} 1$/m);
    expect(m).toMatch(/^relay_alert_messages_total\{state="firing"\} 1$/m);
    expect(m).toMatch(/^relay_alert_sends_total\{receiver="webhook"\} 1$/m);
    expect(m).toMatch(/^relay_alert_send_failures_total\{receiver="webhook"\} 0$/m);
  });

  it("show a receiver's failures, not an alert about them", async () => {
    t = await alertRelay();
    t.hook.mode = 'fail';
    expect((await post(t.relay.url, TOKEN, clean())).status).toBe(200);
    await waitFor(() => t.relay.forwarder.cloud.reachable === false, 'a failed delivery');
    t.clock.advance(6 * MIN);
    await t.caughtUp();
    t.relay.alerts.tick();
    await waitFor(async () => ((await status()).alerts?.receivers[0]?.failures ?? 0) > 0, 'a failed send');
    const v = await status();
    expect(v.alerts?.receivers[0]?.ok).toBe(false);
    expect(v.alerts?.firing.map((f) => f.condition)).toEqual(['cloud_unreachable']);
    expect(await metrics()).toMatch(/^relay_alert_send_failures_total\{receiver="webhook"\} [1-9]\d*$/m);
  });
});
