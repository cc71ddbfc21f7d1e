/**
 * A webhook body that arrives too slowly gets an answer, not a dropped
 * connection: the compiled relay answers 408 with a {"detail"} once
 * server.body_timeout_seconds (plus 1 s per 64 KB declared) has passed,
 * stores nothing and counts it as a refusal (logged rate-limited); a slow
 * body that does arrive in time is stored even past Bun's 30 s idle timer;
 * and past server.max_uploads bodies arriving at once, one more is answered
 * 503 with Retry-After at once.
 */
import { describe, expect, it } from 'bun:test';
import { installSite, serveSite } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN } from '../helpers/relay.ts';
import { connectRaw, relayToml } from '../helpers/reliability.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();

const BODY = JSON.stringify({ event: 'order_created', table_number: 'Mesa 8', note: 'x'.repeat(60) });

async function site(server: Record<string, number>) {
  const s = await installSite(
    onCleanup,
    relayToml({ cloudUrl: 'http://127.0.0.1:9', config: { server } }),
    'relay-slow-',
  );
  const r = await serveSite(onCleanup, s.bin, s.dir);
  return r;
}

/** Headers at once, then the body one byte every `everyMs`, stopping if the relay answers or closes. */
async function dribble(url: string, everyMs: number) {
  const conn = await connectRaw(url);
  onCleanup(() => conn.sock.end());
  const head = `POST /webhooks/v1/pos/${TOKEN} HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n`;
  await conn.writeAll(new TextEncoder().encode(head));
  const t0 = performance.now();
  const sending = (async () => {
    for (const b of new TextEncoder().encode(BODY)) {
      if (conn.state.closed || conn.response() !== null) return;
      await conn.writeAll(Uint8Array.of(b));
      await Bun.sleep(everyMs);
    }
  })();
  return { conn, t0, sending };
}

async function answerOf(c: Awaited<ReturnType<typeof dribble>>, withinMs: number) {
  await waitFor(() => c.conn.response() !== null || c.conn.state.closed, 'an answer or a close', withinMs);
  return { res: c.conn.response(), afterMs: performance.now() - c.t0, closed: c.conn.state.closed };
}

const storedEvents = async (url: string) =>
  ((await (await fetch(`${url}/admin/api/events?limit=10`)).json()) as { events: unknown[] }).events.length;

describe('slow webhook bodies against the compiled relay', () => {
  it('answers 408 with a detail after body_timeout_seconds, stores nothing, and logs the refusal once', async () => {
    const r = await site({ body_timeout_seconds: 2 });
    const slow = await dribble(r.url, 250);
    const { res, afterMs } = await answerOf(slow, 20_000);
    expect(res?.status).toBe(408);
    expect(JSON.parse(res!.body)).toEqual({
      detail: `Request Timeout: the body (Content-Length ${BODY.length}) did not arrive within 2 s (server.body_timeout_seconds = 2, plus 1 s per 64 KB); nothing was stored: send it again`,
    });
    expect(res!.head.toLowerCase()).toContain('connection: close');
    // The deadline, not Bun's 30 s timer; slack for a busy machine.
    expect(afterMs).toBeGreaterThanOrEqual(1_900);
    expect(afterMs).toBeLessThan(15_000);
    await slow.sending;
    expect(await storedEvents(r.url)).toBe(0);
    // A second slow one: counted, not another line (one a minute per kind).
    const again = await dribble(r.url, 250);
    expect((await answerOf(again, 20_000)).res?.status).toBe(408);
    const lines = r.lines.filter((l) => l.includes('webhook refused: the body did not arrive in time'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ reason: 'body_timeout', status: 408 });
    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    expect(metrics).toContain('relay_refusals_total{reason="body_timeout"} 2');
  }, 60_000);

  it('stores a slow body that arrives within its deadline, even past 30 s (Bun closes such a request on its own)', async () => {
    const r = await site({ body_timeout_seconds: 60 });
    // ~34 s for the whole body: past Bun's idleTimeout of 30 s, inside the relay's 60 s.
    const slow = await dribble(r.url, Math.ceil(34_000 / BODY.length));
    const { res, afterMs } = await answerOf(slow, 70_000);
    expect(afterMs).toBeGreaterThan(30_000);
    expect(res?.status).toBe(200);
    expect(await storedEvents(r.url)).toBe(1);
  }, 90_000);

  it('answers 503 with Retry-After at once past max_uploads bodies arriving, and takes bodies again once they end', async () => {
    const r = await site({ body_timeout_seconds: 3, max_uploads: 2 });
    const slow = [await dribble(r.url, 300), await dribble(r.url, 300)];
    await Bun.sleep(300);
    const t0 = performance.now();
    const busy = await fetch(`${r.url}/webhooks/v1/pos/${TOKEN}`, { method: 'POST', body: BODY });
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(((await busy.json()) as { detail: string }).detail).toBe(
      'Service Unavailable: 2 webhook bodies are arriving already (server.max_uploads); retry in 5 s',
    );
    for (const s of slow) expect((await answerOf(s, 20_000)).res?.status).toBe(408);
    const after = await fetch(`${r.url}/webhooks/v1/pos/${TOKEN}`, { method: 'POST', body: BODY });
    expect(after.status).toBe(200);
    expect(await storedEvents(r.url)).toBe(1);
  }, 60_000);
});
