/**
 * The alert state machine, table-tested with a FakeClock: every condition
 * fires once when it starts, repeats only after repeat_hours, survives a
 * flap inside the hold, and resolves once. No server, no timers.
 */
import { describe, expect, it } from 'bun:test';
import {
  type AlertState,
  CONDITION_IDS,
  type ConditionId,
  evaluate,
  initialState,
  render,
  type Snapshot,
  type Transition,
} from '../../src/alerts/index.ts';
import { defaultConfig } from '../../src/config/index.ts';
import { wallAt } from '../../src/lib/clock.ts';
import { FakeClock } from '../helpers/clock.ts';

const TOKEN = '019ab6ed-150a-7be1-920f-ab82305e5d41';
// Issued in the same minute: a UUIDv7 shares its first 8 characters with TOKEN.
const TWIN = '019ab6ed-9999-7000-8000-000000000000';
const MIN = 60_000;
const HOUR = 60 * MIN;
const HOLD = 2 * MIN;
const cfg = { ...defaultConfig().alerts, success_rate_window: 100, first_events: 20 };
const SITE = { site: 'Cantina Roma', timeZone: 'UTC' };
const NOON = Date.UTC(2026, 0, 1, 12);

/** A relay with nothing wrong at monotonic `now`, wall time `wall`. */
function healthy(now: number, wall: number): Snapshot {
  return {
    wall,
    cloud: { reachable: true, since: now - HOUR, lastError: null },
    spool: { pending: 0, dead: 2, bytes: 1000, maxBytes: 1024 * 1048576, oldest: null, quarantined: [] },
    paused: [],
    stalled: [],
    attempts: { total: 100, ok: 100, codes: { '200': 100 } },
    firstEvents: [],
    refusals: [],
    tokens: [
      { token: TOKEN, name: 'Main POS' },
      { token: TWIN, name: 'Bar' },
    ],
  };
}

interface Case {
  condition: ConditionId;
  bad: (now: number, s: Snapshot) => Snapshot;
  firing: RegExp;
  resolved: RegExp;
}

// The text a technician reads, for each condition (README "Alerts" shows the same examples).
const CASES: Case[] = [
  {
    condition: 'cloud_unreachable',
    bad: (now, s) => ({
      ...s,
      cloud: { reachable: false, since: now - 6 * MIN, lastError: `timeout after 30000 ms on /pos/${TOKEN}` },
      spool: { ...s.spool, pending: 12 },
    }),
    firing:
      /^🔴 Cantina Roma: the relay has not reached the EmiliaVision cloud since 11:54 \(6 min; last error: timeout after 30000 ms on \/pos\/019ab6ed…\)\. 12 events wait safely on this PC\. What to do: Check this PC's internet connection/,
    resolved:
      /^✅ Cantina Roma, resolved: the EmiliaVision cloud answers again \(unreachable from 11:54, for 4 h 9 min\)/,
  },
  {
    condition: 'oldest_pending',
    bad: (_now, s) => ({
      ...s,
      spool: {
        ...s.spool,
        pending: 240,
        oldest: { at: s.wall - 16 * MIN, ageMs: 16 * MIN, token: TOKEN, env: 'prod' },
      },
    }),
    firing:
      /^🔴 Cantina Roma: 240 events wait for the cloud; the oldest \(token 019ab6ed… \(Main POS\), prod\) was received at 11:44, 16 min ago \(alert after 15 min\)\. What to do: Open the status page/,
    resolved: /^✅ Cantina Roma, resolved: no event has waited longer than 15 min any more/,
  },
  {
    condition: 'success_rate',
    bad: (_now, s) => ({ ...s, attempts: { total: 100, ok: 82, codes: { '200': 82, '503': 12, error: 6 } } }),
    firing:
      /^🔴 Cantina Roma: only 82% of the last 100 deliveries to the cloud succeeded \(alert below 95%\) since 12:00: HTTP 503 ×12, no answer ×6\. What to do: The relay retries on its own/,
    resolved: /^✅ Cantina Roma, resolved: deliveries succeed again: 100% of the last 100/,
  },
  {
    condition: 'token_paused',
    bad: (_now, s) => ({ ...s, paused: [{ token: TOKEN, reason: 'cloud answered 401: token invalid or inactive' }] }),
    firing:
      /^🔴 Cantina Roma: the cloud refuses token 019ab6ed… \(Main POS\) as invalid or inactive \(HTTP 401\) since 12:00; its events are kept and retried\. What to do: Compare that token in relay\.toml/,
    resolved: /^✅ Cantina Roma, resolved: the cloud accepts token 019ab6ed… \(Main POS\) again/,
  },
  {
    condition: 'dead_letters',
    bad: (_now, s) => ({ ...s, spool: { ...s.spool, dead: 5 } }),
    firing:
      /^🔴 Cantina Roma: the cloud rejected 3 events for good since 12:00 \(5 dead letters in the spool now\)\. What to do: Open "Dead letters"/,
    resolved: /^✅ Cantina Roma, resolved: the dead letters that came after 12:00 were replayed \(2 dead letters/,
  },
  {
    condition: 'spool_full',
    bad: (_now, s) => ({ ...s, spool: { ...s.spool, bytes: 880 * 1048576 } }),
    firing:
      /^🔴 Cantina Roma: the relay's spool is 85\.9% full \(880 MB of 1024 MB, alert above 80%\) since 12:00\. When it is full, the POS gets 503/,
    resolved: /^✅ Cantina Roma, resolved: the spool is down to 0% full/,
  },
  {
    condition: 'payload_warnings',
    bad: (now, s) => ({
      ...s,
      firstEvents: [
        {
          token: TOKEN,
          seen: 5,
          warned: 3,
          kinds: { missing_table_number: 3 },
          firstWarnedAt: now - MIN,
          settled: false,
        },
      ],
    }),
    firing:
      /^🔴 Cantina Roma: events with payload warnings from token 019ab6ed… \(Main POS\): 3 of 5 since the relay started \(first at 11:59\): missing_table_number ×3 \(.+\)\. The cloud accepts them, but its dashboard may not show them\. What to do: Send the warnings to the POS integrator/,
    resolved: /^✅ Cantina Roma, resolved: token 019ab6ed… \(Main POS\) now sends clean events: 20 events in a row/,
  },
  {
    condition: 'spool_quarantined',
    bad: (_now, s) => ({
      ...s,
      spool: {
        ...s.spool,
        quarantined: [
          {
            file: 'C:\\ProgramData\\Relay\\relay.db.damaged-2026-01-01T11-58-00Z',
            at: new Date(s.wall - 2 * MIN).toISOString(),
            reason: 'database disk image is malformed',
          },
        ],
      },
    }),
    firing:
      /^🔴 Cantina Roma: the disk damaged the relay's spool; at 11:58 the relay set it aside as C:\\ProgramData\\Relay\\relay\.db\.damaged-2026-01-01T11-58-00Z and kept taking events in a fresh one, and puts the readable waiting events back on its own \(database disk image is malformed\)\. What to do: Check the PC's disk/,
    resolved:
      /^✅ Cantina Roma, resolved: the damaged spool file C:\\ProgramData\\Relay\\relay\.db\.damaged-2026-01-01T11-58-00Z was moved away/,
  },
  {
    condition: 'lane_stalled',
    bad: (now, s) => ({
      ...s,
      stalled: [{ token: TOKEN, env: 'prod', since: now - 7 * MIN, overdueMs: 7 * MIN, pending: 3 }],
    }),
    firing:
      /^🔴 Cantina Roma: the relay stopped sending the events of token 019ab6ed… \(Main POS\) \(prod\): none was tried since 11:53 \(7 min\) although 3 events wait\. They are safe on this PC but do not move\. What to do: Restart the relay/,
    resolved:
      /^✅ Cantina Roma, resolved: the relay sends the events of token 019ab6ed… \(Main POS\) \(prod\) again \(stalled from 11:53, for 4 h \d+ min\)\.$/,
  },
  {
    condition: 'unknown_token',
    bad: (_now, s) => ({
      ...s,
      refusals: [
        { reason: 'unknown_token', token: '5eedf00d…', client: '192.168.1.23', count: 3_366_426, recent: 1_200_000 },
        // Another token, refused once in a while: not a POS that keeps sending.
        { reason: 'unknown_token', token: 'aaaabbbb…', client: null, count: 40, recent: 3 },
      ],
    }),
    firing:
      /^🔴 Cantina Roma: a POS at 192\.168\.1\.23 keeps sending token 5eedf00d…, which is not an active token in relay\.toml: 1,200,000 webhooks refused \(HTTP 401\) in the last 5 min, 3,366,426 since the relay started \(alert since 12:00\)\. Those events are not stored\. What to do: Compare the token in the POS's webhook URL/,
    resolved: /^✅ Cantina Roma, resolved: no webhook with token 5eedf00d… for 5 min \(refused from 12:00, for 4 h/,
  },
  {
    condition: 'invalid_body',
    bad: (_now, s) => ({
      ...s,
      refusals: [
        { reason: 'invalid_json', token: '019ab6ed…', client: '10.0.0.7', count: 30, recent: 12 },
        { reason: 'too_large', token: '019ab6ed…', client: '10.0.0.7', count: 2, recent: 2 },
        { reason: 'unknown_token', token: '019ab6ed…', client: '10.0.0.7', count: 99, recent: 99 },
      ],
    }),
    firing:
      /^🔴 Cantina Roma: a POS at 10\.0\.0\.7 keeps sending webhooks for token 019ab6ed… \(Main POS or Bar\) whose body the relay cannot take: 14 refused in the last 5 min \(not JSON in UTF-8 \(HTTP 400\), over server\.max_body_bytes \(HTTP 413\)\), 32 since the relay started \(alert since 12:00\)\. Those events are not stored\. What to do: Send the POS integrator/,
    resolved:
      /^✅ Cantina Roma, resolved: the webhook bodies for token 019ab6ed… \(Main POS or Bar\) are taken again: none refused for 5 min/,
  },
  {
    condition: 'admin_login_blocked',
    bad: (now, s) => ({
      ...s,
      adminBlocks: [{ client: '192.168.1.66', since: now - MIN, until: now + 14 * MIN, failures: 20 }],
    }),
    firing:
      /^🔴 Cantina Roma: 192\.168\.1\.66 sent 20 wrong admin passwords; at 11:59 the relay blocked it for 15 min \(its tries are answered 429 unchecked\)\. Webhooks and other addresses are not affected\. What to do: Find the device at that address/,
    resolved: /^✅ Cantina Roma, resolved: the block of 192\.168\.1\.66 ended \(blocked from 11:59, for 4 h/,
  },
];

/** Evaluations at the clock's now, keeping the state; only `condition`'s transitions are returned. */
function machine(condition?: ConditionId, c = cfg) {
  // Noon UTC: "since" falls on the same day, shown as a time alone.
  const clock = new FakeClock(NOON);
  let state: AlertState = initialState();
  // Evaluated on the monotonic clock, as the alerter does; the snapshot also gets the wall clock's reading.
  const step = (snap: (now: number, wall: number) => Snapshot): Transition[] => {
    const r = evaluate(state, snap(clock.mono(), clock.now()), clock.mono(), c, { resolveAfterMs: HOLD });
    state = r.state;
    return condition ? r.transitions.filter((t) => t.condition === condition) : r.transitions;
  };
  /** A monotonic instant as people read it, as the alerter shows it. */
  const wall = (mono: number) => wallAt(clock, mono);
  return { clock, step, state: () => state, wall };
}

/** The payload-warnings case settles instead of vanishing: a fixed integration stays listed, settled. */
const goodAfter = (c: Case) => (now: number, wall: number) => {
  const s = healthy(now, wall);
  if (c.condition !== 'payload_warnings') return s;
  const bad = c.bad(now, s).firstEvents[0]!;
  return { ...s, firstEvents: [{ ...bad, settled: true }] };
};

describe('alert evaluation, per condition', () => {
  it('every condition in CONDITIONS has its case here', () => {
    expect(CONDITION_IDS.filter((id) => !CASES.some((c) => c.condition === id))).toEqual([]);
  });

  for (const c of CASES) {
    it(`${c.condition}: one firing, no repeat inside repeat_hours, one repeat after, one resolved after the hold`, () => {
      const m = machine(c.condition);
      const bad = (now: number, wall: number) => c.bad(now, healthy(now, wall));
      expect(m.step(healthy)).toEqual([]);
      m.clock.advance(1000);

      const fired = m.step(bad);
      expect(fired.map((t) => [t.state, t.repeat])).toEqual([['firing', false]]);
      expect(render(fired[0]!, SITE, m.wall).message.text).toMatch(c.firing);

      // Ticks all through repeat_hours (4 h): silence.
      for (let i = 0; i < 23; i++) {
        m.clock.advance(10 * MIN);
        expect(m.step(bad)).toEqual([]);
      }
      m.clock.advance(10 * MIN);
      const repeat = m.step(bad);
      expect(repeat.map((t) => [t.state, t.repeat])).toEqual([['firing', true]]);
      expect(render(repeat[0]!, SITE, m.wall).message.text).toStartWith('🔴 Cantina Roma, still: ');
      expect(repeat[0]!.since).toBe(fired[0]!.since);

      // Ok, then bad again inside the hold (a flap): nothing is said either way.
      expect(m.step(goodAfter(c))).toEqual([]);
      m.clock.advance(HOLD - 1000);
      expect(m.step(bad)).toEqual([]);
      expect(m.step(goodAfter(c))).toEqual([]);
      m.clock.advance(HOLD - 1000);
      expect(m.step(goodAfter(c))).toEqual([]);
      m.clock.advance(1000);
      const resolved = m.step(goodAfter(c));
      expect(resolved.map((t) => t.state)).toEqual(['resolved']);
      expect(render(resolved[0]!, SITE, m.wall).message.text).toMatch(c.resolved);
      m.clock.advance(HOUR);
      expect(m.step(goodAfter(c))).toEqual([]);
    });
  }

  it('cloud_unreachable: not before unreachable_minutes, and a failed request after an answer does not end it', () => {
    const m = machine('cloud_unreachable');
    const t0 = m.clock.mono();
    const down = (since: number) => (now: number, wall: number) => ({
      ...healthy(now, wall),
      cloud: { reachable: false, since, lastError: 'timeout' },
    });
    m.clock.advance(4 * MIN + 59_000);
    expect(m.step(down(t0))).toEqual([]);
    m.clock.advance(1000);
    expect(m.step(down(t0)).map((t) => t.state)).toEqual(['firing']);
    // One answer, then down again: `since` moves, the alert stays (it clears only while the cloud answers).
    m.clock.advance(MIN);
    expect(m.step(healthy)).toEqual([]);
    expect(m.step(down(m.clock.mono()))).toEqual([]);
    m.clock.advance(HOLD);
    expect(m.step(down(m.clock.mono() - HOLD))).toEqual([]);
    expect(m.state().active.get('cloud_unreachable')?.since).toBe(t0);
  });

  it('oldest_pending: after_minutes may be a fraction', () => {
    const m = machine('oldest_pending', { ...cfg, after_minutes: 0.5 });
    // Received at monotonic t0: its age is now - t0, its received_at that long before the wall clock's now.
    const waiting = (t0: number) => (now: number, wall: number) => ({
      ...healthy(now, wall),
      spool: {
        ...healthy(now, wall).spool,
        pending: 1,
        oldest: { at: wall - (now - t0), ageMs: now - t0, token: TOKEN, env: 'dev' },
      },
    });
    const t0 = m.clock.mono();
    m.clock.advance(30_000);
    expect(m.step(waiting(t0))).toEqual([]);
    m.clock.advance(1);
    expect(m.step(waiting(t0)).map((t) => t.state)).toEqual(['firing']);
  });

  it('lane_stalled: a lane overdue less than a minute (a busy moment) is no message; at a minute it fires', () => {
    const m = machine('lane_stalled');
    const stalled = (overdueMs: number) => (now: number, wall: number) => ({
      ...healthy(now, wall),
      stalled: [{ token: TOKEN, env: 'dev', since: now - overdueMs, overdueMs, pending: 1 }],
    });
    expect(m.step(stalled(59_999))).toEqual([]);
    expect(m.step(healthy)).toEqual([]);
    expect(m.step(stalled(MIN)).map((t) => t.state)).toEqual(['firing']);
    // Back under a minute (the runner tried, then stalled again): still one alert, nothing said.
    expect(m.step(stalled(1000))).toEqual([]);
    m.clock.advance(HOLD);
    expect(m.step(stalled(1000))).toEqual([]);
  });

  it('success_rate: silent until the window is full; clears halfway to 100 %, not at the threshold', () => {
    const m = machine('success_rate');
    const rate = (total: number, ok: number) => (now: number, wall: number) => ({
      ...healthy(now, wall),
      attempts: { total, ok, codes: { '200': ok, '503': total - ok } },
    });
    expect(m.step(rate(99, 0))).toEqual([]);
    expect(m.step(rate(100, 94)).map((t) => t.state)).toEqual(['firing']);
    // Above 95 %, below 97.5 %, for longer than the hold: still firing.
    expect(m.step(rate(100, 96))).toEqual([]);
    m.clock.advance(HOLD * 2);
    expect(m.step(rate(100, 96))).toEqual([]);
    expect(m.step(rate(100, 94))).toEqual([]);
    expect(m.step(rate(100, 98))).toEqual([]);
    m.clock.advance(HOLD);
    expect(m.step(rate(100, 98)).map((t) => t.state)).toEqual(['resolved']);
  });

  it('dead_letters: those there at start are not news; a replay lowers the baseline', () => {
    const m = machine('dead_letters');
    const dead = (n: number) => (now: number, wall: number) => ({
      ...healthy(now, wall),
      spool: { ...healthy(now, wall).spool, dead: n },
    });
    expect(m.step(dead(7))).toEqual([]);
    expect(m.step(dead(3))).toEqual([]); // four old ones replayed
    expect(m.step(dead(4)).map((t) => [t.state, t.details.new])).toEqual([['firing', 1]]);
    expect(m.step(dead(9))).toEqual([]); // more come: told at the next repeat, not now
    expect(m.state().active.get('dead_letters')?.details.new).toBe(6);
  });

  it('spool_full: clears 5 points below spool_full_above, not at it', () => {
    const m = machine('spool_full');
    const full = (share: number) => (now: number, wall: number) => ({
      ...healthy(now, wall),
      spool: { ...healthy(now, wall).spool, bytes: share * 1000, maxBytes: 1000 },
    });
    expect(m.step(full(0.8))).toEqual([]);
    expect(m.step(full(0.81)).map((t) => t.state)).toEqual(['firing']);
    m.clock.advance(HOLD * 2);
    expect(m.step(full(0.77))).toEqual([]);
    m.clock.advance(HOLD * 2);
    expect(m.step(full(0.76))).toEqual([]);
    expect(m.step(full(0.75))).toEqual([]);
    m.clock.advance(HOLD);
    expect(m.step(full(0.75)).map((t) => t.state)).toEqual(['resolved']);
  });

  it('per-token alerts: two tokens sharing their first 8 characters are two alerts, and no token shows whole', () => {
    const m = machine('token_paused');
    const both = (now: number, wall: number) => ({
      ...healthy(now, wall),
      paused: [
        { token: TOKEN, reason: '401' },
        { token: TWIN, reason: '401' },
      ],
    });
    const fired = m.step(both);
    expect(fired.map((t) => t.subject?.name)).toEqual(['Main POS', 'Bar']);
    const shown = JSON.stringify([fired, fired.map((t) => render(t, SITE, m.wall)), [...m.state().active.values()]]);
    expect(shown).not.toContain(TOKEN);
    expect(shown).not.toContain(TWIN);
    expect(shown).toContain('019ab6ed…');
  });

  it('a condition turned off (token_paused = false) does not fire, and one firing ends without a "resolved"', () => {
    const paused = (now: number, wall: number) => ({
      ...healthy(now, wall),
      paused: [{ token: TOKEN, reason: '401' }],
    });
    const off = machine('token_paused', { ...cfg, token_paused: false });
    expect(off.step(paused)).toEqual([]);
    const clock = new FakeClock(NOON);
    let state = evaluate(initialState(), paused(clock.mono(), clock.now()), clock.mono(), cfg).state;
    expect(state.active.size).toBe(1);
    const r = evaluate(state, paused(clock.mono(), clock.now()), clock.mono(), { ...cfg, token_paused: false });
    state = r.state;
    expect(r.transitions).toEqual([]);
    expect(state.active.size).toBe(0);
  });

  it('the JSON message has exactly the documented keys', () => {
    const m = machine('spool_full');
    const [t] = m.step((now, wall) => CASES.find((c) => c.condition === 'spool_full')!.bad(now, healthy(now, wall)));
    const { message, subject } = render(t!, SITE, m.wall);
    expect(Object.keys(message).sort()).toEqual(
      ['condition', 'details', 'site', 'since', 'state', 'text', 'what_to_do'].sort(),
    );
    expect(message).toMatchObject({ site: 'Cantina Roma', condition: 'spool_full', state: 'firing' });
    expect(message.since).toBe(new Date(m.wall(t!.since)).toISOString());
    expect(subject).toBe('[relay] Cantina Roma: spool filling up');
  });
});
