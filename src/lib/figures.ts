/**
 * A figure the relay shows on /metrics and pushes as telemetry: one definition
 * (name, help, kind, how to read it) feeds both, so the two never disagree on
 * what a number means. Read when a scrape or a push asks, never per event.
 */
export interface Figure {
  /** The Prometheus name, the OTLP metric name too ("relay_events_received_total"). */
  readonly name: string;
  readonly help: string;
  /** A counter only grows (since start, or kept across restarts); a gauge is a reading now. */
  readonly kind: 'counter' | 'gauge';
  readonly labelNames: readonly string[];
  /** Its samples now; [] while there is nothing to read yet (before the spool is watched). */
  read(): readonly Sample[];
}

export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}
