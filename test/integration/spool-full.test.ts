/**
 * Promise 3: when the relay cannot store an event it says so (503 +
 * Retry-After), never acknowledges what it has not stored, and never deletes a
 * pending or dead-lettered event on its own. Both limits are tried: the
 * spool's quota (spool.max_size_mb) and a disk that is really full.
 */
import { describe, expect, it } from 'bun:test';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../src/lib/log.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { printGuarantee } from '../helpers/guarantee.ts';
import { captureLog } from '../helpers/log.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { post, startTestRelay, type TestRelay, TOKEN, tempDir } from '../helpers/relay.ts';
import { readSpool } from '../helpers/reliability.ts';
import { itUnless } from '../helpers/skip.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();

async function relayWith(over: Parameters<typeof startTestRelay>[0], dir?: string, log?: Logger): Promise<TestRelay> {
  const t = await startTestRelay(over, { ...(dir ? { dir } : {}), ...(log ? { log } : {}) });
  onCleanup(() => t.stop());
  return t;
}

async function cloudAnswering(status: number): Promise<MockCloud> {
  const cloud = await startMockCloud();
  cloud.always(status === 200 ? { kind: 'ok' } : { kind: 'status', status });
  onCleanup(() => cloud.stop());
  return cloud;
}

const health = async (t: TestRelay) =>
  (await (await fetch(`${t.url}/health`)).json()) as {
    spool: { ok: boolean; pending: number; dead: number; error: string | null };
  };

/** A 503 as promised: Retry-After in whole seconds and a {"detail"} that says why. */
async function expectRefused(res: Response, why: RegExp): Promise<void> {
  expect(res.status).toBe(503);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  const body = (await res.json()) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['detail']);
  expect(String(body.detail)).toMatch(why);
}

// Each event ~300 KB: three fit in a 5.1 MB quota (4 MB of it counted for the write-ahead log, some for the empty spool's pages), the fourth does not.
const BIG = (i: number) => `{"i":${i},"pad":"${'x'.repeat(300_000)}"}`;

describe('the spool quota (spool.max_size_mb)', () => {
  it('answers 503 with Retry-After at the quota, then 200 again once delivery frees room', async () => {
    const cloud = await cloudAnswering(503);
    const t = await relayWith({ spool: { max_size_mb: 5.1 }, cloud: { url: cloud.url } });
    for (let i = 0; i < 3; i++) expect((await post(t.url, TOKEN, BIG(i))).status).toBe(200);
    await expectRefused(await post(t.url, TOKEN, BIG(3)), /full/);
    cloud.always({ kind: 'ok' });
    await waitFor(async () => (await health(t)).spool.pending === 0, 'the three events delivered');
    expect(cloud.stored.map((r) => r.text)).toEqual([BIG(0), BIG(1), BIG(2)]);
    // Delivered events are the only ones the relay may delete, oldest first, to make room.
    expect((await post(t.url, TOKEN, BIG(3))).status).toBe(200);
    const rows = readSpool(t.config.spool.path);
    expect(rows.find((r) => r.status === 'pending')?.body.toString()).toBe(BIG(3));
    expect(rows.filter((r) => r.status === 'delivered').length).toBeLessThan(3);
  });

  it('refuses with 503 rather than delete a pending or dead-lettered event to make room', async () => {
    const cloud = await cloudAnswering(503);
    cloud.next({ kind: 'status', status: 400, body: { detail: 'bad payload' } }); // the first is dead-lettered
    const t = await relayWith({ spool: { max_size_mb: 5.1 }, cloud: { url: cloud.url } });
    for (let i = 0; i < 3; i++) expect((await post(t.url, TOKEN, BIG(i))).status).toBe(200);
    await waitFor(async () => (await health(t)).spool.dead === 1, 'the first event dead-lettered');
    for (let i = 3; i < 6; i++) await expectRefused(await post(t.url, TOKEN, BIG(i)), /full/);
    const rows = readSpool(t.config.spool.path);
    expect(rows.map((r) => [r.body.toString(), r.status])).toEqual([
      [BIG(0), 'dead'],
      [BIG(1), 'pending'],
      [BIG(2), 'pending'],
    ]);
  });
});

/**
 * A small tmpfs is a disk that really fills up. Mounting needs root (or
 * CAP_SYS_ADMIN); where the test cannot mount, it says so and is skipped.
 */
function tryMount(dir: string): boolean {
  mkdirSync(dir, { recursive: true });
  return Bun.spawnSync(['mount', '-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stderr: 'pipe' }).exitCode === 0;
}
const probe = tempDir('relay-mount-probe-');
const canMount = tryMount(probe.dir);
if (canMount) Bun.spawnSync(['umount', '-l', probe.dir]);
probe.cleanup();

describe('a disk that is really full', () => {
  itUnless(!canMount && 'cannot mount a tmpfs here (needs root)')(
    'answers 503 with Retry-After, never 200, while the disk is full, and 200 again when space returns',
    async () => {
      const dir = onCleanup.tempDir('relay-disk-full-');
      const disk = join(dir, 'disk');
      expect(tryMount(disk)).toBe(true);
      // Lazy: the relay's second connection may release the file a moment after stop().
      onCleanup(() => void Bun.spawnSync(['umount', '-l', disk]));
      const filler = join(disk, 'filler');
      writeFileSync(filler, Buffer.alloc(2 * 1024 * 1024));
      const captured = captureLog();
      const t = await relayWith({ spool: { path: join(disk, 'relay.db') } }, dir, captured.log);
      expect(t.config.spool.path).toBe(join(disk, 'relay.db'));

      const body = (i: number) => `{"i":${i},"pad":"${'y'.repeat(100_000)}"}`;
      const acked: string[] = [];
      let i = 0;
      let refused = 0;
      for (; i < 60; i++) {
        const res = await post(t.url, TOKEN, body(i));
        if (res.status !== 200) {
          await expectRefused(res, /could not store/);
          refused++;
          break;
        }
        acked.push(((await res.json()) as { event_id: string }).event_id);
      }
      expect(i).toBeLessThan(60); // the disk did fill up
      for (let k = 0; k < 20; k++, refused++)
        await expectRefused(await post(t.url, TOKEN, body(100 + k)), /could not store/);
      // A line when writes start failing, not one per refused request (the forwarder's own small
      // records may still fit now and then, and each return to failing is said again).
      const count = (msg: string) => captured.lines.filter((l) => l.msg === msg).length;
      expect(count('spool write failed')).toBeLessThanOrEqual(count('spool writes succeed again') + 1);
      expect(count('spool write failed')).toBeLessThan(10);
      // The relay's housekeeping still commits on the full disk (a prune with nothing to delete):
      // no event of the POS was stored by it, so /health stays red.
      await t.relay.spool.pruneDelivered(0);
      const h = await health(t);
      expect(h.spool.ok).toBe(false);
      expect(h.spool.error).toMatch(/full/);

      rmSync(filler); // space returns
      const again = await post(t.url, TOKEN, body(200));
      expect(again.status).toBe(200);
      acked.push(((await again.json()) as { event_id: string }).event_id);
      expect((await health(t)).spool.ok).toBe(true);
      expect(count('spool writes succeed again')).toBeGreaterThanOrEqual(1);
      await t.relay.stop();
      // Read back by a fresh connection after the relay closed: exactly what was acknowledged.
      const kept = readSpool(t.config.spool.path).map((r) => r.id);
      printGuarantee('full disk', [
        [i, 'acknowledged before the disk was full'],
        [refused, 'answered 503 with Retry-After while it was'],
        `${again.status} once space returned`,
        [kept.length, `events in the spool, ${Bun.deepEquals(kept, acked) ? 'exactly' : 'NOT'} those acknowledged`],
      ]);
      expect(kept).toEqual(acked);
    },
  );
});
