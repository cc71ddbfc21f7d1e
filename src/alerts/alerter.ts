import { hostname } from 'node:os';
import type { Config } from '../config/index.ts';
import type { CloudStatus, PausedToken, StalledLane } from '../forward/index.ts';
import { languageOr } from '../i18n/index.ts';
import { type Clock, type ClockStep, wallAt } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { SpoolStats } from '../spool/index.ts';
import { type AgeAnchor, ageAt, anchorAge } from './age.ts';
import type { ConditionId, Details, Snapshot, TokenRef } from './conditions.ts';
import { Channel, DEFAULT_DISPATCH, type DispatchOptions, type ReceiverStatus } from './dispatch.ts';
import { type AlertState, DEFAULT_RESOLVE_AFTER_MS, evaluate, initialState, type Transition } from './evaluate.ts';
import { activeInWall, fromStored, storedChange, toStored } from './memory.ts';
import { type AlertMessage, type RenderContext, render } from './messages.ts';
import { type Receiver, type ReceiverEnv, receiversFor } from './receivers.ts';
import type { AlertWatch } from './watch.ts';

/**
 * Evaluates the conditions every `tickMs` from snapshots the relay already
 * keeps (spool stats, the forwarder's cloud status and paused tokens, the
 * watch), and hands each transition to every receiver's queue. A tick is
 * synchronous and cheap (one spool.stats() read); sending is the channels'.
 * It acts on the monotonic clock (ticks, holds, repeats, ages); the times
 * people read are converted to wall time when shown (wallAt).
 */

/** What the alerter reads; relay.ts gives the spool's and the forwarder's. */
export interface AlertSource {
  spool(): SpoolStats;
  cloud(): CloudStatus;
  paused(): readonly PausedToken[];
  /** Lanes whose runner has not tried past its schedule. */
  stalled(): readonly StalledLane[];
  /**
   * The wall-clock steps seen since start, oldest first, up to now (relay.ts
   * checks for a new one first): a waiting event's received_at is read in the
   * frame it was received in (age.ts). Absent: none.
   */
  clockSteps?(): readonly ClockStep[];
  /** Client addresses blocked now for wrong admin passwords (admin/logins.ts); times monotonic. Absent: none. */
  adminBlocks?(): readonly { client: string; since: number; until: number; failures: number }[];
}

export interface AlerterOptions extends Partial<DispatchOptions> {
  /** How often the conditions are evaluated (default 5 s). */
  tickMs?: number;
  /** How long a condition stays ok before "resolved" is sent (default 2 min). */
  resolveAfterMs?: number;
  /** Replaces the receivers [alerts] names (tests). */
  receivers?: (cfg: Config) => Receiver[];
}

/**
 * Where the alert state outlives the process (the spool's meta table):
 * read once at start, written when it changes (memory.ts).
 */
export interface AlertMemory {
  load(): string | null;
  save(value: string): Promise<void>;
}

export interface AlerterDeps extends AlerterOptions {
  config: () => Config;
  source: AlertSource;
  /** Absent: the alerts start afresh with every process. */
  memory?: AlertMemory;
  watch: AlertWatch;
  clock: Clock;
  log: Logger;
  userAgent: string;
  env?: Record<string, string | undefined>;
}

/** An alert that fires now; its times are wall times, in today's wall-clock frame. */
export interface FiringAlert {
  condition: ConditionId;
  /** Per-token conditions: the token's first 8 characters and name. */
  subject?: TokenRef;
  since: number;
  firedAt: number;
  lastSentAt: number;
  text: string;
  details: Details;
}

export interface SentAlert {
  /** Wall time it was given to the receivers. */
  at: number;
  condition: ConditionId;
  state: AlertMessage['state'];
  repeat: boolean;
  text: string;
}

export interface AlertStatus {
  firing: FiringAlert[];
  /** The latest messages given to the receivers, newest first (whether each arrived: `receivers`). */
  lastSent: SentAlert[];
  receivers: ReceiverStatus[];
}

export interface AlertCounters {
  /** Messages produced since start, by state; repeats are counted in `firing` and again in `repeats`. */
  messages: { firing: number; resolved: number; repeats: number };
  receivers: { kind: string; sent: number; failures: number; dropped: number; queued: number }[];
  firing: Partial<Record<ConditionId, number>>;
}

const DEFAULT_TICK_MS = 5000;
const laneKey = (env: string, token: string) => `${env}\n${token}`;
const LAST_SENT_KEPT = 20;
const STOP_GRACE_MS = 1000;

export class Alerter {
  private state: AlertState = initialState();
  private channels = new Map<string, Channel>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  private readonly lastSent: SentAlert[] = [];
  private readonly counts = { firing: 0, resolved: 0, repeats: 0 };
  private readonly dispatch: DispatchOptions;
  private readonly host = hostname();
  /** Each lane head's age, anchored on the monotonic clock the first time it was seen (age.ts). */
  private ages = new Map<string, AgeAnchor>();
  /** What was last given to memory.save (memory.ts storedChange) and the clock steps seen then. */
  private saved = '';
  private saveFailing = false;

  constructor(private readonly deps: AlerterDeps) {
    const { timeoutMs, initialBackoffMs, maxBackoffMs, queueSize } = { ...DEFAULT_DISPATCH, ...deps };
    this.dispatch = { timeoutMs, initialBackoffMs, maxBackoffMs, queueSize };
  }

  /** Evaluates at once (what is wrong at start is told now, and dead letters already there are not news), then every tickMs. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.restore();
    this.tick();
    this.timer = setInterval(() => this.tick(), this.deps.tickMs ?? DEFAULT_TICK_MS);
  }

  /**
   * One evaluation at the clock's now; its transitions are queued to every
   * receiver and returned. Never throws: a failure is logged and the next tick comes.
   */
  tick(): Transition[] {
    if (this.stopped) return [];
    try {
      const cfg = this.deps.config();
      this.syncReceivers(cfg);
      const now = this.deps.clock.mono();
      const r = evaluate(this.state, this.snapshot(cfg), now, cfg.alerts, {
        resolveAfterMs: this.deps.resolveAfterMs ?? DEFAULT_RESOLVE_AFTER_MS,
      });
      this.state = r.state;
      for (const t of r.transitions) this.send(t, cfg);
      this.remember();
      return r.transitions;
    } catch (e) {
      this.deps.log.error({ err: (e as Error).message }, 'alert evaluation failed');
      return [];
    }
  }

  status(): AlertStatus {
    const cfg = this.deps.config();
    const wall = this.wall;
    return {
      firing: [...this.state.active.values()].map((a) => ({
        ...activeInWall(a, wall),
        text: render({ ...a, state: 'firing', repeat: false, at: this.deps.clock.mono() }, this.context(cfg), wall)
          .message.text,
      })),
      lastSent: [...this.lastSent],
      receivers: [...this.channels.values()].map((c) => c.status()),
    };
  }

  counters(): AlertCounters {
    const firing: Partial<Record<ConditionId, number>> = {};
    for (const a of this.state.active.values()) firing[a.condition] = (firing[a.condition] ?? 0) + 1;
    return {
      messages: { ...this.counts },
      receivers: [...this.channels.values()].map((c) => {
        const s = c.status();
        return { kind: s.kind, sent: s.sent, failures: s.failures, dropped: s.dropped, queued: s.queued };
      }),
      firing,
    };
  }

  /**
   * How long the head of a lane, received at wall time `receivedAt`, has
   * waited: the age the alerts act on (age.ts), for the status page.
   */
  laneAge(token: string, env: string, receivedAt: number): number {
    const mono = this.deps.clock.mono();
    const steps = this.deps.source.clockSteps?.() ?? [];
    return ageAt(anchorAge(this.ages.get(laneKey(env, token)), receivedAt, this.deps.clock.now(), mono, steps), mono);
  }

  /** Resolves once every receiver's queue is empty (tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.channels.values()].map((c) => c.idle()));
  }

  /** Stops evaluating at once; a send under way gets at most a second, so the relay's stop is never held up. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([...this.channels.values()].map((c) => c.stop(STOP_GRACE_MS)));
  }

  /**
   * The state the last process saved, in this one's monotonic frame: what
   * fired before the restart is not news, and its resolution is still owed.
   * A spool that cannot say is logged and the alerts start afresh.
   */
  private restore(): void {
    const memory = this.deps.memory;
    if (!memory) return;
    try {
      const r = fromStored(memory.load(), this.reading());
      if (!r) return;
      this.state = r.state;
      this.saved = this.change();
      if (r.state.active.size > 0 || r.steppedBackMs > 0 || r.dropped.length > 0) {
        this.deps.log.info(
          {
            firing: [...r.state.active.keys()],
            ...(r.steppedBackMs > 0 ? { clock_stepped_back_ms: r.steppedBackMs } : {}),
            ...(r.dropped.length > 0 ? { dropped: r.dropped } : {}),
          },
          'alerts firing before the restart restored',
        );
      }
    } catch (e) {
      this.deps.log.error(
        { err: (e as Error).message },
        'alert state could not be read from the spool; alerts start afresh',
      );
    }
  }

  /**
   * Saves the state when it changed (an alert began, was repeated or ended,
   * the dead-letter baseline moved), and after a wall-clock step, since the
   * spool keeps wall times. A failed save is logged; alerts go on in memory.
   */
  private remember(): void {
    const memory = this.deps.memory;
    if (!memory) return;
    const change = this.change();
    if (change === this.saved) return;
    this.saved = change;
    memory.save(JSON.stringify(toStored(this.state, this.reading()))).then(
      () => {
        this.saveFailing = false;
      },
      (e: Error) => {
        this.saved = ''; // tried again on the next tick; told once until a save works
        if (!this.saveFailing) this.deps.log.error({ err: e.message }, 'alert state could not be saved in the spool');
        this.saveFailing = true;
      },
    );
  }

  private change(): string {
    return `${storedChange(this.state)}\n${this.deps.source.clockSteps?.().length ?? 0}`;
  }

  private reading() {
    return { wall: this.deps.clock.now(), mono: this.deps.clock.mono() };
  }

  /** A monotonic instant as the wall time people read. */
  private readonly wall = (mono: number): number => Math.round(wallAt(this.deps.clock, mono));

  private context(cfg: Config): RenderContext {
    return { site: cfg.site.name || this.host, timeZone: cfg.site.timezone, lang: languageOr(cfg.site.language) };
  }

  private send(t: Transition, cfg: Config): void {
    const out = render(t, this.context(cfg), this.wall);
    if (t.state === 'resolved') this.counts.resolved++;
    else this.counts.firing++;
    if (t.repeat) this.counts.repeats++;
    this.lastSent.unshift({
      at: this.wall(t.at),
      condition: t.condition,
      state: t.state,
      repeat: t.repeat,
      text: out.message.text,
    });
    this.lastSent.length = Math.min(this.lastSent.length, LAST_SENT_KEPT);
    // The log has every alert too: with no receiver configured, it is where they go.
    this.deps.log.warn({ alert: t.condition, state: t.state, repeat: t.repeat }, out.message.text);
    for (const c of this.channels.values()) c.enqueue(out);
  }

  private snapshot(cfg: Config): Snapshot {
    const s = this.deps.source.spool();
    const wall = this.deps.clock.now();
    const mono = this.deps.clock.mono();
    // Per lane: a head's age must not jump with a wall-clock step, and the
    // longest-waiting lane is the one with the oldest head by that age.
    const ages = new Map<string, AgeAnchor>();
    const steps = this.deps.source.clockSteps?.() ?? [];
    let oldest: Snapshot['spool']['oldest'] = null;
    for (const l of s.lanes) {
      if (l.oldestReceivedAt === null) continue;
      const key = laneKey(l.env, l.token);
      const anchor = anchorAge(this.ages.get(key), l.oldestReceivedAt, wall, mono, steps);
      ages.set(key, anchor);
      const ageMs = ageAt(anchor, mono);
      if (oldest === null || ageMs > oldest.ageMs)
        oldest = { at: l.oldestReceivedAt, ageMs, token: l.token, env: l.env };
    }
    this.ages = ages;
    const cloud = this.deps.source.cloud();
    return {
      wall,
      cloud: { reachable: cloud.reachable, since: cloud.sinceMono, lastError: cloud.lastError },
      spool: {
        pending: s.pending,
        dead: s.dead,
        bytes: s.bytes,
        maxBytes: s.maxBytes,
        oldest,
        quarantined: s.quarantined,
      },
      paused: this.deps.source.paused().map((p) => ({ token: p.token, reason: p.reason })),
      stalled: this.deps.source.stalled().map((l) => ({
        token: l.token,
        env: l.env,
        since: l.sinceMono,
        overdueMs: l.overdueMs,
        pending: s.lanes.find((x) => x.token === l.token && x.env === l.env)?.pending ?? 0,
      })),
      attempts: this.deps.watch.attempts(),
      firstEvents: this.deps.watch.firstEvents(),
      refusals: this.deps.watch.refusals(),
      tokens: cfg.tokens.map((t) => ({ token: t.token, name: t.name })),
      adminBlocks: this.deps.source.adminBlocks?.() ?? [],
    };
  }

  /** The receivers follow a reload: a changed one takes over the old one's waiting messages. */
  private syncReceivers(cfg: Config): void {
    const env: ReceiverEnv = {
      proxy: cfg.cloud.proxy,
      env: this.deps.env ?? process.env,
      userAgent: this.deps.userAgent,
      host: this.host,
    };
    const wanted = this.deps.receivers ? this.deps.receivers(cfg) : receiversFor(cfg.alerts, env);
    const keys = wanted.map((r) => r.key).join('\n');
    if (keys === [...this.channels.keys()].join('\n')) return;
    const next = new Map<string, Channel>();
    for (const r of wanted) {
      const old = this.channels.get(r.key);
      next.set(r.key, old ?? new Channel(r, this.dispatch, this.deps.clock, this.deps.log));
    }
    for (const [key, old] of this.channels) {
      if (next.has(key)) continue;
      const heir = [...next.values()].find((c) => c.receiver.kind === old.receiver.kind);
      heir?.adopt(old);
      void old.stop(0);
    }
    this.channels = next;
  }
}
