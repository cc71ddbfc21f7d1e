/** One line of the bench table: what was measured, what it must be, what it was. */
export interface Figure {
  section: string;
  name: string;
  target: string;
  result: string;
  /** The number compared with the target (null when the run failed before measuring). */
  value: number | null;
  pass: boolean;
  /** How it was measured, for the record. */
  how: string;
  /** One of the few figures the README shows (the rest are in docs/performance.md). */
  headline?: boolean;
}

export interface Bench {
  /** Temporary directory for spools and configs; deleted at the end. */
  tmp: string;
  /** The ~1.5 KB session_complete body, as a file for wrk. */
  bodyFile: string;
  /** wrk threads, the same for the relay and the bare server. */
  threads: number;
  /** Seconds per measured wrk run. */
  seconds: number;
  /** Alternated relay/bare pairs. */
  pairs: number;
  /** Stops every process a section started, even when it throws. */
  defer: (fn: () => Promise<void> | void) => void;
  log: (line: string) => void;
}

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : String(n);

/** A figure that failed to be measured at all: it fails, and says why. */
export function broken(section: string, name: string, target: string, err: unknown): Figure {
  const msg = err instanceof Error ? err.message : String(err);
  return { section, name, target, result: `not measured: ${msg.split('\n')[0]}`, value: null, pass: false, how: msg };
}
