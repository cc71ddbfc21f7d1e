/**
 * What the relay counts, as calls. The HTTP and forward layers call these; the
 * Prometheus rendering lives in src/admin/metrics.ts. Tokens are passed whole
 * and masked (first 8 characters) by the implementation. `env` is the spool's
 * lane env ("prod" or "dev"), a plain string here so that lib/ depends on
 * nothing outside it.
 */
/** One kind of refusal for one token (its first 8 characters), as the alerts read it. */
export interface RefusalCount {
  reason: string;
  token: string;
  client: string | null;
  /** Since start. */
  count: number;
  /** In the tally's last few minutes (http/tally.ts RECENT_MINUTES). */
  recent: number;
}

/** The refusal counts /metrics and the alerts read (http/tally.ts keeps them). */
export interface RefusalCounts {
  /** Refusals of the webhook endpoint since start, by reason, every reason present (0 included). */
  byReason(): Record<string, number>;
  /** Unknown-token refusals by the token's first 8 characters; a bounded set, the rest under "other". */
  unknownTokens(): Record<string, number>;
  /** Per kind and token, most refused first. */
  entries(): readonly RefusalCount[];
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
