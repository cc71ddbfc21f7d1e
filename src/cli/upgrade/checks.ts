import type { ReportedHealth } from '../../health/index.ts';

/**
 * What `relay upgrade` decides before it touches the installed binary, pure
 * and table-tested (test/unit/upgrade-checks.test.ts): the checksum a file
 * must have, the platform its header says it is for, and whether the build
 * it says it is reads this spool.
 */

/** `sha256sum` output as scripts/release.ts writes SHA256SUMS: "<64 hex>  <name>" (a "*" before the name: binary mode). */
export function parseSums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trim());
    if (m) sums.set(m[2]!, m[1]!.toLowerCase());
  }
  return sums;
}

export const isSha256 = (hex: string): boolean => /^[0-9a-fA-F]{64}$/.test(hex);

/** A platform as Node names it: `${process.platform}-${process.arch}`. */
export type PlatformName = string;

const ELF_MACHINES: Record<number, string> = { 62: 'x64', 183: 'arm64', 3: 'ia32', 40: 'arm', 243: 'riscv64' };
const PE_MACHINES: Record<number, string> = { 34404: 'x64', 43620: 'arm64', 332: 'ia32' };

/**
 * The platform an executable is for, from its first bytes (at least 512):
 * ELF (Linux: e_machine at 18) or PE (Windows: "MZ", the PE header at the
 * offset in 0x3c, its machine after "PE\0\0"). A description of what it is
 * otherwise ("a script", "not an executable").
 */
export function platformOf(head: Uint8Array): { platform: PlatformName } | { not: string } {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length >= 20 && b[0] === 0x7f && b.toString('latin1', 1, 4) === 'ELF') {
    const little = b[5] === 1;
    const machine = little ? b.readUInt16LE(18) : b.readUInt16BE(18);
    const arch = ELF_MACHINES[machine];
    return arch
      ? { platform: `linux-${arch}` }
      : { not: `a Linux executable for machine type 0x${machine.toString(16)}` };
  }
  if (b.length >= 0x40 && b.toString('latin1', 0, 2) === 'MZ') {
    const pe = b.readUInt32LE(0x3c);
    if (pe + 6 <= b.length && b.toString('latin1', pe, pe + 4) === 'PE\0\0') {
      const machine = b.readUInt16LE(pe + 4);
      const arch = PE_MACHINES[machine];
      return arch
        ? { platform: `win32-${arch}` }
        : { not: `a Windows executable for machine type 0x${machine.toString(16)}` };
    }
    return { not: 'a DOS/Windows file without a PE header' };
  }
  if (b.toString('latin1', 0, 2) === '#!')
    return { not: `a script (${b.toString('latin1', 0, b.indexOf(10) > 0 ? b.indexOf(10) : 40).trim()})` };
  if (b.toString('latin1', 0, 2) === 'PK') return { not: 'a zip archive (unpack it first)' };
  if (b[0] === 0x1f && b[1] === 0x8b) return { not: 'a gzip archive (unpack it first)' };
  if (/^\s*</.test(b.toString('latin1', 0, 64))) return { not: 'an HTML or XML page (a download that went wrong?)' };
  return { not: 'not an executable' };
}

/** How a platform reads in a sentence: "Linux x64", "Windows x64". */
export function platformWords(p: PlatformName): string {
  const [os, arch] = p.split('-');
  return `${os === 'win32' ? 'Windows' : os === 'linux' ? 'Linux' : os} ${arch}`;
}

/** What `NEW version --json` says, as far as an upgrade needs it. */
export interface BuildInfo {
  version: string;
  commit: string;
  reads: { from: number; to: number };
}

/**
 * `relay version --json` read back; a reason when it is not a relay's
 * answer or predates the spool formats in it (such a build cannot say
 * whether it reads this spool, so it is not installed by upgrade).
 */
export function readBuildInfo(stdout: string): BuildInfo | { not: string } {
  let v: unknown;
  try {
    v = JSON.parse(stdout);
  } catch {
    return { not: `its "version --json" printed no JSON (${JSON.stringify(stdout.trim().slice(0, 80))})` };
  }
  const o = v as { version?: unknown; commit?: unknown; spool_format?: { reads?: { from?: unknown; to?: unknown } } };
  if (typeof o?.version !== 'string' || typeof o.commit !== 'string') {
    return { not: 'its "version --json" is not a relay\'s (no version and commit)' };
  }
  const reads = o.spool_format?.reads;
  if (typeof reads?.from !== 'number' || typeof reads.to !== 'number') {
    return {
      not: `relay ${o.version} (commit ${o.commit}) does not say which spool formats it reads (too old for relay upgrade)`,
    };
  }
  return { version: o.version, commit: o.commit, reads: { from: reads.from, to: reads.to } };
}

/** Null when `build` reads a spool of format `format` (null: no spool yet); else why not. */
export function spoolProblem(build: BuildInfo, format: number | null): string | null {
  if (format === null) return null;
  if (format > build.reads.to) {
    return `this spool has format ${format} and relay ${build.version} reads formats up to ${build.reads.to}: it would refuse to start`;
  }
  if (format < build.reads.from) {
    return `this spool has format ${format} and relay ${build.version} reads formats from ${build.reads.from}`;
  }
  return null;
}

/** Reasons on /health that say the relay is not running properly (health/reasons.ts ids). */
const NOT_UP = ['spool_failing', 'lane_stalled'];

/**
 * Null when a /health answer shows the restarted relay up: the version
 * wanted (null: any), its spool open and writable, its lanes moving: with
 * events waiting and the cloud not known to be down, one delivered since the
 * restart (`restartedAt`, wall time). Else why not, for the report.
 */
export function healthVerdict(h: ReportedHealth, version: string | null, restartedAt: number): string | null {
  if (version !== null && h.version !== version)
    return `/health answers from relay ${h.version ?? '?'}, not ${version}`;
  const blocking = (h.reasons ?? []).filter((r) => NOT_UP.includes(r.id));
  if (blocking.length > 0) return `/health: ${blocking.map((r) => r.detail).join('; ')}`;
  if (h.spool?.error) return `/health: spool error: ${h.spool.error}`;
  const pending = h.spool?.pending ?? 0;
  const delivered = h.cloud?.last_delivery_at ? Date.parse(h.cloud.last_delivery_at) >= restartedAt - 1000 : false;
  if (pending > 0 && h.cloud?.reachable !== false && !delivered) return `${pending} events waiting, none delivered yet`;
  return null;
}
