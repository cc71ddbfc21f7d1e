/**
 * The POS side of the soak: one poster per lane (token, env), posting one
 * event at a time, each body unique (lane and sequence number inside), and
 * recording every 200 with the relay's event_id. One at a time per lane, so
 * the order of the acknowledgements is the order the relay must keep.
 * Floods: unknown tokens and broken JSON, answered 4xx and never stored.
 */
import { laneOf } from './cloud.ts';
import { request } from './request.ts';

export interface Ack {
  lane: string;
  seq: number;
  /** The relay's event_id: the Idempotency-Key the cloud must see. */
  id: string;
  /** Real time (ms) the 200 came back. */
  at: number;
}

export interface PosSink {
  ack(a: Ack): void;
  /** An answer a sound relay never gives a valid event (a 4xx, a 500, a 200 without event_id). */
  wrong(what: string): void;
  answer(status: string): void;
}

const ITEMS = ['Focaccia', 'Agua com Gas', 'Pasta', 'Tiramisu', 'Cafe', 'Vinho tinto'];

export function eventBody(lane: string, seq: number, rnd: () => number, runId: number): string {
  const n = 1 + Math.floor(rnd() * 4);
  const items = Array.from({ length: n }, (_, i) => ({
    id: `ITEM-${i + 1}`,
    name: ITEMS[Math.floor(rnd() * ITEMS.length)],
    quantity: 1 + Math.floor(rnd() * 3),
    price: Math.round(rnd() * 9000) / 100,
  }));
  return JSON.stringify({
    event: 'order_created',
    order_id: `SOAK-${lane}-${seq}`,
    table_number: `Mesa ${1 + Math.floor(rnd() * 30)}`,
    timestamp: new Date().toISOString().replace('Z', '+00:00'),
    items,
    soak: { run: runId, lane, seq },
  });
}

export class Poster {
  readonly lane: string;
  private seq = 0;
  stopped = false;

  constructor(
    private readonly base: string,
    readonly token: string,
    readonly env: 'prod' | 'dev',
    private readonly rnd: () => number,
    private readonly runId: number,
    private readonly sink: PosSink,
    /** True while the POS should post nothing (a silent calm). */
    private readonly quiet: () => boolean,
  ) {
    this.lane = laneOf(token, env);
  }

  async run(): Promise<void> {
    const url = `${this.base}/webhooks/v1/pos/${this.token}${this.env === 'dev' ? '?env=dev' : ''}`;
    while (!this.stopped) {
      if (this.quiet()) {
        await Bun.sleep(100);
        continue;
      }
      const seq = ++this.seq;
      const body = eventBody(this.lane, seq, this.rnd, this.runId);
      let pause = 60 + this.rnd() * 200;
      try {
        const r = await request(
          url,
          { method: 'POST', body, headers: { 'content-type': 'application/json' }, keepalive: false },
          15_000,
        );
        const text = r.text;
        this.sink.answer(String(r.status));
        if (r.status === 200) {
          const id = (JSON.parse(text) as { event_id?: unknown }).event_id;
          if (typeof id === 'string' && id !== '') this.sink.ack({ lane: this.lane, seq, id, at: Date.now() });
          else this.sink.wrong(`${this.lane} seq ${seq}: 200 without an event_id: ${text.slice(0, 200)}`);
        } else if (r.status === 503 || r.status === 429) {
          const ra = Number(r.headers.get('retry-after'));
          pause = Math.min(Number.isFinite(ra) && ra > 0 ? ra * 1000 : 500, 2000);
        } else {
          this.sink.wrong(`${this.lane} seq ${seq}: a valid event was answered ${r.status}: ${text.slice(0, 200)}`);
        }
      } catch (e) {
        const name = (e as Error).name;
        this.sink.answer(name === 'TimeoutError' ? 'timeout' : 'no connection');
        pause = 200;
      }
      await Bun.sleep(pause);
    }
  }
}

const BROKEN: (string | Uint8Array)[] = [
  '{"event": "order_created", "order_id": ',
  'not json at all',
  '{"a": 1}}',
  '',
  '[1, 2,',
  '{"event": "x", "total": NaN}',
  new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
  `{"deep": ${'['.repeat(5000)}${']'.repeat(5000)}}`,
];

export interface FloodResult {
  sent: number;
  byStatus: Record<string, number>;
  /** Answers that break a promise: an unknown token or broken JSON acknowledged. */
  wrong: string[];
}

/**
 * `concurrency` clients for `seconds`: unknown tokens (random UUIDs, junk,
 * a very long one) on a valid body, or broken JSON on a valid token.
 */
export async function flood(
  base: string,
  kind: 'tokens' | 'json',
  validToken: string,
  seconds: number,
  rnd: () => number,
  concurrency = 8,
): Promise<FloodResult> {
  const res: FloodResult = { sent: 0, byStatus: {}, wrong: [] };
  const end = Date.now() + seconds * 1000;
  const one = async () => {
    while (Date.now() < end) {
      let url: string;
      let body: string | Uint8Array;
      if (kind === 'tokens') {
        const r = rnd();
        const token =
          r < 0.7
            ? crypto.randomUUID()
            : r < 0.9
              ? `junk-${Math.floor(rnd() * 1e9)}`
              : 'x'.repeat(2000 + Math.floor(rnd() * 2000));
        url = `${base}/webhooks/v1/pos/${token}`;
        body = eventBody('flood', 0, rnd, 0);
      } else {
        url = `${base}/webhooks/v1/pos/${validToken}`;
        body = BROKEN[Math.floor(rnd() * BROKEN.length)] as string | Uint8Array;
      }
      res.sent++;
      try {
        const r = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } }, 10_000);
        const k = String(r.status);
        res.byStatus[k] = (res.byStatus[k] ?? 0) + 1;
        if (r.status >= 200 && r.status < 300 && res.wrong.length < 5)
          res.wrong.push(
            `flood_${kind}: answered ${r.status} to ${kind === 'tokens' ? 'an unknown token' : 'broken JSON'}`,
          );
      } catch (e) {
        const k = (e as Error).name === 'TimeoutError' ? 'timeout' : 'no connection';
        res.byStatus[k] = (res.byStatus[k] ?? 0) + 1;
        await Bun.sleep(50);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, one));
  return res;
}
