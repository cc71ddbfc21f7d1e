/**
 * An in-process relay wired for the alert tests: a FakeClock at noon UTC,
 * a recording webhook (helpers/alert-receivers.ts), the alerter's own timer
 * out of the way (tests call tick()), short holds and backoffs, and a
 * reload that can point the relay at a cloud that answers.
 */
import { afterAll, afterEach, beforeAll } from 'bun:test';
import type { AlerterOptions, AlertMessage, ConditionId } from '../../src/alerts/index.ts';
import type { Config } from '../../src/config/index.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { type Relay, startRelay } from '../../src/relay.ts';
import { type Hook, startHook } from '../helpers/alert-receivers.ts';
import { FakeClock } from '../helpers/clock.ts';
import { type ConfigOver, mergeOver } from '../helpers/config.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { tempDir, testConfig } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';

export const NOON = Date.UTC(2026, 0, 1, 12);
export const MIN = 60_000;
export const HOUR = 60 * MIN;
/** resolveAfterMs of these relays. */
export const HOLD = MIN;

export const FAST: AlerterOptions = {
  tickMs: 3_600_000,
  resolveAfterMs: HOLD,
  initialBackoffMs: 20,
  maxBackoffMs: 100,
  timeoutMs: 300,
};

/** A payload that gets no warning from a relay whose site zone is UTC and whose clock reads `at`. */
export const clean = (at = NOON) =>
  JSON.stringify({
    event: 'session_complete',
    table_number: 'Mesa 8',
    timestamp: new Date(at).toISOString(),
    items: [{ timestamp: new Date(at).toISOString(), employee_id: 72, name: 'Pasta', price: 85.0 }],
  });

/** The same without table_number: one warning, missing_table_number. */
export const warned = (at = NOON) => {
  const v = JSON.parse(clean(at)) as Record<string, unknown>;
  delete v.table_number;
  return JSON.stringify(v);
};

export interface AlertRelay {
  relay: Relay;
  hook: Hook;
  clock: FakeClock;
  config: Config;
  /** The webhook's messages for one condition, in order. */
  of(c: ConditionId): AlertMessage[];
  /**
   * Waits for the lanes to catch up with the moved clock: their retry timers
   * are real time, and until one fires and looks at the clock again its lane
   * is overdue (lane_stalled), which is not what these tests are about.
   */
  caughtUp(): Promise<void>;
  /** One evaluation once the lanes caught up, then waits until every receiver's queue is empty. */
  tick(): Promise<void>;
  /** Reloads the relay with cloud.url = `url`. */
  useCloud(url: string): void;
  stop(): Promise<void>;
}

export async function alertRelay(over: ConfigOver = {}, opts: AlerterOptions = {}): Promise<AlertRelay> {
  const hook = await startHook();
  const tmp = tempDir('relay-alerts-');
  const clock = new FakeClock(NOON);
  const config = testConfig(
    tmp.dir,
    mergeOver(
      {
        site: { name: 'Cantina Roma', timezone: 'UTC' },
        alerts: { webhook_url: hook.url },
        // Token buckets refill with the FakeClock: a bucket this deep never makes a test wait.
        forward: { rate_per_token: 10_000 },
      },
      over,
    ),
  );
  let next = config;
  const relay = await startRelay(config, {
    log: silentLogger,
    clock,
    reloadConfig: () => ({ ok: true, config: next }),
    alerts: { ...FAST, ...opts },
  });
  const caughtUp = () =>
    waitFor(() => relay.forwarder.stalled().length === 0, 'the lanes to catch up with the moved clock');
  return {
    relay,
    hook,
    clock,
    config,
    of: (c) => hook.got.filter((m) => m.condition === c),
    caughtUp,
    async tick() {
      await caughtUp();
      relay.alerts.tick();
      await relay.alerts.idle();
    },
    useCloud(url) {
      next = { ...config, cloud: { ...config.cloud, url } };
      if (!relay.reload().ok) throw new Error('reload refused');
    },
    async stop() {
      await relay.stop();
      await hook.stop();
      tmp.cleanup();
    },
  };
}

/**
 * The alert relays of a test file: one mock cloud for all its tests, and
 * each test's relay (`start`, as alertRelay) stopped after the test.
 */
export function alertRelays(): {
  readonly cloud: MockCloud;
  start(over?: ConfigOver, opts?: AlerterOptions): Promise<AlertRelay>;
} {
  let cloud: MockCloud | undefined;
  let running: AlertRelay | undefined;
  beforeAll(async () => {
    cloud = await startMockCloud();
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });
  afterAll(async () => {
    await cloud?.stop();
  });
  return {
    get cloud() {
      if (!cloud) throw new Error('no mock cloud: it is for the tests of the file that called alertRelays()');
      return cloud;
    },
    async start(over, opts) {
      running = await alertRelay(over, opts);
      return running;
    },
  };
}
