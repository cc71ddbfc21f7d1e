import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  openSync,
  statfsSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../../config/index.ts';
import { languageOr, type MessageKey, type Params, t } from '../../i18n/index.ts';
import { systemClock } from '../../lib/clock.ts';
import { silentLogger } from '../../lib/log.ts';
import { Spool } from '../../spool/index.ts';
import type { Check } from './diagnose.ts';

/** `relay doctor`'s checks of this PC: the spool file and folder, and the disk under them. */

const MB = 1024 * 1024;
/** Below this SQLite cannot checkpoint its WAL and the relay answers 503 to every POST. */
const DISK_FAIL_BYTES = 64 * MB;

/** Opens the spool and writes in a transaction that is rolled back; checks its folder with a temp file. */
export async function checkSpool(config: Config): Promise<Check[]> {
  const w = wordsOf(config);
  const path = config.spool.path;
  if (path === ':memory:') return [{ check: 'spool', status: 'warn', message: w('doctor.spool_memory') }];
  const dir = dirname(path);
  if (!existsSync(dir)) {
    const parent = existingAncestor(dir);
    try {
      accessSync(parent, constants.W_OK);
      return [
        {
          check: 'spool',
          status: 'pass',
          message: w('doctor.spool_dir_creatable', { dir, parent }),
        },
      ];
    } catch (e) {
      return [
        {
          check: 'spool',
          status: 'fail',
          message: w('doctor.spool_dir_blocked', { dir, parent, error: (e as Error).message }),
        },
      ];
    }
  }
  const probe = join(dir, `.relay-doctor-${process.pid}-${Date.now()}`);
  try {
    const fd = openSync(probe, 'wx');
    try {
      writeSync(fd, 'relay doctor write probe\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
      unlinkSync(probe);
    }
  } catch (e) {
    return [
      { check: 'spool', status: 'fail', message: w('doctor.spool_unwritable', { dir, error: (e as Error).message }) },
    ];
  }
  if (!existsSync(path)) return [{ check: 'spool', status: 'pass', message: w('doctor.spool_new', { path, dir }) }];
  let spool: Spool | undefined;
  try {
    spool = await Spool.open({
      path,
      maxBytes: config.spool.max_size_mb * MB,
      clock: systemClock,
      log: silentLogger,
      checkpointThread: false,
    });
    spool.probeWrite();
    const s = spool.stats();
    const used = s.maxBytes > 0 ? s.bytes / s.maxBytes : 0;
    const out: Check[] = [];
    const summary = w('doctor.spool_summary', {
      pending: s.pending,
      delivered: s.delivered,
      dead: s.dead,
      used: mb(s.bytes),
      max: mb(s.maxBytes),
    });
    out.push(
      used >= 0.9
        ? {
            check: 'spool',
            status: 'warn',
            message: w('doctor.spool_nearly_full', { path, pct: Math.round(used * 100), summary }),
          }
        : { check: 'spool', status: 'pass', message: w('doctor.spool_ok', { path, summary }) },
    );
    for (const q of s.quarantined) {
      out.push({
        check: 'quarantine',
        status: 'warn',
        message: w('doctor.spool_quarantined', { at: q.at, file: q.file, reason: q.reason }),
      });
    }
    if (s.dead > 0) {
      out.push({
        check: 'dead letters',
        status: 'warn',
        message: w('doctor.dead_letters', { n: s.dead }),
      });
    }
    return out;
  } catch (e) {
    return [{ check: 'spool', status: 'fail', message: `${path}: ${(e as Error).message}` }];
  } finally {
    await spool?.close();
  }
}

export function checkDisk(config: Config): Check {
  const w = wordsOf(config);
  if (config.spool.path === ':memory:') return { check: 'disk', status: 'skip', message: w('doctor.disk_none') };
  const dir = existingAncestor(dirname(config.spool.path));
  try {
    const st = statfsSync(dir);
    const free = Number(st.bavail) * Number(st.bsize);
    const budget = config.spool.max_size_mb * MB;
    if (free < DISK_FAIL_BYTES)
      return { check: 'disk', status: 'fail', message: w('doctor.disk_full', { free: mb(free), dir }) };
    if (free < budget) {
      return {
        check: 'disk',
        status: 'warn',
        message: w('doctor.disk_short', { free: mb(free), dir, budget: mb(budget) }),
      };
    }
    return { check: 'disk', status: 'pass', message: w('doctor.disk_ok', { free: mb(free), dir, budget: mb(budget) }) };
  } catch (e) {
    return { check: 'disk', status: 'warn', message: w('doctor.disk_unknown', { dir, error: (e as Error).message }) };
  }
}

/** The verdicts in `[site] language`. */
const wordsOf =
  (config: Config) =>
  (key: MessageKey, params?: Params): string =>
    t(languageOr(config.site.language), key, params);

function existingAncestor(dir: string): string {
  let d = dir;
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  return d;
}

export function mb(bytes: number): string {
  return bytes >= 1024 * MB ? `${(bytes / 1024 / MB).toFixed(1)} GB` : `${(bytes / MB).toFixed(1)} MB`;
}
