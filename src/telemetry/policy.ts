/**
 * Telemetry's decisions, as pure functions: what a receiver's answer means,
 * when a run of failures is worth a log line, which log lines travel and how
 * they read as OTLP log records.
 */

/** The OTLP/HTTP paths under `[telemetry] endpoint` (the OTLP specification's defaults). */
export const OTLP_PATHS = { metrics: 'v1/metrics', logs: 'v1/logs' } as const;
export type Signal = keyof typeof OTLP_PATHS;
export const SIGNALS = Object.keys(OTLP_PATHS) as Signal[];

/** `<endpoint>/v1/metrics`: a trailing "/" on the endpoint or not, a path prefix kept ("http://gw/otlp" → http://gw/otlp/v1/metrics). */
export function signalUrl(endpoint: string, signal: Signal): string {
  return `${endpoint.replace(/\/+$/, '')}/${OTLP_PATHS[signal]}`;
}

/** A push's result: sent, or failed with a sentence for the page and the log (no header, no secret). */
export type PushResult = { ok: true } | { ok: false; error: string };

/**
 * A receiver's HTTP answer. Only 2xx is sent; everything else fails this
 * push and is not retried: the next push carries the same cumulative figures
 * (a log batch is dropped and counted), so a receiver that is down, slow or
 * refusing (429, 503) gets one request per interval, never a retry storm.
 */
export function answerResult(status: number, statusText: string, url: string): PushResult {
  if (status >= 200 && status < 300) return { ok: true };
  const why =
    status === 429 ? ' (too many requests)' : status === 401 || status === 403 ? ' (check telemetry.headers)' : '';
  return { ok: false, error: `${url} answered ${status}${statusText ? ` ${statusText}` : ''}${why}` };
}

/** What a run of pushes is worth telling in the log: its first failure and its recovery, nothing between. */
export function pushNote(wasFailing: boolean, result: PushResult): 'failing' | 'recovered' | null {
  if (result.ok) return wasFailing ? 'recovered' : null;
  return wasFailing ? null : 'failing';
}

/** OTLP severity numbers (logs data model: WARN 13, ERROR 17, FATAL 21). */
const SEVERITY = { warn: 13, error: 17, fatal: 21 } as const;

export interface LogRecordShape {
  severityNumber: number;
  severityText: string;
  body: string;
  /** Wall ms of the line. */
  time: number | null;
  attributes: Record<string, string | number | boolean>;
}

/** Fields every line carries or that become the record itself, not attributes. */
const OWN_FIELDS = new Set(['level', 'time', 'msg', 'app']);

/**
 * A line of the relay's JSON log as an OTLP log record, when it is a warning
 * or worse; null for other levels and for what is not one of its lines. Only
 * its own fields go (already masked where they name a token); nested values
 * travel as JSON text.
 */
export function logRecordOf(line: string): LogRecordShape | null {
  // The level comes first in every line (lib/log.ts formatters): most lines are skipped unparsed.
  const m = /^\{"level":"(warn|error|fatal)"/.exec(line);
  if (!m) return null;
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  const level = m[1] as keyof typeof SEVERITY;
  const attributes: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (OWN_FIELDS.has(k) || v === null || v === undefined) continue;
    attributes[k] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
  }
  const time = typeof fields.time === 'string' ? Date.parse(fields.time) : Number.NaN;
  return {
    severityNumber: SEVERITY[level],
    severityText: level.toUpperCase(),
    body: typeof fields.msg === 'string' ? fields.msg : '',
    time: Number.isFinite(time) ? time : null,
    attributes,
  };
}

/** Log records sent at most this many per minute, with this burst; the rest are counted as dropped. */
export const LOG_RATE = { perMinute: 60, burst: 20 } as const;

/** Letters, digits, ".", "_", "-" (the [site] id's pattern), up to `max`. */
function slug(text: string, max: number): string {
  return text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max);
}

/** A default site id, made once per spool: this PC's name and 8 random hex digits ("till-pc-3f9a01c2"). */
export function makeSiteId(hostname: string, random: Uint8Array): string {
  const hex = Array.from(random.slice(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
  const host = slug(hostname, 40);
  return host === '' ? `relay-${hex}` : `${host}-${hex}`;
}

/** OTel's os.type for this platform (semantic conventions: linux, windows, darwin, ...). */
export function osType(platform: string): string {
  return platform === 'win32' ? 'windows' : platform;
}
