import { closeSync, mkdirSync, openSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stdout. No transports: they spawn worker threads that a
 * compiled binary cannot resolve, and the relay's operator reads stdout/journald.
 * Full tokens never reach a log: callers log `maskToken(token)` only.
 */
export function createLogger(level: string, dest?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'relay' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous writes: with an asynchronous destination, a dead stdout reader
    // (EPIPE) made pino's exit flush retry forever and SIGTERM hang. The relay
    // logs per failure and per state change, never per accepted request.
    dest ?? pino.destination({ fd: 1, sync: true }),
  );
}

/**
 * Whether the relay's own log can be written. A log that fails never stops the
 * relay; it is reported here (the /health reasons, the page, /metrics) instead.
 */
export interface LogHealth {
  /** False while the latest write failed. */
  ok: boolean;
  /** The latest failure, e.g. "ENOSPC: no space left on device, write"; null when none since start. */
  error: string | null;
  /** Log lines lost since start (writes that failed). */
  failures: number;
  /** Wall time the current failure began; null while ok. */
  since: number | null;
}

export const healthyLog = (): LogHealth => ({ ok: true, error: null, failures: 0, since: null });

export const silentLogger: Logger = pino({ level: 'silent' });

/** A log file grows to this size, then becomes `<file>.1` (replacing the older one): ~20 MB of log at most. */
export const LOG_FILE_MAX_BYTES = 10 * 1024 * 1024;
const ROTATE_CHECK_MS = 60_000;

export interface FileLog {
  logger: Logger;
  /** Renames the file to `<file>.1` and starts a new one if it has reached `maxBytes`; true when it did. */
  rotateIfLarge(): boolean;
  stop(): void;
}

/**
 * `log.file`: the same JSON lines appended to a file, for the Windows
 * service, whose standard output nobody reads. Checked at start, every minute
 * and rotated past `maxBytes`, so a relay left alone for years cannot fill
 * the disk with its log. Throws, naming the file, when it cannot be opened.
 */
export function createFileLogger(
  level: string,
  path: string,
  opts: { maxBytes?: number; checkEveryMs?: number } = {},
): FileLog {
  const maxBytes = opts.maxBytes ?? LOG_FILE_MAX_BYTES;
  mkdirSync(dirname(path), { recursive: true });
  // Opened once here so that a path the relay cannot write fails at start, with its reason.
  closeSync(openSync(path, 'a'));
  const dest = pino.destination({ dest: path, sync: true, append: true });
  const logger = createLogger(level, dest);
  const rotateIfLarge = (): boolean => {
    try {
      if (statSync(path).size < maxBytes) return false;
      renameSync(path, `${path}.1`);
      dest.reopen();
      logger.info({ previous: `${path}.1` }, 'log file rotated');
      return true;
    } catch (e) {
      logger.warn({ err: (e as Error).message, file: path }, 'log file rotation failed; it is tried again in a minute');
      return false;
    }
  };
  // At start too: a relay that restarts more often than it checks must not grow its file past the limit.
  rotateIfLarge();
  const timer = setInterval(rotateIfLarge, opts.checkEveryMs ?? ROTATE_CHECK_MS);
  timer.unref();
  return { logger, rotateIfLarge, stop: () => clearInterval(timer) };
}
