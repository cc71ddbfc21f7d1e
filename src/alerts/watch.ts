import type { Clock } from '../lib/clock.ts';
import type { RefusalCounts, RelayMetrics } from '../lib/metrics.ts';
import type { Snapshot, TokenWarnings } from './conditions.ts';

/**
 * What the alerter needs but no snapshot holds: the latest delivery attempts
 * (success rate) and each token's payload warnings on its first events. Fed
 * through the RelayMetrics calls the forwarder and ingest already make (see
 * watchMetrics), so neither needs a hook of its own. Every call is O(1) and
 * touches memory only: `received` is on the ingest path.
 */

interface Track {
  token: string;
  seen: number;
  warned: number;
  kinds: Record<string, number>;
  firstWarnedAt: number;
  /** Clean events in a row since the last warned one. */
  cleanRun: number;
  /** Done: first_events clean ones (or a fixed integration); later events are not watched. */
  settled: boolean;
}

export interface WatchSettings {
  success_rate_window: number;
  first_events: number;
}

export class AlertWatch {
  private ring: string[] = [];
  /** The oldest slot once the ring is full. */
  private next = 0;
  private size = 0;
  private readonly tracks = new Map<string, Track>();
  private refusalTally: RefusalCounts | null = null;
  /** The event being received: ingest calls warning() for it right after received(), in the same turn. */
  private open: { track: Track; warned: boolean } | null = null;

  constructor(
    private readonly settings: () => WatchSettings,
    private readonly clock: Clock,
  ) {}

  /** One delivery attempt's code, as the forwarder gives it to RelayMetrics.attempt. */
  attempt(code: string): void {
    const size = this.settings().success_rate_window;
    if (size !== this.size) this.resize(size);
    if (this.ring.length < size) this.ring.push(code);
    else {
      this.ring[this.next] = code;
      this.next = (this.next + 1) % size;
    }
  }

  received(token: string): void {
    this.close();
    let t = this.tracks.get(token);
    if (!t) {
      t = { token, seen: 0, warned: 0, kinds: {}, firstWarnedAt: 0, cleanRun: 0, settled: false };
      this.tracks.set(token, t);
    }
    if (t.settled) return;
    t.seen++;
    this.open = { track: t, warned: false };
  }

  warning(id: string): void {
    if (!this.open) return;
    this.open.warned = true;
    const k = this.open.track.kinds;
    k[id] = (k[id] ?? 0) + 1;
  }

  attempts(): Snapshot['attempts'] {
    const size = this.settings().success_rate_window;
    if (size !== this.size) this.resize(size);
    const codes: Record<string, number> = {};
    let ok = 0;
    for (const c of this.ring) {
      codes[c] = (codes[c] ?? 0) + 1;
      if (/^2\d\d$/.test(c)) ok++;
    }
    return { total: this.ring.length, ok, codes };
  }

  /** Ingest's refusal tally (http/tally.ts), handed over through watchMetrics. */
  watchRefusals(tally: RefusalCounts): void {
    this.refusalTally = tally;
  }

  /** Refused webhooks per kind and token, for the unknown_token and invalid_body conditions. */
  refusals(): Snapshot['refusals'] {
    return (this.refusalTally?.entries() ?? []).map(({ reason, token, client, count, recent }) => ({
      reason,
      token,
      client,
      count,
      recent,
    }));
  }

  /** Tokens whose first events carried warnings (and those that since settled). */
  firstEvents(): TokenWarnings[] {
    this.close();
    return [...this.tracks.values()]
      .filter((t) => t.warned > 0)
      .map((t) => ({ ...t, kinds: { ...t.kinds } }))
      .map(({ cleanRun: _, ...w }) => w);
  }

  /** Settles the event being received: the next received() or a snapshot comes after all its warnings. */
  private close(): void {
    const o = this.open;
    if (!o) return;
    this.open = null;
    const t = o.track;
    const first = this.settings().first_events;
    if (o.warned) {
      // A warning past the first events starts nothing; it only keeps an alert that is open going.
      if (t.seen <= first || t.warned > 0) {
        if (t.warned === 0) t.firstWarnedAt = this.clock.mono();
        t.warned++;
        t.cleanRun = 0;
      } else {
        t.settled = true;
      }
      return;
    }
    if (t.warned > 0) {
      t.cleanRun++;
      if (t.cleanRun >= Math.max(1, first)) t.settled = true;
    } else if (t.seen >= first) {
      t.settled = true;
    }
  }

  /** A reload changed success_rate_window: keep the latest attempts, oldest first. */
  private resize(size: number): void {
    const ordered = [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    this.ring = ordered.slice(-size);
    this.next = 0;
    this.size = size;
  }
}

/**
 * `inner` with its attempt/received/warning calls also told to `watch`;
 * everything else (render, watch, warningCounts, contentType) is inner's,
 * through the prototype. What the forwarder and ingest are given in relay.ts.
 */
export function watchMetrics<M extends RelayMetrics>(inner: M, watch: AlertWatch): M {
  const observed: Partial<RelayMetrics> = {
    attempt(code) {
      watch.attempt(code);
      inner.attempt(code);
    },
    received(token, env) {
      watch.received(token);
      inner.received(token, env);
    },
    warning(name) {
      watch.warning(name);
      inner.warning(name);
    },
    watchRefusals(tally) {
      watch.watchRefusals(tally);
      inner.watchRefusals(tally);
    },
  };
  return Object.assign(Object.create(inner) as M, observed);
}
