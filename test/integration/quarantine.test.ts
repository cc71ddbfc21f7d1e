/**
 * A damaged spool does not take the relay offline (spool.on_damage =
 * "quarantine"): the file set is moved aside byte for byte, a fresh spool
 * takes events at once above every seq of the damaged one, and the readable
 * pending and dead events come back with their ids, times and bytes, before
 * anything newer in their lane. Real spools in temp dirs, damaged on disk.
 */
import { describe, expect, it } from 'bun:test';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSpool } from '../../src/cli/lib/diagnose-spool.ts';
import { defaultConfig } from '../../src/config/index.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { Spool, type SpoolDeps } from '../../src/spool/index.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { damageMiddlePage, fileExec, fileRows } from '../helpers/spool-file.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();
const enc = new TextEncoder();
const PAD = 'x'.repeat(1500);

async function open(path: string, over: Partial<SpoolDeps> = {}): Promise<Spool> {
  const spool = await Spool.open({
    path,
    maxBytes: 1 << 30,
    clock: systemClock,
    log: silentLogger,
    onDamage: 'quarantine',
    // As `relay serve` opens it: only the lock holder salvages.
    lock: true,
    checkpointThread: false,
    ...over,
  });
  onCleanup(() => spool.close());
  return spool;
}

type Stored = { id: string; seq: number; token: string; body: string; receivedAt: number };

/** A spool of `n` pending events over two lanes, the first `dead` of them dead-lettered, cleanly closed. */
async function written(n: number, dead = 0): Promise<{ path: string; events: Stored[] }> {
  const path = join(onCleanup.tempDir('relay-quarantine-'), 'spool.db');
  const spool = await Spool.open({ path, maxBytes: 1 << 30, clock: systemClock, log: silentLogger, background: false });
  const events: Stored[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) => {
      const token = (i + j) % 2 === 0 ? TOKEN : TOKEN2;
      const body = `{"i":${i + j},"pad":"${PAD}"}`;
      return spool.append({ token, env: 'prod', body: enc.encode(body) }).then((a) => ({ ...a, token, body }));
    });
    events.push(...(await Promise.all(batch)));
  }
  await spool.close();
  if (dead > 0) fileExec(path, `UPDATE events SET status = 'dead' WHERE seq <= ${events[dead - 1]!.seq}`);
  fileExec(path, 'PRAGMA wal_checkpoint(TRUNCATE)');
  return { path, events };
}

const damagedSet = (path: string) =>
  readdirSync(join(path, '..')).filter((f) => f.startsWith('spool.db.damaged-') && !f.includes('.salvage'));

const pendingRows = (path: string) =>
  fileRows<{ id: string; seq: number; token: string; body: Buffer; status: string; received_at: number }>(
    path,
    `SELECT id, seq, token, body, status, received_at FROM events ORDER BY seq`,
  );

describe('a spool found damaged at start', () => {
  it('is set aside byte for byte, a fresh spool serves at once, and the readable events come back', async () => {
    const { path, events } = await written(400, 10);
    damageMiddlePage(path);
    const damagedBytes = readFileSync(path);

    const spool = await open(path);
    // Served at once: this append does not wait for the salvage.
    const fresh = await spool.append({ token: TOKEN, env: 'prod', body: enc.encode('{"after":"quarantine"}') });

    const [q] = spool.quarantined();
    expect(q?.file).toMatch(/spool\.db\.damaged-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/);
    expect(readFileSync(q!.file).equals(damagedBytes)).toBe(true);
    expect(q?.reason).toMatch(/malformed|damaged/);
    // The new event's seq is above every seq the damaged spool held.
    expect(fresh.seq).toBeGreaterThan(events.at(-1)!.seq);

    await waitFor(() => spool.lastSalvage() !== null, 'the salvage to finish');
    const report = spool.lastSalvage()!;
    expect(report.error).toBeNull();
    expect(report.unreadable.length).toBeGreaterThan(0);
    expect(report.restored).toBeGreaterThan(300);
    expect(report.restored).toBeLessThan(400);

    const rows = pendingRows(path);
    const byId = new Map(events.map((e) => [e.id, e]));
    const restored = rows.filter((r) => r.id !== fresh.id);
    expect(restored).toHaveLength(report.restored);
    for (const r of restored) {
      const original = byId.get(r.id)!;
      // Same id (the Idempotency-Key), seq, lane, time and bytes.
      expect({ seq: r.seq, token: r.token, at: r.received_at, body: Buffer.from(r.body).toString() }).toEqual({
        seq: original.seq,
        token: original.token,
        at: original.receivedAt,
        body: original.body,
      });
      expect(r.status).toBe(original.seq <= events[9]!.seq ? 'dead' : 'pending');
    }
    // Lane order: the salvaged events are the lane's head, the new one last.
    expect(spool.head(TOKEN, 'prod')?.seq).toBe(restored.find((r) => r.token === TOKEN && r.status === 'pending')?.seq);
    // Nothing beyond what was stored: no id the POS was never given.
    for (const r of rows) expect(r.id === fresh.id || byId.has(r.id)).toBe(true);
    expect(readFileSync(q!.file).equals(damagedBytes)).toBe(true);
    expect(existsSync(`${q!.file}.salvage`)).toBe(false);
  });

  it('keeps lane heads back until the salvage is done, then announces the lanes', async () => {
    const { path } = await written(200);
    damageMiddlePage(path);
    const spool = await open(path);
    const woken: string[] = [];
    spool.onAppend((token) => woken.push(token));
    // An event accepted after the quarantine is not handed out before the older, salvaged ones.
    const newer = await spool.append({ token: TOKEN, env: 'prod', body: enc.encode('{"newer":true}') });
    expect(spool.head(TOKEN, 'prod')).toBeUndefined();
    expect(spool.pendingLanes()).toEqual([]);
    await waitFor(() => spool.lastSalvage() !== null, 'the salvage to finish');
    await waitFor(() => woken.length >= 3, 'the lanes to be announced');
    const head = spool.head(TOKEN, 'prod');
    expect(head?.seq).toBeLessThan(newer.seq);
    expect(spool.pendingLanes().length).toBe(2);
  });

  it('salvages the same file again by hand without a duplicate', async () => {
    const { path } = await written(120);
    damageMiddlePage(path);
    const spool = await open(path);
    await waitFor(() => spool.lastSalvage() !== null, 'the salvage to finish');
    const before = pendingRows(path).length;
    const again = await spool.salvageFile(spool.quarantined()[0]!.file, { reseq: true });
    expect(again.restored).toBe(0);
    expect(again.skipped).toBe(before);
    expect(pendingRows(path)).toHaveLength(before);
  });

  it('is named by relay doctor until the file is moved away', async () => {
    const { path } = await written(60);
    damageMiddlePage(path);
    const spool = await open(path);
    await waitFor(() => spool.lastSalvage() !== null, 'the salvage to finish');
    await spool.close();
    const config = { ...defaultConfig(), spool: { ...defaultConfig().spool, path } };
    const [q] = (await checkSpool(config)).filter((c) => c.check === 'quarantine');
    expect(q?.status).toBe('warn');
    expect(q?.message).toContain(`${path}.damaged-`);
    const file = q!.message.match(/set aside at \S+: (\S+) /)![1]!;
    // The whole set: a -wal left behind still counts (it may hold events).
    const kept = onCleanup.tempDir();
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(`${file}${suffix}`)) renameSync(`${file}${suffix}`, join(kept, `kept.db${suffix}`));
    }
    expect((await checkSpool(config)).filter((c) => c.check === 'quarantine')).toEqual([]);
  });

  it('finishes a quarantine a crash cut between the rename and its record', async () => {
    const { path, events } = await written(200);
    damageMiddlePage(path);
    // What the relay does before the rename, then the rename, then the crash.
    const file = `${path}.damaged-2026-01-01T00-00-00Z`;
    const at = '2026-01-01T00:00:00.000Z';
    writeFileSync(
      `${path}.quarantine`,
      JSON.stringify({ file, at, reason: 'test', floor: events.at(-1)!.seq + 1, earlier: [], sources: [file] }),
    );
    for (const suffix of ['-wal', '-shm', ''])
      if (existsSync(`${path}${suffix}`)) renameSync(`${path}${suffix}`, `${file}${suffix}`);
    const spool = await open(path);
    expect(spool.quarantined().map((q) => q.file)).toEqual([file]);
    const a = await spool.append({ token: TOKEN, env: 'prod', body: enc.encode('{"n":1}') });
    expect(a.seq).toBeGreaterThan(events.at(-1)!.seq);
    await waitFor(() => spool.lastSalvage() !== null, 'the salvage to finish');
    expect(spool.lastSalvage()!.restored).toBeGreaterThan(100);
    expect(existsSync(`${path}.quarantine`)).toBe(false);
  });

  it('refuses instead, leaving the file where it is, with on_damage "refuse"', async () => {
    const { path } = await written(120);
    damageMiddlePage(path);
    const bytes = readFileSync(path);
    await expect(open(path, { onDamage: 'refuse' })).rejects.toThrow(/damaged/);
    expect(damagedSet(path)).toEqual([]);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });
});

describe('a spool found damaged while serving', () => {
  it('by the background read: set aside, the next append lands in a fresh spool', async () => {
    const { path, events } = await written(300);
    damageMiddlePage(path);
    const damagedBytes = readFileSync(path);
    // As if larger than 64 MB: served before the read ends, so the read finds the damage later.
    const spool = await open(path, { scanFirstBytes: 0 });
    await waitFor(() => spool.quarantined().length === 1, 'the quarantine');
    const [q] = spool.quarantined();
    expect(readFileSync(q!.file).equals(damagedBytes)).toBe(true);
    const a = await spool.append({ token: TOKEN, env: 'prod', body: enc.encode('{"n":1}') });
    expect(a.seq).toBeGreaterThan(events.at(-1)!.seq);
    await waitFor(() => spool.lastSalvage() !== null, 'the salvage to finish');
    expect(spool.lastSalvage()!.restored).toBeGreaterThan(200);
    expect(spool.stats().pending).toBe(spool.lastSalvage()!.restored + 1);
  });

  it('by a write SQLite calls corrupt: the batch fails (no 200), the next one is stored in a fresh spool', async () => {
    const { path } = await written(50);
    const spool = await open(path);
    fileExec(
      path,
      `CREATE TRIGGER fail BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'database disk image is malformed'); END`,
    );
    await expect(spool.append({ token: TOKEN, env: 'prod', body: enc.encode('{"lost":true}') })).rejects.toThrow(
      /malformed/,
    );
    const a = await spool.append({ token: TOKEN, env: 'prod', body: enc.encode('{"kept":true}') });
    expect(spool.quarantined()).toHaveLength(1);
    await waitFor(() => spool.lastSalvage() !== null, 'the salvage to finish');
    expect(spool.lastSalvage()!.restored).toBe(50);
    const ids = pendingRows(path).map((r) => r.id);
    expect(ids).toContain(a.id);
    expect(ids).toHaveLength(51);
  });
});
