/**
 * One rung of the ladder (ladder.ts): the relay's ingest path rebuilt a piece
 * at a time on the same stack, to show what each piece costs.
 * Usage: bun test/bench/ladder-server.ts STEP PORT DIR (PORT 0: any free one, printed)
 * GET answers 200 (the bench's readiness probe).
 */
import { fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Elysia } from 'elysia';
import { checkJson } from '../../src/http/index.ts';
import { payloadWarnings } from '../../src/warnings/index.ts';
import { STEPS, type Step } from './ladder.ts';
import { type Appendable, openStore } from './ladder-store.ts';

const [step, portArg, dir] = Bun.argv.slice(2) as [Step, string, string];
const port = Number(portArg);
if (!STEPS.some((s) => s.id === step) || !Number.isInteger(port) || !dir) {
  console.error(
    `ladder-server.ts: expected STEP PORT DIR with STEP one of ${STEPS.map((s) => s.id).join(', ')}; got ${JSON.stringify(Bun.argv.slice(2))}`,
  );
  process.exit(2);
}

const json = { 'content-type': 'application/json' };
const FIXED = JSON.stringify({
  status: 'success',
  event_id: '019ab6ed-150a-7be1-920f-ab82305e5d41',
  message: 'Webhook received and stored',
  received_at: '2025-11-24T21:30:00.000Z',
});

/** Resolves every caller of one event-loop turn together: a group commit that stores nothing. */
function waves(): () => Promise<void> {
  let waiting: (() => void)[] = [];
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length === 1)
        setImmediate(() => {
          const now = waiting;
          waiting = [];
          for (const r of now) r();
        });
    });
}

/** Group commit on the event loop, as the relay's writer does: one transaction per turn's appends. */
function inThread(sync: 'OFF' | 'FULL'): (e: Omit<Appendable, 'seq'>) => Promise<number> {
  const store = openStore(join(dir, 'ladder.db'), sync);
  let seq = 0;
  let queue: { e: Appendable; done: (seq: number) => void }[] = [];
  return (e) =>
    new Promise((done) => {
      queue.push({ e: { ...e, seq: ++seq }, done });
      if (queue.length === 1)
        setImmediate(() => {
          const batch = queue;
          queue = [];
          store.write(batch.map((q) => q.e));
          for (const q of batch) q.done(q.e.seq);
        });
    });
}

/** Storing on a Worker (ladder-worker.ts): each turn's appends are posted at once, several batches in flight. */
async function onWorker(): Promise<(e: Omit<Appendable, 'seq'>) => Promise<number>> {
  const worker = new Worker(join(import.meta.dir, 'ladder-worker.ts'));
  await new Promise<void>((ready) => {
    worker.onmessage = () => ready();
    worker.postMessage({ path: join(dir, 'ladder.db') });
  });
  const inFlight = new Map<number, { e: Appendable; done: (seq: number) => void }[]>();
  worker.onmessage = (ev: MessageEvent<number[]>) => {
    for (const id of ev.data) {
      for (const q of inFlight.get(id)!) q.done(q.e.seq);
      inFlight.delete(id);
    }
  };
  let seq = 0;
  let batchId = 0;
  let queue: { e: Appendable; done: (seq: number) => void }[] = [];
  return (e) =>
    new Promise((done) => {
      queue.push({ e: { ...e, seq: ++seq }, done });
      if (queue.length === 1)
        setImmediate(() => {
          const id = ++batchId;
          inFlight.set(id, queue);
          worker.postMessage({ id, events: queue.map((q) => q.e) });
          queue = [];
        });
    });
}

/**
 * An append-only log on the ack's path: each turn's events in one write and
 * one fdatasync, then the answers; a Worker (ladder-log-worker.ts) puts them
 * into the spool's tables afterwards.
 */
async function logged(): Promise<(e: Omit<Appendable, 'seq'>) => Promise<number>> {
  const log = join(dir, 'ladder.log');
  const fd = openSync(log, 'a');
  const worker = new Worker(join(import.meta.dir, 'ladder-log-worker.ts'));
  await new Promise<void>((ready) => {
    worker.onmessage = () => ready();
    worker.postMessage({ log, db: join(dir, 'ladder.db') });
  });
  let seq = 0;
  let queue: { e: Appendable; done: (seq: number) => void }[] = [];
  return (e) =>
    new Promise((done) => {
      queue.push({ e: { ...e, seq: ++seq }, done });
      if (queue.length === 1)
        setImmediate(() => {
          const batch = queue;
          queue = [];
          const parts: Buffer[] = [];
          for (const { e } of batch) {
            const head = Buffer.allocUnsafe(8);
            head.writeUInt32LE(e.body.byteLength, 0);
            head.writeUInt32LE(e.seq, 4);
            parts.push(head, Buffer.from(e.body.buffer, e.body.byteOffset, e.body.byteLength));
          }
          writeSync(fd, Buffer.concat(parts));
          fdatasyncSync(fd);
          for (const q of batch) q.done(q.e.seq);
        });
    });
}

const store =
  step === 'log'
    ? await logged()
    : step === 'libsql'
      ? inThread('OFF')
      : step === 'libsql-fsync'
        ? inThread('FULL')
        : step === 'worker'
          ? await onWorker()
          : null;
const wave = waves();

const app = new Elysia()
  .get('/', () => 'ok')
  .post(
    '/webhooks/v1/pos/:token',
    async ({ params, request }) => {
      const body = await request.bytes();
      if (step === 'elysia') {
        await wave();
        return new Response(FIXED, { headers: json });
      }
      const checked = checkJson(body);
      if (!checked.ok) return new Response(JSON.stringify({ detail: checked.detail }), { status: 400, headers: json });
      const now = Date.now();
      const warnings = payloadWarnings(checked.value, {
        env: 'prod',
        siteZone: null,
        now,
        clockAheadMs: 10 * 60_000,
        relayClockSkewMs: null,
        usualTable: null,
      });
      const seq = store ? await store({ token: params.token, body }) : (await wave(), 0);
      const answer: Record<string, unknown> = {
        status: 'success',
        event_id: `evt-${seq}`,
        message: 'Webhook received and stored',
        received_at: new Date(now).toISOString(),
      };
      if (warnings.length > 0) answer.warnings = warnings.map((w) => w.message);
      return new Response(JSON.stringify(answer), { headers: json });
    },
    { parse: 'none' },
  )
  .listen({ port, hostname: '127.0.0.1' });
// Port 0 picks a free one: the line names it (test/integration/bench-ladder.test.ts reads it).
console.log(`ladder ${step} listening on 127.0.0.1:${app.server?.port}`);
