/**
 * The ceiling the relay is measured against: a bare Bun.serve that reads the
 * whole body and answers a fixed JSON of the same shape as the relay's 200.
 * Usage: bun test/bench/bare.ts PORT
 */
const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error(`bare.ts: expected a port number as the first argument, got ${JSON.stringify(process.argv[2])}`);
  process.exit(2);
}
const answer = JSON.stringify({
  status: 'success',
  event_id: '019ab6ed-150a-7be1-920f-ab82305e5d41',
  message: 'Webhook received and stored',
  received_at: '2025-11-24T21:30:00.000Z',
});
Bun.serve({
  port,
  hostname: '127.0.0.1',
  async fetch(req) {
    await req.arrayBuffer();
    return new Response(answer, { headers: { 'content-type': 'application/json' } });
  },
});
console.log(`bare listening on 127.0.0.1:${port}`);
