/**
 * `make bench`: the relay against the machine's own limits. Starts
 * what it needs on loopback (dist/relay, a bare Bun.serve, mock clouds), prints
 * a Markdown table, writes the same as JSON, and exits 1 when a target is missed.
 *
 *   bun run test/bench/run.ts [--only ingest,peers,ladder,drain,memory,scale,slow-disk,backlog] [--seconds 5] [--pairs 4] [--threads 2]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKLOG_TARGETS, backlog } from './backlog.ts';
import { drain } from './drain.ts';
import { type Bench, broken, type Figure, fmt } from './figures.ts';
import { ladder } from './ladder.ts';
import { ensureWrk, ROOT } from './lib.ts';
import { bigUploads } from './memory.ts';
import { SESSION_COMPLETE } from './payload.ts';
import { PEERS_TARGETS, peers } from './peers.ts';
import { HEADLINES, RESULTS, writeResults } from './results-doc.ts';
import { scale } from './scale.ts';
import { SLOW_DISK_TARGETS, slowDisk } from './slow-disk.ts';
import { throughput } from './throughput.ts';

const SECTIONS = ['ingest', 'peers', 'ladder', 'drain', 'memory', 'scale', 'slow-disk', 'backlog'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    only: { type: 'string' },
    seconds: { type: 'string', default: '5' },
    pairs: { type: 'string', default: '4' },
    threads: { type: 'string', default: '1' },
    out: { type: 'string', default: join(ROOT, '.bench', 'results.json') },
  },
});
const only = (values.only?.split(',') ?? [...SECTIONS]) as Section[];
for (const s of only) {
  if (!SECTIONS.includes(s))
    throw new Error(`--only: unknown section ${JSON.stringify(s)}; known: ${SECTIONS.join(', ')}`);
}

const nproc = Number(Bun.spawnSync(['nproc']).stdout.toString().trim()) || cpus().length;
const wrkPath = ensureWrk();
const wrkVersion = Bun.spawnSync([wrkPath, '--version'])
  .stdout.toString()
  .split('\n')[0]!
  .replace(/\s*Copyright.*$/, '')
  .trim();
const head =
  Bun.spawnSync(['git', 'rev-parse', '--short=12', 'HEAD'], { cwd: ROOT }).stdout.toString().trim() || 'unknown';
// The binary is built from the working tree: say so when src/ differs from the commit.
const dirty = Bun.spawnSync(['git', 'diff', '--quiet', 'HEAD', '--', 'src', 'scripts'], { cwd: ROOT }).exitCode !== 0;
const commit = dirty ? `${head}+uncommitted` : head;

const tmp = mkdtempSync(join(tmpdir(), 'relay-bench-'));
const bodyFile = join(tmp, 'session_complete.json');
writeFileSync(bodyFile, SESSION_COMPLETE);
const stops: (() => Promise<void> | void)[] = [];
const bench: Bench = {
  tmp,
  bodyFile,
  threads: Number(values.threads),
  seconds: Number(values.seconds),
  pairs: Number(values.pairs),
  defer: (fn) => stops.push(fn),
  log: (l) => console.log(l),
};

async function cleanup() {
  for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => {});
  stops.length = 0;
  rmSync(tmp, { recursive: true, force: true });
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

console.log(
  `relay bench: ${nproc} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Bun ${Bun.version}, ${wrkVersion}, ` +
    `wrk -t${bench.threads} for both sides, ${bench.seconds} s runs, ${bench.pairs} pairs; commit ${commit}`,
);

const figures: Figure[] = [];
const raw: Record<string, unknown> = {};
const started = Date.now();
async function section(
  name: Section,
  fn: () => Promise<{ figures: Figure[]; raw: unknown }>,
  targets: [string, string][],
) {
  if (!only.includes(name)) return;
  console.log(`\n## ${name}`);
  // Each section starts with nothing of the previous one left for the disk
  // to write back (printed: how long that took).
  const settle = performance.now();
  Bun.spawnSync(['sync']);
  console.log(`  (sync before the section: ${fmt((performance.now() - settle) / 1000, 1)} s)`);
  try {
    const r = await fn();
    figures.push(...r.figures);
    raw[name] = r.raw;
  } catch (e) {
    console.error(`${name} failed: ${(e as Error).stack ?? e}`);
    for (const [n, t] of targets) figures.push(broken(name, n, t, e));
  } finally {
    for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => {});
    stops.length = 0;
  }
}

try {
  await section('ingest', () => throughput(bench), [
    ['Durable ingest ÷ bare Bun.serve', '≥ 0.30'],
    ['Ack latency p50, 4 clients', '≤ 2 ms'],
    ['Ack latency p99, 4 clients', '≤ 5 ms'],
    ['Relay RSS after the throughput runs', '≤ 100 MB'],
  ]);
  await section('peers', () => peers(bench), PEERS_TARGETS);
  await section('ladder', () => ladder(bench), [['Ladder', 'reported']]);
  await section('drain', () => drain(bench), [['Drain', 'see docs/performance.md']]);
  await section('memory', () => bigUploads(bench), [['Peak RSS, 8 × 10 MB uploads', '≤ 400 MB']]);
  await section('scale', () => scale(bench), [
    ['/health after start, 1,000,000 pending', '≤ 300 ms'],
    ['Ingest with 1,000,000 pending ÷ empty spool', '≥ 0.80'],
  ]);
  await section('slow-disk', () => slowDisk(bench), SLOW_DISK_TARGETS);
  await section('backlog', () => backlog(bench), BACKLOG_TARGETS);
} finally {
  await cleanup();
}

const header = `Measured on ${nproc} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Bun ${Bun.version}, ${wrkVersion} (-t${bench.threads}), commit ${commit}, ${new Date().toISOString().slice(0, 10)}.`;
const escapeCell = (s: string) => s.replace(/\|/g, '\\|');
const tableOf = (rows: Figure[]) =>
  [
    header,
    '',
    '| Figure | Target | Result | Pass |',
    '|---|---|---|---|',
    ...rows.map(
      (f) =>
        `| ${escapeCell(f.name)} | ${escapeCell(f.target)} | ${escapeCell(f.result)} | ${f.pass ? 'pass' : '**FAIL**'} |`,
    ),
  ].join('\n');
const table = tableOf(figures);
console.log(`\n${table}\n`);

mkdirSync(join(values.out!, '..'), { recursive: true });
const report = {
  date: new Date().toISOString(),
  commit,
  machine: {
    nproc,
    cpu: cpus()[0]?.model ?? null,
    bun: Bun.version,
    wrk: wrkVersion,
    kernel: Bun.spawnSync(['uname', '-r']).stdout.toString().trim(),
  },
  settings: { wrk_threads: bench.threads, seconds: bench.seconds, pairs: bench.pairs, sections: only },
  duration_s: Math.round((Date.now() - started) / 1000),
  pass: figures.every((f) => f.pass),
  figures,
  raw,
  markdown: table,
};
writeFileSync(values.out!, JSON.stringify(report, null, 2));
writeFileSync(values.out!.replace(/\.json$/, '.md'), `${table}\n`);
console.log(`results: ${values.out} (and ${values.out!.replace(/\.json$/, '.md')})`);
// A full run (every section) is what docs/performance.md shows; a partial one stays in .bench/ only.
if (values.only === undefined && writeResults(join(ROOT, 'docs', 'performance.md'), table, RESULTS)) {
  console.log('results written into docs/performance.md');
}
if (
  values.only === undefined &&
  writeResults(join(ROOT, 'README.md'), tableOf(figures.filter((f) => f.headline)), HEADLINES)
) {
  console.log('headline figures written into README.md');
}
process.exit(report.pass ? 0 : 1);
