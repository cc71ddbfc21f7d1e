/**
 * The forwarder and `relay doctor` through a real proxy (tinyproxy) to an
 * http:// mock cloud, in this process. The https:// cloud (CONNECT) is in
 * test/binary/forward-proxy.test.ts: trusting a test CA needs the binary's
 * NODE_EXTRA_CA_CERTS, which a running process cannot take up.
 */
import { afterEach, expect, it } from 'bun:test';
import { type Check, diagnose } from '../../src/cli/lib/diagnose.ts';
import { request } from '../../src/cli/lib/local.ts';
import { createLogger } from '../../src/lib/log.ts';
import { freePort } from '../helpers/cli.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { ORDER_CREATED, post, startTestRelay, type TestRelay, TOKEN, TOKEN2, tempDir } from '../helpers/relay.ts';
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

async function cloud(): Promise<MockCloud> {
  const mock = await startMockCloud();
  cleanups.push(() => mock.stop());
  return mock;
}

async function proxy(opts: Omit<Parameters<typeof startTinyproxy>[0], 'dir'> = {}): Promise<Tinyproxy> {
  const tmp = tempDir('relay-proxy-');
  const p = await startTinyproxy({ dir: tmp.dir, ...opts });
  cleanups.push(tmp.cleanup, () => p.stop());
  return p;
}

/** A relay whose log lines are kept (JSON objects). */
async function relay(cloudUrl: string, proxyUrl: string): Promise<TestRelay & { logs: Record<string, unknown>[] }> {
  const logs: Record<string, unknown>[] = [];
  const log = createLogger('info', { write: (s: string) => logs.push(JSON.parse(s)) });
  const r = await startTestRelay({ cloud: { url: cloudUrl, proxy: proxyUrl } }, { log });
  cleanups.push(() => r.stop());
  return { ...r, logs };
}

/** Posts each body and returns the relay's event_id for it, in order. */
async function postAll(base: string, bodies: { token: string; body: string; env?: string }[]): Promise<string[]> {
  const ids: string[] = [];
  for (const b of bodies) {
    const res = await post(base, b.token, b.body, { env: b.env });
    expect(res.status).toBe(200);
    ids.push(((await res.json()) as { event_id: string }).event_id);
  }
  return ids;
}

const health = async (base: string) =>
  (await (await fetch(`${base}/health`)).json()) as { cloud: { reachable: boolean | null; last_error: string | null } };

/**
 * Unsets these variables for the test and puts them back after it (deleted
 * when they were unset: assigning undefined would store the string "undefined",
 * which Bun's fetch would then take for a proxy in every later test).
 */
function keepEnv(...names: string[]): void {
  const saved = names.map((n) => [n, process.env[n]] as const);
  for (const n of names) delete process.env[n];
  cleanups.push(() => {
    for (const [n, v] of saved) {
      if (v === undefined) delete process.env[n];
      else process.env[n] = v;
    }
  });
}

/** What the forwarder delivered (the doctor's diagnostic_test posts carry no Idempotency-Key). */
const events = (mock: MockCloud) => mock.stored.filter((s) => s.headers['idempotency-key'] !== undefined);

const byName = (checks: Check[], name: string) => checks.filter((c) => c.check === name);

const EVENTS = [
  { token: TOKEN, body: ORDER_CREATED },
  { token: TOKEN, body: '{"event":"payment","amount":19.00,"note":"ç ü 😀"}', env: 'dev' },
  { token: TOKEN2, body: '{"event":"table_opened","table_number":"Mesa 8"}' },
];

withProxy('through a proxy to an http:// cloud', () => {
  it('(a) cloud.proxy carries every event, byte for byte with its Idempotency-Key, and the doctor names it', async () => {
    const mock = await cloud();
    const px = await proxy();
    const r = await relay(mock.url, px.url);
    const ids = await postAll(r.url, EVENTS);
    await waitFor(() => mock.stored.length === EVENTS.length, 'three events at the cloud');

    for (const [i, e] of EVENTS.entries()) {
      const got = mock.stored.find((s) => s.headers['idempotency-key'] === ids[i])!;
      expect(got).toBeDefined();
      expect(got.body).toEqual(new TextEncoder().encode(e.body));
      expect(got.token).toBe(e.token);
      expect(got.env).toBe(e.env ?? null);
      // RFC 9110 §7.6.3: a forwarding proxy adds Via; tinyproxy names itself.
      expect(got.headers.via).toContain('tinyproxy');
    }
    const posts = (await px.settledRequests()).filter((l) => l.startsWith('POST '));
    expect(posts).toHaveLength(EVENTS.length);
    // The three lanes send at once: whichever reaches the proxy first, each is there in absolute form.
    expect(posts).toContain(`POST ${mock.url}/webhooks/v1/pos/${TOKEN} HTTP/1.1`);
    expect(r.logs.find((l) => l.msg === 'cloud requests go through a proxy')).toMatchObject({
      proxy: px.url,
      from: 'cloud.proxy',
    });

    const checks = await diagnose(r.config, 'relay.toml', { env: {} });
    expect(byName(checks, 'cloud')[0]).toMatchObject({ status: 'pass' });
    expect(byName(checks, 'cloud')[0]!.message).toMatch(
      new RegExp(`^${mock.url}/health answered 200 in \\d+ ms through proxy ${px.url} \\(cloud\\.proxy\\)$`),
    );
    expect(
      byName(checks, 'token').map((c) => c.status),
      JSON.stringify(byName(checks, 'token')),
    ).toEqual(['skip', 'pass', 'pass']);
    expect(await px.settledRequests()).toContain(`GET ${mock.url}/health HTTP/1.1`);
  });

  it('(c) a proxy asking for credentials: 407 is the proxy, the event stays pending, never dead', async () => {
    const mock = await cloud();
    const px = await proxy({ basicAuth: { user: 'relay', password: 'right' } });
    const r = await relay(mock.url, px.url);
    await postAll(r.url, [EVENTS[0]!]);
    const want = `proxy ${px.url} asks for a user and password (it answered 407 Proxy Authentication Required): put them in cloud.proxy in the config as http://user:password@host:port`;
    await waitFor(async () => (await health(r.url)).cloud.last_error === want, 'the 407 as the last error');

    // Several attempts, all refused by the proxy: the cloud never saw one, the event is kept.
    await waitFor(() => px.requests().length >= 3, 'three attempts');
    expect(mock.received).toHaveLength(0);
    expect((await health(r.url)).cloud.reachable).toBe(false);
    expect(fileCounts(r.config.spool.path)).toMatchObject({ pending: 1, dead: 0, delivered: 0 });
    const warn = r.logs.find((l) => l.msg === 'delivery failed, will retry')!;
    expect(warn).toMatchObject({ status: 407, error: want });

    const checks = await diagnose(r.config, 'relay.toml', { env: {} });
    expect(byName(checks, 'cloud')[0]).toEqual({
      check: 'cloud',
      status: 'fail',
      message: `${mock.url}/health: ${want}`,
    });
    expect(byName(checks, 'token').map((c) => c.message)).toContain(
      `token ${TOKEN.slice(0, 8)}… (Main POS): not tested, the cloud is unreachable through proxy ${px.url} (cloud.proxy)`,
    );
  });

  it('(c) the right credentials go through; a wrong password is never shown', async () => {
    const mock = await cloud();
    const px = await proxy({ basicAuth: { user: 'relay', password: 'right' } });
    const authed = px.url.replace('http://', 'http://relay:right@');
    const r = await relay(mock.url, authed);
    const [id] = await postAll(r.url, [EVENTS[0]!]);
    await waitFor(() => mock.stored.length === 1, 'the event through the authenticating proxy');
    expect(mock.stored[0]!.headers['idempotency-key']).toBe(id!);
    expect(mock.stored[0]!.body).toEqual(new TextEncoder().encode(ORDER_CREATED));
    // tinyproxy takes Proxy-Authorization off before forwarding: the cloud never sees the proxy's password.
    expect(mock.stored[0]!.headers['proxy-authorization']).toBeUndefined();
    const shown = JSON.stringify(r.logs);
    expect(shown).toContain(`relay:****@127.0.0.1:${px.port}`);
    expect(shown).not.toContain('right@');
  });

  it("(c) tinyproxy's 401 for a wrong password: the doctor reads it as the proxy's, the forwarder keeps the events", async () => {
    const mock = await cloud();
    const px = await proxy({ basicAuth: { user: 'relay', password: 'right' } });
    const wrong = px.url.replace('http://', 'http://relay:wrong@');
    const r = await relay(mock.url, wrong);
    await postAll(r.url, [EVENTS[0]!]);
    const shown = px.url.replace('http://', 'http://relay:****@');
    const checks = await diagnose(r.config, 'relay.toml', { env: {} });
    expect(byName(checks, 'cloud')[0]).toEqual({
      check: 'cloud',
      status: 'fail',
      message: `${mock.url}/health answered 401 Unauthorized through proxy ${shown} (cloud.proxy): the cloud's /health asks for no credentials, so the proxy refused the relay's (some proxies answer a wrong password with 401, not 407): check the user and password in cloud.proxy in the config`,
    });
    // Over plain http a 401 cannot be told from the cloud's own: the token pauses, and every event is kept.
    await waitFor(() => r.relay.forwarder.paused().length === 1, 'the token paused');
    expect(fileCounts(r.config.spool.path)).toMatchObject({ pending: 1, dead: 0 });
    expect(mock.received).toHaveLength(0);
    expect(JSON.stringify([checks, r.logs])).not.toContain('wrong@');
  });

  it('a proxy that cannot reach an http:// cloud: its 5xx is retried, and the doctor says whose it may be', async () => {
    const px = await proxy();
    const nowhere = `http://127.0.0.1:${freePort()}`;
    const r = await relay(nowhere, px.url);
    await postAll(r.url, [EVENTS[0]!]);
    await waitFor(() => px.requests().filter((l) => l.startsWith('POST ')).length >= 2, 'two attempts');
    expect(fileCounts(r.config.spool.path)).toMatchObject({ pending: 1, dead: 0 });
    const checks = await diagnose(r.config, 'relay.toml', { env: {} });
    expect(byName(checks, 'cloud')[0]).toEqual({
      check: 'cloud',
      status: 'warn',
      message: `${nowhere}/health answered 500 Unable to connect through proxy ${px.url} (cloud.proxy): a 5xx through a proxy is often the proxy's own (it could not reach the cloud)`,
    });
  });

  it('the proxy itself unreachable: the forwarder and the doctor say so, and the event waits', async () => {
    const mock = await cloud();
    const gone = `http://relay:s3cret@127.0.0.1:${freePort()}`;
    const r = await relay(mock.url, gone);
    await postAll(r.url, [EVENTS[0]!]);
    const shownProxy = gone.replace('s3cret', '****');
    const want = `cannot connect to proxy ${shownProxy}: connection refused; check that the proxy is running and that cloud.proxy in the config names its host and port`;
    await waitFor(async () => (await health(r.url)).cloud.last_error === want, 'the refused proxy as the last error');
    expect(fileCounts(r.config.spool.path)).toMatchObject({ pending: 1, dead: 0 });
    expect(mock.received).toHaveLength(0);

    const checks = await diagnose(r.config, 'relay.toml', { env: {} });
    expect(byName(checks, 'cloud')[0]).toEqual({
      check: 'cloud',
      status: 'fail',
      message: `cannot reach ${mock.url}/health: ${want}`,
    });
    expect(JSON.stringify([checks, r.logs])).not.toContain('s3cret');
  });

  it('(d) HTTP_PROXY from the environment when cloud.proxy is "", and NO_PROXY bypassing it', async () => {
    const mock = await cloud();
    const px = await proxy();
    keepEnv('HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy');
    process.env.HTTP_PROXY = px.url;
    const r = await relay(mock.url, '');
    // This test's own fetch to the relay would take HTTP_PROXY too (Bun reads it): a host:port
    // entry exempts the relay's port and leaves the cloud's, in Bun's reading and the relay's.
    process.env.NO_PROXY = new URL(r.url).host;

    const [viaProxy] = await postAll(r.url, [EVENTS[0]!]);
    await waitFor(() => mock.stored.length === 1, 'the first event, through HTTP_PROXY');
    expect(mock.stored[0]!.headers['idempotency-key']).toBe(viaProxy!);
    expect(mock.stored[0]!.headers.via).toContain('tinyproxy');
    expect((await px.settledRequests()).filter((l) => l.startsWith('POST '))).toHaveLength(1);
    const env = { HTTP_PROXY: px.url, NO_PROXY: process.env.NO_PROXY };
    const viaEnv = await diagnose(r.config, 'relay.toml', { env });
    expect(byName(viaEnv, 'cloud')[0]!.message).toContain(` through proxy ${px.url} (HTTP_PROXY)`);
    const tokens = byName(viaEnv, 'token');
    expect(
      tokens.map((c) => c.status),
      JSON.stringify(tokens),
    ).toEqual(['skip', 'pass', 'pass']);

    // Read on every request, as Bun and curl read the environment: no restart needed.
    process.env.NO_PROXY = 'localhost,127.0.0.1';
    const [direct] = await postAll(r.url, [EVENTS[2]!]);
    await waitFor(() => events(mock).length === 2, 'the second event, direct');
    expect(events(mock)[1]!.headers['idempotency-key']).toBe(direct!);
    expect(events(mock)[1]!.headers.via).toBeUndefined();
    // One event and the doctor's two diagnostic_test posts went through the proxy; the second event did not.
    expect((await px.settledRequests()).filter((l) => l.startsWith('POST '))).toHaveLength(3);
    const doctor = await diagnose(r.config, 'relay.toml', { env: { ...env, NO_PROXY: 'localhost,127.0.0.1' } });
    expect(byName(doctor, 'cloud')[0]!.message).toMatch(
      /answered 200 in \d+ ms, direct \(NO_PROXY lists the cloud's host\)$/,
    );
  });

  it("the relay's own address is asked direct, though Bun's fetch alone would use HTTP_PROXY", async () => {
    // request() (doctor's probe of the local relay, relay send/status) passes
    // `proxy: false` unless given the cloud's route: the PC's loopback relay is
    // never sent to the restaurant's proxy.
    const mock = await cloud();
    const px = await proxy();
    keepEnv('HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy');
    process.env.HTTP_PROXY = px.url;
    const direct = await request(`${mock.url}/health`, { timeoutMs: 2000 });
    expect(direct).toMatchObject({ ok: true, status: 200 });
    expect(await px.settledRequests()).toEqual([]);
    // The evidence that Bun reads HTTP_PROXY by itself: plain fetch goes through the proxy.
    const plain = await fetch(`${mock.url}/health`);
    expect(plain.headers.get('via')).toContain('tinyproxy');
    expect(await px.settledRequests()).toEqual([`GET ${mock.url}/health HTTP/1.1`]);
  });
});
