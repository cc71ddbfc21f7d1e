/**
 * Refused webhooks are seen by the people looking after the site: the relay
 * in this process on port 0, a POS with a wrong token and one sending broken
 * JSON. /metrics counts them by reason, the status page and its JSON say
 * which token and how often, and the log says it once and then counts,
 * instead of a line per refusal.
 */
import { describe, expect, it } from 'bun:test';
import { REFUSAL_IDS } from '../../src/http/index.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { testClock } from '../helpers/clock.ts';
import { captureLog, type LogLine } from '../helpers/log.ts';
import { INACTIVE, post, startTestRelay, type TestRelay, TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { fileExec } from '../helpers/spool-file.ts';
import { waitFor } from '../helpers/wait.ts';
import { alertRelay, HOLD, MIN } from './alerts-setup.ts';

const onCleanup = useCleanup();
const WRONG = '5eedf00d-0bad-4bad-8bad-0123456789ab';

async function relay(over: Parameters<typeof startTestRelay>[0] = {}) {
  const clock = testClock(Date.UTC(2026, 0, 1, 14, 2));
  const { log, lines } = captureLog('info');
  // The clock moves only when a test says so: a burst as large as the flood, so no 429 gets in the way.
  const t = await startTestRelay(
    { limits: { rate_per_token: 100, burst_per_token: 100_000 }, ...over },
    { log, clock },
  );
  onCleanup(() => t.stop());
  return { t, clock, lines };
}

/** `n` posts, `width` at a time. */
async function flood(n: number, width: number, send: () => Promise<Response>): Promise<number[]> {
  const codes: number[] = [];
  for (let i = 0; i < n; i += width) {
    const batch = await Promise.all(Array.from({ length: Math.min(width, n - i) }, send));
    for (const r of batch) {
      codes.push(r.status);
      await r.arrayBuffer();
    }
  }
  return codes;
}

/** `name{labels} value` lines of the Prometheus text format. */
async function metrics(t: TestRelay): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  for (const line of (await (await fetch(`${t.url}/metrics`)).text()).split('\n')) {
    const hit = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (hit) m.set(hit[1]!, Number(hit[2]));
  }
  return m;
}

interface StatusJson {
  level: string;
  attention: string[];
  refusals: {
    active: {
      reason: string;
      token: string;
      count: number;
      last_5_minutes: number;
      client: string | null;
      text: string;
    }[];
    reasons: { reason: string; status: number; count: number }[];
  };
}
const status = async (t: TestRelay) => (await (await fetch(`${t.url}/admin/api/status`)).json()) as StatusJson;
const refusalLines = (lines: LogLine[]) => lines.filter((l) => typeof l.reason === 'string');

describe('a POS with a wrong token, another sending broken JSON', () => {
  it('are counted by reason and token on /metrics, named on the page, and logged once each, then counted', async () => {
    const { t, clock, lines } = await relay();
    const wrong = await flood(2_000, 50, () => post(t.url, WRONG, '{"event":"order.created"}'));
    const broken = await flood(300, 50, () => post(t.url, TOKEN2, '{"event": "order.created", '));
    const inactive = await flood(3, 3, () => post(t.url, INACTIVE, '{}'));
    expect(new Set(wrong)).toEqual(new Set([401]));
    expect(new Set(broken)).toEqual(new Set([400]));
    expect(new Set(inactive)).toEqual(new Set([401]));
    // One of each that nobody floods: a bad env, a path with no token.
    expect((await post(t.url, TOKEN, '{}', { env: 'staging' })).status).toBe(400);
    expect((await fetch(`${t.url}/webhooks/v1/pos/`, { method: 'POST', body: '{}' })).status).toBe(404);

    const m = await metrics(t);
    expect(m.get('relay_refusals_total{reason="unknown_token"}')).toBe(2_003);
    expect(m.get('relay_refusals_total{reason="invalid_json"}')).toBe(300);
    expect(m.get('relay_refusals_total{reason="bad_request"}')).toBe(1);
    expect(m.get('relay_refusals_total{reason="not_found"}')).toBe(1);
    expect(m.get('relay_refusals_total{reason="spool_full"}')).toBe(0);
    expect(m.get('relay_refusals_unknown_token_total{token="5eedf00d…"}')).toBe(2_000);
    expect(m.get(`relay_refusals_unknown_token_total{token="${INACTIVE.slice(0, 8)}…"}`)).toBe(3);

    // The log: the first refusal of each kind per token, at once; nothing per request.
    const first = refusalLines(lines);
    expect(first.map((l) => [l.reason, l.token])).toEqual([
      ['unknown_token', '5eedf00d…'],
      ['invalid_json', `${TOKEN2.slice(0, 8)}…`],
      ['unknown_token', `${INACTIVE.slice(0, 8)}…`],
      ['bad_request', `${TOKEN.slice(0, 8)}…`],
      ['not_found', '(no token)'],
    ]);
    expect(first[0]).toMatchObject({ level: 'warn', client: '127.0.0.1' });
    expect(JSON.stringify(lines)).not.toContain(WRONG);

    // The page's JSON: a sentence per active kind and token, numbers for people.
    const s = await status(t);
    const wrongLine = 'A POS at 127.0.0.1 is sending an unknown or inactive token 5eedf00d…: 2,000 times since';
    expect(s.refusals.active[0]).toMatchObject({
      reason: 'unknown_token',
      token: '5eedf00d…',
      count: 2_000,
      last_5_minutes: 2_000,
    });
    expect(s.refusals.active[0]!.text).toStartWith(wrongLine);
    expect(s.refusals.active[1]!.text).toStartWith(
      `A POS at 127.0.0.1 is sending bodies that are not JSON in UTF-8 (token ${TOKEN2.slice(0, 8)}… "Bar"): 300 times since`,
    );
    expect(s.attention.some((a) => a.startsWith(wrongLine))).toBe(true);
    expect(s.level).toBe('warn');
    expect(s.refusals.reasons.map((r) => r.reason)).toEqual([...REFUSAL_IDS]);
    const page = await (await fetch(`${t.url}/admin`)).text();
    expect(page).toContain('A POS at 127.0.0.1 is sending an unknown or inactive token 5eedf00d…: 2,000 times since');

    // A minute on (the relay's monotonic clock), the timer writes the counts without another request.
    clock.advance(60_000);
    await waitFor(() => refusalLines(lines).length >= 7, 'the once-a-minute counts');
    const counts = refusalLines(lines).slice(5);
    expect(counts.map((l) => [l.reason, l.count])).toEqual([
      ['unknown_token', 2_001],
      ['invalid_json', 299],
    ]);
    expect(counts[0]!.msg).toContain('2,001 more since 14:02 UTC (5eedf00d… 1,999, 019ab6ee… 2)');
    expect(JSON.stringify(lines)).not.toContain(WRONG);

    // Ten minutes of quiet: the page no longer calls it out; the counts stay.
    clock.advance(10 * 60_000);
    const later = await status(t);
    expect(later.refusals.active).toEqual([]);
    expect(later.refusals.reasons.find((r) => r.reason === 'unknown_token')?.count).toBe(2_003);
  });
});

describe('a spool that cannot take events', () => {
  it('answers 503 to a POS retrying into a full spool without a log line per refusal', async () => {
    const { t, lines } = await relay({ spool: { max_size_mb: 5.1 } });
    const big = `{"pad":"${'x'.repeat(300_000)}"}`;
    for (let i = 0; i < 3; i++) expect((await post(t.url, TOKEN, big)).status).toBe(200);
    const codes = await flood(200, 10, () => post(t.url, TOKEN, big));
    expect(new Set(codes)).toEqual(new Set([503]));
    expect((await metrics(t)).get('relay_refusals_total{reason="spool_full"}')).toBe(200);
    // Delivery to the (absent) cloud logs its own retries; of the refusals, one line.
    const warned = lines.filter((l) => /refused/.test(l.msg));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ reason: 'spool_full', status: 503, token: `${TOKEN.slice(0, 8)}…` });
    expect(String(warned[0]!.err)).toContain('prod:');
    expect((await status(t)).refusals.active[0]!.text).toStartWith(
      `Events for token ${TOKEN.slice(0, 8)}… "Main POS" are refused: the spool is full (spool.max_size_mb): 200 times since`,
    );
  });

  it('counts a database that refuses the write as spool_failing, with its error in the log', async () => {
    const { t, lines } = await relay();
    fileExec(
      t.config.spool.path,
      `CREATE TRIGGER fail BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`,
    );
    const codes = await flood(20, 5, () => post(t.url, TOKEN, '{"a":1}'));
    expect(new Set(codes)).toEqual(new Set([503]));
    expect((await metrics(t)).get('relay_refusals_total{reason="spool_failing"}')).toBe(20);
    const refused = refusalLines(lines);
    expect(refused).toHaveLength(1);
    expect(String(refused[0]!.err)).toContain('disk I/O error');
  });
});

describe('alerts on refusals', () => {
  it('tell a technician when a POS keeps sending an unknown token or broken JSON, once each, and when it stops', async () => {
    const t = await alertRelay({ limits: { rate_per_token: 100, burst_per_token: 100_000 } });
    onCleanup(() => t.stop());
    await flood(200, 20, () => post(t.relay.url, WRONG, '{"event":"order.created"}'));
    await flood(30, 10, () => post(t.relay.url, TOKEN2, '{"event": '));
    // A single stray request with another unknown token is not a POS that keeps sending.
    expect((await post(t.relay.url, 'aaaabbbb-cccc-4ddd-8eee-ffff00001111', '{}')).status).toBe(401);
    await t.tick();
    const unknown = t.of('unknown_token');
    expect(unknown.map((m) => [m.state, m.details.token])).toEqual([['firing', '5eedf00d…']]);
    expect(unknown[0]!.text).toContain(
      'a POS at 127.0.0.1 keeps sending token 5eedf00d…, which is not an active token in relay.toml: 200 webhooks refused (HTTP 401) in the last 5 min',
    );
    const body = t.of('invalid_body');
    expect(body.map((m) => [m.state, m.details.token])).toEqual([['firing', `${TOKEN2.slice(0, 8)}…`]]);
    expect(body[0]!.text).toContain('30 refused in the last 5 min (not JSON in UTF-8 (HTTP 400))');
    expect(JSON.stringify(t.hook.got)).not.toContain(WRONG);

    // Still arriving a few minutes on: no second message.
    t.clock.advance(3 * MIN);
    await flood(20, 20, () => post(t.relay.url, WRONG, '{}'));
    await t.tick();
    expect(t.of('unknown_token')).toHaveLength(1);

    // Five quiet minutes (and the hold): each resolves once.
    t.clock.advance(6 * MIN);
    await t.tick();
    t.clock.advance(HOLD);
    await t.tick();
    expect(t.of('unknown_token').map((m) => m.state)).toEqual(['firing', 'resolved']);
    expect(t.of('invalid_body').map((m) => m.state)).toEqual(['firing', 'resolved']);
  });
});
