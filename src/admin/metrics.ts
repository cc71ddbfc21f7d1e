import { Counter, Gauge, Registry } from 'prom-client';
import { REFUSAL_IDS, type RefusalTally } from '../http/index.ts';
import { ACTIVITY_BUCKET_MS, ACTIVITY_BUCKETS, BucketCounts } from '../lib/buckets.ts';
import { type Clock, systemClock } from '../lib/clock.ts';
import type { Figure, Sample } from '../lib/figures.ts';
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
 *
 * The figures telemetry pushes too (lib/figures.ts) are defined once, in
 * `define` calls: prom-client reads each at scrape time through `collect`,
 * and the OTLP push reads the same `read()` (telemetry/).
 */

/** Acks include the fsync: sub-millisecond on an SSD, tens of ms on a slow disk. */
const INGEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Events counted on one lane since start. */
type LaneCount = { token: string; env: Env; n: number };

/**
 * Per-lane counts, per token then env: no key string is built per event.
 * `onNew` hears of each lane once (the pending gauge keeps lanes ever seen).
 */
function laneCounts(onNew: (token: string, env: Env) => void) {
  const byToken = new Map<string, Partial<Record<Env, LaneCount>>>();
  const lane = (token: string, env: Env): LaneCount => {
    let envs = byToken.get(token);
    if (!envs) byToken.set(token, (envs = {}));
    let c = envs[env];
    if (!c) {
      envs[env] = c = { token, env, n: 0 };
      onNew(token, env);
    }
    return c;
  };
  const samples = (): Sample[] => {
    const out: Sample[] = [];
    for (const envs of byToken.values()) {
      for (const c of Object.values(envs)) out.push({ labels: { token: maskToken(c.token), env: c.env }, value: c.n });
    }
    return out;
  };
  return { lane, samples };
}

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

const SPOOL_BYTES_HELP =
  'Bytes the spool takes on disk (pages in use plus its write-ahead log, at least 4 MB for the log), as counted against spool.max_size_mb.';

export function createPromMetrics(clock: Clock = systemClock): AdminMetrics {
  const registry = new Registry();
  // The status page's 24-hour chart (activity.ts): counted here, since start, beside the totals.
  const activity = {
    startedAt: clock.now(),
    received: new BucketCounts(ACTIVITY_BUCKET_MS, ACTIVITY_BUCKETS),
    delivered: new BucketCounts(ACTIVITY_BUCKET_MS, ACTIVITY_BUCKETS),
  };
  const registers = [registry];
  let source: GaugeSource | undefined;
  // Lanes ever seen keep a 0 sample once drained: a series that vanishes is
  // harder to alert on than one that reads 0.
  const seenLanes = new Map<string, { token: string; env: Env }>();
  const stats = (): SpoolStats | undefined => source?.spool();
  const figures: Figure[] = [];
  /** A figure on /metrics (read at scrape time) and in the list telemetry pushes. */
  const define = (f: Figure): void => {
    figures.push(f);
    const common = { name: f.name, help: f.help, labelNames: [...f.labelNames], registers };
    /** The samples into `metric` at a scrape: a counter takes them with inc, a gauge with set. */
    const fill = (metric: { reset(): void }, put: (labels: Record<string, string>, value: number) => void) => {
      const samples = f.read();
      if (samples.length === 0 && f.labelNames.length === 0) return;
      metric.reset();
      for (const x of samples) put({ ...x.labels }, x.value);
    };
    if (f.kind === 'counter') {
      new Counter({
        ...common,
        collect() {
          fill(this, (labels, value) => this.inc(labels, value));
        },
      });
    } else {
      new Gauge({
        ...common,
        collect() {
          fill(this, (labels, value) => this.set(labels, value));
        },
      });
    }
  };
  /** A figure without labels read from the spool's stats; nothing before the spool is watched. */
  const spoolFigure = (kind: Figure['kind'], name: string, help: string, value: (s: SpoolStats) => number): void =>
    define({
      name,
      help,
      kind,
      labelNames: [],
      read: () => {
        const s = stats();
        return s ? [{ labels: {}, value: value(s) }] : [];
      },
    });

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

  const noteLane = (token: string, env: Env) => seenLanes.set(laneKey(token, env), { token, env });
  const received = laneCounts(noteLane);
  const delivered = laneCounts(noteLane);
  let deadCount = 0;
  // Codes are the cloud's and an open set (200, 201, 429, any 5xx...): a
  // zero series for each would be guesswork. "error" (no answer at all) is
  // the relay's own value, the one an outage alert watches, so it starts at 0.
  const attemptCounts = new Map<string, number>([['error', 0]]);
  const warningCounts = new Map<string, number>();

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
        received.lane(t.token, env);
        delivered.lane(t.token, env);
      }
    }
  };

  /** A counter per lane, token (first 8 characters) and env, each active token's lanes from 0. */
  const laneCounter = (name: string, help: string, counts: ReturnType<typeof laneCounts>): void =>
    define({ name, help, kind: 'counter', labelNames: ['token', 'env'], read: () => (zeroSeries(), counts.samples()) });
  laneCounter(
    'relay_events_received_total',
    'Webhooks accepted and stored (answered 200), per token (first 8 characters) and env.',
    received,
  );
  laneCounter(
    'relay_events_delivered_total',
    'Events the cloud accepted (2xx), per token (first 8 characters) and env.',
    delivered,
  );
  define({
    name: 'relay_events_dead_total',
    help: 'Events dead-lettered because the cloud rejected them (400, 413, 422, other 4xx).',
    kind: 'counter',
    labelNames: [],
    read: () => [{ labels: {}, value: deadCount }],
  });
  define({
    name: 'relay_forward_attempts_total',
    help: 'Delivery attempts by the cloud\'s HTTP status; "error" when no answer came (network, timeout).',
    kind: 'counter',
    labelNames: ['code'],
    read: () => [...attemptCounts].map(([code, value]) => ({ labels: { code }, value })),
  });
  define({
    name: 'relay_payload_warnings_total',
    help: 'Payload warnings given in 200 answers (missing table_number, timestamp without timezone, ...).',
    kind: 'counter',
    labelNames: ['warning'],
    read: () =>
      [...new Set([...WARNING_IDS, ...warningCounts.keys()])].map((warning) => ({
        labels: { warning },
        value: warningCounts.get(warning) ?? 0,
      })),
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
  define({
    name: 'relay_refusals_total',
    help: 'Webhooks refused, by reason (unknown_token 401, invalid_json 400, too_large 413, rate_limited 429, spool_full 503, ...).',
    kind: 'counter',
    labelNames: ['reason'],
    read: () => {
      const counts = refusals?.byReason() ?? {};
      return REFUSAL_IDS.map((reason) => ({ labels: { reason }, value: counts[reason] ?? 0 }));
    },
  });
  define({
    name: 'relay_refusals_unknown_token_total',
    help: 'Webhooks refused for an unknown or inactive token, by the token\'s first 8 characters; past 50 tokens the rest count as "other".',
    kind: 'counter',
    labelNames: ['token'],
    read: () => Object.entries(refusals?.unknownTokens() ?? {}).map(([token, value]) => ({ labels: { token }, value })),
  });
  define({
    name: 'relay_spool_pending',
    help: 'Events waiting for delivery, per token (first 8 characters) and env.',
    kind: 'gauge',
    labelNames: ['token', 'env'],
    read: () => {
      const s = stats();
      if (!s) return [];
      for (const l of s.lanes) noteLane(l.token, l.env);
      const now = new Map(s.lanes.map((l) => [laneKey(l.token, l.env), l.pending]));
      return [...seenLanes].map(([key, l]) => ({
        labels: { token: maskToken(l.token), env: l.env },
        value: now.get(key) ?? 0,
      }));
    },
  });
  define({
    name: 'relay_spool_oldest_pending_seconds',
    help: 'Age of the oldest event waiting for delivery, any lane; 0 when nothing waits.',
    kind: 'gauge',
    labelNames: [],
    read: () => {
      const s = stats();
      if (!s || !source) return [];
      const oldest = Math.min(...s.lanes.map((l) => l.oldestReceivedAt ?? Infinity));
      return [{ labels: {}, value: Number.isFinite(oldest) ? Math.max(0, (source.now() - oldest) / 1000) : 0 }];
    },
  });
  spoolFigure('gauge', 'relay_spool_bytes', SPOOL_BYTES_HELP, (s) => s.bytes);
  spoolFigure('gauge', 'relay_spool_max_bytes', 'The spool quota, spool.max_size_mb in bytes.', (s) => s.maxBytes);
  spoolFigure(
    'gauge',
    'relay_spool_dead',
    'Dead-lettered events in the spool now, waiting for a replay.',
    (s) => s.dead,
  );
  spoolFigure(
    'counter',
    'relay_spool_quarantines_total',
    'Damaged spool files set aside for this spool (spool.on_damage = "quarantine"), kept across restarts.',
    (s) => s.quarantines,
  );
  spoolFigure(
    'gauge',
    'relay_spool_quarantined_files',
    'Quarantined spool files still in place: each needs a person to look at it, then move it away.',
    (s) => s.quarantined.length,
  );
  define({
    name: 'relay_cloud_up',
    help: '0 when the last delivery attempt got no HTTP answer from the cloud; 1 otherwise (also before the first attempt).',
    kind: 'gauge',
    labelNames: [],
    read: () => (source ? [{ labels: {}, value: source.cloudReachable() === false ? 0 : 1 }] : []),
  });

  // RelayMetrics has `env: string` (lib/ knows no spool types); only the
  // spool's envs reach these two: ingest admits "prod" or "dev", the
  // forwarder passes a spooled event's.
  return {
    received(token: string, env: Env) {
      received.lane(token, env).n++;
      activity.received.add(clock.now());
    },
    delivered(token: string, env: Env) {
      delivered.lane(token, env).n++;
      activity.delivered.add(clock.now());
    },
    dead() {
      deadCount++;
    },
    attempt(code) {
      attemptCounts.set(code, (attemptCounts.get(code) ?? 0) + 1);
    },
    ingestSeconds: (s) => ingest.observe(s),
    warning(name) {
      warningCounts.set(name, (warningCounts.get(name) ?? 0) + 1);
    },
    watch(s) {
      source = s;
    },
    watchRefusals(tally) {
      refusals = tally;
    },
    refusals: () => refusals,
    activity: () => activity,
    warningCounts: () => Object.fromEntries(warningCounts),
    figures: () => figures,
    define,
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}
