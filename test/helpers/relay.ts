import { expect } from 'bun:test';
import type { Config } from '../../src/config/index.ts';
import type { Clock } from '../../src/lib/clock.ts';
import { type Logger, silentLogger } from '../../src/lib/log.ts';
import { type Relay, startRelay } from '../../src/relay.ts';
import { buildConfig, type ConfigOver, mergeOver } from './config.ts';
import { tempDir } from './temp.ts';

export { INACTIVE, TOKEN, TOKEN2 } from './config.ts';
export { ORDER_CREATED } from './payloads.ts';
export { tempDir } from './temp.ts';

/**
 * A config for an in-process relay, from the one builder (helpers/config.ts):
 * port 0, a spool in `dir`, fast retries, an unreachable cloud unless given,
 * the three test tokens; logging silent (the relay gets silentLogger anyway).
 */
export function testConfig(dir: string, over: ConfigOver = {}): Config {
  return buildConfig(dir, mergeOver({ log: { level: 'silent' } }, over));
}

export interface TestRelay {
  relay: Relay;
  url: string;
  dir: string;
  config: Config;
  stop(): Promise<void>;
}

/**
 * The real relay in this process: real HTTP server on port 0, real libSQL
 * file in a temp dir (or `opts.dir`, kept). `opts.clock` is the relay's
 * clock: with a FakeClock the backoffs, pauses and token buckets follow what
 * the test advances, but the waits themselves stay real setTimeouts that
 * look at the clock again when they fire (see helpers/clock.ts).
 */
export async function startTestRelay(
  over: ConfigOver = {},
  opts: { dir?: string; log?: Logger; clock?: Clock } = {},
): Promise<TestRelay> {
  const tmp = opts.dir ? { dir: opts.dir, cleanup: () => {} } : tempDir();
  const config = testConfig(tmp.dir, over);
  const relay = await startRelay(config, { log: opts.log ?? silentLogger, clock: opts.clock });
  return {
    relay,
    url: relay.url,
    dir: tmp.dir,
    config,
    stop: async () => {
      await relay.stop();
      tmp.cleanup();
    },
  };
}

export function post(
  base: string,
  token: string,
  body: RequestInit['body'],
  opts: { env?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const q = opts.env === undefined ? '' : `?env=${encodeURIComponent(opts.env)}`;
  return fetch(`${base}/webhooks/v1/pos/${token}${q}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...opts.headers },
  });
}

/** Posts a webhook that must be taken: its 200, and the event id the relay acknowledged it under. */
export async function ack(
  base: string,
  token: string,
  body: RequestInit['body'],
  opts: Parameters<typeof post>[3] = {},
): Promise<string> {
  const res = await post(base, token, body, opts);
  expect(res.status).toBe(200);
  return ((await res.json()) as { event_id: string }).event_id;
}
