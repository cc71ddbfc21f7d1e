/**
 * A read of every event, off the main thread: SQLite reports a damaged page
 * only when something reads it, and start-up no longer reads every event (the
 * counts live in `lane_counts`). `sum(size)` needs each row's record, which
 * sits after the body, so every leaf and overflow page of `events` is read.
 */
import { workerUrl } from './worker-url.ts';

/** `countsDiffer`: lane_counts disagreed with the events (rows inserted around the relay's writer). */
export type ScanResult =
  | { ok: true; events: number; ms: number; countsDiffer?: boolean }
  | { ok: false; message: string };

export interface IntegrityScan {
  result: Promise<ScanResult>;
  stop(): void;
}

export function startIntegrityScan(path: string): IntegrityScan {
  const worker = new Worker(workerUrl('scan-worker'));
  let settle: (r: ScanResult) => void = () => {};
  const result = new Promise<ScanResult>((resolve) => {
    settle = resolve;
  });
  worker.onmessage = (e: MessageEvent<ScanResult>) => {
    settle(e.data);
    worker.terminate();
  };
  worker.onerror = (e) => {
    settle({ ok: false, message: e.message });
    worker.terminate();
  };
  worker.postMessage(path);
  return {
    result,
    stop: () => {
      worker.terminate();
      settle({ ok: false, message: 'the scan was stopped before it read every event' });
    },
  };
}
