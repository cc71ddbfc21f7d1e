/**
 * Promise 2's graceful half on the compiled binary: SIGTERM lets the request
 * in flight to the cloud finish and be marked delivered, lets the batch being
 * written commit (every 200 given is in the spool), and ends the relay even
 * when the reader of its stdout is gone. Kills at random under load are
 * test/binary/crash.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installSite, serveSite } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { startMockCloud } from '../helpers/mock-cloud.ts';
import { freePort } from '../helpers/ports.ts';
import { post, TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { readSpool, relayToml } from '../helpers/reliability.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();
const install = (toml: string) => installSite(onCleanup, toml, 'relay-crash-');
const serve = (bin: string, dir: string) => serveSite(onCleanup, bin, dir);

describe('a graceful stop (SIGTERM)', () => {
  it('finishes the request in flight to the cloud and marks it delivered before exiting', async () => {
    const cloud = await startMockCloud();
    onCleanup(() => cloud.stop());
    let answeredAt = 0;
    cloud.handler = async () => {
      await Bun.sleep(1000); // a slow cloud: the stop lands mid-request
      answeredAt = Date.now();
      return undefined;
    };
    const { dir, bin, spool } = await install(relayToml({ cloudUrl: cloud.url }));
    const relay = await serve(bin, dir);
    const res = await post(relay.url, TOKEN, '{"event":"order_created","i":1}');
    expect(res.status).toBe(200);
    const { event_id } = (await res.json()) as { event_id: string };
    await waitFor(() => cloud.received.length === 1, 'the request at the cloud');
    const t0 = Date.now();
    relay.proc.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    const exitedAt = Date.now();
    expect(exitedAt - t0).toBeLessThan(4000);
    expect(exitedAt).toBeGreaterThanOrEqual(answeredAt);
    expect(cloud.stored).toHaveLength(1);
    const row = readSpool(spool).find((r) => r.id === event_id);
    expect(row?.status).toBe('delivered');
    expect(row?.cloud_event_id).toBe('cloud-1');
  }, 15_000);

  it('finishes the batch being written: every event answered 200 before the stop is in the spool', async () => {
    const { dir, bin, spool } = await install(relayToml({ cloudUrl: 'http://127.0.0.1:9' }));
    const relay = await serve(bin, dir);
    const acked: string[] = [];
    const statuses = new Set<number>();
    let stopped = false;
    // Sixteen senders keep group commits in flight when the signal lands.
    const senders = Array.from({ length: 16 }, async (_, s) => {
      for (let i = 0; ; i++) {
        try {
          const r = await post(relay.url, s % 2 ? TOKEN : TOKEN2, `{"s":${s},"i":${i}}`);
          statuses.add(r.status);
          if (r.status === 200) acked.push(((await r.json()) as { event_id: string }).event_id);
          else await r.arrayBuffer();
        } catch {
          return; // the listener is closed: not acknowledged
        }
        if (acked.length >= 300 && !stopped) {
          stopped = true;
          relay.proc.kill('SIGTERM');
        }
      }
    });
    await Promise.all(senders);
    const t0 = Date.now();
    expect(await relay.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect([...statuses].filter((s) => s !== 200 && s !== 503)).toEqual([]);
    const ids = new Set(readSpool(spool).map((r) => r.id));
    expect(acked.filter((id) => !ids.has(id))).toEqual([]);
  }, 20_000);
});

/**
 * With stdout gone (the terminal closed, a log pipe died), SIGTERM must still
 * end the relay. With an asynchronous pino destination it did not: pino's
 * exit hook calls sonic-boom's flushSync, which retries a write failing with
 * EPIPE forever, blocking the event loop. src/lib/log.ts writes synchronously
 * (`pino.destination({ fd: 1, sync: true })`: no exit flush, EPIPE stops the
 * logging); this test guards that.
 */
it('stops on SIGTERM even after the reader of its stdout is gone', async () => {
  // A race (about one run in two by hand): tried five times.
  const hangs: number[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    // Chosen beforehand: the relay's stdout (and its "relay started" line) is the dying parent's.
    const port = freePort();
    const { dir, bin } = await install(
      relayToml({
        cloudUrl: 'http://127.0.0.1:9',
        port,
        config: { forward: { initial_backoff_seconds: 1, max_backoff_seconds: 5 } },
      }),
    );
    // A parent that holds the relay's stdout and stderr pipes, then dies (SIGKILL).
    const script = `const p = Bun.spawn([${JSON.stringify(bin)}, 'serve'], { stdout: 'pipe', stderr: 'pipe' });
      await Bun.write('relay.pid', String(p.pid)); await Bun.sleep(60000);`;
    const parent = Bun.spawn([process.execPath, '-e', script], { cwd: dir });
    await waitFor(
      () => existsSync(join(dir, 'relay.pid')) && Bun.file(join(dir, 'relay.pid')).size > 0,
      'the relay pid',
    );
    const pid = Number(readFileSync(join(dir, 'relay.pid'), 'utf8'));
    const alive = () => existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
    onCleanup(() => void (alive() && process.kill(pid, 'SIGKILL')));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      async () =>
        (await fetch(`${base}/health`).then(
          (r) => r.status,
          () => 0,
        )) === 200,
      'the relay up',
    );
    for (let i = 0; i < 3; i++) expect((await post(base, TOKEN, '{}')).status).toBe(200);
    parent.kill('SIGKILL');
    await parent.exited;
    await Bun.sleep(500);
    expect((await post(base, TOKEN, '{}')).status).toBe(200);
    process.kill(pid, 'SIGTERM');
    const ok = await waitFor(() => !alive(), 'exit', 3000).then(
      () => true,
      () => false,
    );
    if (!ok) hangs.push(attempt);
  }
  expect(hangs).toEqual([]);
}, 60_000);
