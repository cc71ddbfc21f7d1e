import { Counter, Gauge, Registry } from 'prom-client';
import { REFUSAL_IDS, type RefusalTally } from '../http/index.ts';
import { maskToken } from '../lib/mask.ts';
import { ENVS, type Env, laneKey, type SpoolStats } from '../spool/index.ts';
import { WARNING_IDS } from '../warnings/index.ts';
import { registerAlertMetrics } from './alert-metrics.ts';
import type { AdminMetrics, GaugeSource } from './index.ts';

/**
 * The relay's metrics in the Prometheus text format, through prom-client.
 * Each relay gets its own Registry (tests run several relays in one process,
 * and the global registry would refuse the second). Counters count since the
 * start; gauges are read from the spool and the forwarder at scrape time.
 *
 * Hot path: `received` and `ingestSeconds` run on every webhook, so they
 * only add to plain numbers; prom-client reads them at scrape time (the
 * counter's `collect`, the histogram's `get`). Through prom-client's own
 * `inc`/`observe` a labels object is built and hashed per call, on every
 * webhook (README "Performance").
 *
 * Known label sets start at 0 (Prometheus, "Avoid missing metrics"): a
 * series that appears only with its first increment has no earlier sample,
 * so `increase()` and `rate()` miss that first event, and an alert on a
 * lane's first events never fires. See `zeroSeries` below.
 */

/** Acks include the fsync: sub-millisecond on an SSD, tens of ms on a slow disk. */
const INGEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

type Child = { inc(n?: number): void };

/** Webhooks received on one lane, and how many of them prom-client has been told. */
type LaneCount = { token: string; env: Env; n: number; told: number };

/**
 * A Prometheus histogram (https://prometheus.io/docs/concepts/metric_types/#histogram)
 * kept in an array: `observe` is a bucket search and three adds. Registered
 * in prom-client's Registry as a custom metric (an object with `name` and
 * `get()`), so the exposition is prom-client's.
 */
export class PlainHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(v: number): void {
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }

  async get() {
    const bucket = `${this.name}_bucket`;
    let cumulative = 0;
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    this.bounds.forEach((le, i) => {
      cumulative += this.counts[i]!;
      values.push({ labels: { le }, value: cumulative, metricName: bucket });
    });
    values.push({ labels: { le: '+Inf' }, value: this.count, metricName: bucket });
    values.push({ labels: {}, value: this.sum, metricName: `${this.name}_sum` });
    values.push({ labels: {}, value: this.count, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

export function createPromMetrics(): AdminMetrics {
  const registry = new Registry();
  const registers = [registry];
  let source: GaugeSource | undefined;
  // Lanes ever seen keep a 0 sample once drained: a series that vanishes is
  // harder to alert on than one that reads 0.
  const seenLanes = new Map<string, { token: string; env: Env }>();
  const stats = (): SpoolStats | undefined => source?.spool();
  registerAlertMetrics(registers, () => source?.alerts?.());
  const logins = () => source?.logins?.() ?? { failures: 0, refused: 0, blocks: 0 };
  new Counter({
    name: 'relay_admin_login_failures_total',
    help: 'Admin password tries refused since start: wrong (checked, 401), held (429 unchecked: the address must wait or is blocked).',
    labelNames: ['result'] as const,
    registers,
    collect() {
      const c = logins();
      this.reset();
      this.inc({ result: 'wrong' }, c.failures);
      this.inc({ result: 'held' }, c.refused);
    },
  });
  new Counter({
    name: 'relay_admin_login_blocks_total',
    help: 'Client addresses blocked since start for too many wrong admin passwords.',
    registers,
    collect() {
      this.reset();
      this.inc(logins().blocks);
    },
  });

  /** Per token, then env: no key string is built per webhook. */
  const receivedLanes = new Map<string, Partial<Record<Env, LaneCount>>>();
  new Counter({
    name: 'relay_events_received_total',
    help: 'Webhooks accepted and stored (answered 200), per token (first 8 characters) and env.',
    labelNames: ['token', 'env'] as const,
    registers,
    collect() {
      for (const envs of receivedLanes.values()) {
        for (const c of Object.values(envs)) {
          this.labels({ token: maskToken(c.token), env: c.env }).inc(c.n - c.told);
          c.told = c.n;
        }
      }
    },
  });
  const delivered = new Counter({
    name: 'relay_events_delivered_total',
    help: 'Events the cloud accepted (2xx), per token (first 8 characters) and env.',
    labelNames: ['token', 'env'] as const,
    registers,
  });
  const dead = new Counter({
    name: 'relay_events_dead_total',
    help: 'Events dead-lettered because the cloud rejected them (400, 413, 422, other 4xx).',
    registers,
  });
  const attempts = new Counter({
    name: 'relay_forward_attempts_total',
    help: 'Delivery attempts by the cloud\'s HTTP status; "error" when no answer came (network, timeout).',
    labelNames: ['code'] as const,
    registers,
  });
  const warnings = new Counter({
    name: 'relay_payload_warnings_total',
    help: 'Payload warnings given in 200 answers (missing table_number, timestamp without timezone, ...).',
    labelNames: ['warning'] as const,
    registers,
  });
  const ingest = new PlainHistogram(
    'relay_ingest_duration_seconds',
    'Time from request to answer on the webhook endpoint, fsync included.',
    INGEST_BUCKETS,
  );
  registry.registerMetric(ingest as unknown as Parameters<Registry['registerMetric']>[0]);
  // Read from the refusal tally (http/tally.ts) at scrape time: a flood of
  // refusals costs the ingest path a count, never a labels lookup.
  let refusals: RefusalTally | null = null;
  new Counter({
    name: 'relay_refusals_total',
    help: 'Webhooks refused, by reason (unknown_token 401, invalid_json 400, too_large 413, rate_limited 429, spool_full 503, ...).',
    labelNames: ['reason'] as const,
    registers,
    collect() {
      const counts = refusals?.byReason() ?? {};
      this.reset();
      for (const reason of REFUSAL_IDS) this.labels({ reason }).inc(counts[reason] ?? 0);
    },
  });
  new Counter({
    name: 'relay_refusals_unknown_token_total',
    help: 'Webhooks refused for an unknown or inactive token, by the token\'s first 8 characters; past 50 tokens the rest count as "other".',
    labelNames: ['token'] as const,
    registers,
    collect() {
      this.reset();
      for (const [token, n] of Object.entries(refusals?.unknownTokens() ?? {})) this.labels({ token }).inc(n);
    },
  });
  new Gauge({
    name: 'relay_spool_pending',
    help: 'Events waiting for delivery, per token (first 8 characters) and env.',
    labelNames: ['token', 'env'] as const,
    registers,
    collect() {
      const s = stats();
      if (!s) return;
      this.reset();
      for (const l of s.lanes) seenLanes.set(laneKey(l.token, l.env), { token: l.token, env: l.env });
      const now = new Map(s.lanes.map((l) => [laneKey(l.token, l.env), l.pending]));
      for (const [key, l] of seenLanes) this.set({ token: maskToken(l.token), env: l.env }, now.get(key) ?? 0);
    },
  });
  new Gauge({
    name: 'relay_spool_oldest_pending_seconds',
    help: 'Age of the oldest event waiting for delivery, any lane; 0 when nothing waits.',
    registers,
    collect() {
      const s = stats();
      if (!s || !source) return;
      const oldest = Math.min(...s.lanes.map((l) => l.oldestReceivedAt ?? Infinity));
      this.set(Number.isFinite(oldest) ? Math.max(0, (source.now() - oldest) / 1000) : 0);
    },
  });
  new Gauge({
    name: 'relay_spool_bytes',
    help: 'Bytes the spool takes on disk (pages in use plus its write-ahead log, at least 4 MB for the log), as counted against spool.max_size_mb.',
    registers,
    collect() {
      const s = stats();
      if (s) this.set(s.bytes);
    },
  });
  new Gauge({
    name: 'relay_spool_max_bytes',
    help: 'The spool quota, spool.max_size_mb in bytes.',
    registers,
    collect() {
      const s = stats();
      if (s) this.set(s.maxBytes);
    },
  });
  new Gauge({
    name: 'relay_spool_dead',
    help: 'Dead-lettered events in the spool now, waiting for a replay.',
    registers,
    collect() {
      const s = stats();
      if (s) this.set(s.dead);
    },
  });
  new Counter({
    name: 'relay_spool_quarantines_total',
    help: 'Damaged spool files set aside for this spool (spool.on_damage = "quarantine"), kept across restarts.',
    registers,
    collect() {
      const s = stats();
      if (!s) return;
      this.reset();
      this.inc(s.quarantines);
    },
  });
  new Gauge({
    name: 'relay_spool_quarantined_files',
    help: 'Quarantined spool files still in place: each needs a person to look at it, then move it away.',
    registers,
    collect() {
      const s = stats();
      if (s) this.set(s.quarantined.length);
    },
  });
  new Gauge({
    name: 'relay_cloud_up',
    help: '0 when the last delivery attempt got no HTTP answer from the cloud; 1 otherwise (also before the first attempt).',
    registers,
    collect() {
      if (source) this.set(source.cloudReachable() === false ? 0 : 1);
    },
  });

  for (const id of WARNING_IDS) warnings.labels({ warning: id }).inc(0);

  const deliveredLanes = new Map<string, Child>();
  const lane = (cache: Map<string, Child>, c: Counter<'token' | 'env'>, token: string, env: Env): Child => {
    const key = laneKey(token, env);
    let child = cache.get(key);
    if (!child) {
      child = c.labels({ token: maskToken(token), env });
      child.inc(0); // prom-client creates a labelled series only on its first inc
      cache.set(key, child);
      seenLanes.set(key, { token, env });
    }
    return child;
  };
  const receivedLane = (token: string, env: Env): LaneCount => {
    let envs = receivedLanes.get(token);
    if (!envs) receivedLanes.set(token, (envs = {}));
    let c = envs[env];
    if (!c) {
      envs[env] = c = { token, env, n: 0, told: 0 };
      seenLanes.set(laneKey(token, env), { token, env });
    }
    return c;
  };
  // Codes are the cloud's and an open set (200, 201, 429, any 5xx...): a
  // zero series for each would be guesswork. "error" (no answer at all) is
  // the relay's own value, the one an outage alert watches, so it starts at 0.
  attempts.labels({ code: 'error' }).inc(0);

  /**
   * Every active configured token, in both envs, gets its received and
   * delivered counters (and its pending gauge) at 0 before its first event.
   * Read from the config at each scrape, so a token a reload adds has its
   * series from the next scrape on. A token the config drops keeps its
   * series: a counter that vanishes reads as a reset. Inactive tokens are
   * refused at ingest (401), so they get none.
   */
  const zeroSeries = () => {
    for (const t of source?.tokens() ?? []) {
      if (!t.active) continue;
      for (const env of ENVS) {
        receivedLane(t.token, env);
        lane(deliveredLanes, delivered, t.token, env);
      }
    }
  };
  const warningCounts = new Map<string, number>();

  // RelayMetrics has `env: string` (lib/ knows no spool types); only the
  // spool's envs reach these two: ingest admits "prod" or "dev", the
  // forwarder passes a spooled event's.
  return {
    received(token: string, env: Env) {
      receivedLane(token, env).n++;
    },
    delivered: (token: string, env: Env) => lane(deliveredLanes, delivered, token, env).inc(),
    dead: () => dead.inc(),
    attempt: (code) => attempts.labels({ code }).inc(),
    ingestSeconds: (s) => ingest.observe(s),
    warning(name) {
      warnings.labels({ warning: name }).inc();
      warningCounts.set(name, (warningCounts.get(name) ?? 0) + 1);
    },
    watch(s) {
      source = s;
    },
    watchRefusals(tally) {
      refusals = tally;
    },
    refusals: () => refusals,
    warningCounts: () => Object.fromEntries(warningCounts),
    contentType: registry.contentType,
    render: () => {
      zeroSeries();
      return registry.metrics();
    },
  };
}
