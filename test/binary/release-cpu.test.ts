/**
 * The x64 release files on a CPU without AVX2, the Celeron/Pentium kind many
 * fanless POS boxes have (J1900, J4125, N5105: no AVX at all). Emulated by
 * qemu-x86_64 with `-cpu Nehalem` (SSE4.2, no AVX): Debian 12's QEMU 7.2 does
 * fault on an AVX or AVX2 instruction its CPU model lacks, which the probe
 * below checks before anything is concluded from a run. Bun 1.3's default
 * runtime dies there at once (SIGILL at its first `vzeroupper`), its baseline
 * one runs; what the relay's files do follows from which runtime they carry
 * (scripts/release.ts x64Runtimes, the same answer `relay version` gives).
 */
import { expect, it } from 'bun:test';
import { chmodSync, copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RELEASE_TARGETS, x64Runtimes } from '../../scripts/release.ts';
import { startBinary, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN, tomlOf } from '../helpers/config.ts';
import { startMockCloud } from '../helpers/mock-cloud.ts';
import { ORDER_CREATED, post } from '../helpers/relay.ts';
import { describeUnless } from '../helpers/skip.ts';
import { waitFor } from '../helpers/wait.ts';

const ROOT = join(import.meta.dir, '..', '..');
const DIST = join(ROOT, 'dist');
const CACHE = join(ROOT, '.release-cache');
const QEMU = Bun.which('qemu-x86_64-static') ?? Bun.which('qemu-x86_64');
const NO_AVX = 'Nehalem';
const onCleanup = useCleanup();

/**
 * A 132-byte static x86-64 ELF: `vpaddd ymm0, ymm0, ymm0` (AVX2), then
 * exit(0). Under an emulated CPU without AVX2 it must die of SIGILL, or the
 * emulator would not show a runtime's AVX2 either.
 */
function avx2Probe(): Buffer {
  const code = Buffer.from([0xc5, 0xfd, 0xfe, 0xc0, 0xb8, 0x3c, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05]);
  const elf = Buffer.alloc(120 + code.length);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(elf, 0); // ELF64, little-endian, version 1
  elf.writeUInt16LE(2, 16); // ET_EXEC
  elf.writeUInt16LE(0x3e, 18); // EM_X86_64
  elf.writeUInt32LE(1, 20);
  elf.writeBigUInt64LE(0x400078n, 24); // entry: the code right after the headers
  elf.writeBigUInt64LE(64n, 32); // program headers at 64
  elf.writeUInt16LE(64, 52);
  elf.writeUInt16LE(56, 54);
  elf.writeUInt16LE(1, 56);
  elf.writeUInt32LE(1, 64); // PT_LOAD the whole file, read + execute
  elf.writeUInt32LE(5, 68);
  elf.writeBigUInt64LE(0x400000n, 80);
  elf.writeBigUInt64LE(0x400000n, 88);
  elf.writeBigUInt64LE(BigInt(elf.length), 96);
  elf.writeBigUInt64LE(BigInt(elf.length), 104);
  elf.writeBigUInt64LE(0x1000n, 112);
  code.copy(elf, 120);
  return elf;
}

const missing = !QEMU
  ? 'no qemu-x86_64-static (apt-get install -y qemu-user-static)'
  : ['relay-linux-x64', 'relay-linux-x64-baseline'].find((f) => !existsSync(join(DIST, f)));
const why = missing && (missing.startsWith('no ') ? missing : `dist/${missing} is absent (run \`make release\` first)`);

describeUnless(why)(`the x64 release files on a CPU without AVX2 (qemu -cpu ${NO_AVX})`, () => {
  it('the emulated CPU faults on AVX2, as a real one without it would', () => {
    const dir = onCleanup.tempDir('relay-avx2-probe-');
    const probe = join(dir, 'probe');
    writeFileSync(probe, avx2Probe());
    chmodSync(probe, 0o755);
    const run = (cpu: string) => Bun.spawnSync([QEMU!, '-cpu', cpu, probe], { stdout: 'ignore', stderr: 'ignore' });
    expect(run('Haswell').exitCode).toBe(0);
    expect(run(NO_AVX).signalCode).toBe('SIGILL');
  });

  const x64 = RELEASE_TARGETS.find((t) => t.file === 'relay-linux-x64')!;
  const runtimes = existsSync(CACHE) ? x64Runtimes(CACHE, RELEASE_TARGETS, x64) : undefined;
  for (const file of ['relay-linux-x64-baseline', 'relay-linux-x64']) {
    // The default file with a runtime of its own needs AVX2: it must not get this far.
    const mustRun = file.endsWith('-baseline') || runtimes === 'one';
    it(mustRun
      ? `${file} starts, says its runtime runs on any x86-64 CPU, answers a webhook and forwards it`
      : `${file} (Bun's AVX2 runtime) dies of SIGILL at once, as its build line warns`, async () => {
      const dir = onCleanup.tempDir('relay-noavx-');
      const bin = join(dir, 'relay');
      copyFileSync(join(DIST, file), bin);
      const version = Bun.spawnSync([QEMU!, '-cpu', NO_AVX, bin, 'version'], { stdout: 'pipe', stderr: 'pipe' });
      if (!mustRun) {
        expect(version.signalCode).toBe('SIGILL');
        return;
      }
      expect(version.exitCode, version.stderr.toString()).toBe(0);
      const build = version.stdout.toString().trim().split('\n')[1];
      if (runtimes === 'one') expect(build).toContain('(its Bun runtime runs on any x86-64 CPU)');
      else expect(build).toContain('baseline (any x86-64 CPU)');

      const cloud = await startMockCloud();
      onCleanup(() => cloud.stop());
      writeFileSync(
        join(dir, 'relay.toml'),
        tomlOf({ server: { port: 0 }, cloud: { url: cloud.url }, tokens: [{ token: TOKEN }] }),
      );
      const relay = await startBinary(QEMU!, ['-cpu', NO_AVX, bin, 'serve'], { cwd: dir });
      onCleanup(() => stopBinary(relay));
      expect((await post(relay.url, TOKEN, ORDER_CREATED)).status).toBe(200);
      await waitFor(() => cloud.stored.length === 1, `delivery from ${file} on ${NO_AVX}`, 20_000);
      expect(cloud.stored[0]!.text).toBe(ORDER_CREATED);
      // The spool's thread (integrity read, checkpoints) runs its code too.
      await waitFor(
        () => relay.lines.some((l) => l.includes('spool read in full')),
        'the background integrity read',
        20_000,
      );
      relay.proc.kill('SIGTERM');
      expect(await relay.exited).toBe(0);
    }, 60_000);
  }
});
