/**
 * What the relay counts, as calls. The HTTP and forward layers call these; the
 * Prometheus rendering lives in src/admin/metrics.ts. Tokens are passed whole
 * and masked (first 8 characters) by the implementation. `env` is the spool's
 * lane env ("prod" or "dev"), a plain string here so that lib/ depends on
 * nothing outside it.
 */
/** The refusal counts /metrics reads at scrape time (http/tally.ts keeps them). */
export interface RefusalCounts {
  /** Refusals of the webhook endpoint since start, by reason, every reason present (0 included). */
  byReason(): Record<string, number>;
  /** Unknown-token refusals by the token's first 8 characters; a bounded set, the rest under "other". */
  unknownTokens(): Record<string, number>;
}

export interface RelayMetrics {
  received(token: string, env: string): void;
  ingestSeconds(seconds: number): void;
  warning(name: string): void;
  attempt(code: string): void;
  delivered(token: string, env: string): void;
  dead(): void;
  /** Ingest hands over its refusal tally once; the metrics read it at each scrape. */
  watchRefusals(tally: RefusalCounts): void;
}

export const noopMetrics: RelayMetrics = {
  received() {},
  ingestSeconds() {},
  warning() {},
  attempt() {},
  delivered() {},
  dead() {},
  watchRefusals() {},
};
