/**
 * The soak's fault schedule: a pure function of (seed, seconds, kinds), so
 * a failing run is replayed exactly by its seed. Faults that last (the
 * cloud's and the disks') follow one another with a calm gap between; point
 * faults (kill -9, SIGHUP, floods, clock steps) fall anywhere, inside those
 * windows too (a clock step while the lanes back off is the interesting one).
 */
import { prng } from '../helpers/reliability.ts';

/** Faults that last a while; the mock cloud or a disk is in that state until `at + seconds`. */
export const WINDOW_KINDS = [
  'cloud_down',
  'cloud_503',
  'cloud_429',
  'cloud_slow',
  'spool_disk_full',
  'log_disk_full',
] as const;
/** Faults that happen at one instant (a flood lasts a few seconds but excuses nothing). */
export const POINT_KINDS = [
  'kill9',
  'sighup',
  'sighup_bad_config',
  'flood_tokens',
  'flood_json',
  'clock_step',
  'power_cut',
] as const;

export type WindowKind = (typeof WINDOW_KINDS)[number];
export type PointKind = (typeof POINT_KINDS)[number];
export type FaultKind = WindowKind | PointKind;

/**
 * Faults during which a lane may legitimately stop delivering: the cloud does
 * not take events, or the spool cannot record that it did. A full log disk,
 * floods, reloads and clock steps excuse nothing: the relay must go on.
 */
export const EXCUSING: ReadonlySet<FaultKind> = new Set<FaultKind>([
  'cloud_down',
  'cloud_503',
  'cloud_429',
  'cloud_slow',
  'spool_disk_full',
]);

export interface Fault {
  /** Seconds from the start of the run. */
  at: number;
  kind: FaultKind;
  /** How long a window fault lasts, or a flood runs; 0 for the others. */
  seconds: number;
  /** cloud_429: the Retry-After the cloud sends, in seconds. */
  retryAfter?: number;
  /** cloud_slow: how long the cloud takes to answer, in ms (some beyond cloud.timeout_seconds). */
  delayMs?: number;
  /** clock_step: the step, in seconds (negative: back). */
  stepSeconds?: number;
  /** kill9: seconds the relay stays down before it is started again. */
  downSeconds?: number;
  /** Calm after a window fault during which the POS posts nothing: a lane that froze shows as a stall. */
  quietAfter?: number;
}

export interface ScheduleOptions {
  seed: number;
  /** Length of the faulty part of the run; the drain comes after. */
  seconds: number;
  kinds: readonly FaultKind[];
  /** The relay's cloud.timeout_seconds, for slow answers around it. */
  cloudTimeoutSeconds: number;
}

/** Mean seconds between two point faults of a kind. */
const POINT_EVERY: Record<PointKind, number> = {
  kill9: 40,
  sighup: 45,
  sighup_bad_config: 90,
  flood_tokens: 35,
  flood_json: 35,
  clock_step: 30,
  power_cut: 40,
};

const WINDOW_WEIGHT: Record<WindowKind, number> = {
  cloud_down: 3,
  cloud_503: 2,
  cloud_429: 2,
  cloud_slow: 2,
  spool_disk_full: 2,
  log_disk_full: 2,
};

const WARMUP_S = 5;

export function makeSchedule(o: ScheduleOptions): Fault[] {
  const rnd = prng(o.seed);
  const between = (lo: number, hi: number) => lo + rnd() * (hi - lo);
  const round = (x: number) => Math.round(x * 10) / 10;
  const faults: Fault[] = [];
  const enabled = new Set(o.kinds);
  const windows = WINDOW_KINDS.filter((k) => enabled.has(k));
  const totalWeight = windows.reduce((s, k) => s + WINDOW_WEIGHT[k], 0);
  const end = o.seconds - 3;

  let t = WARMUP_S;
  while (windows.length > 0) {
    let pick = rnd() * totalWeight;
    let kind = windows[0] as WindowKind;
    for (const k of windows) {
      pick -= WINDOW_WEIGHT[k];
      if (pick < 0) {
        kind = k;
        break;
      }
    }
    const seconds = round(between(3, 14));
    // A full spool disk just as a backlog drains: the cloud down first, back up inside the window, so
    // the relay records deliveries (and fails to) while the disk is full.
    const backlog = kind === 'spool_disk_full' && enabled.has('cloud_down') && rnd() < 0.5 ? round(between(4, 8)) : 0;
    if (t + backlog + seconds > end) break;
    if (backlog > 0) faults.push({ at: round(t), kind: 'cloud_down', seconds: round(backlog + seconds / 3) });
    const f: Fault = { at: round(t + backlog), kind, seconds };
    if (kind === 'cloud_429') f.retryAfter = 1 + Math.floor(rnd() * 3);
    if (kind === 'cloud_slow') f.delayMs = Math.round(between(0.3, 1.6) * o.cloudTimeoutSeconds * 1000);
    // Half the calms are silent: a lane the fault froze then has nothing to wake it.
    if (rnd() < 0.5) f.quietAfter = 12;
    faults.push(f);
    const inside = () => round(f.at + seconds * between(0.3, 0.9));
    // A clock step while the lanes wait out a failure: their waits must not follow the wall clock.
    if (enabled.has('clock_step') && kind.startsWith('cloud_') && rnd() < 0.5)
      faults.push({ at: inside(), kind: 'clock_step', seconds: 0 });
    // The log's disk full while the relay has things to log (a reload, refusals, failed deliveries):
    // the slack in the log file's last page is soon used up, then every line fails.
    if (kind === 'log_disk_full') {
      if (enabled.has('sighup')) faults.push({ at: inside(), kind: 'sighup', seconds: 0 });
      if (enabled.has('flood_tokens'))
        faults.push({ at: inside(), kind: 'flood_tokens', seconds: round(between(1.5, 3)) });
      if (enabled.has('cloud_503') && rnd() < 0.5)
        faults.push({ at: round(f.at + 0.5), kind: 'cloud_503', seconds: round(seconds * between(0.4, 0.8)) });
    }
    t += backlog + seconds + between(f.quietAfter ? 13 : 6, 16);
  }

  let offset = 0;
  for (const kind of POINT_KINDS) {
    if (!enabled.has(kind)) continue;
    const n = Math.max(1, Math.round(o.seconds / POINT_EVERY[kind]));
    for (let i = 0; i < n; i++) {
      const at = round(between(WARMUP_S, Math.max(WARMUP_S + 1, end)));
      const f: Fault = { at, kind, seconds: 0 };
      if (kind === 'kill9') f.downSeconds = round(between(0, 2.5));
      if (kind === 'flood_tokens' || kind === 'flood_json') f.seconds = round(between(1.5, 4));
      faults.push(f);
    }
  }
  faults.sort((a, b) => a.at - b.at || a.kind.localeCompare(b.kind));
  // Clock steps in time order, so the running offset (kept within ±5 days) is known here.
  for (const f of faults) {
    if (f.kind !== 'clock_step') continue;
    const scale = rnd();
    const size = scale < 0.4 ? between(60, 3600) : scale < 0.75 ? between(3600, 86400) : between(86400, 3 * 86400);
    let sign = rnd() < 0.5 ? -1 : 1;
    if (Math.abs(offset + sign * size) > 5 * 86400) sign = -sign;
    f.stepSeconds = sign * Math.round(size);
    offset += f.stepSeconds;
  }
  return faults;
}

const human = (s: number) => {
  const a = Math.abs(s);
  const sign = s < 0 ? '-' : '+';
  if (a >= 86400) return `${sign}${(a / 86400).toFixed(2)}d`;
  if (a >= 3600) return `${sign}${(a / 3600).toFixed(2)}h`;
  return `${sign}${(a / 60).toFixed(1)}m`;
};

export function describeFault(f: Fault): string {
  const parts = [`t=${f.at.toFixed(1).padStart(6)}s`, f.kind.padEnd(17)];
  if (f.seconds) parts.push(`for ${f.seconds}s`);
  if (f.retryAfter !== undefined) parts.push(`Retry-After ${f.retryAfter}`);
  if (f.delayMs !== undefined) parts.push(`answers after ${f.delayMs} ms`);
  if (f.stepSeconds !== undefined) parts.push(`wall clock ${human(f.stepSeconds)}`);
  if (f.downSeconds !== undefined) parts.push(`down ${f.downSeconds}s`);
  if (f.quietAfter) parts.push(`then POS quiet ${f.quietAfter}s`);
  return parts.join(' ');
}

export const describeSchedule = (faults: Fault[]) => faults.map(describeFault).join('\n');
