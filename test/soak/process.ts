/**
 * The relay under soak: the compiled binary on a fixed port (its log goes to
 * log.file, so there is no "relay started" line on stdout to read the port
 * from), started again after every kill -9, with its wall clock under
 * libfaketime when the machine has it. Ready means /health answers.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { Subprocess } from 'bun';
import { rssMb } from '../helpers/reliability.ts';
import { request } from './request.ts';

/** How long Bun's runtime takes to start a compiled binary before its program runs (about 0.1 s here; slack for a loaded machine). */
const RUNTIME_START_MS = 500;

export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
export const hasFaketime = existsSync(LIBFAKETIME);

export interface StartResult {
  ok: boolean;
  ms: number;
  /** Why it did not start: its exit code and last output, or the timeout. */
  error?: string;
}

export class RelayProcess {
  private proc: Subprocess<'ignore', 'pipe', 'pipe'> | null = null;
  private tail: string[] = [];
  /** Set before a kill we mean, so the exit is not reported as a crash. */
  private expectExit = false;
  private offsetSeconds = 0;
  readonly url: string;
  /** Exits nobody asked for: code or signal, and the last lines of output. */
  readonly crashes: { at: number; how: string; tail: string[] }[] = [];
  onCrash: (how: string, tail: string[]) => void = () => {};

  constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
    /** The libfaketime offset file, or null to run on the real clock. */
    private readonly faketimeFile: string | null,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    if (faketimeFile) writeFileSync(faketimeFile, '+0\n');
  }

  get pid(): number | null {
    return this.proc && this.proc.exitCode === null && this.proc.signalCode === null ? this.proc.pid : null;
  }

  get running(): boolean {
    return this.pid !== null;
  }

  /** Steps the relay's wall clock by `seconds` (libfaketime reads the file within a second). */
  stepClock(seconds: number): number {
    if (!this.faketimeFile) throw new Error('clock step asked for, but libfaketime is not in use');
    this.offsetSeconds += seconds;
    const o = this.offsetSeconds;
    writeFileSync(this.faketimeFile, `${o < 0 ? '-' : '+'}${Math.abs(o)}\n`);
    return o;
  }

  get clockOffsetSeconds(): number {
    return this.offsetSeconds;
  }

  /** Starts `relay serve` and waits until /health answers (any status) or `timeoutMs` passes. */
  async start(timeoutMs: number): Promise<StartResult> {
    const t0 = performance.now();
    const env: Record<string, string> = { PATH: '/usr/bin:/bin' };
    if (this.faketimeFile) {
      Object.assign(env, {
        LD_PRELOAD: LIBFAKETIME,
        FAKETIME_TIMESTAMP_FILE: this.faketimeFile,
        FAKETIME_CACHE_DURATION: '1',
        FAKETIME_DONT_FAKE_MONOTONIC: '1',
      });
    }
    this.expectExit = false;
    const proc = Bun.spawn([this.bin, 'serve'], {
      cwd: this.dir,
      env,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    this.proc = proc;
    this.spawnedAt = Date.now();
    this.tail = [];
    // An exit while starting is start()'s to report, not a crash.
    let starting = true;
    const pump = async (s: ReadableStream<Uint8Array>) => {
      const dec = new TextDecoder();
      for await (const chunk of s) {
        for (const line of dec.decode(chunk).split('\n')) {
          if (!line) continue;
          this.tail.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
          if (this.tail.length > 30) this.tail.shift();
        }
      }
    };
    void pump(proc.stdout);
    void pump(proc.stderr);
    void proc.exited.then((code) => {
      if (this.proc !== proc || this.expectExit || starting) return;
      const how = proc.signalCode ? `signal ${proc.signalCode}` : `exit code ${code}`;
      this.crashes.push({ at: Date.now(), how, tail: [...this.tail] });
      this.onCrash(how, [...this.tail]);
    });
    const end = performance.now() + timeoutMs;
    while (performance.now() < end) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        await Bun.sleep(50); // let the pumps read its last words
        return {
          ok: false,
          ms: performance.now() - t0,
          error: `relay exited (${proc.signalCode ?? proc.exitCode}) while starting; ${this.tail.length > 0 ? `its output:\n${this.tail.join('\n')}` : 'no output'}`,
        };
      }
      try {
        await request(`${this.url}/health`, {}, 1000);
        starting = false;
        return { ok: true, ms: performance.now() - t0 };
      } catch {
        await Bun.sleep(50);
      }
    }
    this.expectExit = true;
    proc.kill('SIGKILL');
    return {
      ok: false,
      ms: performance.now() - t0,
      error: `relay did not answer /health in ${timeoutMs} ms (killed):\n${this.tail.join('\n')}`,
    };
  }

  /** kill -9, and waits for the exit. */
  async kill9(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    this.expectExit = true;
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await p.exited;
  }

  /** When the running process was spawned (ms since the epoch). */
  spawnedAt = 0;

  signal(sig: NodeJS.Signals): void {
    this.proc?.kill(sig);
  }

  /**
   * A SIGHUP (a reload), sent no sooner than RUNTIME_START_MS after the spawn:
   * before the runtime runs the program's first line, no program can catch a
   * signal, and SIGHUP's default ends it. From that first line on, the relay
   * keeps a reload asked for while it starts.
   */
  async reload(): Promise<void> {
    // Looked at again after the wait: a kill -9's restart may have spawned a younger process meanwhile.
    for (let wait = this.spawnedAt + RUNTIME_START_MS - Date.now(); wait > 0; ) {
      await Bun.sleep(wait);
      wait = this.spawnedAt + RUNTIME_START_MS - Date.now();
    }
    this.proc?.kill('SIGHUP');
  }

  lastLines(): string[] {
    return [...this.tail];
  }

  /** Resident memory in MB, or null when the process is gone. */
  rssMb(): number | null {
    const pid = this.pid;
    if (pid === null) return null;
    try {
      const mb = rssMb(pid);
      // A process being started or reaped shows no (or a zero) VmRSS: not a reading.
      return Number.isNaN(mb) || mb < 1 ? null : mb;
    } catch {
      return null;
    }
  }
}
