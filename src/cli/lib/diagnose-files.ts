import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Config } from '../../config/index.ts';
import { languageOr, t } from '../../i18n/index.ts';
import { readableBy } from '../../lib/private.ts';
import type { Check } from './diagnose.ts';

/**
 * `relay doctor`'s look at who may read the relay's files: the config (the
 * tokens and the admin password), the spool with its -wal, -shm, lock,
 * quarantined and salvage copies (full tokens and order bodies), and the log.
 * relay serve makes them owner-only; files from an older relay, a copy, or
 * a hand-made config may not be.
 */

/** The spool's own files beside it: SQLite's, the lock, a pending quarantine's intent. */
const SPOOL_SUFFIXES = ['', '-wal', '-shm', '.lock', '.quarantine'] as const;
/** Copies named after the spool: quarantined sets (`.damaged-<stamp>`) and salvage work files (`.salvage`). */
const COPY_MARKS = ['.damaged-', '.salvage'] as const;

/** The relay's files that exist now. */
export function relayFiles(config: Config, configPath: string): string[] {
  const files = [configPath];
  const spool = config.spool.path;
  if (spool !== ':memory:') {
    for (const s of SPOOL_SUFFIXES) files.push(`${spool}${s}`);
    const name = basename(spool);
    try {
      for (const f of readdirSync(dirname(spool))) {
        if (COPY_MARKS.some((m) => f.startsWith(`${name}${m}`))) files.push(join(dirname(spool), f));
      }
    } catch {
      // No folder yet: the spool check says so.
    }
  }
  if (config.log.file !== '') files.push(config.log.file, `${config.log.file}.1`);
  return files.filter((f) => existsSync(f));
}

export function checkFiles(config: Config, configPath: string, platform = process.platform): Check {
  const lang = languageOr(config.site.language);
  if (platform === 'win32') {
    return { check: 'files', status: 'skip', message: t(lang, 'doctor.files_windows') };
  }
  const exposed: string[] = [];
  for (const f of relayFiles(config, configPath)) {
    let mode: number;
    try {
      mode = statSync(f).mode;
    } catch {
      continue; // gone since listed
    }
    const who = readableBy(mode);
    if (who !== null) exposed.push(`${f} (${(mode & 0o777).toString(8).padStart(4, '0')}, ${who})`);
  }
  if (exposed.length === 0) {
    return { check: 'files', status: 'pass', message: t(lang, 'doctor.files_ok') };
  }
  return {
    check: 'files',
    status: 'warn',
    message: t(lang, 'doctor.files_exposed', { files: exposed.join(', ') }),
  };
}
