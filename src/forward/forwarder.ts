import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { maskToken } from '../lib/mask.ts';
import { noopMetrics, type RelayMetrics } from '../lib/metrics.ts';
import { type BucketState, takeToken } from '../lib/token-bucket.ts';
import { type Env, laneKey, type PendingEvent, type Spool } from '../spool/index.ts';
import { backoffDelay, classify, parseRetryAfter } from './policy.ts';

export interface ForwardSettings {
  cloudUrl: string;
  timeoutMs: number;
  ratePerToken: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface ForwarderDeps {
  spool: Spool;
  settings: () => ForwardSettings;
  clock: Clock;
  log: Logger;
  random?: () => number;
  userAgent?: string;
  metrics?: RelayMetrics;
}

export interface CloudStatus {
  reachable: boolean | null;
  since: number | null;
  lastDeliveryAt: number | null;
  lastError: string | null;
}

export interface PausedToken {
  token: string;
  until: number;
  reason: string;
}

interface Lane {
  token: string;
  env: Env;
  running: boolean;
  failures: number;
  notBefore: number;
}

interface TokenState {
  bucket?: BucketState;
  pausedUntil: number;
  reason: string;
}

interface Answer {
  status: number | null;
  body: string;
  retryAfterMs?: number;
  error?: string;
}

const MAX_ERROR_BODY = 2000;

/**
 * Drains the spool to the cloud: one runner per lane (token, env) with at most
 * one request in flight, so a later event never overtakes an earlier one; a
 * token bucket per token keeps the pace at forward.rate_per_token.
 */
export class Forwarder {
  private readonly lanes = new Map<string, Lane>();
  private readonly tokens = new Map<string, TokenState>();
  private readonly runners = new Set<Promise<void>>();
  private readonly stopCtl = new AbortController();
  private readonly random: () => number;
  private stopped = false;
  readonly cloud: CloudStatus = { reachable: null, since: null, lastDeliveryAt: null, lastError: null };

  constructor(private readonly deps: ForwarderDeps) {
    this.random = deps.random ?? Math.random;
  }

  start(): void {
    this.deps.spool.onAppend((token, env) => this.wake(token, env));
    for (const l of this.deps.spool.pendingLanes()) this.wake(l.token, l.env);
  }

  /** Starts the lane's runner unless it is already running. */
  wake(token: string, env: Env): void {
    if (this.stopped) return;
    const key = laneKey(token, env);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { token, env, running: false, failures: 0, notBefore: 0 };
      this.lanes.set(key, lane);
    }
    if (lane.running) return;
    lane.running = true;
    const p = this.runLane(lane)
      .catch((e) => this.deps.log.error({ err: (e as Error).message, token: maskToken(token) }, 'lane runner failed'))
      .finally(() => {
        lane.running = false;
        this.runners.delete(p);
      });
    this.runners.add(p);
  }

  /** Tokens the cloud refused (401): their lanes wait until `until`, then try the head again. */
  paused(): PausedToken[] {
    return [...this.tokens.entries()]
      .filter(([, s]) => s.reason !== '')
      .map(([token, s]) => ({ token, until: s.pausedUntil, reason: s.reason }));
  }

  /**
   * Graceful stop: no new requests; the one in flight may finish (bounded by
   * `graceMs`, then aborted — it will be sent again after restart, same key).
   */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.stopCtl.abort();
    const all = Promise.allSettled([...this.runners]);
    await Promise.race([all, Bun.sleep(graceMs)]);
  }

  private tokenState(token: string): TokenState {
    let s = this.tokens.get(token);
    if (!s) {
      s = { pausedUntil: 0, reason: '' };
      this.tokens.set(token, s);
    }
    return s;
  }

  private async runLane(lane: Lane): Promise<void> {
    const { spool, clock } = this.deps;
    while (!this.stopped) {
      const ev = spool.head(lane.token, lane.env);
      if (!ev) return;
      const ts = this.tokenState(lane.token);
      const settings = this.deps.settings();
      const waitUntil = Math.max(lane.notBefore, ts.pausedUntil);
      if (waitUntil > clock.now()) {
        await this.sleep(waitUntil - clock.now());
        continue;
      }
      const cap = Math.max(1, Math.ceil(settings.ratePerToken / 10));
      const take = takeToken(ts.bucket, clock.now(), { ratePerSec: settings.ratePerToken, capacity: cap });
      ts.bucket = take.state;
      if (!take.allowed) {
        await this.sleep(take.waitMs);
        continue;
      }
      const answer = await this.send(ev, settings);
      await this.settle(lane, ts, ev, answer, settings);
    }
  }

  private async settle(lane: Lane, ts: TokenState, ev: PendingEvent, a: Answer, st: ForwardSettings): Promise<void> {
    const { spool, clock, log } = this.deps;
    const at = clock.now();
    const verdict = classify(a.status);
    this.noteReachability(a, at);
    const metrics = this.deps.metrics ?? noopMetrics;
    metrics.attempt(a.status === null ? 'error' : String(a.status));
    const tokenLog = { token: maskToken(ev.token), env: ev.env, event_id: ev.id, status: a.status };
    switch (verdict) {
      case 'delivered': {
        await spool.markDelivered(ev, { at, status: a.status, cloudEventId: cloudEventId(a.body) });
        lane.failures = 0;
        lane.notBefore = 0;
        if (ts.reason !== '') log.info({ token: maskToken(ev.token) }, 'token accepted again by the cloud');
        ts.pausedUntil = 0;
        ts.reason = '';
        this.cloud.lastDeliveryAt = at;
        metrics.delivered(ev.token, ev.env);
        log.debug(tokenLog, 'delivered');
        return;
      }
      case 'retry': {
        await spool.recordAttempt(ev, 'retry', { at, status: a.status, error: a.error ?? truncate(a.body) });
        lane.failures++;
        const delay = backoffDelay(
          lane.failures,
          { initialMs: st.initialBackoffMs, maxMs: st.maxBackoffMs },
          this.random,
          a.retryAfterMs,
        );
        lane.notBefore = at + delay;
        log.warn({ ...tokenLog, error: a.error, retry_in_ms: delay }, 'delivery failed, will retry');
        return;
      }
      case 'pause': {
        await spool.recordAttempt(ev, 'pause', { at, status: a.status, error: truncate(a.body) });
        ts.pausedUntil = at + st.maxBackoffMs;
        ts.reason = `cloud answered ${a.status}: token invalid or inactive`;
        log.error(
          { ...tokenLog, retry_in_ms: st.maxBackoffMs },
          'cloud refused the token (401): its events are kept and retried; ask EmiliaVision to reactivate it',
        );
        return;
      }
      case 'dead': {
        await spool.markDead(ev, { at, status: a.status, error: truncate(a.body) });
        metrics.dead();
        lane.failures = 0;
        lane.notBefore = 0;
        log.error(tokenLog, 'cloud rejected the event; dead-lettered, lane moves on');
        return;
      }
    }
  }

  private noteReachability(a: Answer, at: number): void {
    const reachable = a.status !== null;
    if (this.cloud.reachable !== reachable) {
      this.cloud.reachable = reachable;
      this.cloud.since = at;
      this.deps.log.info({ reachable }, reachable ? 'cloud reachable' : 'cloud unreachable');
    }
    this.cloud.lastError = reachable ? null : (a.error ?? null);
  }

  private async send(ev: PendingEvent, st: ForwardSettings): Promise<Answer> {
    const url = `${st.cloudUrl}/webhooks/v1/pos/${encodeURIComponent(ev.token)}${ev.env === 'dev' ? '?env=dev' : ''}`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        body: ev.body,
        headers: {
          'Content-Type': 'application/json',
          'Idempotency-Key': ev.id,
          'User-Agent': this.deps.userAgent ?? 'emiliavision-relay',
        },
        signal: AbortSignal.timeout(st.timeoutMs),
      });
      const body = await res.text();
      return {
        status: res.status,
        body,
        retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.deps.clock.now()),
      };
    } catch (e) {
      const err = e as Error;
      const error = err.name === 'TimeoutError' ? `timeout after ${st.timeoutMs} ms` : err.message;
      return { status: null, body: '', error };
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, Math.max(1, ms));
      const signal = this.stopCtl.signal;
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }
}

function cloudEventId(body: string): string | null {
  try {
    const v = JSON.parse(body) as { event_id?: unknown };
    return typeof v.event_id === 'string' ? v.event_id : null;
  } catch {
    return null;
  }
}

const truncate = (s: string): string => (s.length > MAX_ERROR_BODY ? `${s.slice(0, MAX_ERROR_BODY)}…` : s);

export function createForwarder(deps: ForwarderDeps): Forwarder {
  return new Forwarder(deps);
}
