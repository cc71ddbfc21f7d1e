/**
 * One relay per spool, with the compiled binary: a second `relay serve` on
 * the same spool exits 1 naming the first; the lock dies with a kill -9; of
 * six started at the same moment exactly one serves. In this process:
 * test/integration/spool-lock.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configToml } from '../helpers/admin.ts';
import { installBinary, runBinary, startBinary, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { printGuarantee } from '../helpers/guarantee.ts';

const onCleanup = useCleanup();

describe('one relay per spool', () => {
  it('in the binary: a second `relay serve` exits 1 naming the first; after a kill -9 of the first it starts', async () => {
    const dir = onCleanup.tempDir('relay-lock-bin-');
    const bin = await installBinary(dir);
    // Two config files, both on port 0 (two free ports): only the spool is shared.
    writeFileSync(join(dir, 'a.toml'), configToml(dir, { logLevel: 'info' }));
    writeFileSync(join(dir, 'b.toml'), configToml(dir, { logLevel: 'info' }));
    const a = await startBinary(bin, ['serve', '--config', 'a.toml'], { cwd: dir });
    onCleanup(() => stopBinary(a));

    const b = runBinary(bin, ['serve', '--config', 'b.toml'], dir);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain(`is in use by another relay (pid ${a.proc.pid} on `);

    // kill -9 leaves no stale lock: the operating system dropped it with the process.
    a.proc.kill('SIGKILL');
    await a.exited;
    const b2 = await startBinary(bin, ['serve', '--config', 'b.toml'], { cwd: dir });
    onCleanup(() => stopBinary(b2, 'SIGTERM'));
    expect((await fetch(`${b2.url}/health`)).status).toBe(200);
  });

  it('lets exactly one of six binaries started at the same moment serve; the others exit 1 naming the spool', async () => {
    const dir = onCleanup.tempDir('relay-lock-race-');
    const bin = await installBinary(dir);
    writeFileSync(join(dir, 'relay.toml'), configToml(dir, { logLevel: 'info' }));
    const ROUNDS = 8;
    const STARTS = 6;
    const servedPerRound: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const starts = await Promise.allSettled(
        Array.from({ length: STARTS }, () => startBinary(bin, ['serve', '--config', 'relay.toml'], { cwd: dir })),
      );
      const serving = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const refused = starts.flatMap((s) => (s.status === 'rejected' ? [(s.reason as Error).message] : []));
      for (const r of serving) r.proc.kill('SIGKILL');
      await Promise.all(serving.map((r) => r.exited));
      servedPerRound.push(serving.length);
      if (serving.length !== 1) break;
      for (const m of refused) {
        expect(m).toContain('relay exited with 1');
        expect(m).toContain(`${join(dir, 'spool.db')} is in use by another relay`);
      }
    }
    printGuarantee('one relay per spool', [
      `${ROUNDS} rounds of ${STARTS} started at once`,
      `serving per round: ${servedPerRound.join(' ')}`,
    ]);
    expect(servedPerRound).toEqual(Array.from({ length: ROUNDS }, () => 1));
  }, 30_000); // 48 starts of the binary: ~4 s alone, more on a busy machine
});
