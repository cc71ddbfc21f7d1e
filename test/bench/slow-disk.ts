/**
 * A slow disk: the relay with its spool on the lossy FUSE
 * filesystem (test/fuse/lossy_fs.py) at 10 ms per fsync, one fsync at a time,
 * beside a naive server on the same mount, measured in the same run with the
 * same wrk: one insert per request, each its own fsynced commit. On a fast SSD
 * group commit hides in the noise; at 10 ms per fsync acks/s is fsyncs/s times
 * acks per fsync, and the naive server's ceiling is 100/s at any concurrency.
 *
 * Also the naive server itself: bun test/bench/slow-disk.ts naive PORT DB
 */
import { Database } from 'bun:sqlite';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fuseUnavailable, LossyFs } from '../fuse/lossy-fs.ts';
import { type Bench, type Figure, fmt } from './figures.ts';
import { BENCH_TOKENS, freePort, ingestPath, startRelayBinary, type WrkResult, waitFor, wrk } from './lib.ts';

const FSYNC_MS = 10;
const CONNECTIONS = [1, 4, 64] as const;

/** What run.ts prints as failed should the section not get as far as measuring. */
export const SLOW_DISK_TARGETS: [string, string][] = [
  ['Slow disk: acks per WAL fsync, 64 connections', '≥ 40'],
  ['Slow disk: acks/s, 64 connections', '≥ 4,000'],
  ['Slow disk: ack p99, 4 connections', `≤ ${3 * FSYNC_MS} ms`],
];

interface Run {
  server: 'relay' | 'naive';
  connections: number;
  wrk: WrkResult;
  /** fsyncs of the server's WAL during the run, and of anything on the mount. */
  walFsyncs: number;
  allFsyncs: number;
  /** write(2)s the FUSE process served: each one a round trip to it, which a kernel FS would not cost. */
  writes: number;
  acksPerFsync: number;
}

if (import.meta.main && Bun.argv[2] === 'naive') {
  const [port, path] = [Number(Bun.argv[3]), Bun.argv[4]!];
  const db = new Database(path, { create: true });
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL'); // as the relay: the WAL fsynced before the answer
  db.exec('CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body BLOB NOT NULL, received_at INTEGER)');
  const insert = db.prepare('INSERT INTO events (body, received_at) VALUES (?, ?)');
  Bun.serve({
    hostname: '127.0.0.1',
    port,
    async fetch(req) {
      if (req.method !== 'POST') return new Response('ok');
      const body = new Uint8Array(await req.arrayBuffer());
      const { lastInsertRowid } = insert.run(body, Date.now()); // one commit, one fsync, per request
      return Response.json({ status: 'success', event_id: String(lastInsertRowid), message: 'stored' });
    },
  });
}

export async function slowDisk(b: Bench): Promise<{ figures: Figure[]; raw: Run[] }> {
  const why = await fuseUnavailable();
  if (why) throw new Error(`the slow disk needs FUSE: ${why}`);
  const base = join(b.tmp, 'slow-disk');
  const fs = await LossyFs.mount({ backing: join(base, 'backing'), mnt: join(base, 'mnt'), fsyncMs: FSYNC_MS });
  b.defer(() => fs.unmount());
  const relayDir = join(fs.mnt, 'relay');
  mkdirSync(relayDir);
  mkdirSync(join(fs.mnt, 'naive'));
  // The cloud is down (a closed port): the relay only spools, as in the ingest section.
  const relay = await startRelayBinary({ dir: relayDir, port: freePort(), cloudUrl: `http://127.0.0.1:${freePort()}` });
  b.defer(relay.stop);
  const naivePort = freePort();
  const naive = Bun.spawn(
    [process.execPath, import.meta.path, 'naive', String(naivePort), join(fs.mnt, 'naive', 'n.db')],
    {
      stdout: 'inherit',
      stderr: 'inherit',
    },
  );
  b.defer(async () => {
    naive.kill('SIGTERM');
    await naive.exited;
  });
  const naiveUrl = `http://127.0.0.1:${naivePort}`;
  await waitFor(
    () =>
      fetch(naiveUrl).then(
        (r) => r.ok,
        () => false,
      ),
    'the naive server',
    15_000,
  );

  const servers = [
    { server: 'relay' as const, url: relay.url, pid: relay.pid, wal: 'spool.db-wal' },
    { server: 'naive' as const, url: naiveUrl, pid: naive.pid, wal: 'n.db-wal' },
  ];
  const measure = async (s: (typeof servers)[number], connections: number, seconds: number): Promise<Run> => {
    const before = await fs.stats();
    const r = await wrk({
      url: s.url + ingestPath(BENCH_TOKENS[0]),
      bodyFile: b.bodyFile,
      threads: 1,
      connections,
      seconds,
      serverPid: s.pid,
    });
    const after = await fs.stats();
    if (r.errors > 0 || r.non2xx > 0)
      throw new Error(
        `${s.server}, ${connections} connections: ${r.non2xx} not 2xx, ${r.errors} socket errors (${r.command})`,
      );
    const walFsyncs = (after.by_name[s.wal] ?? 0) - (before.by_name[s.wal] ?? 0);
    return {
      server: s.server,
      connections,
      wrk: r,
      walFsyncs,
      allFsyncs: after.fsyncs - before.fsyncs,
      writes: after.writes - before.writes,
      acksPerFsync: r.requests / Math.max(1, walFsyncs),
    };
  };
  for (const s of servers) await measure(s, 4, 2); // warm-up: JIT, the first pages of each file

  const runs: Run[] = [];
  for (const connections of CONNECTIONS) {
    for (const s of servers) {
      const run = await measure(s, connections, b.seconds);
      runs.push(run);
      const w = run.wrk;
      b.log(
        `  ${s.server}, ${connections} conn: ${fmt(w.rps)} acks/s, p50 ${fmt(w.p50Ms, 1)} ms, p99 ${fmt(w.p99Ms, 1)} ms, ` +
          `${fmt(run.acksPerFsync, 1)} acks per WAL fsync (${run.walFsyncs} WAL fsyncs of ${run.allFsyncs} on the mount, ` +
          `${fmt(run.writes / Math.max(1, run.walFsyncs), 0)} writes each); ` +
          `${fmt(w.cpuUsPerReq ?? 0, 0)} µs CPU/req, other processes ${fmt(w.otherCores ?? 0, 2)} cores`,
      );
    }
  }
  const stats = await fs.stats();
  b.log(
    `  the mount: ${stats.fsyncs} fsyncs, ${fmt(stats.fsync_wait_ms / Math.max(1, stats.fsyncs), 1)} ms each on average`,
  );

  const get = (server: Run['server'], c: number) => runs.find((r) => r.server === server && r.connections === c)!;
  const line = (c: number) => {
    const [r, n] = [get('relay', c), get('naive', c)];
    return `relay ${fmt(r.wrk.rps)} acks/s, p50 ${fmt(r.wrk.p50Ms, 1)} / p99 ${fmt(r.wrk.p99Ms, 1)} ms, ${fmt(r.acksPerFsync, 1)} per fsync; naive ${fmt(n.wrk.rps)} acks/s, p50 ${fmt(n.wrk.p50Ms, 1)} / p99 ${fmt(n.wrk.p99Ms, 1)} ms`;
  };
  const how = `${FSYNC_MS} ms per fsync (lossy_fs.py --fsync-ms), wrk -t1 -cN -d${b.seconds}s, ~1.5 KB session_complete; naive: bun:sqlite WAL synchronous=FULL, one insert per request`;
  const r64 = get('relay', 64);
  const r4 = get('relay', 4);
  const r1 = get('relay', 1);
  return {
    raw: runs,
    figures: [
      {
        section: 'slow-disk',
        name: 'Slow disk (10 ms fsync), 1 connection',
        target: 'reported',
        value: r1.wrk.rps,
        pass: true,
        result: line(1),
        how,
      },
      {
        section: 'slow-disk',
        name: 'Slow disk: ack p99, 4 connections',
        target: `≤ ${3 * FSYNC_MS} ms (3 fsyncs)`,
        value: r4.wrk.p99Ms,
        pass: r4.wrk.p99Ms <= 3 * FSYNC_MS,
        result: line(4),
        how,
      },
      {
        section: 'slow-disk',
        name: 'Slow disk: acks per WAL fsync, 64 connections',
        target: '≥ 40',
        value: r64.acksPerFsync,
        pass: r64.acksPerFsync >= 40,
        result: line(64),
        how,
      },
      {
        // 40 per fsync at 10 ms each is 4,000/s only if nothing but the fsync takes time between two.
        section: 'slow-disk',
        name: 'Slow disk: acks/s, 64 connections',
        target: '≥ 4,000',
        value: r64.wrk.rps,
        pass: r64.wrk.rps >= 4000,
        result: `${fmt(r64.wrk.rps)} acks/s: ${r64.walFsyncs} WAL fsyncs in ${fmt(r64.wrk.seconds, 1)} s, one per ${fmt((r64.wrk.seconds * 1000) / Math.max(1, r64.walFsyncs), 1)} ms`,
        how,
      },
    ],
  };
}
