import type { Config } from '../../config/index.ts';
import {
  clockSkew,
  type ProxyEnv,
  type ProxyRoute,
  proxyAnswer,
  proxySource,
  resolveProxy,
  throughProxy,
} from '../../forward/index.ts';
import { type Language, languageOr, type MessageKey, type Params, t } from '../../i18n/index.ts';
import { type Clock, systemClock } from '../../lib/clock.ts';
import { scrubTokens } from '../../lib/mask.ts';
import { USER_AGENT } from '../../version.ts';
import { checkFiles } from './diagnose-files.ts';
import { checkDisk, checkSpool } from './diagnose-spool.ts';
import { localRelayUrl, probeRelay, type Reply, request } from './local.ts';
import { isoWithOffset, tokenLabel } from './output.ts';

/**
 * `relay doctor`: the cloud troubleshooting guide's "Diagnostic Script"
 * (token format, API reachable, a `?env=dev` diagnostic_test event per token,
 * response time), plus what only the relay's PC can check: its config, spool,
 * disk and clock.
 */

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';
export interface Check {
  check: string;
  status: CheckStatus;
  message: string;
}

/** Guide, "Diagnostic Script" test 6: an average at or above 1 s is "slow". */
const SLOW_MS = 1000;
const CLOCK_SKEW_WARN_MS = 60_000;
/** The cloud API went live in 2025 (guide v1.0, 2025-11-24): an earlier year is a PC with a dead RTC battery. */
const MIN_YEAR = 2025;
// The cloud issues UUID tokens (basic guide, "Authentication"; diagnostic test 1: 36 characters, 4 dashes).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface DiagnoseDeps {
  clock?: Clock;
  /** Where HTTPS_PROXY / NO_PROXY are read when cloud.proxy is "" (default: this process's environment). */
  env?: ProxyEnv;
}

export async function diagnose(config: Config, configPath: string, deps: DiagnoseDeps = {}): Promise<Check[]> {
  const clock = deps.clock ?? systemClock;
  const checks: Check[] = [];
  const add = (check: string, status: CheckStatus, message: string) => checks.push({ check, status, message });
  // Each verdict in `[site] language`; the check ids stay as they are (--json's keys).
  const lang = languageOr(config.site.language);
  const w = (key: MessageKey, params?: Params) => t(lang, key, params);
  const names = new Map(config.tokens.filter((t) => t.name).map((t) => [t.token, t.name]));
  const active = config.tokens.filter((t) => t.active);

  add(
    'config',
    active.length > 0 ? 'pass' : 'fail',
    w(active.length > 0 ? 'doctor.config' : 'doctor.config_none_active', {
      path: configPath,
      tokens: config.tokens.length,
      active: active.length,
    }),
  );
  for (const t of config.tokens.filter((x) => !UUID.test(x.token))) {
    add('token format', 'warn', w('doctor.token_format', { token: tokenLabel(t.token, names) }));
  }

  const relay = await probeRelay(config);
  if (relay.running) {
    const ok = relay.health.status === 'ok';
    add(
      'relay',
      ok ? 'pass' : 'warn',
      w(ok ? 'doctor.relay_running' : 'doctor.relay_running_degraded', {
        url: String(localRelayUrl(config)),
        status: ok
          ? w('cli.health_ok')
          : relay.health.status === 'degraded'
            ? w('cli.health_degraded')
            : relay.health.status,
      }),
    );
  } else {
    add(
      'relay',
      'warn',
      w('doctor.relay_stopped', {
        at: relay.url ? w('doctor.relay_at', { url: relay.url.replace(/\/health$/, '') }) : '',
        reason: String(relay.reason),
      }),
    );
  }

  checks.push(...(await checkSpool(config)));
  checks.push(checkDisk(config));
  checks.push(checkFiles(config, configPath));

  // Network: the guide's test 2 (GET /health, timeout), then its test 3 per token, by the
  // forwarder's route: cloud.proxy, else HTTPS_PROXY / NO_PROXY, named in the message.
  const timeoutMs = config.cloud.timeout_seconds * 1000;
  const route = resolveProxy(config.cloud.url, config.cloud.proxy, deps.env ?? process.env);
  const t0 = clock.now();
  const health = await request(`${config.cloud.url}/health`, {
    timeoutMs,
    proxy: route,
    headers: { 'User-Agent': `${USER_AGENT} doctor` },
  });
  const t1 = clock.now();
  const cloud = cloudCheck(lang, `${config.cloud.url}/health`, health, route);
  add('cloud', cloud.status, cloud.message);

  // A proxy's own answer carries the proxy's Date (if any), not the cloud's.
  checks.push(checkClock(lang, clock.now(), cloud.reached ? health : { ok: false, error: '', ms: 0 }, (t0 + t1) / 2));

  for (const t of config.tokens.filter((x) => !x.active)) {
    add('token', 'skip', w('doctor.token_inactive', { token: tokenLabel(t.token, names) }));
  }
  if (!cloud.reached) {
    for (const t of active)
      add('token', 'skip', w('doctor.token_untested', { token: tokenLabel(t.token, names), route: routeNote(route) }));
    return checks;
  }
  const results = await Promise.all(active.map((x) => checkToken(lang, config, x.token, clock, timeoutMs, route)));
  for (const [i, r] of results.entries())
    add('token', r.status, w('doctor.token_result', { token: tokenLabel(active[i]!.token, names), result: r.message }));
  return checks;
}

async function checkToken(
  lang: Language,
  config: Config,
  token: string,
  clock: Clock,
  timeoutMs: number,
  route: ProxyRoute,
): Promise<Omit<Check, 'check'>> {
  // The guide's diagnostic_test payload, with the timezone offset it asks POS systems to send.
  const body = JSON.stringify({
    event: 'diagnostic_test',
    timestamp: isoWithOffset(clock.now()),
    table_number: 'Diagnostic Test',
    diagnostic: true,
  });
  const r = await request(`${config.cloud.url}/webhooks/v1/pos/${encodeURIComponent(token)}?env=dev`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', 'User-Agent': `${USER_AGENT} doctor` },
    timeoutMs,
    proxy: route,
  });
  const scrub = (s: string) => scrubTokens(s, [token]);
  if (!r.ok) return { status: 'fail', message: t(lang, 'doctor.request_failed', { error: scrub(r.error) }) };
  const byProxy = proxyAnswer(r.status, r.statusText, route);
  if (byProxy) return { status: 'fail', message: t(lang, 'doctor.not_sent', { why: byProxy }) };
  if (r.status === 401) return { status: 'fail', message: t(lang, 'doctor.token_refused') };
  if (r.status !== 200)
    return {
      status: 'fail',
      message: t(lang, 'doctor.unexpected', { status: String(r.status), body: scrub(r.text.slice(0, 200)) }),
    };
  let eventId = '';
  try {
    const id = (JSON.parse(r.text) as { event_id?: unknown }).event_id;
    if (typeof id === 'string') eventId = `, event_id ${id}`;
  } catch {
    // a 200 is what counts; the body is informative only
  }
  return {
    status: 'pass',
    message: t(lang, 'doctor.accepted', { event_id: eventId, ms: Math.round(r.ms) }),
  };
}

/**
 * Year first (a PC back in 1970 or 2000 after a dead RTC battery), then the
 * offset from the cloud's Date header (RFC 9110 section 6.6.1: one-second
 * resolution), measured at the request's midpoint.
 */
function checkClock(lang: Language, now: number, health: Reply, midpoint: number): Check {
  const local = `${new Date(now).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  if (new Date(now).getUTCFullYear() < MIN_YEAR) {
    return {
      check: 'clock',
      status: 'fail',
      message: t(lang, 'doctor.clock_year', { local }),
    };
  }
  // The forwarder's own reading of the cloud's clock (forward/policy.ts), at the request's midpoint.
  const skew = health.ok ? clockSkew(midpoint, midpoint, health.headers.get('date')) : null;
  if (skew === null) return { check: 'clock', status: 'warn', message: t(lang, 'doctor.clock_no_date', { local }) };
  const secs = Math.round(Math.abs(skew) / 1000);
  if (Math.abs(skew) > CLOCK_SKEW_WARN_MS) {
    return {
      check: 'clock',
      status: 'warn',
      message: t(lang, skew > 0 ? 'doctor.clock_ahead' : 'doctor.clock_behind', { secs }),
    };
  }
  return { check: 'clock', status: 'pass', message: t(lang, 'doctor.clock_ok', { local, secs: Math.max(1, secs) }) };
}

/**
 * The cloud step, naming the route ("through proxy http://user:****@proxy:3128
 * (cloud.proxy)"). `reached` is false when nothing came from the cloud itself:
 * no answer, or the proxy's refusal (then the tokens are not tested: their
 * answers would be the proxy's too). The cloud's /health asks for no
 * credentials, so through a proxy a 401 or 407 there is the proxy's.
 */
function cloudCheck(
  lang: Language,
  url: string,
  r: Reply,
  route: ProxyRoute,
): Omit<Check, 'check'> & { reached: boolean } {
  const via = routeNote(route);
  if (!r.ok) {
    if (r.proxyFault) return { status: 'fail', reached: false, message: `cannot reach ${url}: ${r.error}` };
    const hint = t(lang, route.url ? 'doctor.hint_proxy' : 'doctor.hint_direct');
    return {
      status: 'fail',
      reached: false,
      message: t(lang, 'doctor.cloud_unreachable', { url, error: r.error, hint }),
    };
  }
  const answered = `${url} answered ${r.status}${r.statusText ? ` ${r.statusText}` : ''}`;
  const byProxy = proxyAnswer(r.status, r.statusText, route);
  if (byProxy) return { status: 'fail', reached: false, message: `${url}: ${byProxy}` };
  if (route.url && r.status === 401) {
    return {
      status: 'fail',
      reached: false,
      message: `${answered}${via}: the cloud's /health asks for no credentials, so the proxy refused the relay's (some proxies answer a wrong password with 401, not 407): check the user and password in ${proxySource(route)}`,
    };
  }
  if (r.status !== 200) {
    const proxyHint =
      route.url && r.status >= 500
        ? ": a 5xx through a proxy is often the proxy's own (it could not reach the cloud)"
        : '';
    return { status: 'warn', reached: true, message: `${answered}${via}${proxyHint}` };
  }
  const ms = Math.round(r.ms);
  if (r.ms >= SLOW_MS)
    return { status: 'warn', reached: true, message: t(lang, 'doctor.cloud_slow', { url, ms, route: via }) };
  return { status: 'pass', reached: true, message: t(lang, 'doctor.cloud_ok', { url, ms, route: via }) };
}

/** " through proxy X (cloud.proxy)", ", direct (no_proxy lists the cloud's host)", or "" when no proxy is set at all. */
function routeNote(route: ProxyRoute): string {
  if (route.url) return `${throughProxy(route)} (${route.from})`;
  return route.from ? `, direct (${route.from} lists the cloud's host)` : '';
}
