import { hostname } from 'node:os';
import { DEFAULT_DISPATCH, receiversFor, testMessage } from '../../alerts/index.ts';
import { languageOr } from '../../i18n/index.ts';
import { USER_AGENT } from '../../version.ts';
import { type Command, loadConfigFor, parseCommandArgs, UsageError } from '../context.ts';

/**
 * `relay alerts test`: one test alert to every receiver [alerts] names, each
 * one's answer printed, so a technician sees at install time that Slack or
 * the mailbox gets them (and why not). Directly, without the queue or its
 * retries: the answer is what matters here.
 */
export const alerts: Command = {
  name: 'alerts',
  summary: "send a test alert to every configured receiver (webhook, e-mail) and print each one's answer",
  usage:
    'relay alerts test [--config FILE]\n(exit 0 if every receiver took it, 1 if one failed, 2 if none is configured)',
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'test') {
      throw new UsageError(`relay alerts: expected test${sub === undefined ? '' : `, got ${JSON.stringify(sub)}`}`);
    }
    const { values } = parseCommandArgs('alerts test', rest, {});
    const loaded = loadConfigFor(values.config, io);
    if (!loaded) return 2;
    const { config } = loaded;
    const host = hostname();
    const receivers = receiversFor(config.alerts, {
      proxy: config.cloud.proxy,
      env: io.env,
      userAgent: USER_AGENT,
      host,
    });
    if (receivers.length === 0) {
      io.err(
        'relay alerts test: no receiver configured: set [alerts] webhook_url, or smtp_url and email_to (README "Alerts")',
      );
      return 2;
    }
    const out = testMessage(
      { site: config.site.name || host, timeZone: config.site.timezone, lang: languageOr(config.site.language) },
      Date.now(),
    );
    let failed = 0;
    // In turn, not at once: each line is printed as its answer comes.
    for (const r of receivers) {
      const res = await r.send(out, DEFAULT_DISPATCH.timeoutMs);
      r.close();
      if (!res.ok) failed++;
      const label = r.kind === 'email' ? 'e-mail ' : 'webhook';
      io.out(`${res.ok ? '✅' : '❌'} ${label} ${r.target}: ${res.answer}`);
    }
    if (failed > 0) io.err(`${failed} of ${receivers.length} receiver(s) did not take the test alert`);
    return failed > 0 ? 1 : 0;
  },
};
