/**
 * The relay against the servers a team would write instead, all
 * started here: a Bun.serve front that answers after Redis acknowledged an
 * RPUSH (redis-front.ts; Debian's redis-server, AOF with `appendfsync always`),
 * the naive bun:sqlite server (slow-disk.ts's: WAL, `synchronous=FULL`, one
 * insert and so one fsynced commit per request), and the bare Bun.serve.
 * Each peer is alternated with the relay (relay, Redis, relay, naive, relay,
 * bare, ...), the same wrk and body on all, so that drift of a shared VM
 * hits both sides of a pair alike; only the pairs' ratios are compared.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RedisClient } from 'bun';
import { type Bench, type Figure, fmt } from './figures.ts';
import {
  cpuSeconds,
  freePort,
  median,
  type Proc,
  ROOT,
  spawnAndWait,
  startBare,
  startRelayBinary,
  type WrkResult,
  waitFor,
  wrkAll200,
} from './lib.ts';

const REDIS_TARGET = 1.3;
const BARE_TARGET = 0.4;
const NAMES = {
  redis: 'Relay ÷ Bun + Redis front (RPUSH, AOF appendfsync always), median of pair ratios',
  bare: 'Relay ÷ bare Bun.serve, in the peer alternation (median of pair ratios)',
  naive: 'Relay ÷ naive bun:sqlite server (WAL, synchronous=FULL, one insert per request)',
};

/** What run.ts prints as failed should the section not get as far as measuring. */
export const PEERS_TARGETS: [string, string][] = [
  [NAMES.redis, `≥ ${REDIS_TARGET}`],
  [NAMES.bare, `≥ ${fmt(BARE_TARGET, 2)}`],
  [NAMES.naive, 'reported'],
];

type Peer = 'redis' | 'naive' | 'bare';
interface Pair {
  peer: Peer;
  relay: WrkResult;
  other: WrkResult;
  ratio: number;
  /** redis-server's own CPU per request (µs), beside the front's in `other.cpuUsPerReq`. */
  redisUsPerReq?: number;
}
export interface PeersRaw {
  redis: string | null;
  pairs: Pair[];
}

/** Debian's redis-server, installed like wrk when missing; or why it could not be. */
function ensureRedis(log: (l: string) => void): { path: string } | { why: string } {
  const found = Bun.which('redis-server');
  if (found) return { path: found };
  log('  redis-server is missing: installing the Debian package (apt-get install -y redis-server)');
  const apt = (...args: string[]) => {
    try {
      return Bun.spawnSync(['apt-get', ...args], { stdout: 'inherit', stderr: 'inherit' }).exitCode;
    } catch {
      return -1; // no apt-get at all
    }
  };
  const install = () => apt('install', '-y', 'redis-server');
  if (install() !== 0) {
    apt('update');
    if (install() !== 0)
      return { why: 'no redis-server, and apt-get install -y redis-server failed (also after apt-get update)' };
  }
  const again = Bun.which('redis-server');
  return again ? { path: again } : { why: 'apt-get installed redis-server but it is not on PATH' };
}

/**
 * redis-server on its own config in the bench's temp dir: the Debian
 * service's /etc/redis/redis.conf is not used nor started.
 */
async function startRedis(bin: string, dir: string, port: number) {
  mkdirSync(dir, { recursive: true });
  const conf = [
    'bind 127.0.0.1',
    `port ${port}`,
    'daemonize no',
    `dir ${dir}`,
    'logfile ""',
    'appendonly yes',
    // Every write fsynced before its reply: what the relay promises for a 200.
    'appendfsync always',
    // No RDB snapshots and no automatic AOF rewrites: either forks and
    // writes the whole dataset in the middle of a run. The bench empties the
    // list and rewrites the AOF between runs instead, which favours Redis.
    'save ""',
    'auto-aof-rewrite-percentage 0',
  ].join('\n');
  writeFileSync(join(dir, 'redis.conf'), `${conf}\n`);
  const proc = Bun.spawn([bin, join(dir, 'redis.conf')], { cwd: dir, stdout: 'pipe', stderr: 'pipe' });
  const out: string[] = [];
  for (const s of [proc.stdout, proc.stderr]) void new Response(s).text().then((t) => out.push(t));
  const client = new RedisClient(`redis://127.0.0.1:${port}`, { autoReconnect: false, connectionTimeout: 500 });
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}:\n${out.join('')}`);
      return client.connect().then(
        () => true,
        () => false,
      );
    },
    `redis-server on port ${port}`,
    15_000,
  );
  const fsync = (await client.send('CONFIG', ['GET', 'appendfsync'])) as Record<string, string>;
  if (fsync.appendfsync !== 'always') throw new Error(`redis-server has appendfsync ${fsync.appendfsync}, not always`);
  const info = String(await client.send('INFO', ['server']));
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
  return {
    proc,
    version,
    /** Empties the list and rewrites the AOF, so that neither memory nor the AOF grows run after run. */
    reset: async () => {
      await client.send('FLUSHALL', []);
      await client.send('BGREWRITEAOF', []);
      await waitFor(
        async () => /aof_rewrite_in_progress:0/.test(String(await client.send('INFO', ['persistence']))),
        'the AOF rewrite',
        30_000,
      );
    },
    stop: async () => {
      client.close();
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await proc.exited;
    },
  };
}

export async function peers(b: Bench): Promise<{ figures: Figure[]; raw: PeersRaw }> {
  const dir = join(b.tmp, 'peers');
  mkdirSync(join(dir, 'relay'), { recursive: true });
  mkdirSync(join(dir, 'naive'), { recursive: true });
  const raw: PeersRaw = { redis: null, pairs: [] };
  // The cloud is down (a closed port): the relay only spools, as in the ingest section.
  const relay = await startRelayBinary({
    dir: join(dir, 'relay'),
    port: freePort(),
    cloudUrl: `http://127.0.0.1:${freePort()}`,
  });
  b.defer(relay.stop);

  let redis: Awaited<ReturnType<typeof startRedis>> | null = null;
  let front: Proc | null = null;
  const found = ensureRedis(b.log);
  if ('why' in found) {
    raw.redis = `skipped: ${found.why}`;
    b.log(`  Redis row ${raw.redis}`);
  } else {
    const redisPort = freePort();
    redis = await startRedis(found.path, join(dir, 'redis'), redisPort);
    b.defer(redis.stop);
    raw.redis = `redis-server ${redis.version}`;
    const frontPort = freePort();
    front = await spawnAndWait(
      [process.execPath, join(import.meta.dir, 'redis-front.ts'), String(frontPort), String(redisPort)],
      ROOT,
      `http://127.0.0.1:${frontPort}`,
      '/',
      15_000,
    );
    b.defer(front.stop);
  }
  const naivePort = freePort();
  const naive = await spawnAndWait(
    [process.execPath, join(import.meta.dir, 'slow-disk.ts'), 'naive', String(naivePort), join(dir, 'naive', 'n.db')],
    ROOT,
    `http://127.0.0.1:${naivePort}`,
    '/',
    15_000,
  );
  b.defer(naive.stop);
  const bare = await startBare(freePort());
  b.defer(bare.stop);

  const servers: { peer: Peer; proc: Proc }[] = [
    ...(front ? [{ peer: 'redis' as const, proc: front }] : []),
    { peer: 'naive', proc: naive },
    { peer: 'bare', proc: bare },
  ];
  const run = (p: Proc, who: string, seconds = b.seconds) => wrkAll200(p, b, who, seconds);

  // Warm-up (JIT, page cache, first pages of each file); not recorded.
  await run(relay, 'relay warm-up', 2);
  for (const s of servers) await run(s.proc, `${s.peer} warm-up`, 2);
  await redis?.reset();

  for (let i = 0; i < b.pairs; i++) {
    for (const s of servers) {
      const r = await run(relay, `relay run before ${s.peer} ${i + 1}`);
      const cpu0 = redis && s.peer === 'redis' ? cpuSeconds(redis.proc.pid) : 0;
      const o = await run(s.proc, `${s.peer} run ${i + 1}`);
      const pair: Pair = { peer: s.peer, relay: r, other: o, ratio: r.rps / o.rps };
      if (redis && s.peer === 'redis') {
        const redisCpu = cpuSeconds(redis.proc.pid) - cpu0;
        pair.redisUsPerReq = (redisCpu * 1e6) / o.requests;
        // wrk counted redis-server among the other processes: it is part of this server.
        o.otherCores = Math.max(0, (o.otherCores ?? 0) - redisCpu / o.seconds);
        await redis.reset(); // between runs, not timed
      }
      raw.pairs.push(pair);
      const redisCpu = pair.redisUsPerReq === undefined ? '' : ` + redis-server ${fmt(pair.redisUsPerReq, 1)}`;
      b.log(
        `  pair ${i + 1}, ${s.peer}: relay ${fmt(r.rps)} req/s (${fmt(r.cpuUsPerReq ?? 0, 1)} µs CPU/req), ` +
          `${s.peer} ${fmt(o.rps)} req/s (${fmt(o.cpuUsPerReq ?? 0, 1)}${redisCpu} µs CPU/req), ratio ${fmt(pair.ratio, 2)}; ` +
          `other processes ${fmt(r.otherCores ?? 0, 2)}/${fmt(o.otherCores ?? 0, 2)} cores`,
      );
    }
  }

  const cmd = raw.pairs[0]!.relay.command.replace(relay.url, '<relay|peer>');
  const how = (what: string) =>
    `${b.pairs} alternated pairs (relay, then ${what}) of \`${cmd}\`, 64 keep-alive connections, ~1.5 KB session_complete; every answer a 200`;
  const figure = (peer: Peer, name: string, target: string, min: number | null, what: string): Figure => {
    const ps = raw.pairs.filter((p) => p.peer === peer);
    const ratio = median(ps.map((p) => p.ratio));
    return {
      section: 'peers',
      name,
      target,
      value: ratio,
      pass: min === null || ratio >= min,
      result:
        `${fmt(ratio, 2)} (relay ${fmt(median(ps.map((p) => p.relay.rps)))} req/s, ${peer} ${fmt(median(ps.map((p) => p.other.rps)))} req/s; ` +
        `pairs ${ps.map((p) => fmt(p.ratio, 2)).join(', ')})`,
      how: how(what),
    };
  };
  const figures: Figure[] = [];
  if (redis) {
    figures.push(figure('redis', NAMES.redis, PEERS_TARGETS[0]![1], REDIS_TARGET, `redis-front.ts on ${raw.redis}`));
  } else {
    // Printed, and failed: a target not shown to be met.
    const why = raw.redis ?? 'skipped';
    figures.push({
      section: 'peers',
      name: NAMES.redis,
      target: PEERS_TARGETS[0]![1],
      value: null,
      pass: false,
      result: why,
      how: why,
    });
  }
  figures.push(figure('bare', NAMES.bare, PEERS_TARGETS[1]![1], BARE_TARGET, 'bare.ts'));
  figures.push(figure('naive', NAMES.naive, 'reported', null, 'slow-disk.ts naive, on the same disk as the spool'));
  return { figures, raw };
}
