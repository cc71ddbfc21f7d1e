/**
 * A spool with 1,000,000 pending events (a long outage at a busy site): the
 * relay must be up, answering /health, within 300 ms of its process starting,
 * and take webhooks at least 80% as fast as on an empty spool.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Bench, type Figure, fmt } from './figures.ts';
import { BENCH_TOKENS, freePort, ingestPath, median, startRelayBinary, type WrkResult, wrk } from './lib.ts';
import { SESSION_COMPLETE } from './payload.ts';
import { type Seeded, seedSpool } from './seed.ts';

export const BACKLOG = 1_000_000;
const STARTS = 3;

export interface ScaleRaw {
  seeded: Seeded;
  healthMs: number[];
  pendingSeen: number;
  empty: WrkResult[];
  full: WrkResult[];
  ratios: number[];
}

export async function scale(b: Bench): Promise<{ figures: Figure[]; raw: ScaleRaw }> {
  const fullDir = join(b.tmp, 'scale-full');
  const emptyDir = join(b.tmp, 'scale-empty');
  mkdirSync(fullDir, { recursive: true });
  mkdirSync(emptyDir, { recursive: true });
  const seeded = await seedSpool(fullDir, BACKLOG, new TextEncoder().encode(SESSION_COMPLETE), b.log);
  b.log(`  seeded ${fmt(seeded.rows)} pending events in ${fmt(seeded.seconds, 1)} s (${fmt(seeded.bytes / 1e6)} MB)`);

  const cloudUrl = `http://127.0.0.1:${freePort()}`; // down: the backlog stays pending
  const healthMs: number[] = [];
  let pendingSeen = 0;
  for (let i = 0; i < STARTS; i++) {
    const r = await startRelayBinary({ dir: fullDir, port: freePort(), cloudUrl });
    healthMs.push(r.readyMs);
    const h = (await (await fetch(`${r.url}/health`)).json()) as { spool?: { pending?: number } };
    pendingSeen = h.spool?.pending ?? -1;
    await r.stop();
    b.log(`  start ${i + 1}: /health answered ${fmt(r.readyMs, 1)} ms after spawn, pending ${fmt(pendingSeen)}`);
  }
  if (pendingSeen !== BACKLOG) throw new Error(`/health reported ${pendingSeen} pending, expected ${BACKLOG}`);

  const full = await startRelayBinary({ dir: fullDir, port: freePort(), cloudUrl });
  b.defer(full.stop);
  const empty = await startRelayBinary({ dir: emptyDir, port: freePort(), cloudUrl });
  b.defer(empty.stop);
  const run = (url: string, pid: number, seconds = b.seconds) =>
    wrk({
      url: url + ingestPath(BENCH_TOKENS[0]),
      bodyFile: b.bodyFile,
      threads: b.threads,
      connections: 64,
      seconds,
      serverPid: pid,
    });
  await run(empty.url, empty.pid, 2);
  await run(full.url, full.pid, 2);
  const raw: ScaleRaw = { seeded, healthMs, pendingSeen, empty: [], full: [], ratios: [] };
  const pairs = Math.max(2, Math.ceil(b.pairs / 2));
  for (let i = 0; i < pairs; i++) {
    const e = await run(empty.url, empty.pid);
    const f = await run(full.url, full.pid);
    for (const [w, who] of [
      [e, 'empty'],
      [f, 'full'],
    ] as const) {
      if (w.errors > 0 || w.non2xx > 0)
        throw new Error(`${who} spool run: ${w.non2xx} non-2xx, ${w.errors} errors (${w.command})`);
    }
    raw.empty.push(e);
    raw.full.push(f);
    raw.ratios.push(f.rps / e.rps);
    b.log(
      `  pair ${i + 1}: empty ${fmt(e.rps)} req/s, 1M pending ${fmt(f.rps)} req/s, ratio ${fmt(f.rps / e.rps, 3)}; other processes ${fmt(e.otherCores ?? 0, 2)}/${fmt(f.otherCores ?? 0, 2)} cores`,
    );
  }
  const worst = Math.max(...healthMs);
  const ratio = median(raw.ratios);
  return {
    raw,
    figures: [
      {
        section: 'scale',
        name: `/health after start, ${fmt(BACKLOG)} pending (worst of ${STARTS} starts)`,
        target: '≤ 300 ms',
        value: worst,
        pass: worst <= 300,
        result: `${fmt(worst)} ms (starts: ${healthMs.map((x) => fmt(x)).join(', ')} ms)`,
        how: `spawn of dist/relay serve to the first 200 from GET /health, polled every ms; spool ${fmt(seeded.bytes / 1e6)} MB, warm page cache`,
      },
      {
        section: 'scale',
        name: `Ingest with ${fmt(BACKLOG)} pending ÷ empty spool (median)`,
        target: '≥ 0.80',
        value: ratio,
        pass: ratio >= 0.8,
        result: `${fmt(ratio, 2)} (empty ${fmt(median(raw.empty.map((r) => r.rps)))} req/s, 1M ${fmt(median(raw.full.map((r) => r.rps)))} req/s)`,
        how: `${pairs} alternated pairs, ${raw.empty[0]!.command.replace(empty.url, '<relay>')}`,
      },
    ],
  };
}
