import { redactConfig } from '../config/index.ts';
import { outageMs, pageColour, saidOf, sayIn } from '../health/index.ts';
import { dateTime, drainSentence, type Language, languageOr, t, tn } from '../i18n/index.ts';
import { maskToken } from '../lib/mask.ts';
import { duration, iso } from '../lib/time.ts';
import type { Env, EventStatus, EventSummary } from '../spool/index.ts';
import { VERSION } from '../version.ts';
import { WARNING_HELP, WARNING_IDS, type WarningId } from '../warnings/index.ts';
import { type ActivityView, activityView } from './activity.ts';
import type { AdminDeps } from './index.ts';
import { type Level, shortOutage, statusLevel } from './level.ts';
import type { LoginsView } from './logins.ts';
import { type RefusalsView, refusalAttention, refusalsView } from './refusals.ts';
import { type SiteView, siteView } from './site.ts';

/**
 * What the status page and GET /admin/api/status show, in one snapshot. Counts
 * come from the database (the same rows the CLI reads), so the page and
 * `relay status` agree. Tokens appear as their first 8 characters only.
 */

export interface EventView {
  id: string;
  token: string;
  token_name: string;
  env: Env;
  status: EventStatus;
  received_at: string;
  attempts: number;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: string | null;
  warnings: string[];
}

export interface LaneView {
  token: string;
  token_name: string;
  env: Env;
  pending: number;
  delivered: number;
  dead: number;
  oldest_pending_at: string | null;
  oldest_pending_seconds: number | null;
  /** Why the oldest event still waits, in plain words; null when nothing waits. */
  waiting_because: string | null;
}

export interface AlertsView {
  firing: { condition: string; since: string; text: string }[];
  last_sent: { at: string; condition: string; state: string; text: string }[];
  receivers: {
    kind: string;
    target: string;
    ok: boolean | null;
    last_error: string | null;
    failures: number;
    queued: number;
  }[];
}

/** The alerter's status as the page shows it: times as ISO 8601, the last 5 messages. */
function alertsView(deps: AdminDeps): AlertsView | null {
  if (!deps.alerts) return null;
  const s = deps.alerts.status();
  return {
    firing: s.firing.map((f) => ({ condition: f.condition, since: iso(f.since)!, text: f.text })),
    last_sent: s.lastSent
      .slice(0, 5)
      .map((m) => ({ at: iso(m.at)!, condition: m.condition, state: m.state, text: m.text })),
    receivers: s.receivers.map((r) => ({
      kind: r.kind,
      target: r.target,
      ok: r.ok,
      last_error: r.lastError,
      failures: r.failures,
      queued: r.queued,
    })),
  };
}

export interface StatusView {
  /** /health's status, unchanged: what a machine checks. */
  status: 'ok' | 'degraded';
  /** `[site] language`: every sentence here and on the page is in it; ids, codes and keys stay as they are. */
  language: Language;
  /** The page's colour (level.ts): a cloud outage shorter than admin.outage_amber_seconds is 'warn'. */
  level: Level;
  /** /health's reasons, each with its colour here (a short outage is amber) and its sentence. */
  reasons: { id: string; colour: 'red' | 'amber'; detail: string }[];
  /** What else a technician should look at (dead letters, a spool filling up); empty when all is well. */
  attention: string[];
  generated_at: string;
  version: string;
  site: SiteView;
  /** Alerts (README "Alerts"): what fires, the last messages, each receiver; null where no alerter runs. */
  alerts: AlertsView | null;
  cloud: {
    url: string;
    reachable: boolean | null;
    since: string | null;
    /** Seconds the cloud has not answered; null while it answers or before the first try. */
    outage_seconds: number | null;
    /** admin.outage_amber_seconds: a shorter outage is amber, a longer one red. */
    outage_amber_seconds: number;
    last_delivery_at: string | null;
    last_error: string | null;
  };
  spool: {
    path: string;
    pending: number;
    delivered: number;
    dead: number;
    bytes: number;
    max_bytes: number;
    retention_days: number;
    /** The backlog's expected time to drain at the last minute's pace; null when nothing waits or nothing moves. */
    drain_seconds: number | null;
    /** The same in words (spool drain.ts), as `relay status` says it. */
    drain: string;
    error: string | null;
  };
  lanes: LaneView[];
  paused_tokens: { token: string; token_name: string; until: string; reason: string }[];
  recent: EventView[];
  dead_letters: EventView[];
  warnings: { id: string; count: number; help: string }[];
  /** Webhooks refused (401, 400, 413, 429, 503...): still arriving, by reason since start, by token. */
  refusals: RefusalsView;
  /** The last 24 hours: received, delivered and refused per 15 minutes, in the site's zone, counted since start. */
  activity: ActivityView;
  /** Wrong admin passwords since start, the addresses blocked now, the last one; null where no guard runs. */
  admin_logins: LoginsView | null;
  /** Pushed telemetry ([telemetry]): each signal's pushes and failures; null when it is off. */
  telemetry: TelemetryView | null;
  config: unknown;
}

export interface TelemetryView {
  endpoint: string;
  site_id: string;
  interval_seconds: number;
  signals: {
    signal: string;
    sent: number;
    failed: number;
    last_ok_at: string | null;
    failing_since: string | null;
    error: string | null;
  }[];
  /** Log warnings and errors not pushed (rate limit, full queue, failed push). */
  logs_dropped: number;
}

/** Pushed telemetry as the page shows it: times as ISO 8601. */
function telemetryView(deps: AdminDeps): TelemetryView | null {
  const t = deps.telemetry?.();
  if (!t) return null;
  return {
    endpoint: t.endpoint,
    site_id: t.siteId,
    interval_seconds: t.intervalSeconds,
    signals: (['metrics', 'logs'] as const).map((signal) => ({
      signal,
      sent: t[signal].sent,
      failed: t[signal].failed,
      last_ok_at: iso(t[signal].lastOkAt),
      failing_since: iso(t[signal].failingSince),
      error: t[signal].error,
    })),
    logs_dropped: t.logs.dropped,
  };
}

const RECENT = 25;
const DEAD_SHOWN = 100;
/** A lane whose oldest event waits longer than this is called out at the top of the page. */
const STUCK_AFTER_S = 300;
/** The spool this full is worth a warning before it starts refusing events (503). */
const SPOOL_WARN_RATIO = 0.8;

export async function buildStatus(deps: AdminDeps): Promise<StatusView> {
  const { spool, forwarder, clock } = deps;
  const config = deps.config();
  const now = clock.now();
  const lang = languageOr(config.site.language);
  const names = new Map(config.tokens.map((t) => [t.token, t.name]));
  const nameOf = (token: string) => names.get(token) ?? '';
  const stats = spool.stats();
  const drain = spool.drain(now);
  const cloud = forwarder.cloud;
  const paused = forwarder.paused();
  const pausedSet = new Map(paused.map((p) => [p.token, p]));

  const [counts, recent, dead] = await Promise.all([
    spool.laneCounts(),
    spool.listEvents({ limit: RECENT }),
    spool.listEvents({ status: 'dead', limit: DEAD_SHOWN }),
  ]);

  const lanes: LaneView[] = [];
  for (const l of counts) {
    // The age the alerts act on when an alerter runs: a wall-clock step neither ages nor rejuvenates a lane.
    const laneAge = deps.alerts?.laneAge;
    const age =
      l.oldestPendingAt === null
        ? null
        : (laneAge ? laneAge(l.token, l.env, l.oldestPendingAt) : now - l.oldestPendingAt) / 1000;
    lanes.push({
      token: maskToken(l.token),
      token_name: nameOf(l.token),
      env: l.env,
      pending: l.pending,
      delivered: l.delivered,
      dead: l.dead,
      oldest_pending_at: iso(l.oldestPendingAt),
      oldest_pending_seconds: age === null ? null : Math.round(age),
      waiting_because:
        l.pending > 0 ? await whyWaiting(deps, lang, l.token, l.env, pausedSet.get(l.token)?.reason, now) : null,
    });
  }
  const sum = (k: 'pending' | 'delivered' | 'dead') => counts.reduce((n, l) => n + l[k], 0);
  const totals = { pending: sum('pending'), delivered: sum('delivered'), dead: sum('dead') };

  const health = deps.health();
  // The cloud's silence, on the monotonic clock: a wall-clock step neither lengthens nor ends it.
  const outageAt = outageMs(cloud, clock.mono());
  const outage = outageAt === null ? null : Math.round(outageAt / 1000);
  const amber = config.admin.outage_amber_seconds;
  const reasons = health.reasons.map((r) => {
    const c = pageColour(r.id);
    const short = c === 'amber_while_short' && shortOutage(outage, amber);
    // /health says it in English; the page in the site's language (a reason read from elsewhere as it came).
    const said = saidOf(r);
    const detail = said ? sayIn(lang, said) : r.detail;
    return {
      id: r.id,
      colour: c === 'amber' || short ? ('amber' as const) : ('red' as const),
      // Say when amber turns red, so a technician knows how long a blip may last.
      detail: short ? t(lang, 'attention.amber_until', { detail, d: duration(amber * 1000) }) : detail,
    };
  });

  // Below: what needs a look without being a reason (health/reasons.ts has those).
  const attention: string[] = [];
  if (stats.bytes >= stats.maxBytes * SPOOL_WARN_RATIO && stats.bytes < stats.maxBytes) {
    const pct = Math.round((stats.bytes / stats.maxBytes) * 100);
    attention.push(t(lang, 'attention.spool_filling', { pct }));
  }
  if (totals.dead > 0) {
    attention.push(tn(lang, 'attention.dead', totals.dead));
  }
  for (const l of lanes) {
    if (l.oldest_pending_seconds !== null && l.oldest_pending_seconds > STUCK_AFTER_S && !pausedSet.has(l.token)) {
      attention.push(
        t(lang, 'attention.lane_waited', {
          n: l.pending,
          token: l.token,
          env: l.env,
          d: duration(l.oldest_pending_seconds * 1000),
          why: l.waiting_because ?? '',
        }),
      );
    }
  }

  // A POS refused again and again (a wrong token, broken JSON) needs a look: nobody at the POS sees its 4xx.
  const refused = refusalsView(deps.metrics.refusals(), siteView(config.site, now).timezone, now, config.tokens, lang);
  attention.push(...refusalAttention(refused, lang));
  const logins = deps.logins?.view() ?? null;
  for (const b of logins?.blocked ?? []) {
    const until = dateTime(lang, Date.parse(b.until), siteView(config.site, now).timezone);
    attention.push(t(lang, 'attention.blocked', { client: b.client, until, n: b.failures }));
  }

  const counted = deps.metrics.warningCounts();
  const ids = [...WARNING_IDS, ...Object.keys(counted).filter((k) => !(WARNING_IDS as readonly string[]).includes(k))];

  return {
    status: health.status,
    language: lang,
    level: statusLevel({ health, outageSeconds: outage, amberSeconds: amber, attention: attention.length }),
    reasons,
    attention,
    generated_at: iso(now),
    version: VERSION,
    site: siteView(config.site, now),
    cloud: {
      url: config.cloud.url,
      reachable: cloud.reachable,
      since: iso(cloud.since),
      outage_seconds: outage,
      outage_amber_seconds: amber,
      last_delivery_at: iso(cloud.lastDeliveryAt),
      last_error: cloud.lastError,
    },
    spool: {
      path: config.spool.path,
      ...totals,
      bytes: stats.bytes,
      max_bytes: stats.maxBytes,
      retention_days: config.spool.retention_days,
      drain_seconds: drain.kind === 'draining' ? drain.seconds : null,
      drain: drainSentence(lang, drain),
      error: stats.lastWriteError,
    },
    lanes,
    paused_tokens: paused.map((p) => ({
      token: maskToken(p.token),
      token_name: nameOf(p.token),
      until: iso(p.until)!,
      reason: p.reason,
    })),
    recent: recent.map((e) => eventView(e, nameOf)),
    dead_letters: dead.map((e) => eventView(e, nameOf)),
    warnings: ids.map((id) => ({
      id,
      count: counted[id] ?? 0,
      help: id in WARNING_HELP ? t(lang, `warning.${id as WarningId}`) : '',
    })),
    refusals: refused,
    activity: activityOf(deps, siteView(config.site, now).timezone, now),
    admin_logins: logins,
    alerts: alertsView(deps),
    telemetry: telemetryView(deps),
    config: redactConfig(config),
  };
}

function activityOf(deps: AdminDeps, zone: string, now: number): ActivityView {
  const a = deps.metrics.activity();
  const refused = deps.metrics.refusals()?.perInterval;
  return activityView({
    now,
    startedAt: a.startedAt,
    bucketMs: a.received.bucketMs,
    count: a.received.keep,
    zone,
    received: a.received.snapshot(),
    delivered: a.delivered.snapshot(),
    refused: refused?.snapshot() ?? new Map(),
  });
}

export function eventView(e: EventSummary, nameOf: (token: string) => string = () => ''): EventView {
  return {
    id: e.id,
    token: maskToken(e.token),
    token_name: nameOf(e.token),
    env: e.env,
    status: e.status,
    received_at: iso(e.receivedAt)!,
    attempts: e.attempts,
    last_attempt_at: iso(e.lastAttemptAt),
    last_status: e.lastStatus,
    last_error: e.lastError,
    delivered_at: iso(e.deliveredAt),
    warnings: e.warnings,
  };
}

/** The head of a lane and its last answer say why the lane is not empty. */
async function whyWaiting(
  deps: AdminDeps,
  lang: Language,
  token: string,
  env: Env,
  pausedReason: string | undefined,
  now: number,
): Promise<string> {
  if (pausedReason) return t(lang, 'why.paused', { reason: pausedReason });
  const head = deps.spool.headAttempts(token, env);
  if (!head || head.attempts === 0) return t(lang, 'why.not_tried');
  const ago = head.lastAttemptAt === null ? '' : t(lang, 'why.ago', { d: duration(now - head.lastAttemptAt) });
  const answer = head.lastStatus === null ? t(lang, 'word.no_answer') : `HTTP ${head.lastStatus}`;
  // The cloud's own words stay as it said them.
  const error = head.lastError ? `: ${head.lastError.slice(0, 200)}` : '';
  return tn(lang, 'why.retrying', head.attempts, { ago, answer, error });
}
