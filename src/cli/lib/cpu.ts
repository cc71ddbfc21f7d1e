/**
 * Which build of the relay this is, and whether this CPU could run the faster
 * one. Bun's default x64 runtime is compiled for Haswell and needs AVX2; the
 * fanless Celeron/Pentium boxes many restaurants have (J1900, J4125, N5105)
 * lack it, so `make release` also ships x64 files on Bun's baseline runtime.
 * A default build on a CPU without AVX2 dies before any of this runs, so the
 * one useful hint is the other way round: a baseline build on a CPU that has
 * AVX2 can be swapped for the faster file.
 */

/** Replaced at build time by scripts/build.ts (`define`); absent when run from source. */
declare const RELAY_BUILD_FLAVOR: string | undefined;
/**
 * "two" when this Bun's default x64 runtime needs AVX2 and a baseline one
 * exists beside it; "one" when the registry's baseline package is the default
 * binary itself (Bun 1.4.5), which runs on any x86-64 CPU; "unknown" for a
 * `make build` binary (scripts/release.ts x64Runtimes).
 */
declare const RELAY_X64_RUNTIMES: string | undefined;

export type Flavor = 'baseline' | 'default' | 'source';
export type Runtimes = 'one' | 'two' | 'unknown';
export type Avx2 = 'yes' | 'no' | 'unknown';
export interface Build {
  flavor: Flavor;
  runtimes: Runtimes;
}

export const BUILD: Build = {
  flavor:
    typeof RELAY_BUILD_FLAVOR === 'string' && (RELAY_BUILD_FLAVOR === 'baseline' || RELAY_BUILD_FLAVOR === 'default')
      ? RELAY_BUILD_FLAVOR
      : 'source',
  runtimes:
    typeof RELAY_X64_RUNTIMES === 'string' && (RELAY_X64_RUNTIMES === 'one' || RELAY_X64_RUNTIMES === 'two')
      ? RELAY_X64_RUNTIMES
      : 'unknown',
};

/**
 * AVX2 from the text of /proc/cpuinfo. The kernel lists a feature under
 * `flags` only when it can be used (it drops avx2 when the OS cannot save the
 * AVX registers), so the word alone answers. No `flags` line (an ARM board
 * says `Features`, a sandbox may hide the file's content): "unknown".
 */
export function avx2FromCpuinfo(text: string): Avx2 {
  const flags = /^flags\s*:(.*)$/m.exec(text);
  if (!flags) return 'unknown';
  return flags[1]!.split(/\s+/).includes('avx2') ? 'yes' : 'no';
}

/** PF_AVX2_INSTRUCTIONS_AVAILABLE, winnt.h. */
const PF_AVX2 = 40;

/**
 * Windows has no /proc: kernel32's IsProcessorFeaturePresent answers, through
 * bun:ffi. Any failure there (no FFI, an old Windows that does not know
 * feature 40 and says FALSE for it is indistinguishable, so only errors) is
 * "unknown" rather than a guess.
 */
async function avx2Windows(): Promise<Avx2> {
  try {
    const { dlopen, FFIType } = await import('bun:ffi');
    const k32 = dlopen('kernel32.dll', {
      IsProcessorFeaturePresent: { args: [FFIType.u32], returns: FFIType.i32 },
    });
    try {
      return k32.symbols.IsProcessorFeaturePresent(PF_AVX2) !== 0 ? 'yes' : 'no';
    } finally {
      k32.close();
    }
  } catch {
    return 'unknown';
  }
}

export async function detectAvx2(platform: string = process.platform, arch: string = process.arch): Promise<Avx2> {
  if (arch !== 'x64') return 'unknown';
  if (platform === 'win32') return avx2Windows();
  if (platform === 'linux') {
    try {
      return avx2FromCpuinfo(await Bun.file('/proc/cpuinfo').text());
    } catch {
      return 'unknown';
    }
  }
  return 'unknown';
}

/** A release file of this platform (scripts/release.ts RELEASE_TARGETS). */
function releaseFile(platform: string, flavor: 'baseline' | 'default'): string {
  const base = platform === 'win32' ? 'relay-windows-x64' : 'relay-linux-x64';
  return `${base}${flavor === 'baseline' ? '-baseline' : ''}${platform === 'win32' ? '.exe' : ''}`;
}

const CPU: Record<Avx2, string> = {
  yes: 'this CPU has AVX2',
  no: 'this CPU does not report AVX2',
  unknown: 'AVX2 unknown',
};

/**
 * One line for `relay version` and `relay doctor`: the build, the CPU, and a
 * hint only where there is something to do.
 */
export function buildLine(build: Build, avx2: Avx2, platform: string, arch: string): string {
  const target = `${platform === 'win32' ? 'windows' : platform}-${arch}`;
  if (arch !== 'x64') return `build: ${target}${build.flavor === 'source' ? ', from source' : ''}`;
  if (build.flavor === 'source') return `build: ${target}, from source; ${CPU[avx2]}`;
  const name = `build: ${target}${build.flavor === 'baseline' ? ' baseline' : ''}`;
  if (build.runtimes === 'one') return `${name} (its Bun runtime runs on any x86-64 CPU); ${CPU[avx2]}`;
  if (build.runtimes === 'unknown') return `${name}; ${CPU[avx2]}`;
  if (build.flavor === 'baseline') {
    const hint = avx2 === 'yes' ? `: ${releaseFile(platform, 'default')} is faster here` : '';
    return `${name} (any x86-64 CPU); ${CPU[avx2]}${hint}`;
  }
  // Running at all says the CPU has AVX2, unless this code ran before the first
  // AVX2 instruction did: a "no" is worth the advice.
  const hint =
    avx2 === 'no' ? `: if the relay stops at once or at random, take ${releaseFile(platform, 'baseline')}` : '';
  return `${name} (needs AVX2); ${CPU[avx2]}${hint}`;
}

/** buildLine for this process. */
export async function thisBuild(): Promise<Build & { avx2: Avx2; line: string }> {
  const avx2 = await detectAvx2();
  return { ...BUILD, avx2, line: buildLine(BUILD, avx2, process.platform, process.arch) };
}
