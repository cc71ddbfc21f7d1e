import type { Clock } from '../../src/lib/clock.ts';

/** A clock tests move by hand: `advance` moves both clocks, `stepWall` only the wall clock (a clock step). */
export class FakeClock implements Clock {
  private m = 1_000_000;
  constructor(private t = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  mono(): number {
    return this.m;
  }
  advance(ms: number): void {
    this.t += ms;
    this.m += ms;
  }
  /** The wall clock alone jumps by `ms` (negative: backwards), as an NTP step or a date fix does. */
  stepWall(ms: number): void {
    this.t += ms;
  }
}

/**
 * A FakeClock for a relay (startTestRelay's `clock`): what the relay decides
 * from its clock (a backoff's end, a pause's end, a token bucket's refill)
 * then happens at clock times the test knows exactly.
 *
 * The relay's waits are still real setTimeouts that look at the clock again
 * when they fire; a lane whose clock has not moved far enough goes back to
 * sleep. So a test either advances the clock itself and waits (waitFor) for
 * the effect, or lets `run` move it on its own.
 */
export interface TestClock extends FakeClock {
  /**
   * Moves the clock `stepMs` every `everyMs` of real time (10 times faster
   * than the wall clock by default) until the returned function is called.
   * Times the test reads from it are lower bounds the relay must honour,
   * however late its timers fire: a request sent when the clock reads t was
   * decided at t or before.
   */
  run(stepMs?: number, everyMs?: number): () => void;
}

export function testClock(start?: number): TestClock {
  const clock = new FakeClock(start) as TestClock;
  clock.run = (stepMs = 20, everyMs = 2) => {
    const timer = setInterval(() => clock.advance(stepMs), everyMs);
    return () => clearInterval(timer);
  };
  return clock;
}
