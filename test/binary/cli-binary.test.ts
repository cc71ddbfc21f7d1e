/**
 * The technician's commands, run as the compiled binary beside a running
 * `relay serve` (also the binary) on the same relay.toml and spool, with the
 * mock cloud behind it. The same commands in this process, where a terminal
 * can be faked: test/integration/cli-events.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installBinary, portOf, startBinary, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { runCli, seedSpool, statusCounts, writeConfig } from '../helpers/cli.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { INACTIVE, ORDER_CREATED, TOKEN, TOKEN2, tempDir } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();

// The binary alone in a folder, as a technician installs it: no node_modules beside it.
let bin = '';
let removeBin = () => {};
beforeAll(async () => {
  const tmp = tempDir('relay-cli-bin-');
  bin = await installBinary(tmp.dir);
  removeBin = tmp.cleanup;
});
afterAll(() => removeBin());

const M = (t: string) => `${t.slice(0, 8)}…`;
const noFullToken = (s: string) => {
  for (const t of [TOKEN, TOKEN2, INACTIVE]) expect(s).not.toContain(t);
};

/**
 * A site: relay.toml and its spool, the mock cloud (unless `cloud: false`),
 * and `relay serve` running (unless `serve: false`). The commands find the
 * server by server.port in relay.toml, so the server starts on port 0 and
 * the file is then rewritten with the port it reported: no port is picked
 * (and raced for) beforehand. Without a server the file keeps port 9, where
 * nothing answers (a relay that "is not running").
 */
async function setup(opts: { serve?: boolean; cloud?: boolean } = {}) {
  const dir = onCleanup.tempDir('relay-cli-');
  let mock: MockCloud | undefined;
  if (opts.cloud !== false) {
    mock = await startMockCloud();
    onCleanup(() => mock!.stop());
  }
  const cloudUrl = mock?.url ?? 'http://127.0.0.1:9';
  writeConfig(dir, { port: opts.serve === false ? 9 : 0, cloudUrl });
  const cli = (args: string[], stdin?: string) => runCli(bin, args, { cwd: dir, stdin });
  let port = 9;
  if (opts.serve !== false) {
    const server = await startBinary(bin, ['serve'], { cwd: dir });
    onCleanup(() => stopBinary(server));
    port = portOf(server);
    writeConfig(dir, { port, cloudUrl }); // read by the commands only: the server read its file at start
  }
  return { dir, spool: join(dir, 'spool', 'relay.db'), port, mock: mock!, cli };
}

describe('relay status (binary)', () => {
  it('says "not running" with exit 1 when no relay answers, and still counts each lane from the spool', async () => {
    const { spool, cli } = await setup({ serve: false, cloud: false });
    await seedSpool(spool, [{}, {}, { status: 'dead' }, { token: TOKEN2, env: 'dev', status: 'delivered' }]);
    const r = await cli(['status']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/relay: +not running \(no answer at http:\/\/127\.0\.0\.1:\d+\/health/);
    expect(r.stdout).toMatch(new RegExp(`${M(TOKEN)} Main POS +prod +2 +\\d+ ?s +0 +1`));
    expect(r.stdout).toMatch(new RegExp(`${M(TOKEN2)} Bar +dev +0 +- +1 +0`));
    noFullToken(r.stdout + r.stderr);

    const j = JSON.parse((await cli(['status', '--json'])).stdout);
    expect(j.relay.running).toBe(false);
    expect(j.totals).toEqual({ pending: 2, delivered: 1, dead: 1 });
    expect(j.lanes[0]).toMatchObject({ token: M(TOKEN), env: 'prod', pending: 2, dead: 1 });
    expect(j.lanes[0].oldest_pending_age_seconds).toBeGreaterThanOrEqual(0);
  });

  it('reports the running relay healthy, the cloud reachable and the lane delivered after a send', async () => {
    const { dir, cli, mock } = await setup();
    writeFileSync(join(dir, 'order.json'), ORDER_CREATED);
    const sent = await cli(['send', '--token', TOKEN.slice(0, 8), '--env', 'prod', 'order.json']);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toContain(`/webhooks/v1/pos/${M(TOKEN)}?env=prod`);
    expect(sent.stdout).toContain('-> 200');
    expect(sent.stdout).toContain('"message": "Webhook received and stored"');
    // The guide's example sends `table`, not `table_number`: the relay's warning is printed plainly.
    expect(sent.stdout).toMatch(
      /\d warning\(s\): the event was accepted, but the dashboard may not show it as expected:\n {2}⚠️ {2}.*table_number/,
    );
    await waitFor(() => mock.stored.length === 1, 'the mock cloud to store the event');
    // Exact bytes all the way: 19.00 stays 19.00.
    expect(mock.stored[0]!.text).toBe(ORDER_CREATED);

    const s = await cli(['status']);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/relay: +running at http:\/\/127\.0\.0\.1:\d+ — ok/);
    expect(s.stdout).toMatch(/cloud: +reachable/);
    expect(s.stdout).toMatch(new RegExp(`${M(TOKEN)} Main POS +prod +0 +- +1 +0`));
    const j = JSON.parse((await cli(['status', '--json'])).stdout);
    expect(j.relay).toMatchObject({ running: true, status: 'ok' });
    expect(j.cloud.reachable).toBe(true);
    expect(j.cloud.last_delivery_at).toMatch(/Z$/);
    noFullToken(s.stdout + JSON.stringify(j));
  });
});

describe('relay events (binary, while the server runs)', () => {
  it('lists and shows an event: metadata, the delivery attempts with the cloud answers, the exact body', async () => {
    const { dir, cli, mock } = await setup();
    mock.next({ kind: 'status', status: 503, body: { detail: 'maintenance' } });
    writeFileSync(join(dir, 'order.json'), ORDER_CREATED);
    expect((await cli(['send', '-t', TOKEN, 'order.json'])).code).toBe(0);
    await waitFor(() => mock.stored.length === 1, 'delivery after one 503');

    const list = await cli(['events', 'list']);
    expect(list.code).toBe(0);
    const [header, row] = list.stdout.split('\n');
    expect(header).toMatch(/^ID +RECEIVED +TOKEN +ENV +STATUS +ATTEMPTS +LAST +WARNINGS$/);
    expect(row).toMatch(
      new RegExp(
        `^[0-9a-f-]{36} +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +${M(TOKEN)} +dev +delivered +2 +200 +\\d+$`,
      ),
    );
    const id = row!.split(' ')[0]!;

    const show = await cli(['events', 'show', id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`token        ${M(TOKEN)} (Main POS)`);
    expect(show.stdout).toMatch(/503 +retry +\{"detail":"maintenance"\}/);
    expect(show.stdout).toMatch(/200 +delivered +cloud-1/);
    expect(show.stdout.endsWith(`exactly as received):\n${ORDER_CREATED}\n`)).toBe(true);

    const j = JSON.parse((await cli(['events', 'show', id, '--json'])).stdout);
    expect(j).toMatchObject({
      id,
      status: 'delivered',
      token: M(TOKEN),
      env: 'dev',
      attempts: 2,
      cloud_event_id: 'cloud-1',
    });
    expect(j.history.map((a: { status: number; verdict: string }) => [a.status, a.verdict])).toEqual([
      [503, 'retry'],
      [200, 'delivered'],
    ]);
    expect(j.body).toBe(ORDER_CREATED);
    noFullToken(list.stdout + show.stdout + JSON.stringify(j));

    const missing = await cli(['events', 'show', '01890000-0000-7000-8000-000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no event "01890000-0000-7000-8000-000000000000"');
  });

  it('replays a dead letter from the CLI; the running server delivers it to the cloud', async () => {
    const { cli, mock } = await setup();
    mock.next({ kind: 'status', status: 422, body: { detail: 'schema says no' } });
    expect((await cli(['send', '-t', TOKEN, '-'], '{"event":"order_created","table_number":"Mesa 2"}')).code).toBe(0);
    let dead: { id: string; last_status: number }[] = [];
    await waitFor(async () => {
      dead = JSON.parse((await cli(['events', 'list', '--status', 'dead', '--json'])).stdout).events;
      return dead.length === 1;
    }, 'the event to be dead-lettered');
    expect(dead[0]!.last_status).toBe(422);
    expect(mock.stored).toHaveLength(0);

    const r = await cli(['events', 'replay', dead[0]!.id, 'not-an-id']);
    expect(r.stdout).toContain(`replayed   ${dead[0]!.id}`);
    expect(r.stdout).toContain('not found  not-an-id');
    expect(r.code).toBe(1); // one of the two could not be replayed
    // The server notices the other process's commit (PRAGMA data_version, ~1 s) and sends it.
    await waitFor(() => mock.stored.length === 1, 'the replayed event at the cloud', 5000);
    expect(mock.stored[0]!.text).toBe('{"event":"order_created","table_number":"Mesa 2"}');
    expect(mock.stored[0]!.headers['idempotency-key']).toBe(dead[0]!.id);
    await waitFor(
      async () => JSON.parse((await cli(['events', 'show', dead[0]!.id, '--json'])).stdout).status === 'delivered',
      'delivered status',
    );
    const j = JSON.parse((await cli(['events', 'show', dead[0]!.id, '--json'])).stdout);
    expect(j.history.map((a: { verdict: string }) => a.verdict)).toEqual(['dead', 'delivered']);
    expect(j.history[0].detail).toContain('schema says no');

    const again = await cli(['events', 'replay', dead[0]!.id]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`not dead   ${dead[0]!.id}`);
  });

  it('purges delivered events only, never pending or dead ones, and refuses a date it cannot read', async () => {
    const { spool, cli } = await setup({ cloud: false });
    // Within spool.retention_days, so the running server's own pruning stays out of the way.
    const now = Date.now();
    await seedSpool(spool, [
      { status: 'delivered', deliveredAt: now - 2 * 3600_000 },
      { status: 'delivered', deliveredAt: now - 3600_000 },
      { status: 'delivered', deliveredAt: now - 60_000 },
      { status: 'dead' },
      { status: 'pending', token: TOKEN2 },
    ]);
    const bad = await cli(['events', 'purge', '--delivered-before', 'last tuesday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--delivered-before "last tuesday" is not a date');
    expect(await statusCounts(spool)).toEqual({ pending: 1, delivered: 3, dead: 1 });

    const r = await cli(['events', 'purge', '--delivered-before', new Date(now - 30 * 60_000).toISOString()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^purged 2 events delivered before \d{4}-/);
    expect(r.stdout).not.toContain('\r'); // not a terminal: the final line only
    expect(await statusCounts(spool)).toEqual({ pending: 1, delivered: 1, dead: 1 });

    // Even a date in the future leaves pending and dead-lettered events alone.
    const all = await cli(['events', 'purge', '--delivered-before', '2999-01-01', '--json']);
    expect(JSON.parse(all.stdout).purged).toBe(1);
    expect(await statusCounts(spool)).toEqual({ pending: 1, delivered: 0, dead: 1 });
  });
});

describe('relay send (binary)', () => {
  it('posts stdin to the local relay; a refused token or a stopped relay exits 1', async () => {
    const { cli, mock } = await setup();
    const ok = await cli(
      ['send', '--token', TOKEN2, '--json', '-'],
      '{"event":"table_opened","table_number":"Mesa 3"}',
    );
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.stdout);
    expect(j).toMatchObject({ status: 200, answer: { status: 'success', message: 'Webhook received and stored' } });
    expect(j.url).toContain(`${M(TOKEN2)}?env=dev`);
    await waitFor(() => mock.stored.length === 1, 'delivery');
    expect(mock.stored[0]!.env).toBe('dev'); // the default: a test never lands in production

    const refused = await cli(['send', '--token', INACTIVE, '-'], '{"event":"x"}');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('-> 401');
    expect(refused.stdout).toContain('Invalid or inactive webhook token');
    noFullToken(ok.stdout + refused.stdout + refused.stderr);

    const typo = await cli(['send', '--token', TOKEN, '--env', 'prd', '-'], '{}');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--env must be dev or prod, got "prd"');
  });

  it('exits 1 naming the address when no relay runs there', async () => {
    const { cli } = await setup({ serve: false, cloud: false });
    const r = await cli(['send', '--token', TOKEN, '-'], '{"event":"x"}');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the relay did not answer at http:\/\/127\.0\.0\.1:\d+ \(.*\); is it running\?/);
  });
});
