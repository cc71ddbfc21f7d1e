/**
 * The spool's own promises, below HTTP.
 *
 * Its counts (`lane_counts`) are what start-up, /health, the quota and
 * `relay status` read instead of counting every event. They must equal a
 * count of the events after anything that changes them, by the relay or by
 * the CLI's connection, and a spool from before the table existed is counted
 * once when it is upgraded.
 *
 * Each on a real spool file in a temp dir; which batches fsync, as a table,
 * is test/unit/commit-mode.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import Database from 'libsql';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { BACKSTOP_PAGES, CHECKPOINT_PAGES } from '../../src/spool/background.ts';
import { eventId, seqOfId } from '../../src/spool/event-id.ts';
import { Spool, type SpoolDeps } from '../../src/spool/index.ts';
import { runMigrations } from '../../src/spool/migrate.ts';
import { migrations } from '../../src/spool/migrations.generated.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { fileDiskBytes, fileRows } from '../helpers/spool-file.ts';
import { waitFor } from '../helpers/wait.ts';

type Count = { token: string; env: string; status: string; n: number; bytes: number };

const onCleanup = useCleanup();

async function openSpool(path: string, over: Partial<SpoolDeps> = {}): Promise<Spool> {
  const spool = await Spool.open({ path, maxBytes: 1 << 30, clock: systemClock, log: silentLogger, ...over });
  onCleanup(() => spool.close());
  return spool;
}

/** A spool file's path in a temp dir removed after the test. */
const spoolPath = (name = 'spool.db'): string => join(onCleanup.tempDir(), name);

/** A spool as an older relay made it: the migrations before `tag` only. */
async function schemaBefore(path: string, tag: string): Promise<void> {
  const client = createClient({ url: `file:${path}` });
  await runMigrations(
    drizzle(client),
    migrations.filter((m) => m.tag < tag),
  );
  client.close();
}

const sort = (rows: Count[]) =>
  rows
    .map((r) => ({ ...r, n: Number(r.n), bytes: Number(r.bytes) }))
    .sort((a, b) => `${a.token}${a.env}${a.status}`.localeCompare(`${b.token}${b.env}${b.status}`));

/** What a full count of the events says, and what lane_counts says. */
function both(path: string): { truth: Count[]; kept: Count[] } {
  const truth = fileRows<Count>(
    path,
    `SELECT token, env, status, count(*) AS n, sum(size) AS bytes FROM events GROUP BY token, env, status`,
  );
  const kept = fileRows<Count>(path, `SELECT token, env, status, n, bytes FROM lane_counts WHERE n > 0`);
  return { truth: sort(truth), kept: sort(kept) };
}

function expectExact(spool: Spool, step: string): void {
  const { truth, kept } = both(spool.path);
  expect({ step, kept }).toEqual({ step, kept: truth });
  const stats = spool.stats();
  const sum = (status: string) => truth.filter((t) => t.status === status).reduce((a, t) => a + t.n, 0);
  expect({ step, pending: stats.pending, delivered: stats.delivered, dead: stats.dead }).toEqual({
    step,
    pending: sum('pending'),
    delivered: sum('delivered'),
    dead: sum('dead'),
  });
  // The quota's measure is the disk's: pages in use plus the log.
  expect({ step, bytes: stats.bytes }).toEqual({ step, bytes: fileDiskBytes(spool.path) });
}

const body = (i: number) => new TextEncoder().encode(`{"event":"order_created","i":${i},"pad":"${'x'.repeat(i)}"}`);

describe('the spool counts (lane_counts)', () => {
  it('equal a count of the events through appends, deliveries, dead letters, replays, purges and a restart', async () => {
    const path = spoolPath();
    let spool = await openSpool(path);
    const lanes = [
      { token: TOKEN, env: 'prod' as const },
      { token: TOKEN, env: 'dev' as const },
      { token: TOKEN2, env: 'prod' as const },
    ];
    // Concurrent appends: batches that mix lanes.
    await Promise.all(Array.from({ length: 90 }, (_, i) => spool.append({ ...lanes[i % 3]!, body: body(i) })));
    expectExact(spool, 'after 90 appends');

    for (let i = 0; i < 10; i++) {
      const head = spool.head(TOKEN, 'prod')!;
      await spool.markDelivered(head, { at: Date.now() - 10_000, status: 200, cloudEventId: `c${i}` });
    }
    for (let i = 0; i < 4; i++) {
      await spool.markDead(spool.head(TOKEN2, 'prod')!, { at: Date.now(), status: 422, error: 'no' });
    }
    await spool.recordAttempt(spool.head(TOKEN, 'dev')!, 'retry', { at: Date.now(), status: 503 });
    expectExact(spool, 'after deliveries, dead letters and a retry');

    // The CLI's connection (drizzle over @libsql/client), as `relay events replay` / `purge` use it.
    expect(await spool.replayAllDead()).toBe(4);
    spool.checkExternalChanges();
    expectExact(spool, 'after a replay by another connection');
    expect(await spool.purgeDelivered(Date.now())).toBe(10);
    spool.checkExternalChanges();
    expectExact(spool, 'after a purge by another connection');

    for (let i = 0; i < 3; i++) {
      await spool.markDelivered(spool.head(TOKEN, 'dev')!, { at: 1000, status: 200, cloudEventId: null });
    }
    expect(await spool.pruneDelivered(2000)).toBe(3);
    expectExact(spool, 'after retention pruning');

    await spool.close();
    spool = await openSpool(path);
    expectExact(spool, 'after a restart');
  });

  it('counts a spool written before lane_counts existed, once, when it is upgraded', async () => {
    const path = spoolPath('old.db');
    // The schema as the relay made it before migration 0002.
    expect(migrations.filter((m) => m.tag < '0002').map((m) => m.tag)).toEqual(['0000_init', '0001_attempts']);
    await schemaBefore(path, '0002');
    const db = new Database(path);
    const insert = db.prepare(
      `INSERT INTO events (id, token, env, body, size, received_at, status) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const statuses = ['pending', 'pending', 'delivered', 'dead'];
    for (let i = 0; i < 40; i++) {
      const b = body(i);
      insert.run(`id-${i}`, i % 2 ? TOKEN : TOKEN2, 'prod', Buffer.from(b), b.byteLength, i, statuses[i % 4]);
    }
    db.close();

    const spool = await openSpool(path);
    expectExact(spool, 'after the upgrade');
    expect(spool.stats()).toMatchObject({ pending: 20, delivered: 10, dead: 10 });
    await spool.append({ token: TOKEN, env: 'prod', body: body(1) });
    expectExact(spool, 'after an append on the upgraded spool');
  });
});

describe('counts that went wrong', () => {
  it('are counted again after the start-up scan finds them different from the events', async () => {
    const path = spoolPath();
    const first = await openSpool(path);
    await first.append({ token: TOKEN, env: 'prod', body: body(1) });
    await first.close();
    // Rows added around the relay (a hand repair, another program): lane_counts does not see them.
    const other = new Database(path);
    const insert = other.prepare(
      `INSERT INTO events (id, token, env, body, size, received_at) VALUES (?, ?, 'dev', ?, 2, 0)`,
    );
    for (let i = 0; i < 5; i++) insert.run(`hand-${i}`, TOKEN2, Buffer.from('{}'));
    other.close();

    const spool = await openSpool(path);
    const woken: string[] = [];
    spool.onAppend((token, env) => woken.push(`${env}:${token}`));
    await waitFor(() => spool.stats().pending === 6, 'the recount after the scan');
    expectExact(spool, 'after the recount');
    // The forwarder hears of the lane only the recount found.
    expect(woken).toContain(`dev:${TOKEN2}`);
  });
});

describe('finding an event by its id', () => {
  it('goes by the seq the id carries, in either case, and never onto a seq another connection took', async () => {
    const path = spoolPath();
    const spool = await openSpool(path);
    const a = await spool.append({ token: TOKEN, env: 'prod', body: body(1) });
    expect(seqOfId(a.id)).toBe(a.seq);
    // A row inserted by another connection takes the next seq from SQLite.
    const other = new Database(path);
    other
      .prepare(`INSERT INTO events (id, token, env, body, size, received_at) VALUES (?, ?, 'prod', ?, 2, 0)`)
      .run('by-hand', TOKEN, Buffer.from('{}'));
    other.close();
    expect(spool.checkExternalChanges()).toBe(true);
    const b = await spool.append({ token: TOKEN, env: 'prod', body: body(2) });
    expect(b.seq).toBe(a.seq + 2);
    expect((await spool.getEvent(a.id))?.seq).toBe(a.seq);
    expect((await spool.getEvent(b.id.toUpperCase()))?.seq).toBe(b.seq);
    expect(await spool.getEvent(eventId(Date.now(), 999))).toBeUndefined();
    expect(await spool.getEvent(eventId(Date.now(), a.seq))).toBeUndefined(); // right seq, wrong id
    const r = await spool.replay([a.id, 'nope']);
    expect(r).toEqual({ replayed: [], notDead: [a.id], missing: ['nope'] });
  });

  it('finds the ids of a spool written before ids carried their seq, after the upgrade', async () => {
    const path = spoolPath('old.db');
    await schemaBefore(path, '0003');
    // Random UUIDv7 ids, as the relay gave them then; their seq comes from SQLite.
    const legacy = [Bun.randomUUIDv7(), Bun.randomUUIDv7()];
    const db = new Database(path);
    for (const id of legacy) {
      db.prepare(`INSERT INTO events (id, token, env, body, size, received_at) VALUES (?, ?, 'prod', ?, 2, 0)`).run(
        id,
        TOKEN,
        Buffer.from('{}'),
      );
    }
    db.close();
    const spool = await openSpool(path);
    expect((await spool.getEvent(legacy[1]!))?.seq).toBe(2);
    expect((await spool.getEvent(legacy[0]!.toUpperCase()))?.body.toString()).toBe('{}');
    expect(await spool.getEvent(Bun.randomUUIDv7())).toBeUndefined();
    const c = await spool.append({ token: TOKEN, env: 'prod', body: body(3) });
    expect((await spool.getEvent(c.id))?.seq).toBe(3);
  });
});

describe('checkpoints on their own thread', () => {
  /** Events enough for ~6 MB of log: past SQLite's default checkpoint (1000 pages), short of the writer's backstop. */
  const EVENTS = 4000;
  const pad = 'p'.repeat(1500);

  /** Frames in the log not yet in the database, from the WAL-index header (sqlite.org/walformat.html). */
  const uncopied = (path: string) => {
    const h = readFileSync(`${path}-shm`).subarray(0, 100);
    return h.readUInt32LE(16) - h.readUInt32LE(96);
  };

  /** Appends EVENTS; answers the most frames the log held uncopied, looked at between batches. */
  async function fill(spool: Spool, path: string): Promise<number> {
    let most = 0;
    for (let i = 0; i < EVENTS; i += 200) {
      await Promise.all(
        Array.from({ length: 200 }, (_, j) =>
          spool.append({ token: TOKEN, env: 'prod', body: new TextEncoder().encode(`{"i":${i + j},"p":"${pad}"}`) }),
        ),
      );
      most = Math.max(most, uncopied(path));
      await Bun.sleep(10); // a tick of the checkpoint thread, as between bursts of a busy site
    }
    return most;
  }

  it('copies the log into the database while events arrive, without the writer checkpointing', async () => {
    const path = spoolPath();
    const spool = await openSpool(path);
    expect(spool.settings().walAutocheckpoint).toBe(BACKSTOP_PAGES);
    // Copied in steps while the events arrive: at most the thread's step and a
    // burst or two (~120 pages each) uncopied, far from SQLite's 1000 pages.
    expect(await fill(spool, path)).toBeLessThan(CHECKPOINT_PAGES + 300);
    // Only a checkpoint grows the database file; the writer's own would wait for BACKSTOP_PAGES.
    await waitFor(() => statSync(path).size >= EVENTS * pad.length, 'the checkpoint thread to copy the log');
    expect(statSync(`${path}-wal`).size).toBeLessThan(BACKSTOP_PAGES * 4096);
    expect(spool.stats().pending).toBe(EVENTS);
  });

  it('without the thread, leaves checkpoints to SQLite in the writer, at its default size', async () => {
    const path = spoolPath();
    const spool = await openSpool(path, { checkpointThread: false });
    expect(spool.settings().walAutocheckpoint).toBe(1000);
    // SQLite checkpoints when a commit takes the log past 1000 pages, not before.
    const most = await fill(spool, path);
    expect(most).toBeGreaterThan(200);
    expect(most).toBeLessThan(1000 + 200 * 2);
    expect(spool.stats().pending).toBe(EVENTS);
  });
});

describe('how a batch commits (commit-mode.ts)', () => {
  it('rests at synchronous=FULL after a batch of records only', async () => {
    const spool = await openSpool(spoolPath());
    await spool.append({ token: TOKEN, env: 'prod', body: new TextEncoder().encode('{}') });
    await spool.markDelivered(spool.head(TOKEN, 'prod')!, { at: Date.now(), status: 200, cloudEventId: null });
    expect(spool.settings().synchronous).toBe(2);
  });
});
