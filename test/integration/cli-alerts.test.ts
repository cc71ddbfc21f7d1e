/**
 * `relay alerts test`, in process (helpers/cli.ts runInProcess): one test
 * alert to every receiver, each one's answer printed; exit 0, 1 if one
 * failed, 2 if none is configured. Real receivers: an HTTP server and, when
 * python3-aiosmtpd is there, a real SMTP server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { type Hook, smtpServer, startHook } from '../helpers/alert-receivers.ts';
import { runInProcess } from '../helpers/cli.ts';
import { type ConfigOver, writeToml } from '../helpers/config.ts';
import { freePort } from '../helpers/ports.ts';
import { tempDir } from '../helpers/relay.ts';
import { itUnless } from '../helpers/skip.ts';

const tmp = tempDir('relay-cli-alerts-');
const email = smtpServer();
let hook: Hook;
beforeAll(async () => {
  hook = await startHook();
});
afterAll(async () => {
  await hook.stop();
  tmp.cleanup();
});

let n = 0;
/** `relay alerts test --config FILE` for a config with these [site]/[alerts] settings. */
function alertsTest(over: ConfigOver, env: Record<string, string> = {}) {
  const path = writeToml(tmp.dir, { site: { name: 'Cantina Roma' }, ...over }, { name: `relay-${++n}.toml` });
  return runInProcess(['alerts', 'test', '--config', path], { env });
}

describe('relay alerts test', () => {
  it('posts the test alert to the webhook (its URL from an env var) and prints the answer; exit 0', async () => {
    const r = await alertsTest(
      { alerts: { webhook_url: '${RELAY_ALERT_WEBHOOK}' } },
      // A Teams Workflows URL keeps its secret in the query: it is never shown.
      { RELAY_ALERT_WEBHOOK: `${hook.url}?api-version=1&sig=TeamsSig0123456789` },
    );
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const port = new URL(hook.url).port;
    expect(r.out).toEqual([`✅ webhook http://127.0.0.1:${port}/services…: HTTP 200 ok`]);
    expect(hook.got.at(-1)).toMatchObject({
      condition: 'test',
      state: 'firing',
      site: 'Cantina Roma',
      text: '🧪 Cantina Roma: test alert from the relay (relay alerts test). If you read this, alerts reach you; nothing is wrong.',
    });
    expect(r.stdout()).not.toContain(hook.secret);
    expect(r.stdout()).not.toContain('TeamsSig0123456789');
  });

  itUnless(email.skip)('sends to the webhook and by e-mail, printing each answer', async () => {
    const smtp = email.server();
    const r = await alertsTest({
      alerts: {
        webhook_url: hook.url,
        smtp_url: smtp.url,
        email_to: ['tech@example.com'],
        email_from: 'relay@cantina.example',
      },
    });
    expect(r.code).toBe(0);
    expect(r.out[0]).toStartWith('✅ webhook ');
    expect(r.out[1]).toBe(`✅ e-mail  smtp://127.0.0.1:${smtp.port} → tech@example.com: 250 OK`);
    const mail = smtp.messages().at(-1)!;
    expect(mail.headers.subject).toBe('[relay] Cantina Roma: test alert');
    expect(mail.headers.from).toBe('relay@cantina.example');
    expect(mail.body).toStartWith('🧪 Cantina Roma: test alert from the relay');
  });

  it('exit 1 when a receiver fails; its answer is printed, with no password and no secret path', async () => {
    hook.mode = 'fail';
    const closed = freePort();
    const r = await alertsTest({
      alerts: {
        webhook_url: hook.url,
        smtp_url: `smtp://relay:Sup3rSecretPw@127.0.0.1:${closed}`,
        email_to: ['tech@example.com'],
      },
    });
    hook.mode = 'ok';
    expect(r.code).toBe(1);
    expect(r.out[0]).toMatch(/^❌ webhook http:\/\/127\.0\.0\.1:\d+\/services…: HTTP 503 busy$/);
    expect(r.out[1]).toMatch(
      new RegExp(
        `^❌ e-mail  smtp://relay:\\*\\*\\*\\*@127\\.0\\.0\\.1:${closed} → tech@example\\.com: .*ECONNREFUSED`,
      ),
    );
    expect(r.err).toEqual(['2 of 2 receiver(s) did not take the test alert']);
    const all = [...r.out, ...r.err].join('\n');
    expect(all).not.toContain('Sup3rSecretPw');
    expect(all).not.toContain(hook.secret);
  });

  it('exit 2 when no receiver is configured, saying what to set', async () => {
    const r = await alertsTest({});
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toContain('no receiver configured: set [alerts] webhook_url, or smtp_url and email_to');
  });

  it('exit 2 on a bad subcommand, with the usage', async () => {
    const r = await runInProcess(['alerts', 'send']);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toContain('relay alerts: expected test, got "send"');
    expect(r.err.join('\n')).toContain('usage: relay alerts test [--config FILE]');
  });
});
