/**
 * `make release`: from one Linux x64 machine, the relay for the machines
 * restaurants have beside their POS:
 *
 *   dist/relay-linux-x64                (host addon from node_modules)
 *   dist/relay-linux-x64-baseline       (the same on Bun's baseline runtime package)
 *   dist/relay-linux-arm64              (ARM boards: Raspberry Pi OS 64-bit and the like, glibc)
 *   dist/relay-windows-x64.exe          (the usual POS PC)
 *   dist/relay-windows-x64-baseline.exe (a POS PC without AVX2: Celeron J1900, J4125, N5105, ...)
 *   dist/SHA256SUMS                     (`sha256sum -c SHA256SUMS` format)
 *
 * Bun 1.3's default x64 runtime was built for Haswell and stops at once on a
 * CPU without AVX2, which many fanless POS boxes are; its "baseline" runtime
 * runs on any x86-64 CPU, hence two x64 files each. Bun 1.4.5's registry
 * packages hold one runtime under both names (x64Runtimes), which runs on
 * either CPU; `relay version` says which case a file is (README, "Install").
 *
 * Cross-compiling needs two things the host does not have:
 *  - the target's Bun runtime, which `bun build --compile` would download from
 *    GitHub (not reachable here): taken instead from the npm registry's
 *    @oven/bun-<platform> package of the host's exact Bun version and passed as
 *    `compile.executablePath`. Every target takes it so, the host's own too:
 *    the host's Bun may itself be a baseline build (npm installs that one on a
 *    CPU without AVX2), and each file must embed the runtime its name says
 *    (checked after the build: embeddedRuntimeMatches);
 *  - the target's libSQL addon (@libsql/<platform>, the version libsql pins in
 *    its optionalDependencies), which `bun install` skips on a foreign platform.
 * Both are fetched with `npm pack` into .release-cache/ (gitignored) and
 * unpacked there, so the host's node_modules is never touched. npm verifies
 * each tarball against the registry's integrity hash.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ADDONS, buildRelay, gitCommit } from './build.ts';

const ROOT = resolve(import.meta.dir, '..');

export interface ReleaseTarget {
  /** Bun compile target. */
  target: string;
  /** File name under dist/. */
  file: string;
  /** npm package holding this platform's Bun runtime, and the executable inside it. */
  runtime: { pkg: string; exe: string };
  /** Bun's name for the platform (`${process.platform}-${process.arch}`): on the host's own, the addon comes from node_modules. */
  host: string;
}

export const RELEASE_TARGETS: ReleaseTarget[] = [
  {
    target: 'bun-linux-x64',
    file: 'relay-linux-x64',
    runtime: { pkg: '@oven/bun-linux-x64', exe: 'bin/bun' },
    host: 'linux-x64',
  },
  {
    target: 'bun-linux-x64-baseline',
    file: 'relay-linux-x64-baseline',
    runtime: { pkg: '@oven/bun-linux-x64-baseline', exe: 'bin/bun' },
    host: 'linux-x64',
  },
  {
    target: 'bun-linux-arm64',
    file: 'relay-linux-arm64',
    runtime: { pkg: '@oven/bun-linux-aarch64', exe: 'bin/bun' },
    host: 'linux-arm64',
  },
  {
    target: 'bun-windows-x64',
    file: 'relay-windows-x64.exe',
    runtime: { pkg: '@oven/bun-windows-x64', exe: 'bin/bun.exe' },
    host: 'win32-x64',
  },
  {
    target: 'bun-windows-x64-baseline',
    file: 'relay-windows-x64-baseline.exe',
    runtime: { pkg: '@oven/bun-windows-x64-baseline', exe: 'bin/bun.exe' },
    host: 'win32-x64',
  },
];

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** The addon version libsql itself asks for, so the foreign addons match the host's JavaScript half. */
export function libsqlAddonVersion(addon: string): string {
  const path = join(ROOT, 'node_modules', 'libsql', 'package.json');
  const optional = readJson(path).optionalDependencies as Record<string, string> | undefined;
  const version = optional?.[`@libsql/${addon}`];
  if (!version)
    throw new Error(`${path}: expected optionalDependencies["@libsql/${addon}"], found none (run \`make deps\`)`);
  return version;
}

function run(cmd: string[], cwd: string): string {
  const p = Bun.spawnSync(cmd, { cwd, stdout: 'pipe', stderr: 'pipe' });
  if (p.exitCode !== 0) {
    throw new Error(`${cmd.join(' ')} (in ${cwd}) exited with ${p.exitCode}:\n${p.stderr.toString().trim()}`);
  }
  return p.stdout.toString();
}

/**
 * Unpacks `name@version` from the npm registry into `cache`, once; returns its
 * directory (the tarball's `package/`). A half-finished fetch never looks finished:
 * it happens in a temporary directory renamed into place at the end.
 */
export function fetchPackage(cache: string, name: string, version: string): string {
  const dir = join(cache, `${name.replace('/', '+')}@${version}`);
  const manifest = join(dir, 'package.json');
  if (existsSync(manifest)) {
    const m = readJson(manifest);
    if (m.name === name && m.version === version) return dir;
  }
  mkdirSync(cache, { recursive: true });
  const tmp = mkdtempSync(join(cache, '.fetch-'));
  try {
    console.log(`fetching ${name}@${version} from the npm registry`);
    const out = run(['npm', 'pack', `${name}@${version}`, '--json', '--pack-destination', tmp], tmp);
    const packed = JSON.parse(out) as { filename: string; integrity: string }[];
    const tarball = packed[0]?.filename;
    if (!tarball)
      throw new Error(`npm pack ${name}@${version}: expected a JSON list naming the tarball, got ${out.slice(0, 200)}`);
    run(['tar', '-xzf', join(tmp, basename(tarball)), '-C', tmp], tmp);
    const got = readJson(join(tmp, 'package', 'package.json'));
    if (got.name !== name || got.version !== version) {
      throw new Error(`npm pack ${name}@${version}: the tarball holds ${String(got.name)}@${String(got.version)}`);
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(tmp, 'package'), dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** The target's Bun runtime from the npm registry, at the host's own Bun version. */
export function runtimePath(cache: string, t: ReleaseTarget): string {
  return join(fetchPackage(cache, t.runtime.pkg, Bun.version), t.runtime.exe);
}

/**
 * Where an executable's machine code is: the `.text` section of an ELF64 or
 * PE32+ file. `bun build --compile` copies the runtime and adds the bundle in
 * a section of its own (`.bun`), rewriting headers but leaving `.text` as it
 * was, so `.text` tells which runtime a relay binary carries.
 */
export function codeSection(exe: Buffer): Buffer {
  if (exe.readUInt32BE(0) === 0x7f454c46) {
    const shoff = Number(exe.readBigUInt64LE(0x28));
    const size = exe.readUInt16LE(0x3a);
    const count = exe.readUInt16LE(0x3c);
    const sh = (i: number) => shoff + i * size;
    const strtab = Number(exe.readBigUInt64LE(sh(exe.readUInt16LE(0x3e)) + 0x18));
    for (let i = 0; i < count; i++) {
      const nameAt = strtab + exe.readUInt32LE(sh(i));
      if (exe.subarray(nameAt, nameAt + 6).toString('latin1') !== '.text\0') continue;
      const off = Number(exe.readBigUInt64LE(sh(i) + 0x18));
      return exe.subarray(off, off + Number(exe.readBigUInt64LE(sh(i) + 0x20)));
    }
  } else if (exe.subarray(0, 2).toString('latin1') === 'MZ') {
    const pe = exe.readUInt32LE(0x3c);
    const count = exe.readUInt16LE(pe + 6);
    const table = pe + 24 + exe.readUInt16LE(pe + 20);
    for (let i = 0; i < count; i++) {
      const at = table + i * 40;
      if (exe.subarray(at, at + 8).toString('latin1') !== '.text\0\0\0') continue;
      const off = exe.readUInt32LE(at + 20);
      return exe.subarray(off, off + Math.min(exe.readUInt32LE(at + 8), exe.readUInt32LE(at + 16)));
    }
  }
  throw new Error('not an ELF64 or PE32+ executable with a .text section');
}

export function embeddedRuntimeMatches(out: Buffer, runtime: Buffer): boolean {
  return codeSection(out).equals(codeSection(runtime));
}

/**
 * Whether this Bun's x64 runtime for `target`'s platform comes in two builds:
 * the default one needing AVX2 and a baseline one. "one" when the registry's
 * -baseline package holds the very binary of the default one (Bun 1.4.5's
 * does, for Linux and Windows alike: the same bytes, and a runtime that runs
 * under qemu's Nehalem, a CPU without AVX): then both files run on any x86-64
 * CPU and neither is faster. `relay version` says which (src/cli/lib/cpu.ts).
 */
export function x64Runtimes(cache: string, targets: ReleaseTarget[], t: ReleaseTarget): 'one' | 'two' | undefined {
  const base = t.target.replace(/-baseline$/, '');
  const pair = [base, `${base}-baseline`].map((name) => targets.find((x) => x.target === name));
  if (!pair[0] || !pair[1]) return undefined;
  const [a, b] = pair.map((x) => readFileSync(runtimePath(cache, x!)));
  return a!.equals(b!) ? 'one' : 'two';
}

/** `git rev-parse` plus "-dirty" when tracked files differ from the commit: a binary must not claim a commit it was not built from. */
async function releaseCommit(): Promise<string> {
  const commit = await gitCommit();
  if (commit === 'unknown') return commit;
  const p = Bun.spawnSync(['git', 'status', '--porcelain', '--untracked-files=no'], {
    cwd: ROOT,
    stdout: 'pipe',
    stderr: 'ignore',
  });
  return p.exitCode === 0 && p.stdout.toString().trim() !== '' ? `${commit}-dirty` : commit;
}

export function sha256sums(dir: string, files: string[]): string {
  return files
    .map(
      (f) =>
        `${createHash('sha256')
          .update(readFileSync(join(dir, f)))
          .digest('hex')}  ${f}\n`,
    )
    .join('');
}

export async function release(opts: { out: string; cache: string; targets: ReleaseTarget[] }): Promise<void> {
  const host = `${process.platform}-${process.arch}`;
  const commit = await releaseCommit();
  mkdirSync(opts.out, { recursive: true });
  // Checksums of a previous release must not vouch for a half-built one.
  rmSync(join(opts.out, 'SHA256SUMS'), { force: true });
  for (const t of opts.targets) {
    const started = performance.now();
    const addonName = ADDONS[t.target];
    if (!addonName) throw new Error(`no libSQL addon known for ${t.target} (scripts/build.ts ADDONS)`);
    // The runtime: the same Bun version as the host, or the bundle and runtime would disagree.
    const executablePath = runtimePath(opts.cache, t);
    let addon: string = addonName;
    if (t.host !== host) {
      // Foreign platform: its addon comes from the cache too.
      addon = join(fetchPackage(opts.cache, `@libsql/${addonName}`, libsqlAddonVersion(addonName)), 'index.node');
    }
    const outfile = join(opts.out, t.file);
    const runtimes = x64Runtimes(opts.cache, opts.targets, t);
    if (runtimes === 'one' && t.target.endsWith('-baseline')) {
      console.log(
        `note: ${t.runtime.pkg}@${Bun.version} is the same binary as the default runtime: both x64 files run on any x86-64 CPU`,
      );
    }
    await buildRelay({ target: t.target, outfile, executablePath, addon, commit, x64Runtimes: runtimes });
    if (!embeddedRuntimeMatches(readFileSync(outfile), readFileSync(executablePath))) {
      throw new Error(`${outfile} does not carry the code of ${executablePath}: Bun embedded another runtime`);
    }
    const mb = (statSync(outfile).size / 1048576).toFixed(1);
    console.log(
      `built ${outfile} (${t.target}, ${mb} MB, commit ${commit}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  const sums = sha256sums(
    opts.out,
    opts.targets.map((t) => t.file),
  );
  writeFileSync(join(opts.out, 'SHA256SUMS'), sums);
  process.stdout.write(`${join(opts.out, 'SHA256SUMS')}:\n${sums}`);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      out: { type: 'string', default: join(ROOT, 'dist') },
      cache: { type: 'string', default: join(ROOT, '.release-cache') },
    },
  });
  const out = resolve(values.out!);
  const cache = resolve(values.cache!);
  process.chdir(ROOT); // buildRelay's entrypoint is relative to the repository.
  try {
    await release({ out, cache, targets: RELEASE_TARGETS });
  } catch (e) {
    console.error(`release failed: ${(e as Error).message}`);
    process.exit(1);
  }
}
