/**
 * Promise 4, by property: random bytes, random JSON and mutated JSON thrown at
 * the webhook endpoint of the compiled binary get 200 or 4xx, never 5xx; the
 * process stays alive; every 200 reaches the cloud byte for byte. The expected
 * answer comes from an oracle written here (RFC 8259's grammar, iteratively),
 * not from the relay's own parser, so the two are checked against each other.
 * A seeded PRNG (no dependency needed) makes a failure reproducible:
 * FUZZ_SEED=<printed seed> bun test test/fuzz.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installBinary, type RunningBinary, startBinary } from './helpers/binary.ts';
import { type MockCloud, startMockCloud } from './helpers/mock-cloud.ts';
import { TOKEN, TOKEN2, tempDir } from './helpers/relay.ts';
import { prng, relayToml, seedFrom } from './helpers/reliability.ts';
import { waitFor } from './helpers/wait.ts';

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

// ------------------------------------------------------------------ oracle

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * RFC 8259 JSON-text: ws value ws. Iterative (an explicit stack), so deep
 * input cannot overflow it; returns the nesting depth, or -1 if not JSON.
 */
function rfc8259Depth(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const lit = (w: string) => (text.startsWith(w, i) ? ((i += w.length), true) : false);
  const str = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) return (i++, true);
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else return false;
      } else i++;
    }
    return false;
  };
  const num = (): boolean => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') return false;
    i += m[0].length;
    return true;
  };
  // Stack of open containers: '[' or '{'. After a value, expect ',' or a closer.
  const stack: string[] = [];
  let depth = 0;
  ws();
  for (;;) {
    // A value is expected here.
    ws();
    const c = text[i];
    if (c === '[' || c === '{') {
      stack.push(c);
      depth = Math.max(depth, stack.length);
      i++;
      ws();
      if (text[i] === (c === '[' ? ']' : '}')) {
        i++;
        stack.pop();
      } else {
        if (c === '{') {
          if (!str()) return -1;
          ws();
          if (text[i++] !== ':') return -1;
        }
        continue;
      }
    } else if (!(str() || num() || lit('true') || lit('false') || lit('null'))) return -1;
    // After a value: close containers or move to the next member.
    for (;;) {
      ws();
      const top = stack[stack.length - 1];
      if (top === undefined) return i === text.length ? depth : -1;
      const ch = text[i++];
      if (ch === ',') {
        if (top === '{') {
          ws();
          if (!str()) return -1;
          ws();
          if (text[i++] !== ':') return -1;
        }
        break;
      }
      if (ch !== (top === '[' ? ']' : '}')) return -1;
      stack.pop();
    }
  }
}

/** What the contract says the relay must answer for these bytes. */
function expectedForBody(b: Uint8Array): 200 | 400 {
  if (b.length === 0) return 400;
  let text: string;
  try {
    text = utf8.decode(b);
  } catch {
    return 400;
  }
  // A UTF-8 byte order mark is not JSON (RFC 8259 section 8.1: must not add one; may ignore).
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const depth = rfc8259Depth(text);
  return depth >= 0 && depth <= 512 ? 200 : 400;
}

// --------------------------------------------------------------- generators

type Rnd = () => number;
const int = (r: Rnd, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rnd, a: readonly T[]): T => a[int(r, a.length)]!;

const WS = ['', '', '', ' ', '\n', '\t', '\r\n', '  '];
const NUMBERS = ['0', '-0', '19.00', '45.10', '1e5', '-1.5E-7', '2E+3', '123456789012345678901234567890', '0.1', '-12'];
const CHARS = [
  'a',
  'Z',
  ' ',
  'é',
  'ç',
  'ã',
  '中',
  '😀',
  '\\n',
  '\\"',
  '\\\\',
  '\\/',
  '\\u0000',
  '\\u00e9',
  '\\ud83d\\ude00',
  '\\ud800',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '\u007f',
  '\u2028',
];

function jsonString(r: Rnd): string {
  let s = '"';
  for (let n = int(r, 12); n > 0; n--) s += pick(r, CHARS);
  return `${s}"`;
}

/** Valid JSON text with random whitespace, number spellings and unicode: the relay must store it as sent. */
function jsonText(r: Rnd, depth = 0): string {
  const w = () => pick(r, WS);
  const k = depth > 5 ? int(r, 4) : int(r, 7);
  switch (k) {
    case 0:
      return pick(r, ['null', 'true', 'false']);
    case 1:
      return r() < 0.5 ? pick(r, NUMBERS) : String(int(r, 1e9) - 5e8);
    case 2:
    case 3:
      return jsonString(r);
    case 4:
    case 5: {
      const members = Array.from(
        { length: int(r, 5) },
        () => `${w()}${jsonString(r)}${w()}:${w()}${jsonText(r, depth + 1)}${w()}`,
      );
      return `{${members.join(',') || w()}}`;
    }
    default: {
      const items = Array.from({ length: int(r, 5) }, () => `${w()}${jsonText(r, depth + 1)}${w()}`);
      return `[${items.join(',') || w()}]`;
    }
  }
}

const JSONISH = new TextEncoder().encode('{}[]":,0123456789.-+eE truefalsn\\u\n\t');

function randomBytes(r: Rnd): Uint8Array {
  const b = new Uint8Array(int(r, 300));
  const jsonish = r() < 0.5;
  for (let i = 0; i < b.length; i++) b[i] = jsonish ? JSONISH[int(r, JSONISH.length)]! : int(r, 256);
  return b;
}

/** Valid JSON damaged in one to three places: flipped, dropped, inserted or duplicated bytes, or cut short. */
function mutated(r: Rnd): Uint8Array {
  let b = Array.from(new TextEncoder().encode(`${pick(r, WS)}${jsonText(r)}${pick(r, WS)}`));
  for (let n = 1 + int(r, 3); n > 0 && b.length > 0; n--) {
    const at = int(r, b.length);
    switch (int(r, 5)) {
      case 0:
        b[at] = int(r, 256);
        break;
      case 1:
        b.splice(at, 1);
        break;
      case 2:
        b.splice(at, 0, r() < 0.5 ? JSONISH[int(r, JSONISH.length)]! : int(r, 256));
        break;
      case 3:
        b.splice(at, 0, ...b.slice(at, at + 1 + int(r, 8)));
        break;
      default:
        b = b.slice(0, at);
    }
  }
  return new Uint8Array(b);
}

interface FuzzCase {
  kind: 'bytes' | 'json' | 'mutated';
  token: string;
  query: string;
  body: Uint8Array;
  expect: number;
}

function makeCase(r: Rnd): FuzzCase {
  const roll = r();
  const kind = roll < 0.3 ? 'bytes' : roll < 0.65 ? 'json' : 'mutated';
  const body = kind === 'bytes' ? randomBytes(r) : kind === 'json' ? new TextEncoder().encode(jsonText(r)) : mutated(r);
  // One case in ten tries a wrong token or env; env is judged first, then the token, then the body.
  let token = r() < 0.5 ? TOKEN : TOKEN2;
  let query = pick(r, ['', '', '?env=dev', '?env=prod']);
  let expect: number = expectedForBody(body);
  if (r() < 0.1) {
    if (r() < 0.5) {
      token = pick(r, [
        'x',
        TOKEN.slice(0, 8),
        `${TOKEN}x`,
        // Random but path-safe (hex): %2F or a cut surrogate would test the router, not the token check.
        Buffer.from(randomBytes(r)).toString('hex').slice(0, 40) || 'y',
      ]);
      expect = 401;
    } else {
      query = `?env=${encodeURIComponent(pick(r, ['', 'Prod', 'staging', 'dev ', "dev'", '\u0000']))}`;
      expect = 400;
    }
  }
  return { kind, token, query, body, expect };
}

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
    expect(wrong).toEqual([]);
    expect(relay.proc.exitCode).toBeNull();
    expect(Object.keys(counts).filter((s) => Number(s) >= 500)).toEqual([]);

    await waitFor(() => cloud.stored.length >= stored.size, 'every 200 at the cloud', 20_000);
    const mismatched: string[] = [];
    for (const rec of cloud.stored) {
      const c = stored.get(rec.headers['idempotency-key']!);
      if (!c) mismatched.push(`unexpected event ${rec.headers['idempotency-key']}`);
      else if (Buffer.compare(Buffer.from(rec.body), Buffer.from(c.body)) !== 0)
        mismatched.push(`bytes differ for ${rec.headers['idempotency-key']}`);
      else if (rec.token !== c.token || rec.env !== (c.query === '?env=dev' ? 'dev' : null))
        mismatched.push(`wrong lane for ${rec.headers['idempotency-key']}`);
    }
    expect(mismatched).toEqual([]);
    const kinds = { bytes: 0, json: 0, mutated: 0 };
    for (const c of cases) kinds[c.kind]++;
    console.log(
      `fuzz (seed ${seed}): ${CASES} cases (${kinds.bytes} random bytes, ${kinds.json} random JSON, ${kinds.mutated} mutated JSON) ` +
        `in ${seconds.toFixed(1)} s; answers ${JSON.stringify(counts)}; ${stored.size} stored and delivered byte for byte`,
    );
  }, 60_000);
});

describe('the oracle itself', () => {
  it('agrees with RFC 8259 on the cases that matter', () => {
    const yes = ['{}', '[]', ' 1 ', '"\\ud800"', '{"a":[1,{"b":null}]}', '-0.5e-3', '"é"'];
    const no = [
      '',
      '{',
      '[1,]',
      '{"a":1,}',
      'NaN',
      '01',
      '.5',
      '"\\x"',
      '{} {}',
      "'a'",
      '"\u0001"',
      '[1 2]',
      '{"a" 1}',
      '{1:2}',
    ];
    for (const t of yes) expect(rfc8259Depth(t)).toBeGreaterThanOrEqual(0);
    for (const t of no) expect([t, rfc8259Depth(t)]).toEqual([t, -1]);
    expect(rfc8259Depth('['.repeat(100_000) + ']'.repeat(100_000))).toBe(100_000);
  });
});
