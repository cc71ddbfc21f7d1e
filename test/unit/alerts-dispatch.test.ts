/**
 * The per-receiver queue, with an in-memory receiver: retries with backoff,
 * a bounded queue that drops its oldest (counted), a refusal that is not
 * retried, failures visible in status(), and a stop that does not wait out
 * a backoff. No server.
 */
import { describe, expect, it } from 'bun:test';
import { Channel } from '../../src/alerts/dispatch.ts';
import type { Outgoing, Receiver, SendResult } from '../../src/alerts/index.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { FakeClock } from '../helpers/clock.ts';
import { waitFor } from '../helpers/wait.ts';

const msg = (text: string): Outgoing => ({
  message: { text, site: 's', condition: 'spool_full', state: 'firing', since: '', details: {}, what_to_do: '' },
  subject: text,
});

/** Answers from `script` in order (then ok); a `hold` answer waits until release() is called. */
function scripted(script: (SendResult | 'hold')[] = []) {
  const got: string[] = [];
  let release: (() => void) | null = null;
  const receiver: Receiver = {
    kind: 'webhook',
    target: 'https://hooks.example/servi…',
    key: 'k',
    async send(out) {
      got.push(out.message.text);
      const next = script.shift() ?? { ok: true, answer: 'HTTP 200 ok' };
      if (next === 'hold') {
        await new Promise<void>((r) => (release = r));
        return { ok: true, answer: 'HTTP 200 ok' };
      }
      return next;
    },
    close() {},
  };
  return { receiver, got, release: () => release?.() };
}

const OPTS = { timeoutMs: 1000, initialBackoffMs: 10, maxBackoffMs: 40, queueSize: 3 };
const down: SendResult = { ok: false, answer: 'connect ECONNREFUSED 127.0.0.1:1' };

describe('alert channel', () => {
  it('retries a receiver that is down with backoff, then delivers in order; failures are counted', async () => {
    const r = scripted([down, down, down]);
    const clock = new FakeClock();
    const c = new Channel(r.receiver, OPTS, clock, silentLogger);
    c.enqueue(msg('one'));
    c.enqueue(msg('two'));
    await waitFor(() => c.status().failures === 2, 'two failures');
    expect(c.status()).toMatchObject({ ok: false, lastError: down.answer, queued: 2, sent: 0 });
    await c.idle();
    expect(r.got).toEqual(['one', 'one', 'one', 'one', 'two']);
    expect(c.status()).toMatchObject({
      ok: true,
      lastError: null,
      lastAnswer: 'HTTP 200 ok',
      failures: 3,
      sent: 2,
      dropped: 0,
      queued: 0,
      lastAttemptAt: clock.now(),
      lastSuccessAt: clock.now(),
    });
  });

  it('a full queue drops its oldest waiting message, never the one being sent, and counts it', async () => {
    const r = scripted(['hold']);
    const c = new Channel(r.receiver, OPTS, new FakeClock(), silentLogger);
    for (const t of ['a', 'b', 'c', 'd', 'e', 'f']) c.enqueue(msg(t));
    expect(c.status()).toMatchObject({ dropped: 2, queued: 4 });
    r.release();
    await c.idle();
    expect(r.got).toEqual(['a', 'd', 'e', 'f']);
    expect(c.status()).toMatchObject({ sent: 4, dropped: 2, queued: 0 });
  });

  it('a refusal for good (a 4xx) is dropped, not retried, and the next message goes', async () => {
    const r = scripted([{ ok: false, answer: 'HTTP 404 no_team', permanent: true }]);
    const c = new Channel(r.receiver, OPTS, new FakeClock(), silentLogger);
    c.enqueue(msg('one'));
    c.enqueue(msg('two'));
    await c.idle();
    expect(r.got).toEqual(['one', 'two']);
    expect(c.status()).toMatchObject({ sent: 1, failures: 1, dropped: 1, ok: true });
  });

  it('stop does not wait out a backoff', async () => {
    const r = scripted([down]);
    const c = new Channel(
      r.receiver,
      { ...OPTS, initialBackoffMs: 60_000, maxBackoffMs: 60_000 },
      new FakeClock(),
      silentLogger,
    );
    c.enqueue(msg('one'));
    await waitFor(() => c.status().failures === 1, 'the first failure');
    const t0 = performance.now();
    await c.stop(5000);
    expect(performance.now() - t0).toBeLessThan(1000);
    c.enqueue(msg('after stop'));
    expect(r.got).toEqual(['one']);
  });
});
