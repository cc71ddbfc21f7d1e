/**
 * What the alerter observes through the metric calls: the latest delivery
 * attempts, each token's first events, and a decorator that leaves the
 * metrics themselves untouched. Plus the small pure helpers of the texts.
 */
import { describe, expect, it } from 'bun:test';
import { createMetrics } from '../../src/admin/index.ts';
import { AlertWatch, watchMetrics } from '../../src/alerts/index.ts';
import { localTime } from '../../src/alerts/messages.ts';
import { FakeClock } from '../helpers/clock.ts';

const TOKEN = '019ab6ed-150a-7be1-920f-ab82305e5d41';

function watch(window = 4, first = 3) {
  const settings = { success_rate_window: window, first_events: first };
  const clock = new FakeClock();
  return { w: new AlertWatch(() => settings, clock), settings, clock };
}

/** One event as ingest reports it: received, then one warning() per warning, in the same turn. */
const event = (w: AlertWatch, token: string, ...warnings: string[]) => {
  w.received(token);
  for (const id of warnings) w.warning(id);
};

describe('AlertWatch: delivery attempts', () => {
  it('counts only the latest success_rate_window attempts; 2xx is a success', () => {
    const { w } = watch(4);
    for (const c of ['error', 'error', '503', '200', '201', '204']) w.attempt(c);
    expect(w.attempts()).toEqual({ total: 4, ok: 3, codes: { '503': 1, '200': 1, '201': 1, '204': 1 } });
  });

  it('a reload that shrinks or grows the window keeps the latest attempts', () => {
    const { w, settings } = watch(4);
    for (const c of ['error', '200', '200', '503', '200']) w.attempt(c); // ring holds 200 200 503 200
    settings.success_rate_window = 2;
    expect(w.attempts()).toEqual({ total: 2, ok: 1, codes: { '503': 1, '200': 1 } });
    settings.success_rate_window = 3;
    w.attempt('error');
    w.attempt('error'); // 503 200 error error -> the oldest goes: 200 error error
    expect(w.attempts()).toEqual({ total: 3, ok: 1, codes: { '200': 1, error: 2 } });
  });
});

describe("AlertWatch: a token's first events", () => {
  it('a warning among the first first_events is watched until first_events clean ones follow', () => {
    const { w } = watch(4, 3);
    event(w, TOKEN);
    event(w, TOKEN, 'missing_table_number', 'missing_event');
    event(w, TOKEN, 'missing_table_number');
    expect(w.firstEvents()).toEqual([
      {
        token: TOKEN,
        seen: 3,
        warned: 2,
        kinds: { missing_table_number: 2, missing_event: 1 },
        firstWarnedAt: expect.any(Number),
        settled: false,
      },
    ]);
    event(w, TOKEN);
    event(w, TOKEN);
    event(w, TOKEN, 'missing_table_number'); // past the first three, but the alert is still open: it counts
    event(w, TOKEN);
    event(w, TOKEN);
    expect(w.firstEvents()[0]).toMatchObject({ warned: 3, settled: false });
    event(w, TOKEN);
    expect(w.firstEvents()[0]).toMatchObject({ warned: 3, settled: true });
    event(w, TOKEN, 'missing_event'); // settled: never watched again
    expect(w.firstEvents()[0]).toMatchObject({
      warned: 3,
      seen: 9,
      kinds: { missing_table_number: 3, missing_event: 1 },
    });
  });

  it('clean first events settle the token: a later warning starts nothing', () => {
    const { w } = watch(4, 2);
    event(w, TOKEN);
    event(w, TOKEN);
    event(w, TOKEN, 'missing_table_number');
    expect(w.firstEvents()).toEqual([]);
  });

  it('warnings are given to the event received just before, token by token', () => {
    const { w } = watch(4, 5);
    event(w, 'tok-A', 'missing_event');
    event(w, 'tok-B');
    event(w, 'tok-A');
    expect(w.firstEvents().map((t) => [t.token, t.warned, t.seen])).toEqual([['tok-A', 1, 2]]);
  });

  it('first_events = 0 watches nothing', () => {
    const { w } = watch(4, 0);
    event(w, TOKEN, 'missing_event');
    expect(w.firstEvents()).toEqual([]);
  });
});

describe('watchMetrics', () => {
  it('tells the watch and still counts every call in the Prometheus metrics', async () => {
    const { w } = watch(10, 5);
    const inner = createMetrics();
    const m = watchMetrics(inner, w);
    m.received(TOKEN, 'prod');
    m.warning('missing_event');
    m.attempt('503');
    m.attempt('200');
    m.delivered(TOKEN, 'prod');
    expect(w.attempts()).toMatchObject({ total: 2, ok: 1 });
    expect(w.firstEvents()).toHaveLength(1);
    expect(m.warningCounts()).toEqual({ missing_event: 1 });
    expect(m.contentType).toBe(inner.contentType);
    const text = await m.render();
    expect(text).toContain('relay_forward_attempts_total{code="503"} 1');
    expect(text).toContain('relay_events_received_total{token="019ab6ed…",env="prod"} 1');
    expect(text).toContain('relay_payload_warnings_total{warning="missing_event"} 1');
  });
});

describe('message times', () => {
  it("times are the site's zone: the hour alone today, with the date on another day", () => {
    const at = Date.UTC(2026, 0, 1, 11, 12);
    expect(localTime(at, Date.UTC(2026, 0, 1, 12), 'UTC')).toBe('11:12');
    expect(localTime(at, Date.UTC(2026, 0, 1, 12), 'America/Sao_Paulo')).toBe('08:12');
    expect(localTime(at, Date.UTC(2026, 0, 2, 12), 'UTC')).toBe('1 Jan 11:12');
  });
});
