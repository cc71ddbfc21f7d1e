/**
 * Alert receivers that misbehave, and e-mail through a real SMTP server
 * (python3-aiosmtpd). A receiver that hangs or refuses never slows the
 * webhook endpoint or deliveries; its failures show in status() and the
 * alert arrives once it is back.
 */
import { describe, expect, it } from 'bun:test';
import { hostname } from 'node:os';
import { smtpServer } from '../helpers/alert-receivers.ts';
import { freePort } from '../helpers/ports.ts';
import { post, TOKEN } from '../helpers/relay.ts';
import { itUnless } from '../helpers/skip.ts';
import { waitFor } from '../helpers/wait.ts';
import { type AlertRelay, alertRelays, clean, HOLD, warned } from './alerts-setup.ts';

const relays = alertRelays();

/** 30 webhooks at once: every one answered 200, and quickly (a receiver's wait would be seconds). */
async function ingestStillFast(r: AlertRelay): Promise<void> {
  const t0 = performance.now();
  const answers = await Promise.all(Array.from({ length: 30 }, () => post(r.relay.url, TOKEN, clean())));
  expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
  expect(performance.now() - t0).toBeLessThan(1500);
}

describe('a receiver that is down', () => {
  it('hangs: ingest and delivery go on, the failure is counted and shown, and the alert arrives once it answers', async () => {
    const r = await relays.start({ cloud: { url: relays.cloud.url }, alerts: { first_events: 1 } });
    r.hook.mode = 'hang';
    await post(r.relay.url, TOKEN, warned());
    const t0 = performance.now();
    const fired = r.relay.alerts.tick();
    expect(performance.now() - t0).toBeLessThan(100); // queued, not sent, by tick()
    expect(fired.map((x) => x.condition)).toEqual(['payload_warnings']);

    await ingestStillFast(r);
    await waitFor(() => r.relay.spool.stats().delivered === 31, 'deliveries while the receiver hangs');
    await waitFor(() => (r.relay.alerts.status().receivers[0]?.failures ?? 0) >= 2, 'timeouts counted');
    const [webhook] = r.relay.alerts.status().receivers;
    expect(webhook).toMatchObject({
      kind: 'webhook',
      ok: false,
      lastError: 'no answer within 300 ms',
      sent: 0,
      queued: 1,
    });
    expect(webhook!.target).toBe(`http://127.0.0.1:${new URL(r.hook.url).port}/services…`);
    expect(JSON.stringify(r.relay.alerts.status())).not.toContain(r.hook.secret);
    // Its failures are no alert of their own: nothing but the one payload warning was produced.
    expect(r.relay.alerts.counters().messages).toEqual({ firing: 1, resolved: 0, repeats: 0 });

    r.hook.mode = 'ok';
    await waitFor(() => r.hook.got.length === 1, 'the alert after the receiver is back');
    expect(r.hook.got[0]!.condition).toBe('payload_warnings');
    await r.relay.alerts.idle();
    const after = r.relay.alerts.status().receivers[0]!;
    expect(after).toMatchObject({ ok: true, lastError: null, lastAnswer: 'HTTP 200 ok', sent: 1, queued: 0 });
    expect(after.failures).toBeGreaterThanOrEqual(webhook!.failures);
    expect(r.relay.alerts.counters().receivers).toEqual([
      { kind: 'webhook', sent: 1, failures: after.failures, dropped: 0, queued: 0 },
    ]);
  });

  it('refuses connections: ingest is unaffected, lastError says why, and status() lists what fires and what was sent', async () => {
    const closed = `http://127.0.0.1:${freePort()}/services/T0/B0/secret-path`;
    const r = await relays.start({
      cloud: { url: relays.cloud.url },
      alerts: { webhook_url: closed, first_events: 1 },
    });
    await post(r.relay.url, TOKEN, warned());
    r.relay.alerts.tick();
    await ingestStillFast(r);
    await waitFor(() => (r.relay.alerts.status().receivers[0]?.failures ?? 0) >= 1, 'a refused connection');
    const s = r.relay.alerts.status();
    expect(s.receivers[0]!.lastError).toMatch(/Unable to connect|ECONNREFUSED/);
    expect(s.firing).toEqual([
      expect.objectContaining({
        condition: 'payload_warnings',
        subject: { token: '019ab6ed…', name: 'Main POS' },
        text: expect.stringMatching(/^🔴 Cantina Roma: events with payload warnings from token 019ab6ed…/),
      }),
    ]);
    expect(s.lastSent).toEqual([
      expect.objectContaining({ condition: 'payload_warnings', state: 'firing', repeat: false }),
    ]);
    expect(JSON.stringify(s)).not.toContain('secret-path');
    expect(JSON.stringify(s)).not.toContain(TOKEN);
  });
});

describe('a receiver that refuses the alert for good', () => {
  it('a 410 is not retried: the alert is dropped and counted, and the next one is sent', async () => {
    const r = await relays.start({ cloud: { url: relays.cloud.url }, alerts: { first_events: 1 } });
    r.hook.mode = 'gone';
    await post(r.relay.url, TOKEN, warned());
    await r.tick();
    expect(r.relay.alerts.status().receivers[0]).toMatchObject({
      ok: false,
      lastError: 'HTTP 410 channel_is_archived',
      failures: 1,
      dropped: 1,
      queued: 0,
    });
    await Bun.sleep(150); // longer than the backoff: a retry would have come
    expect(r.hook.requests).toBe(1);
    r.hook.mode = 'ok';
    await post(r.relay.url, TOKEN, clean());
    await r.tick(); // the hold starts
    r.clock.advance(HOLD);
    await r.tick();
    expect(r.hook.got.map((m) => [m.condition, m.state])).toEqual([['payload_warnings', 'resolved']]);
  });
});

describe('e-mail through a real SMTP server', () => {
  const mail = smtpServer();

  itUnless(mail.skip)('sends the firing and the resolved alert as e-mails, from relay@<host> by default', async () => {
    const smtp = mail.server();
    const r = await relays.start({
      cloud: { url: relays.cloud.url },
      alerts: {
        webhook_url: '',
        smtp_url: smtp.url,
        email_to: ['tech@example.com', 'owner@example.com'],
        first_events: 1,
      },
    });
    await post(r.relay.url, TOKEN, warned());
    await r.tick();
    await post(r.relay.url, TOKEN, clean());
    await r.tick();
    r.clock.advance(HOLD);
    await r.tick();
    const mails = smtp.messages();
    expect(mails.map((m) => m.headers.subject)).toEqual([
      '[relay] Cantina Roma: payload warnings',
      '[relay] Cantina Roma: payload warnings (resolved)',
    ]);
    expect(mails[0]!.headers.from).toBe(`relay@${hostname()}`);
    expect(mails[0]!.headers['x-rcptto']).toBe('tech@example.com, owner@example.com');
    expect(mails[0]!.body).toMatch(
      /^🔴 Cantina Roma: events with payload warnings from token 019ab6ed… \(Main POS\): 1 of 1 since the relay started .* What to do: Send the warnings to the POS integrator/,
    );
    expect(mails[0]!.body).toContain('Condition: payload_warnings (firing)');
    expect(mails[1]!.body).toMatch(/^✅ Cantina Roma, resolved: token 019ab6ed… \(Main POS\) now sends clean events/);
    expect(mails.map((m) => m.body).join('')).not.toContain(TOKEN);
    expect(r.relay.alerts.status().receivers).toEqual([
      expect.objectContaining({ kind: 'email', ok: true, sent: 2, lastAnswer: '250 OK' }),
    ]);
  });
});
