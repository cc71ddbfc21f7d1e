/**
 * One relay per spool, in this process: a second relay on the same spool is
 * refused naming the first, and takes it once the first has stopped, even
 * while a refused one is still reading who holds the lock. The same with
 * the compiled binary (kill -9, six at once): test/binary/spool-lock.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { SpoolOpenError } from '../../src/spool/index.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { ORDER_CREATED, post, startTestRelay, TOKEN } from '../helpers/relay.ts';

const onCleanup = useCleanup();

describe('one relay per spool', () => {
  it('refuses a second relay on the same spool, naming the first; takes it once the first has stopped', async () => {
    const dir = onCleanup.tempDir('relay-lock-');
    const first = await startTestRelay({}, { dir });
    let stopped = false;
    onCleanup(() => (stopped ? undefined : first.relay.stop()));

    const second = startTestRelay({}, { dir });
    const err = await second.then(
      () => null,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(SpoolOpenError);
    expect(err!.message).toContain(`${join(dir, 'spool.db')} is in use by another relay (pid ${process.pid} on `);
    expect(err!.message).toContain('spool.path');
    // The refusal left the first one's lock and its work alone.
    await expect(startTestRelay({}, { dir })).rejects.toBeInstanceOf(SpoolOpenError);
    expect((await post(first.url, TOKEN, ORDER_CREATED)).status).toBe(200);

    await first.relay.stop();
    stopped = true;
    const again = await startTestRelay({}, { dir });
    onCleanup(() => again.relay.stop());
    expect((await post(again.url, TOKEN, ORDER_CREATED)).status).toBe(200);
    expect(again.relay.spool.stats().pending).toBe(2);
  });

  it('starts while a refused relay is still reading who holds the lock (its commit waits for the reader)', async () => {
    const dir = onCleanup.tempDir('relay-lock-reader-');
    await (await startTestRelay({}, { dir })).relay.stop(); // creates the lock file
    // Another process (bun with libsql, not the relay) in the middle of reading
    // the holder row, as a refused relay does; run from the repository root to find libsql.
    const reader = Bun.spawn(
      [
        process.execPath,
        '-e',
        `const D = require('libsql'); const db = new D(${JSON.stringify(`${join(dir, 'spool.db')}.lock`)});
         db.exec('BEGIN'); db.prepare('SELECT * FROM holder').all(); console.log('reading');
         Bun.sleepSync(120); db.exec('COMMIT'); db.close();`,
      ],
      { cwd: join(import.meta.dir, '..', '..'), stdout: 'pipe', stderr: 'inherit' },
    );
    onCleanup(() => reader.kill());
    const out = reader.stdout.getReader();
    expect(new TextDecoder().decode((await out.read()).value)).toContain('reading');
    const relay = await startTestRelay({}, { dir });
    onCleanup(() => relay.relay.stop());
    expect((await post(relay.url, TOKEN, ORDER_CREATED)).status).toBe(200);
    expect(await reader.exited).toBe(0);
  });
});
