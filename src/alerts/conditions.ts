import { RECENT_MINUTES } from '../http/index.ts';
import { type Language, type Params, t } from '../i18n/index.ts';
import { maskToken, scrubTokens } from '../lib/mask.ts';
import type { AlertsConfig, CheckContext, Details, Finding, Snapshot, TokenRef } from './snapshot.ts';
import { codes, deadLetters, events, kinds, many, n, pct, posAt, size, tokenOf, waiting } from './words.ts';

/**
 * The alert conditions: this file is the whole list. Each entry is the
 * condition's id (the webhook's `condition`, the metric label), whether the
 * config turns it off, its check over one snapshot of the relay, and the
 * words its sentences are told (the e-mail subject, the firing and resolved
 * sentences and what to do are `alert.<id>.*` in the i18n catalogs, one per
 * language), side by side. A new condition is one entry here (and a field in Snapshot
 * if it reads something new); evaluate.ts, the messages, /metrics and the
 * status page follow from it.
 *
 * A check is pure: no clock, no I/O (snapshot.ts says which times are
 * monotonic). It says `bad` (start alerting) and `ok` (the problem is gone);
 * where a value can hover around its threshold, `ok` asks for more than
 * `!bad` (hysteresis), and a finding that is neither keeps its alert as it
 * is. That gap, with evaluate.ts's hold before "resolved", is what keeps a
 * flapping value from sending a message on every tick. Per-token checks give
 * findings only for tokens with something to say; an alert whose key is
 * absent counts as ok.
 */

/** A finding as a check gives it; the list adds the condition's id. */
type Found = Omit<Finding, 'condition'>;

interface ConditionDefinition {
  /** Stable snake_case: the webhook's `condition`, `relay_alerts_firing{condition}`. */
  readonly id: string;
  /** The [alerts] key that turns it off, read from the config; absent: always on. Off, its alerts end silently. */
  readonly enabled?: (cfg: AlertsConfig) => boolean;
  readonly check: (snap: Snapshot, ctx: CheckContext) => readonly Found[];
  /**
   * A finding's details in words of `lang`, for alert.<id>.firing and
   * alert.<id>.resolved: each sentence takes the ones it names, and
   * messages.ts adds the times (since, lasted).
   */
  readonly words: (d: Details, lang: Language) => Params;
}

const MINUTE = 60_000;
/**
 * A lane overdue this long is told. The forwarder already allows its timers
 * a margin before it calls a lane stalled; this is for a person's phone: an
 * event loop busy for seconds (a big salvage, a slow disk) catches up on its
 * own and is no message, while a runner that is gone stays overdue for good.
 */
const STALLED_ALERT_AFTER_MS = MINUTE;
/** The spool clears this far below spool_full_above: deliveries and pruning move it in small steps. */
const SPOOL_CLEAR_MARGIN = 0.05;

const round = (v: number, places = 3) => Math.round(v * 10 ** places) / 10 ** places;

const ref = (snap: Snapshot, token: string): TokenRef => ({
  token: maskToken(token),
  name: snap.tokens.find((t) => t.token === token)?.name ?? '',
});

/** A per-token key: the masked token for reading, a hash so two tokens sharing their first 8 characters stay apart. */
const tokenKey = (id: string, token: string) => `${id}:${maskToken(token)}:${Bun.hash(token).toString(36)}`;

/** A token's own fields in `details`, for tokenOf() in the sentences. */
const tokenDetails = (snap: Snapshot, token: string) => ({
  token: maskToken(token),
  token_name: ref(snap, token).name,
});

/** A whole token never leaves the relay: any configured token found in a string is shown as its first 8 characters. */
const scrub = (text: string, snap: Snapshot) =>
  scrubTokens(
    text,
    snap.tokens.map((t) => t.token),
  );

/**
 * Refused webhooks in the tally's last RECENT_MINUTES that make an alert: a
 * POS that keeps sending, not one stray request. It resolves once none came
 * for RECENT_MINUTES (and evaluate.ts's hold).
 */
const REFUSED_ALERT_AT = 10;

/** How a body refusal reads in an alert (the refusal's id, its sentence's key). */
const BODY_KINDS = {
  invalid_json: 'alert.body.invalid_json',
  too_large: 'alert.body.too_large',
  body_timeout: 'alert.body.body_timeout',
} as const;

/**
 * One finding per token (first 8 characters) still refused for `reasons`
 * in the tally's last minutes; a token gone quiet has none, so its alert
 * resolves. The refusal tally keeps no whole token: the key is the masked one.
 */
function refusalFindings(snap: Snapshot, id: string, reasons: readonly string[], now: number): Found[] {
  // Configured tokens sharing their first 8 characters cannot be told apart here: both names are given.
  const names = new Map<string, string>();
  for (const t of snap.tokens) {
    const m = maskToken(t.token);
    names.set(m, names.has(m) ? `${names.get(m)} or ${t.name}` : t.name);
  }
  const byToken = new Map<
    string,
    { client: string | null; count: number; recent: number; kinds: Record<string, number> }
  >();
  for (const e of snap.refusals) {
    if (!reasons.includes(e.reason)) continue;
    const t = byToken.get(e.token) ?? { client: e.client, count: 0, recent: 0, kinds: {} };
    t.count += e.count;
    t.recent += e.recent;
    if (e.recent > 0) t.kinds[e.reason] = (t.kinds[e.reason] ?? 0) + e.recent;
    byToken.set(e.token, t);
  }
  return [...byToken]
    .filter(([, t]) => t.recent > 0)
    .map(([token, t]) => ({
      key: `${id}:${token}`,
      bad: t.recent >= REFUSED_ALERT_AT,
      ok: false,
      since: now,
      subject: { token, name: names.get(token) ?? '' },
      details: {
        token,
        token_name: names.get(token) ?? '',
        client: t.client,
        refused: t.recent,
        minutes: RECENT_MINUTES,
        total: t.count,
        kinds: t.kinds,
      },
    }));
}

/** The words of a refusal's alert (refusalFindings' details): the POS, the token, how often. */
const refusalWords = (d: Details, lang: Language): Params => ({
  pos: posAt(lang, d),
  token: tokenOf(lang, d),
  refused: many(lang, d.refused),
  minutes: n(d.minutes),
  total: many(lang, d.total),
});

/** In the order /metrics lists them. */
export const CONDITIONS = [
  {
    id: 'cloud_unreachable',
    check: (snap, { cfg, now }) => {
      const { cloud, spool } = snap;
      if (cloud.since === null) return [];
      return [
        {
          key: 'cloud_unreachable',
          // Unreachable for the whole of unreachable_minutes; clear only once the cloud answers again, so
          // a request that fails just after the alert started does not end it.
          bad: cloud.reachable === false && now - cloud.since >= cfg.unreachable_minutes * MINUTE,
          ok: cloud.reachable !== false,
          since: cloud.since,
          details: {
            last_error: cloud.lastError === null ? null : scrub(cloud.lastError, snap),
            pending: spool.pending,
            threshold_minutes: cfg.unreachable_minutes,
          },
        },
      ];
    },
    words: (d, lang) => ({
      last_error: d.last_error ? t(lang, 'alert.last_error', { error: String(d.last_error) }) : '',
      waiting: waiting(lang, n(d.pending)),
    }),
  },
  {
    id: 'oldest_pending',
    check: (snap, { cfg, now }) => {
      const { oldest, pending } = snap.spool;
      const age = oldest?.ageMs ?? 0;
      return [
        {
          key: 'oldest_pending',
          bad: oldest !== null && age > cfg.after_minutes * MINUTE,
          ok: oldest === null || age <= cfg.after_minutes * MINUTE,
          since: now - age,
          details: {
            pending,
            oldest_received_at: oldest ? new Date(oldest.at).toISOString() : null,
            oldest_minutes: round(age / MINUTE, 1),
            token: oldest ? maskToken(oldest.token) : null,
            token_name: oldest ? ref(snap, oldest.token).name : null,
            env: oldest?.env ?? null,
            threshold_minutes: cfg.after_minutes,
          },
        },
      ];
    },
    words: (d, lang) => ({
      waiting: waiting(lang, n(d.pending)),
      events: events(lang, n(d.pending)),
      token: tokenOf(lang, d),
      env: String(d.env),
      threshold: n(d.threshold_minutes),
    }),
  },
  {
    id: 'success_rate',
    check: ({ attempts }, { cfg, now }) => {
      // As the cloud guide's should_alert: no verdict before a full window of attempts.
      if (attempts.total < cfg.success_rate_window) return [];
      const rate = attempts.ok / attempts.total;
      return [
        {
          key: 'success_rate',
          bad: rate < cfg.success_rate_below,
          // Clears halfway between the threshold and 100 %: at 0.95, once 97.5 % succeed.
          ok: rate >= cfg.success_rate_below + (1 - cfg.success_rate_below) / 2,
          since: now,
          details: {
            rate: round(rate),
            attempts: attempts.total,
            failed: attempts.total - attempts.ok,
            codes: Object.fromEntries(Object.entries(attempts.codes).filter(([c]) => !/^2\d\d$/.test(c))),
            threshold: cfg.success_rate_below,
          },
        },
      ];
    },
    words: (d, lang) => ({
      rate: pct(lang, d.rate),
      attempts: n(d.attempts),
      threshold: pct(lang, d.threshold),
      codes: codes(lang, d),
    }),
  },
  {
    id: 'token_paused',
    enabled: (cfg) => cfg.token_paused,
    check: (snap, { now }) =>
      snap.paused.map((p) => ({
        key: tokenKey('token_paused', p.token),
        bad: true,
        ok: false,
        since: now,
        subject: ref(snap, p.token),
        details: { ...tokenDetails(snap, p.token), reason: p.reason },
      })),
    words: (d, lang) => ({ token: tokenOf(lang, d) }),
  },
  {
    id: 'dead_letters',
    enabled: (cfg) => cfg.dead_letters,
    check: ({ spool }, { now, deadBaseline }) => [
      {
        key: 'dead_letters',
        bad: spool.dead > deadBaseline,
        ok: spool.dead <= deadBaseline,
        since: now,
        details: { new: Math.max(0, spool.dead - deadBaseline), dead: spool.dead },
      },
    ],
    words: (d, lang) => ({ events: events(lang, n(d.new)), dead: deadLetters(lang, n(d.dead)) }),
  },
  {
    id: 'spool_full',
    check: ({ spool }, { cfg, now }) => {
      if (spool.maxBytes <= 0) return [];
      const full = spool.bytes / spool.maxBytes;
      return [
        {
          key: 'spool_full',
          bad: full > cfg.spool_full_above,
          ok: full <= cfg.spool_full_above - Math.min(SPOOL_CLEAR_MARGIN, cfg.spool_full_above / 2),
          since: now,
          details: {
            full: round(full),
            bytes: spool.bytes,
            max_bytes: spool.maxBytes,
            threshold: cfg.spool_full_above,
          },
        },
      ];
    },
    words: (d, lang) => ({
      full: pct(lang, d.full),
      used: size(d.bytes),
      max: size(d.max_bytes),
      threshold: pct(lang, d.threshold),
    }),
  },
  {
    id: 'payload_warnings',
    enabled: (cfg) => cfg.first_events > 0,
    check: (snap, { cfg }) =>
      snap.firstEvents
        .filter((w) => w.warned > 0)
        .map((w) => ({
          key: tokenKey('payload_warnings', w.token),
          bad: !w.settled,
          ok: w.settled,
          since: w.firstWarnedAt,
          subject: ref(snap, w.token),
          details: {
            ...tokenDetails(snap, w.token),
            warned: w.warned,
            events: w.seen,
            first_events: cfg.first_events,
            kinds: w.kinds,
          },
        })),
    words: (d, lang) => ({
      token: tokenOf(lang, d),
      warned: n(d.warned),
      events: n(d.events),
      clean: events(lang, n(d.first_events)),
      kinds: kinds(lang, d),
    }),
  },
  {
    id: 'spool_quarantined',
    enabled: (cfg) => cfg.spool_quarantined,
    // One alert per set-aside file; it resolves when a technician moves the file away.
    check: (snap, { now }) =>
      snap.spool.quarantined.map((q) => ({
        key: `spool_quarantined:${q.file}`,
        bad: true,
        ok: false,
        // The file's wall time as an age now, so the alert's since is monotonic like the rest.
        since: now - Math.max(0, snap.wall - Date.parse(q.at)),
        details: { file: q.file, reason: q.reason, pending: snap.spool.pending },
      })),
    words: (d) => ({ file: String(d.file), reason: String(d.reason) }),
  },
  {
    id: 'lane_stalled',
    // One alert per lane; it resolves once the lane's runner tries again on schedule (the lane is not listed).
    check: (snap) =>
      snap.stalled.map((l) => ({
        key: `${tokenKey('lane_stalled', l.token)}:${l.env}`,
        bad: l.overdueMs >= STALLED_ALERT_AFTER_MS,
        ok: false,
        since: l.since,
        subject: ref(snap, l.token),
        details: {
          ...tokenDetails(snap, l.token),
          env: l.env,
          pending: l.pending,
          overdue_minutes: round(l.overdueMs / MINUTE, 1),
        },
      })),
    words: (d, lang) => ({ token: tokenOf(lang, d), env: String(d.env), waiting: waiting(lang, n(d.pending)) }),
  },
  {
    id: 'unknown_token',
    // One alert per token (first 8 characters) the relay keeps refusing with 401.
    check: (snap, { now }) => refusalFindings(snap, 'unknown_token', ['unknown_token'], now),
    words: refusalWords,
  },
  {
    id: 'invalid_body',
    // One alert per token whose bodies the relay keeps refusing (not JSON in UTF-8, too large).
    check: (snap, { now }) => refusalFindings(snap, 'invalid_body', Object.keys(BODY_KINDS), now),
    words: (d, lang) => ({
      ...refusalWords(d, lang),
      kinds: Object.keys((d.kinds ?? {}) as Record<string, number>)
        .map((k) => (k in BODY_KINDS ? t(lang, BODY_KINDS[k as keyof typeof BODY_KINDS]) : k))
        .join(', '),
    }),
  },
  {
    id: 'admin_login_blocked',
    // One alert per blocked address; it resolves when the block ends (admin/login-policy.ts).
    check: (snap) =>
      (snap.adminBlocks ?? []).map((b) => ({
        key: `admin_login_blocked:${b.client}`,
        bad: true,
        ok: false,
        since: b.since,
        details: { client: b.client, failures: b.failures, minutes: Math.ceil((b.until - b.since) / MINUTE) },
      })),
    words: (d, lang) => ({ client: String(d.client), failures: many(lang, d.failures), minutes: n(d.minutes) }),
  },
] as const satisfies readonly ConditionDefinition[];

export type ConditionId = (typeof CONDITIONS)[number]['id'];

export const CONDITION_IDS: readonly ConditionId[] = CONDITIONS.map((c) => c.id);

/** A condition's entry by id. */
export const condition = (id: ConditionId): ConditionDefinition =>
  CONDITIONS.find((c) => c.id === id) as ConditionDefinition;

/** The conditions a config turns off: their alerts end silently (nothing was resolved). */
export function disabledConditions(cfg: AlertsConfig): Set<ConditionId> {
  const off = new Set<ConditionId>();
  for (const c of CONDITIONS as readonly (ConditionDefinition & { id: ConditionId })[]) {
    if (c.enabled && !c.enabled(cfg)) off.add(c.id);
  }
  return off;
}

/**
 * Every finding of `snap` at `now` (monotonic), condition by condition in
 * list order. `deadBaseline` is the dead-letter count that is not news.
 */
export function findings(snap: Snapshot, cfg: AlertsConfig, now: number, deadBaseline: number): Finding[] {
  const off = disabledConditions(cfg);
  const ctx: CheckContext = { cfg, now, deadBaseline };
  return (CONDITIONS as readonly (ConditionDefinition & { id: ConditionId })[]).flatMap((c) =>
    off.has(c.id) ? [] : c.check(snap, ctx).map((f) => ({ ...f, condition: c.id })),
  );
}

export type { AlertsConfig, Details, Finding, Snapshot, TokenRef, TokenWarnings } from './snapshot.ts';
