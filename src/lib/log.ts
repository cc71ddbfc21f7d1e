import {
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import { type Clock, systemClock } from './clock.ts';

export type { Logger };

/** Fields every line carries, beside level and time; the destination's own notes carry them too. */
const LOG_BASE = { app: 'relay' } as const;

/**
 * JSON lines on stdout (or on `dest`). No transports: they spawn worker
 * threads that a compiled binary cannot resolve, and the relay's operator
 * reads stdout/journald. Full tokens never reach a log: callers log
 * `maskToken(token)` only.
 */
export function createLogger(level: string, dest?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: LOG_BASE,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    dest ?? streamDestination(1, 'standard output'),
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

/** Writes nothing, and opens nothing: pino's default destination would be a SonicBoom on stdout with an exit hook. */
export const silentLogger: Logger = pino({ level: 'silent' }, { write: () => {} });

/** A log file grows to this size, then becomes `<file>.1` (replacing the older one): ~20 MB of log at most. */
export const LOG_FILE_MAX_BYTES = 10 * 1024 * 1024;

/** A log that cannot be written is tried again this long after its last failure (a freed disk, a recreated folder). */
export const LOG_RETRY_MS = 2000;

/** How often a log file's path is compared with the file being written: a removed or replaced file is noticed. */
const LOG_IDENTITY_CHECK_MS = 1000;

/**
 * How long one line may wait for a reader that is not keeping up (EAGAIN on a
 * non-blocking stdout): past it the line is dropped, never the event loop held.
 */
const LOG_EAGAIN_WAIT_MS = 50;

/**
 * Open errors that are the disk's state at this moment, not the config: at
 * start the relay starts anyway and keeps trying, as it does for a write that
 * fails later. Any other error opening `log.file` at start (a folder, a file
 * where a folder should be, no permission) is the config's, and stops start-up.
 */
export const LOG_DISK_STATE_CODES = [
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EMFILE',
  'ENFILE',
  'ENOMEM',
  'EAGAIN',
  'EBUSY',
] as const;

/** Whether an error opening `log.file` at start is the config's (stop, naming the key) rather than the disk's state (start, retry). */
export const isLogConfigError = (code: string | undefined): boolean =>
  !(LOG_DISK_STATE_CODES as readonly string[]).includes(code ?? '');

/**
 * A pino destination that never throws into the relay. A write that fails
 * (disk full, file removed, no permission, EPIPE on a closed stdout) drops the
 * line and counts it in `health()`; the first failure of a run of them is
 * reported once on stderr, never once per line. Writing is tried again
 * `retryMs` after the last failure (a file is reopened, its folder recreated),
 * and the first line that gets through is a note of how many were lost.
 *
 * Synchronous writes on an fd it owns (no SonicBoom: its sync mode throws on
 * write errors and spins on EAGAIN): a line is complete in the file before the
 * call that logged it returns, so a `log.fatal(); process.exit()` keeps it.
 */
export interface LogDestination extends pino.DestinationStream {
  write(line: string): void;
  /** Writes are synchronous: nothing to flush. Calls `cb` at once. */
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
  health(): LogHealth;
  /** The timer's work: retries a failing log when due; a file's removal or replacement is noticed and a new one started. */
  check(): void;
  close(): void;
}

export interface LogDestinationOptions {
  clock?: Clock;
  retryMs?: number;
  /** Where the one line per run of failures (and per recovery) goes: stderr unless given. */
  report?: (line: string) => void;
}

const reportOnStderr = (line: string) => {
  try {
    writeSync(2, `${line}\n`);
  } catch {
    // stderr is gone as well: the health says it.
  }
};

const sleepMs = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

interface Failure {
  error: string;
  /** Wall time it began (LogHealth.since). */
  since: number;
  /** Lines dropped during this run of failures. */
  lost: number;
}

/** Where a destination writes: an fd it was given (stdout), or a file it opens, rotates and reopens. */
interface Target {
  name: string;
  /** Returns the fd to write to; throws when it cannot. */
  open(): number;
  /** Gives the fd up after a failure (a file's is closed; stdout's stays). */
  release(fd: number): void;
  /** A partial line can be cut off again (a regular file) rather than ended with a newline later. */
  truncatable(fd: number): boolean;
}

class SafeDestination implements LogDestination {
  private fd: number | null = null;
  private failure: Failure | null = null;
  private lastError: string | null = null;
  private lost = 0;
  private retryAt = 0;
  /** A partial line is left in the stream: the next write starts on a new line. */
  private brokenLine = false;
  /** Bytes in the current file: its size when opened, plus what was written since (the cap is checked on it). */
  written = 0;
  private readonly clock: Clock;
  private readonly retryMs: number;
  private readonly report: (line: string) => void;
  /** Told every line after its write (telemetry's OTLP logs, hearLog); a listener can neither stop nor break the log. */
  readonly listeners = new Set<(line: string) => void>();

  constructor(
    private readonly target: Target,
    opts: LogDestinationOptions,
    /** Called with the fd before each line: a file's checks (rotation, identity); may reopen through `reopen`. */
    private readonly beforeLine: (self: SafeDestination, bytes: number) => void = () => {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.retryMs = opts.retryMs ?? LOG_RETRY_MS;
    this.report = opts.report ?? reportOnStderr;
  }

  write(line: string): void {
    try {
      const buf = Buffer.from(line);
      if (!this.ready()) {
        this.drop();
        return;
      }
      this.beforeLine(this, buf.length);
      if (this.fd === null || !this.put(buf)) this.drop();
    } catch (e) {
      // Nothing above throws by design; should it, the line is counted and the relay goes on.
      this.drop();
      try {
        this.fail(e, 0);
      } catch {
        // A report that throws: the count above stands.
      }
    }
    for (const hear of this.listeners) {
      try {
        hear(line);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  flush(cb?: (err?: Error) => void): void {
    cb?.();
  }

  flushSync(): void {}

  health(): LogHealth {
    return {
      ok: this.failure === null,
      error: this.lastError,
      failures: this.lost,
      since: this.failure?.since ?? null,
    };
  }

  check(): void {
    try {
      if (this.failure !== null) {
        if (this.clock.mono() >= this.retryAt) this.ready();
      } else if (this.fd === null) this.open();
      else this.beforeLine(this, 0);
    } catch (e) {
      try {
        this.fail(e, 0);
      } catch {
        // A report that throws: the timer goes on.
      }
    }
  }

  close(): void {
    if (this.fd !== null) this.target.release(this.fd);
    this.fd = null;
  }

  /** Opens the target for this destination's first write, or after a failure once `retryMs` has passed. */
  open(): boolean {
    try {
      this.fd = this.target.open();
      return true;
    } catch (e) {
      this.fail(e, 0);
      return false;
    }
  }

  /** Stops writing until the retry, as a failed write does; `e` says why. */
  suspend(e: unknown): void {
    this.close();
    this.fail(e, 0);
  }

  /** A new fd (rotation, a replaced file) whose first line is `note`. */
  reopen(note: string): void {
    this.close();
    if (this.open()) this.put(Buffer.from(note));
  }

  get currentFd(): number | null {
    return this.fd;
  }

  /**
   * An fd to write to, ending a run of failures when due: the note of what
   * was lost is the line that proves the log writable again.
   */
  private ready(): boolean {
    if (this.failure === null) return this.fd !== null || this.open();
    if (this.clock.mono() < this.retryAt) return false;
    if (this.fd === null && !this.open()) return false;
    const f = this.failure;
    // A file left past its size is rotated before anything more goes in (and may fail again).
    this.beforeLine(this, 0);
    if (this.fd === null) return false;
    const note = noteLine(
      this.clock,
      'warn',
      { lost: f.lost, error: f.error, failingSince: new Date(f.since).toISOString() },
      'the log could not be written; lines were lost',
    );
    // put() ends the failure only when the note is written: a disk still full keeps it.
    if (!this.put(Buffer.from(note), true)) return false;
    this.report(`relay: the log (${this.target.name}) is written again; ${f.lost} lines were lost`);
    return true;
  }

  /** Writes every byte of `buf`; false (the failure recorded) when it cannot. */
  private put(buf: Buffer, endsFailure = false): boolean {
    const fd = this.fd;
    if (fd === null) return false;
    const bytes = this.brokenLine ? Buffer.concat([Buffer.from('\n'), buf]) : buf;
    let off = 0;
    let waited = 0;
    while (off < bytes.length) {
      let n = 0;
      try {
        n = writeSync(fd, bytes, off, bytes.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if ((code === 'EAGAIN' || code === 'EINTR') && waited < LOG_EAGAIN_WAIT_MS) {
          sleepMs(1);
          waited++;
          continue;
        }
        this.fail(e, off);
        return false;
      }
      if (n === 0) {
        if (waited >= LOG_EAGAIN_WAIT_MS) {
          this.fail(new Error('EAGAIN: the log reader is not keeping up, write'), off);
          return false;
        }
        sleepMs(1);
        waited++;
      }
      off += n;
    }
    this.brokenLine = false;
    this.written += bytes.length;
    if (endsFailure) this.failure = null;
    return true;
  }

  private drop(): void {
    this.lost++;
    if (this.failure !== null) this.failure.lost++;
  }

  /** Records a failure; `partial` bytes of the line got out before it. Reported once per run of failures. */
  private fail(e: unknown, partial: number): void {
    const error = errorText(e);
    this.lastError = error;
    const fd = this.fd;
    if (fd !== null) {
      if (partial > 0) this.cutPartial(fd, partial);
      this.target.release(fd);
      this.fd = null;
    }
    this.retryAt = this.clock.mono() + this.retryMs;
    if (this.failure === null) {
      this.failure = { error, since: this.clock.now(), lost: 0 };
      this.report(
        `relay: cannot write the log (${this.target.name}): ${error}; its lines are dropped and counted until it can be written again (tried every ${Math.round(this.retryMs / 1000)} s)`,
      );
    } else this.failure.error = error;
  }

  /** A line half written must not glue itself to the next one: cut it off the file, or end it with the next write. */
  private cutPartial(fd: number, partial: number): void {
    try {
      if (this.target.truncatable(fd)) {
        ftruncateSync(fd, fstatSync(fd).size - partial);
        return;
      }
    } catch {
      // The file refuses even that: the next line starts with a newline instead.
    }
    this.brokenLine = true;
  }
}

/**
 * Calls `hear` with every line `logger` writes, after the write, when its
 * destination is one of these (the relay's stdout or file log); returns the
 * undo. A logger writing elsewhere (tests, `silentLogger`) is not heard.
 */
export function hearLog(logger: Logger, hear: (line: string) => void): () => void {
  const dest = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  if (!(dest instanceof SafeDestination)) return () => {};
  dest.listeners.add(hear);
  return () => dest.listeners.delete(hear);
}

/** A line in the logger's own shape (level, time, base fields), for what the destination itself has to say. */
function noteLine(clock: Clock, level: 'info' | 'warn', fields: Record<string, unknown>, msg: string): string {
  return `${JSON.stringify({ level, time: new Date(clock.now()).toISOString(), ...LOG_BASE, ...fields, msg })}\n`;
}

/** A destination on an fd that stays open (stdout): a failed write is retried on the same fd. */
export function streamDestination(fd: number, name: string, opts: LogDestinationOptions = {}): LogDestination {
  return new SafeDestination({ name, open: () => fd, release: () => {}, truncatable: () => false }, opts);
}

export interface FileDestination extends LogDestination {
  /** Renames the file to `<file>.1` and starts a new one if it has reached `maxBytes`; true when it did. */
  rotateIfLarge(): boolean;
}

/**
 * A destination appending to `path`: rotated to `<file>.1` as it writes, so
 * the file never passes `maxBytes` (two files, ~2× `maxBytes` at most, under
 * any flood); reopened, its folder recreated, when the path stops naming
 * the file being written (removed, replaced). Opens nothing itself: its first
 * write (or `check()`) does.
 */
export function fileDestination(
  path: string,
  opts: LogDestinationOptions & { maxBytes?: number } = {},
): FileDestination {
  const maxBytes = opts.maxBytes ?? LOG_FILE_MAX_BYTES;
  const clock = opts.clock ?? systemClock;
  const previous = `${path}.1`;
  /** The file's identity when opened; rotation and the identity check are for regular files only (never /dev/…). */
  let opened: { dev: number; ino: number; regular: boolean } | null = null;
  let checkedAt = -Infinity;
  const target: Target = {
    name: path,
    open() {
      mkdirSync(dirname(path), { recursive: true });
      const fd = openSync(path, 'a');
      try {
        const st = fstatSync(fd);
        opened = { dev: st.dev, ino: st.ino, regular: st.isFile() };
        dest.written = st.size;
      } catch (e) {
        closeSync(fd);
        throw e;
      }
      checkedAt = clock.mono();
      return fd;
    },
    release(fd) {
      opened = null;
      try {
        closeSync(fd);
      } catch {
        // Already gone (EBADF): nothing to give back.
      }
    },
    truncatable: () => opened?.regular === true,
  };
  const rotate = (self: SafeDestination): void => {
    self.close();
    let note = noteLine(clock, 'info', { previous }, 'log file rotated');
    try {
      renameSync(path, previous);
    } catch (e) {
      // Kept the size rather than the lines: a file that cannot be renamed is emptied.
      try {
        truncateSync(path, 0);
      } catch (e2) {
        // Neither: writing on would grow it without bound. Lines are dropped until a retry can rotate it.
        self.suspend(e2);
        return;
      }
      note = noteLine(
        clock,
        'warn',
        { err: errorText(e), file: path },
        'log file rotation failed; the file was emptied instead to keep its size',
      );
    }
    self.reopen(note);
  };
  const beforeLine = (self: SafeDestination, bytes: number): void => {
    if (self.currentFd === null) return;
    const now = clock.mono();
    if (now - checkedAt >= LOG_IDENTITY_CHECK_MS || bytes === 0) {
      checkedAt = now;
      let same = false;
      try {
        const st = statSync(path);
        same = opened !== null && st.dev === opened.dev && st.ino === opened.ino;
      } catch {
        // Gone: a new file is started below.
      }
      if (!same) {
        self.reopen(noteLine(clock, 'warn', { file: path }, 'log file was removed or replaced; a new one was started'));
        if (self.currentFd === null) return;
      }
    }
    if (opened?.regular && self.written > 0 && self.written + bytes > maxBytes) rotate(self);
  };
  const dest = new SafeDestination(target, opts, beforeLine) as SafeDestination & FileDestination;
  dest.rotateIfLarge = () => {
    if (dest.currentFd === null || !opened?.regular || dest.written < maxBytes) return false;
    rotate(dest);
    return true;
  };
  return dest;
}

export interface RelayLog {
  logger: Logger;
  /** Whether the log can be written: RelayDeps.logHealth. */
  health(): LogHealth;
  stop(): void;
}

/** The relay's log on stdout (`log.file` empty), with its health. */
export function createStdoutLog(level: string, opts: LogDestinationOptions = {}): RelayLog {
  const dest = streamDestination(1, 'standard output', opts);
  return { logger: createLogger(level, dest), health: () => dest.health(), stop: () => {} };
}

export interface FileLog extends RelayLog {
  /** Renames the file to `<file>.1` and starts a new one if it has reached `maxBytes`; true when it did. */
  rotateIfLarge(): boolean;
  /** The timer's work, run now: a failing log retried when due, a removed file noticed. */
  check(): void;
}

/**
 * `log.file`: the same JSON lines appended to a file, for the Windows
 * service, whose standard output nobody reads. Rotated at start and as it
 * writes, so neither a relay left alone for years nor a flood of lines can
 * fill the disk with its log. A file that cannot be written later (disk
 * full, folder removed) never stops the relay: see LogDestination.
 *
 * Throws, naming the reason, only when the file cannot be opened at start
 * for a reason of the config (isLogConfigError): a full disk at start is
 * the disk's state, and the relay starts with the log failing.
 */
export function createFileLogger(
  level: string,
  path: string,
  opts: LogDestinationOptions & { maxBytes?: number; checkEveryMs?: number } = {},
): FileLog {
  const maxBytes = opts.maxBytes ?? LOG_FILE_MAX_BYTES;
  // At start, before opening: a relay that restarts more often than it fills the file must not grow it past the limit.
  let rotatedAtStart = false;
  try {
    const st = statSync(path);
    if (st.isFile() && st.size >= maxBytes) {
      renameSync(path, `${path}.1`);
      rotatedAtStart = true;
    }
  } catch {
    // No file yet, or it cannot be renamed: rotation on write takes over.
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
    closeSync(openSync(path, 'a'));
  } catch (e) {
    if (isLogConfigError((e as NodeJS.ErrnoException).code)) throw e;
  }
  const dest = fileDestination(path, opts);
  const logger = createLogger(level, dest);
  if (rotatedAtStart) logger.info({ previous: `${path}.1` }, 'log file rotated');
  else dest.check();
  const timer = setInterval(() => dest.check(), opts.checkEveryMs ?? opts.retryMs ?? LOG_RETRY_MS);
  timer.unref();
  return {
    logger,
    health: () => dest.health(),
    rotateIfLarge: () => dest.rotateIfLarge(),
    check: () => dest.check(),
    stop: () => {
      clearInterval(timer);
      dest.close();
    },
  };
}
