/**
 * Where an ack's time goes: the relay's ingest path rebuilt one
 * piece at a time on the same stack (ladder-server.ts), between the bare
 * Bun.serve and the relay binary, all alternated in one run. Each rung
 * reports its pair ratio to the bare server of the same round, the server's
 * CPU per request, and how busy its busiest thread was: a thread near 1 core
 * is the ceiling. The last two model rungs take storing off the ack's
 * thread (a Worker with the fsync pipelined; an append-only log in front):
 * the designs that would have to win for the peers' targets
 * (docs/performance.md).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Bench, type Figure, fmt } from './figures.ts';
import {
  freePort,
  median,
  type Proc,
  ROOT,
  spawnAndWait,
  startBare,
  startRelayBinary,
  stealSeconds,
  threadSeconds,
  type WrkResult,
  wrkAll200,
} from './lib.ts';

/** The model rungs, cheapest first. */
export const STEPS = [
  { id: 'elysia', what: 'Elysia route, raw body read, answered after the turn (a group commit storing nothing)' },
  { id: 'checks', what: "+ the relay's JSON check, payload warnings and answer" },
  { id: 'libsql', what: '+ libSQL group commit, the spool tables, multi-row INSERT, no fsync (synchronous=OFF)' },
  { id: 'libsql-fsync', what: '+ the WAL fsynced in every COMMIT, on the event loop (the relay’s way)' },
  { id: 'worker', what: 'storing on a Worker, COMMIT without fsync, then one WAL fsync per round, pipelined' },
  {
    id: 'log',
    what: 'an append-only log on the ack path (one write + fdatasync a turn), a Worker inserting from it into libSQL',
  },
] as const;
export type Step = (typeof STEPS)[number]['id'];

type Rung = 'bare' | Step | 'relay';
const RUNGS: { id: Rung; what: string }[] = [
  { id: 'bare', what: 'bare Bun.serve (bare.ts)' },
  ...STEPS,
  { id: 'relay', what: 'the relay binary (dist/relay)' },
];

interface Run {
  rung: Rung;
  round: number;
  wrk: WrkResult;
  /** CPU of the server's busiest thread during the run, in cores. */
  busiestThread: number;
  ratio: number;
}

export async function ladder(b: Bench): Promise<{ figures: Figure[]; raw: { runs: Run[]; stealCores: number } }> {
  const dir = join(b.tmp, 'ladder');
  const procs = new Map<Rung, Proc>();
  for (const r of RUNGS) {
    const own = join(dir, r.id);
    mkdirSync(own, { recursive: true });
    const port = freePort();
    const p =
      r.id === 'bare'
        ? await startBare(port)
        : r.id === 'relay'
          ? await startRelayBinary({ dir: own, port, cloudUrl: `http://127.0.0.1:${freePort()}` })
          : await spawnAndWait(
              [process.execPath, join(import.meta.dir, 'ladder-server.ts'), r.id, String(port), own],
              ROOT,
              `http://127.0.0.1:${port}`,
              '/',
              15_000,
            );
    b.defer(p.stop);
    procs.set(r.id, p);
  }
  const run = async (rung: Rung, seconds: number) => {
    const p = procs.get(rung)!;
    const before = threadSeconds(p.pid);
    const r = await wrkAll200(p, b, `ladder ${rung}`, seconds);
    let busiest = 0;
    for (const [tid, s] of threadSeconds(p.pid)) busiest = Math.max(busiest, s - (before.get(tid) ?? 0));
    return { wrk: r, busiestThread: busiest / r.seconds };
  };

  for (const r of RUNGS) await run(r.id, 2); // warm-up: JIT, page cache, the files' first pages
  const runs: Run[] = [];
  const steal0 = stealSeconds();
  const t0 = performance.now();
  for (let round = 1; round <= b.pairs; round++) {
    let bare = 0;
    for (const r of RUNGS) {
      const m = await run(r.id, b.seconds);
      if (r.id === 'bare') bare = m.wrk.rps;
      runs.push({ rung: r.id, round, ...m, ratio: m.wrk.rps / bare });
      b.log(
        `  round ${round}, ${r.id}: ${fmt(m.wrk.rps)} req/s (${fmt(m.wrk.rps / bare, 2)} × bare), ` +
          `${fmt(m.wrk.cpuUsPerReq ?? 0, 1)} µs CPU/req, busiest thread ${fmt(m.busiestThread, 2)} cores`,
      );
    }
  }
  const stealCores = (stealSeconds() - steal0) / ((performance.now() - t0) / 1000);
  b.log(`  the hypervisor took ${fmt(stealCores, 2)} cores on average (steal) during the rounds`);

  const figures = RUNGS.map((r): Figure => {
    const mine = runs.filter((x) => x.rung === r.id);
    const ratio = median(mine.map((x) => x.ratio));
    return {
      section: 'ladder',
      name: `Ladder: ${r.what}`,
      target: 'reported',
      value: ratio,
      pass: true,
      result:
        `${fmt(ratio, 2)} × bare (${fmt(median(mine.map((x) => x.wrk.rps)))} req/s), ` +
        `${fmt(median(mine.map((x) => x.wrk.cpuUsPerReq ?? 0)), 1)} µs CPU/req, ` +
        `busiest thread ${fmt(median(mine.map((x) => x.busiestThread)), 2)} cores; rounds ${mine.map((x) => fmt(x.ratio, 2)).join(', ')}`,
      how: `${b.pairs} rounds of bare, each model rung and the relay in turn, wrk -t${b.threads} -c64 ${b.seconds} s each, ~1.5 KB session_complete; every answer a 200`,
    };
  });
  return { figures, raw: { runs, stealCores } };
}
