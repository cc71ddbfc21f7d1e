/**
 * The bench's ladder (test/bench/ladder.ts) compares the relay with models of
 * its own ingest path; a model that acknowledged without storing, or skipped
 * the checks, would make the relay look slow for nothing. These hold each
 * model rung to what it claims: every acknowledged body in the file, byte for
 * byte, and the relay's warnings in the answer.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import { STEPS, type Step } from '../bench/ladder.ts';
import { tempDir } from '../helpers/temp.ts';

const SERVER = join(import.meta.dir, '..', 'bench', 'ladder-server.ts');
const running: { stop: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

async function start(step: Step) {
  const { dir, cleanup } = tempDir('relay-ladder-');
  const proc = Bun.spawn([process.execPath, SERVER, step, '0', dir], { stdout: 'pipe', stderr: 'inherit' });
  const reader = proc.stdout.getReader();
  let out = '';
  while (!/listening on 127\.0\.0\.1:(\d+)/.test(out)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`ladder-server ${step} exited before listening: ${out}`);
    out += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(out)![1]);
  const stop = async () => {
    proc.kill('SIGKILL');
    await proc.exited;
    cleanup();
  };
  running.push({ stop });
  return {
    url: `http://127.0.0.1:${port}/webhooks/v1/pos/tok-ladder`,
    db: join(dir, 'ladder.db'),
    log: join(dir, 'ladder.log'),
    proc,
  };
}

function spoolBodies(path: string): string[] {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare('SELECT body FROM events ORDER BY seq').all() as { body: Uint8Array }[];
  db.close();
  return rows.map((r) => Buffer.from(r.body).toString());
}

/** ladder-log-worker.ts's records: u32 length, u32 seq, the body. */
function logRecords(path: string): string[] {
  const buf = readFileSync(path);
  const out: string[] = [];
  for (let at = 0; at + 8 <= buf.length; ) {
    const len = buf.readUInt32LE(at);
    out.push(buf.subarray(at + 8, at + 8 + len).toString());
    at += 8 + len;
  }
  return out;
}

const post = (url: string, body: string) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

describe('the ladder models store what they acknowledge', () => {
  const storing = STEPS.filter((s) => s.id !== 'elysia' && s.id !== 'checks').map((s) => s.id);
  test('the storing rungs are the four the bench names', () => {
    expect(storing).toEqual(['libsql', 'libsql-fsync', 'worker', 'log']);
  });

  for (const step of storing) {
    test(`${step}: 40 concurrent 200s, then killed: all 40 stored with the exact bytes`, async () => {
      const s = await start(step);
      const bodies = Array.from({ length: 40 }, (_, i) => `{"order_id": "ORD-${i}", "total": 19.00}`);
      const answers = await Promise.all(bodies.map((b) => post(s.url, b)));
      expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 200));
      s.proc.kill('SIGKILL'); // no clean close: what was acknowledged must already be in the file
      await s.proc.exited;
      // The log rung's durable copy is its log (the spool's tables follow it); the others', the spool.
      const stored = step === 'log' ? logRecords(s.log) : spoolBodies(s.db);
      expect(stored.sort()).toEqual([...bodies].sort());
    });
  }
});

describe("the ladder's checks rung runs the relay's checks", () => {
  test('invalid JSON gets a 400 with a detail', async () => {
    const s = await start('checks');
    const r = await post(s.url, '{"order_id": ');
    expect(r.status).toBe(400);
    expect(((await r.json()) as { detail: string }).detail).toStartWith('Invalid JSON');
  });

  test("a payload the relay warns about gets the relay's warning in the 200", async () => {
    const s = await start('checks');
    const r = await post(s.url, '[1, 2]');
    expect(r.status).toBe(200);
    const body = (await r.json()) as { warnings?: string[] };
    expect(body.warnings?.length).toBe(1);
  });
});
