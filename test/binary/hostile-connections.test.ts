/**
 * Promise 4 against hostile connections to the compiled binary: a
 * Content-Length that lies, a chunked body past 10 MB (answered 413 in
 * bounded memory), hundreds of connections that never finish, none of which keeps a
 * real client waiting; and a wrong token is refused exactly as any other.
 * Hostile requests one at a time are test/binary/hostile.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installBinary, type RunningBinary, startBinary } from '../helpers/binary.ts';
import { figure, printGuarantee } from '../helpers/guarantee.ts';
import { enc, hook, request } from '../helpers/hostile.ts';
import { post, TOKEN, TOKEN2, tempDir } from '../helpers/relay.ts';
import { connectRaw, type RawConnection, relayToml, rssMb } from '../helpers/reliability.ts';
import { waitFor } from '../helpers/wait.ts';

let root: { dir: string; cleanup: () => void };
let relay: RunningBinary;
beforeAll(async () => {
  root = tempDir('relay-hostile-');
  const bin = await installBinary(root.dir);
  // The cloud is unreachable: whatever the relay stores stays pending and is counted.
  writeFileSync(join(root.dir, 'relay.toml'), relayToml({ cloudUrl: 'http://127.0.0.1:9' }));
  relay = await startBinary(bin, ['serve'], { cwd: root.dir });
});
afterAll(async () => {
  relay.proc.kill('SIGKILL');
  await relay.exited;
  root.cleanup();
});

const pending = async () =>
  ((await (await fetch(`${relay.url}/health`)).json()) as { spool: { pending: number } }).spool.pending;
describe('tokens', () => {
  /** Status, body and header names: everything a caller could compare, except Date. */
  async function answer(t: string) {
    const res = await post(relay.url, t, '{}');
    const headers = [...res.headers.keys()].filter((k) => k !== 'date').sort();
    return { status: res.status, body: await res.text(), headers };
  }

  it('answers a wrong token of the same length and a prefix of the real one with the same 401', async () => {
    const sameLength = TOKEN.replace(/[0-9a-f]$/, (ch) => (ch === '0' ? '1' : '0'));
    expect(sameLength).toHaveLength(TOKEN.length);
    expect(sameLength).not.toBe(TOKEN);
    const answers = await Promise.all([sameLength, TOKEN.slice(0, 8), TOKEN.slice(0, -1), 'x'].map(answer));
    expect(answers[0]!.status).toBe(401);
    for (const a of answers) expect(a).toEqual(answers[0]!);
  });
});

describe('hostile connections', () => {
  it('answers a Content-Length longer than the body with nothing stored, and keeps serving others meanwhile', async () => {
    const before = await pending();
    const liar = await connectRaw(relay.url);
    await liar.writeAll(request(hook(), '{"a":1}', 'Content-Type: application/json\r\nContent-Length: 100\r\n'));
    const other = await post(relay.url, TOKEN2, '{"event":"order_created"}');
    expect(other.status).toBe(200);
    expect(liar.response()).toBeNull(); // still waiting for the 93 bytes that will never come
    liar.sock.shutdown(true); // the liar gives up: half-close
    await Bun.sleep(100);
    const got = liar.response();
    expect(got === null || (got.status >= 400 && got.status < 500)).toBe(true);
    liar.sock.end();
    expect(await pending()).toBe(before + 1);
  });

  it('answers 413 to a chunked body over 10 MB without holding it whole (bounded memory)', async () => {
    const conn = await connectRaw(relay.url);
    const rssBefore = rssMb(relay.proc.pid);
    await conn.writeAll(enc.encode(`POST ${hook()} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`));
    const chunk = enc.encode(`10000\r\n${'a'.repeat(0x10000)}\r\n`);
    const LIMIT = 64 * 1024 * 1024;
    let sent = 0;
    let peak = rssBefore;
    while (sent < LIMIT && conn.response() === null && !conn.state.closed) {
      if (!(await conn.writeAll(chunk))) break;
      sent += 0x10000;
      if (sent % (1024 * 1024) === 0) peak = Math.max(peak, rssMb(relay.proc.pid));
    }
    await waitFor(() => conn.response() !== null || conn.state.closed, 'an answer to the oversized body', 5000);
    conn.sock.end();
    const res = conn.response();
    printGuarantee('oversized chunked body', [
      `answered ${res?.status ?? 'nothing'} after ${figure(sent / 1048576)} MB sent`,
      `the relay's memory up ${figure(peak - rssBefore)} MB (from ${figure(rssBefore)} MB)`,
    ]);
    expect(res?.status).toBe(413);
    expect(JSON.parse(res!.body)).toEqual({ detail: expect.stringMatching(/too large/) });
    // At most the 10 MB allowed were held: the relay's memory, not how much this
    // client got into the socket before the 413 reached it (on a loaded machine
    // the answer can arrive after most of the 64 MB were written).
    expect(sent).toBeLessThanOrEqual(LIMIT);
    expect(peak - rssBefore).toBeLessThan(48);
  }, 20_000);

  it('serves a real client at once while 300 connections never finish their headers', async () => {
    const slow: RawConnection[] = [];
    for (let i = 0; i < 300; i++) {
      const c = await connectRaw(relay.url);
      await c.writeAll(enc.encode(`POST ${hook()} HTTP/1.1\r\nHost: x\r\nX-Slow-${i}: `));
      slow.push(c);
    }
    // And 30 whose headers are complete but whose bodies stall halfway.
    for (let i = 0; i < 30; i++) {
      const c = await connectRaw(relay.url);
      await c.writeAll(enc.encode(`POST ${hook()} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"pad":"`));
      slow.push(c);
    }
    try {
      const t0 = performance.now();
      const res = await post(relay.url, TOKEN, '{"event":"order_created","table_number":"Mesa 8"}');
      const ms = performance.now() - t0;
      printGuarantee('stalled connections', [
        [slow.length, 'connections left unfinished'],
        `a real POST answered ${res.status} in ${figure(ms)} ms`,
        [slow.filter((c) => c.response() !== null).length, 'of them answered'],
      ]);
      expect(res.status).toBe(200);
      expect(ms).toBeLessThan(1000);
      expect((await fetch(`${relay.url}/health`)).status).toBe(200);
      expect(slow.filter((c) => c.response() !== null)).toHaveLength(0);
    } finally {
      for (const c of slow) c.sock.end();
    }
    expect(relay.proc.exitCode).toBeNull();
  }, 20_000);
});
