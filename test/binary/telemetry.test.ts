/**
 * Telemetry pushed by the compiled relay over OTLP/HTTP (README "Monitoring
 * many sites"). Against a real receiver: VictoriaMetrics from Debian 13 in
 * the chroot of test/telemetry/setup.sh (made by `make victoria-metrics`,
 * else here; skips, saying why, only where it cannot be made). Two relays
 * with different [site] ids push to it; each one's received and delivered
 * counts are found there under its own site id, as /metrics shows them.
 *
 * And against receivers that fail: one down, one slow, answering 500 and
 * 429: the relays take and deliver every event meanwhile, count the failed
 * pushes, show them on the status page, and say so once in the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { hostname } from 'node:os';
import pkg from '../../package.json' with { type: 'json' };
import { installSite, type RunningBinary, runBinary, serveSite, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { buildToml } from '../helpers/config.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { freePort } from '../helpers/ports.ts';
import { INACTIVE, ORDER_CREATED, post, TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { describeUnless, itUnless } from '../helpers/skip.ts';
import { NO_TINYPROXY, startTinyproxy, TINYPROXY } from '../helpers/tinyproxy.ts';
import { waitFor } from '../helpers/wait.ts';
import { startVictoriaMetrics, victoriaMetricsUnavailable } from '../telemetry/victoria-metrics.ts';

const skip = victoriaMetricsUnavailable();

const onCleanup = useCleanup();
const API_KEY = 'otlp-key-5f2c9e71d04b';
let cloud: MockCloud;
beforeAll(async () => {
  cloud = await startMockCloud();
});
afterAll(() => cloud.stop());

const telemetryToml = (endpoint: string) =>
  `[telemetry]\nendpoint = "${endpoint}"\nheaders = { "X-Api-Key" = "${API_KEY}" }\ninterval_seconds = 1\n`;

async function site(endpoint: string, s: { id?: string; name: string }, proxy = '') {
  const { dir, bin } = await installSite(
    onCleanup,
    buildToml({ cloud: { url: cloud.url, proxy }, site: s }, telemetryToml(endpoint)),
    'relay-telemetry-',
  );
  return { dir, bin, relay: await serveSite(onCleanup, bin, dir) };
}

const body = (n: number) => ORDER_CREATED.replace('"Mesa 8"', `"Mesa ${n}"`);

async function postMany(relay: RunningBinary, token: string, env: string, n: number) {
  for (let i = 0; i < n; i++) {
    const res = await post(relay.url, token, body(i), { env });
    expect(res.status).toBe(200);
  }
}

/** A sample of /metrics, by name and exact label text ("" for none). */
async function metric(relay: RunningBinary, name: string, labels = ''): Promise<number | undefined> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

const page = async (relay: RunningBinary) => (await fetch(`${relay.url}/admin`)).text();
const telemetrySection = (html: string) => /<section id="telemetry">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';

describeUnless(skip)('telemetry to VictoriaMetrics (OTLP/HTTP protobuf)', () => {
  it("finds each relay's received and delivered counts under its own site id", async () => {
    const vm = await startVictoriaMetrics(onCleanup);
    const a = await site(vm.otlp, { id: 'cantina-roma', name: 'Cantina Roma' });
    const b = await site(vm.otlp, { id: 'cantina-centro', name: 'Cantina Centro' });
    const before = cloud.stored.length;
    await postMany(a.relay, TOKEN, 'prod', 5);
    await postMany(a.relay, TOKEN2, 'dev', 2);
    await postMany(b.relay, TOKEN, 'prod', 3);
    expect((await post(a.relay.url, INACTIVE, body(0))).status).toBe(401);
    await waitFor(() => cloud.stored.length - before === 10, 'the cloud to store the 10 events', 20_000);

    const sumBy = async (name: string, id: string) =>
      (await vm.query(`sum(${name}{"service.instance.id"="${id}"})`))[0]?.value;
    // Pushed every second: wait for the push after the last delivery to be in.
    await waitFor(
      async () =>
        (await sumBy('relay_events_delivered_total', 'cantina-roma')) === 7 &&
        (await sumBy('relay_events_delivered_total', 'cantina-centro')) === 3,
      'both sites delivered counts in VictoriaMetrics',
      20_000,
    );
    expect(await sumBy('relay_events_received_total', 'cantina-roma')).toBe(7);
    expect(await sumBy('relay_events_received_total', 'cantina-centro')).toBe(3);

    // Per lane, with the labels /metrics gives them, and the same numbers /metrics shows.
    const lanes = await vm.query('relay_events_received_total{"service.instance.id"="cantina-roma"}');
    const byLane = Object.fromEntries(lanes.map((s) => [`${s.metric.token} ${s.metric.env}`, s.value]));
    expect(byLane).toMatchObject({ [`${TOKEN.slice(0, 8)}… prod`]: 5, [`${TOKEN2.slice(0, 8)}… dev`]: 2 });
    expect(await metric(a.relay, 'relay_events_received_total', `token="${TOKEN.slice(0, 8)}…",env="prod"`)).toBe(5);
    const refused = await vm.query('relay_refusals_total{"service.instance.id"="cantina-roma",reason="unknown_token"}');
    expect(refused.map((s) => s.value)).toEqual([1]);
    const pending = await vm.query('sum(relay_spool_pending{"service.instance.id"="cantina-centro"})');
    expect(pending.map((s) => s.value)).toEqual([0]);
    const bytes = await vm.query('relay_spool_bytes{"service.instance.id"="cantina-centro"}');
    expect(bytes[0]!.value).toBeGreaterThan(0);

    // The resource attributes name the site, the product and the machine.
    expect(lanes[0]!.metric).toMatchObject({
      'service.name': 'emiliavision-relay',
      'service.version': pkg.version,
      'service.instance.id': 'cantina-roma',
      'site.name': 'Cantina Roma',
      'host.name': hostname(),
      'os.type': 'linux',
    });

    // The page says where it pushes, and that the pushes get through.
    const section = telemetrySection(await page(a.relay));
    expect(section).toContain('as site <code>cantina-roma</code>');
    expect(section).toMatch(/<tr data-signal="metrics"><td>metrics<\/td><td>ok /);
    expect(await metric(a.relay, 'relay_telemetry_push_failures_total', 'signal="metrics"')).toBe(0);
  }, 90_000);
});

/** An OTLP receiver that fails as told: slow (answers after `slowMs`), 500, 429, or takes the push. */
function flakyReceiver(slowMs: number) {
  let mode: 'slow' | '500' | '429' | 'ok' = 'slow';
  const got: { path: string; key: string | null; type: string | null; body: Buffer; mode: string }[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(req) {
      const m = mode;
      got.push({
        path: new URL(req.url).pathname,
        key: req.headers.get('x-api-key'),
        type: req.headers.get('content-type'),
        body: Buffer.from(await req.arrayBuffer()),
        mode: m,
      });
      if (m === 'slow') await Bun.sleep(slowMs);
      if (m === '500') return new Response('boom', { status: 500 });
      if (m === '429') return new Response('slow down', { status: 429, headers: { 'retry-after': '3600' } });
      return new Response(new Uint8Array(0), { headers: { 'content-type': 'application/x-protobuf' } });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    got,
    set: (m: typeof mode) => {
      mode = m;
    },
    stop: () => server.stop(true),
  };
}

describe('telemetry to a receiver that fails', () => {
  it('down, slow, 500 and 429: events keep being taken and delivered, failures counted, shown once in the log and on the page', async () => {
    const down = await site(`http://127.0.0.1:${freePort()}`, { id: 'site-down', name: 'Down' });
    const flaky = flakyReceiver(5_000);
    onCleanup(() => flaky.stop());
    const f = await site(flaky.url, { name: 'Flaky' });
    const before = cloud.stored.length;

    // Each phase lasts a few pushes (one a second) while the POS keeps posting.
    let posted = 0;
    for (const mode of ['slow', '500', '429'] as const) {
      flaky.set(mode);
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await postMany(down.relay, TOKEN, 'prod', 2);
        await postMany(f.relay, TOKEN, 'prod', 2);
        posted += 4;
        // Acks never wait on a push (a slow receiver holds each one up to its 1 s timeout).
        expect(performance.now() - t0).toBeLessThan(2_000);
        await Bun.sleep(1_000);
      }
    }
    await waitFor(() => cloud.stored.length - before === posted, `the cloud to store all ${posted} events`, 20_000);
    expect(await metric(f.relay, 'relay_events_delivered_total', `token="${TOKEN.slice(0, 8)}…",env="prod"`)).toBe(
      posted / 2,
    );

    // Failures counted, per signal, in /metrics.
    expect(await metric(down.relay, 'relay_telemetry_push_failures_total', 'signal="metrics"')).toBeGreaterThanOrEqual(
      5,
    );
    expect(await metric(f.relay, 'relay_telemetry_push_failures_total', 'signal="metrics"')).toBeGreaterThanOrEqual(5);
    const modes = new Set(flaky.got.filter((r) => r.path === '/v1/metrics').map((r) => r.mode));
    expect([...modes].sort()).toEqual(['429', '500', 'slow']);

    // The page shows each failure for what it is; the page stays green (a collector down stops no event).
    const downPage = await page(down.relay);
    expect(telemetrySection(downPage)).toMatch(/failing since .*: http:\/\/127\.0\.0\.1:\d+\/v1\/metrics: /);
    expect(downPage).toContain('data-status="ok"');
    expect(telemetrySection(await page(f.relay))).toContain('/v1/metrics answered 429 Too Many Requests');

    // One line when pushes start failing, per signal, however long it lasts: no flood.
    const failing = (r: RunningBinary) => r.lines.filter((l) => l.includes('telemetry push failing')).length;
    expect(failing(down.relay)).toBeGreaterThanOrEqual(1);
    expect(failing(down.relay)).toBeLessThanOrEqual(2);
    expect(failing(f.relay)).toBeLessThanOrEqual(2);

    // The receiver back: pushes get through, the page says ok, and the log says so once.
    flaky.set('ok');
    await waitFor(
      async () => telemetrySection(await page(f.relay)).includes('<td>metrics</td><td>ok '),
      'the flaky relay to push again',
      15_000,
    );
    await waitFor(
      () => f.relay.lines.some((l) => l.includes('telemetry pushes get through again')),
      'the recovery line',
      5_000,
    );

    // A warning of the log goes as an OTLP log record: the cloud refuses one delivery (503).
    const logsBefore = flaky.got.filter((r) => r.path === '/v1/logs' && r.mode === 'ok').length;
    cloud.next({ kind: 'status', status: 503 });
    await postMany(f.relay, TOKEN2, 'prod', 1);
    await waitFor(
      () =>
        flaky.got
          .slice(0)
          .filter((r) => r.path === '/v1/logs' && r.mode === 'ok')
          .slice(logsBefore)
          .some((r) => r.body.includes('delivery failed, will retry')),
      'the warning pushed to /v1/logs',
      15_000,
    );
    const logs = flaky.got.filter((r) => r.path === '/v1/logs');
    expect(logs.every((r) => r.type === 'application/x-protobuf')).toBe(true);

    // The API key went with every push, and nowhere else: not the log, the page, the API or relay check.
    expect(flaky.got.every((r) => r.key === API_KEY)).toBe(true);
    const status = await (await fetch(`${f.relay.url}/admin/api/status`)).text();
    const check = runBinary(f.bin, ['check'], f.dir);
    for (const shown of [f.relay.lines.join('\n'), await page(f.relay), status, check.stdout + check.stderr]) {
      expect(shown).not.toContain(API_KEY);
    }
    expect(check.code).toBe(0);
    // The configuration shown on the page masks it like a token.
    expect(await page(f.relay)).toMatch(/X-Api-Key&quot;: &quot;otlp-key…|X-Api-Key": "otlp-key…/);
  }, 120_000);

  it('keeps a site id made once in the spool when [site] id is not set', async () => {
    const receiver = flakyReceiver(0);
    receiver.set('ok');
    onCleanup(() => receiver.stop());
    const s = await site(receiver.url, { name: 'No id' });
    const siteId = async (r: RunningBinary) =>
      ((await (await fetch(`${r.url}/admin/api/status`)).json()) as { telemetry: { site_id: string } }).telemetry
        .site_id;
    const first = await siteId(s.relay);
    expect(first).toMatch(/^[A-Za-z0-9._-]{1,55}-[0-9a-f]{8}$/);
    await stopBinary(s.relay, 'SIGTERM');
    const again = await serveSite(onCleanup, s.bin, s.dir);
    expect(await siteId(again)).toBe(first);
    // And it is the service.instance.id the pushes carry.
    await waitFor(() => receiver.got.some((r) => r.path === '/v1/metrics'), 'a push', 10_000);
    expect(receiver.got.find((r) => r.path === '/v1/metrics')!.body.includes(first)).toBe(true);
  }, 60_000);

  itUnless(!TINYPROXY && NO_TINYPROXY)(
    'goes through cloud.proxy, its password never shown',
    async () => {
      const receiver = flakyReceiver(0);
      receiver.set('ok');
      onCleanup(() => receiver.stop());
      const proxy = await startTinyproxy({
        dir: onCleanup.tempDir('relay-telemetry-proxy-'),
        basicAuth: { user: 'relay', password: 'proxy-pw-83c1' },
      });
      onCleanup(() => proxy.stop());
      const s = await site(
        receiver.url,
        { id: 'behind-proxy', name: 'Proxied' },
        proxy.url.replace('//', '//relay:proxy-pw-83c1@'),
      );
      await waitFor(() => receiver.got.some((r) => r.path === '/v1/metrics'), 'a push through the proxy', 15_000);
      expect(proxy.requests().some((l) => l.startsWith(`POST ${receiver.url}/v1/metrics `))).toBe(true);
      expect(receiver.got[0]!.key).toBe(API_KEY);
      for (const shown of [s.relay.lines.join('\n'), await page(s.relay)]) expect(shown).not.toContain('proxy-pw-83c1');
    },
    60_000,
  );
});
