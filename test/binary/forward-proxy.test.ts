/**
 * The compiled relay and `relay doctor` through a real proxy (tinyproxy) to an
 * https:// mock cloud, by CONNECT, as a restaurant's PC reaches
 * api.emiliavision.com. The mock's certificate is made here; the binary trusts
 * it through NODE_EXTRA_CA_CERTS (no relay option for a CA exists, and none is
 * needed in the field: the real cloud has a public certificate).
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinary, type RunningBinary, startBinary } from '../helpers/binary.ts';
import { freePort, runCli, writeConfig } from '../helpers/cli.ts';
import { ORDER_CREATED, post, TOKEN, TOKEN2, tempDir } from '../helpers/relay.ts';
import { describeUnless } from '../helpers/skip.ts';
import { fileCounts } from '../helpers/spool-file.ts';
import { NO_TINYPROXY, startTinyproxy, TINYPROXY, type Tinyproxy } from '../helpers/tinyproxy.ts';
import { waitFor } from '../helpers/wait.ts';

const withProxy = describeUnless(!TINYPROXY && NO_TINYPROXY);

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

let bin = '';
const pki = tempDir('relay-proxy-pki-');
const CERT = join(pki.dir, 'cloud.pem');
const KEY = join(pki.dir, 'cloud-key.pem');

beforeAll(async () => {
  bin = await ensureBinary();
  // A self-signed certificate for 127.0.0.1, the https mock cloud's.
  const p = Bun.spawnSync(
    ['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', KEY, '-out', CERT, '-days', '2'].concat([
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]),
    { stderr: 'pipe' },
  );
  if (p.exitCode !== 0) throw new Error(`openssl: ${p.stderr.toString()}`);
}, 120_000);
afterAll(() => pki.cleanup());

interface Seen {
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** An https:// mock cloud: /health, and 200 with an event_id for every POST, each recorded. */
function httpsCloud() {
  const seen: Seen[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    tls: { cert: readFileSync(CERT, 'utf8'), key: readFileSync(KEY, 'utf8') },
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === '/health') return Response.json({ status: 'ok' });
      seen.push({
        path: url.pathname + url.search,
        headers: Object.fromEntries(req.headers),
        body: new Uint8Array(await req.arrayBuffer()),
      });
      return Response.json({
        status: 'success',
        event_id: `cloud-${seen.length}`,
        message: 'Webhook received and stored',
      });
    },
  });
  cleanups.push(() => server.stop(true));
  const events = () => seen.filter((s) => s.headers['idempotency-key'] !== undefined);
  return { url: `https://127.0.0.1:${server.port}`, port: server.port as number, seen, events };
}

async function proxy(opts: Omit<Parameters<typeof startTinyproxy>[0], 'dir'> = {}): Promise<Tinyproxy> {
  const tmp = tempDir('relay-proxy-');
  const p = await startTinyproxy({ dir: tmp.dir, ...opts });
  cleanups.push(tmp.cleanup, () => p.stop());
  return p;
}

/** A relay directory: relay.toml for `cloudUrl` with `proxy` (omitted: the key is left unset). */
function site(cloudUrl: string, proxyUrl?: string) {
  const tmp = tempDir('relay-proxy-site-');
  cleanups.push(tmp.cleanup);
  const path = writeConfig(tmp.dir, { cloudUrl, port: freePort() });
  const write = (p?: string) => {
    const text = readFileSync(path, 'utf8').replace(/^proxy = .*\n/m, '');
    writeFileSync(
      path,
      p === undefined ? text : text.replace('timeout_seconds = 2\n', `timeout_seconds = 2\nproxy = "${p}"\n`),
    );
  };
  write(proxyUrl);
  return { dir: tmp.dir, path, spool: join(tmp.dir, 'spool', 'relay.db'), setProxy: write };
}

type Site = ReturnType<typeof site>;
const caEnv = { NODE_EXTRA_CA_CERTS: CERT };

async function serve(s: Site, env: Record<string, string> = {}): Promise<RunningBinary> {
  const r = await startBinary(bin, ['serve', '--config', s.path], { cwd: s.dir, env: { ...caEnv, ...env } });
  cleanups.push(async () => {
    r.proc.kill('SIGTERM');
    await r.exited;
  });
  return r;
}

const doctor = (s: Site, env: Record<string, string> = {}) =>
  runCli(bin, ['doctor', '--config', s.path], { cwd: s.dir, env: { ...caEnv, ...env } });

/** The cloud line of the doctor's output. */
const cloudLine = (out: string) => out.split('\n').find((l) => l.includes(' cloud: ')) ?? `(no cloud line)\n${out}`;

async function postAll(base: string, bodies: { token: string; body: string; env?: string }[]): Promise<string[]> {
  const ids: string[] = [];
  for (const b of bodies) {
    const res = await post(base, b.token, b.body, { env: b.env });
    expect(res.status).toBe(200);
    ids.push(((await res.json()) as { event_id: string }).event_id);
  }
  return ids;
}

const lastError = async (base: string) =>
  ((await (await fetch(`${base}/health`)).json()) as { cloud: { last_error: string | null } }).cloud.last_error;

const EVENTS = [
  { token: TOKEN, body: ORDER_CREATED },
  { token: TOKEN2, body: '{"event":"payment","amount":19.00,"note":"ç ü 😀"}', env: 'dev' },
];

withProxy('the binary through a proxy to an https:// cloud', () => {
  it('(b) cloud.proxy: CONNECT carries every event byte for byte with its Idempotency-Key; doctor names the proxy', async () => {
    const cloud = httpsCloud();
    const px = await proxy({ connectPorts: [cloud.port] });
    const s = site(cloud.url, px.url);
    const relay = await serve(s);
    const ids = await postAll(relay.url, EVENTS);
    await waitFor(() => cloud.events().length === EVENTS.length, 'both events at the https cloud');
    for (const [i, e] of EVENTS.entries()) {
      const got = cloud.events().find((x) => x.headers['idempotency-key'] === ids[i])!;
      expect(new TextDecoder().decode(got.body)).toBe(e.body);
      expect(got.body).toEqual(new TextEncoder().encode(e.body));
    }
    // The proxy saw tunnels only, never a request in clear.
    const seen = await px.settledRequests();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((l) => l === `CONNECT 127.0.0.1:${cloud.port} HTTP/1.1`)).toBe(true);
    expect(relay.lines.join('\n')).toContain('"msg":"cloud requests go through a proxy"');

    const d = await doctor(s);
    expect(cloudLine(d.stdout)).toMatch(
      new RegExp(`^✅ cloud: ${cloud.url}/health answered 200 in \\d+ ms through proxy ${px.url} \\(cloud\\.proxy\\)$`),
    );
    expect(d.stdout).toContain(`✅ token: token ${TOKEN.slice(0, 8)}… (Main POS): accepted by the cloud`);
    // The tunnel does not weaken TLS: without the test CA the cloud's certificate is refused.
    const untrusted = cloudLine((await doctor(s, { NODE_EXTRA_CA_CERTS: '' })).stdout);
    expect(untrusted).toStartWith(`❌ cloud: cannot reach ${cloud.url}/health: `);
    expect(untrusted).toContain('certificate');
    expect(untrusted).toContain(` through proxy ${px.url}`);
  }, 30_000);

  it('(c) a wrong proxy password: the proxy is named, the event stays pending, and goes once the password is right', async () => {
    const cloud = httpsCloud();
    const px = await proxy({ connectPorts: [cloud.port], basicAuth: { user: 'relay', password: 'right' } });
    const wrong = px.url.replace('http://', 'http://relay:wrong@');
    const s = site(cloud.url, wrong);
    const shown = px.url.replace('http://', 'http://relay:****@');
    // tinyproxy answers a wrong password with 401 (a missing one with 407); over CONNECT either is the proxy's.
    const refused = `proxy ${shown} refused the relay's credentials (CONNECT answered 401 Unauthorized): check the user and password in cloud.proxy in the config`;

    let relay = await serve(s);
    const [id] = await postAll(relay.url, [EVENTS[0]!]);
    await waitFor(async () => (await lastError(relay.url)) === refused, 'the refused credentials as the last error');
    await waitFor(() => px.requests().length >= 3, 'three refused attempts');
    expect(cloud.seen).toHaveLength(0);
    expect(fileCounts(s.spool)).toMatchObject({ pending: 1, dead: 0, delivered: 0 });
    const retry = relay.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'delivery failed, will retry');
    expect(retry).toMatchObject({ status: null, error: refused });

    const d = await doctor(s);
    expect(d.code).toBe(1);
    expect(cloudLine(d.stdout)).toBe(`❌ cloud: cannot reach ${cloud.url}/health: ${refused}`);
    expect(d.stdout).toContain(
      `➖ token: token ${TOKEN.slice(0, 8)}… (Main POS): not tested, the cloud is unreachable through proxy ${shown} (cloud.proxy)`,
    );
    for (const text of [d.stdout, d.stderr, ...relay.lines]) expect(text).not.toContain('wrong@');

    // No password at all: the proxy's 407, worded as such.
    s.setProxy(px.url);
    expect(cloudLine((await doctor(s)).stdout)).toBe(
      `❌ cloud: cannot reach ${cloud.url}/health: proxy ${px.url} asks for a user and password (CONNECT answered 407 Proxy Authentication Required): put them in cloud.proxy in the config as http://user:password@host:port`,
    );

    // Fixed: the kept event goes, under the Idempotency-Key it was acknowledged with.
    relay.proc.kill('SIGTERM');
    await relay.exited;
    s.setProxy(px.url.replace('http://', 'http://relay:right@'));
    relay = await serve(s);
    await waitFor(() => cloud.events().length === 1, 'the kept event, delivered');
    expect(cloud.events()[0]!.headers['idempotency-key']).toBe(id!);
    expect(cloud.events()[0]!.body).toEqual(new TextEncoder().encode(ORDER_CREATED));
  }, 60_000);

  it("doctor tells a refused tunnel, the proxy's failed reach and an absent proxy apart", async () => {
    const cloud = httpsCloud();
    // A proxy that allows CONNECT to another port only (tinyproxy's ConnectPort).
    const strict = await proxy({ connectPorts: [cloud.port + 1] });
    expect(cloudLine((await doctor(site(cloud.url, strict.url))).stdout)).toBe(
      `❌ cloud: cannot reach ${cloud.url}/health: proxy ${strict.url} refused a tunnel to 127.0.0.1:${cloud.port} (CONNECT answered 403 Access violation): the proxy must allow HTTPS (CONNECT) to that host and port; ask whoever runs the proxy`,
    );
    // The proxy cannot reach the cloud (nothing listens there).
    const open = await proxy();
    const nowhere = `https://127.0.0.1:${freePort()}`;
    expect(cloudLine((await doctor(site(nowhere, open.url))).stdout)).toBe(
      `❌ cloud: cannot reach ${nowhere}/health: proxy ${open.url} could not reach ${nowhere.slice('https://'.length)} (CONNECT answered 500 Unable to connect): the proxy has no way to the cloud; check the proxy's own internet access`,
    );
    // No proxy on that port at all.
    const absent = `http://relay:s3cret@127.0.0.1:${freePort()}`;
    const d = await doctor(site(cloud.url, absent));
    expect(cloudLine(d.stdout)).toBe(
      `❌ cloud: cannot reach ${cloud.url}/health: cannot connect to proxy ${absent.replace('s3cret', '****')}: connection refused; check that the proxy is running and that cloud.proxy in the config names its host and port`,
    );
    expect(d.stdout + d.stderr).not.toContain('s3cret');
  }, 30_000);

  it('(d) HTTPS_PROXY from the environment when the key is unset; NO_PROXY bypasses it', async () => {
    const cloud = httpsCloud();
    const px = await proxy({ connectPorts: [cloud.port] });
    const s = site(cloud.url);
    const env = { HTTPS_PROXY: px.url };

    const relay = await serve(s, env);
    const [first] = await postAll(relay.url, [EVENTS[0]!]);
    await waitFor(() => cloud.events().length === 1, 'the event, through HTTPS_PROXY');
    expect(cloud.events()[0]!.headers['idempotency-key']).toBe(first!);
    expect(await px.settledRequests()).toContain(`CONNECT 127.0.0.1:${cloud.port} HTTP/1.1`);
    expect(cloudLine((await doctor(s, env)).stdout)).toMatch(
      / through proxy http:\/\/127\.0\.0\.1:\d+ \(HTTPS_PROXY\)$/,
    );
    relay.proc.kill('SIGTERM');
    await relay.exited;

    const tunnels = (await px.settledRequests()).length;
    const bypass = { ...env, NO_PROXY: 'localhost,127.0.0.1' };
    const direct = await serve(s, bypass);
    const [second] = await postAll(direct.url, [EVENTS[1]!]);
    await waitFor(() => cloud.events().length === 2, 'the event, direct');
    expect(cloud.events()[1]!.headers['idempotency-key']).toBe(second!);
    expect(cloud.events()[1]!.body).toEqual(new TextEncoder().encode(EVENTS[1]!.body));
    expect(cloudLine((await doctor(s, bypass)).stdout)).toMatch(
      /answered 200 in \d+ ms, direct \(NO_PROXY lists the cloud's host\)$/,
    );
    expect(await px.settledRequests()).toHaveLength(tunnels);
  }, 60_000);
});
