import type { Logger } from '../lib/log.ts';
import { maskToken } from '../lib/mask.ts';
import type { RelayMetrics } from '../lib/metrics.ts';
import type { BucketState } from '../lib/token-bucket.ts';
import type { Env, PendingEvent, Spool, Verdict } from '../spool/index.ts';
import { backoffDelay } from './policy.ts';
import type { ProxyRoute } from './proxy.ts';

export interface ForwardSettings {
  cloudUrl: string;
  timeoutMs: number;
  ratePerToken: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How requests reach the cloud (resolveProxy); absent: direct, whatever the environment says. */
  proxy?: ProxyRoute;
}

export interface CloudStatus {
  reachable: boolean | null;
  /** Wall time `reachable` last changed (for people to read). */
  since: number | null;
  /** Monotonic time `reachable` last changed (for ages the relay acts on). */
  sinceMono: number | null;
  lastDeliveryAt: number | null;
  lastError: string | null;
}

export interface Lane {
  token: string;
  env: Env;
  running: boolean;
  /** Failed deliveries in a row: the backoff's exponent. */
  failures: number;
  /** Monotonic time before which the head is not sent again (backoff). */
  notBefore: number;
  /** Runner failures in a row (a spool read or write that threw): the restart's backoff. */
  crashes: number;
  /** The pending restart of a failed runner. */
  restart: ReturnType<typeof setTimeout> | null;
  /** The last attempt got no answer at all (the connection failed): the lane resumes when any lane reaches the cloud. */
  cloudDown: boolean;
  /** Cuts the lane's current wait short (set while it sleeps). */
  nudge: (() => void) | null;
  /** Monotonic time the runner has promised to act by: its wait's end, or its request's timeout (stalled() reads it). */
  dueBy: number;
}

export interface TokenState {
  bucket?: BucketState;
  /** Monotonic time the token's pause (a 401) ends. */
  pausedUntil: number;
  reason: string;
}

/**
 * A lane with pending events that has made no attempt for longer than its
 * scheduled wait plus a margin: its runner is gone or stuck.
 */
export interface StalledLane {
  token: string;
  env: Env;
  /** Monotonic time the lane should have tried by (its scheduled attempt plus the margin). */
  sinceMono: number;
  /** How long past that it is, in ms. */
  overdueMs: number;
}

/** The cloud's answer to one request (`status` null: no HTTP answer). */
export interface CloudAnswer {
  status: number | null;
  body: string;
  retryAfterMs?: number;
  error?: string;
  /** The answer is the proxy's (a 407), not the cloud's: the cloud was not reached. */
  fromProxy?: boolean;
}

/** Everything a verdict handler reads or updates for one settled attempt. */
export interface Settling {
  spool: Spool;
  log: Logger;
  metrics: RelayMetrics;
  random: () => number;
  cloud: CloudStatus;
  lane: Lane;
  ts: TokenState;
  ev: PendingEvent;
  a: CloudAnswer;
  st: ForwardSettings;
  /** Wall time of the answer: what is stored and shown. */
  at: number;
  /** Monotonic time of the answer: what waits are measured from. */
  atMono: number;
  tokenLog: Record<string, unknown>;
}

const MAX_ERROR_BODY = 2000;

/**
 * What the forwarder does for each verdict. A mapped type over the spool's
 * VERDICTS, not a switch: a verdict added there fails to compile here until it
 * is handled, instead of falling through and resending the head at full rate.
 */
export const verdictHandlers: { [V in Verdict]: (c: Settling) => Promise<void> } = {
  async delivered({ spool, log, metrics, cloud, lane, ts, ev, a, at, tokenLog }) {
    await spool.markDelivered(ev, { at, status: a.status, cloudEventId: cloudEventId(a.body) });
    lane.failures = 0;
    lane.notBefore = 0;
    if (ts.reason !== '') log.info({ token: maskToken(ev.token) }, 'token accepted again by the cloud');
    ts.pausedUntil = 0;
    ts.reason = '';
    cloud.lastDeliveryAt = at;
    metrics.delivered(ev.token, ev.env);
    log.debug(tokenLog, 'delivered');
  },

  async retry({ spool, log, random, lane, ev, a, st, at, atMono, tokenLog }) {
    await spool.recordAttempt(ev, 'retry', { at, status: a.status, error: a.error ?? truncate(a.body) });
    lane.failures++;
    const delay = backoffDelay(
      lane.failures,
      { initialMs: st.initialBackoffMs, maxMs: st.maxBackoffMs },
      random,
      a.retryAfterMs,
    );
    lane.notBefore = atMono + delay;
    log.warn({ ...tokenLog, error: a.error, retry_in_ms: delay }, 'delivery failed, will retry');
  },

  async pause({ spool, log, ts, ev, a, st, at, atMono, tokenLog }) {
    await spool.recordAttempt(ev, 'pause', { at, status: a.status, error: truncate(a.body) });
    ts.pausedUntil = atMono + st.maxBackoffMs;
    ts.reason = `cloud answered ${a.status}: token invalid or inactive`;
    log.error(
      { ...tokenLog, retry_in_ms: st.maxBackoffMs },
      'cloud refused the token (401): its events are kept and retried; ask EmiliaVision to reactivate it',
    );
  },

  async dead({ spool, log, metrics, lane, ev, a, at, tokenLog }) {
    await spool.markDead(ev, { at, status: a.status, error: truncate(a.body) });
    metrics.dead();
    lane.failures = 0;
    lane.notBefore = 0;
    log.error(tokenLog, 'cloud rejected the event; dead-lettered, lane moves on');
  },
};

function cloudEventId(body: string): string | null {
  try {
    const v = JSON.parse(body) as { event_id?: unknown };
    return typeof v.event_id === 'string' ? v.event_id : null;
  } catch {
    return null;
  }
}

const truncate = (s: string): string => (s.length > MAX_ERROR_BODY ? `${s.slice(0, MAX_ERROR_BODY)}…` : s);
