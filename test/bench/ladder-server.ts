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

type Pending = { e: Appendable; done: (seq: number) => void };
type Append = (e: Omit<Appendable, 'seq'>) => Promise<number>;

/**
 * The appends of one event-loop turn, handed to `flush` together once the
 * turn is over (a group commit); `flush` answers each with `done`.
 */
function perTurn(flush: (batch: Pending[]) => void): Append {
  let seq = 0;
  let queue: Pending[] = [];
  return (e) =>
    new Promise((done) => {
      queue.push({ e: { ...e, seq: ++seq }, done });
      if (queue.length === 1)
        setImmediate(() => {
          const batch = queue;
          queue = [];
          flush(batch);
        });
    });
}

const answer = (batch: Pending[]) => {
  for (const q of batch) q.done(q.e.seq);
};

/** A Worker, told where to store, and ready. */
async function startWorker(file: string, start: unknown): Promise<Worker> {
  const worker = new Worker(join(import.meta.dir, file));
  await new Promise<void>((ready) => {
    worker.onmessage = () => ready();
    worker.postMessage(start);
  });
  return worker;
}

/** On the event loop, as the relay's writer does: one transaction per turn's appends. */
function inThread(sync: 'OFF' | 'FULL'): Append {
  const store = openStore(join(dir, 'ladder.db'), sync);
  return perTurn((batch) => {
    store.write(batch.map((q) => q.e));
    answer(batch);
  });
}

/** Storing on a Worker (ladder-worker.ts): each turn's appends are posted at once, several batches in flight. */
async function onWorker(): Promise<Append> {
  const worker = await startWorker('ladder-worker.ts', { path: join(dir, 'ladder.db') });
  const inFlight = new Map<number, Pending[]>();
  worker.onmessage = (ev: MessageEvent<number[]>) => {
    for (const id of ev.data) {
      answer(inFlight.get(id)!);
      inFlight.delete(id);
    }
  };
  let batchId = 0;
  return perTurn((batch) => {
    const id = ++batchId;
    inFlight.set(id, batch);
    worker.postMessage({ id, events: batch.map((q) => q.e) });
  });
}

/**
 * An append-only log on the ack's path: each turn's events in one write and
 * one fdatasync, then the answers; a Worker (ladder-log-worker.ts) puts them
 * into the spool's tables afterwards.
 */
async function logged(): Promise<Append> {
  const log = join(dir, 'ladder.log');
  const fd = openSync(log, 'a');
  await startWorker('ladder-log-worker.ts', { log, db: join(dir, 'ladder.db') });
  return perTurn((batch) => {
    const parts: Buffer[] = [];
    for (const { e } of batch) {
      const head = Buffer.allocUnsafe(8);
      head.writeUInt32LE(e.body.byteLength, 0);
      head.writeUInt32LE(e.seq, 4);
      parts.push(head, Buffer.from(e.body.buffer, e.body.byteOffset, e.body.byteLength));
    }
    writeSync(fd, Buffer.concat(parts));
    fdatasyncSync(fd);
    answer(batch);
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
/** A group commit that stores nothing: every append of a turn answered together after it. */
const wave = perTurn(answer);

const app = new Elysia()
  .get('/', () => 'ok')
  .post(
    '/webhooks/v1/pos/:token',
    async ({ params, request }) => {
      const body = await request.bytes();
      if (step === 'elysia') {
        await wave({ token: params.token, body });
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
        bom: false,
      });
      const seq = await (store ?? wave)({ token: params.token, body });
      const reply: Record<string, unknown> = {
        status: 'success',
        event_id: `evt-${seq}`,
        message: 'Webhook received and stored',
        received_at: new Date(now).toISOString(),
      };
      if (warnings.length > 0) reply.warnings = warnings.map((w) => w.message);
      return new Response(JSON.stringify(reply), { headers: json });
    },
    { parse: 'none' },
  )
  .listen({ port, hostname: '127.0.0.1' });
// Port 0 picks a free one: the line names it (test/integration/bench-ladder.test.ts reads it).
console.log(`ladder ${step} listening on 127.0.0.1:${app.server?.port}`);
