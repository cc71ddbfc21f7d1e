/**
 * POS terminals for the power-cut test, and the judgement of what the cloud
 * got against what they were acknowledged.
 *
 * Each terminal is the guide's robust sender: the same body again after a
 * connection error or a 503, the next only after a 200. Two terminals share
 * each lane (token, env), so a lane's order is not one client's order: it is
 * judged by what the terminals saw happen (an event acknowledged before
 * another was sent must reach the cloud first) and by the relay's own ack
 * order (the seq in its ids), besides each terminal's own order.
 */
import type { Received } from '../helpers/mock-cloud.ts';

export interface Lane {
  token: string;
  env: 'prod' | 'dev';
}

export interface Ack {
  id: string;
  lane: number;
  client: number;
  body: string;
  /** Ticks of one counter shared by all terminals: the successful attempt's send, and its 200. */
  sentAt: number;
  ackedAt: number;
}

export class PosLoad {
  readonly acks: Ack[] = [];
  /** Bodies an attempt of which got no answer: the relay may have stored that attempt under a key never given. */
  readonly unanswered = new Set<string>();
  readonly unexpected: string[] = [];
  connErrors = 0;
  refused503 = 0;
  /** While set, no terminal starts a new event (one under way is still sent until answered). */
  paused = false;
  private tick = 0;
  private stopped = false;
  private running: Promise<void>[] = [];

  constructor(
    private readonly url: string,
    readonly lanes: readonly Lane[],
    private readonly rnd: () => number,
    private readonly perLane = 2,
    /** Upper bound of the pause between a 200 and the next event (ms): a busy restaurant, not a benchmark. */
    private readonly pauseMs = 6,
  ) {}

  start(): void {
    for (let l = 0; l < this.lanes.length; l++)
      for (let k = 0; k < this.perLane; k++) this.running.push(this.client(l, l * this.perLane + k));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running);
  }

  private async client(lane: number, client: number): Promise<void> {
    const { token, env } = this.lanes[lane]!;
    const url = `${this.url}/webhooks/v1/pos/${token}${env === 'dev' ? '?env=dev' : ''}`;
    for (let i = 0; !this.stopped; i++) {
      const body = JSON.stringify({
        event: 'order_created',
        client,
        i,
        pad: 'x'.repeat(Math.floor(this.rnd() * 2000)),
      });
      while (!this.stopped) {
        const sentAt = ++this.tick;
        try {
          const res = await fetch(url, {
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json' },
            signal: AbortSignal.timeout(10_000),
          });
          if (res.status === 200) {
            const { event_id } = (await res.json()) as { event_id: string };
            this.acks.push({ id: event_id, lane, client, body, sentAt, ackedAt: ++this.tick });
            break;
          }
          const text = await res.text();
          if (res.status === 503) this.refused503++;
          else {
            this.unexpected.push(`client ${client} event ${i}: ${res.status} ${text}`);
            return;
          }
        } catch {
          this.connErrors++; // the relay died mid-request or is not up yet: not acknowledged, send it again
          this.unanswered.add(body);
        }
        await Bun.sleep(20);
      }
      await Bun.sleep(1 + Math.floor(this.rnd() * this.pauseMs));
      while (this.paused && !this.stopped) await Bun.sleep(10);
    }
  }
}

/** The last 10 hex digits of a relay event id: its seq, the relay's ack order (src/spool/event-id.ts). */
const seqOf = (id: string) => Number.parseInt(id.slice(-10), 16);

export interface Verdict {
  lost: Ack[];
  /** Receipts beyond the first of their key: re-sent after a cut, same key, same bytes. */
  duplicatesSameKey: number;
  /** Keys the POS was never given: an attempt stored whose 200 the cut swallowed (its body was sent again). */
  unackedKeys: number;
  /** Everything else that is wrong: order, bytes, lanes, keys from nowhere. */
  problems: string[];
}

export function judge(load: PosLoad, receipts: readonly Received[]): Verdict {
  const problems: string[] = [];
  const byKey = new Map<string, Received[]>();
  const firstAt = new Map<string, number>();
  receipts.forEach((r, at) => {
    const key = r.headers['idempotency-key'] ?? '(none)';
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key)!.push(r);
    if (!firstAt.has(key)) firstAt.set(key, at);
  });
  const lost = load.acks.filter((a) => !byKey.has(a.id));
  for (const a of load.acks) {
    const lane = load.lanes[a.lane]!;
    for (const r of byKey.get(a.id) ?? []) {
      if (r.text !== a.body) problems.push(`${a.id}: a copy with other bytes`);
      if (r.token !== lane.token || r.env !== (lane.env === 'dev' ? 'dev' : null))
        problems.push(`${a.id}: delivered to another lane`);
    }
  }
  const delivered = load.acks.filter((a) => firstAt.has(a.id));
  const inDeliveryOrder = (xs: Ack[]) => [...xs].sort((x, y) => firstAt.get(x.id)! - firstAt.get(y.id)!);
  for (let l = 0; l < load.lanes.length; l++) {
    const lane = inDeliveryOrder(delivered.filter((a) => a.lane === l));
    let latestSend = 0;
    let lastSeq = 0;
    for (const a of lane) {
      if (a.ackedAt < latestSend)
        problems.push(`lane ${l}: ${a.id} acknowledged before an event delivered ahead of it was sent`);
      latestSend = Math.max(latestSend, a.sentAt);
      if (seqOf(a.id) < lastSeq) problems.push(`lane ${l}: ${a.id} delivered after a later seq`);
      lastSeq = Math.max(lastSeq, seqOf(a.id));
    }
    for (const c of new Set(lane.map((a) => a.client))) {
      const mine = lane.filter((a) => a.client === c).map((a) => a.ackedAt);
      if (mine.some((t, i) => i > 0 && t < mine[i - 1]!)) problems.push(`lane ${l}: client ${c}'s events out of order`);
    }
  }
  const acked = new Set(load.acks.map((a) => a.id));
  let unackedKeys = 0;
  for (const [key, copies] of byKey) {
    if (acked.has(key)) continue;
    unackedKeys++;
    if (!load.unanswered.has(copies[0]!.text))
      problems.push(`${key}: delivered, never acknowledged, and no attempt of its body went unanswered`);
    if (copies.some((r) => r.text !== copies[0]!.text)) problems.push(`${key}: copies with other bytes`);
  }
  return { lost, duplicatesSameKey: receipts.length - byKey.size, unackedKeys, problems: problems.slice(0, 20) };
}
