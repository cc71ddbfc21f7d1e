/**
 * The chaos soak: the compiled relay under a seeded schedule of faults
 * (schedule.ts) while POS posters post on every lane, with the promises
 * checked all along (ledger.ts) and once more after a final drain.
 * `runSoak` returns a summary; `make soak` (run.ts) and soak.test.ts call it.
 */
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_FILE_MAX_BYTES } from '../../src/lib/log.ts';
import { type CutReport, fuseUnavailable, LossyFs } from '../fuse/lossy-fs.ts';
import { installBinary } from '../helpers/binary.ts';
import type { OnCleanup } from '../helpers/cleanup.ts';
import { buildToml, type ConfigOver, TEST_TOKENS } from '../helpers/config.ts';
import { canMountTmpfs, type TmpfsDisk, tmpfsDisk } from '../helpers/disk.ts';
import { freePort } from '../helpers/ports.ts';
import { prng } from '../helpers/reliability.ts';
import { tempDir } from '../helpers/temp.ts';
import { type SoakCloud, startSoakCloud } from './cloud.ts';
import { Ledger, type Violation, type ViolationKind } from './ledger.ts';
import { type FloodResult, flood, Poster } from './pos.ts';
import { hasFaketime, RelayProcess } from './process.ts';
import { request } from './request.ts';
import {
  describeSchedule,
  EXCUSING,
  type Fault,
  type FaultKind,
  makeSchedule,
  POINT_KINDS,
  WINDOW_KINDS,
  type WindowKind,
} from './schedule.ts';
import { startWatchdog } from './watchdog.ts';

export const ALL_KINDS: readonly FaultKind[] = [...WINDOW_KINDS, ...POINT_KINDS];
/**
 * What a run draws from unless told: all but power_cut, which needs the
 * spool on the FUSE layer (slow, and no tmpfs to fill): `powerCuts` asks for it.
 */
export const DEFAULT_KINDS: readonly FaultKind[] = ALL_KINDS.filter((k) => k !== 'power_cut');

export interface SoakOptions {
  seed: number;
  /** Length of the faulty part; the drain follows. */
  seconds: number;
  /** Fault kinds to draw from (default all the machine can do). */
  kinds?: readonly FaultKind[];
  /** Where the summary JSON goes (also returned). */
  summaryPath?: string;
  /** Progress lines; console.log unless given. */
  say?: (line: string) => void;
  /** The soak's own test: the cloud answers 200 to its n-th event but keeps nothing. */
  cloudDropsNth?: number;
  /** Resident memory the relay must stay under, MB. */
  rssLimitMb?: number;
  /** How the run is replayed, printed with a failure. */
  replay?: string;
  /**
   * The spool on test/fuse's lossy FS, and power cuts (kill -9, every page
   * not fsynced dropped or half kept, a fresh mount) among the faults;
   * spool_disk_full is left out (that disk is a tmpfs).
   */
  powerCuts?: boolean;
  /** Longest wait for the final drain (default 90 s). */
  drainSeconds?: number;
  /** Another build of the relay to soak (default dist/relay). */
  binary?: string;
}

export interface SoakSummary {
  ok: boolean;
  seed: number;
  seconds: number;
  replay: string;
  durationSeconds: number;
  acknowledged: number;
  delivered: number;
  redeliveredExcused: number;
  lost: number;
  stalls: number;
  faults: Record<string, number>;
  restarts: number;
  crashes: number;
  startMsMax: number;
  largestLogBytes: number;
  logLimitBytes: number;
  rssMbLow: number | null;
  rssMbHigh: number | null;
  posAnswers: Record<string, number>;
  cloudAnswers: Record<string, number>;
  floods: { sent: number; byStatus: Record<string, number> };
  health: Record<string, number>;
  notes: string[];
  violations: Violation[];
  schedule: string[];
}

/** Settings the invariants are measured against. */
const MAX_BACKOFF_S = 5;
const CLOUD_TIMEOUT_S = 2;
const GRACE_MS = (MAX_BACKOFF_S + 5) * 1000;
const HEALTH_STALL_MS = 10_000;
/** A relay must answer /health this soon after a start (a loaded 2-core machine included). */
const START_LIMIT_MS = 10_000;
const NOT_SERVING_MS = 15_000;
const DRAIN_LIMIT_MS = 90_000;
const START_GIVE_UP_MS = 300_000;
const TICK_MS = 500;
const TERRACE_TOKEN = '3c9e5b27-1d44-4f8a-9b61-0e2f7a5c8d13';
/** The watcher ticks every TICK_MS; this long without a tick, the soak is hung and the watchdog ends it. */
const WATCHDOG_S = 120;

/** The OnCleanup shape (helpers/cleanup.ts) outside bun:test: run() undoes everything, last first. */
function cleanupList(): OnCleanup & { run(): Promise<void> } {
  const fns: (() => unknown)[] = [];
  const on = ((fn: () => unknown) => void fns.push(fn)) as OnCleanup & { run(): Promise<void> };
  on.tempDir = (prefix?: string) => {
    const t = tempDir(prefix);
    fns.push(t.cleanup);
    return t.dir;
  };
  on.run = async () => {
    for (const fn of fns.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // Best effort: a mount still busy is unmounted lazily.
      }
    }
  };
  return on;
}

export async function runSoak(o: SoakOptions): Promise<SoakSummary> {
  // Whatever happens (a relay that never starts throws), the relay, the mounts and the watchdog go.
  const cleanup = cleanupList();
  try {
    return await soak(o, cleanup);
  } finally {
    await cleanup.run();
  }
}

async function soak(o: SoakOptions, cleanup: ReturnType<typeof cleanupList>): Promise<SoakSummary> {
  const say = o.say ?? ((l: string) => console.log(l));
  const replay = o.replay ?? `make soak SEED=${o.seed} MINUTES=${+(o.seconds / 60).toFixed(2)}`;
  const notes: string[] = [];
  let kinds = [...(o.kinds ?? DEFAULT_KINDS)];
  let fuseWhyNot: string | null = null;
  if (o.powerCuts) {
    fuseWhyNot = await fuseUnavailable();
    if (fuseWhyNot) notes.push(`no FUSE (${fuseWhyNot}): power_cut left out, the spool on tmpfs`);
    else {
      if (!kinds.includes('power_cut')) kinds.push('power_cut');
      if (kinds.includes('spool_disk_full')) notes.push('spool on the FUSE layer: spool_disk_full left out');
      kinds = kinds.filter((k) => k !== 'spool_disk_full');
    }
  }
  const fuse = o.powerCuts === true && fuseWhyNot === null;
  if (!fuse && kinds.includes('power_cut')) {
    notes.push('power_cut needs the spool on the FUSE layer (powerCuts, SOAK_FUSE=1): left out');
    kinds = kinds.filter((k) => k !== 'power_cut');
  }
  if (!canMountTmpfs && kinds.some((k) => k === 'spool_disk_full' || k === 'log_disk_full')) {
    notes.push('no tmpfs (mount needs root): spool_disk_full and log_disk_full left out');
    kinds = kinds.filter((k) => k !== 'spool_disk_full' && k !== 'log_disk_full');
  }
  if (!hasFaketime && kinds.includes('clock_step')) {
    notes.push('no libfaketime (Debian package faketime): clock_step left out');
    kinds = kinds.filter((k) => k !== 'clock_step');
  }
  const schedule = makeSchedule({ seed: o.seed, seconds: o.seconds, kinds, cloudTimeoutSeconds: CLOUD_TIMEOUT_S });
  const scheduleText = describeSchedule(schedule);
  say(`soak: seed ${o.seed}, ${o.seconds} s of faults then a drain; replay: ${replay}`);
  for (const n of notes) say(`soak: note: ${n}`);
  say(`soak: schedule:\n${scheduleText}`);

  const t0 = Date.now();
  const sec = (t = Date.now()) => (t - t0) / 1000;
  const violations: Violation[] = [];
  const violate = (kind: ViolationKind, message: string) => {
    const v = { t: +sec().toFixed(1), kind, message };
    violations.push(v);
    say(`soak: VIOLATION t=${v.t}s ${kind}: ${message}`);
  };
  const ledger = new Ledger(violate);
  const faultsDone: Record<string, number> = {};
  const posAnswers: Record<string, number> = {};
  const health: Record<string, number> = {};
  const floods: FloodResult = { sent: 0, byStatus: {}, wrong: [] };
  let restarts = 0;
  let startMsMax = 0;
  let largestLog = 0;
  let rssLow: number | null = null;
  let rssHigh: number | null = null;
  let stalls = 0;
  let lost = 0;
  let soakLags = 0;

  const cloud: SoakCloud = await startSoakCloud(CLOUD_TIMEOUT_S * 1000);
  cleanup(() => cloud.stop());
  if (o.cloudDropsNth !== undefined) cloud.dropNth(o.cloudDropsNth);

  const site = cleanup.tempDir('relay-soak-');
  let bin: string;
  if (o.binary) {
    bin = join(site, 'relay');
    copyFileSync(o.binary, bin);
    notes.push(`binary: ${o.binary}`);
  } else bin = await installBinary(site);
  let spoolDisk: TmpfsDisk | null = null;
  let logDisk: TmpfsDisk | null = null;
  let spoolDir = join(site, 'spool');
  let logDir = join(site, 'log');
  if (canMountTmpfs) {
    // The spool's disk holds the whole run (a few MB a minute); the log's, more than its cap.
    spoolDisk = tmpfsDisk(cleanup, Math.max(64, Math.ceil(o.seconds / 60) * 4 + 32));
    logDisk = tmpfsDisk(cleanup, 64);
    spoolDir = spoolDisk.dir;
    logDir = logDisk.dir;
  } else {
    mkdirSync(spoolDir, { recursive: true });
    mkdirSync(logDir, { recursive: true });
  }
  let lossy: LossyFs | null = null;
  const cutReports: CutReport[] = [];
  if (fuse) {
    lossy = await LossyFs.mount({ backing: join(site, 'fuse-backing'), mnt: join(site, 'fuse-mnt') });
    cleanup(() => lossy?.unmount());
    spoolDir = lossy.mnt;
  }
  const logFile = join(logDir, 'relay.log');
  // Three POS tokens, each posting on both lanes: six lanes that fail and recover together.
  const tokens = [...TEST_TOKENS.filter((t) => t.active !== false), { token: TERRACE_TOKEN, name: 'Terrace' }];
  const port = freePort();
  const over: ConfigOver = {
    server: { port },
    spool: { path: join(spoolDir, 'relay.db') },
    cloud: { url: cloud.url, timeout_seconds: CLOUD_TIMEOUT_S },
    forward: { initial_backoff_seconds: 0.2, max_backoff_seconds: MAX_BACKOFF_S, rate_per_token: 10000 },
    limits: { rate_per_token: 100000, burst_per_token: 100000 },
    log: { level: 'info', file: logFile },
    tokens,
  };
  const goodToml = buildToml(over);
  const tomlPath = join(site, 'relay.toml');
  writeFileSync(tomlPath, goodToml);
  const relay = new RelayProcess(bin, site, port, hasFaketime ? join(site, 'faketime.rc') : null);
  cleanup(() => relay.kill9());
  const dog = startWatchdog(site, WATCHDOG_S, `replay: ${replay}`);
  cleanup(() => dog.stop());
  let dogPid: number | null = null;

  // What excuses a stall: an excusing window open, the relay down, or their after-effects until `calmAfter`.
  const activeExcusing = new Set<Fault>();
  let relayDown = true;
  let calmAfter = 0;
  const calm = (until: number) => {
    calmAfter = Math.max(calmAfter, until);
  };
  let quietUntil = 0;
  let stopping = false;

  // One start at a time, retried every 2 s in the background: the schedule goes on meanwhile (a full
  // disk that keeps the relay from starting is freed by the schedule, not by waiting for the start).
  let starting: Promise<boolean> | null = null;
  /** While a refused reload's bad file is in place: a start waits for the good one (a restart is not the fault), and the fault waits for a start under way. */
  let badConfig: Promise<void> | null = null;
  const start = (why: string): Promise<boolean> => {
    starting ??= (async () => {
      relayDown = true;
      const since = Date.now();
      try {
        for (let attempt = 1; ; attempt++) {
          dog.beat();
          await badConfig;
          const r = await relay.start(START_LIMIT_MS * 2);
          startMsMax = Math.max(startMsMax, r.ms);
          if (r.ok) {
            if (attempt > 1)
              say(
                `soak: t=${sec().toFixed(1)}s relay started after ${attempt} attempts, ${((Date.now() - since) / 1000).toFixed(1)} s after ${why}`,
              );
            else if (r.ms > START_LIMIT_MS)
              violate('restart', `relay took ${(r.ms / 1000).toFixed(1)} s to answer /health after ${why}`);
            relayDown = false;
            calm(Date.now());
            return true;
          }
          if (attempt === 1) violate('restart', `relay could not start after ${why} (retried every 2 s): ${r.error}`);
          if (Date.now() - since > START_GIVE_UP_MS) {
            violate('restart', `relay still cannot start ${START_GIVE_UP_MS / 1000} s after ${why}: ${r.error}`);
            return false;
          }
          await Bun.sleep(2000);
        }
      } finally {
        starting = null;
      }
    })();
    return starting;
  };
  relay.onCrash = (how, tail) => {
    ledger.disruption(Date.now());
    violate('crash', `relay exited by itself (${how}); its last output:\n    ${tail.slice(-8).join('\n    ')}`);
    if (stopping) return;
    restarts++;
    void start('a crash');
  };

  const first = await relay.start(START_LIMIT_MS * 2);
  if (!first.ok) throw new Error(`soak: the relay does not start at all (seed ${o.seed}): ${first.error}`);
  relayDown = false;

  // POS posters: every token on both lanes.
  const posters: Poster[] = [];
  const sink = {
    ack: (a: Parameters<Ledger['ack']>[0]) => ledger.ack(a),
    wrong: (what: string) => violate('pos_answer', what),
    answer: (s: string) => {
      posAnswers[s] = (posAnswers[s] ?? 0) + 1;
    },
  };
  let i = 0;
  for (const t of tokens)
    for (const env of ['prod', 'dev'] as const)
      posters.push(
        new Poster(relay.url, t.token, env, prng(o.seed + 1000 + i++), o.seed, sink, () => Date.now() < quietUntil),
      );
  const posting = posters.map((p) => p.run());

  // The watcher: deliveries, stalls, health, log size, memory.
  let notServingSince: number | null = null;
  let notServingReported = false;
  const rssLimit = o.rssLimitMb ?? 600;
  let rssReported = false;
  let logReported = false;
  const logLimit = 2 * LOG_FILE_MAX_BYTES;
  const stalledNow = (now: number) => {
    if (activeExcusing.size > 0 || relayDown) {
      calm(now);
      return [];
    }
    return ledger.stalls(now, calmAfter);
  };
  const watch = async () => {
    let lastTick = Date.now();
    while (!watchStop) {
      const now = Date.now();
      // The soak itself starved of CPU (a loaded machine): the mock cloud may have answered later than the
      // relay waits, so a re-send around now is the soak's doing, not the relay's.
      if (now - lastTick > TICK_MS + 1000) {
        ledger.disruption(now);
        soakLags++;
      }
      lastTick = now;
      dog.beat();
      if (relay.pid !== dogPid) {
        dogPid = relay.pid;
        dog.relayPid(dogPid);
      }
      ledger.absorb(cloud.deliveries);
      for (const s of stalledNow(now)) {
        if (s.ms > GRACE_MS && !s.s.stallReported) {
          s.s.stallReported = true;
          stalls++;
          violate(
            'stall',
            `lane ${s.lane}: ${s.pending} acknowledged event(s) pending, no delivery for ${(s.ms / 1000).toFixed(1)} s with the cloud up and no fault excusing it (limit ${GRACE_MS / 1000} s)`,
          );
        }
      }
      const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
      const logBytes = size(logFile) + size(`${logFile}.1`);
      largestLog = Math.max(largestLog, logBytes);
      if (logBytes > logLimit && !logReported) {
        logReported = true;
        violate('log_size', `log file + .1 hold ${logBytes} bytes, over twice the cap (${logLimit})`);
      }
      const rss = relay.rssMb();
      if (rss !== null) {
        rssLow = rssLow === null ? rss : Math.min(rssLow, rss);
        rssHigh = rssHigh === null ? rss : Math.max(rssHigh, rss);
        if (rss > rssLimit && !rssReported) {
          rssReported = true;
          violate('rss', `relay resident memory ${rss.toFixed(0)} MB, over ${rssLimit} MB`);
        }
      }
      if (process.env.SOAK_DEBUG)
        say(
          `soak: tick t=${sec().toFixed(1)} pending ${ledger.pendingCount()} calmAfter ${sec(calmAfter).toFixed(1)} excusing ${activeExcusing.size} down ${relayDown}`,
        );
      await Bun.sleep(TICK_MS);
    }
  };
  const pollHealth = async () => {
    while (!watchStop) {
      const askedAt = Date.now();
      let status = 'no answer';
      if (!relayDown) {
        try {
          const r = await request(`${relay.url}/health`, {}, 5000);
          status = String((JSON.parse(r.text) as { status?: unknown }).status);
        } catch {
          status = 'no answer';
        }
      } else status = 'down';
      health[status] = (health[status] ?? 0) + 1;
      if (status === 'no answer' && !relayDown) {
        notServingSince ??= askedAt;
        if (Date.now() - notServingSince > NOT_SERVING_MS && !notServingReported) {
          notServingReported = true;
          violate('not_serving', `the running relay has not answered /health for ${NOT_SERVING_MS / 1000} s`);
        }
      } else {
        notServingSince = null;
        notServingReported = false;
      }
      if (status === 'ok') {
        // Stalls that had already lasted past the limit when /health was asked.
        for (const s of stalledNow(askedAt)) {
          if (s.ms > HEALTH_STALL_MS + TICK_MS && !s.s.healthReported) {
            s.s.healthReported = true;
            violate(
              'health_ok_while_stalled',
              `/health said "ok" while lane ${s.lane} had ${s.pending} pending event(s) and no delivery for ${(s.ms / 1000).toFixed(1)} s`,
            );
          }
        }
      }
      await Bun.sleep(1000);
    }
  };
  let watchStop = false;
  const watching = [watch(), pollHealth()];

  // The driver: the schedule's actions in time order (a window's end is an action too).
  type Action = { at: number; f: Fault; end: boolean };
  const actions: Action[] = [];
  for (const f of schedule) {
    actions.push({ at: f.at, f, end: false });
    if ((WINDOW_KINDS as readonly string[]).includes(f.kind)) actions.push({ at: f.at + f.seconds, f, end: true });
  }
  actions.sort((a, b) => a.at - b.at || Number(b.end) - Number(a.end));
  const background: Promise<unknown>[] = [];
  const count = (k: string) => {
    faultsDone[k] = (faultsDone[k] ?? 0) + 1;
  };
  const windowStart = async (f: Fault) => {
    const kind = f.kind as WindowKind;
    if (EXCUSING.has(kind)) activeExcusing.add(f);
    if (kind === 'cloud_down') {
      ledger.disruption(Date.now());
      await cloud.down();
    } else if (kind === 'cloud_503') cloud.mode({ kind: '503' });
    else if (kind === 'cloud_429') cloud.mode({ kind: '429', retryAfter: f.retryAfter ?? 1 });
    else if (kind === 'cloud_slow') cloud.mode({ kind: 'slow', delayMs: f.delayMs ?? 1000 });
    else if (kind === 'spool_disk_full') {
      ledger.spoolDiskFull(true, Date.now());
      spoolDisk?.fill();
    } else if (kind === 'log_disk_full') logDisk?.fill();
  };
  const windowEnd = async (f: Fault) => {
    const kind = f.kind as WindowKind;
    if (kind === 'cloud_down') await cloud.up();
    else if (kind.startsWith('cloud_')) cloud.mode({ kind: 'ok' });
    else if (kind === 'spool_disk_full') {
      spoolDisk?.free();
      ledger.spoolDiskFull(false, Date.now());
    } else if (kind === 'log_disk_full') logDisk?.free();
    const now = Date.now();
    activeExcusing.delete(f);
    if (EXCUSING.has(kind)) {
      // After-effects the relay is entitled to: a Retry-After, a slow answer still on its way.
      const extra = kind === 'cloud_429' ? (f.retryAfter ?? 0) * 1000 : kind === 'cloud_slow' ? (f.delayMs ?? 0) : 0;
      calm(now + extra);
    }
    if (f.quietAfter) quietUntil = Math.max(quietUntil, now + f.quietAfter * 1000);
  };
  const point = async (f: Fault) => {
    switch (f.kind) {
      case 'kill9': {
        if (starting) {
          say(`soak: t=${sec().toFixed(1)}s kill -9 left out: the relay is still being started`);
          break;
        }
        ledger.disruption(Date.now());
        relayDown = true;
        await relay.kill9();
        await Bun.sleep((f.downSeconds ?? 0) * 1000);
        restarts++;
        void start('kill -9');
        break;
      }
      case 'sighup':
        writeFileSync(tomlPath, goodToml);
        await relay.reload();
        break;
      case 'sighup_bad_config':
        // A file the loader refuses: the running config must stay; restored before anything restarts.
        {
          // Not while a relay starts: it may not have read its file yet.
          await starting;
          const restored = Promise.withResolvers<void>();
          badConfig = restored.promise;
          try {
            writeFileSync(tomlPath, buildToml(over, 'no_such_key = 1'));
            await relay.reload();
            await Bun.sleep(1000);
          } finally {
            writeFileSync(tomlPath, goodToml);
            badConfig = null;
            restored.resolve();
          }
          await relay.reload();
        }
        break;
      case 'flood_tokens':
      case 'flood_json': {
        const token = (tokens[0] as { token: string }).token;
        const kind = f.kind === 'flood_tokens' ? 'tokens' : 'json';
        background.push(
          flood(relay.url, kind, token, f.seconds, prng(o.seed + Math.round(f.at * 10))).then((r) => {
            floods.sent += r.sent;
            for (const [k, v] of Object.entries(r.byStatus)) floods.byStatus[k] = (floods.byStatus[k] ?? 0) + v;
            for (const w of r.wrong) violate('flood_answer', w);
          }),
        );
        break;
      }
      case 'power_cut': {
        if (starting || !lossy) {
          say(`soak: t=${sec().toFixed(1)}s power cut left out: the relay is still being started`);
          break;
        }
        ledger.disruption(Date.now());
        relayDown = true;
        await relay.kill9();
        const cut = await lossy.powerCut({ keep: 0.5, seed: (o.seed + Math.round(f.at * 10)) >>> 0 });
        lossy = cut.fs;
        cutReports.push(cut.report);
        say(
          `soak: t=${sec().toFixed(1)}s power cut: ${cut.report.pages} unsynced page(s) in ${cut.report.files} file(s), ${cut.report.pages_kept} kept`,
        );
        restarts++;
        void start('a power cut');
        break;
      }
      case 'clock_step': {
        const offset = relay.stepClock(f.stepSeconds ?? 0);
        say(`soak: t=${sec().toFixed(1)}s relay wall clock now ${offset >= 0 ? '+' : ''}${offset} s off`);
        break;
      }
      default:
        break;
    }
  };

  for (const a of actions) {
    const wait = t0 + a.at * 1000 - Date.now();
    if (wait > 0) await Bun.sleep(wait);
    const isWindow = (WINDOW_KINDS as readonly string[]).includes(a.f.kind);
    if (!a.end) count(a.f.kind);
    say(`soak: t=${sec().toFixed(1)}s ${a.end ? 'end' : 'start'} ${a.f.kind}`);
    try {
      if (isWindow) await (a.end ? windowEnd(a.f) : windowStart(a.f));
      else await point(a.f);
    } catch (e) {
      violate('restart', `the soak could not inject ${a.f.kind}: ${(e as Error).message}`);
    }
  }
  const endOfFaults = t0 + o.seconds * 1000 - Date.now();
  if (endOfFaults > 0) await Bun.sleep(endOfFaults);

  // The drain: the POS stops, the cloud is healthy, the disks free; every acknowledged event must arrive.
  for (const p of posters) p.stopped = true;
  await Promise.all(posting);
  await Promise.all(background);
  cloud.mode({ kind: 'ok' });
  await cloud.up();
  spoolDisk?.free();
  logDisk?.free();
  if (relayDown) await (starting ?? start('the end of the faults'));
  say(`soak: t=${sec().toFixed(1)}s drain: ${ledger.pendingCount()} acknowledged event(s) not yet at the cloud`);
  const drainEnd = Date.now() + (o.drainSeconds ? o.drainSeconds * 1000 : DRAIN_LIMIT_MS);
  while (Date.now() < drainEnd) {
    ledger.absorb(cloud.deliveries);
    if (ledger.pendingCount() === 0) break;
    await Bun.sleep(250);
  }
  await Bun.sleep(1000); // a re-send on its way counts too
  ledger.absorb(cloud.deliveries);
  stopping = true;
  watchStop = true;
  await Promise.all(watching);
  lost = ledger.finalChecks().lost;
  const finalHealth = await request(`${relay.url}/health`, {}, 5000)
    .then((r) => r.text.slice(0, 1500))
    .catch(() => 'no answer');
  notes.push(`/health after the drain: ${finalHealth}`);
  await relay.kill9();
  await cleanup.run();

  const summary: SoakSummary = {
    ok: violations.length === 0,
    seed: o.seed,
    seconds: o.seconds,
    replay,
    durationSeconds: +sec().toFixed(1),
    acknowledged: ledger.acks.size,
    delivered: ledger.first.size,
    redeliveredExcused: ledger.redeliveredExcused,
    lost,
    stalls,
    faults: faultsDone,
    restarts,
    crashes: relay.crashes.length,
    startMsMax: Math.round(startMsMax),
    largestLogBytes: largestLog,
    logLimitBytes: logLimit,
    rssMbLow: rssLow === null ? null : +(rssLow as number).toFixed(1),
    rssMbHigh: rssHigh === null ? null : +(rssHigh as number).toFixed(1),
    posAnswers,
    cloudAnswers: cloud.answers,
    floods: { sent: floods.sent, byStatus: floods.byStatus },
    health,
    notes,
    violations,
    schedule: scheduleText.split('\n').filter(Boolean),
  };
  if (cutReports.length > 0) {
    const pages = cutReports.reduce((a, r) => a + r.pages, 0);
    const kept = cutReports.reduce((a, r) => a + r.pages_kept, 0);
    notes.push(`power cuts: ${cutReports.length}, ${pages} unsynced page(s) at the cuts, ${kept} of them kept (torn)`);
  }
  if (soakLags > 0)
    notes.push(`the soak itself was starved of CPU ${soakLags} time(s) (a tick over ${TICK_MS + 1000} ms late)`);
  if (o.summaryPath) writeFileSync(o.summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  say(describeSummary(summary));
  return summary;
}

export function describeSummary(s: SoakSummary): string {
  const lines = [
    `soak ${s.ok ? 'PASSED' : 'FAILED'}: seed ${s.seed}, ${s.durationSeconds} s`,
    `  acknowledged ${s.acknowledged}, delivered ${s.delivered}, re-sent (excused) ${s.redeliveredExcused}, lost ${s.lost}, stalls ${s.stalls}`,
    `  faults: ${Object.entries(s.faults)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  restarts ${s.restarts} (slowest start ${s.startMsMax} ms), crashes ${s.crashes}`,
    `  largest log ${(s.largestLogBytes / 1e6).toFixed(2)} MB (limit ${(s.logLimitBytes / 1e6).toFixed(1)} MB), RSS ${s.rssMbLow} – ${s.rssMbHigh} MB`,
    `  POS answers ${JSON.stringify(s.posAnswers)}, cloud answers ${JSON.stringify(s.cloudAnswers)}`,
    `  floods: ${s.floods.sent} requests ${JSON.stringify(s.floods.byStatus)}; /health ${JSON.stringify(s.health)}`,
    ...s.notes.map((n) => `  note: ${n}`),
  ];
  if (!s.ok) {
    lines.push(`  ${s.violations.length} violation(s):`);
    for (const v of s.violations) lines.push(`    t=${v.t}s ${v.kind}: ${v.message}`);
    lines.push('  schedule:', ...s.schedule.map((l) => `    ${l}`));
    lines.push(`  replay: ${s.replay}`);
  }
  return lines.join('\n');
}
