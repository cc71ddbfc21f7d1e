/**
 * A long outage and its end, on the compiled relay: 300,000 events posted
 * over 8 lanes (4 tokens × prod/dev) while the cloud is away for longer than
 * the longest backoff, then the cloud back. Measured: how soon after the
 * cloud's first successful answer every lane tries again, the drain rate
 * under the cloud's real limit (100/s per token) and unlimited, the relay's
 * RSS peak through ingest, admin calls, CLI commands and the drain, the bytes
 * the spool takes on disk per event, and the POS's ack latency while
 * `relay events purge` deletes the delivered events.
 *
 * BACKLOG_EVENTS=N runs it with another backlog (a quick look at a change).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Bench, type Figure, fmt } from './figures.ts';
import {
  BENCH_TOKENS,
  freePort,
  ingestPath,
  median,
  memoryMb,
  type Proc,
  RELAY_BIN,
  spawnAndWait,
  startRelayBinary,
  waitFor,
} from './lib.ts';

const EVENTS = Number(process.env.BACKLOG_EVENTS ?? 300_000);
const ENVS = ['prod', 'dev'] as const;
const LANES = BENCH_TOKENS.flatMap((t) => ENVS.map((env) => ({ token: t, env })));
const laneName = (token: string, env: string) => `${token}/${env}`;
/** The cloud's limit per token (basic guide, "Rate Limits"), and forward.rate_per_token to match it. */
const CLOUD_LIMIT = 100;
/** forward.max_backoff_seconds for the run: the outage lasts longer than this. */
const MAX_BACKOFF_S = 10;
const LUA = join(import.meta.dir, 'lanes.lua');

export const BACKLOG_TARGETS: [string, string][] = [
  ['Cloud back: its first success to every lane’s first attempt', '≤ 2 s'],
  ['Relay RSS peak, 300,000 pending (ingest, admin, CLI, drain)', '≤ 100 MB'],
  ['Ack p99 during `relay events purge` of the delivered events', '≤ 50 ms'],
];

/** The cloud, lean: counts per lane, first arrival per lane, a token bucket per token when limited. */
function startCloud(port: number) {
  const perLane = new Map<string, number>();
  const firstAttempt = new Map<string, number>();
  let firstOk: number | null = null;
  let stored = 0;
  let refused = 0;
  let limit: number | null = CLOUD_LIMIT;
  const buckets = new Map<string, { tokens: number; at: number }>();
  let n = 0;
  const server = Bun.serve({
    port,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(req) {
      const now = performance.now();
      const url = new URL(req.url);
      await req.arrayBuffer();
      const token = decodeURIComponent(url.pathname.split('/').pop() ?? '');
      const lane = laneName(token, url.searchParams.get('env') ?? 'prod');
      if (!firstAttempt.has(lane)) firstAttempt.set(lane, now);
      if (limit !== null) {
        const b = buckets.get(token) ?? { tokens: limit, at: now };
        b.tokens = Math.min(limit, b.tokens + ((now - b.at) * limit) / 1000);
        b.at = now;
        buckets.set(token, b);
        if (b.tokens < 1) {
          refused++;
          return Response.json({ detail: 'Too Many Requests' }, { status: 429, headers: { 'retry-after': '1' } });
        }
        b.tokens -= 1;
      }
      firstOk ??= now;
      stored++;
      perLane.set(lane, (perLane.get(lane) ?? 0) + 1);
      return Response.json({
        status: 'success',
        event_id: `cloud-${++n}`,
        message: 'Webhook received and stored',
        received_at: new Date().toISOString(),
      });
    },
  });
  return {
    stored: () => stored,
    refused: () => refused,
    firstOk: () => firstOk,
    firstAttempt,
    perLane,
    unlimit: () => {
      limit = null;
    },
    stop: () => server.stop(true),
  };
}

/** Samples the RSS of the processes it is given, every 100 ms; the peak of each, and their VmHWM. */
function rssWatch() {
  const peaks = new Map<string, number>();
  const watched = new Map<string, number>();
  const look = () => {
    for (const [name, pid] of watched) {
      try {
        const m = memoryMb(pid);
        peaks.set(name, Math.max(peaks.get(name) ?? 0, m.rss, m.hwm));
      } catch {
        watched.delete(name); // exited
      }
    }
  };
  const timer = setInterval(look, 100);
  return {
    watch: (name: string, pid: number) => {
      watched.set(name, pid);
      look();
    },
    now: (pid: number) => memoryMb(pid).rss,
    peak: (name: string) => {
      look();
      return peaks.get(name) ?? 0;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * The floor under the relay's memory: Bun.serve alone (test/bench/bare.ts),
 * compiled the way the relay is, taking the same posts on the same 8 lanes
 * for 10 s. Its RSS peak is what the runtime costs before the relay holds
 * anything.
 */
async function bareRssPeak(b: Bench, paths: string[]): Promise<number> {
  const exe = join(b.tmp, 'bare-compiled');
  const built = Bun.spawnSync(
    [process.execPath, 'build', '--compile', join(import.meta.dir, 'bare.ts'), '--outfile', exe],
    {
      stdout: 'pipe',
      stderr: 'pipe',
    },
  );
  if (built.exitCode !== 0) throw new Error(`bun build --compile bare.ts failed: ${built.stderr.toString()}`);
  const port = freePort();
  const bare = await spawnAndWait([exe, String(port)], b.tmp, `http://127.0.0.1:${port}`, '/', 15_000);
  b.defer(() => bare.stop());
  // The same sampler as the relay's (rssWatch): every 100 ms, VmRSS and VmHWM.
  const rss = rssWatch();
  rss.watch('bare', bare.pid);
  const w = Bun.spawn(['wrk', '-t1', '-c8', '-d10s', '-s', LUA, bare.url, '--', b.bodyFile, ...paths], {
    stdout: 'ignore',
    stderr: 'pipe',
  });
  await w.exited;
  const peak = rss.peak('bare');
  rss.stop();
  await bare.stop();
  return peak;
}

const health = async (url: string) =>
  (await (await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) })).json()) as {
    spool: { pending: number; delivered?: number; bytes: number };
  };

/** The spool's files on disk: the database and its write-ahead log. */
const diskBytes = (dir: string) => {
  const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
  const db = size(join(dir, 'spool.db'));
  const wal = size(join(dir, 'spool.db-wal'));
  return { db, wal, total: db + wal };
};

/** `relay ARGS` beside the running server; its own RSS peak sampled while it runs. */
async function cli(dir: string, args: string[]): Promise<{ code: number; ms: number; peakMb: number; out: string }> {
  const started = performance.now();
  const p = Bun.spawn([RELAY_BIN, ...args, '--config', 'relay.toml'], { cwd: dir, stdout: 'pipe', stderr: 'pipe' });
  let peakMb = 0;
  const timer = setInterval(() => {
    try {
      const m = memoryMb(p.pid);
      peakMb = Math.max(peakMb, m.rss, m.hwm);
    } catch {
      // exited between looks
    }
  }, 10);
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  const code = await p.exited;
  clearInterval(timer);
  // `relay status` exits 1 while the relay is degraded (the cloud away): an answer all the same.
  if (code !== 0 && !(args[0] === 'status' && code === 1 && out !== '')) {
    throw new Error(`relay ${args.join(' ')} exited ${code}: ${err}${out}`);
  }
  return { code, ms: performance.now() - started, peakMb, out };
}

/** What the technician and the page do meanwhile: the page, its API, the events list, metrics. */
async function adminCalls(url: string): Promise<number> {
  const started = performance.now();
  for (const path of [
    '/admin',
    '/admin/api/status',
    '/admin/live',
    '/admin/api/events?limit=50',
    '/metrics',
    '/health',
  ]) {
    const r = await fetch(url + path, { signal: AbortSignal.timeout(10_000) });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}`);
  }
  return performance.now() - started;
}

/**
 * A POS at a steady pace (`perSecond`, spread over the 8 lanes), each POST
 * timed from send to answer: the acks a restaurant waits on while
 * maintenance runs. Runs until `until` resolves.
 */
async function pacedPosts(url: string, body: string, perSecond: number, until: Promise<unknown>) {
  const ms: number[] = [];
  let failed = 0;
  let stop = false;
  void until.finally(() => {
    stop = true;
  });
  const inFlight: Promise<void>[] = [];
  const gap = 1000 / perSecond;
  let next = performance.now();
  for (let i = 0; !stop; i++) {
    const lane = LANES[i % LANES.length]!;
    const t0 = performance.now();
    inFlight.push(
      fetch(`${url}${ingestPath(lane.token)}?env=${lane.env}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      }).then(
        async (r) => {
          await r.arrayBuffer();
          if (r.status === 200) ms.push(performance.now() - t0);
          else failed++;
        },
        () => {
          failed++;
        },
      ),
    );
    next += gap;
    const wait = next - performance.now();
    if (wait > 0) await Bun.sleep(wait);
  }
  await Promise.all(inFlight);
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { n: ms.length, failed, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

export async function backlog(b: Bench): Promise<{ figures: Figure[]; raw: unknown }> {
  const dir = join(b.tmp, 'backlog');
  mkdirSync(dir, { recursive: true });
  const body = readFileSync(b.bodyFile, 'utf8');
  const cloudPort = freePort();
  const cloudUrl = `http://127.0.0.1:${cloudPort}`;
  const port = freePort();
  const rss = rssWatch();
  b.defer(rss.stop);
  const figures: Figure[] = [];
  const raw: Record<string, unknown> = { events: EVENTS, body_bytes: Buffer.byteLength(body) };

  const paths = LANES.map((l) => `${ingestPath(l.token)}?env=${l.env}`);
  const bareMb = await bareRssPeak(b, paths);
  b.log(`  floor: a compiled bare Bun.serve taking the same posts peaks at ${fmt(bareMb)} MB RSS`);

  // --- The outage: the cloud away, the POS posting on 8 lanes.
  let relay: Proc = await startRelayBinary({
    dir,
    port,
    cloudUrl,
    forwardRate: CLOUD_LIMIT,
    initialBackoffS: 1,
    maxBackoffS: MAX_BACKOFF_S,
  });
  b.defer(() => relay.stop());
  const outageStarted = performance.now();
  rss.watch('relay', relay.pid);
  const rssEmpty = rss.now(relay.pid);
  const wrkP = Bun.spawn(
    ['wrk', '-t1', '-c8', '-d3600s', '--timeout', '10s', '-s', LUA, relay.url, '--', b.bodyFile, ...paths],
    { stdout: 'pipe', stderr: 'pipe' },
  );
  b.defer(() => {
    if (wrkP.exitCode === null) wrkP.kill('SIGKILL');
  });
  const ingestStarted = performance.now();
  let pending = 0;
  while (pending < EVENTS) {
    if (wrkP.exitCode !== null) throw new Error(`wrk exited early: ${await new Response(wrkP.stderr).text()}`);
    await Bun.sleep(200);
    pending = (await health(relay.url)).spool.pending;
  }
  wrkP.kill('SIGINT');
  await wrkP.exited;
  const ingestS = (performance.now() - ingestStarted) / 1000;
  pending = (await health(relay.url)).spool.pending;
  const rssIngest = rss.now(relay.pid);
  const disk = diskBytes(dir);
  const perEvent = disk.total / pending;
  const counted = (await health(relay.url)).spool.bytes;
  b.log(
    `  outage: ${fmt(pending)} events spooled over 8 lanes in ${fmt(ingestS, 1)} s (${fmt(pending / ingestS)}/s); ` +
      `RSS ${fmt(rssEmpty)} MB empty → ${fmt(rssIngest)} MB; on disk ${fmt(disk.total / 1e6, 1)} MB ` +
      `(file ${fmt(disk.db / 1e6, 1)} + log ${fmt(disk.wal / 1e6, 1)}) = ${fmt(perEvent)} B/event for ${fmt(Buffer.byteLength(body))} B bodies; ` +
      `quota counts ${fmt(counted / 1e6, 1)} MB`,
  );

  // What a technician does meanwhile: the page and the CLI.
  const adminMs = [await adminCalls(relay.url), await adminCalls(relay.url), await adminCalls(relay.url)];
  const cliStatus = await cli(dir, ['status']);
  const cliList = await cli(dir, ['events', 'list', '--limit', '50']);
  const rssAdmin = rss.now(relay.pid);
  b.log(
    `  admin calls (6 pages × 3): ${adminMs.map((m) => fmt(m)).join(', ')} ms; RSS ${fmt(rssAdmin)} MB; ` +
      `relay status ${fmt(cliStatus.ms)} ms (${fmt(cliStatus.peakMb)} MB), events list ${fmt(cliList.ms)} ms (${fmt(cliList.peakMb)} MB)`,
  );
  // Every lane past its longest backoff before the cloud comes back.
  const away = (performance.now() - outageStarted) / 1000;
  if (away < MAX_BACKOFF_S * 1.5) await Bun.sleep((MAX_BACKOFF_S * 1.5 - away) * 1000);

  // --- The cloud back, with its real limit.
  const cloud = startCloud(cloudPort);
  b.defer(() => cloud.stop());
  const back = performance.now();
  await waitFor(() => cloud.firstAttempt.size === LANES.length, 'every lane tried again', 60_000).catch((e) => {
    throw new Error(
      `${(e as Error).message}; lanes seen: ${[...cloud.firstAttempt.keys()].join(', ')}; stored ${cloud.stored()}`,
    );
  });
  const firstOk = cloud.firstOk() ?? back;
  const lag = Math.max(...[...cloud.firstAttempt.values()].map((t) => t - firstOk)) / 1000;
  const firstOkAfter = (firstOk - back) / 1000;
  await Bun.sleep(5000); // past the burst
  const s0 = cloud.stored();
  const w0 = performance.now();
  await Bun.sleep(15_000);
  const limitedRate = (cloud.stored() - s0) / ((performance.now() - w0) / 1000);
  b.log(
    `  cloud back: first success ${fmt(firstOkAfter, 2)} s after it listened; every lane's first attempt within ` +
      `${fmt(lag, 2)} s of it; limited to ${CLOUD_LIMIT}/s per token: ${fmt(limitedRate)}/s delivered ` +
      `(${BENCH_TOKENS.length} tokens), ${fmt(cloud.refused())} × 429`,
  );

  // --- The rest, unlimited: the relay restarted with forward.rate_per_token lifted.
  await relay.stop();
  cloud.unlimit();
  relay = await startRelayBinary({ dir, port, cloudUrl, forwardRate: 1_000_000, initialBackoffS: 1, maxBackoffS: 10 });
  rss.watch('relay2', relay.pid);
  const restartMs = relay.readyMs;
  const d0 = cloud.stored();
  const t0 = performance.now();
  let cliPeak = Math.max(cliStatus.peakMb, cliList.peakMb);
  const drainAdmin: number[] = [];
  let left = (await health(relay.url)).spool.pending;
  const leftAtStart = left;
  let lastLook = 0;
  while (left > 0) {
    await Bun.sleep(500);
    if (performance.now() - lastLook > 5000) {
      lastLook = performance.now();
      drainAdmin.push(await adminCalls(relay.url));
      cliPeak = Math.max(cliPeak, (await cli(dir, ['status'])).peakMb);
    }
    left = (await health(relay.url)).spool.pending;
    if (performance.now() - t0 > 900_000) throw new Error(`drain not finished after 15 minutes: ${left} left`);
  }
  const drainS = (performance.now() - t0) / 1000;
  const drainRate = (cloud.stored() - d0) / drainS;
  const peak = Math.max(rss.peak('relay'), rss.peak('relay2'));
  b.log(
    `  unlimited drain: ${fmt(leftAtStart)} events in ${fmt(drainS, 1)} s = ${fmt(drainRate)}/s (restart with the backlog: ` +
      `/health after ${fmt(restartMs)} ms); admin calls meanwhile ${fmt(median(drainAdmin))} ms median; ` +
      `relay RSS peak ${fmt(peak)} MB, CLI peak ${fmt(cliPeak)} MB`,
  );
  if (cloud.stored() < pending) throw new Error(`the cloud stored ${cloud.stored()} of ${pending} events`);

  // --- Maintenance: purge every delivered event while a POS posts 100/s.
  const base = await pacedPosts(relay.url, body, 100, Bun.sleep(3000));
  const purgeStarted = performance.now();
  const purge = cli(dir, [
    'events',
    'purge',
    '--delivered-before',
    new Date(Date.now() + 60_000).toISOString(),
    '--json',
  ]);
  const during = await pacedPosts(relay.url, body, 100, purge);
  const purged = await purge;
  const purgeS = (performance.now() - purgeStarted) / 1000;
  const purgedN = (JSON.parse(purged.out) as { purged: number }).purged;
  b.log(
    `  purge of ${fmt(purgedN)} delivered events: ${fmt(purgeS, 1)} s; acks at 100/s meanwhile p50 ${fmt(during.p50, 1)} ms, ` +
      `p99 ${fmt(during.p99, 1)} ms, max ${fmt(during.max, 1)} ms (${during.failed} failed); before it p99 ${fmt(base.p99, 1)} ms`,
  );
  const peakAll = Math.max(peak, rss.peak('relay2'));
  await relay.stop();
  await cloud.stop();
  const after = diskBytes(dir);

  Object.assign(raw, {
    ingest: { pending, seconds: ingestS },
    rss_mb: {
      bare_peak: bareMb,
      empty: rssEmpty,
      after_ingest: rssIngest,
      after_admin: rssAdmin,
      peak: peakAll,
      cli_peak: cliPeak,
    },
    disk: { ...disk, per_event: perEvent, counted, after_purge: after },
    admin_ms: { outage: adminMs, drain: drainAdmin },
    recovery: { first_ok_after_s: firstOkAfter, every_lane_within_s: lag },
    limited: { rate: limitedRate, refused: cloud.refused() },
    drain: { events: leftAtStart, seconds: drainS, rate: drainRate, restart_ms: restartMs },
    purge: { purged: purgedN, seconds: purgeS, acks: during, acks_before: base },
  });
  writeFileSync(join(b.tmp, 'backlog.json'), JSON.stringify(raw));
  const how = `${fmt(pending)} events (${fmt(Buffer.byteLength(body))} B) over 8 lanes, cloud away ${MAX_BACKOFF_S * 1.5}+ s (max backoff ${MAX_BACKOFF_S} s)`;
  figures.push(
    {
      section: 'backlog',
      name: BACKLOG_TARGETS[0]![0],
      target: BACKLOG_TARGETS[0]![1],
      value: lag,
      pass: lag <= 2,
      result: `${fmt(lag, 2)} s`,
      how,
      headline: true,
    },
    {
      section: 'backlog',
      name: `Drain, cloud limited to ${CLOUD_LIMIT}/s per token (${BENCH_TOKENS.length} tokens)`,
      target: 'reported',
      value: limitedRate,
      pass: true,
      result: `${fmt(limitedRate)}/s`,
      how: `forward.rate_per_token = ${CLOUD_LIMIT}; 15 s window after the burst`,
      headline: true,
    },
    {
      section: 'backlog',
      name: 'Drain, unlimited cloud, 8 lanes',
      target: 'reported',
      value: drainRate,
      pass: true,
      result: `${fmt(drainRate)}/s (${fmt(leftAtStart)} in ${fmt(drainS, 1)} s)`,
      how: 'relay restarted with forward.rate_per_token = 1,000,000; admin calls and `relay status` every 5 s',
      headline: true,
    },
    {
      section: 'backlog',
      name: BACKLOG_TARGETS[1]![0],
      target: BACKLOG_TARGETS[1]![1],
      value: peakAll,
      pass: peakAll <= 100,
      result: `${fmt(peakAll)} MB (empty ${fmt(rssEmpty)}, after ingest ${fmt(rssIngest)}, after admin ${fmt(rssAdmin)}; CLI ${fmt(cliPeak)}; bare Bun.serve, compiled, same posts: ${fmt(bareMb)})`,
      how: 'VmRSS/VmHWM from /proc every 100 ms',
      headline: true,
    },
    {
      section: 'backlog',
      name: BACKLOG_TARGETS[2]![0],
      target: BACKLOG_TARGETS[2]![1],
      value: during.p99,
      pass: during.p99 <= 50 && during.failed === 0,
      result: `${fmt(during.p99, 1)} ms (max ${fmt(during.max, 1)}; purge ${fmt(purgedN)} in ${fmt(purgeS, 1)} s)`,
      how: 'a POS posting 100/s over the 8 lanes, each POST timed',
      headline: true,
    },
    {
      section: 'backlog',
      name: 'Spool on disk per event (file + WAL), bench payload',
      target: 'reported',
      value: perEvent,
      pass: true,
      result: `${fmt(perEvent)} B for ${fmt(Buffer.byteLength(body))} B bodies; /health bytes ${fmt(counted / pending)} B/event`,
      how: 'after ingest, spool.db + spool.db-wal sizes ÷ pending',
      headline: true,
    },
  );
  return { figures, raw };
}
