import { isLanguage } from '../i18n/index.ts';
import { maskToken, maskUrl } from '../lib/mask.ts';
import { listenConflict } from './listen.ts';

/**
 * What one key's schema cannot say: keys that depend on each other, URLs
 * that must parse, a time zone Intl must know. Each problem names its key.
 */

export type Segment = string | number;
export type Problem = { at: Segment[]; text: string };

type Table = Record<string, unknown> | undefined;

/** A zone Bun's Intl (its bundled time zone database) knows. */
function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `url` parses and its scheme is one of `schemes`. */
const urlOf = (url: string, schemes: readonly string[]): boolean =>
  URL.canParse(url) && schemes.includes(new URL(url).protocol);

/** The [site], [cloud] proxy and [alerts] keys that need more than their schema. */
function siteAndAlerts(value: unknown): Problem[] {
  const problems: Problem[] = [];
  const v = value as { site?: Table; cloud?: Table; alerts?: Table };
  const zone = v.site?.timezone;
  if (typeof zone === 'string' && zone !== '' && !knownZone(zone)) {
    problems.push({
      at: ['site', 'timezone'],
      text: `expected an IANA time zone name such as "America/Sao_Paulo", got ${JSON.stringify(zone)}`,
    });
  }
  const language = v.site?.language;
  if (typeof language === 'string' && language !== '' && !isLanguage(language)) {
    problems.push({
      at: ['site', 'language'],
      text: `expected "pt-BR", "es", "en" or "" for this PC's language, got ${JSON.stringify(language)}`,
    });
  }
  const proxy = v.cloud?.proxy;
  if (typeof proxy === 'string' && proxy !== '' && !urlOf(proxy, ['http:', 'https:'])) {
    problems.push({
      at: ['cloud', 'proxy'],
      text: `expected an http:// proxy URL such as "http://proxy.local:3128", got ${JSON.stringify(maskUrl(proxy))}`,
    });
  }
  const hook = v.alerts?.webhook_url;
  if (typeof hook === 'string' && hook !== '' && !urlOf(hook, ['http:', 'https:'])) {
    problems.push({ at: ['alerts', 'webhook_url'], text: 'expected an http:// or https:// URL' });
  }
  const smtp = v.alerts?.smtp_url;
  const to = v.alerts?.email_to;
  if (typeof smtp === 'string' && smtp !== '' && !urlOf(smtp, ['smtp:', 'smtps:'])) {
    problems.push({
      at: ['alerts', 'smtp_url'],
      text: 'expected an smtp:// or smtps:// URL such as "smtp://user:pass@mail.local:587"',
    });
  } else if (typeof smtp === 'string' && smtp !== '' && Array.isArray(to) && to.length === 0) {
    problems.push({ at: ['alerts', 'smtp_url'], text: 'expected alerts.email_to too: whom to send the alerts to' });
  }
  if (Array.isArray(to) && to.length > 0 && smtp === '') {
    problems.push({
      at: ['alerts', 'email_to'],
      text: 'expected alerts.smtp_url too: e-mail needs a server to send through',
    });
  }
  return problems;
}

export function crossChecks(value: unknown, unresolved: Set<string>): Problem[] {
  const problems: Problem[] = [];
  const config = value as { forward?: Record<string, unknown>; cloud?: Record<string, unknown>; tokens?: unknown };

  const initial = config.forward?.initial_backoff_seconds;
  const max = config.forward?.max_backoff_seconds;
  if (isPositive(initial) && isPositive(max) && initial > max) {
    problems.push({
      at: ['forward', 'initial_backoff_seconds'],
      text: `expected a number <= forward.max_backoff_seconds (${max}), got ${initial}`,
    });
  }

  const server = (value as { server?: Record<string, unknown> }).server;
  const host = server?.host;
  const hosts = typeof host === 'string' || (Array.isArray(host) && host.every((h) => typeof h === 'string'));
  const conflict = hosts ? listenConflict(host as string | string[]) : null;
  if (conflict) problems.push({ at: ['server', 'host'], text: conflict });

  const cert = server?.tls_cert;
  const key = server?.tls_key;
  if (typeof cert === 'string' && typeof key === 'string' && (cert === '') !== (key === '')) {
    problems.push({
      at: ['server', cert === '' ? 'tls_cert' : 'tls_key'],
      text: 'expected both server.tls_cert and server.tls_key (HTTPS), or neither (HTTP), got only one',
    });
  }

  const url = config.cloud?.url;
  if (typeof url === 'string' && /^https?:\/\//.test(url) && !URL.canParse(url)) {
    problems.push({ at: ['cloud', 'url'], text: `expected an http:// or https:// URL, got ${JSON.stringify(url)}` });
  }

  const firstSeen = new Map<string, number>();
  const tokens = Array.isArray(config.tokens) ? config.tokens : [];
  tokens.forEach((entry: unknown, i) => {
    const token = (entry as { token?: unknown } | null)?.token;
    // An unset ${VAR} left its reference in place; two of those are not duplicates.
    if (typeof token !== 'string' || token === '' || unresolved.has(`tokens[${i}].token`)) return;
    const first = firstSeen.get(token);
    if (first === undefined) firstSeen.set(token, i);
    else
      problems.push({
        at: ['tokens', i, 'token'],
        text: `duplicate token "${maskToken(token)}" (same as tokens[${first}])`,
      });
  });
  problems.push(...siteAndAlerts(value));
  problems.push(...telemetryChecks(value));
  return problems;
}

const isPositive = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** [telemetry]: the endpoint parses, headers are sendable. A header's value is never shown back: it may be a key. */
function telemetryChecks(value: unknown): Problem[] {
  const problems: Problem[] = [];
  const t = (value as { telemetry?: Table }).telemetry;
  const endpoint = t?.endpoint;
  if (typeof endpoint === 'string' && endpoint !== '' && !urlOf(endpoint, ['http:', 'https:'])) {
    problems.push({
      at: ['telemetry', 'endpoint'],
      text: `expected an http:// or https:// URL such as "http://collector:4318", got ${JSON.stringify(maskUrl(endpoint))}`,
    });
  }
  const headers = t?.headers;
  if (headers !== null && typeof headers === 'object' && !Array.isArray(headers)) {
    for (const [name, v] of Object.entries(headers)) {
      if (!HEADER_NAME.test(name)) {
        problems.push({ at: ['telemetry', 'headers', name], text: 'expected a header name (letters, digits, "-")' });
      } else if (typeof v === 'string' && /[\r\n\0]/.test(v)) {
        problems.push({ at: ['telemetry', 'headers', name], text: 'expected a value on one line (no line breaks)' });
      }
    }
  }
  return problems;
}
