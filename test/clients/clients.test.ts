/**
 * The client matrix: the promise that integrators change the base URL and
 * nothing else, held against real HTTP clients (Java, Python, Node, Go,
 * .NET on Mono, curl, a raw socket) posting to the compiled binary, each row
 * checking the answer as that client reads it and that the mock cloud
 * received exactly the bytes sent (a UTF-8 byte order mark aside, which is
 * not part of the JSON). A row that cannot hold because of the HTTP server
 * under the relay is a known limitation with its upstream link, and its
 * test pins today's behaviour so a change is seen. The table printed at the
 * end is the README's "Tested clients".
 *
 * `make test-clients` runs this layer alone; RELAY_BINARY runs it against
 * another build.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../src/config/index.ts';
import { installBinary, type RunningBinary, startBinary, stopBinary } from '../helpers/binary.ts';
import { makeCert } from '../helpers/cert.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { CLEAN, ORDER_CREATED } from '../helpers/payloads.ts';
import { TOKEN } from '../helpers/relay.ts';
import { connectRaw, relayToml } from '../helpers/reliability.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';
import { buildPrograms, ensurePackages, type Programs } from './toolchain.ts';

/** Where the server under the relay (Bun) falls short of HTTP/1.1, upstream. */
export const UPSTREAM = {
  expectCase: 'https://github.com/oven-sh/bun/issues/30248',
  expectCaseFix: 'https://github.com/oven-sh/bun/pull/30250',
  pipelining: 'https://github.com/oven-sh/bun/pull/38128',
  strayCrlf: 'https://github.com/oven-sh/bun/pull/33634',
} as const;

const KEYS = ['status', 'event_id', 'message', 'received_at'];
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const MAX_BODY = 10_485_760;
/** The machine running the suite is busy: clients get generous time, and only pinned waits are measured. */
const CLIENT_S = 20;

let root: { dir: string; cleanup: () => void };
let programs: Programs;
let cloud: MockCloud;
let relay: RunningBinary;
let tls: { relay: RunningBinary; cert: string } | null = null;
let files: string;
let hook: string;

beforeAll(async () => {
  ensurePackages();
  root = tempDir('relay-clients-');
  files = join(root.dir, 'files');
  mkdirSync(files, { recursive: true });
  const [built] = await Promise.all([buildPrograms(root.dir), startSite()]);
  programs = built;
}, 240_000);

afterAll(async () => {
  if (relay) await stopBinary(relay);
  if (tls) await stopBinary(tls.relay);
  await cloud?.stop();
  root?.cleanup();
  printTable();
});

/** One relay for the whole matrix (each row's events are told apart by their own order_id), and its mock cloud. */
async function startSite(): Promise<void> {
  cloud = await startMockCloud();
  const dir = join(root.dir, 'site');
  mkdirSync(dir, { recursive: true });
  const bin = await installBinary(dir);
  // "localhost", the default (test configs otherwise say 127.0.0.1): both loopbacks.
  writeFileSync(join(dir, 'relay.toml'), relayToml({ cloudUrl: cloud.url, config: { server: { host: 'localhost' } } }));
  relay = await startBinary(bin, ['serve'], { cwd: dir });
  hook = `${relay.url}/webhooks/v1/pos/${TOKEN}`;
}

/** A second relay serving HTTPS with a self-signed certificate, for the TLS rows. */
async function tlsSite(): Promise<{ url: string; cert: string }> {
  if (!tls) {
    const dir = join(root.dir, 'tls-site');
    mkdirSync(dir, { recursive: true });
    const bin = await installBinary(dir);
    const { cert, key } = makeCert(dir, 'relay');
    const server = { host: 'localhost', tls_cert: cert, tls_key: key } as Partial<Config['server']>;
    writeFileSync(join(dir, 'relay.toml'), relayToml({ cloudUrl: cloud.url, config: { server } }));
    tls = { relay: await startBinary(bin, ['serve'], { cwd: dir }), cert };
  }
  return { url: `${tls.relay.url.replace(/^http:/, 'https:')}/webhooks/v1/pos/${TOKEN}`, cert: tls.cert };
}

/** The same address over IPv6 loopback: http://localhost as Windows resolves it (::1 first). */
function overIpv6(url: string): string {
  const u = new URL(url);
  u.hostname = '[::1]';
  return u.href;
}

// ---- the table ------------------------------------------------------------

interface Row {
  client: string;
  setting: string;
  result: string;
}
const rows: Row[] = [];

/**
 * A row of the matrix as a test: `fn` returns what the row's result column
 * says ("200, exact bytes"); a failure is recorded as FAILED and rethrown.
 */
function row(client: string, setting: string, fn: () => Promise<string>, timeoutMs = 60_000): void {
  it(
    `${client}, ${setting}`,
    async () => {
      const r: Row = { client, setting, result: 'FAILED' };
      rows.push(r);
      r.result = await fn();
    },
    timeoutMs,
  );
}

function printTable(): void {
  const lines = ['| Client | Setting | Result |', '| --- | --- | --- |'];
  for (const r of rows) lines.push(`| ${r.client} | ${r.setting} | ${r.result} |`);
  console.log(`\nTested clients (the compiled relay, a mock cloud):\n${lines.join('\n')}\n`);
}

// ---- running a client and checking what reached the cloud -------------------

/** What a client program printed: its status, the answer and warnings as it read them, the bytes it sent. */
interface Outcome {
  status?: number;
  version?: string;
  answer: string;
  warnings: string | null;
  sent: Buffer;
  error?: string;
}

/** Runs a client program (bounded), expecting one JSON line on stdout. */
async function client(cmd: string[], timeoutS = CLIENT_S): Promise<Outcome[]> {
  const p = Bun.spawn(cmd, { cwd: files, stdout: 'pipe', stderr: 'pipe' });
  const timer = setTimeout(() => p.kill('SIGKILL'), timeoutS * 1000);
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  clearTimeout(timer);
  if (code !== 0)
    throw new ClientFailed(
      `${cmd.join(' ')} exited with ${code}:\n${out}${err}`,
      p.signalCode === 'SIGKILL' && out === '',
    );
  return out
    .trim()
    .split('\n')
    .map((l) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      const b64 = (k: string) => (typeof o[k] === 'string' ? Buffer.from(o[k] as string, 'base64') : null);
      return {
        status: o.status as number | undefined,
        version: o.version as string | undefined,
        answer: b64('answer_b64')?.toString() ?? '',
        warnings: (o.warnings as string | null | undefined) ?? b64('warnings_b64')?.toString() ?? null,
        sent: b64('sent_b64')!,
        error: o.error as string | undefined,
      };
    });
}

class ClientFailed extends Error {
  constructor(
    message: string,
    /** Killed at its deadline having printed nothing: hung before or after its request (its own timeout is shorter). */
    readonly hung: boolean,
  ) {
    super(message);
  }
}

/**
 * Mono was seen, about one run in twenty, to hang with nothing printed, past
 * its own 10 s request timeout (so not waiting on an answer): a run killed
 * having printed nothing is run once more. A run that printed is judged as
 * printed.
 */
async function mono(args: string[]): Promise<Outcome[]> {
  try {
    return await client([...programs.mono, ...args], 15);
  } catch (e) {
    if (!(e instanceof ClientFailed && e.hung)) throw e;
    console.warn(`client matrix: Mono hung with no output; run again: ${e.message}`);
    return client([...programs.mono, ...args], 15);
  }
}

/** A clean payload (nothing to warn about) told apart by its order_id. */
let serial = 0;
function payload(tag: string): { id: string; text: string } {
  const id = `CLIENTS-${++serial}-${tag}`;
  return { id, text: JSON.stringify({ ...CLEAN, order_id: id }) };
}

function file(name: string, bytes: string | Uint8Array): string {
  writeFileSync(join(files, name), bytes);
  return name;
}

/** Waits for the event the answer names to reach the cloud; its body there, byte for byte. */
async function delivered(answer: string): Promise<Buffer> {
  const { event_id } = JSON.parse(answer) as { event_id: string };
  await waitFor(
    () => cloud.stored.some((r) => r.headers['idempotency-key'] === event_id),
    `delivery of ${event_id}`,
    30_000,
  );
  return Buffer.from(cloud.stored.find((r) => r.headers['idempotency-key'] === event_id)!.body);
}

/** A 200 carrying the cloud's four keys and nothing else, whose event reached the cloud as `expected`. */
async function exact(o: Outcome, expected: Buffer = o.sent, keys = KEYS): Promise<void> {
  expect(o.error).toBeUndefined();
  expect(o.status).toBe(200);
  expect(Object.keys(JSON.parse(o.answer))).toEqual(keys);
  expect((await delivered(o.answer)).toString('hex')).toBe(expected.toString('hex'));
}

/**
 * The events whose order_id is one of `ids` that the cloud received, once a
 * later event on the same lane is delivered (a lane forwards in order, so
 * anything stored before it has arrived by then).
 */
async function storedOf(ids: string[]): Promise<number> {
  const after = payload('after');
  const res = await fetch(hook, { method: 'POST', body: after.text, headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(200);
  await delivered(await res.text());
  return cloud.received.filter((r) => ids.some((id) => r.text.includes(`"${id}"`))).length;
}

const curlBase = [
  'curl',
  '-sS',
  '-i',
  '--max-time',
  String(CLIENT_S),
  '-X',
  'POST',
  '-H',
  'Content-Type: application/json',
];

/** curl's -i output: each response's status in order (a 100 Continue included), the last one's headers and body. */
async function curl(
  args: string[],
  url = hook,
): Promise<{ statuses: number[]; headers: Map<string, string>; body: string }> {
  const p = Bun.spawn([...curlBase, ...args, url], { cwd: files, stdout: 'pipe', stderr: 'pipe' });
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  if (code !== 0) throw new Error(`curl ${args.join(' ')} exited with ${code}: ${err}`);
  const statuses: number[] = [];
  let rest = out;
  let head = '';
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    head = rest.slice(0, end);
    statuses.push(Number(head.split(' ')[1]));
    rest = rest.slice(end + 4);
    if (statuses.at(-1)! >= 200) break;
  }
  const headers = new Map<string, string>();
  for (const l of head.split('\r\n').slice(1)) {
    const i = l.indexOf(':');
    headers.set(l.slice(0, i).toLowerCase(), l.slice(i + 1).trim());
  }
  return { statuses, headers, body: rest };
}

/** Delivered bytes for a curl answer compared with what was sent. */
async function curlExact(a: { statuses: number[]; body: string }, sent: Buffer): Promise<void> {
  expect(a.statuses.at(-1)).toBe(200);
  expect(Object.keys(JSON.parse(a.body))).toEqual(KEYS);
  expect((await delivered(a.body)).equals(sent)).toBe(true);
}

/** A raw request for `body`, with extra header lines. */
const rawRequest = (body: string, extra = '') =>
  `POST /webhooks/v1/pos/${TOKEN} HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

/** Everything a raw connection receives until it closes, `count` answers are complete, or `ms` pass. */
async function rawExchange(bytes: string, count: number, ms = 5000): Promise<{ statuses: number[]; closed: boolean }> {
  const conn = await connectRaw(relay.url);
  await conn.writeAll(new TextEncoder().encode(bytes));
  const statuses = () =>
    [...new TextDecoder().decode(conn.state.buf).matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
  const end = Date.now() + ms;
  while (!conn.state.closed && statuses().length < count && Date.now() < end) await Bun.sleep(10);
  await Bun.sleep(100); // whatever else is on its way
  conn.sock.end();
  return { statuses: statuses(), closed: conn.state.closed };
}

const logged = (message: string) => relay.lines.filter((l) => l.includes(message));

// ---- the rows ----------------------------------------------------------------

describe('Java 17', () => {
  const java = (mode: string, name: string, timeoutS = CLIENT_S) =>
    client([...programs.java, mode, hook, name, String(timeoutS)], timeoutS + 15);

  row('Java 17 HttpClient', 'default (HTTP/2 preferred: asks for h2c)', async () => {
    const [o] = await java('default', file('java-default.json', payload('java-default').text));
    await exact(o!);
    expect(o!.version).toBe('HTTP_1_1');
    return '200 over HTTP/1.1 (the h2c upgrade is declined), exact bytes';
  });

  row('Java 17 HttpClient', 'version(HTTP_1_1)', async () => {
    const [o] = await java('http11', file('java-http11.json', payload('java-http11').text));
    await exact(o!);
    return '200, exact bytes';
  });

  row(
    'Java 17 HttpClient',
    'expectContinue(true)',
    async () => {
      // Java sends "Expect: 100-Continue"; Bun answers 100 only to the lowercase value,
      // and Java sends no body without it: the request hangs until its own timeout.
      const p = payload('java-expect');
      const started = performance.now();
      const [o] = await java('expect', file('java-expect.json', p.text), 3);
      expect(o!.error).toBe('HttpTimeoutException');
      expect(performance.now() - started).toBeGreaterThan(2500);
      // Nothing half-stored: the body never came.
      expect(await storedOf([p.id])).toBe(0);
      return `known upstream limitation (${UPSTREAM.expectCase}): no 100 Continue, the request times out, nothing stored; leave expectContinue off (the default)`;
    },
    60_000,
  );

  row('Java 17 HttpClient', 'default over HTTPS (ALPN offers h2)', async () => {
    const site = await tlsSite();
    const java = await programs.javaTrusting(site.cert);
    const [o] = await client([...java, 'default', site.url, file('java-https.json', payload('java-https').text), '20']);
    await exact(o!);
    expect(o!.version).toBe('HTTP_1_1');
    return '200 over HTTP/1.1 (h2 is not offered back), exact bytes';
  });

  row('Java 17 HttpURLConnection', 'default', async () => {
    const [o] = await java('urlconnection', file('java-urlconnection.json', payload('java-urlconnection').text));
    await exact(o!);
    return '200, exact bytes';
  });

  row(
    'Jackson 2 ObjectMapper (defaults)',
    "the guide's sample payload, prod: answer bound to the four fields",
    async () => {
      const [o] = await java('jackson', file('java-jackson.json', ORDER_CREATED));
      // FAIL_ON_UNKNOWN_PROPERTIES is on by default: a fifth key would be an UnrecognizedPropertyException.
      expect(o!.error).toBeUndefined();
      await exact(o!);
      expect(JSON.parse(o!.warnings!)).toHaveLength(3);
      return '200 bound to the four fields; warnings in X-Relay-Warnings, exact bytes';
    },
  );
});

describe('Python', () => {
  row(
    "requests (the guides' own samples)",
    'requests.post json=, dev and prod, retry helper, Session with Retry',
    async () => {
      const outcomes = await client([...programs.python('guide_requests.py'), relay.url, TOKEN]);
      expect(outcomes).toHaveLength(5);
      // The guide's payload sends "table", not "table_number": warned. In dev (the first
      // sample) the warnings are in the body too (warnings.in_body "dev"); in prod only in the header.
      const [dev, ...prod] = outcomes;
      await exact(dev!, dev!.sent, [...KEYS, 'warnings']);
      for (const o of prod) {
        await exact(o);
        expect(JSON.parse(o.warnings!)).toContainEqual(expect.stringMatching(/^table_number is missing/));
      }
      return '200 each, exact bytes; in prod the four keys alone, warnings in X-Relay-Warnings';
    },
  );

  row('urllib (standard library)', 'answer bound to a four-field dataclass', async () => {
    const [o] = await client([
      ...programs.python('strict_urllib.py'),
      hook,
      file('urllib.json', payload('urllib').text),
    ]);
    await exact(o!);
    return '200, exact bytes';
  });
});

describe('Node.js, Go, .NET', () => {
  row('Node.js 20 fetch', 'default', async () => {
    const [o] = await client([...programs.node, hook, file('node.json', payload('node').text)]);
    await exact(o!);
    return '200, exact bytes';
  });

  row('Go net/http', 'http.Client Post', async () => {
    const [o] = await client([programs.go, hook, file('go.json', payload('go').text)]);
    await exact(o!);
    expect(o!.version).toBe('HTTP/1.1');
    return '200, exact bytes';
  });

  row('.NET HttpClient (Mono)', 'StringContent(json, Encoding.UTF8, "application/json")', async () => {
    const [o] = await mono([hook, file('mono-httpclient.json', payload('mono-httpclient').text), 'httpclient']);
    await exact(o!);
    return '200, exact bytes';
  });

  row('.NET HttpWebRequest (Mono)', 'StreamWriter with Encoding.UTF8 (a BOM), Expect: 100-continue', async () => {
    const p = payload('mono');
    const [o] = await mono([hook, file('mono.json', p.text)]);
    expect(o!.sent.subarray(0, 3).equals(BOM)).toBe(true);
    await exact(o!, Buffer.from(p.text));
    expect(o!.warnings).toMatch(/UTF-8 byte order mark/);
    return '200; the JSON after the BOM forwarded, a warning in X-Relay-Warnings';
  });
});

describe('curl', () => {
  /** A clean event padded with spaces inside the JSON to exactly `size` bytes. */
  function sized(size: number, tag: string): Buffer {
    const base = payload(tag).text;
    return Buffer.from(`${base.slice(0, -1)}${' '.repeat(size - base.length)}}`);
  }

  row('curl', '2 MB body (sends Expect: 100-continue)', async () => {
    const body = sized(2 * 1024 * 1024, 'curl-2mb');
    const a = await curl(['--data-binary', `@${file('2mb.json', body)}`]);
    expect(a.statuses).toEqual([100, 200]);
    await curlExact(a, body);
    return '100 Continue, then 200, exact bytes';
  });

  row('curl', 'Transfer-Encoding: chunked', async () => {
    const p = payload('curl-chunked');
    const a = await curl(['-H', 'Transfer-Encoding: chunked', '--data-binary', `@${file('chunked.json', p.text)}`]);
    await curlExact(a, Buffer.from(p.text));
    return '200, exact bytes';
  });

  row('curl', '--http1.0', async () => {
    const p = payload('curl-http10');
    const a = await curl(['--http1.0', '--data-binary', `@${file('http10.json', p.text)}`]);
    await curlExact(a, Buffer.from(p.text));
    return '200, exact bytes';
  });

  row('curl', 'exactly 10 MB (server.max_body_bytes)', async () => {
    const body = sized(MAX_BODY, 'curl-10mb');
    const a = await curl(['--data-binary', `@${file('10mb.json', body)}`]);
    await curlExact(a, body);
    rmSync(join(files, '10mb.json'));
    return '200, exact bytes';
  });

  row('curl', '10 MB + 1 byte', async () => {
    const body = sized(MAX_BODY + 1, 'curl-10mb1');
    const a = await curl(['--data-binary', `@${file('10mb1.json', body)}`]);
    rmSync(join(files, '10mb1.json'));
    expect(a.statuses.at(-1)).toBe(413);
    expect(JSON.parse(a.body).detail).toMatch(/10485760/);
    expect(await storedOf([JSON.parse(body.toString()).order_id])).toBe(0);
    return '413 {"detail"}, nothing stored';
  });

  row('curl', 'a gzip body (Content-Encoding: gzip)', async () => {
    const p = payload('curl-gzip');
    const gz = Bun.gzipSync(Buffer.from(p.text));
    const a = await curl(['-H', 'Content-Encoding: gzip', '--data-binary', `@${file('body.json.gz', gz)}`]);
    expect(a.statuses.at(-1)).toBe(415);
    expect(JSON.parse(a.body).detail).toMatch(/send the JSON uncompressed/);
    expect(await storedOf([p.id])).toBe(0);
    return '415 {"detail": send it uncompressed}, nothing stored';
  });

  row('curl', 'a UTF-8 byte order mark before the JSON', async () => {
    const p = payload('curl-bom');
    const a = await curl(['--data-binary', `@${file('bom.json', Buffer.concat([BOM, Buffer.from(p.text)]))}`]);
    await curlExact(a, Buffer.from(p.text));
    expect(a.headers.get('x-relay-warnings')).toMatch(/UTF-8 byte order mark/);
    return '200; the JSON after the BOM forwarded, a warning in X-Relay-Warnings';
  });

  row('curl', 'HTTPS, TLS 1.2 only', async () => {
    const site = await tlsSite();
    const p = payload('curl-tls12');
    const a = await curl(
      ['--cacert', site.cert, '--tlsv1.2', '--tls-max', '1.2', '--data-binary', `@${file('tls12.json', p.text)}`],
      site.url,
    );
    await curlExact(a, Buffer.from(p.text));
    return '200, exact bytes';
  });

  row('curl', 'HTTPS, TLS 1.3', async () => {
    const site = await tlsSite();
    const p = payload('curl-tls13');
    const a = await curl(
      ['--cacert', site.cert, '--tlsv1.3', '--data-binary', `@${file('tls13.json', p.text)}`],
      site.url,
    );
    await curlExact(a, Buffer.from(p.text));
    return '200, exact bytes';
  });
});

describe('loopback both ways', () => {
  row('curl', 'http://[::1]: localhost as Windows resolves it (server.host "localhost", the default)', async () => {
    const p = payload('curl-ipv6');
    const a = await curl(['-g', '--data-binary', `@${file('ipv6.json', p.text)}`], overIpv6(hook));
    await curlExact(a, Buffer.from(p.text));
    return '200, exact bytes (the relay listens on 127.0.0.1 and ::1)';
  });

  row('Node.js 20 fetch', 'http://[::1]', async () => {
    const [o] = await client([...programs.node, overIpv6(hook), file('node-ipv6.json', payload('node-ipv6').text)]);
    await exact(o!);
    return '200, exact bytes';
  });

  row('curl', 'HTTPS over ::1 (server.host "localhost")', async () => {
    const site = await tlsSite();
    const p = payload('curl-tls-ipv6');
    const a = await curl(
      ['-g', '--cacert', site.cert, '--data-binary', `@${file('tls-ipv6.json', p.text)}`],
      overIpv6(site.url),
    );
    await curlExact(a, Buffer.from(p.text));
    return '200, exact bytes';
  });
});

describe('a raw socket', () => {
  row('raw socket', 'Expect: 100-Continue (capital C, as Apache HttpComponents 4.x sends it)', async () => {
    const lower = await rawExchange(
      rawRequest('', 'Expect: 100-continue\r\n').replace(/Content-Length: 0/, 'Content-Length: 2'),
      1,
      3000,
    );
    expect(lower.statuses).toEqual([100]);
    // The capital C: no 100 Continue in 2 s, so httpcore sends the body after its own 2 s wait.
    const p = payload('raw-expect');
    const conn = await connectRaw(relay.url);
    const head = rawRequest(p.text, 'Expect: 100-Continue\r\n').slice(0, -p.text.length);
    await conn.writeAll(new TextEncoder().encode(head));
    await Bun.sleep(2000);
    expect(new TextDecoder().decode(conn.state.buf)).not.toContain('100 Continue');
    await conn.writeAll(new TextEncoder().encode(p.text));
    await waitFor(() => conn.response() !== null, 'the answer once the body came', 10_000);
    conn.sock.end();
    const answer = conn.response()!;
    expect(answer.status).toBe(200);
    expect((await delivered(answer.body)).toString()).toBe(p.text);
    return `known upstream limitation (${UPSTREAM.expectCase}): no 100 Continue; a client that sends the body after its wait (httpcore: 2 s) gets 200, exact bytes`;
  });

  row('raw socket', 'two requests in one send (pipelining)', async () => {
    const a = payload('raw-pipelined-1');
    const b = payload('raw-pipelined-2');
    const before = logged('webhook not stored').length;
    const got = await rawExchange(rawRequest(a.text) + rawRequest(b.text), 2);
    const answered = got.statuses.filter((s) => s === 200).length;
    // Every event stored was answered: a client resending an unanswered request makes no duplicate.
    expect(await storedOf([a.id, b.id])).toBe(answered);
    if (answered === 2) return '200, 200, exact bytes';
    expect(got.closed).toBe(true);
    expect(logged('webhook not stored').length).toBeGreaterThan(before);
    return `known upstream limitation (${UPSTREAM.pipelining}): the connection is closed unanswered; nothing stored (logged), so a resend is no duplicate`;
  });

  row('raw socket', 'a CRLF after the body', async () => {
    const p = payload('raw-crlf');
    const before = logged('webhook not stored').length;
    const got = await rawExchange(`${rawRequest(p.text)}\r\n`, 1);
    const answered = got.statuses.filter((s) => s === 200).length;
    expect(await storedOf([p.id])).toBe(answered);
    if (answered === 1) return '200, exact bytes';
    expect(got.closed).toBe(true);
    expect(logged('webhook not stored').length).toBeGreaterThan(before);
    return `known upstream limitation (${UPSTREAM.strayCrlf}, ${UPSTREAM.pipelining}): Bun reads the CRLF as a second request and answers a bare 400, closing; nothing stored (logged), so a resend is no duplicate`;
  });
});
