import { hostname } from 'node:os';
import { OTLPMetricExporterBase } from '@opentelemetry/exporter-metrics-otlp-http';
import {
  createOtlpNetworkExportDelegate,
  ExporterMetrics,
  type ExportResponse,
  type IExporterTransport,
  OTLPExporterBase,
} from '@opentelemetry/otlp-exporter-base';
import {
  type IExporterMetricsHelper,
  type ISerializer,
  LogsExporterMetricsHelper,
  MetricsExporterMetricsHelper,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
} from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  type LogRecordExporter,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { fetchProxy, type ProxyRoute, proxyFailure, scrubProxy } from '../forward/index.ts';
import type { Clock } from '../lib/clock.ts';
import type { Figure } from '../lib/figures.ts';
import { hearLog, type Logger } from '../lib/log.ts';
import { maskUrl } from '../lib/mask.ts';
import { type BucketState, takeToken } from '../lib/token-bucket.ts';
import {
  answerResult,
  LOG_RATE,
  logRecordOf,
  osType,
  type PushResult,
  pushNote,
  SIGNALS,
  type Signal,
  signalUrl,
} from './policy.ts';

export interface TelemetrySettings {
  /** `[telemetry] endpoint`, not empty. */
  endpoint: string;
  headers: Readonly<Record<string, string>>;
  intervalMs: number;
  /** The route pushes take: cloud.proxy, else the environment's proxy for the endpoint (forward/proxy.ts). */
  proxy: ProxyRoute;
  siteId: string;
  siteName: string;
  version: string;
}

export interface TelemetryDeps {
  /** The figures /metrics shows (admin/metrics.ts); pushed as they read at each push. */
  figures: () => readonly Figure[];
  /** Puts telemetry's own failure counts on /metrics and in the push. */
  define: (figure: Figure) => void;
  log: Logger;
  clock: Clock;
  userAgent: string;
}

/** How one signal's pushes go. Times are wall ms, for people to read. */
export interface SignalStatus {
  sent: number;
  failed: number;
  lastOkAt: number | null;
  /** The latest failure's sentence (never a header value); null once a push succeeds. */
  error: string | null;
  /** When the current run of failures began; null while pushes succeed. */
  failingSince: number | null;
}

export interface TelemetryStatus {
  /** The endpoint as it may be shown (a password in it masked). */
  endpoint: string;
  siteId: string;
  intervalSeconds: number;
  metrics: SignalStatus;
  logs: SignalStatus & {
    /** Warnings and errors not sent: over the rate limit, the queue full, or in a push that failed. */
    dropped: number;
  };
}

export interface Telemetry {
  status(): TelemetryStatus;
  /** Stops pushing after a last push of at most STOP_WAIT_MS; never rejects. */
  stop(): Promise<void>;
}

/** The longest one push may take: a slow receiver fails the push, never holds the next. */
const PUSH_TIMEOUT_MS = 10_000;
/** Pushes under way per signal; one more waiting is refused and counted, never queued without end. */
const CONCURRENT_PUSHES = 2;
/** Log records held between pushes; more are dropped by the SDK's batch processor. */
const LOG_QUEUE = 200;
/** What a stop waits for the last push. */
const STOP_WAIT_MS = 2000;

const newSignal = (): SignalStatus => ({ sent: 0, failed: 0, lastOkAt: null, error: null, failingSince: null });

/**
 * Pushes the relay's figures (OTLP metrics, cumulative) and its log's
 * warnings and errors (OTLP logs, rate-limited) to `[telemetry] endpoint`.
 *
 * The OpenTelemetry SDK does the work (readers, batching, protobuf); the one
 * piece of our own is the transport: Bun's fetch, so a push goes through
 * cloud.proxy like the forwarder's requests (the SDK's Node transport takes
 * an http.Agent, which Bun's fetch proxy cannot be given through), with a
 * timeout, its headers never shown, and each outcome counted.
 *
 * Nothing here can hold up ingest or delivery: figures are read when a push
 * asks; a log line costs a prefix test, at most a JSON parse and a bounded
 * queue push; pushes are bounded in number and time and never retried (the
 * next push carries the same cumulative figures).
 */
export function startTelemetry(settings: TelemetrySettings, deps: TelemetryDeps): Telemetry {
  const { clock, log } = deps;
  const state: Record<Signal, SignalStatus> = { metrics: newSignal(), logs: newSignal() };
  let dropped = 0;
  const shownEndpoint = maskUrl(settings.endpoint);
  const timeoutMs = Math.min(PUSH_TIMEOUT_MS, settings.intervalMs);

  const record = (signal: Signal, r: PushResult) => {
    const s = state[signal];
    const note = pushNote(s.failingSince !== null, r);
    if (r.ok) {
      s.sent++;
      s.lastOkAt = clock.now();
      s.error = null;
      s.failingSince = null;
    } else {
      s.failed++;
      s.error = r.error;
      s.failingSince ??= clock.now();
    }
    if (note === 'failing') {
      log.warn(
        { signal, error: r.ok ? null : r.error },
        'telemetry push failing; the relay goes on taking and delivering events, and says once when pushes get through again',
      );
    } else if (note === 'recovered') {
      log.info({ signal, failed: s.failed }, 'telemetry pushes get through again');
    }
  };

  deps.define({
    name: 'relay_telemetry_push_failures_total',
    help: 'Telemetry pushes that failed (receiver down, too slow, or answering an error), per signal (metrics, logs).',
    kind: 'counter',
    labelNames: ['signal'],
    read: () => SIGNALS.map((signal) => ({ labels: { signal }, value: state[signal].failed })),
  });
  deps.define({
    name: 'relay_telemetry_log_records_dropped_total',
    help: 'Log warnings and errors not pushed: over the rate limit, the queue full, or in a push that failed.',
    kind: 'counter',
    labelNames: [],
    read: () => [{ labels: {}, value: dropped }],
  });

  const transport = (signal: Signal): IExporterTransport => {
    const url = signalUrl(settings.endpoint, signal);
    const shown = maskUrl(url);
    return {
      async send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
        let r: PushResult;
        try {
          const res = await fetch(url, {
            method: 'POST',
            body: data,
            headers: { ...settings.headers, 'content-type': 'application/x-protobuf', 'user-agent': deps.userAgent },
            signal: AbortSignal.timeout(timeoutMillis),
            proxy: fetchProxy(settings.proxy.url),
          } as RequestInit);
          // The answer is read to its end (the connection is reused), under the same timeout.
          await res.arrayBuffer();
          r = answerResult(res.status, res.statusText, shown);
        } catch (e) {
          const err = e as Error;
          const why =
            err?.name === 'TimeoutError'
              ? `no answer within ${timeoutMillis / 1000} s`
              : (proxyFailure(e, settings.proxy, shown) ?? scrubProxy(err?.message ?? String(e), settings.proxy));
          r = { ok: false, error: `${shown}: ${why}` };
        }
        try {
          record(signal, r);
        } catch {
          // Counting never fails a push's callback.
        }
        return r.ok ? { status: 'success' } : { status: 'failure', error: new Error(r.error) };
      },
      shutdown() {},
    };
  };
  const delegate = <T>(signal: Signal, serializer: ISerializer<T, unknown>, helper: IExporterMetricsHelper<T>) =>
    createOtlpNetworkExportDelegate(
      { timeoutMillis: timeoutMs, concurrencyLimit: CONCURRENT_PUSHES, compression: 'none' },
      serializer,
      new ExporterMetrics({
        componentType: `relay_otlp_${signal}_exporter`,
        metricsHelper: helper,
        url: signalUrl(settings.endpoint, signal),
        // No meter provider: the SDK's own exporter metrics stay off.
        meterProvider: undefined,
        responseAttributesFromError: () => ({}),
      }),
      transport(signal),
    );

  const resource = resourceFromAttributes({
    'service.name': 'emiliavision-relay',
    'service.version': settings.version,
    'service.instance.id': settings.siteId,
    'site.name': settings.siteName,
    'host.name': hostname(),
    'os.type': osType(process.platform),
  });

  // Metrics: every figure as an observable instrument, read when the reader pushes.
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporterBase(delegate('metrics', ProtobufMetricsSerializer, MetricsExporterMetricsHelper)),
    exportIntervalMillis: settings.intervalMs,
    exportTimeoutMillis: timeoutMs,
  });
  const meterProvider = new MeterProvider({ resource, readers: [reader] });
  const meter = meterProvider.getMeter('emiliavision-relay', settings.version);
  for (const f of deps.figures()) {
    const options = { description: f.help };
    const instrument =
      f.kind === 'counter'
        ? meter.createObservableCounter(f.name, options)
        : meter.createObservableGauge(f.name, options);
    instrument.addCallback((observe) => {
      try {
        for (const s of f.read()) observe.observe(s.value, s.labels);
      } catch {
        // A figure that cannot be read now (the spool closing) is left out of this push.
      }
    });
  }

  // Logs: warnings and errors, rate-limited, through the SDK's bounded batch processor.
  const logExporter = new OTLPExporterBase<ReadableLogRecord[]>(
    delegate('logs', ProtobufLogsSerializer, LogsExporterMetricsHelper),
  );
  const exporter: LogRecordExporter = {
    export(records, done) {
      logExporter.export(records, (result) => {
        if (result.code !== 0) dropped += records.length;
        done(result);
      });
    },
    shutdown: () => logExporter.shutdown(),
    forceFlush: () => logExporter.forceFlush(),
  };
  const processor = new BatchLogRecordProcessor({
    exporter,
    maxQueueSize: LOG_QUEUE,
    maxExportBatchSize: LOG_QUEUE,
    scheduledDelayMillis: settings.intervalMs,
    exportTimeoutMillis: timeoutMs,
  });
  const loggerProvider = new LoggerProvider({ resource, processors: [processor] });
  const otelLog = loggerProvider.getLogger('emiliavision-relay', settings.version);
  let bucket: BucketState | undefined;
  let queued = 0;
  let hearing = false;
  const unhear = hearLog(log, (line) => {
    // A line logged while a record is being made (nothing does today) is not heard twice.
    if (hearing) return;
    const rec = logRecordOf(line);
    if (!rec) return;
    hearing = true;
    try {
      const taken = takeToken(bucket, clock.mono(), { ratePerSec: LOG_RATE.perMinute / 60, capacity: LOG_RATE.burst });
      bucket = taken.state;
      // The batch processor drops silently past its queue; what it holds is known from what was sent or failed.
      if (!taken.allowed || queued - state.logs.sent - state.logs.failed >= LOG_QUEUE) {
        dropped++;
        return;
      }
      queued++;
      otelLog.emit({
        severityNumber: rec.severityNumber,
        severityText: rec.severityText,
        body: rec.body,
        attributes: rec.attributes,
        ...(rec.time === null ? {} : { timestamp: rec.time }),
      });
    } finally {
      hearing = false;
    }
  });

  log.info(
    {
      endpoint: shownEndpoint,
      site_id: settings.siteId,
      interval_seconds: settings.intervalMs / 1000,
      proxy: settings.proxy.url ? maskUrl(settings.proxy.url) : null,
    },
    'telemetry pushing over OTLP/HTTP',
  );

  let stopping: Promise<void> | null = null;
  return {
    status: () => ({
      endpoint: shownEndpoint,
      siteId: settings.siteId,
      intervalSeconds: settings.intervalMs / 1000,
      metrics: { ...state.metrics },
      logs: { ...state.logs, dropped },
    }),
    stop() {
      stopping ??= (async () => {
        unhear();
        const last = Promise.allSettled([meterProvider.shutdown(), loggerProvider.shutdown()]);
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([last, new Promise<void>((r) => (timer = setTimeout(r, STOP_WAIT_MS)))]);
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
