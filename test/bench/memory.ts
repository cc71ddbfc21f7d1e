/**
 * Eight POS terminals each upload the largest body the contract allows
 * (10 MB, basic guide "Payload Guidelines") at the same moment: the relay's
 * peak RSS must stay under 400 MB, and every upload must be stored.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Bench, type Figure, fmt } from './figures.ts';
import { BENCH_TOKENS, freePort, ingestPath, memoryMb, startRelayBinary } from './lib.ts';
import { bigSession } from './payload.ts';

const CLIENTS = 8;
const SIZE = 10 * 1024 * 1024; // exactly server.max_body_bytes: accepted

export async function bigUploads(b: Bench): Promise<{ figures: Figure[]; raw: unknown }> {
  const dir = join(b.tmp, 'memory');
  mkdirSync(dir, { recursive: true });
  const relay = await startRelayBinary({ dir, port: freePort(), cloudUrl: `http://127.0.0.1:${freePort()}` });
  b.defer(relay.stop);
  const body = bigSession(SIZE);
  const before = memoryMb(relay.pid);
  let sampled = before.rss;
  const sampler = setInterval(() => {
    sampled = Math.max(sampled, memoryMb(relay.pid).rss);
  }, 5);
  const started = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) =>
      fetch(relay.url + ingestPath(BENCH_TOKENS[i % BENCH_TOKENS.length]!), {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const after = memoryMb(relay.pid);
  const peak = Math.max(after.hwm, sampled);
  await relay.stop();
  const ok = statuses.every((s) => s === 200);
  b.log(
    `  ${CLIENTS} × ${fmt(SIZE / 1e6, 1)} MB at once: statuses ${statuses.join(',')} in ${fmt(seconds, 2)} s; ` +
      `RSS before ${fmt(before.rss, 1)} MB, peak ${fmt(peak, 1)} MB (VmHWM ${fmt(after.hwm, 1)}, sampled ${fmt(sampled, 1)}), after ${fmt(after.rss, 1)} MB`,
  );
  return {
    raw: { statuses, seconds, before, after, sampledPeakMb: sampled },
    figures: [
      {
        section: 'memory',
        name: `Peak RSS, ${CLIENTS} clients each uploading 10 MB at once`,
        target: '≤ 400 MB, all stored',
        value: peak,
        pass: peak <= 400 && ok,
        result: `${fmt(peak, 1)} MB${ok ? ', all 200' : `, statuses ${statuses.join(',')}`}`,
        how: 'fresh relay; VmHWM from /proc/PID/status (and VmRSS sampled every 5 ms) around 8 concurrent POSTs of a 10,485,760-byte session_complete',
      },
    ],
  };
}
