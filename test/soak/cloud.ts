/**
 * The soak's cloud: helpers/mock-cloud.ts on one fixed port, stopped to
 * refuse connections and started again on the same port, answering as the
 * schedule says. It keeps every 2xx it gave (what the cloud has stored), in
 * arrival order, across its restarts.
 */
import { type MockCloud, type Received, startMockCloud } from '../helpers/mock-cloud.ts';
import { freePort } from '../helpers/ports.ts';

export type CloudMode =
  | { kind: 'ok' }
  | { kind: '503' }
  | { kind: '429'; retryAfter: number }
  | { kind: 'slow'; delayMs: number };

export interface Delivery {
  /** The Idempotency-Key the relay sent (its event_id). */
  key: string;
  token: string;
  env: 'prod' | 'dev';
  /** The POS's lane and sequence number, read from the body; null if the body is not the POS's. */
  lane: string | null;
  seq: number | null;
  /** Real time (ms) the request arrived: the cloud stores before it answers. */
  at: number;
  /** Answered later than the relay waits: the relay may rightly send it again. */
  slow: boolean;
}

export interface SoakCloud {
  url: string;
  deliveries: Delivery[];
  /** Requests by answer: "200", "503", "429", and "refused" is not counted here (no request arrives). */
  answers: Record<string, number>;
  mode(m: CloudMode): void;
  down(): Promise<void>;
  up(): Promise<void>;
  readonly isUp: boolean;
  /** For the soak's own test: answer 200 to the n-th POS event but do not store it. */
  dropNth(n: number): void;
  stop(): Promise<void>;
}

export const laneOf = (token: string, env: string) => `${token.slice(0, 8)}/${env}`;

export async function startSoakCloud(timeoutMs: number): Promise<SoakCloud> {
  const port = freePort();
  let mock: MockCloud | null = null;
  let mode: CloudMode = { kind: 'ok' };
  let dropAt = -1;
  let posCount = 0;
  const deliveries: Delivery[] = [];
  const answers: Record<string, number> = {};
  const count = (k: string) => {
    answers[k] = (answers[k] ?? 0) + 1;
  };

  const answer = async (r: Received): Promise<Response> => {
    // The mock keeps every request; a long soak keeps only its own small records.
    if (mock && mock.received.length > 1000) {
      mock.received.length = 0;
      mock.stored.length = 0;
    }
    const m = mode;
    if (m.kind === '503') {
      count('503');
      return Response.json({ detail: 'mock 503' }, { status: 503 });
    }
    if (m.kind === '429') {
      count('429');
      return Response.json({ detail: 'mock 429' }, { status: 429, headers: { 'retry-after': String(m.retryAfter) } });
    }
    let lane: string | null = null;
    let seq: number | null = null;
    try {
      const soak = (JSON.parse(r.text) as { soak?: { lane?: string; seq?: number } }).soak;
      if (soak && typeof soak.lane === 'string' && typeof soak.seq === 'number') {
        lane = soak.lane;
        seq = soak.seq;
      }
    } catch {
      // Not JSON: recorded as a delivery of something the POS never posted.
    }
    const slow = m.kind === 'slow' && m.delayMs >= timeoutMs * 0.8;
    posCount++;
    if (posCount !== dropAt) {
      deliveries.push({
        key: r.headers['idempotency-key'] ?? '',
        token: r.token,
        env: r.env === 'dev' ? 'dev' : 'prod',
        lane,
        seq,
        at: Date.now(),
        slow,
      });
    }
    if (m.kind === 'slow') await Bun.sleep(m.delayMs);
    count('200');
    return Response.json({
      status: 'success',
      event_id: `cloud-${posCount}`,
      message: 'Webhook received and stored',
      received_at: new Date().toISOString(),
    });
  };

  const up = async () => {
    if (mock) return;
    // The port was freed a moment ago (down); retried briefly in case the kernel still holds it.
    for (let i = 0; ; i++) {
      try {
        mock = await startMockCloud(port);
        break;
      } catch (e) {
        if (i >= 50) throw new Error(`soak cloud: cannot listen on ${port} again: ${(e as Error).message}`);
        await Bun.sleep(100);
      }
    }
    mock.handler = answer;
  };
  const down = async () => {
    const m = mock;
    mock = null;
    if (m) await m.stop();
  };
  await up();
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    answers,
    mode: (m) => {
      mode = m;
    },
    up,
    down,
    get isUp() {
      return mock !== null;
    },
    dropNth: (n) => {
      dropAt = n;
    },
    stop: down,
  };
}
