/**
 * Promise 3 (never deletes a pending event on its own) at start-up: a damaged
 * spool stops the relay with a message naming the file and what to do, and
 * the relay neither overwrites nor recreates it. The files are compared byte
 * for byte before and after the attempt. A spool too large to read before
 * serving, damaged or not, is test/integration/corruption.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { cpSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import { installBinary, startBinary } from '../helpers/binary.ts';
import { post, TOKEN, tempDir } from '../helpers/relay.ts';
import { fingerprint, readSpool, relayToml, runBounded } from '../helpers/reliability.ts';
import { damageMiddlePage } from '../helpers/spool-file.ts';

const EVENTS = 300;
let root: { dir: string; cleanup: () => void };
let bin: string;
/** A real spool written by the binary: EVENTS pending events, the relay stopped by SIGTERM. */
let pristine: string;

beforeAll(async () => {
  root = tempDir('relay-corrupt-');
  bin = await installBinary(root.dir);
  pristine = join(root.dir, 'pristine');
  mkdirSync(pristine);
  // on_damage = "refuse": these are the promises for sites that want a person first
  // (the default, quarantine, is test/binary/quarantine.test.ts).
  writeFileSync(
    join(pristine, 'relay.toml'),
    relayToml({ cloudUrl: 'http://127.0.0.1:9', config: { spool: { on_damage: 'refuse' } } }),
  );
  const relay = await startBinary(bin, ['serve'], { cwd: pristine });
  const pad = 'x'.repeat(2000);
  for (let i = 0; i < EVENTS; i += 30) {
    const batch = Array.from({ length: 30 }, (_, j) => post(relay.url, TOKEN, `{"i":${i + j},"pad":"${pad}"}`));
    for (const r of await Promise.all(batch)) expect(r.status).toBe(200);
  }
  relay.proc.kill('SIGTERM');
  expect(await relay.exited).toBe(0);
}, 30_000);
afterAll(() => root.cleanup());

/** A copy of the pristine installation, to damage. */
function copy(name: string): { dir: string; spoolDir: string; db: string } {
  const dir = join(root.dir, name);
  cpSync(pristine, dir, { recursive: true });
  return { dir, spoolDir: join(dir, 'spool'), db: join(dir, 'spool', 'relay.db') };
}

/**
 * The files that hold events: the database and its WAL. The -shm file is
 * SQLite's shared-memory index, rebuilt from the WAL by whoever opens it;
 * `<spool>.lock` (src/spool/lock.ts) holds no events and each start rewrites
 * it with its pid before the spool itself is opened.
 */
const dataFiles = (dir: string) =>
  Object.fromEntries(
    Object.entries(fingerprint(dir)).filter(([n]) => !n.endsWith('-shm') && !/\.lock(-journal)?$/.test(n)),
  );

/**
 * Runs `relay serve` on a damaged spool: it must exit 1 at once, having
 * changed nothing. A relay that starts anyway is stopped after 5 s (and fails).
 */
function refuses(c: { dir: string; spoolDir: string }): string {
  const before = dataFiles(c.spoolDir);
  const r = runBounded(bin, ['serve'], c.dir);
  expect(r.code).toBe(1);
  expect(dataFiles(c.spoolDir)).toEqual(before);
  return r.stderr;
}

describe('a damaged spool at start-up', () => {
  it('starts normally on the undamaged spool, with every event still pending (the control case)', async () => {
    const c = copy('control');
    const relay = await startBinary(bin, ['serve'], { cwd: c.dir });
    const health = (await (await fetch(`${relay.url}/health`)).json()) as { spool: { pending: number } };
    expect(health.spool.pending).toBe(EVENTS);
    relay.proc.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  });

  it('refuses a spool cut to half its size, naming the file and what to do, leaving it untouched', () => {
    const c = copy('truncated');
    // Fold the WAL into the file first, so the cut removes pages that exist nowhere else.
    const db = new Database(c.db);
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    db.close();
    truncateSync(c.db, Math.floor(statSync(c.db).size / 2));
    const err = refuses(c);
    expect(err).toContain(c.db);
    expect(err).toMatch(/truncated/);
    expect(err).toMatch(/left it untouched/);
    expect(err).toContain(`mv "${c.db}" "${c.db}.broken"`);
  });

  it('refuses a spool whose write-ahead log is garbage, naming the log, leaving both files untouched', () => {
    const c = copy('garbage-wal');
    const wal = `${c.db}-wal`;
    const size = statSync(wal).size;
    expect(size).toBeGreaterThan(32); // the pristine stop left committed frames in the log
    writeFileSync(wal, Buffer.from(Array.from({ length: size }, (_, i) => (i * 7919 + 13) & 0xff)));
    const err = refuses(c);
    expect(err).toContain(wal);
    expect(err).toMatch(/write-ahead log .* is damaged/);
    expect(err).toMatch(/left both files untouched/);
    expect(err).toContain(`mv "${wal}" "${wal}.broken"`);
  });

  it('refuses a spool with a page of garbage in the middle of its events, leaving it untouched', () => {
    const c = copy('bad-page');
    damageMiddlePage(c.db);
    const err = refuses(c);
    expect(err).toContain(c.db);
    expect(err).toMatch(/damaged/);
    expect(err).toContain(`mv "${c.db}" "${c.db}.broken"`);
  });

  it('never turns a damaged spool into an empty one: the events are all still there once repaired by hand', () => {
    // What the message tells a technician to do for a garbage WAL: keep a copy, move the log aside.
    const c = copy('repaired');
    const wal = `${c.db}-wal`;
    const original = readFileSync(wal);
    writeFileSync(wal, Buffer.alloc(original.length, 0x42));
    refuses(c);
    writeFileSync(wal, original); // the technician restores the log from a copy
    expect(readSpool(c.db)).toHaveLength(EVENTS);
  });
});
