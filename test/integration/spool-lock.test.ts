import { afterEach, describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpoolOpenError } from '../src/spool/index.ts';
import { configToml } from './helpers/admin.ts';
import { installBinary, runBinary, startBinary } from './helpers/binary.ts';
import { ORDER_CREATED, post, startTestRelay, TOKEN, tempDir } from './helpers/relay.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('one relay per spool', () => {
  it('refuses a second relay on the same spool, naming the first; takes it once the first has stopped', async () => {
    const tmp = tempDir('relay-lock-');
    cleanups.push(tmp.cleanup);
    const first = await startTestRelay({}, { dir: tmp.dir });
    let stopped = false;
    cleanups.push(() => (stopped ? undefined : first.relay.stop()));

    const second = startTestRelay({}, { dir: tmp.dir });
    const err = await second.then(
      () => null,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(SpoolOpenError);
    expect(err!.message).toContain(`${join(tmp.dir, 'spool.db')} is in use by another relay (pid ${process.pid} on `);
    expect(err!.message).toContain('spool.path');
    // The refusal left the first one's lock and its work alone.
    await expect(startTestRelay({}, { dir: tmp.dir })).rejects.toBeInstanceOf(SpoolOpenError);
    expect((await post(first.url, TOKEN, ORDER_CREATED)).status).toBe(200);

    await first.relay.stop();
    stopped = true;
    const again = await startTestRelay({}, { dir: tmp.dir });
    cleanups.push(() => again.relay.stop());
    expect((await post(again.url, TOKEN, ORDER_CREATED)).status).toBe(200);
    expect(again.relay.spool.stats().pending).toBe(2);
  });

  it('in the binary: a second `relay serve` exits 1 naming the first; after a kill -9 of the first it starts', async () => {
    const tmp = tempDir('relay-lock-bin-');
    cleanups.push(tmp.cleanup);
    const bin = await installBinary(tmp.dir);
    // Two config files, both on port 0 (two free ports): only the spool is shared.
    writeFileSync(join(tmp.dir, 'a.toml'), configToml(tmp.dir, { logLevel: 'info' }));
    writeFileSync(join(tmp.dir, 'b.toml'), configToml(tmp.dir, { logLevel: 'info' }));
    const a = await startBinary(bin, ['serve', '--config', 'a.toml'], { cwd: tmp.dir });
    let aDead = false;
    cleanups.push(async () => {
      if (aDead) return;
      a.proc.kill('SIGKILL');
      await a.exited;
    });

    const b = runBinary(bin, ['serve', '--config', 'b.toml'], tmp.dir);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain(`is in use by another relay (pid ${a.proc.pid} on `);

    // kill -9 leaves no stale lock: the operating system dropped it with the process.
    a.proc.kill('SIGKILL');
    await a.exited;
    aDead = true;
    const b2 = await startBinary(bin, ['serve', '--config', 'b.toml'], { cwd: tmp.dir });
    cleanups.push(async () => {
      b2.proc.kill('SIGTERM');
      await b2.exited;
    });
    expect((await fetch(`${b2.url}/health`)).status).toBe(200);
  });

  it('lets exactly one of six binaries started at the same moment serve; the others exit 1 naming the spool', async () => {
    const tmp = tempDir('relay-lock-race-');
    cleanups.push(tmp.cleanup);
    const bin = await installBinary(tmp.dir);
    writeFileSync(join(tmp.dir, 'relay.toml'), configToml(tmp.dir, { logLevel: 'info' }));
    for (let round = 0; round < 8; round++) {
      const starts = await Promise.allSettled(
        Array.from({ length: 6 }, () => startBinary(bin, ['serve', '--config', 'relay.toml'], { cwd: tmp.dir })),
      );
      const serving = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const refused = starts.flatMap((s) => (s.status === 'rejected' ? [(s.reason as Error).message] : []));
      for (const r of serving) r.proc.kill('SIGKILL');
      await Promise.all(serving.map((r) => r.exited));
      expect(serving.length).toBe(1);
      for (const m of refused) {
        expect(m).toContain('relay exited with 1');
        expect(m).toContain(`${join(tmp.dir, 'spool.db')} is in use by another relay`);
      }
    }
  });

  it('starts while a refused relay is still reading who holds the lock (its commit waits for the reader)', async () => {
    const tmp = tempDir('relay-lock-reader-');
    cleanups.push(tmp.cleanup);
    await (await startTestRelay({}, { dir: tmp.dir })).relay.stop(); // creates the lock file
    // Another process in the middle of reading the holder row, as a refused relay does.
    const reader = Bun.spawn(
      [
        process.execPath,
        '-e',
        `const D = require('libsql'); const db = new D(${JSON.stringify(`${join(tmp.dir, 'spool.db')}.lock`)});
         db.exec('BEGIN'); db.prepare('SELECT * FROM holder').all(); console.log('reading');
         Bun.sleepSync(120); db.exec('COMMIT'); db.close();`,
      ],
      { cwd: join(import.meta.dir, '..'), stdout: 'pipe', stderr: 'inherit' },
    );
    cleanups.push(() => reader.kill());
    const out = reader.stdout.getReader();
    expect(new TextDecoder().decode((await out.read()).value)).toContain('reading');
    const relay = await startTestRelay({}, { dir: tmp.dir });
    cleanups.push(() => relay.relay.stop());
    expect((await post(relay.url, TOKEN, ORDER_CREATED)).status).toBe(200);
    expect(await reader.exited).toBe(0);
  });
});
