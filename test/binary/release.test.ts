/**
 * The binaries of `make release` (`make test` builds them first; a bare
 * `bun test` without them skips each block, saying why). Which runtime each
 * embeds is read from its machine code; the x64 files on a CPU without AVX2
 * are test/binary/release-cpu.test.ts, the Windows one run under Wine
 * test/binary/windows-wine.test.ts, the release script's own functions
 * test/unit/release-script.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { codeSection, libsqlAddonVersion, RELEASE_TARGETS, x64Runtimes } from '../../scripts/release.ts';
import { runBinary, startBinary, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN, tomlOf } from '../helpers/config.ts';
import { startMockCloud } from '../helpers/mock-cloud.ts';
import { ORDER_CREATED, post } from '../helpers/relay.ts';
import { describeUnless, itUnless } from '../helpers/skip.ts';
import { waitFor } from '../helpers/wait.ts';

const ROOT = join(import.meta.dir, '..', '..');
const DIST = join(ROOT, 'dist');
const CACHE = join(ROOT, '.release-cache');
const artifact = (file: string) => join(DIST, file);
const X64 = artifact('relay-linux-x64');
const ARM64 = artifact('relay-linux-arm64');
const WIN = artifact('relay-windows-x64.exe');
const WIN_BASELINE = artifact('relay-windows-x64-baseline.exe');
/** `relay version`'s first line; its second is the build (src/cli/lib/cpu.ts). */
const VERSION_LINE = new RegExp(`^relay ${pkg.version.replace(/\./g, '\\.')} \\(commit [0-9a-f]{12}(-dirty)?\\)$`);

/** Why a block cannot run (test/helpers/skip.ts prints it), or false when `path` is there. */
function absent(path: string, why = 'run `make release` first'): string | false {
  return existsSync(path) ? false : `${path} is absent (${why})`;
}

const QEMU = Bun.which('qemu-aarch64-static');
const ARM_SYSROOT = '/usr/aarch64-linux-gnu';
function armMissing(): string | false {
  const noBinary = absent(ARM64);
  if (noBinary) return noBinary;
  if (!QEMU) return 'no qemu-aarch64-static (apt-get install -y qemu-user-static)';
  // The binary is dynamically linked against glibc: qemu needs an aarch64 loader, libc and libgcc_s.
  for (const f of ['lib/ld-linux-aarch64.so.1', 'lib/libc.so.6', 'lib/libgcc_s.so.1']) {
    if (!existsSync(join(ARM_SYSROOT, f))) {
      return `no ${join(ARM_SYSROOT, f)} (apt-get install -y libc6-arm64-cross libgcc-s1-arm64-cross)`;
    }
  }
  return false;
}

const onCleanup = useCleanup();

describeUnless(absent(join(DIST, 'SHA256SUMS')))('dist/SHA256SUMS', () => {
  it('lists the five binaries with the hashes they have now', () => {
    const lines = readFileSync(join(DIST, 'SHA256SUMS'), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => l.split('  ')[1])).toEqual(RELEASE_TARGETS.map((t) => t.file));
    for (const line of lines) {
      const [hash, file] = line.split('  ') as [string, string];
      expect(
        createHash('sha256')
          .update(readFileSync(artifact(file)))
          .digest('hex'),
        file,
      ).toBe(hash);
    }
  });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** The npm package's runtime make release took for `t` (scripts/release.ts runtimePath), if cached. */
const runtimeOf = (t: (typeof RELEASE_TARGETS)[number]) =>
  join(CACHE, `${t.runtime.pkg.replace('/', '+')}@${Bun.version}`, t.runtime.exe);

describe('the runtime each binary embeds', () => {
  for (const t of RELEASE_TARGETS) {
    // The bundle goes into a section of its own: the runtime's machine code stays as it was.
    itUnless(absent(artifact(t.file)) || absent(runtimeOf(t), 'make release caches the runtime it embeds'))(
      `${t.file} carries the code of ${t.runtime.pkg}@${Bun.version}, byte for byte`,
      () => {
        const code = codeSection(readFileSync(artifact(t.file)));
        expect(code.length).toBeGreaterThan(50 * 1024 * 1024);
        expect(sha(code)).toBe(sha(codeSection(readFileSync(runtimeOf(t)))));
      },
    );
  }

  for (const file of ['relay-linux-x64', 'relay-windows-x64.exe']) {
    const t = RELEASE_TARGETS.find((x) => x.file === file)!;
    const base = RELEASE_TARGETS.find((x) => x.target === `${t.target}-baseline`)!;
    itUnless(absent(runtimeOf(t), 'make release caches it') || absent(runtimeOf(base), 'make release caches it'))(
      `${base.runtime.pkg} is Bun's baseline build, or the default one itself (then said so)`,
      () => {
        const runtimes = x64Runtimes(CACHE, RELEASE_TARGETS, t);
        const text = readFileSync(runtimeOf(base)).toString('latin1');
        const os = file.includes('windows') ? 'Windows' : 'Linux';
        // Bun's baseline builds name themselves so in their crash banner ("Bun v1.3.14 (0d9b296a) Linux x64 (baseline)").
        if (runtimes === 'two') expect(text).toContain(`) ${os} x64 (baseline)`);
        else {
          // Bun 1.4.5 on the registry: one binary under both names, no baseline banner, and a
          // runtime that runs on a CPU without AVX (release-cpu.test.ts).
          expect(text).not.toContain(`) ${os} x64 (baseline)`);
          console.warn(
            `release.test: ${base.runtime.pkg}@${Bun.version} is ${t.runtime.pkg}@${Bun.version}, byte for byte`,
          );
        }
      },
    );
  }
});

describeUnless(absent(X64))('relay-linux-x64', () => {
  it('prints the version, the commit it was built from and its build', () => {
    const r = runBinary(X64, ['version'], DIST);
    expect(r.code).toBe(0);
    const [first, build] = r.stdout.trim().split('\n');
    expect(first).toMatch(VERSION_LINE);
    expect(build).toStartWith('build: linux-x64 ');
  });
});

describeUnless(armMissing())('relay-linux-arm64 under qemu-user', () => {
  it('is an aarch64 ELF executable', () => {
    const head = readFileSync(ARM64).subarray(0, 20);
    expect([...head.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(head.readUInt16LE(18)).toBe(183); // e_machine EM_AARCH64
  });

  it('starts, opens its spool, answers a webhook with 200 and forwards it to the cloud', async () => {
    const cloud = await startMockCloud();
    onCleanup(() => cloud.stop());
    const dir = onCleanup.tempDir('relay-arm64-');
    const bin = join(dir, 'relay');
    copyFileSync(ARM64, bin);
    const qemu = [QEMU!, '-L', ARM_SYSROOT, bin];
    const version = Bun.spawnSync([...qemu, 'version'], { stdout: 'pipe', stderr: 'pipe' });
    const [first, build] = version.stdout.toString().trim().split('\n');
    expect(first).toMatch(VERSION_LINE);
    expect(build).toBe('build: linux-arm64');
    // A config with nothing but what it needs (tomlOf: not even the test base), the spool at its default.
    writeFileSync(
      join(dir, 'relay.toml'),
      tomlOf({ server: { port: 0 }, cloud: { url: cloud.url }, tokens: [{ token: TOKEN }] }),
    );
    const relay = await startBinary(QEMU!, ['-L', ARM_SYSROOT, bin, 'serve'], { cwd: dir });
    onCleanup(() => stopBinary(relay));
    const res = await post(relay.url, TOKEN, ORDER_CREATED, { env: 'dev' });
    expect(res.status).toBe(200);
    await waitFor(() => cloud.stored.length === 1, 'delivery from the arm64 relay', 20_000);
    expect(cloud.stored[0]!.text).toBe(ORDER_CREATED);
    expect(cloud.stored[0]!.query).toBe('?env=dev');
    const spool = readFileSync(join(dir, 'data', 'relay.db'))
      .subarray(0, 16)
      .toString('latin1');
    expect(spool).toBe('SQLite format 3\0');
    relay.proc.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    // Emulated: start-up alone (a 118 MB binary, its spool threads) takes seconds under qemu.
  }, 60_000);
});

for (const [file, path] of [
  ['relay-windows-x64.exe', WIN],
  ['relay-windows-x64-baseline.exe', WIN_BASELINE],
] as const) {
  describeUnless(absent(path))(file, () => {
    const exe = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);

    it('is a PE32+ console executable for x86-64', () => {
      expect(exe.subarray(0, 2).toString('latin1')).toBe('MZ');
      const pe = exe.readUInt32LE(0x3c); // e_lfanew
      expect(exe.subarray(pe, pe + 4).toString('latin1')).toBe('PE\0\0');
      expect(exe.readUInt16LE(pe + 4)).toBe(0x8664); // IMAGE_FILE_MACHINE_AMD64
      const optional = pe + 24;
      expect(exe.readUInt16LE(optional)).toBe(0x20b); // PE32+
      expect(exe.readUInt16LE(optional + 68)).toBe(3); // IMAGE_SUBSYSTEM_WINDOWS_CUI
    });

    it('carries the win32 libSQL addon, and not the Linux one', () => {
      // A path only the MSVC build of the addon contains (its Rust build directory).
      expect(exe.includes('x86_64-pc-windows-msvc\\release\\build\\libsql')).toBe(true);
      expect(exe.includes('x86_64-unknown-linux-gnu/release/build/libsql')).toBe(false);
    });

    it('carries relay-service.exe, the service wrapper that relay service install writes beside it', () => {
      // Its usage line, UTF-16 as the wrapper prints it; the wrapper itself runs in test/binary/windows-service.test.ts.
      expect(exe.includes(Buffer.from('relay-service.exe: run by the Service Control Manager only', 'utf16le'))).toBe(
        true,
      );
    });

    it('embeds the Windows runtime of the very Bun build that bundled it', () => {
      expect(exe.includes(`Bun v${Bun.version} (${Bun.revision.slice(0, 9)}) Windows`)).toBe(true);
    });

    const cached = join(CACHE, `@libsql+win32-x64-msvc@${libsqlAddonVersion('win32-x64-msvc')}`, 'index.node');
    itUnless(absent(cached, 'the release cache holds the addon make release embedded'))(
      'embeds that addon byte for byte',
      () => {
        expect(exe.includes(readFileSync(cached))).toBe(true);
      },
    );
  });
}
