/**
 * The binaries of `make release`. Plain `make test` does not build them, so
 * every block here skips, saying why, when its file is absent. The release
 * script's own functions are test/unit/release-script.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { libsqlAddonVersion, RELEASE_TARGETS } from '../../scripts/release.ts';
import { runBinary, startBinary, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN, tomlOf } from '../helpers/config.ts';
import { startMockCloud } from '../helpers/mock-cloud.ts';
import { ORDER_CREATED, post } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';

const ROOT = join(import.meta.dir, '..', '..');
const DIST = join(ROOT, 'dist');
const CACHE = join(ROOT, '.release-cache');
const artifact = (file: string) => join(DIST, file);
const X64 = artifact('relay-linux-x64');
const ARM64 = artifact('relay-linux-arm64');
const WIN = artifact('relay-windows-x64.exe');
const VERSION_LINE = new RegExp(`^relay ${pkg.version.replace(/\./g, '\\.')} \\(commit [0-9a-f]{12}(-dirty)?\\)$`);

/** Says once, on stderr, why a block did not run, so a skip is never silent. */
function absent(path: string, why = 'run `make release` first'): boolean {
  if (existsSync(path)) return false;
  console.warn(`release.test: skipped, ${path} is absent (${why})`);
  return true;
}

const QEMU = Bun.which('qemu-aarch64-static');
const ARM_SYSROOT = '/usr/aarch64-linux-gnu';
function armMissing(): boolean {
  if (absent(ARM64)) return true;
  if (!QEMU) {
    console.warn('release.test: arm64 run skipped: no qemu-aarch64-static (apt-get install -y qemu-user-static)');
    return true;
  }
  // The binary is dynamically linked against glibc: qemu needs an aarch64 loader, libc and libgcc_s.
  for (const f of ['lib/ld-linux-aarch64.so.1', 'lib/libc.so.6', 'lib/libgcc_s.so.1']) {
    if (!existsSync(join(ARM_SYSROOT, f))) {
      console.warn(
        `release.test: arm64 run skipped: no ${join(ARM_SYSROOT, f)} (apt-get install -y libc6-arm64-cross libgcc-s1-arm64-cross)`,
      );
      return true;
    }
  }
  return false;
}

const onCleanup = useCleanup();

describe.skipIf(absent(join(DIST, 'SHA256SUMS')))('dist/SHA256SUMS', () => {
  it('lists the three binaries with the hashes they have now', () => {
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

describe.skipIf(absent(X64))('relay-linux-x64', () => {
  it('prints the version and the commit it was built from', () => {
    const r = runBinary(X64, ['version'], DIST);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(VERSION_LINE);
  });
});

describe.skipIf(armMissing())('relay-linux-arm64 under qemu-user', () => {
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
    expect(version.stdout.toString().trim()).toMatch(VERSION_LINE);
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

describe.skipIf(absent(WIN))('relay-windows-x64.exe', () => {
  const exe = existsSync(WIN) ? readFileSync(WIN) : Buffer.alloc(0);

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

  it('embeds the Windows runtime of the very Bun build that bundled it', () => {
    expect(exe.includes(`Bun v${Bun.version} (${Bun.revision.slice(0, 9)}) Windows`)).toBe(true);
  });

  const cached = join(CACHE, `@libsql+win32-x64-msvc@${libsqlAddonVersion('win32-x64-msvc')}`, 'index.node');
  it.skipIf(absent(cached, 'the release cache holds the addon make release embedded'))(
    'embeds that addon byte for byte',
    () => {
      expect(exe.includes(readFileSync(cached))).toBe(true);
    },
  );

  // Debian 12's Wine 8.0 cannot run any Bun 1.4 Windows binary: it lacks
  // bcryptprimitives.dll (Wine 8.13+), and with a stand-in for that DLL Bun still
  // fails to unpack the embedded addon ("LoadLibrary failed", Wine cannot open the
  // \Device\HarddiskVolume1\... path Bun writes it to). Measured here; see README.
  const wine = Bun.which('wine');
  const wineVersion = wine
    ? Bun.spawnSync([wine, '--version'], { stdout: 'pipe', stderr: 'ignore' }).stdout.toString()
    : '';
  const wineMajor = Number(/wine-(\d+)/.exec(wineVersion)?.[1] ?? 0);
  const wineUsable = wineMajor >= 9;
  if (!wineUsable) {
    console.warn(
      `release.test: Wine run skipped: ${wine ? wineVersion.trim() : 'no wine'}; needs Wine 9 or later (Wine 8 lacks bcryptprimitives.dll)`,
    );
  }
  it.skipIf(!wineUsable)(
    'prints its version under Wine',
    () => {
      const dir = onCleanup.tempDir('relay-wine-');
      const p = Bun.spawnSync([wine!, WIN, 'version'], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, WINEPREFIX: join(dir, 'prefix'), WINEDEBUG: '-all' },
        stdout: 'pipe',
        stderr: 'pipe',
        timeout: 120_000,
      });
      expect(p.stdout.toString().trim(), p.stderr.toString()).toMatch(VERSION_LINE);
    },
    150_000,
  );
});
