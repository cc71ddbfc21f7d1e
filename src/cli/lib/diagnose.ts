import type { Config } from '../../config/index.ts';
import { type Clock, systemClock } from '../../lib/clock.ts';
import { VERSION } from '../../version.ts';
import { checkDisk, checkSpool } from './diagnose-spool.ts';
import { localRelayUrl, probeRelay, type Reply, request } from './local.ts';
import { isoWithOffset, scrubTokens, tokenLabel } from './output.ts';

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
}

export async function diagnose(config: Config, configPath: string, deps: DiagnoseDeps = {}): Promise<Check[]> {
  const clock = deps.clock ?? systemClock;
  const checks: Check[] = [];
  const add = (check: string, status: CheckStatus, message: string) => checks.push({ check, status, message });
  const names = new Map(config.tokens.filter((t) => t.name).map((t) => [t.token, t.name]));
  const active = config.tokens.filter((t) => t.active);

  add(
    'config',
    active.length > 0 ? 'pass' : 'fail',
    `${configPath} is valid: ${config.tokens.length} token(s), ${active.length} active` +
      (active.length > 0 ? '' : ' (no active token: every POST is refused with 401)'),
  );
  for (const t of config.tokens.filter((x) => !UUID.test(x.token))) {
    add(
      'token format',
      'warn',
      `token ${tokenLabel(t.token, names)}: not a UUID (36 characters, 4 dashes), as the cloud issues them`,
    );
  }

  const relay = await probeRelay(config);
  if (relay.running) {
    const ok = relay.health.status === 'ok';
    add(
      'relay',
      ok ? 'pass' : 'warn',
      `running at ${localRelayUrl(config)}: ${relay.health.status}${ok ? '' : ' (see relay status)'}`,
    );
  } else {
    add(
      'relay',
      'warn',
      `not running${relay.url ? ` at ${relay.url.replace(/\/health$/, '')}` : ''} (${relay.reason}); the POS gets no answer until it runs`,
    );
  }

  checks.push(...(await checkSpool(config)));
  checks.push(checkDisk(config));

  // Network: the guide's test 2 (GET /health, timeout), then its test 3 per token.
  const timeoutMs = config.cloud.timeout_seconds * 1000;
  const t0 = clock.now();
  const health = await request(`${config.cloud.url}/health`, {
    timeoutMs,
    headers: { 'User-Agent': `emiliavision-relay/${VERSION} doctor` },
  });
  const t1 = clock.now();
  if (!health.ok)
    add(
      'cloud',
      'fail',
      `cannot reach ${config.cloud.url}/health: ${health.error} (check the internet connection, firewall, proxy)`,
    );
  else if (health.status !== 200) add('cloud', 'warn', `${config.cloud.url}/health answered ${health.status}`);
  else if (health.ms >= SLOW_MS)
    add('cloud', 'warn', `${config.cloud.url}/health answered 200 but slowly: ${Math.round(health.ms)} ms`);
  else add('cloud', 'pass', `${config.cloud.url}/health answered 200 in ${Math.round(health.ms)} ms`);

  checks.push(checkClock(clock.now(), health, (t0 + t1) / 2));

  for (const t of config.tokens.filter((x) => !x.active)) {
    add('token', 'skip', `token ${tokenLabel(t.token, names)}: inactive in the config, not tested`);
  }
  if (!health.ok) {
    for (const t of active)
      add('token', 'skip', `token ${tokenLabel(t.token, names)}: not tested, the cloud is unreachable`);
    return checks;
  }
  const results = await Promise.all(active.map((t) => checkToken(config, t.token, clock, timeoutMs)));
  for (const [i, r] of results.entries())
    add('token', r.status, `token ${tokenLabel(active[i]!.token, names)}: ${r.message}`);
  return checks;
}

async function checkToken(
  config: Config,
  token: string,
  clock: Clock,
  timeoutMs: number,
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
    headers: { 'Content-Type': 'application/json', 'User-Agent': `emiliavision-relay/${VERSION} doctor` },
    timeoutMs,
  });
  const scrub = (s: string) => scrubTokens(s, [token]);
  if (!r.ok) return { status: 'fail', message: `request failed: ${scrub(r.error)}` };
  if (r.status === 401) {
    return {
      status: 'fail',
      message:
        'token invalid or inactive (the cloud answered 401); ask EmiliaVision (team@emiliavision.com) to check it',
    };
  }
  if (r.status !== 200)
    return { status: 'fail', message: `unexpected answer ${r.status}: ${scrub(r.text.slice(0, 200))}` };
  let eventId = '';
  try {
    const id = (JSON.parse(r.text) as { event_id?: unknown }).event_id;
    if (typeof id === 'string') eventId = `, event_id ${id}`;
  } catch {
    // a 200 is what counts; the body is informative only
  }
  return {
    status: 'pass',
    message: `accepted by the cloud (?env=dev diagnostic_test${eventId}, ${Math.round(r.ms)} ms)`,
  };
}

/**
 * Year first (a PC back in 1970 or 2000 after a dead RTC battery), then the
 * offset from the cloud's Date header (RFC 9110 section 6.6.1: one-second
 * resolution), measured at the request's midpoint.
 */
function checkClock(now: number, health: Reply, midpoint: number): Check {
  const local = `${new Date(now).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  if (new Date(now).getUTCFullYear() < MIN_YEAR) {
    return {
      check: 'clock',
      status: 'fail',
      message: `the PC's clock says ${local}: set the date and time (enable NTP)`,
    };
  }
  const date = health.ok ? Date.parse(health.headers.get('date') ?? '') : NaN;
  if (Number.isNaN(date))
    return { check: 'clock', status: 'warn', message: `${local}; not compared: no Date header from the cloud` };
  // The header is truncated to the second: the cloud's time is in [date, date + 1 s).
  const skew = midpoint < date ? midpoint - date : Math.max(0, midpoint - (date + 1000));
  const secs = Math.round(Math.abs(skew) / 1000);
  if (Math.abs(skew) > CLOCK_SKEW_WARN_MS) {
    return {
      check: 'clock',
      status: 'warn',
      message: `the PC's clock is ${secs} s ${skew > 0 ? 'ahead of' : 'behind'} the cloud's: fix the time (enable NTP); timestamps the POS sends may be off too`,
    };
  }
  return { check: 'clock', status: 'pass', message: `${local}, within ${Math.max(1, secs)} s of the cloud's clock` };
}
