/**
 * A mock EmiliaVision cloud: a real HTTP server on an ephemeral port that
 * records every request and answers as told (200 by default, like the cloud).
 */
export interface Received {
  path: string;
  token: string;
  env: string | null;
  query: string;
  headers: Record<string, string>;
  body: Uint8Array;
  text: string;
  at: number;
}

export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; body?: unknown; retryAfter?: string }
  | { kind: 'hang'; ms: number };

export interface MockCloud {
  url: string;
  port: number;
  received: Received[];
  /** Requests answered 2xx, i.e. what the cloud has stored. */
  stored: Received[];
  /** Answer the next requests with these, in order; then fall back to `always`. */
  next(...b: Behaviour[]): void;
  always(b: Behaviour): void;
  /** Custom answer; return undefined to fall through to the queued behaviour. */
  handler?: (r: Received) => Response | undefined | Promise<Response | undefined>;
  stop(): Promise<void>;
}

export async function startMockCloud(port = 0): Promise<MockCloud> {
  const queue: Behaviour[] = [];
  let fallback: Behaviour = { kind: 'ok' };
  const received: Received[] = [];
  const stored: Received[] = [];
  let counter = 0;
  const mock: MockCloud = {
    url: '',
    port: 0,
    received,
    stored,
    next: (...b) => queue.push(...b),
    always: (b) => {
      fallback = b;
    },
    stop: async () => {
      server.stop(true);
    },
  };
  const server = Bun.serve({
    port,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (req.method === 'GET' && url.pathname === '/health') return Response.json({ status: 'ok' });
      const body = new Uint8Array(await req.arrayBuffer());
      const r: Received = {
        path: url.pathname,
        token: decodeURIComponent(url.pathname.split('/').pop() ?? ''),
        env: url.searchParams.get('env'),
        query: url.search,
        headers: Object.fromEntries(req.headers.entries()),
        body,
        text: new TextDecoder().decode(body),
        at: Date.now(),
      };
      received.push(r);
      const custom = mock.handler ? await mock.handler(r) : undefined;
      if (custom) {
        if (custom.status >= 200 && custom.status < 300) stored.push(r);
        return custom;
      }
      const b = queue.shift() ?? fallback;
      if (b.kind === 'hang') {
        await Bun.sleep(b.ms);
        return Response.json({ detail: 'late' }, { status: 504 });
      }
      if (b.kind === 'status') {
        const headers: Record<string, string> = {};
        if (b.retryAfter !== undefined) headers['retry-after'] = b.retryAfter;
        if (b.status >= 200 && b.status < 300) stored.push(r);
        return Response.json(b.body ?? { detail: `mock ${b.status}` }, { status: b.status, headers });
      }
      stored.push(r);
      counter++;
      return Response.json({
        status: 'success',
        event_id: `cloud-${counter}`,
        message: 'Webhook received and stored',
        received_at: new Date().toISOString(),
      });
    },
  });
  mock.port = server.port as number;
  mock.url = `http://127.0.0.1:${server.port}`;
  return mock;
}

/** A mock cloud that refuses `token` as the cloud does (401 "Invalid or inactive webhook token") and takes the rest. */
export async function refusingCloud(token: string): Promise<MockCloud> {
  const mock = await startMockCloud();
  mock.handler = (r) =>
    r.token === token ? Response.json({ detail: 'Invalid or inactive webhook token' }, { status: 401 }) : undefined;
  return mock;
}
