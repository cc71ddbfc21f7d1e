import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { Outgoing } from './messages.ts';
import type { Receiver, ReceiverKind } from './receivers.ts';

/**
 * One queue per receiver, drained by one sender: enqueue() returns at once,
 * so an alert never waits on Slack or a mail server, and nothing else does.
 * A failed send is retried with doubling backoff; the queue is bounded and
 * drops its oldest message (counted) when full. A receiver's failures are
 * counted and shown in status(), logged as warnings, and never alerted on:
 * an alert about alerts would go to the receiver that is failing.
 */

export interface DispatchOptions {
  timeoutMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  queueSize: number;
}

export const DEFAULT_DISPATCH: DispatchOptions = {
  timeoutMs: 10_000,
  initialBackoffMs: 5_000,
  maxBackoffMs: 300_000,
  queueSize: 100,
};

export interface ReceiverStatus {
  kind: ReceiverKind;
  target: string;
  /** The last attempt's outcome; null before the first. */
  ok: boolean | null;
  lastError: string | null;
  /** The last answer, success or not ("HTTP 200 ok", "250 Ok"). */
  lastAnswer: string | null;
  /** Failed attempts since start (each retry counts). */
  failures: number;
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  sent: number;
  /** Messages given up: pushed out of a full queue, or refused for good by the receiver. */
  dropped: number;
  queued: number;
}

export class Channel {
  /** Waiting messages; the one being tried (and retried) is `current`, outside the bound. */
  private readonly queue: Outgoing[] = [];
  private current: Outgoing | null = null;
  /** A request is out now (not a backoff wait). */
  private sending = false;
  private running = false;
  private stopped = false;
  private backoff = 0;
  private wake: (() => void) | null = null;
  private readonly st: Omit<ReceiverStatus, 'kind' | 'target' | 'queued'> = {
    ok: null,
    lastError: null,
    lastAnswer: null,
    failures: 0,
    lastAttemptAt: null,
    lastSuccessAt: null,
    sent: 0,
    dropped: 0,
  };
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly receiver: Receiver,
    private readonly opts: DispatchOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  enqueue(out: Outgoing): void {
    if (this.stopped) return;
    this.queue.push(out);
    while (this.queue.length > this.opts.queueSize) {
      this.queue.shift();
      this.st.dropped++;
      this.log.warn(
        { receiver: this.receiver.kind, dropped: this.st.dropped },
        'alert queue full; oldest alert dropped',
      );
    }
    if (!this.running) void this.run();
  }

  /** Moves another channel's waiting messages here (a reload that replaced the receiver). */
  adopt(from: Channel): void {
    const waiting = from.queue.splice(0);
    // One waiting for its retry moves too; one whose request is out stays with its old receiver.
    if (from.current && !from.sending) waiting.unshift(from.current);
    for (const out of waiting) this.enqueue(out);
  }

  status(): ReceiverStatus {
    const queued = this.queue.length + (this.current ? 1 : 0);
    return { kind: this.receiver.kind, target: this.receiver.target, ...this.st, queued };
  }

  /** Resolves once nothing waits and nothing is being sent (tests; `stop`). */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** No more sends; a send under way is given up to `graceMs` (it is bounded by timeoutMs anyway). */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.wake?.();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.idle(), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.receiver.close();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped) {
        const out = this.current ?? this.queue.shift();
        if (!out) break;
        this.current = out;
        this.sending = true;
        const r = await this.receiver.send(out, this.opts.timeoutMs).finally(() => {
          this.sending = false;
        });
        this.st.lastAttemptAt = this.clock.now();
        this.st.ok = r.ok;
        this.st.lastAnswer = r.answer;
        if (r.ok) {
          this.st.sent++;
          this.st.lastSuccessAt = this.st.lastAttemptAt;
          this.st.lastError = null;
          this.backoff = 0;
          this.current = null;
          continue;
        }
        this.st.failures++;
        this.st.lastError = r.answer;
        const log = { receiver: this.receiver.kind, target: this.receiver.target, answer: r.answer };
        if (r.permanent) {
          this.current = null;
          this.st.dropped++;
          this.log.warn(log, 'alert receiver refused the alert; dropped');
          continue;
        }
        this.backoff = Math.min(
          this.opts.maxBackoffMs,
          this.backoff === 0 ? this.opts.initialBackoffMs : this.backoff * 2,
        );
        this.log.warn({ ...log, retry_in_ms: this.backoff }, 'alert not sent; will retry');
        await this.sleep(this.backoff);
      }
    } catch (e) {
      this.log.error({ receiver: this.receiver.kind, err: (e as Error).message }, 'alert sender failed');
    } finally {
      this.running = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
    if (!this.stopped && (this.current || this.queue.length > 0)) void this.run();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(t);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }
}
