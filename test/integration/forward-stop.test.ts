/**
 * Forwarder.stop(graceMs): the request in flight may finish within the grace
 * period; after it, it is aborted, and the event stays pending, untouched, for
 * the next start. The cloud here is a real HTTP server that holds requests open.
 */
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { createForwarder, type Forwarder, type ForwardSettings } from '../../src/forward/index.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { Spool } from '../../src/spool/index.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();

interface Seen {
  key: string | null;
  aborted: boolean;
}

/** A cloud that answers per `answer`: 'hold' never answers (until the client goes away). */
function startCloud() {
  const seen: Seen[] = [];
  const cloud = { seen, answer: 'hold' as 'hold' | { afterMs: number }, url: '' };
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(req) {
      await req.arrayBuffer();
      const s: Seen = { key: req.headers.get('idempotency-key'), aborted: false };
      seen.push(s);
      const gone = new Promise<Response>((resolve) => {
        req.signal.addEventListener('abort', () => {
          s.aborted = true;
          resolve(new Response(null, { status: 499 }));
        });
      });
      const a = cloud.answer;
      if (a === 'hold') return gone;
      await Bun.sleep(a.afterMs);
      return Response.json({ status: 'success', event_id: `cloud-${seen.length}` });
    },
  });
  cloud.url = `http://127.0.0.1:${server.port}`;
  onCleanup(() => server.stop(true));
  return cloud;
}

const settings = (cloudUrl: string): ForwardSettings => ({
  cloudUrl,
  // Far beyond the test: only stop may end a held request.
  timeoutMs: 60_000,
  ratePerToken: 10,
  initialBackoffMs: 20,
  maxBackoffMs: 200,
});

async function openSpool(dir: string): Promise<Spool> {
  return Spool.open({
    path: join(dir, 'spool.db'),
    maxBytes: 64 * 1024 * 1024,
    clock: systemClock,
    log: silentLogger,
    background: false,
  });
}

/** Counts the forwarder's spool writes that come after `stopped()` turned true. */
function watchWrites(spool: Spool, stopped: () => boolean): { late: string[] } {
  const late: string[] = [];
  for (const m of ['markDelivered', 'markDead', 'recordAttempt'] as const) {
    const orig = spool[m].bind(spool) as (...a: unknown[]) => Promise<void>;
    (spool as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
      if (stopped()) late.push(m);
      return orig(...a);
    };
  }
  return { late };
}

/** Stops the forwarder, failing (rather than hanging the suite) if stop never resolves. */
async function stopWithin(f: Forwarder, graceMs: number, limitMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`stop(${graceMs}) did not resolve within ${limitMs} ms`)), limitMs);
  });
  try {
    await Promise.race([f.stop(graceMs), limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function setup(cloudUrl: string) {
  const dir = onCleanup.tempDir('relay-stop-');
  let spool = await openSpool(dir);
  onCleanup(() => spool.close());
  let stopped = false;
  const writes = watchWrites(spool, () => stopped);
  const forwarder = createForwarder({
    spool,
    settings: () => settings(cloudUrl),
    clock: systemClock,
    log: silentLogger,
  });
  onCleanup(() => forwarder.stop(0));
  forwarder.start();
  const { id } = await spool.append({ token: TOKEN, env: 'prod', body: Buffer.from('{"i":1}') });
  const stop = async (graceMs: number) => {
    await stopWithin(forwarder, graceMs, graceMs + 5000);
    stopped = true;
  };
  const reopen = async () => {
    await spool.close();
    spool = await openSpool(dir);
    return spool;
  };
  return { spool, id, writes, stop, reopen };
}

describe('Forwarder.stop', () => {
  it('aborts a request still in flight after the grace period and keeps the event pending, untouched', async () => {
    const cloud = startCloud();
    const { spool, id, writes, stop, reopen } = await setup(cloud.url);
    await waitFor(() => cloud.seen.length === 1, 'the cloud to receive the request');
    expect(cloud.seen[0]!.key).toBe(id);

    await stop(200);
    await waitFor(() => cloud.seen[0]!.aborted, 'the cloud to see the request aborted', 3000);
    expect(spool.head(TOKEN, 'prod')).toMatchObject({ id, attempts: 0 });
    expect(spool.stats().pending).toBe(1);
    // The relay closes the spool right after stop: nothing may be written then.
    await spool.close();
    await Bun.sleep(50);
    expect(writes.late).toEqual([]);

    // After a restart the same event goes out again, under the same key.
    cloud.answer = { afterMs: 0 };
    const again = await reopen();
    expect(again.head(TOKEN, 'prod')).toMatchObject({ id, attempts: 0 });
    const next = createForwarder({
      spool: again,
      settings: () => settings(cloud.url),
      clock: systemClock,
      log: silentLogger,
    });
    onCleanup(() => next.stop(0));
    next.start();
    await waitFor(() => again.stats().pending === 0, 'delivery after restart');
    expect(cloud.seen.map((s) => s.key)).toEqual([id, id]);
    expect(again.head(TOKEN, 'prod')).toBeUndefined();
  });

  it('lets a request that is answered within the grace period finish and be marked delivered', async () => {
    const cloud = startCloud();
    cloud.answer = { afterMs: 50 };
    const { spool, writes, stop } = await setup(cloud.url);
    await waitFor(() => cloud.seen.length === 1, 'the cloud to receive the request');

    await stop(2000);
    expect(spool.head(TOKEN, 'prod')).toBeUndefined();
    expect(spool.stats()).toMatchObject({ pending: 0, delivered: 1 });
    expect(cloud.seen).toHaveLength(1);
    await Bun.sleep(50);
    expect(writes.late).toEqual([]);
  });

  it('sends nothing new once stopped', async () => {
    const cloud = startCloud();
    cloud.answer = { afterMs: 0 };
    const { spool, stop } = await setup(cloud.url);
    await waitFor(() => spool.stats().pending === 0, 'the first delivery');
    await stop(200);
    await spool.append({ token: TOKEN, env: 'prod', body: Buffer.from('{"i":2}') });
    await Bun.sleep(100);
    expect(cloud.seen).toHaveLength(1);
    expect(spool.stats().pending).toBe(1);
  });
});
