/**
 * A lane's delivery runner that fails (here: the spool's disk fills up, so
 * recording a delivery throws) is restarted by the forwarder, with backoff,
 * on its own: once space comes back, every pending event is delivered with
 * no new event arriving to wake its lane. Meanwhile /health is not "ok".
 */
import { describe, expect } from 'bun:test';
import { join } from 'node:path';
import { installSite, startBinary, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { NO_TMPFS, tmpfsDisk } from '../helpers/disk.ts';
import { startMockCloud } from '../helpers/mock-cloud.ts';
import { post, TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { relayToml } from '../helpers/reliability.ts';
import { itUnless } from '../helpers/skip.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();

const LANES = [
  { token: TOKEN, env: 'prod' },
  { token: TOKEN, env: 'dev' },
  { token: TOKEN2, env: 'prod' },
  { token: TOKEN2, env: 'dev' },
] as const;

const PER_LANE = 40;

describe('a lane runner that fails is restarted by its owner', () => {
  itUnless(NO_TMPFS)(
    'spool writes failing for a while (a full disk): every pending event delivered once space is back, with no new event',
    async () => {
      const disk = tmpfsDisk(onCleanup, 24);
      const cloud = await startMockCloud();
      onCleanup(() => cloud.stop());
      cloud.always({ kind: 'status', status: 503 });
      const toml = relayToml({
        cloudUrl: cloud.url,
        spool: join(disk.dir, 'relay.db'),
        config: { forward: { initial_backoff_seconds: 1, max_backoff_seconds: 2 } },
      });
      const site = await installSite(onCleanup, toml, 'relay-lanes-');
      const relay = await startBinary(site.bin, ['serve'], { cwd: site.dir });
      onCleanup(() => stopBinary(relay));

      const keys: string[] = [];
      for (let i = 0; i < PER_LANE; i++) {
        for (const [l, lane] of LANES.entries()) {
          const res = await post(relay.url, lane.token, JSON.stringify({ i, l, pad: 'x'.repeat(2000) }), {
            env: lane.env,
          });
          expect(res.status).toBe(200);
          keys.push(((await res.json()) as { event_id: string }).event_id);
        }
      }

      // The disk fills, then the cloud takes events: each lane's first delivery
      // reaches the cloud but cannot be recorded, and its runner fails.
      disk.fill();
      cloud.always({ kind: 'ok' });
      await waitFor(
        () => relay.lines.filter((l) => l.includes('lane runner failed')).length >= LANES.length,
        'every lane runner failed on the full disk',
        20_000,
      );
      const h = (await (await fetch(`${relay.url}/health`)).json()) as { status: string };
      expect(h.status).toBe('degraded');

      // Space comes back; no event is posted from here on.
      disk.free();
      await waitFor(
        () => keys.every((k) => cloud.stored.some((r) => r.headers['idempotency-key'] === k)),
        'every acknowledged event delivered without a new one arriving',
        30_000,
      );
      await waitFor(
        async () => ((await (await fetch(`${relay.url}/health`)).json()) as { status: string }).status === 'ok',
        '/health ok again once everything is delivered',
      );
      // Order per lane held: the cloud's first stored copy of each key comes in ack order.
      for (const lane of LANES) {
        const mine = keys.filter((_, i) => LANES[i % LANES.length] === lane);
        const seen: string[] = [];
        for (const r of cloud.stored) {
          const k = r.headers['idempotency-key']!;
          if (mine.includes(k) && !seen.includes(k)) seen.push(k);
        }
        expect(seen).toEqual(mine);
      }
    },
    90_000,
  );
});
