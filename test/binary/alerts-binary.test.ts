/**
 * Alerts from the compiled binary: nodemailer and fetch work inside
 * `bun build --compile` (`relay alerts test` to a webhook and a real SMTP
 * server), and `relay serve` sends an alert on its own timer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import type { AlertMessage } from '../../src/alerts/index.ts';
import { type Hook, smtpServer, startHook } from '../helpers/alert-receivers.ts';
import { installSite, serveSite } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { runCli } from '../helpers/cli.ts';
import { buildToml } from '../helpers/config.ts';
import { post, TOKEN } from '../helpers/relay.ts';
import { itUnless } from '../helpers/skip.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();
const mail = smtpServer();
let hook: Hook;
beforeAll(async () => {
  hook = await startHook();
});
afterAll(async () => {
  await hook.stop();
});

describe('alerts in the compiled binary', () => {
  itUnless(mail.skip)('relay alerts test reaches the webhook and, through nodemailer, the SMTP server', async () => {
    const smtp = mail.server();
    const email = { smtp_url: smtp.url, email_to: ['tech@example.com'] };
    const { dir, bin } = await installSite(
      onCleanup,
      buildToml({ site: { name: 'Cantina Roma' }, alerts: { webhook_url: hook.url, ...email } }),
    );
    const r = await runCli(bin, ['alerts', 'test'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^✅ webhook http:\/\/127\.0\.0\.1:\d+\/services…: HTTP 200 ok$/);
    expect(lines[1]).toBe(`✅ e-mail  smtp://127.0.0.1:${smtp.port} → tech@example.com: 250 OK`);
    expect(smtp.messages().at(-1)!.headers.subject).toBe('[relay] Cantina Roma: test alert');
    expect(hook.got.at(-1)).toMatchObject({ condition: 'test', site: 'Cantina Roma' });
  });

  it("relay serve alerts on its own: a token's first event with a payload warning reaches the webhook", async () => {
    const before = hook.got.length;
    const { dir, bin } = await installSite(
      onCleanup,
      buildToml({ site: { name: 'Cantina Roma' }, alerts: { webhook_url: hook.url, first_events: 1 } }),
    );
    const relay = await serveSite(onCleanup, bin, dir);
    const res = await post(relay.url, TOKEN, '{"event":"order_created","timestamp":"2026-01-01T12:00:00Z"}');
    expect(res.status).toBe(200);
    // The alerter evaluates every 5 s.
    await waitFor(() => hook.got.length > before, 'the alert from the binary', 15_000);
    const m = hook.got.at(-1) as AlertMessage;
    expect(m).toMatchObject({ condition: 'payload_warnings', state: 'firing', site: 'Cantina Roma' });
    expect(m.text).toContain('token 019ab6ed…');
    expect(JSON.stringify(m)).not.toContain(TOKEN);
    // The log has it too, as a warning.
    expect(relay.lines.some((l) => l.includes('"alert":"payload_warnings"'))).toBe(true);
  }, 30_000);
});
