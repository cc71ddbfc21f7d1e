import { type Clock, wallAt } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { maskToken } from '../lib/mask.ts';
import { noopMetrics, type RelayMetrics } from '../lib/metrics.ts';
import { takeToken } from '../lib/token-bucket.ts';
import { type Env, laneKey, type PendingEvent, type Spool } from '../spool/index.ts';
import { USER_AGENT } from '../version.ts';
import {
  backoffDelay,
  classify,
  clockSkew,
  laneStall,
  parseRetryAfter,
  recoverySlot,
  STALL_MARGIN_MS,
} from './policy.ts';
import { fetchProxy, type ProxyRoute, showProxy } from './proxy.ts';
import { proxyAnswer, proxyFailure, scrubProxy, throughProxy } from './proxy-errors.ts';
import {
  type CloudAnswer,
  type CloudStatus,
  type ForwardSettings,
  type Lane,
  type StalledLane,
  type TokenState,
  verdictHandlers,
} from './settle.ts';

export type { CloudStatus, ForwardSettings, StalledLane } from './settle.ts';

export interface ForwarderDeps {
  spool: Spool;
  settings: () => ForwardSettings;
  clock: Clock;
  log: Logger;
  random?: () => number;
  userAgent?: string;
  metrics?: RelayMetrics;
  /** Told this PC's clock minus the cloud's, from each answer's Date header (the POS-clock warning uses it). */
  onCloudClock?: (skewMs: number) => void;
}

export interface PausedToken {
  token: string;
  /** Wall time the pause ends, for people to read (the lanes wait on the monotonic clock). */
  until: number;
  reason: string;
}

/** A lane runner that failed (a spool read or write that threw) is started again after this, doubling up to the max backoff. */
const RUNNER_RESTART_MS = 1000;
/** Once the cloud answers again, the lanes that waited on it try within this, spread out. */
const RECOVERY_SPREAD_MS = 1000;

/**
 * How long stop() waits for runners once their requests are aborted. An
 * aborted fetch rejects at once; this only bounds a spool write under way, so
 * a stuck runner can never keep the relay from exiting.
 */
const ABORT_SETTLE_MS = 1000;

/**
 * Drains the spool to the cloud: one runner per lane (token, env) with at most
 * one request in flight, so a later event never overtakes an earlier one; a
 * token bucket per token keeps the pace at forward.rate_per_token.
 */
export class Forwarder {
  private readonly lanes = new Map<string, Lane>();
  private readonly tokens = new Map<string, TokenState>();
  private readonly runners = new Set<Promise<void>>();
  /** Aborted at stop: wakes sleeping runners. */
  private readonly stopCtl = new AbortController();
  /** Aborted when stop's grace period is over: cancels the requests in flight. */
  private readonly cancelCtl = new AbortController();
  private readonly random: () => number;
  private stopped = false;
  /** Monotonic time start() ran: a pending lane with no runner at all is overdue from then. */
  private startedAt = 0;
  /** Set just before stop() resolves: from then on nothing is written to the spool (it is about to close). */
  private halted = false;
  private stopping: Promise<void> | null = null;
  /** The proxy the last request went through (null: direct; undefined: none sent yet), logged when it changes. */
  private proxyUrl: string | null | undefined;
  readonly cloud: CloudStatus = {
    reachable: null,
    since: null,
    sinceMono: null,
    lastDeliveryAt: null,
    lastError: null,
  };

  constructor(private readonly deps: ForwarderDeps) {
    this.random = deps.random ?? Math.random;
  }

  start(): void {
    this.startedAt = this.deps.clock.mono();
    this.deps.spool.onAppend((token, env) => this.wake(token, env));
    for (const l of this.deps.spool.pendingLanes()) this.wake(l.token, l.env);
  }

  /** Starts the lane's runner unless it is already running. */
  wake(token: string, env: Env): void {
    if (this.stopped) return;
    const key = laneKey(token, env);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = {
        token,
        env,
        running: false,
        failures: 0,
        notBefore: 0,
        crashes: 0,
        restart: null,
        cloudDown: false,
        nudge: null,
        dueBy: this.deps.clock.mono(),
      };
      this.lanes.set(key, lane);
    }
    if (lane.running) return;
    if (lane.restart) {
      clearTimeout(lane.restart);
      lane.restart = null;
    }
    lane.running = true;
    lane.dueBy = this.deps.clock.mono();
    const l = lane;
    const p = this.runLane(l)
      .then(
        () => {
          l.crashes = 0;
        },
        (e) => this.restartLater(l, e),
      )
      .finally(() => {
        l.running = false;
        this.runners.delete(p);
      });
    this.runners.add(p);
  }

  /**
   * A runner that threw (a spool read or write failed: a full disk, a file
   * being set aside) is started again by its owner, with backoff, whether or
   * not a new event arrives on its lane: its pending events must not wait for one.
   */
  private restartLater(lane: Lane, e: unknown): void {
    lane.crashes++;
    const st = this.deps.settings();
    const delay = backoffDelay(
      lane.crashes,
      { initialMs: RUNNER_RESTART_MS, maxMs: Math.max(RUNNER_RESTART_MS, st.maxBackoffMs) },
      () => 1,
    );
    lane.dueBy = this.deps.clock.mono() + delay;
    this.deps.log.error(
      { err: (e as Error).message, token: maskToken(lane.token), env: lane.env, restart_in_ms: delay },
      'lane runner failed; restarting it',
    );
    if (this.stopped) return;
    lane.restart = setTimeout(() => {
      lane.restart = null;
      this.wake(lane.token, lane.env);
    }, delay);
  }

  /**
   * Lanes with pending events whose runner has not tried within its scheduled
   * wait plus STALL_MARGIN_MS: a runner gone, or stuck on a spool write or a
   * request past its timeout. Empty while a salvage holds the lanes (their
   * deliveries wait for it by design) and once stopping.
   */
  stalled(): StalledLane[] {
    if (this.stopped) return [];
    const now = this.deps.clock.mono();
    const out: StalledLane[] = [];
    for (const { token, env } of this.deps.spool.pendingLanes()) {
      const lane = this.lanes.get(laneKey(token, env));
      const s = laneStall(lane ? lane.dueBy : this.startedAt, now, STALL_MARGIN_MS);
      if (s) out.push({ token, env, ...s });
    }
    return out;
  }

  /** Tokens the cloud refused (401): their lanes wait until `until`, then try the head again. */
  paused(): PausedToken[] {
    return [...this.tokens.entries()]
      .filter(([, s]) => s.reason !== '')
      .map(([token, s]) => ({ token, until: Math.round(wallAt(this.deps.clock, s.pausedUntil)), reason: s.reason }));
  }

  /**
   * Graceful stop: no new requests; the one in flight may finish (bounded by
   * `graceMs`, then aborted — it will be sent again after restart, same key).
   * Resolves once the runners have settled (or, at worst, ABORT_SETTLE_MS
   * after the abort); after that the forwarder writes nothing to the spool.
   */
  stop(graceMs = 5000): Promise<void> {
    this.stopping ??= this.halt(graceMs);
    return this.stopping;
  }

  private async halt(graceMs: number): Promise<void> {
    this.stopped = true;
    this.stopCtl.abort();
    for (const lane of this.lanes.values()) {
      if (lane.restart) clearTimeout(lane.restart);
      lane.restart = null;
    }
    if (!(await settledWithin(this.runners, graceMs))) {
      this.cancelCtl.abort();
      if (!(await settledWithin(this.runners, ABORT_SETTLE_MS))) {
        this.deps.log.warn({ runners: this.runners.size }, 'forwarder stopped with lane runners still busy');
      }
    }
    this.halted = true;
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
    // Every wait here is on the monotonic clock: a step of the wall clock
    // (NTP, a date fixed by hand) neither freezes a lane nor hurries it.
    while (!this.stopped) {
      lane.dueBy = clock.mono();
      const ev = spool.head(lane.token, lane.env);
      if (!ev) return;
      const ts = this.tokenState(lane.token);
      const settings = this.deps.settings();
      const waitUntil = Math.max(lane.notBefore, ts.pausedUntil);
      if (waitUntil > clock.mono()) {
        lane.dueBy = waitUntil;
        await this.sleep(waitUntil - clock.mono(), lane);
        continue;
      }
      const cap = Math.max(1, Math.ceil(settings.ratePerToken / 10));
      const take = takeToken(ts.bucket, clock.mono(), { ratePerSec: settings.ratePerToken, capacity: cap });
      ts.bucket = take.state;
      if (!take.allowed) {
        lane.dueBy = clock.mono() + take.waitMs;
        await this.sleep(take.waitMs);
        continue;
      }
      lane.dueBy = clock.mono() + settings.timeoutMs;
      const answer = await this.send(ev, settings);
      lane.dueBy = clock.mono();
      // Cut off by stop, or too late to write: the cloud's answer (if any) is
      // unknown to us, so the event stays pending, its attempts untouched, and
      // is sent again after restart under the same Idempotency-Key.
      if (answer === null || this.halted) {
        this.deps.log.debug({ token: maskToken(ev.token), env: ev.env, event_id: ev.id }, 'request cut off by stop');
        return;
      }
      await this.settle(lane, ts, ev, answer, settings);
    }
  }

  private settle(lane: Lane, ts: TokenState, ev: PendingEvent, a: CloudAnswer, st: ForwardSettings): Promise<void> {
    const { spool, clock, log } = this.deps;
    const at = clock.now();
    const atMono = clock.mono();
    const recovered = this.noteReachability(a, at, atMono);
    // The connection itself failed: the cloud's state, not this lane's (cloud-wide recovery below).
    lane.cloudDown = a.status === null;
    if (recovered) this.recoverLanes(lane, atMono, st);
    const metrics = this.deps.metrics ?? noopMetrics;
    metrics.attempt(a.status === null ? 'error' : String(a.status));
    const tokenLog = { token: maskToken(ev.token), env: ev.env, event_id: ev.id, status: a.status };
    return verdictHandlers[classify(a.status)]({
      spool,
      log,
      metrics,
      random: this.random,
      cloud: this.cloud,
      lane,
      ts,
      ev,
      a,
      st,
      at,
      atMono,
      tokenLog,
    });
  }

  /**
   * The cloud answered again after a failure of the connection: every other
   * lane that was backing off from such a failure tries within
   * RECOVERY_SPREAD_MS instead of sitting out its own backoff (up to
   * max_backoff_seconds), spread over that second so they do not all arrive
   * at once; the per-token pace still holds. Lanes waiting on an answer about
   * their token (401, 429, a 5xx) keep their waits.
   */
  private recoverLanes(answered: Lane, atMono: number, st: ForwardSettings): void {
    // Every lane asleep after a failed connection, whatever its wait says: a
    // wait that is over by the clock but whose timer has not fired yet (a
    // busy loop, a suspended PC) is woken too, and takes its turn in the
    // spread like the rest.
    const waiting = [...this.lanes.values()].filter((l) => l !== answered && l.cloudDown && l.nudge !== null);
    for (const [i, l] of waiting.entries()) {
      l.notBefore = recoverySlot(atMono, i, waiting.length, RECOVERY_SPREAD_MS);
      l.cloudDown = false;
      l.nudge?.();
    }
    if (waiting.length > 0)
      this.deps.log.info(
        { lanes: waiting.length, timeout_ms: st.timeoutMs },
        'cloud answers again; waiting lanes resume',
      );
  }

  /** Notes whether the cloud answered; true when it answers again after not answering. */
  private noteReachability(a: CloudAnswer, at: number, atMono: number): boolean {
    // A proxy's 407 is an HTTP answer, but not the cloud's: the cloud was not reached.
    const reachable = a.status !== null && !a.fromProxy;
    const recovered = reachable && this.cloud.reachable === false;
    if (this.cloud.reachable !== reachable) {
      this.cloud.reachable = reachable;
      this.cloud.since = at;
      this.cloud.sinceMono = atMono;
      this.deps.log.info({ reachable }, reachable ? 'cloud reachable' : 'cloud unreachable');
    }
    this.cloud.lastError = reachable ? null : (a.error ?? null);
    return recovered;
  }

  /** The cloud's answer, or null when stop aborted the request before it was read in full. */
  private async send(ev: PendingEvent, st: ForwardSettings): Promise<CloudAnswer | null> {
    const url = `${st.cloudUrl}/webhooks/v1/pos/${encodeURIComponent(ev.token)}${ev.env === 'dev' ? '?env=dev' : ''}`;
    const cancel = this.cancelCtl.signal;
    const route = st.proxy;
    this.noteRoute(route);
    const sentAt = this.deps.clock.now();
    // One controller per request, its timer and listener removed when it settles:
    // AbortSignal.any over AbortSignal.timeout kept every request's signals alive
    // (about 100,000 of them during a fast drain, a third of the relay's memory).
    const ctl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort(new DOMException(`timeout after ${st.timeoutMs} ms`, 'TimeoutError'));
    }, st.timeoutMs);
    const onCancel = () => ctl.abort(cancel.reason);
    cancel.addEventListener('abort', onCancel, { once: true });
    try {
      const res = await fetch(url, {
        method: 'POST',
        // Always explicit: a proxy chosen by resolveProxy, or none even if HTTP(S)_PROXY is set.
        proxy: fetchProxy(route?.url),
        body: ev.body,
        headers: {
          'Content-Type': 'application/json',
          'Idempotency-Key': ev.id,
          'User-Agent': this.deps.userAgent ?? USER_AGENT,
        },
        signal: ctl.signal,
      });
      const body = await res.text();
      const proxied = route ? proxyAnswer(res.status, res.statusText, route) : undefined;
      const skew = proxied ? null : clockSkew(sentAt, this.deps.clock.now(), res.headers.get('date'));
      if (skew !== null) this.deps.onCloudClock?.(skew);
      return {
        status: res.status,
        body,
        retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.deps.clock.now()),
        ...(proxied ? { error: proxied, fromProxy: true } : {}),
      };
    } catch (e) {
      // Checked first: a stop is not the cloud's failure, even if a timeout fired too.
      if (cancel.aborted) return null;
      const err = e as Error;
      const error =
        timedOut || err.name === 'TimeoutError'
          ? `timeout after ${st.timeoutMs} ms${throughProxy(route)}`
          : ((route && proxyFailure(e, route, st.cloudUrl)) ??
            `${scrubProxy(err.message, route)}${throughProxy(route)}`);
      return { status: null, body: '', error };
    } finally {
      clearTimeout(timer);
      cancel.removeEventListener('abort', onCancel);
    }
  }

  /** Logs the route to the cloud when it changes (first request, reload, an environment change). */
  private noteRoute(route: ProxyRoute | undefined): void {
    const url = route?.url ?? null;
    if (url === this.proxyUrl) return;
    const first = this.proxyUrl === undefined;
    this.proxyUrl = url;
    if (url !== null)
      this.deps.log.info({ proxy: showProxy(url), from: route!.from }, 'cloud requests go through a proxy');
    else if (!first || route?.from) this.deps.log.info({ from: route?.from ?? '' }, 'cloud requests go direct');
  }

  /** Waits `ms`, or less: until stop, or until the lane's wait is cut short (recoverLanes). */
  private sleep(ms: number, lane?: Lane): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, Math.max(1, ms));
      const signal = this.stopCtl.signal;
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        if (lane) lane.nudge = null;
        resolve();
      }
      signal.addEventListener('abort', done);
      if (lane) lane.nudge = done;
    });
  }
}

/** True when every promise in `set` settled within `ms`; the timer is cleared either way. */
async function settledWithin(set: ReadonlySet<Promise<unknown>>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([Promise.allSettled([...set]).then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createForwarder(deps: ForwarderDeps): Forwarder {
  return new Forwarder(deps);
}
