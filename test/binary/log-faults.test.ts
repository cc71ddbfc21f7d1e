/**
 * The relay's own log never stops it, in the compiled binary: with `log.file`
 * on a disk that fills up, the relay keeps answering (503 with Retry-After
 * while it cannot store, never 500, never a refused connection), starts again
 * on the still full disk, and once space returns takes events, writes its log
 * again and delivers everything it acknowledged. Under a flood of refusals the
 * log file and <file>.1 stay within twice the file's size. A stdout whose
 * reader left (EPIPE) is counted the same way. The destination itself is
 * test/unit/log-destination.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { closeSync, constants, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_FILE_MAX_BYTES } from '../../src/lib/log.ts';
import { ensureWrk, wrk } from '../bench/lib.ts';
import { installSite } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { NO_TMPFS, tmpfsDisk } from '../helpers/disk.ts';
import { startMockCloud } from '../helpers/mock-cloud.ts';
import { freePort } from '../helpers/ports.ts';
import { INACTIVE, post, TOKEN } from '../helpers/relay.ts';
import { relayToml } from '../helpers/reliability.ts';
import { itUnless } from '../helpers/skip.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();

interface Served {
  proc: ReturnType<typeof Bun.spawn>;
  url: string;
  running: () => boolean;
  /** What it wrote to stderr so far. */
  stderr: () => string;
}

/**
 * `relay serve` with its log in a file: its stdout stays empty and the file may
 * be unwritable, so the port is chosen beforehand and /health answering says
 * it is up. SIGKILLed after the test if still running.
 */
async function serveOn(bin: string, dir: string, port: number, stdout: 'ignore' | number = 'ignore'): Promise<Served> {
  const proc = Bun.spawn([bin, 'serve', '--config', 'relay.toml'], {
    cwd: dir,
    env: { PATH: '/usr/bin:/bin' },
    stdout,
    stderr: 'pipe',
  });
  let stderr = '';
  void (async () => {
    for await (const chunk of proc.stderr) stderr += new TextDecoder().decode(chunk);
  })();
  onCleanup(async () => {
    proc.kill('SIGKILL');
    await proc.exited;
  });
  const url = `http://127.0.0.1:${port}`;
  const running = () => proc.exitCode === null && proc.signalCode === null;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (!running()) throw new Error(`relay exited with ${proc.exitCode} before answering:\n${stderr}`);
    if (Date.now() > deadline) throw new Error(`relay did not answer /health in 15 s:\n${stderr}`);
    try {
      await fetch(`${url}/health`);
      return { proc, url, running, stderr: () => stderr };
    } catch {
      await Bun.sleep(50);
    }
  }
}

/** A POST's answer, or 'refused' when the connection was (the relay is gone). */
async function answer(url: string, body: string): Promise<Response | 'refused'> {
  try {
    return await post(url, TOKEN, body);
  } catch {
    return 'refused';
  }
}

/** The answer of a relay that cannot store: 503, Retry-After, a {"detail"} body. */
async function expectUnavailable(res: Response | 'refused'): Promise<void> {
  expect(res).not.toBe('refused');
  const r = res as Response;
  expect(r.status).toBe(503);
  expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  const body = (await r.json()) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['detail']);
}

interface HealthBody {
  spool: { ok: boolean };
  log: { ok: boolean; failures: number };
  reasons: { id: string }[];
}

const health = async (url: string) => (await (await fetch(`${url}/health`)).json()) as HealthBody;

const event = (i: number) => JSON.stringify({ event: 'order.created', i, pad: 'x'.repeat(20_000) });

describe('the log on a disk that fills up', () => {
  itUnless(NO_TMPFS)(
    'keeps answering 503 (never 500, never refused), restarts on the full disk, and recovers when space returns',
    async () => {
      const disk = tmpfsDisk(onCleanup, 24);
      const cloud = await startMockCloud();
      onCleanup(() => cloud.stop());
      cloud.always({ kind: 'status', status: 503 }); // down: acknowledged events stay in the spool
      const port = freePort();
      const logFile = join(disk.dir, 'logs', 'relay.log');
      const site = await installSite(
        onCleanup,
        relayToml({
          cloudUrl: cloud.url,
          port,
          spool: join(disk.dir, 'spool', 'relay.db'),
          config: {
            log: { file: logFile },
            forward: { initial_backoff_seconds: 0.2, max_backoff_seconds: 0.5 },
          },
        }),
      );
      let relay = await serveOn(site.bin, site.dir, port);
      const acked: string[] = [];
      let i = 0;
      const postNext = async () => {
        const body = event(i++);
        const res = await answer(relay.url, body);
        if (res !== 'refused' && res.status === 200) acked.push(body);
        return res;
      };
      for (let k = 0; k < 5; k++) expect(((await postNext()) as Response).status).toBe(200);

      // The disk fills up: everything but what the spool already holds is taken.
      disk.fill();
      let refused = 0;
      for (let k = 0; k < 400 && refused === 0; k++) {
        const res = await postNext();
        expect(res).not.toBe('refused');
        if ((res as Response).status !== 200) {
          await expectUnavailable(res);
          refused++;
        }
      }
      expect(refused).toBe(1); // the disk did fill up
      // Refused again and again, the log failing under it: the relay stays.
      for (let k = 0; k < 30; k++) await expectUnavailable(await postNext());
      expect(relay.running()).toBe(true);
      // The relay logs little on its own (a failure once per kind, refusals a line a minute): reloads
      // write lines until the log meets the full disk too.
      for (let k = 0; k < 40; k++) relay.proc.kill('SIGHUP');
      await waitFor(async () => (await health(relay.url)).log.ok === false, 'the log failing on the full disk');
      // /health answers, and tells both: the spool cannot store, the log cannot be written.
      let h = await health(relay.url);
      expect(h).toMatchObject({ spool: { ok: false }, log: { ok: false } });
      expect(h.reasons.map((r) => r.id)).toContain('log_failing');

      // kill -9 and start again on the disk that is still full.
      relay.proc.kill('SIGKILL');
      await relay.proc.exited;
      expect(disk.freeBytes()).toBeLessThan(64 * 1024);
      const restarted = performance.now();
      relay = await serveOn(site.bin, site.dir, port);
      const startMs = performance.now() - restarted;
      for (let k = 0; k < 5; k++) await expectUnavailable(await postNext());
      expect(relay.running()).toBe(true);
      h = await health(relay.url);
      expect(h).toMatchObject({ log: { ok: false } });
      expect(h.log.failures).toBeGreaterThan(0); // its start lines, at least

      // Space returns: events are taken again and the log is written again, by itself.
      disk.free();
      disk.resize(256);
      const freed = performance.now();
      const after = await postNext();
      expect((after as Response).status).toBe(200);
      await waitFor(async () => (await health(relay.url)).log.ok, 'the log written again');
      const recoveredMs = performance.now() - freed;
      h = await health(relay.url);
      expect(h.reasons.map((r) => r.id)).not.toContain('log_failing');
      // Every line whole (none glued to one cut short by the full disk), and one says how many were lost.
      const lines = readFileSync(logFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { msg: string; lost?: number });
      const note = lines.find((l) => l.msg === 'the log could not be written; lines were lost');
      expect(note?.lost).toBeGreaterThan(0);
      console.log(
        `log on a full disk: restarted in ${Math.round(startMs)} ms; the log written again ${Math.round(recoveredMs)} ms ` +
          `after space returned (${note?.lost} lines lost by the second relay; ${h.log.failures} counted)`,
      );

      // The cloud comes back: every acknowledged event reaches it.
      cloud.always({ kind: 'ok' });
      await waitFor(
        () => new Set(cloud.stored.map((r) => r.text)).size >= acked.length,
        `${acked.length} acknowledged events delivered`,
        30_000,
      );
      expect(new Set(cloud.stored.map((r) => r.text))).toEqual(new Set(acked));
      expect(relay.running()).toBe(true);
    },
    90_000,
  );
});

describe('the log under a flood of refusals', () => {
  it('keeps the log file and <file>.1 under twice the file size while a full spool answers 503 as fast as it can', async () => {
    ensureWrk();
    const cloud = await startMockCloud();
    onCleanup(() => cloud.stop());
    cloud.always({ kind: 'status', status: 503 });
    const port = freePort();
    const site = await installSite(
      onCleanup,
      relayToml({
        cloudUrl: cloud.url,
        port,
        config: { log: { file: 'logs/relay.log' }, spool: { max_size_mb: 1 } },
      }),
    );
    const logFile = join(site.dir, 'logs', 'relay.log');
    const relay = await serveOn(site.bin, site.dir, port);
    // The spool fills up (the cloud is down), big events first, then small
    // ones into what is left: from here on (nearly) every POST is a 503.
    const fill = async (pad: number) => {
      let status = 200;
      for (let k = 0; k < 1000 && status === 200; k++)
        status = (await post(relay.url, TOKEN, JSON.stringify({ k, pad: 'x'.repeat(pad) }))).status;
      expect(status).toBe(503);
    };
    await fill(100_000);
    await fill(0);

    const bodyFile = join(site.dir, 'body.json');
    writeFileSync(bodyFile, JSON.stringify({ event: 'order.created', order_id: 'flood' }));
    const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, size(logFile) + size(`${logFile}.1`));
    }, 100);
    const r = await wrk({
      url: `${relay.url}/webhooks/v1/pos/${TOKEN}`,
      bodyFile,
      threads: 2,
      connections: 64,
      seconds: 20,
    }).finally(() => clearInterval(sampler));
    peak = Math.max(peak, size(logFile) + size(`${logFile}.1`));
    console.log(
      `log flood: ${r.requests} requests (${Math.round(r.rps)}/s, ${r.non2xx} not 2xx, ${r.errors} socket errors); ` +
        `log ${size(logFile)} B + .1 ${size(`${logFile}.1`)} B, peak ${peak} B`,
    );
    expect(r.requests).toBeGreaterThan(1000);
    // Refused but for the few a checkpoint made room for: the spool stayed full.
    expect(r.non2xx).toBeGreaterThan(r.requests * 0.99);
    expect(r.errors).toBe(0);
    expect(relay.running()).toBe(true);
    expect(peak).toBeLessThanOrEqual(2 * LOG_FILE_MAX_BYTES);
    expect(size(logFile)).toBeLessThanOrEqual(LOG_FILE_MAX_BYTES);
    expect(existsSync(`${logFile}.2`)).toBe(false);
  }, 90_000);
});

describe('the log on a stdout nobody reads any more', () => {
  it('keeps taking and delivering events when its stdout reader goes away (EPIPE), says so, and stops cleanly', async () => {
    const cloud = await startMockCloud();
    onCleanup(() => cloud.stop());
    const port = freePort();
    const site = await installSite(onCleanup, relayToml({ cloudUrl: cloud.url, port }));
    // stdout is a FIFO this test reads, then closes: the relay's next line gets EPIPE.
    const fifo = join(site.dir, 'stdout');
    expect(Bun.spawnSync(['mkfifo', fifo]).exitCode).toBe(0);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY);
    const relay = await serveOn(site.bin, site.dir, port, writer);
    closeSync(writer);
    let out = '';
    const buf = Buffer.alloc(1 << 16);
    await waitFor(() => {
      try {
        out += buf.subarray(0, readSync(reader, buf)).toString();
      } catch {
        // EAGAIN: nothing yet
      }
      return out.includes('"relay started"');
    }, 'the start line on stdout');
    closeSync(reader);

    // A refusal is logged (its first line): that write finds no reader.
    expect((await post(relay.url, INACTIVE, '{}')).status).toBe(401);
    const bodies = [0, 1, 2].map((i) => JSON.stringify({ event: 'order.created', i }));
    for (const b of bodies) expect((await post(relay.url, TOKEN, b)).status).toBe(200);
    const h = await health(relay.url);
    expect(h.log).toMatchObject({ ok: false });
    expect(h.reasons.map((r) => r.id)).toContain('log_failing');
    await waitFor(() => cloud.stored.length === 3, 'the three events delivered');
    expect(cloud.stored.map((r) => r.text)).toEqual(bodies);
    expect(relay.stderr()).toContain('relay: cannot write the log (standard output): EPIPE');
    // Stopping logs too ("stopping", "relay stopped"): it still exits 0.
    relay.proc.kill('SIGTERM');
    expect(await relay.proc.exited).toBe(0);
  });
});
