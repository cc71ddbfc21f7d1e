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
  const path = config.spool.path;
  if (path === ':memory:')
    return [
      { check: 'spool', status: 'warn', message: 'spool.path is :memory:: events are lost when the relay stops' },
    ];
  const dir = dirname(path);
  if (!existsSync(dir)) {
    const parent = existingAncestor(dir);
    try {
      accessSync(parent, constants.W_OK);
      return [
        {
          check: 'spool',
          status: 'pass',
          message: `${dir} does not exist yet; the relay creates it at start (${parent} is writable)`,
        },
      ];
    } catch (e) {
      return [
        {
          check: 'spool',
          status: 'fail',
          message: `${dir} does not exist and ${parent} is not writable (${(e as Error).message})`,
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
    return [{ check: 'spool', status: 'fail', message: `cannot write in ${dir}: ${(e as Error).message}` }];
  }
  if (!existsSync(path))
    return [{ check: 'spool', status: 'pass', message: `${path} does not exist yet; ${dir} is writable` }];
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
    const summary = `${s.pending} pending, ${s.delivered} delivered, ${s.dead} dead-lettered; ${mb(s.bytes)} of ${mb(s.maxBytes)}`;
    out.push(
      used >= 0.9
        ? {
            check: 'spool',
            status: 'warn',
            message: `${path} is writable but ${Math.round(used * 100)}% full (${summary}); the relay answers 503 when it is full`,
          }
        : { check: 'spool', status: 'pass', message: `${path} is writable (${summary})` },
    );
    for (const q of s.quarantined) {
      out.push({
        check: 'quarantine',
        status: 'warn',
        message: `the spool was damaged and set aside at ${q.at}: ${q.file} (${q.reason}); its readable events were salvaged (relay spool salvage "${q.file}" runs it again). Check the disk, keep the file for support, then move it away`,
      });
    }
    if (s.dead > 0) {
      out.push({
        check: 'dead letters',
        status: 'warn',
        message: `${s.dead} event(s) refused by the cloud: relay events list --status dead, then relay events replay`,
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
  if (config.spool.path === ':memory:') return { check: 'disk', status: 'skip', message: 'no spool file' };
  const dir = existingAncestor(dirname(config.spool.path));
  try {
    const st = statfsSync(dir);
    const free = Number(st.bavail) * Number(st.bsize);
    const budget = config.spool.max_size_mb * MB;
    if (free < DISK_FAIL_BYTES)
      return { check: 'disk', status: 'fail', message: `only ${mb(free)} free in ${dir}: the spool cannot grow` };
    if (free < budget) {
      return {
        check: 'disk',
        status: 'warn',
        message: `${mb(free)} free in ${dir}, less than spool.max_size_mb (${mb(budget)}): the disk fills before the quota`,
      };
    }
    return { check: 'disk', status: 'pass', message: `${mb(free)} free in ${dir} (spool budget ${mb(budget)})` };
  } catch (e) {
    return { check: 'disk', status: 'warn', message: `cannot read free space of ${dir}: ${(e as Error).message}` };
  }
}

function existingAncestor(dir: string): string {
  let d = dir;
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  return d;
}

export function mb(bytes: number): string {
  return bytes >= 1024 * MB ? `${(bytes / 1024 / MB).toFixed(1)} GB` : `${(bytes / MB).toFixed(1)} MB`;
}
