/**
 * The restaurant's disk, on the compiled binary: a spool holding pending
 * events gets one page overwritten while the relay is stopped. At the next
 * start the relay answers the POS at once from a fresh spool, keeps the
 * damaged file byte for byte, and the cloud receives every readable pending
 * event under its original Idempotency-Key, each lane in acknowledgement
 * order (the salvaged events before the newer ones), and nothing under a key
 * the POS was never given.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import { installBinary, type RunningBinary, runBinary, startBinary, stopBinary } from '../helpers/binary.ts';
import { figure, printGuarantee } from '../helpers/guarantee.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { post, TOKEN, TOKEN2, tempDir } from '../helpers/relay.ts';
import { relayToml } from '../helpers/reliability.ts';
import { damageMiddlePage } from '../helpers/spool-file.ts';
import { waitFor } from '../helpers/wait.ts';

const EVENTS = 600;
const PAD = 'x'.repeat(1500);
let root: { dir: string; cleanup: () => void };
let bin: string;
let pristine: string;
/** Every id the POS was given, in acknowledgement order, with its lane. */
const acked: { id: string; token: string }[] = [];

const ack = async (url: string, token: string, body: string) => {
  const r = await post(url, token, body);
  expect(r.status).toBe(200);
  const id = ((await r.json()) as { event_id: string }).event_id;
  acked.push({ id, token });
  return id;
};

beforeAll(async () => {
  root = tempDir('relay-quarantine-bin-');
  bin = await installBinary(root.dir);
  pristine = join(root.dir, 'pristine');
  mkdirSync(pristine);
  // The cloud is down while the events arrive: all of them stay pending.
  writeFileSync(join(pristine, 'relay.toml'), relayToml({ cloudUrl: 'http://127.0.0.1:9' }));
  const relay = await startBinary(bin, ['serve'], { cwd: pristine });
  for (let i = 0; i < EVENTS; i += 20) {
    // One request at a time per lane: acknowledgement order is the order of `acked`.
    for (let j = i; j < i + 20; j++) await ack(relay.url, j % 2 ? TOKEN2 : TOKEN, `{"i":${j},"pad":"${PAD}"}`);
  }
  relay.proc.kill('SIGTERM');
  expect(await relay.exited).toBe(0);
}, 60_000);
afterAll(() => (process.env.KEEP_Q ? console.log('kept', root.dir) : root.cleanup()));

/** The ids of whole rows SQLite can still read as pending in a copy of the damaged file, one by one: the test's own count. */
function readablePending(file: string, dir: string): Set<string> {
  const copy = join(dir, 'probe.db');
  cpSync(file, copy);
  const db = new Database(copy);
  const out = new Set<string>();
  for (let seq = 1; seq <= EVENTS; seq++) {
    try {
      // The whole row, body included; prepared each time: a statement that met a damaged page keeps failing.
      const r = db.prepare(`SELECT * FROM events WHERE seq = ?`).get(seq) as { id: string; status: string } | undefined;
      if (r?.status === 'pending') out.add(r.id);
    } catch {
      // on the damaged page
    }
  }
  db.close();
  return out;
}

describe('a damaged spool on the binary', () => {
  let cloud: MockCloud;
  let relay: RunningBinary;

  afterAll(async () => {
    if (relay) await stopBinary(relay);
    await cloud?.stop();
  });

  it('answers at once, keeps the damaged file, and delivers the readable events in lane order', async () => {
    const dir = join(root.dir, 'damaged');
    cpSync(pristine, dir, { recursive: true });
    const db = join(dir, 'spool', 'relay.db');
    damageMiddlePage(db);
    const damaged = readFileSync(db);
    const readable = readablePending(db, root.dir);
    expect(readable.size).toBeGreaterThan(EVENTS / 2);
    expect(readable.size).toBeLessThan(EVENTS);

    cloud = await startMockCloud();
    writeFileSync(join(dir, 'relay.toml'), relayToml({ cloudUrl: cloud.url }));
    const spawned = Date.now();
    relay = await startBinary(bin, ['serve'], { cwd: dir });
    const first = await ack(relay.url, TOKEN, '{"after":"quarantine","n":0}');
    const answeredMs = Date.now() - spawned;
    expect(answeredMs).toBeLessThan(2000);
    for (let n = 1; n < 20; n++) await ack(relay.url, n % 2 ? TOKEN2 : TOKEN, `{"after":"quarantine","n":${n}}`);

    const health = (await (await fetch(`${relay.url}/health`)).json()) as {
      status: string;
      spool: { quarantined: { file: string }[] };
    };
    expect(health.status).toBe('degraded');
    const set = readdirSync(join(dir, 'spool')).filter((f) => /^relay\.db\.damaged-[\dT-]+Z$/.test(f));
    expect(set).toHaveLength(1);
    expect(health.spool.quarantined.map((q) => q.file)).toEqual([join(dir, 'spool', set[0]!)]);
    expect(readFileSync(join(dir, 'spool', set[0]!)).equals(damaged)).toBe(true);
    // The technician's view: relay status names the file (and exits 1: degraded).
    const st = runBinary(bin, ['status'], dir);
    expect(st.code).toBe(1);
    expect(st.stdout).toContain(`DAMAGED file set aside at`);
    expect(st.stdout).toContain(set[0]!);

    const wanted = new Set([...readable, ...acked.filter((a) => a.id.localeCompare(first) >= 0).map((a) => a.id)]);
    await waitFor(
      () => {
        const at = new Set(cloud.stored.map((r) => r.headers['idempotency-key']));
        return [...wanted].every((k) => at.has(k));
      },
      'every readable pending event and every new one at the cloud',
      30_000,
    ).catch(() => {}); // what did not arrive is named below, after the run's line
    const keys = cloud.stored.map((r) => r.headers['idempotency-key']!);
    const given = new Map(acked.map((a, i) => [a.id, { ...a, i }]));
    printGuarantee('salvage', [
      `the first 200 ${figure(answeredMs)} ms after the start`,
      [readable.size, `of ${EVENTS} pending events readable in the damaged file`],
      [[...readable].filter((k) => keys.includes(k)).length, 'of them delivered under their own key'],
      [keys.filter((k) => !given.has(k)).length, 'delivered under a key the POS was never given'],
    ]);
    // Nothing under a key the POS was never given; every readable one there.
    expect(keys.filter((k) => !given.has(k))).toEqual([]);
    expect([...wanted].filter((k) => !keys.includes(k))).toEqual([]);
    // Per lane, first deliveries in acknowledgement order: the salvaged ones, then the new ones.
    for (const token of [TOKEN, TOKEN2]) {
      const order = [...new Set(keys)]
        .map((k) => given.get(k)!)
        .filter((g) => g.token === token)
        .map((g) => g.i);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    // The damaged file is still as it was after all of it.
    expect(readFileSync(join(dir, 'spool', set[0]!)).equals(damaged)).toBe(true);
  }, 60_000);
});
