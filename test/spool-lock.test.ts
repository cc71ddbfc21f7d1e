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
    // The first one goes on taking events.
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
});
