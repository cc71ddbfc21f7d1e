import type { Config } from '../config/index.ts';
import { maskToken } from '../lib/mask.ts';

/**
 * What is wrong, read from one snapshot of the relay: pure, no clock, no I/O.
 * Every time here is monotonic (lib/clock.ts): `now`, each `since`, an age.
 * A wall-clock step changes none of them, so it neither fires nor silences
 * an alert; the wall times in `details` are for people to read.
 * Each condition says `bad` (start alerting) and `ok` (the problem is gone);
 * where a value can hover around its threshold, `ok` asks for more than
 * `!bad` (hysteresis), and a finding that is neither keeps its alert as it
 * is. That gap, with evaluate.ts's hold before "resolved", is what keeps a
 * flapping value from sending a message on every tick.
 */

export type AlertsConfig = Config['alerts'];

export const CONDITIONS = [
  'cloud_unreachable',
  'oldest_pending',
  'success_rate',
  'token_paused',
  'dead_letters',
  'spool_full',
  'payload_warnings',
  'spool_quarantined',
] as const;
export type ConditionId = (typeof CONDITIONS)[number];

/** A token as alerts show it: its first 8 characters and its configured name. */
export interface TokenRef {
  token: string;
  name: string;
}

export type Detail = string | number | boolean | null | Record<string, number>;
export type Details = Record<string, Detail>;

export interface Finding {
  /** One alert per key: the condition, plus the token for per-token conditions. Never holds a whole token. */
  key: string;
  condition: ConditionId;
  bad: boolean;
  ok: boolean;
  /** When the problem began, as far as the snapshot knows (the alert keeps the first one it saw). */
  since: number;
  details: Details;
  subject?: TokenRef;
}

/** A token's payload warnings on its first events since start (watch.ts keeps them). */
export interface TokenWarnings {
  token: string;
  /** Events seen since start. */
  seen: number;
  /** Events with warnings, counted while the token is watched. */
  warned: number;
  kinds: Record<string, number>;
  /** Monotonic time of the first warned event. */
  firstWarnedAt: number;
  /** True once `first_events` clean events in a row followed the last warned one: the integration is fixed. */
  settled: boolean;
}

/** The relay as the alerter sees it at one moment; alerter.ts builds it from Relay's parts. */
export interface Snapshot {
  /** The wall clock at this snapshot: for the wall times the spool records (a quarantine's `at`). */
  wall: number;
  /** `since`: monotonic time `reachable` last changed (the forwarder's cloud.sinceMono). */
  cloud: { reachable: boolean | null; since: number | null; lastError: string | null };
  spool: {
    pending: number;
    dead: number;
    bytes: number;
    maxBytes: number;
    /**
     * The lane head that has waited longest: its received_at (wall, as stored)
     * and its age in ms, anchored on the monotonic clock (age.ts).
     */
    oldest: { at: number; ageMs: number; token: string; env: string } | null;
    /** Damaged spool files set aside and still in place (spool/quarantine.ts). */
    quarantined: readonly { file: string; at: string; reason: string }[];
  };
  paused: readonly { token: string; reason: string }[];
  /** The latest delivery attempts, at most success_rate_window of them, by code ("200", "503", "error"). */
  attempts: { total: number; ok: number; codes: Record<string, number> };
  firstEvents: readonly TokenWarnings[];
  /** The configured tokens: names for the text, and what to scrub from error strings. */
  tokens: readonly { token: string; name: string }[];
}

const MINUTE = 60_000;
/** The spool clears this far below spool_full_above: deliveries and pruning move it in small steps. */
const SPOOL_CLEAR_MARGIN = 0.05;

/** A whole token never leaves the relay: any configured token found in a string is shown as its first 8 characters. */
export function scrubTokens(text: string, tokens: readonly { token: string }[]): string {
  let out = text;
  for (const { token } of tokens) {
    for (const form of new Set([token, encodeURIComponent(token)])) out = out.split(form).join(maskToken(token));
  }
  return out;
}

const ref = (snap: Snapshot, token: string): TokenRef => ({
  token: maskToken(token),
  name: snap.tokens.find((t) => t.token === token)?.name ?? '',
});

/** A per-token key: the masked token for reading, a hash so two tokens sharing their first 8 characters stay apart. */
const tokenKey = (c: ConditionId, token: string) => `${c}:${maskToken(token)}:${Bun.hash(token).toString(36)}`;

const round = (n: number, places = 3) => Math.round(n * 10 ** places) / 10 ** places;

/** The conditions a config turns off: their alerts end silently (nothing was resolved). */
export function disabledConditions(cfg: AlertsConfig): Set<ConditionId> {
  const off = new Set<ConditionId>();
  if (!cfg.token_paused) off.add('token_paused');
  if (!cfg.dead_letters) off.add('dead_letters');
  if (cfg.first_events === 0) off.add('payload_warnings');
  if (!cfg.spool_quarantined) off.add('spool_quarantined');
  return off;
}

/**
 * Every finding of `snap` at `now` (monotonic). `deadBaseline` is the dead-letter count
 * that is not news (those there at start, or when the last alert resolved).
 * Per-token findings are given only for tokens with something to say; an
 * alert whose key is absent counts as ok.
 */
export function findings(snap: Snapshot, cfg: AlertsConfig, now: number, deadBaseline: number): Finding[] {
  const out: Finding[] = [];
  const off = disabledConditions(cfg);

  const { cloud, spool } = snap;
  if (cloud.since !== null) {
    out.push({
      key: 'cloud_unreachable',
      condition: 'cloud_unreachable',
      // Unreachable for the whole of unreachable_minutes; clear only once the cloud answers again, so
      // a request that fails just after the alert started does not end it.
      bad: cloud.reachable === false && now - cloud.since >= cfg.unreachable_minutes * MINUTE,
      ok: cloud.reachable !== false,
      since: cloud.since,
      details: {
        last_error: cloud.lastError === null ? null : scrubTokens(cloud.lastError, snap.tokens),
        pending: spool.pending,
        threshold_minutes: cfg.unreachable_minutes,
      },
    });
  }

  const age = spool.oldest?.ageMs ?? 0;
  out.push({
    key: 'oldest_pending',
    condition: 'oldest_pending',
    bad: spool.oldest !== null && age > cfg.after_minutes * MINUTE,
    ok: spool.oldest === null || age <= cfg.after_minutes * MINUTE,
    since: now - age,
    details: {
      pending: spool.pending,
      oldest_received_at: spool.oldest ? new Date(spool.oldest.at).toISOString() : null,
      oldest_minutes: round(age / MINUTE, 1),
      token: spool.oldest ? maskToken(spool.oldest.token) : null,
      token_name: spool.oldest ? ref(snap, spool.oldest.token).name : null,
      env: spool.oldest?.env ?? null,
      threshold_minutes: cfg.after_minutes,
    },
  });

  const { attempts } = snap;
  // As the cloud guide's should_alert: no verdict before a full window of attempts.
  if (attempts.total >= cfg.success_rate_window) {
    const rate = attempts.ok / attempts.total;
    out.push({
      key: 'success_rate',
      condition: 'success_rate',
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
    });
  }

  if (!off.has('token_paused')) {
    for (const p of snap.paused) {
      out.push({
        key: tokenKey('token_paused', p.token),
        condition: 'token_paused',
        bad: true,
        ok: false,
        since: now,
        subject: ref(snap, p.token),
        details: { token: maskToken(p.token), token_name: ref(snap, p.token).name, reason: p.reason },
      });
    }
  }

  if (!off.has('dead_letters')) {
    out.push({
      key: 'dead_letters',
      condition: 'dead_letters',
      bad: spool.dead > deadBaseline,
      ok: spool.dead <= deadBaseline,
      since: now,
      details: { new: Math.max(0, spool.dead - deadBaseline), dead: spool.dead },
    });
  }

  if (spool.maxBytes > 0) {
    const full = spool.bytes / spool.maxBytes;
    out.push({
      key: 'spool_full',
      condition: 'spool_full',
      bad: full > cfg.spool_full_above,
      ok: full <= cfg.spool_full_above - Math.min(SPOOL_CLEAR_MARGIN, cfg.spool_full_above / 2),
      since: now,
      details: {
        full: round(full),
        bytes: spool.bytes,
        max_bytes: spool.maxBytes,
        threshold: cfg.spool_full_above,
      },
    });
  }

  if (!off.has('spool_quarantined')) {
    // One alert per set-aside file; it resolves when a technician moves the file away.
    for (const q of spool.quarantined) {
      out.push({
        key: `spool_quarantined:${q.file}`,
        condition: 'spool_quarantined',
        bad: true,
        ok: false,
        // The file's wall time as an age now, so the alert's since is monotonic like the rest.
        since: now - Math.max(0, snap.wall - Date.parse(q.at)),
        details: { file: q.file, reason: q.reason, pending: spool.pending },
      });
    }
  }

  if (!off.has('payload_warnings')) {
    for (const w of snap.firstEvents) {
      if (w.warned === 0) continue;
      out.push({
        key: tokenKey('payload_warnings', w.token),
        condition: 'payload_warnings',
        bad: !w.settled,
        ok: w.settled,
        since: w.firstWarnedAt,
        subject: ref(snap, w.token),
        details: {
          token: maskToken(w.token),
          token_name: ref(snap, w.token).name,
          warned: w.warned,
          events: w.seen,
          first_events: cfg.first_events,
          kinds: w.kinds,
        },
      });
    }
  }
  return out;
}
