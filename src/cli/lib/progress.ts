import type { Io } from '../context.ts';

/**
 * An Io that can also write without a trailing newline (for "\r" progress).
 * main.ts's Io has only line-oriented out/err; until it gains `write`, a
 * terminal gets process.stdout directly.
 */
export type RawIo = Io & { write?: (s: string) => void };

export interface Progress {
  /** `done` of `total` so far; drawn on a terminal only. */
  update(done: number, total: number): void;
  /** Ends the progress line (if any) and prints the final line, terminal or not. */
  finish(line: string): void;
}

/**
 * Progress for a long replay or purge. On a terminal (io.isTty) one line is
 * redrawn in place with "\r" and cleared to its end (ESC [K, ECMA-48 EL);
 * piped or redirected output gets the final line only, so logs stay clean.
 */
export function progress(io: RawIo, verb: string): Progress {
  const write = io.write ?? ((s: string) => void process.stdout.write(s));
  let drawn = false;
  return {
    update(done, total) {
      // The queries report once per chunk of 500 rows: few enough redraws, no throttle needed.
      if (!io.isTty) return;
      const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
      write(`\r${verb} ${done}/${total} (${pct}%)\x1b[K`);
      drawn = true;
    },
    finish(line) {
      if (drawn) write('\r\x1b[K');
      drawn = false;
      io.out(line);
    },
  };
}
