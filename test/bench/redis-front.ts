/**
 * The server a team would most likely write instead of the relay:
 * a Bun.serve handler that answers 200 once Redis acknowledged an RPUSH of the
 * body. Redis runs with `appendonly yes` and `appendfsync always`, so that
 * acknowledgement comes after the AOF was fsynced: the same promise as the
 * relay's 200. It does about as little as such a front would: a token
 * looked up in a Set, the body pushed as bytes, a JSON answer of the relay's shape.
 * No JSON parsing, no warnings, no constant-time compare, no limits.
 *
 * Usage: bun test/bench/redis-front.ts PORT REDIS_PORT
 * GET answers 200 once Redis answers PING (the bench's readiness probe).
 */
import { RedisClient } from 'bun';
import { BENCH_TOKENS } from './lib.ts';

const [port, redisPort] = [Number(Bun.argv[2]), Number(Bun.argv[3])];
if (!Number.isInteger(port) || !Number.isInteger(redisPort)) {
  console.error(`redis-front.ts: expected PORT REDIS_PORT, got ${JSON.stringify(Bun.argv.slice(2))}`);
  process.exit(2);
}

// One connection, auto-pipelined (Bun's default): the RPUSHes of one event-loop
// turn leave in one write, and Redis fsyncs the AOF once per turn of its own
// loop before it replies: the group commit a Redis front gets for free.
const redis = new RedisClient(`redis://127.0.0.1:${redisPort}`, { enableAutoPipelining: true });
await redis.connect();

const TOKENS = new Set<string>(BENCH_TOKENS);
const PREFIX = '/webhooks/v1/pos/';
const json = { 'content-type': 'application/json' };

Bun.serve({
  port,
  hostname: '127.0.0.1',
  async fetch(req) {
    if (req.method !== 'POST') {
      await redis.ping();
      return new Response('ok');
    }
    const path = req.url.slice(req.url.indexOf('/', 8)); // after "http://host:port"
    const token = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : '';
    if (!TOKENS.has(token)) return new Response('{"status":"error","message":"unknown token"}', { status: 404 });
    const body = new Uint8Array(await req.arrayBuffer());
    try {
      const length = await redis.rpush(`events:${token}`, body);
      return new Response(
        JSON.stringify({
          status: 'success',
          event_id: `${token.slice(0, 8)}-${length}`,
          message: 'Webhook received and stored',
          received_at: new Date().toISOString(),
        }),
        { headers: json },
      );
    } catch (e) {
      // Not stored: the POS must retry, as with the relay's 503.
      return new Response(JSON.stringify({ status: 'error', message: String(e) }), { status: 503, headers: json });
    }
  },
});
console.log(`redis front listening on 127.0.0.1:${port}, Redis on ${redisPort}`);
