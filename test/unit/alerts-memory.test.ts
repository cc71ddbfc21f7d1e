/**
 * Alerts remembered across a restart (alerts/memory.ts): the state goes to
 * the spool in wall time and comes back in the next process's monotonic
 * frame, so a restarted relay neither sends a firing alert again nor forgets
 * to resolve it, and repeat_hours runs on. Driven with FakeClocks whose
 * monotonic origins differ, as two processes' do; no server, no timers.
 */
import { describe, expect, it } from 'bun:test';
import { RESTORED_UNKNOWN_MS } from '../../src/alerts/evaluate.ts';
import { Alerter, type AlertMemory, AlertWatch, type Transition } from '../../src/alerts/index.ts';
import { fromStored, type StoredAlerts, toStored } from '../../src/alerts/memory.ts';
import { defaultConfig } from '../../src/config/index.ts';
import type { CloudStatus } from '../../src/forward/index.ts';
import { silentLogger } from '../../src/lib/log.ts';
import type { SpoolStats } from '../../src/spool/index.ts';
import { FakeClock } from '../helpers/clock.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const HOLD = 2 * MIN;
const NOON = Date.UTC(2026, 0, 1, 12);

/** What the spool's meta table does for the alerter: one value, kept. */
function memory(): AlertMemory & { value: string | null; saves: number } {
  const m = {
    value: null as string | null,
    saves: 0,
    load: () => m.value,
    save: async (v: string) => {
      m.value = v;
      m.saves++;
    },
  };
  return m;
}

/** One relay process: its own clock origin, the shared memory, a cloud and a spool it can be told about. */
function relayProcess(mem: AlertMemory, wall: number, monoOrigin: number) {
  const clock = new FakeClock(wall);
  clock.advance(monoOrigin);
  clock.stepWall(-monoOrigin);
  const config = { ...defaultConfig(), alerts: { ...defaultConfig().alerts, repeat_hours: 4 } };
  const spool: SpoolStats = {
    pending: 1,
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
  const cloud: CloudStatus = { reachable: null, since: null, sinceMono: null, lastDeliveryAt: null, lastError: null };
  const watch = new AlertWatch(() => config.alerts, clock);
  const alerter = new Alerter({
    config: () => config,
    source: { spool: () => spool, cloud: () => cloud, paused: () => [], stalled: () => [] },
    watch,
    memory: mem,
    clock,
    log: silentLogger,
    userAgent: 'test',
    resolveAfterMs: HOLD,
    receivers: () => [],
  });
  return {
    clock,
    alerter,
    spool,
    tick: (): [string, string, boolean][] => alerter.tick().map((t: Transition) => [t.condition, t.state, t.repeat]),
    /** start() without its interval: restore, then one tick. */
    start(): [string, string, boolean][] {
      (alerter as unknown as { restore(): void }).restore();
      return this.tick();
    },
    cloudDown(agoMs = 0) {
      Object.assign(cloud, { reachable: false, since: clock.now() - agoMs, sinceMono: clock.mono() - agoMs });
      cloud.lastError = 'connect ECONNREFUSED';
    },
    /** `n` delivery attempts answered `code`. */
    attempts(n: number, code: string) {
      for (let i = 0; i < n; i++) watch.attempt(code);
    },
    cloudUp() {
      Object.assign(cloud, { reachable: true, since: clock.now(), sinceMono: clock.mono(), lastError: null });
    },
  };
}

/** Saves run on a promise; the next tick sees them done. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('a restart and the alerts', () => {
  it('an alert firing before the restart is not sent again, and its resolution is sent once', async () => {
    const mem = memory();
    const a = relayProcess(mem, NOON, 1_000_000);
    a.start();
    a.cloudDown();
    a.clock.advance(5 * MIN);
    expect(a.tick()).toEqual([['cloud_unreachable', 'firing', false]]);
    await settle();
    const saves = mem.saves;
    expect(JSON.parse(mem.value!).active.map((x: { key: string }) => x.key)).toEqual(['cloud_unreachable']);
    // Ticks with nothing new write nothing.
    a.clock.advance(MIN);
    expect(a.tick()).toEqual([]);
    await settle();
    expect(mem.saves).toBe(saves);

    // Another process 30 s later: another monotonic origin.
    const b = relayProcess(mem, a.clock.now() + 30_000, 42);
    expect(b.start()).toEqual([]);
    expect(b.alerter.status().firing.map((f) => [f.condition, f.since])).toEqual([['cloud_unreachable', NOON]]);
    // The forwarder of the new process finds the cloud still down: no second firing.
    b.cloudDown();
    b.clock.advance(10 * MIN);
    expect(b.tick()).toEqual([]);
    b.cloudUp();
    expect(b.tick()).toEqual([]);
    b.clock.advance(HOLD);
    expect(b.tick()).toEqual([['cloud_unreachable', 'resolved', false]]);
    await settle();
    expect(JSON.parse(mem.value!).active).toEqual([]);
  });

  it('the condition cleared while the relay was down: resolved after the hold, not fired', async () => {
    const mem = memory();
    const a = relayProcess(mem, NOON, 1_000_000);
    a.start();
    a.cloudDown(6 * MIN);
    expect(a.tick()).toEqual([['cloud_unreachable', 'firing', false]]);
    await settle();
    const b = relayProcess(mem, a.clock.now() + HOUR, 7);
    b.cloudUp();
    expect(b.start()).toEqual([]);
    b.clock.advance(HOLD);
    expect(b.tick()).toEqual([['cloud_unreachable', 'resolved', false]]);
  });

  it('repeat_hours runs on across the restart: the reminder comes 4 h after the firing, not 4 h after the start', async () => {
    const mem = memory();
    const a = relayProcess(mem, NOON, 1_000_000);
    a.start();
    a.cloudDown(6 * MIN);
    expect(a.tick()).toEqual([['cloud_unreachable', 'firing', false]]);
    await settle();
    const b = relayProcess(mem, a.clock.now() + 3 * HOUR, 5);
    b.start();
    b.cloudDown(0);
    b.clock.advance(HOUR - 1000);
    expect(b.tick()).toEqual([]);
    b.clock.advance(1000);
    expect(b.tick()).toEqual([['cloud_unreachable', 'firing', true]]);
  });

  it('dead letters already told are not news after the restart', async () => {
    const mem = memory();
    const a = relayProcess(mem, NOON, 1_000_000);
    a.start();
    a.spool.dead = 3;
    expect(a.tick()).toEqual([['dead_letters', 'firing', false]]);
    await settle();
    const b = relayProcess(mem, a.clock.now() + MIN, 5);
    b.spool.dead = 3;
    expect(b.start()).toEqual([]);
    b.clock.advance(HOLD * 2);
    expect(b.tick()).toEqual([]);
    // Replayed: the alert ends.
    b.spool.dead = 0;
    b.tick();
    b.clock.advance(HOLD);
    expect(b.tick()).toEqual([['dead_letters', 'resolved', false]]);
  });
});

describe('an alert whose evidence the restart wiped (the success rate kept in memory)', () => {
  it('is neither resolved nor fired again while the window fills; resolved once deliveries succeed', async () => {
    const mem = memory();
    const a = relayProcess(mem, NOON, 1_000_000);
    a.start();
    a.attempts(100, '503');
    expect(a.tick()).toEqual([['success_rate', 'firing', false]]);
    await settle();

    const b = relayProcess(mem, a.clock.now() + MIN, 9);
    // No window yet: no finding, which is "not known", not "ok".
    expect(b.start()).toEqual([]);
    b.clock.advance(HOLD * 3);
    expect(b.tick()).toEqual([]);
    b.attempts(100, '503');
    expect(b.tick()).toEqual([]);
    b.attempts(100, '200');
    expect(b.tick()).toEqual([]);
    b.clock.advance(HOLD);
    expect(b.tick()).toEqual([['success_rate', 'resolved', false]]);
  });

  it('with no evidence at all, its absence counts as ok after RESTORED_UNKNOWN_MS, then the hold', async () => {
    const mem = memory();
    const a = relayProcess(mem, NOON, 1_000_000);
    a.start();
    a.attempts(100, '503');
    expect(a.tick()).toEqual([['success_rate', 'firing', false]]);
    await settle();
    const b = relayProcess(mem, a.clock.now() + MIN, 9);
    expect(b.start()).toEqual([]);
    b.clock.advance(RESTORED_UNKNOWN_MS - 1);
    expect(b.tick()).toEqual([]);
    b.clock.advance(1);
    expect(b.tick()).toEqual([]);
    b.clock.advance(HOLD);
    expect(b.tick()).toEqual([['success_rate', 'resolved', false]]);
  });
});

describe('fromStored: wall times back into the monotonic frame', () => {
  const W = NOON;
  const stored = (over: Partial<StoredAlerts> = {}): string =>
    JSON.stringify({
      shape: 1,
      savedAt: W,
      deadBaseline: 2,
      active: [
        {
          key: 'cloud_unreachable',
          condition: 'cloud_unreachable',
          since: W - 10 * MIN,
          firedAt: W - 5 * MIN,
          lastSentAt: W - MIN,
          details: { pending: 4 },
        },
      ],
      ...over,
    });
  /** name, stored, wall now, mono now → [since, firedAt, lastSentAt] in the new frame, and the step back seen. */
  const cases: [string, string, number, number, [number, number, number] | null, number][] = [
    [
      'read an hour later: the ages are wall time',
      stored(),
      W + HOUR,
      500,
      [500 - 70 * MIN, 500 - 65 * MIN, 500 - 61 * MIN],
      0,
    ],
    [
      // Saved "at noon", read at 11:00: the wall clock went back 1 h at least while the relay was down.
      'the wall clock went back 1 h while down: the times move back with it, no age is negative',
      stored(),
      W - HOUR,
      500,
      [500 - 10 * MIN, 500 - 5 * MIN, 500 - MIN],
      HOUR,
    ],
    [
      'the wall clock went forwards 2 days while down: counted as time down',
      stored(),
      W + 48 * HOUR,
      500,
      [500 - 48 * HOUR - 10 * MIN, 500 - 48 * HOUR - 5 * MIN, 500 - 48 * HOUR - MIN],
      0,
    ],
    ['nothing saved', 'null', W, 500, null, 0],
    ['not JSON', '{"shape":', W, 500, null, 0],
    ['another shape', stored({ shape: 2 as 1 }), W, 500, null, 0],
  ];
  for (const [name, raw, wall, mono, want, back] of cases) {
    it(name, () => {
      const r = fromStored(raw === 'null' ? null : raw, { wall, mono });
      if (want === null) expect(r).toBeNull();
      else {
        const a = r!.state.active.get('cloud_unreachable')!;
        expect([a.since, a.firedAt, a.lastSentAt]).toEqual(want);
        expect(a.okSince).toBeNull();
        expect(a.restored).toBe(mono);
        expect(r!.steppedBackMs).toBe(back);
        expect(r!.state.deadBaseline).toBe(2);
      }
    });
  }

  it('an alert of a condition this build does not know is dropped, and said', () => {
    const raw = stored({
      active: [
        {
          key: 'gone_condition',
          condition: 'gone_condition' as 'cloud_unreachable',
          since: W,
          firedAt: W,
          lastSentAt: W,
          details: {},
        },
      ],
    });
    const r = fromStored(raw, { wall: W, mono: 500 })!;
    expect(r.state.active.size).toBe(0);
    expect(r.dropped).toEqual(['gone_condition']);
  });

  it('toStored and fromStored keep an alert as it was, read at once by another process', () => {
    const r = fromStored(stored(), { wall: W, mono: 500 })!;
    const again = toStored(r.state, { wall: W, mono: 500 });
    expect(again).toEqual(JSON.parse(stored()));
  });
});
