/**
 * Time as a dependency: services take a Clock so tests can move time without sleeping.
 *
 * Two clocks, for two jobs. `now()` is the wall clock: what people read and
 * what is stored (an event's received_at, a time on the page). `mono()` is a
 * monotonic count of milliseconds since an arbitrary origin: every wait,
 * timeout, backoff, rate bucket, hold and age the relay acts on runs on it, so
 * an NTP correction, a dead CMOS battery or a technician fixing the date
 * neither freezes a lane nor fires an alert.
 */
export interface Clock {
  /** Wall-clock milliseconds since the Unix epoch. */
  now(): number;
  /** Monotonic milliseconds (never steps, never goes back); only differences mean anything. */
  mono(): number;
}

export const systemClock: Clock = { now: () => Date.now(), mono: () => performance.now() };

/** The wall time a monotonic instant `at` corresponds to, read in today's wall-clock frame. */
export const wallAt = (clock: Clock, at: number): number => clock.now() - (clock.mono() - at);

/** A wall-clock step the relay noticed: its size and when (both clocks' readings just after it). */
export interface ClockStep {
  /** Wall minus monotonic moved by this much: positive, the wall clock jumped forwards. */
  deltaMs: number;
  /** Wall time just after the step (in the new frame). */
  at: number;
  /** Monotonic time it was noticed. */
  atMono: number;
}

/**
 * Below this, a change of wall minus monotonic is a slew or timer jitter, not a
 * step: both clocks are read in the same tick, so their gap only moves when
 * the wall clock is set.
 */
export const CLOCK_STEP_MIN_MS = 2000;

/**
 * Notices steps of the wall clock by watching wall minus monotonic. `check()`
 * is cheap (two clock reads); the relay calls it every second. Pure state, no
 * timers and no log: the caller reports what it returns.
 */
export class ClockStepWatch {
  private offset: number;
  private lastStep: ClockStep | null = null;
  private count = 0;

  constructor(
    private readonly clock: Clock,
    private readonly minMs = CLOCK_STEP_MIN_MS,
  ) {
    this.offset = clock.now() - clock.mono();
  }

  /** The step seen since the last check, if any (it becomes `last()`). */
  check(): ClockStep | null {
    const offset = this.clock.now() - this.clock.mono();
    const delta = offset - this.offset;
    if (Math.abs(delta) < this.minMs) return null;
    this.offset = offset;
    this.count++;
    this.lastStep = { deltaMs: Math.round(delta), at: this.clock.now(), atMono: this.clock.mono() };
    return this.lastStep;
  }

  /** The latest step seen since start; null when the wall clock never stepped. */
  last(): ClockStep | null {
    return this.lastStep;
  }

  /** Steps seen since start. */
  steps(): number {
    return this.count;
  }
}
