/**
 * After an outage the backlog must reach the cloud at the full rate the cloud
 * allows, and no faster (basic guide, "Rate Limits": 100 requests per second
 * per token): spool while the cloud is down, then bring up a mock cloud on the
 * URL the relay already has, and time the drain. Order is checked per lane.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type MockCloud, type Received, startMockCloud } from '../helpers/mock-cloud.ts';
import { type Bench, type Figure, fmt } from './figures.ts';
import { BENCH_TOKENS, freePort, ingestPath, type Proc, startRelayBinary, waitFor } from './lib.ts';
import { SESSION_COMPLETE } from './payload.ts';

/** The cloud's limit as the mock enforces it: a bucket of `burst`, refilled at `rate`/s; beyond it, 429. */
function limiter(rate: number, burst: number) {
  let tokens = burst;
  let at = performance.now();
  let refused = 0;
  return {
    refused: () => refused,
    handler: (): Response | undefined => {
      const now = performance.now();
      tokens = Math.min(burst, tokens + ((now - at) * rate) / 1000);
      at = now;
      if (tokens >= 1) {
        tokens -= 1;
        return undefined; // the mock's default: 200 and stored
      }
      refused++;
      return Response.json({ detail: 'Too Many Requests' }, { status: 429, headers: { 'retry-after': '1' } });
    },
  };
}

/** Posts `n` events per token, one after another within a lane (so ack order is known), lanes in parallel. */
async function spool(relay: Proc, tokens: readonly string[], n: number): Promise<Map<string, string[]>> {
  const acked = new Map<string, string[]>();
  await Promise.all(
    tokens.map(async (token) => {
      const ids: string[] = [];
      acked.set(token, ids);
      for (let i = 0; i < n; i++) {
        const res = await fetch(relay.url + ingestPath(token), {
          method: 'POST',
          body: SESSION_COMPLETE,
          headers: { 'content-type': 'application/json' },
        });
        const body = (await res.json()) as { event_id?: string };
        if (res.status !== 200 || !body.event_id)
          throw new Error(`spooling: POST answered ${res.status} ${JSON.stringify(body)}`);
        ids.push(body.event_id);
      }
    }),
  );
  return acked;
}

interface LaneResult {
  token: string;
  events: number;
  seconds: number;
  rate: number;
  inOrder: boolean;
}

/** Per lane: rate from its first to its last delivery, and whether the cloud stored exactly the acked ids, in ack order. */
function lanes(stored: Received[], arrivals: Map<Received, number>, acked: Map<string, string[]>): LaneResult[] {
  return [...acked].map(([token, ids], lane) => {
    const got = stored.filter((r) => r.token === token);
    const times = got.map((r) => arrivals.get(r)!);
    const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
    const keys = got.map((r) => r.headers['idempotency-key']);
    const inOrder = keys.length === ids.length && keys.every((k, i) => k === ids[i]);
    return { token: `lane ${lane + 1}`, events: got.length, seconds, rate: (got.length - 1) / seconds, inOrder };
  });
}

async function drainOnce(
  b: Bench,
  name: string,
  opts: { tokens: readonly string[]; perLane: number; forwardRate: number; limit?: { rate: number; burst: number } },
) {
  const dir = join(b.tmp, name);
  mkdirSync(dir, { recursive: true });
  const cloudPort = freePort();
  // Short backoffs so the lanes notice the cloud soon after it comes up; the rate is timed from the first delivery.
  const relay = await startRelayBinary({
    dir,
    port: freePort(),
    cloudUrl: `http://127.0.0.1:${cloudPort}`,
    forwardRate: opts.forwardRate,
    initialBackoffS: 0.05,
    maxBackoffS: 0.2,
  });
  b.defer(relay.stop);
  const acked = await spool(relay, opts.tokens, opts.perLane);
  const total = opts.tokens.length * opts.perLane;
  const mock: MockCloud = await startMockCloud(cloudPort);
  b.defer(() => mock.stop());
  const arrivals = new Map<Received, number>();
  const limit = opts.limit ? limiter(opts.limit.rate, opts.limit.burst) : null;
  mock.handler = (r) => {
    arrivals.set(r, performance.now());
    return limit?.handler();
  };
  await waitFor(() => mock.stored.length >= total, `${total} events stored by the mock cloud`, 120_000);
  await relay.stop();
  await mock.stop();
  const per = lanes(mock.stored, arrivals, acked);
  const all = [...arrivals.values()];
  const seconds = (Math.max(...all) - Math.min(...all)) / 1000;
  return {
    lanes: per,
    total,
    seconds,
    aggregate: (mock.stored.length - 1) / seconds,
    refused: limit?.refused() ?? 0,
    received: mock.received.length,
  };
}

export async function drain(b: Bench): Promise<{ figures: Figure[]; raw: unknown }> {
  const limited = await drainOnce(b, 'drain-limited', {
    tokens: BENCH_TOKENS.slice(0, 1),
    perLane: 1000,
    forwardRate: 100,
    limit: { rate: 100, burst: 200 },
  });
  const l = limited.lanes[0]!;
  b.log(
    `  100 req/s cloud: ${fmt(l.events)} events in ${fmt(l.seconds, 2)} s = ${fmt(l.rate, 1)}/s, ${limited.refused} answered 429, order ${l.inOrder ? 'kept' : 'BROKEN'}`,
  );

  const rate = 100_000; // forward.rate_per_token raised: the relay's own pace is measured
  const one = await drainOnce(b, 'drain-one', { tokens: BENCH_TOKENS.slice(0, 1), perLane: 5000, forwardRate: rate });
  const o = one.lanes[0]!;
  b.log(
    `  unlimited cloud, 1 lane: ${fmt(o.events)} events in ${fmt(o.seconds, 2)} s = ${fmt(o.rate)}/s, order ${o.inOrder ? 'kept' : 'BROKEN'}`,
  );
  const four = await drainOnce(b, 'drain-four', { tokens: BENCH_TOKENS, perLane: 5000, forwardRate: rate });
  b.log(
    `  unlimited cloud, 4 lanes: ${fmt(four.total)} events in ${fmt(four.seconds, 2)} s = ${fmt(four.aggregate)}/s; ` +
      four.lanes.map((x) => `${x.token} ${fmt(x.rate)}/s ${x.inOrder ? 'in order' : 'OUT OF ORDER'}`).join(', '),
  );
  const fourMin = Math.min(...four.lanes.map((x) => x.rate));
  const fourOrder = four.lanes.every((x) => x.inOrder);
  return {
    raw: { limited, one, four },
    figures: [
      {
        section: 'drain',
        name: 'Drain, 1,000 events, cloud limited to 100 req/s (burst 200)',
        target: '≥ 95/s, zero 429, order kept',
        value: l.rate,
        pass: l.rate >= 95 && limited.refused === 0 && l.inOrder && l.events === 1000,
        result: `${fmt(l.rate, 1)}/s, ${limited.refused} × 429, order ${l.inOrder ? 'kept' : 'broken'}`,
        how: 'forward.rate_per_token = 100; spooled while the cloud was down, then a mock cloud (token bucket 100/s, burst 200, 429 beyond) started on the configured URL; rate from first to last delivery',
      },
      {
        section: 'drain',
        name: 'Drain, unlimited cloud, 1 lane (5,000 events)',
        target: '≥ 1,000/s, order kept',
        value: o.rate,
        pass: o.rate >= 1000 && o.inOrder,
        result: `${fmt(o.rate)}/s, order ${o.inOrder ? 'kept' : 'broken'}`,
        how: `forward.rate_per_token = ${rate}; mock cloud answering 200 to everything`,
      },
      {
        section: 'drain',
        name: 'Drain, unlimited cloud, 4 lanes (4 × 5,000 events)',
        target: 'each ≥ 1,000/s, total > 1 lane, order kept',
        value: four.aggregate,
        pass: fourMin >= 1000 && four.aggregate > o.rate && fourOrder,
        result: `${fmt(four.aggregate)}/s total, slowest lane ${fmt(fourMin)}/s, order ${fourOrder ? 'kept' : 'broken'}`,
        how: `as above, 4 tokens (one lane each) drained at once`,
      },
    ],
  };
}
