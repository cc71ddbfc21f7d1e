import { RECENT_MINUTES } from '../http/index.ts';
import { maskToken, scrubTokens } from '../lib/mask.ts';
import type { AlertsConfig, CheckContext, Details, Finding, Snapshot, TokenRef } from './snapshot.ts';
import { codes, kinds, n, pct, plural, size, tokenOf, type When, waiting } from './words.ts';

/**
 * The alert conditions: this file is the whole list. Each entry is the
 * condition's id (the webhook's `condition`, the metric label), whether the
 * config turns it off, its check over one snapshot of the relay, and its
 * words (the e-mail subject, the firing and resolved sentences, what to do),
 * side by side. A new condition is one entry here (and a field in Snapshot
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
  /** The e-mail subject's words. */
  readonly title: string;
  /** The [alerts] key that turns it off, read from the config; absent: always on. Off, its alerts end silently. */
  readonly enabled?: (cfg: AlertsConfig) => boolean;
  readonly check: (snap: Snapshot, ctx: CheckContext) => readonly Found[];
  readonly firing: (d: Details, w: When) => string;
  readonly resolved: (d: Details, w: When) => string;
  readonly whatToDo: string;
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

/** How a body refusal reads in an alert. */
const BODY_KINDS: Record<string, string> = {
  invalid_json: 'not JSON in UTF-8 (HTTP 400)',
  too_large: 'over server.max_body_bytes (HTTP 413)',
  body_timeout: 'too slow to arrive within server.body_timeout_seconds (HTTP 408)',
};

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

/** "3,366,426": counts as people read them. */
const many = (v: unknown) => n(v).toLocaleString('en-US');
const posAt = (d: Details) => (d.client ? `a POS at ${d.client}` : 'a POS');

/** In the order /metrics lists them. */
export const CONDITIONS = [
  {
    id: 'cloud_unreachable',
    title: 'cloud unreachable',
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
    firing: (d, w) =>
      `the relay has not reached the EmiliaVision cloud since ${w.since} (${w.lasted}` +
      `${d.last_error ? `; last error: ${d.last_error}` : ''}). ` +
      `${waiting(n(d.pending))} safely on this PC.`,
    resolved: (_d, w) =>
      `the EmiliaVision cloud answers again (unreachable from ${w.since}, for ${w.lasted}); waiting events go out in order.`,
    whatToDo:
      "Check this PC's internet connection (and the proxy, if there is one). Nothing is lost: waiting events go out in order once the cloud answers.",
  },
  {
    id: 'oldest_pending',
    title: 'events waiting too long',
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
    firing: (d, w) =>
      `${waiting(n(d.pending))} for the cloud; the oldest (${tokenOf(d)}, ${d.env}) ` +
      `was received at ${w.since}, ${w.lasted} ago (alert after ${d.threshold_minutes} min).`,
    resolved: (d, w) =>
      `no event has waited longer than ${d.threshold_minutes} min any more (the backlog began at ${w.since}; ` +
      `${plural(n(d.pending), 'event')} waiting now).`,
    whatToDo:
      'Open the status page, "Waiting per token": it shows why they wait (no internet, a refused token, cloud errors). Nothing is lost.',
  },
  {
    id: 'success_rate',
    title: 'delivery success rate low',
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
    firing: (d, w) =>
      `only ${pct(d.rate)} of the last ${d.attempts} deliveries to the cloud succeeded ` +
      `(alert below ${pct(d.threshold)}) since ${w.since}: ${codes(d)}.`,
    resolved: (d, w) =>
      `deliveries succeed again: ${pct(d.rate)} of the last ${d.attempts} (it was low from ${w.since}, for ${w.lasted}).`,
    whatToDo:
      "The relay retries on its own and keeps every event. If it lasts, note the cloud's answers on the status page and send them to EmiliaVision support.",
  },
  {
    id: 'token_paused',
    title: 'token refused by the cloud',
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
    firing: (d, w) =>
      `the cloud refuses ${tokenOf(d)} as invalid or inactive (HTTP 401) since ${w.since}; its events are kept and retried.`,
    resolved: (d, w) =>
      `the cloud accepts ${tokenOf(d)} again (refused from ${w.since}, for ${w.lasted}); its kept events go out.`,
    whatToDo:
      'Compare that token in relay.toml with the one EmiliaVision issued, fix it and press "Reload config" on the status page; or ask EmiliaVision to reactivate it.',
  },
  {
    id: 'dead_letters',
    title: 'new dead letters',
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
    firing: (d, w) =>
      `the cloud rejected ${plural(n(d.new), 'event')} for good since ${w.since} ` +
      `(${plural(n(d.dead), 'dead letter')} in the spool now).`,
    resolved: (d, w) =>
      `the dead letters that came after ${w.since} were replayed (${plural(n(d.dead), 'dead letter')} in the spool now).`,
    whatToDo:
      'Open "Dead letters" on the status page: the cloud\'s answer says what is wrong. Have the POS integrator fix the payload (or ask EmiliaVision), then press Replay.',
  },
  {
    id: 'spool_full',
    title: 'spool filling up',
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
    firing: (d, w) =>
      `the relay's spool is ${pct(d.full)} full (${size(d.bytes)} of ${size(d.max_bytes)}, alert above ${pct(d.threshold)}) ` +
      `since ${w.since}. When it is full, the POS gets 503 and its events are refused.`,
    resolved: (d) => `the spool is down to ${pct(d.full)} full (${size(d.bytes)} of ${size(d.max_bytes)}).`,
    whatToDo:
      'Restore the internet connection so waiting events drain; or lower spool.retention_days (reload), or raise spool.max_size_mb (restart).',
  },
  {
    id: 'payload_warnings',
    title: 'payload warnings',
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
    firing: (d, w) =>
      `events with payload warnings from ${tokenOf(d)}: ${d.warned} of ${d.events} since the relay started ` +
      `(first at ${w.since}): ${kinds(d)}. The cloud accepts them, but its dashboard may not show them.`,
    resolved: (d) =>
      `${tokenOf(d)} now sends clean events: ${plural(n(d.first_events), 'event')} in a row without payload warnings.`,
    whatToDo:
      'Send the warnings to the POS integrator: the status page ("Recent events") and `relay events show ID` give their full text.',
  },
  {
    id: 'spool_quarantined',
    title: 'spool damaged and set aside',
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
    firing: (d, w) =>
      `the disk damaged the relay's spool; at ${w.since} the relay set it aside as ${d.file} and kept taking ` +
      `events in a fresh one, and puts the readable waiting events back on its own (${d.reason}).`,
    resolved: (d) => `the damaged spool file ${d.file} was moved away; nothing else is set aside.`,
    whatToDo:
      "Check the PC's disk (SMART, Windows' chkdsk) and its power; keep the file for EmiliaVision support, then move it out of the spool folder.",
  },
  {
    id: 'lane_stalled',
    title: 'deliveries stalled',
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
    firing: (d, w) =>
      `the relay stopped sending the events of ${tokenOf(d)} (${d.env}): none was tried since ${w.since} (${w.lasted}) ` +
      `although ${waiting(n(d.pending))}. They are safe on this PC but do not move.`,
    resolved: (d, w) =>
      `the relay sends the events of ${tokenOf(d)} (${d.env}) again (stalled from ${w.since}, for ${w.lasted}).`,
    whatToDo:
      "Restart the relay (its service); the events go out from where they stopped. Keep the relay's log for EmiliaVision support: it says why the lane stopped.",
  },
  {
    id: 'unknown_token',
    title: 'unknown token',
    // One alert per token (first 8 characters) the relay keeps refusing with 401.
    check: (snap, { now }) => refusalFindings(snap, 'unknown_token', ['unknown_token'], now),
    firing: (d, w) =>
      `${posAt(d)} keeps sending ${tokenOf(d)}, which is not an active token in relay.toml: ` +
      `${many(d.refused)} webhooks refused (HTTP 401) in the last ${d.minutes} min, ${many(d.total)} since the relay started ` +
      `(alert since ${w.since}). ` +
      'Those events are not stored.',
    resolved: (d, w) =>
      `no webhook with ${tokenOf(d)} for ${d.minutes} min (refused from ${w.since}, for ${w.lasted}; ${many(d.total)} in all).`,
    whatToDo:
      'Compare the token in the POS\'s webhook URL with [[tokens]] in relay.toml: correct the POS, or add the token (active = true) and press "Reload config" on the status page. The refused events were not stored; the POS may send them again.',
  },
  {
    id: 'invalid_body',
    title: 'webhook bodies refused',
    // One alert per token whose bodies the relay keeps refusing (not JSON in UTF-8, too large).
    check: (snap, { now }) => refusalFindings(snap, 'invalid_body', Object.keys(BODY_KINDS), now),
    firing: (d, w) =>
      `${posAt(d)} keeps sending webhooks for ${tokenOf(d)} whose body the relay cannot take: ` +
      `${many(d.refused)} refused in the last ${d.minutes} min (` +
      Object.keys((d.kinds ?? {}) as Record<string, number>)
        .map((k) => BODY_KINDS[k] ?? k)
        .join(', ') +
      `), ${many(d.total)} since the relay started (alert since ${w.since}). Those events are not stored.`,
    resolved: (d, w) =>
      `the webhook bodies for ${tokenOf(d)} are taken again: none refused for ${d.minutes} min (refused from ${w.since}, for ${w.lasted}).`,
    whatToDo:
      'Send the POS integrator the line under "Refused webhooks" on the status page: each body must be one JSON value in UTF-8, at most server.max_body_bytes. The refused events were not stored; the POS may send them again.',
  },
  {
    id: 'admin_login_blocked',
    title: 'admin password guessed',
    // One alert per blocked address; it resolves when the block ends (admin/login-policy.ts).
    check: (snap) =>
      (snap.adminBlocks ?? []).map((b) => ({
        key: `admin_login_blocked:${b.client}`,
        bad: true,
        ok: false,
        since: b.since,
        details: { client: b.client, failures: b.failures, minutes: Math.ceil((b.until - b.since) / MINUTE) },
      })),
    firing: (d, w) =>
      `${d.client} sent ${many(d.failures)} wrong admin passwords; at ${w.since} the relay blocked it for ${d.minutes} min ` +
      '(its tries are answered 429 unchecked). Webhooks and other addresses are not affected.',
    resolved: (d, w) => `the block of ${d.client} ended (blocked from ${w.since}, for ${w.lasted}).`,
    whatToDo:
      'Find the device at that address: someone may be guessing the status page password. If the shared network reaches the relay, keep server.host on 127.0.0.1 or put TLS and a long [admin] password in front; change the password if it may be known.',
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
