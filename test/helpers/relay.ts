import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, defaultConfig } from '../../src/config/index.ts';
import type { Clock } from '../../src/lib/clock.ts';
import { type Logger, silentLogger } from '../../src/lib/log.ts';
import { type Relay, startRelay } from '../../src/relay.ts';

export const TOKEN = '019ab6ed-150a-7be1-920f-ab82305e5d41';
export const TOKEN2 = '7f3c2a91-7c2e-4a41-8d3f-5be09c6a1f27';
export const INACTIVE = '019ab6ee-0000-7000-8000-000000000000';

export function tempDir(prefix = 'relay-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};

/** A config for tests: ephemeral port, temp spool, fast retries, an unreachable cloud unless given. */
export function testConfig(dir: string, over: DeepPartial<Config> = {}): Config {
  const base = defaultConfig();
  const c: Config = {
    ...base,
    server: { ...base.server, port: 0, ...over.server },
    spool: { ...base.spool, path: join(dir, 'spool.db'), ...over.spool },
    cloud: { ...base.cloud, url: 'http://127.0.0.1:9', timeout_seconds: 2, ...over.cloud },
    forward: { ...base.forward, initial_backoff_seconds: 0.02, max_backoff_seconds: 0.2, ...over.forward },
    limits: { ...base.limits, ...over.limits },
    log: { ...base.log, level: 'silent', ...over.log },
    tokens: over.tokens ?? [
      { token: TOKEN, name: 'Main POS', active: true },
      { token: TOKEN2, name: 'Bar', active: true },
      { token: INACTIVE, name: 'Old', active: false },
    ],
  };
  return c;
}

export interface TestRelay {
  relay: Relay;
  url: string;
  dir: string;
  config: Config;
  stop(): Promise<void>;
}

/** The real relay in this process: real HTTP server on port 0, real libSQL file in a temp dir. */
export async function startTestRelay(
  over: DeepPartial<Config> = {},
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

/** The guide's "Order Created" example, byte for byte as a POS would send it (19.00 stays 19.00). */
export const ORDER_CREATED = `{
"event": "order_created",
"timestamp": "2025-11-24T18:30:00-03:00",
"order_id": "ORD-2025-0124",
"table": "Mesa 8",
"server": "João Silva",
"items": [
{
"id": "ITEM-001",
"name": "Focaccia",
"quantity": 1,
"price": 19.00
},
{
"id": "ITEM-002",
"name": "Agua com Gas",
"quantity": 2,
"price": 11.00
}
],
"subtotal": 41.00,
"tax": 4.10,
"total": 45.10
}`;
