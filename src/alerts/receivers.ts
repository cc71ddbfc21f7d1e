import { hostname } from 'node:os';
import type nodemailer from 'nodemailer';
import { fetchProxy, proxyFor } from '../forward/index.ts';
import { type MessageKey, t } from '../i18n/index.ts';
import { maskUrl } from '../lib/mask.ts';
import type { AlertsConfig } from './conditions.ts';
import type { Outgoing } from './messages.ts';

/**
 * Where alerts go: an incoming webhook (Slack, Teams, Discord's /slack, any
 * HTTP receiver) and e-mail over SMTP. One send each, bounded by a timeout;
 * retries and queueing are dispatch.ts's. A receiver is shown by `target`:
 * a webhook's secret path cut to 8 characters, an SMTP password as ****.
 * Error strings pass through `scrub`, so neither reaches a log or a page.
 */

export type ReceiverKind = 'webhook' | 'email';

export interface SendResult {
  ok: boolean;
  /** What the receiver answered: "HTTP 200 ok", "250 2.0.0 Ok: queued", or the error. */
  answer: string;
  /** Failed for a reason a retry cannot fix (a 4xx, an SMTP 5xx): the message is dropped. */
  permanent?: boolean;
}

export interface Receiver {
  kind: ReceiverKind;
  /** Safe to show anywhere. */
  target: string;
  /** Same key, same receiver: a reload that changes nothing keeps its queue and counters. */
  key: string;
  send(out: Outgoing, timeoutMs: number): Promise<SendResult>;
  close(): void;
}

export interface ReceiverEnv {
  /** cloud.proxy: alerts go out through the same proxy as the events. */
  proxy: string;
  env: Record<string, string | undefined>;
  userAgent: string;
  /** For email_from's default, relay@<host>. */
  host?: string;
}

const MAX_ANSWER = 200;

const cut = (s: string) => (s.length > MAX_ANSWER ? `${s.slice(0, MAX_ANSWER)}…` : s);

/** Replaces every secret in `text` (a URL, its path, a password) by its masked form. */
function scrub(text: string, secrets: readonly [string, string][]): string {
  let out = text;
  for (const [secret, shown] of secrets) if (secret.length >= 4) out = out.split(secret).join(shown);
  return out;
}

function urlSecrets(url: string, shown: string): [string, string][] {
  if (!URL.canParse(url)) return [[url, shown]];
  const u = new URL(url);
  const out: [string, string][] = [
    [url, shown],
    [u.href, shown],
  ];
  if (u.pathname.length > 1) out.push([u.pathname, '/…']);
  // A Teams Workflows URL carries its secret in the query (sig=...).
  if (u.search.length > 1) out.push([u.search, '?…'], [u.search.slice(1), '…']);
  if (u.password) out.push([decodeURIComponent(u.password), '****'], [u.password, '****']);
  return out;
}

export function webhookReceiver(url: string, env: ReceiverEnv): Receiver {
  const target = maskUrl(url, { path: true });
  const secrets = urlSecrets(url, target);
  return {
    kind: 'webhook',
    target,
    key: `webhook ${url}`,
    async send(out, timeoutMs) {
      // Read per send, as the forwarder does: the environment's proxy may change with a reload.
      const proxy = proxyFor(url, env.proxy, env.env);
      // A proxy's password may show in a connection error too.
      const hidden = proxy ? [...secrets, ...urlSecrets(proxy, maskUrl(proxy))] : secrets;
      try {
        const res = await fetch(url, {
          method: 'POST',
          body: JSON.stringify(out.message),
          headers: { 'Content-Type': 'application/json', 'User-Agent': env.userAgent },
          signal: AbortSignal.timeout(timeoutMs),
          proxy: fetchProxy(proxy),
        });
        const body = scrub(cut((await res.text()).trim()), hidden);
        const answer = `HTTP ${res.status}${body ? ` ${body}` : ''}`;
        if (res.ok) return { ok: true, answer };
        // 408 and 429 ask to come back later; other 4xx say this message will never be taken.
        const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
        return { ok: false, answer, permanent };
      } catch (e) {
        const err = e as Error;
        const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : err.message;
        return { ok: false, answer: scrub(why, hidden) };
      }
    },
    close() {},
  };
}

export function emailReceiver(cfg: AlertsConfig, env: ReceiverEnv): Receiver {
  const target = `${maskUrl(cfg.smtp_url)} → ${cfg.email_to.join(', ')}`;
  const secrets = urlSecrets(cfg.smtp_url, maskUrl(cfg.smtp_url));
  const from = cfg.email_from || `relay@${env.host ?? hostname()}`;
  let transport: ReturnType<typeof nodemailer.createTransport> | null = null;
  return {
    kind: 'email',
    target,
    key: `email ${cfg.smtp_url} ${from} ${cfg.email_to.join(',')}`,
    async send(out, timeoutMs) {
      try {
        // Every step bounded: nodemailer's defaults wait up to 2 minutes to connect and 10 to read.
        // Loaded on the first e-mail: most sites send none, and the library costs memory from the start.
        const mailer = (await import('nodemailer')).default;
        transport ??= mailer.createTransport({
          url: cfg.smtp_url,
          connectionTimeout: timeoutMs,
          greetingTimeout: timeoutMs,
          socketTimeout: timeoutMs,
          dnsTimeout: timeoutMs,
        });
        const m = out.message;
        const lines = Object.entries(m.details).map(
          ([k, v]) => `  ${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`,
        );
        const label = (key: MessageKey) => t(out.lang ?? 'en', key);
        const text =
          `${m.text}\n\n${label('alert.mail_site')}: ${m.site}\n${label('alert.mail_condition')}: ${m.condition} (${m.state})\n` +
          `${label('alert.mail_since')}: ${m.since}\n\n${label('alert.mail_details')}:\n${lines.join('\n')}\n`;
        const info = await transport.sendMail({ from, to: cfg.email_to, subject: out.subject, text });
        return { ok: true, answer: scrub(cut(String(info.response ?? 'sent')), secrets) };
      } catch (e) {
        const err = e as Error & { responseCode?: number };
        // An SMTP 5xx refuses this message for good (a bad address, relaying denied); 4xx and network errors pass.
        const permanent = typeof err.responseCode === 'number' && err.responseCode >= 500;
        return { ok: false, answer: scrub(cut(err.message), secrets), permanent };
      }
    },
    close() {
      transport?.close();
      transport = null;
    },
  };
}

/** The receivers [alerts] names: a webhook if webhook_url, e-mail if smtp_url and email_to. */
export function receiversFor(cfg: AlertsConfig, env: ReceiverEnv): Receiver[] {
  const out: Receiver[] = [];
  if (cfg.webhook_url !== '') out.push(webhookReceiver(cfg.webhook_url, env));
  if (cfg.smtp_url !== '' && cfg.email_to.length > 0) out.push(emailReceiver(cfg, env));
  return out;
}
