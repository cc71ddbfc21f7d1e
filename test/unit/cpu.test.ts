/** Whether the CPU has AVX2, from /proc/cpuinfo's text, and the line `relay version` prints (src/cli/lib/cpu.ts). */
import { describe, expect, it } from 'bun:test';
import { avx2FromCpuinfo, type Build, buildLine } from '../../src/cli/lib/cpu.ts';

// Abridged from real machines: one processor block each, the flags line as the kernel prints it.
const HASWELL = `processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Core(TM) i5-4590 CPU @ 3.30GHz
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr sse sse2 ss ht syscall nx lm pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand lahf_lm abm fsgsbase bmi1 avx2 smep bmi2 erms invpcid
bugs\t\t: spectre_v1 spectre_v2
`;
const J1900 = `processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Celeron(R) CPU  J1900  @ 1.99GHz
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx rdtscp lm constant_tsc arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc aperfmperf pni pclmulqdq dtes64 monitor ds_cpl vmx est tm2 ssse3 cx16 xtpr pdcm sse4_1 sse4_2 movbe popcnt tsc_deadline_timer rdrand lahf_lm 3dnowprefetch epb pti ibrs ibpb stibp tpr_shadow vnmi flexpriority ept vpid tsc_adjust smep erms dtherm ida arat
`;
// N5105 (Tremont): AVX-VNNI-like names and SHA, but no avx2.
const N5105 =
  'model name\t: Intel(R) Celeron(R) N5105 @ 2.00GHz\nflags\t\t: sse4_2 movbe popcnt aes xsave rdrand sha_ni gfni avx_vnni_fake rdpid\n';
const ARM = 'processor\t: 0\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\n';

describe('AVX2 from /proc/cpuinfo', () => {
  it.each([
    ['a Haswell Core i5', HASWELL, 'yes'],
    ['a Celeron J1900', J1900, 'no'],
    ['a Celeron N5105 (a word that only contains "avx" is not avx2)', N5105, 'no'],
    ['an ARM board (Features, no flags)', ARM, 'unknown'],
    ['an empty file (a sandbox hiding it)', '', 'unknown'],
    ['avx2 as the last word of the line', 'flags\t: sse4_2 avx avx2\n', 'yes'],
    ['"flags" only inside another line', 'vmx flags\t: ept vpid\n', 'unknown'],
  ] as const)('%s: %s', (_what, text, want) => {
    expect(avx2FromCpuinfo(text)).toBe(want);
  });
});

describe('the build line', () => {
  const two = (flavor: Build['flavor']): Build => ({ flavor, runtimes: 'two' });
  it.each([
    [
      two('baseline'),
      'yes',
      'linux',
      'build: linux-x64 baseline (any x86-64 CPU); this CPU has AVX2: relay-linux-x64 is faster here',
    ],
    [two('baseline'), 'no', 'linux', 'build: linux-x64 baseline (any x86-64 CPU); this CPU does not report AVX2'],
    [
      two('baseline'),
      'yes',
      'win32',
      'build: windows-x64 baseline (any x86-64 CPU); this CPU has AVX2: relay-windows-x64.exe is faster here',
    ],
    [two('baseline'), 'unknown', 'win32', 'build: windows-x64 baseline (any x86-64 CPU); AVX2 unknown'],
    [two('default'), 'yes', 'linux', 'build: linux-x64 (needs AVX2); this CPU has AVX2'],
    [
      two('default'),
      'no',
      'win32',
      'build: windows-x64 (needs AVX2); this CPU does not report AVX2: if the relay stops at once or at random, take relay-windows-x64-baseline.exe',
    ],
    [
      { flavor: 'baseline', runtimes: 'one' },
      'yes',
      'linux',
      'build: linux-x64 baseline (its Bun runtime runs on any x86-64 CPU); this CPU has AVX2',
    ],
    [
      { flavor: 'default', runtimes: 'one' },
      'no',
      'win32',
      'build: windows-x64 (its Bun runtime runs on any x86-64 CPU); this CPU does not report AVX2',
    ],
    [{ flavor: 'default', runtimes: 'unknown' }, 'yes', 'linux', 'build: linux-x64; this CPU has AVX2'],
    [{ flavor: 'source', runtimes: 'unknown' }, 'unknown', 'linux', 'build: linux-x64, from source; AVX2 unknown'],
  ] as const)('%o on a CPU with AVX2 %s (%s)', (build, avx2, platform, want) => {
    expect(buildLine(build, avx2, platform, 'x64')).toBe(want);
  });

  it('says nothing of AVX2 on ARM', () => {
    expect(buildLine({ flavor: 'default', runtimes: 'unknown' }, 'unknown', 'linux', 'arm64')).toBe(
      'build: linux-arm64',
    );
  });
});
