/**
 * A/B of two relay binaries under the throughput load, alternated (A, B, A, B, ...)
 * so drift on a shared machine hits both alike. For deciding a change by
 * measurement; `make bench` is the verdict against the targets.
 *
 *   bun test/bench/ab.ts A=/path/to/relay-a B=/path/to/relay-b [--pairs 4] [--seconds 5] [--connections 64]
 *
 * Each binary gets its own empty spool; the cloud is down. Prints ack/s and
 * server CPU µs per request per run, and the median B/A ratio.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fmt } from './figures.ts';
import { BENCH_TOKENS, ensureWrk, freePort, median, memoryMb, relayToml, type WrkResult, wrk } from './lib.ts';
import { SESSION_COMPLETE } from './payload.ts';

const { values, positionals } = parseArgs({
  args: Bun.argv.slice(2),
  allowPositionals: true,
  options: {
    pairs: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
    threads: { type: 'string', default: '1' },
  },
});
const bins = positionals.map((p) => {
  const [label, path] = p.split('=');
  if (!label || !path) throw new Error(`expected LABEL=/path/to/relay, got ${JSON.stringify(p)}`);
  return { label, path };
});
if (bins.length < 2) throw new Error('give two binaries: A=/path/a B=/path/b');
ensureWrk();

const tmp = mkdtempSync(join(tmpdir(), 'relay-ab-'));
const bodyFile = join(tmp, 'body.json');
writeFileSync(bodyFile, SESSION_COMPLETE);
const procs: { label: string; proc: ReturnType<typeof Bun.spawn>; url: string; runs: WrkResult[] }[] = [];
try {
  for (const b of bins) {
    const dir = join(tmp, b.label);
    mkdirSync(dir);
    const port = freePort();
    writeFileSync(join(dir, 'relay.toml'), relayToml({ dir, port, cloudUrl: `http://127.0.0.1:${freePort()}` }));
    const proc = Bun.spawn([b.path, 'serve', '--config', 'relay.toml'], {
      cwd: dir,
      stdout: 'ignore',
      stderr: 'inherit',
    });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (i > 3000) throw new Error(`${b.path} did not answer /health`);
      if (
        await fetch(`${url}/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await Bun.sleep(5);
    }
    procs.push({ label: b.label, proc, url: `${url}/webhooks/v1/pos/${BENCH_TOKENS[0]}`, runs: [] });
  }
  const go = (p: (typeof procs)[number], seconds: number) =>
    wrk({
      url: p.url,
      bodyFile,
      threads: Number(values.threads),
      connections: Number(values.connections),
      seconds,
      serverPid: p.proc.pid,
    });
  for (const p of procs) await go(p, 2);
  for (let i = 0; i < Number(values.pairs); i++) {
    const line: string[] = [];
    for (const p of procs) {
      const r = await go(p, Number(values.seconds));
      if (r.non2xx + r.errors > 0) throw new Error(`${p.label}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      p.runs.push(r);
      line.push(
        `${p.label} ${fmt(r.rps)}/s ${fmt(r.cpuUsPerReq ?? 0, 1)} µs/req p50 ${fmt(r.p50Ms, 2)} p99 ${fmt(r.p99Ms, 2)} ms RSS ${fmt(memoryMb(p.proc.pid).rss)} MB (other ${fmt(r.otherCores ?? 0, 2)})`,
      );
    }
    console.log(`pair ${i + 1}: ${line.join(' | ')}`);
  }
  const [a, ...rest] = procs;
  for (const b of rest) {
    const ratios = b.runs.map((r, i) => r.rps / a!.runs[i]!.rps);
    const cpu = median(b.runs.map((r) => r.cpuUsPerReq ?? 0)) / median(a!.runs.map((r) => r.cpuUsPerReq ?? 0));
    console.log(
      `${b.label}/${a!.label}: median throughput ratio ${fmt(median(ratios), 3)} (${ratios.map((x) => fmt(x, 2)).join(', ')}), CPU per request ratio ${fmt(cpu, 3)}`,
    );
  }
} finally {
  for (const p of procs) {
    p.proc.kill('SIGTERM');
    await p.proc.exited;
  }
  rmSync(tmp, { recursive: true, force: true });
}
