/**
 * Alerts act on the monotonic clock: a wall-clock step either way (an NTP
 * correction, a technician fixing the date, a dead CMOS battery) neither
 * fires nor silences an alert, nor moves a repeat or a resolve. The alerter
 * itself is driven (its snapshot, its age anchors, its ticks) with a
 * FakeClock whose wall clock alone is stepped; no server, no timers.
 */
import { describe, expect, it } from 'bun:test';
import { type AgeAnchor, ageAt, anchorAge, receivedMono } from '../../src/alerts/age.ts';
import { Alerter, AlertWatch, type Transition } from '../../src/alerts/index.ts';
import { defaultConfig } from '../../src/config/index.ts';
import type { CloudStatus, StalledLane } from '../../src/forward/index.ts';
import { type ClockStep, ClockStepWatch } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/log.ts';
import type { SpoolStats } from '../../src/spool/index.ts';
import { FakeClock } from '../helpers/clock.ts';

const TOKEN = '019ab6ed-150a-7be1-920f-ab82305e5d41';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const HOLD = 2 * MIN;
const NOON = Date.UTC(2026, 0, 1, 12);

describe('anchorAge: a waiting event’s age on the monotonic clock', () => {
  const W = 1_000_000_000;
  const M = 5_000;
  const seen: AgeAnchor = { receivedAt: W - 60_000, ageMs: 60_000, mono: M };
  /** prev anchor, received_at, wall now, mono now → the anchor, and the age it gives. */
  const cases: [string, AgeAnchor | undefined, number, number, number, AgeAnchor, number][] = [
    ['first seen: its wall age', undefined, W - 60_000, W, M, seen, 60_000],
    [
      'first seen "in the future" (received before a step back): 0, not negative',
      undefined,
      W + 5_000,
      W,
      M,
      { receivedAt: W + 5_000, ageMs: 0, mono: M },
      0,
    ],
    ['seen again: the anchor kept, monotonic time added', seen, W - 60_000, W + 30_000, M + 30_000, seen, 90_000],
    [
      'seen again after the wall clock jumped 2 h forwards',
      seen,
      W - 60_000,
      W + 2 * HOUR + 30_000,
      M + 30_000,
      seen,
      90_000,
    ],
    [
      'seen again after the wall clock went 8 days back',
      seen,
      W - 60_000,
      W - 8 * DAY + 30_000,
      M + 30_000,
      seen,
      90_000,
    ],
    [
      'another head in the lane: a new anchor',
      seen,
      W - 10_000,
      W + 30_000,
      M + 30_000,
      { receivedAt: W - 10_000, ageMs: 40_000, mono: M + 30_000 },
      40_000,
    ],
  ];
  for (const [name, prev, receivedAt, wall, mono, anchor, age] of cases) {
    it(name, () => {
      const a = anchorAge(prev, receivedAt, wall, mono);
      expect(a).toEqual(anchor);
      expect(ageAt(a, mono)).toBe(age);
    });
  }
});

describe('receivedMono: a received_at read in the wall-clock frame it was received in', () => {
  /** Wall minus monotonic before any step. */
  const OFF = 1_000_000_000;
  const step = (deltaMs: number, atMono: number, offBefore: number): ClockStep => ({
    deltaMs,
    atMono,
    at: atMono + offBefore + deltaMs,
  });
  const fwd3d = [step(3 * DAY, 10_000, OFF)];
  const back2h = [step(-2 * HOUR, 10_000, OFF)];
  const twoSteps = [step(2 * HOUR, 10_000, OFF), step(-8 * DAY, 20_000, OFF + 2 * HOUR)];
  /** received_at, the steps, monotonic now, wall minus monotonic now → the monotonic time it came in. */
  const cases: [string, number, ClockStep[], number, number, number][] = [
    ['no step: its wall age', OFF + 40_000, [], 100_000, OFF, 40_000],
    ['no step, received "in the future": now', OFF + 105_000, [], 100_000, OFF, 100_000],
    ['before a step 3 d forwards', OFF + 9_000, fwd3d, 20_000, OFF + 3 * DAY, 9_000],
    ['after a step 3 d forwards', OFF + 3 * DAY + 15_000, fwd3d, 20_000, OFF + 3 * DAY, 15_000],
    [
      'just after a step 3 d forwards, before the relay noticed it',
      OFF + 3 * DAY + 9_500,
      fwd3d,
      20_000,
      OFF + 3 * DAY,
      9_500,
    ],
    ['before a step 2 h back (its time now reads as future)', OFF + 9_000, back2h, 20_000, OFF - 2 * HOUR, 9_000],
    ['after a step 2 h back', OFF - 2 * HOUR + 15_000, back2h, 20_000, OFF - 2 * HOUR, 15_000],
    ['before two steps (2 h forwards, then 8 d back)', OFF + 5_000, twoSteps, 30_000, OFF + 2 * HOUR - 8 * DAY, 5_000],
    ['between those two steps', OFF + 2 * HOUR + 15_000, twoSteps, 30_000, OFF + 2 * HOUR - 8 * DAY, 15_000],
    [
      '3 h after a step 2 h back, a time both frames hold: the newer frame, the younger age',
      OFF + 9_000,
      back2h,
      10_000 + 3 * HOUR,
      OFF - 2 * HOUR,
      9_000 + 2 * HOUR,
    ],
  ];
  for (const [name, receivedAt, steps, mono, offset, expected] of cases) {
    it(name, () => expect(receivedMono(receivedAt, mono + offset, mono, steps)).toBe(expected));
  }
});

/** An alerter over a relay the test sets by hand: one lane, the cloud's status, no receivers (tick() returns what it would send). */
function rig() {
  const clock = new FakeClock(NOON);
  const config = defaultConfig();
  config.alerts = { ...config.alerts, success_rate_window: 100, first_events: 20 };
  config.site = { ...config.site, name: 'Cantina Roma', timezone: 'UTC' };
  const spool: SpoolStats = {
    pending: 0,
    delivered: 0,
    dead: 0,
    bytes: 1000,
    maxBytes: 1 << 30,
    lanes: [],
    lastWriteError: null,
    quarantined: [],
    quarantines: 0,
    salvaging: false,
  };
  let stalled: StalledLane[] = [];
  const cloud: CloudStatus = {
    reachable: true,
    since: NOON,
    sinceMono: clock.mono(),
    lastDeliveryAt: NOON,
    lastError: null,
  };
  // As relay.ts: a watch over the clock, its steps kept for the alerter.
  const watch = new ClockStepWatch(clock);
  const steps: ClockStep[] = [];
  const clockSteps = () => {
    const s = watch.check();
    if (s) steps.push(s);
    return steps;
  };
  const alerter = new Alerter({
    config: () => config,
    source: { spool: () => spool, cloud: () => cloud, paused: () => [], stalled: () => stalled, clockSteps },
    watch: new AlertWatch(() => config.alerts, clock),
    clock,
    log: silentLogger,
    userAgent: 'test',
    resolveAfterMs: HOLD,
    receivers: () => [],
  });
  const tick = (): [string, string, boolean][] =>
    alerter.tick().map((t: Transition) => [t.condition, t.state, t.repeat]);
  return {
    clock,
    alerter,
    tick,
    /** One event waiting in the prod lane, received `ago` ms before the wall clock's now. */
    waiting(ago: number) {
      spool.pending = 1;
      spool.lanes = [{ token: TOKEN, env: 'prod', pending: 1, oldestReceivedAt: clock.now() - ago }];
    },
    /** The forwarder reports the prod lane stalled since `ago` ms before the monotonic now (or nothing, with null). */
    stall(ago: number | null) {
      stalled = ago === null ? [] : [{ token: TOKEN, env: 'prod', sinceMono: clock.mono() - ago, overdueMs: ago }];
    },
    /** Nothing waits any more. */
    delivered() {
      spool.pending = 0;
      spool.lanes = [];
    },
    /** The cloud stops answering now. */
    cloudDown() {
      Object.assign(cloud, { reachable: false, since: clock.now(), sinceMono: clock.mono(), lastError: 'timeout' });
    },
    cloudUp() {
      Object.assign(cloud, { reachable: true, since: clock.now(), sinceMono: clock.mono(), lastError: null });
    },
  };
}

const STEPS: [string, number][] = [
  ['2 h forwards', 2 * HOUR],
  ['2 h back', -2 * HOUR],
  ['8 days forwards', 8 * DAY],
  ['8 days back', -8 * DAY],
];

describe('a wall-clock step and the alerts', () => {
  for (const [name, step] of STEPS) {
    describe(`the wall clock stepped ${name}`, () => {
      it('fires nothing on a healthy relay with an event that just arrived', () => {
        const r = rig();
        r.waiting(MIN);
        expect(r.tick()).toEqual([]);
        r.clock.stepWall(step);
        expect(r.tick()).toEqual([]);
        // Waiting 14 min in all, on the monotonic clock: still below after_minutes (15).
        r.clock.advance(13 * MIN);
        expect(r.tick()).toEqual([]);
        r.clock.advance(MIN + 1);
        expect(r.tick()).toEqual([['oldest_pending', 'firing', false]]);
      });

      it('fires nothing for an event received just before the step that the alerter first sees after it', () => {
        const r = rig();
        expect(r.tick()).toEqual([]);
        r.waiting(MIN);
        r.clock.stepWall(step);
        expect(r.tick()).toEqual([]);
        r.clock.advance(14 * MIN);
        expect(r.tick()).toEqual([]);
        r.clock.advance(1);
        expect(r.tick()).toEqual([['oldest_pending', 'firing', false]]);
      });

      it('neither starts nor hastens cloud_unreachable: it fires after unreachable_minutes of monotonic time', () => {
        const r = rig();
        r.cloudDown();
        r.clock.advance(2 * MIN);
        expect(r.tick()).toEqual([]);
        r.clock.stepWall(step);
        expect(r.tick()).toEqual([]);
        r.clock.advance(3 * MIN - 1);
        expect(r.tick()).toEqual([]);
        r.clock.advance(1);
        expect(r.tick()).toEqual([['cloud_unreachable', 'firing', false]]);
        // Its "since" is shown in today's wall-clock frame: 5 min before the clock's now.
        expect(r.alerter.status().firing[0]!.since).toBe(r.clock.now() - 5 * MIN);
      });

      it('silences no firing alert, sends no early "resolved" or repeat, and keeps the repeat on time', () => {
        const r = rig();
        r.waiting(20 * MIN);
        r.cloudDown();
        r.clock.advance(5 * MIN);
        expect(r.tick().sort()).toEqual([
          ['cloud_unreachable', 'firing', false],
          ['oldest_pending', 'firing', false],
        ]);
        r.clock.stepWall(step);
        expect(r.tick()).toEqual([]);
        // Past the resolve hold: both still fire, without a word.
        r.clock.advance(HOLD * 2);
        expect(r.tick()).toEqual([]);
        expect(
          r.alerter
            .status()
            .firing.map((f) => f.condition)
            .sort(),
        ).toEqual(['cloud_unreachable', 'oldest_pending']);
        // repeat_hours (4 h) after firing, on the monotonic clock: one reminder each, not earlier, not later.
        r.clock.advance(4 * HOUR - HOLD * 2 - 1);
        expect(r.tick()).toEqual([]);
        r.clock.advance(1);
        expect(r.tick().sort()).toEqual([
          ['cloud_unreachable', 'firing', true],
          ['oldest_pending', 'firing', true],
        ]);
        // The cloud answers and the event goes: "resolved" after the hold, measured on the monotonic clock.
        r.cloudUp();
        r.delivered();
        expect(r.tick()).toEqual([]);
        r.clock.advance(HOLD - 1);
        r.clock.stepWall(-step);
        expect(r.tick()).toEqual([]);
        r.clock.advance(1);
        expect(r.tick().sort()).toEqual([
          ['cloud_unreachable', 'resolved', false],
          ['oldest_pending', 'resolved', false],
        ]);
      });
    });
  }

  it('a lane the forwarder reports stalled fires lane_stalled with its waiting events; a step does not end it', () => {
    const r = rig();
    r.waiting(3 * MIN);
    r.stall(2 * MIN);
    const fired = r.alerter.tick();
    expect(fired.map((t) => [t.condition, t.state])).toEqual([['lane_stalled', 'firing']]);
    expect(fired[0]!.details).toMatchObject({ token: '019ab6ed…', env: 'prod', pending: 1, overdue_minutes: 2 });
    expect(r.alerter.status().firing[0]!.text).toContain('none was tried since 11:58 (2 min) although 1 event waits');
    r.clock.stepWall(-8 * DAY);
    r.clock.advance(HOLD * 2);
    expect(r.tick()).toEqual([]);
    r.stall(null);
    expect(r.tick()).toEqual([]);
    r.clock.advance(HOLD);
    expect(r.tick()).toEqual([['lane_stalled', 'resolved', false]]);
  });

  it('the texts read the wall clock of their moment: a step forwards moves "since", not "for how long"', () => {
    const r = rig();
    r.cloudDown(); // 12:00
    r.clock.advance(6 * MIN);
    r.tick();
    r.clock.stepWall(2 * HOUR);
    const [f] = r.alerter.status().firing;
    expect(f!.text).toContain('has not reached the EmiliaVision cloud since 14:00 (6 min; last error: timeout)');
    expect(new Date(f!.firedAt).toISOString()).toBe('2026-01-01T14:06:00.000Z');
  });
});
