/**
 * What the relay counts, as calls. The HTTP and forward layers call these; the
 * Prometheus rendering lives in src/admin/metrics.ts. Tokens are passed whole
 * and masked (first 8 characters) by the implementation. `env` is the spool's
 * lane env ("prod" or "dev"), a plain string here so that lib/ depends on
 * nothing outside it.
 */
export interface RelayMetrics {
  received(token: string, env: string): void;
  ingestSeconds(seconds: number): void;
  warning(name: string): void;
  attempt(code: string): void;
  delivered(token: string, env: string): void;
  dead(): void;
}

export const noopMetrics: RelayMetrics = {
  received() {},
  ingestSeconds() {},
  warning() {},
  attempt() {},
  delivered() {},
  dead() {},
};
