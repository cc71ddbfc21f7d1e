/**
 * Promise 4, by property: random bytes, random JSON and mutated JSON thrown at
 * the webhook endpoint of the compiled binary get 200 or 4xx, never 5xx; the
 * process stays alive; every 200 reaches the cloud byte for byte. The expected
 * answer comes from an oracle written here (RFC 8259's grammar, iteratively),
 * not from the relay's own parser, so the two are checked against each other.
 * A seeded PRNG (no dependency needed) makes a failure reproducible:
 * FUZZ_SEED=<printed seed> bun test test/binary/fuzz.test.ts
 * The oracle and the generators are in test/helpers/fuzz.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installBinary, type RunningBinary, startBinary } from '../helpers/binary.ts';
import { expectedForBody, type FuzzCase, makeCase } from '../helpers/fuzz.ts';
import { figure, printGuarantee } from '../helpers/guarantee.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { tempDir } from '../helpers/relay.ts';
import { prng, relayToml, seedFrom } from '../helpers/reliability.ts';
import { waitFor } from '../helpers/wait.ts';

const CASES = 10_000;
const WORKERS = 8;

let root: { dir: string; cleanup: () => void };
let relay: RunningBinary;
let cloud: MockCloud;
beforeAll(async () => {
  root = tempDir('relay-fuzz-');
  cloud = await startMockCloud();
  const bin = await installBinary(root.dir);
  writeFileSync(join(root.dir, 'relay.toml'), relayToml({ cloudUrl: cloud.url }));
  relay = await startBinary(bin, ['serve'], { cwd: root.dir });
});
afterAll(async () => {
  relay.proc.kill('SIGKILL');
  await relay.exited;
  await cloud.stop();
  root.cleanup();
});

// -------------------------------------------------------------------- test

describe('fuzzing the webhook endpoint', () => {
  it(`answers ${CASES} random requests with 200 or 4xx as the oracle says, and delivers every 200 byte for byte`, async () => {
    const seed = seedFrom('FUZZ_SEED');
    const r = prng(seed);
    const cases = Array.from({ length: CASES }, () => makeCase(r));
    // The generator's JSON is valid by construction: the oracle must agree.
    expect(cases.filter((c) => c.kind === 'json' && expectedForBody(c.body) !== 200)).toEqual([]);
    const stored = new Map<string, FuzzCase>();
    const wrong: string[] = [];
    const counts: Record<string, number> = {};
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const n = next++;
        const c = cases[n]!;
        const res = await fetch(`${relay.url}/webhooks/v1/pos/${c.token}${c.query}`, {
          method: 'POST',
          body: c.body,
          headers: { 'content-type': 'application/json' },
        });
        const text = await res.text();
        counts[res.status] = (counts[res.status] ?? 0) + 1;
        if (res.status !== c.expect) {
          wrong.push(
            `case ${n} (${c.kind}, ${c.query || 'no env'}): expected ${c.expect}, got ${res.status} ${text.slice(0, 120)}; body ${JSON.stringify(new TextDecoder().decode(c.body).slice(0, 80))}`,
          );
        } else if (res.status === 200) {
          stored.set((JSON.parse(text) as { event_id: string }).event_id, c);
        } else {
          expect(Object.keys(JSON.parse(text) as object)).toEqual(['detail']);
        }
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: WORKERS }, worker));
    const seconds = (performance.now() - t0) / 1000;
    if (wrong.length > 0) console.error(`fuzz seed ${seed}:\n${wrong.slice(0, 10).join('\n')}`);
    const alive = relay.proc.exitCode === null;

    // Waited for even after a wrong answer: the line below reports the whole run.
    const arrived = await waitFor(() => cloud.stored.length >= stored.size, 'every 200 at the cloud', 20_000).then(
      () => true,
      () => false,
    );
    const mismatched: string[] = [];
    for (const rec of cloud.stored) {
      const c = stored.get(rec.headers['idempotency-key']!);
      if (!c) mismatched.push(`unexpected event ${rec.headers['idempotency-key']}`);
      else if (Buffer.compare(Buffer.from(rec.body), Buffer.from(c.body)) !== 0)
        mismatched.push(`bytes differ for ${rec.headers['idempotency-key']}`);
      else if (rec.token !== c.token || rec.env !== (c.query === '?env=dev' ? 'dev' : null))
        mismatched.push(`wrong lane for ${rec.headers['idempotency-key']}`);
    }
    const kinds = { bytes: 0, json: 0, mutated: 0 };
    for (const c of cases) kinds[c.kind]++;
    printGuarantee('fuzzed requests', [
      [
        CASES,
        `requests (${figure(kinds.bytes)} random bytes, ${figure(kinds.json)} random JSON, ${figure(kinds.mutated)} mutated JSON)`,
      ],
      [wrong.length, 'answered otherwise than the oracle says'],
      [Object.entries(counts).reduce((n, [s, k]) => n + (Number(s) >= 500 ? k : 0), 0), 'answered 5xx'],
      alive ? 'the relay alive' : 'the relay exited',
      [stored.size - mismatched.length, 'stored and delivered byte for byte'],
      [mismatched.length, 'delivered otherwise'],
      `answers (${Object.entries(counts)
        .map(([status, n]) => `${status}: ${figure(n)}`)
        .join('; ')}) in ${figure(seconds)} s (FUZZ_SEED=${seed})`,
    ]);
    expect(wrong).toEqual([]);
    expect(alive).toBe(true);
    expect(Object.keys(counts).filter((s) => Number(s) >= 500)).toEqual([]);
    expect(arrived).toBe(true);
    expect(mismatched).toEqual([]);
  }, 60_000);
});
