/**
 * What the soak knows and checks: every acknowledgement the POS got, every
 * event the cloud stored, per lane (token, env). The checks are the
 * promises: every 200 reaches the cloud, once per Idempotency-Key unless a
 * disruption explains a re-send, in acknowledgement order per lane, and a
 * lane with pending events delivers soon once nothing excuses it.
 */

import type { Delivery } from './cloud.ts';
import type { Ack } from './pos.ts';

export type ViolationKind =
  | 'lost'
  | 'order'
  | 'duplicate'
  | 'wrong_event'
  | 'stall'
  | 'health_ok_while_stalled'
  | 'not_serving'
  | 'crash'
  | 'restart'
  | 'log_size'
  | 'rss'
  | 'pos_answer'
  | 'flood_answer';

export interface Violation {
  /** Seconds from the start of the run. */
  t: number;
  kind: ViolationKind;
  message: string;
}

interface LaneState {
  /** Acknowledged, not yet seen at the cloud, in acknowledgement order. */
  pending: Map<string, Ack>;
  /** Real ms of the lane's latest first delivery (a re-send is not progress). */
  lastDelivery: number;
  stallReported: boolean;
  healthReported: boolean;
}

export class Ledger {
  readonly acks = new Map<string, Ack>();
  readonly first = new Map<string, { d: Delivery; index: number }>();
  private readonly lanes = new Map<string, LaneState>();
  private seen = 0;
  redeliveredExcused = 0;
  /** Real ms of the disruptions that explain a re-send: kill -9, the cloud going down, a full spool disk. */
  private readonly disruptions: number[] = [];
  private spoolFullSince: number | null = null;
  private readonly spoolFull: [number, number][] = [];

  constructor(private readonly violate: (kind: ViolationKind, message: string) => void) {}

  private lane(name: string): LaneState {
    let s = this.lanes.get(name);
    if (!s) {
      s = { pending: new Map(), lastDelivery: 0, stallReported: false, healthReported: false };
      this.lanes.set(name, s);
    }
    return s;
  }

  disruption(at: number): void {
    this.disruptions.push(at);
  }

  spoolDiskFull(full: boolean, at: number): void {
    if (full) this.spoolFullSince = at;
    else if (this.spoolFullSince !== null) {
      this.spoolFull.push([this.spoolFullSince, at]);
      this.spoolFullSince = null;
    }
  }

  ack(a: Ack): void {
    this.acks.set(a.id, a);
    const f = this.first.get(a.id);
    if (f) this.checkSame(a, f.d);
    else this.lane(a.lane).pending.set(a.id, a);
  }

  private checkSame(a: Ack, d: Delivery): void {
    if (d.lane !== a.lane || d.seq !== a.seq)
      this.violate(
        'wrong_event',
        `the cloud got ${d.lane ?? 'a body the POS never posted'} seq ${d.seq} under key ${a.id}, acknowledged as ${a.lane} seq ${a.seq}`,
      );
  }

  private excusesResend(first: Delivery, again: Delivery): boolean {
    if (first.slow) return true;
    if (this.disruptions.some((t) => t >= first.at - 1000 && t <= again.at)) return true;
    const full = [...this.spoolFull, ...(this.spoolFullSince !== null ? [[this.spoolFullSince, again.at]] : [])];
    return full.some(([a, b]) => (a as number) <= again.at && (b as number) >= first.at - 1000);
  }

  /** Takes in what the cloud stored since the last call. */
  absorb(deliveries: Delivery[]): void {
    for (; this.seen < deliveries.length; this.seen++) {
      const d = deliveries[this.seen] as Delivery;
      if (d.lane === null) {
        this.violate(
          'wrong_event',
          `the cloud got a body the POS never posted, key ${d.key} (token ${d.token.slice(0, 8)}…)`,
        );
        continue;
      }
      const laneOfRequest = `${d.token.slice(0, 8)}/${d.env}`;
      if (laneOfRequest !== d.lane)
        this.violate('wrong_event', `event ${d.lane} seq ${d.seq} was delivered as ${laneOfRequest} (key ${d.key})`);
      const prev = this.first.get(d.key);
      if (prev) {
        if (this.excusesResend(prev.d, d)) this.redeliveredExcused++;
        else
          this.violate(
            'duplicate',
            `key ${d.key} (${d.lane} seq ${d.seq}) delivered again ${((d.at - prev.d.at) / 1000).toFixed(1)} s after the first time, with no kill, cloud restart, full spool disk or slow answer between`,
          );
        continue;
      }
      this.first.set(d.key, { d, index: this.seen });
      const s = this.lane(d.lane);
      s.lastDelivery = Math.max(s.lastDelivery, d.at);
      s.stallReported = false;
      s.healthReported = false;
      const a = this.acks.get(d.key);
      if (a) {
        s.pending.delete(d.key);
        this.checkSame(a, d);
      }
    }
  }

  pendingCount(): number {
    let n = 0;
    for (const s of this.lanes.values()) n += s.pending.size;
    return n;
  }

  /**
   * Lanes with pending events and no delivery since `calmSince` (the latest
   * moment something excused a stall) for longer than `graceMs`, with how
   * long; reports each stall once, until the lane delivers again.
   */
  stalls(now: number, calmSince: number): { lane: string; ms: number; pending: number; s: LaneState }[] {
    const out: { lane: string; ms: number; pending: number; s: LaneState }[] = [];
    for (const [lane, s] of this.lanes) {
      const oldest = s.pending.values().next().value as Ack | undefined;
      if (!oldest) continue;
      const since = Math.max(calmSince, s.lastDelivery, oldest.at);
      out.push({ lane, ms: now - since, pending: s.pending.size, s });
    }
    return out;
  }

  /** The end: every acknowledged event stored by the cloud, in acknowledgement order per lane. */
  finalChecks(): { lost: number } {
    let lost = 0;
    const lostList: string[] = [];
    const byLane = new Map<string, Ack[]>();
    for (const a of this.acks.values()) {
      if (!this.first.has(a.id)) {
        lost++;
        if (lostList.length < 10) lostList.push(`${a.lane} seq ${a.seq} (${a.id})`);
      }
      const l = byLane.get(a.lane) ?? [];
      l.push(a);
      byLane.set(a.lane, l);
    }
    if (lost > 0)
      this.violate(
        'lost',
        `${lost} acknowledged event(s) had not reached the cloud by the end of the drain, e.g. ${lostList.join(', ')}`,
      );
    for (const [lane, acks] of byLane) {
      acks.sort((x, y) => x.seq - y.seq);
      let prev: { a: Ack; index: number } | null = null;
      let reported = 0;
      for (const a of acks) {
        const f = this.first.get(a.id);
        if (!f) continue;
        if (prev && f.index < prev.index && reported++ < 3)
          this.violate(
            'order',
            `${lane}: seq ${a.seq} (acknowledged after seq ${prev.a.seq}) reached the cloud before it`,
          );
        if (!prev || f.index > prev.index) prev = { a, index: f.index };
      }
    }
    return { lost };
  }
}
