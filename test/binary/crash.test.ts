/**
 * Promises 1 and 2 on the compiled binary: an event answered 200 reaches the
 * cloud whatever happens to the relay process afterwards, in acknowledgement
 * order within its lane, and twice only with the same Idempotency-Key.
 * The relay is killed with SIGKILL at random moments under load while the
 * cloud goes away and comes back; a graceful SIGTERM finishes what is under way.
 * A failing run prints its seed: CRASH_SEED=<seed> bun test test/binary/crash.test.ts
 * The graceful stop is test/binary/crash-stop.test.ts; fsync order,
 * test/binary/durability.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installSite, portOf, serveSite } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { figure, printGuarantee } from '../helpers/guarantee.ts';
import { type MockCloud, type Received, startMockCloud } from '../helpers/mock-cloud.ts';
import { post, TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { prng, readSpool, relayToml, seedFrom } from '../helpers/reliability.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();
const serve = (bin: string, dir: string) => serveSite(onCleanup, bin, dir);

/** One lane per POS client, so that each client's order is a lane's order. */
const LANES = [
  { token: TOKEN, env: 'prod' },
  { token: TOKEN, env: 'dev' },
  { token: TOKEN2, env: 'prod' },
  { token: TOKEN2, env: 'dev' },
] as const;

interface Ack {
  id: string;
  i: number;
  body: string;
}

/**
 * The guide's robust sender ("Connection Errors", troubleshooting v2.0):
 * the same event again after a connection error or a 5xx; the next event is
 * sent only once this one has its 200. Its retry delay is short here: the
 * test is about order and loss, not pacing.
 */
async function posClient(
  c: number,
  url: string,
  rnd: () => number,
  out: { acks: Ack[][]; stop: boolean; connErrors: number; refused503: number; unexpected: string[] },
): Promise<void> {
  const lane = LANES[c]!;
  for (let i = 0; !out.stop; i++) {
    const body = JSON.stringify({ c, i, pad: 'x'.repeat(Math.floor(rnd() * 3000)) });
    for (;;) {
      try {
        const res = await post(url, lane.token, body, { env: lane.env });
        if (res.status === 200) {
          const { event_id } = (await res.json()) as { event_id: string };
          out.acks[c]!.push({ id: event_id, i, body });
          // A busy restaurant, not a benchmark: the backlog must drain within the test.
          await Bun.sleep(2 + Math.floor(rnd() * 6));
          break;
        }
        if (res.status === 503) out.refused503++;
        else out.unexpected.push(`client ${c} event ${i}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer().catch(() => {});
        if (res.status !== 503) return;
      } catch {
        out.connErrors++; // the relay was killed: not acknowledged, send it again
      }
      await Bun.sleep(20);
    }
  }
}

describe('the relay killed with SIGKILL, again and again, under load', () => {
  it('delivers every acknowledged event, in lane order, duplicates only under the same Idempotency-Key', async () => {
    const seed = seedFrom('CRASH_SEED');
    const rnd = prng(seed);
    const KILLS = 8;
    const clouds: MockCloud[] = [];
    let cloud: MockCloud | null = null;
    // The cloud's first start takes any free port; each later start takes that one back.
    let cloudPort = 0;
    const cloudUp = async (answer503 = false) => {
      cloud = await startMockCloud(cloudPort);
      cloudPort = cloud.port;
      clouds.push(cloud);
      // A slow answer now and then widens the window in which a kill lands
      // between the cloud storing an event and the relay marking it delivered.
      cloud.handler = async () => {
        if (rnd() < 0.2) await Bun.sleep(Math.floor(rnd() * 20));
        return answer503 ? Response.json({ detail: 'maintenance' }, { status: 503 }) : undefined;
      };
    };
    const cloudDown = async () => {
      await cloud?.stop();
      cloud = null;
    };
    onCleanup(() => cloudDown());
    await cloudUp();
    const cloudUrl = `http://127.0.0.1:${cloudPort}`;
    const { dir, bin, spool } = await installSite(onCleanup, relayToml({ cloudUrl }), 'relay-crash-');

    let relay = await serve(bin, dir);
    const url = relay.url;
    // Every restart must come back where the POS clients post: on the port the first start got.
    writeFileSync(join(dir, 'relay.toml'), relayToml({ cloudUrl, port: portOf(relay) }));
    const out = {
      acks: LANES.map(() => [] as Ack[]),
      stop: false,
      connErrors: 0,
      refused503: 0,
      unexpected: [] as string[],
    };
    const clients = LANES.map((_, c) => posClient(c, url, rnd, out));

    // The cloud's schedule across the kills: away, back answering 503, well, away again, well.
    const cloudAt: Record<number, () => Promise<void>> = {
      2: cloudDown,
      4: () => cloudUp(true),
      5: async () => {
        await cloudDown();
        await cloudUp();
      },
      6: cloudDown,
      7: () => cloudUp(),
    };
    const t0 = Date.now();
    for (let k = 1; k <= KILLS; k++) {
      await Bun.sleep(250 + Math.floor(rnd() * 600));
      relay.proc.kill('SIGKILL');
      expect(await relay.exited).not.toBe(0);
      await cloudAt[k]?.();
      relay = await serve(bin, dir);
    }
    out.stop = true;
    await Promise.all(clients);
    expect(out.unexpected).toEqual([]);

    const acked = out.acks.flat();
    const receipts = (): Received[] => clouds.flatMap((c) => c.stored);
    const deliveredKeys = () => new Set(receipts().map((r) => r.headers['idempotency-key']));
    // Drained: nothing pending in the spool (an event is marked delivered only
    // after the cloud's 2xx), so whatever is missing at the cloud now is lost.
    const pending = async () =>
      ((await (await fetch(`${url}/health`)).json()) as { spool: { pending: number } }).spool.pending;
    await waitFor(async () => (await pending()) === 0, 'the spool to drain', 20_000);
    await waitFor(
      () => {
        const keys = deliveredKeys();
        return acked.every((a) => keys.has(a.id));
      },
      'every acknowledged event at the cloud',
      1000,
    ).catch(async (e) => {
      const keys = deliveredKeys();
      const missing = acked.filter((a) => !keys.has(a.id));
      const health = await fetch(`${url}/health`).then(
        (r) => r.text(),
        (err) => String(err),
      );
      console.error(
        `seed ${seed}: ${missing.length} of ${acked.length} acknowledged events not at the cloud, e.g. ` +
          `${JSON.stringify(missing.slice(0, 3).map((a) => ({ id: a.id, c: JSON.parse(a.body).c, i: a.i })))}; ` +
          `cloud up: ${cloud !== null}; relay health: ${health}\nrelay log tail:\n${relay.lines.slice(-15).join('\n')}`,
      );
      throw e;
    });
    relay.proc.kill('SIGTERM');
    expect(await relay.exited).toBe(0);

    const stored = receipts();
    const byKey = new Map<string, Received[]>();
    const firstAt = new Map<string, number>();
    stored.forEach((r, at) => {
      const key = r.headers['idempotency-key']!;
      byKey.set(key, [...(byKey.get(key) ?? []), r]);
      if (!firstAt.has(key)) firstAt.set(key, at);
    });
    const lost = acked.filter((a) => !byKey.has(a.id));
    // Keys the POS never saw acknowledged: its event was stored, the kill cut
    // the 200, and the POS sent the same content again (a new event_id).
    const ackedIds = new Set(acked.map((a) => a.id));
    const unacked = [...byKey.keys()].filter((k) => !ackedIds.has(k));
    printGuarantee('delivered across kill -9', [
      [acked.length, 'acknowledged'],
      [lost.length, 'lost'],
      [stored.length - byKey.size, 'sent again under the same key'],
      [unacked.length, 'stored with their 200 cut off and posted again by the POS'],
      [out.connErrors, 'connection errors'],
      [out.refused503, 'answers 503 met by the POS'],
      `${KILLS} kills in ${figure((Date.now() - t0) / 1000)} s (CRASH_SEED=${seed})`,
    ]);
    expect(lost).toEqual([]);
    // Every copy under one key is the same event, byte for byte, in its lane.
    for (const a of acked) {
      for (const r of byKey.get(a.id)!) expect(r.text).toBe(a.body);
    }
    for (const [c, lane] of LANES.entries()) {
      const firsts = out.acks[c]!.map((a) => firstAt.get(a.id)!);
      expect(firsts).toEqual([...firsts].sort((x, y) => x - y));
      for (const a of out.acks[c]!) {
        for (const r of byKey.get(a.id)!) {
          expect(r.token).toBe(lane.token);
          expect(r.env).toBe(lane.env === 'dev' ? 'dev' : null);
        }
      }
    }
    const ackedContent = new Set(acked.map((a) => a.body));
    for (const k of unacked) expect(ackedContent.has(byKey.get(k)![0]!.text)).toBe(true);
    const rows = readSpool(spool);
    expect(rows.filter((r) => r.status !== 'delivered')).toEqual([]);
    expect(acked.length).toBeGreaterThan(100);
  }, 60_000);
});
