import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../../config/index.ts';
import { systemClock } from '../../lib/clock.ts';
import { silentLogger } from '../../lib/log.ts';
import { privateByDefault } from '../../lib/private.ts';
import { describeUnreadable, Spool, SpoolOpenError } from '../../spool/index.ts';
import { type Command, type Io, loadConfigFor, parseCommandArgs, UsageError } from '../context.ts';
import { printJson } from '../lib/output.ts';
import { progress } from '../lib/progress.ts';

const USAGE = 'relay spool salvage FILE [--json] [--config FILE]';

export const spool: Command = {
  name: 'spool',
  summary: 'salvage the readable pending and dead events of a damaged spool file or a backup',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'salvage') {
      throw new UsageError(`relay spool: expected salvage${sub === undefined ? '' : `, got ${JSON.stringify(sub)}`}`);
    }
    const { values, positionals } = parseCommandArgs('spool salvage', rest, { json: { type: 'boolean' } }, true);
    if (positionals.length !== 1)
      throw new UsageError('relay spool salvage: give one FILE (a quarantined spool or a backup)');
    const loaded = loadConfigFor(values.config, io);
    if (!loaded) return 2;
    const file = resolve(io.cwd, positionals[0]!);
    if (!existsSync(file)) {
      io.err(`relay: ${file} does not exist`);
      return 1;
    }
    if (file === loaded.config.spool.path) {
      io.err(`relay: ${file} is this relay's own spool (spool.path): give a quarantined file or a backup`);
      return 2;
    }
    // The salvage copy and a new spool hold tokens and order bodies: owner-only, as relay serve makes them.
    privateByDefault();
    return salvageInto(loaded.config, file, io, values.json === true);
  },
};

/**
 * Opens the configured spool and restores `file`'s events into it. With the
 * relay stopped (its lock free) an event whose seq is taken gets a new one;
 * beside a running relay only free seqs below what it may give are used (the
 * rest is reported), so the two never hand out the same seq.
 */
async function salvageInto(config: Config, file: string, io: Io, json: boolean): Promise<number> {
  const deps = {
    path: config.spool.path,
    maxBytes: config.spool.max_size_mb * 1024 * 1024,
    clock: systemClock,
    log: silentLogger,
    background: false,
  };
  let target: Spool;
  let alone = true;
  try {
    target = await Spool.open({ ...deps, lock: true });
  } catch (e) {
    if (!(e instanceof SpoolOpenError) || !/in use by another relay/.test(e.message)) {
      io.err(`relay: ${(e as Error).message}`);
      return 1;
    }
    alone = false;
    target = await Spool.open(deps);
  }
  try {
    const p = progress(json ? { ...io, isTty: false } : io, 'restored');
    const r = await target.salvageFile(file, { reseq: alone, onProgress: (n) => p.update(n, n) });
    if (json) {
      printJson(io, {
        source: r.source,
        restored: r.restored,
        skipped: r.skipped,
        conflicts: r.conflicts,
        unreadable: r.unreadable,
        max_seq: r.maxSeq,
        error: r.error,
        ms: r.ms,
      });
    } else {
      const lines = [
        `${r.restored} pending or dead-lettered event(s) restored from ${file} into ${config.spool.path}`,
        r.skipped > 0 ? `${r.skipped} already in the spool, skipped` : null,
        r.conflicts > 0
          ? `${r.conflicts} not restored: their seq is taken or beyond what the running relay may give; stop the relay and run this again`
          : null,
        r.unreadable.length > 0 ? `SQLite could not read seq ${describeUnreadable(r.unreadable)}` : null,
        r.error ? `error: ${r.error}` : null,
        alone ? null : 'the running relay sends them within about a second',
      ].filter((l): l is string => l !== null);
      p.finish(lines.join('\n'));
    }
    return r.error ? 1 : 0;
  } finally {
    await target.close();
  }
}
