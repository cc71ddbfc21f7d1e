/**
 * The refusal tally (src/http/tally.ts): every refusal of the webhook
 * endpoint counted by reason and token, a bounded set of tokens, and a log
 * that says the first refusal at once and then a count once a minute, on a
 * FakeClock moved by hand.
 */
import { describe, expect, it } from 'bun:test';
import { ingestRefusal, REFUSAL_IDS, REFUSALS, RefusalTally, refusalLine } from '../../src/http/index.ts';
import { MAX_TOKENS_PER_REASON, OTHER, SUMMARY_EVERY_MS } from '../../src/http/tally.ts';
import type { Logger } from '../../src/lib/log.ts';
import { FakeClock } from '../helpers/clock.ts';
import { captureLog, type LogLine } from '../helpers/log.ts';
import { waitFor } from '../helpers/wait.ts';

const WRONG = '7f3c2a91-0000-4000-8000-00000000dead';
const POS = 'abcd1234-1111-4111-8111-111111111111';

function tally(opts: { tickMs?: number } = {}) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 14, 2));
  const { log, lines } = captureLog('info');
  const t = new RefusalTally({ clock, log, tickMs: opts.tickMs ?? 3_600_000 });
  return { t, clock, lines };
}

const refusalLines = (lines: LogLine[]) => lines.filter((l) => typeof l.reason === 'string');

describe('the refusal reasons', () => {
  // One row per reason: what the POS is answered.
  const table: [id: string, status: number][] = [
    ['unknown_token', 401],
    ['invalid_json', 400],
    ['too_large', 413],
    ['body_timeout', 408],
    ['compressed_body', 415],
    ['mislabelled_encoding', 400],
    ['rate_limited', 429],
    ['spool_full', 503],
    ['uploads_busy', 503],
    ['spool_failing', 503],
    ['bad_request', 400],
    ['not_found', 404],
    ['internal_error', 500],
  ];
  it('are exactly these, each with its status', () => {
    expect(REFUSALS.map((r): [string, number] => [r.id, r.status])).toEqual(table);
    expect(new Set(REFUSAL_IDS).size).toBe(REFUSAL_IDS.length);
  });

  it.each(table)('%p answers %p with a {"detail"} body, the status taken from the list', (id, status) => {
    const a = ingestRefusal(id as (typeof REFUSAL_IDS)[number], 'why');
    expect(a).toEqual({ status, body: { detail: 'why' }, reason: id as (typeof REFUSAL_IDS)[number] });
  });

  it('keeps the note for the log out of the answer body', () => {
    const a = ingestRefusal('spool_failing', 'retry later', { note: 'SQLITE_IOERR', headers: { 'Retry-After': '5' } });
    expect(a.body).toEqual({ detail: 'retry later' });
    expect(a.note).toBe('SQLITE_IOERR');
    expect(a.headers).toEqual({ 'Retry-After': '5' });
  });
});

describe('RefusalTally counts', () => {
  it('starts with every reason at 0 and no token', () => {
    const { t } = tally();
    expect(t.byReason()).toEqual(Object.fromEntries(REFUSAL_IDS.map((id) => [id, 0])));
    expect(t.unknownTokens()).toEqual({});
    expect(t.entries()).toEqual([]);
  });

  it('counts by reason and by masked token, with first and last wall times', () => {
    const { t, clock } = tally();
    const start = clock.now();
    for (let i = 0; i < 3; i++) t.record('unknown_token', WRONG);
    clock.advance(5_000);
    t.record('invalid_json', POS);
    t.record('unknown_token', WRONG);
    expect(t.byReason()).toMatchObject({ unknown_token: 4, invalid_json: 1, rate_limited: 0 });
    expect(t.unknownTokens()).toEqual({ '7f3c2a91…': 4 });
    const [wrong, json] = t.entries();
    expect(wrong).toMatchObject({ reason: 'unknown_token', status: 401, token: '7f3c2a91…', count: 4 });
    expect([wrong!.firstAt, wrong!.lastAt]).toEqual([start, start + 5_000]);
    expect(json).toMatchObject({ reason: 'invalid_json', token: 'abcd1234…', count: 1, firstAt: start + 5_000 });
    // No whole token is kept anywhere a reader can reach.
    expect(JSON.stringify([t.entries(), t.unknownTokens()])).not.toContain(WRONG);
  });

  it(`keeps at most ${MAX_TOKENS_PER_REASON} tokens per reason: 10,000 random tokens add one "other", not 10,000 keys`, () => {
    const { t } = tally();
    for (let i = 0; i < 10_000; i++) t.record('unknown_token', crypto.randomUUID());
    const byToken = t.unknownTokens();
    expect(Object.keys(byToken).length).toBe(MAX_TOKENS_PER_REASON + 1);
    expect(byToken[OTHER]).toBe(10_000 - MAX_TOKENS_PER_REASON);
    expect(Object.values(byToken).reduce((a, b) => a + b, 0)).toBe(10_000);
    // Known tokens of other reasons are not crowded out by the flood.
    t.record('invalid_json', POS);
    expect(t.entries().find((e) => e.reason === 'invalid_json')?.token).toBe('abcd1234…');
  });

  it('asks for the client address once per token, and shows it', () => {
    const { t } = tally();
    let asked = 0;
    const client = () => {
      asked++;
      return '192.168.1.23';
    };
    for (let i = 0; i < 1_000; i++) t.record('unknown_token', WRONG, client);
    expect(asked).toBe(1);
    expect(t.entries()[0]?.client).toBe('192.168.1.23');
  });

  it('counts the refusals of the last 5 minutes, by whole minutes of the monotonic clock', () => {
    const { t, clock } = tally();
    const recent = () => t.entries()[0]?.recent;
    // Minute by minute: [refusals sent, recent afterwards].
    const steps: [sent: number, recent: number][] = [
      [10, 10],
      [5, 15],
      [0, 15],
      [0, 15],
      [1, 16],
      [0, 6], // the first minute's 10 fall out
      [0, 1],
      [0, 1],
      [0, 1],
      [0, 0],
    ];
    const got: number[] = [];
    for (const [sent] of steps) {
      for (let i = 0; i < sent; i++) t.record('unknown_token', WRONG);
      got.push(recent()!);
      clock.advance(60_000);
    }
    expect(got).toEqual(steps.map(([, r]) => r));
    clock.advance(3_600_000);
    t.record('unknown_token', WRONG);
    expect(recent()).toBe(1);
    expect(t.entries()[0]?.count).toBe(17);
    clock.stepWall(-86_400_000); // the wall clock a day back moves nothing
    expect(recent()).toBe(1);
  });

  it('lists as active only what was refused in the last 10 minutes (monotonic)', () => {
    const { t, clock } = tally();
    t.record('unknown_token', WRONG);
    clock.advance(5 * 60_000);
    t.record('invalid_json', POS);
    clock.stepWall(-3_600_000); // the wall clock going back an hour changes nothing
    expect(t.active().map((e) => e.reason)).toEqual(['unknown_token', 'invalid_json']);
    clock.advance(5 * 60_000);
    expect(t.active().map((e) => e.reason)).toEqual(['invalid_json']);
    clock.advance(5 * 60_000);
    expect(t.active()).toEqual([]);
    expect(t.entries()).toHaveLength(2);
  });
});

describe('RefusalTally log', () => {
  it('logs the first refusal at once with the masked token and the client, then one count a minute', () => {
    const { t, clock, lines } = tally();
    for (let i = 0; i < 100_000; i++) t.record('unknown_token', WRONG, () => '10.0.0.7');
    expect(refusalLines(lines)).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', reason: 'unknown_token', token: '7f3c2a91…', client: '10.0.0.7' });
    expect(lines[0]!.msg).toContain('7f3c2a91…');
    expect(JSON.stringify(lines)).not.toContain(WRONG);

    clock.advance(SUMMARY_EVERY_MS - 1);
    t.tick();
    expect(refusalLines(lines)).toHaveLength(1);
    clock.advance(1);
    t.tick();
    const summary = refusalLines(lines)[1]!;
    expect(summary).toMatchObject({ level: 'warn', reason: 'unknown_token', count: 99_999, total: 100_000 });
    expect(summary.tokens).toEqual({ '7f3c2a91…': 99_999 });
    expect(summary.msg).toContain('99,999 more since 14:02 UTC');
    expect(summary.msg).toContain('7f3c2a91…');
  });

  it('writes at most one summary a minute per kind however long the flood lasts', () => {
    const { t, clock, lines } = tally();
    // 10 minutes of refusals, 1,000 every second, the timer looking every second.
    for (let s = 0; s < 600; s++) {
      for (let i = 0; i < 1_000; i++) t.record('unknown_token', WRONG);
      clock.advance(1_000);
      t.tick();
    }
    const got = refusalLines(lines);
    expect(got.length).toBeGreaterThanOrEqual(10);
    expect(got.length).toBeLessThanOrEqual(11);
    const counted = got.reduce((n, l) => n + (typeof l.count === 'number' ? l.count : 1), 0);
    expect(counted).toBe(600_000);
  });

  it('gives each kind and token its own first line, and each kind its own summary', () => {
    const { t, clock, lines } = tally();
    for (let i = 0; i < 10; i++) {
      t.record('unknown_token', WRONG);
      t.record('invalid_json', POS);
      t.record('rate_limited', POS);
    }
    expect(refusalLines(lines).map((l) => [l.reason, l.token])).toEqual([
      ['unknown_token', '7f3c2a91…'],
      ['invalid_json', 'abcd1234…'],
      ['rate_limited', 'abcd1234…'],
    ]);
    clock.advance(SUMMARY_EVERY_MS);
    t.tick();
    expect(
      refusalLines(lines)
        .slice(3)
        .map((l) => [l.reason, l.count]),
    ).toEqual([
      ['unknown_token', 9],
      ['invalid_json', 9],
      ['rate_limited', 9],
    ]);
  });

  it('writes at most 5 first lines a minute per kind; the other tokens are named in the summary', () => {
    const { t, clock, lines } = tally();
    for (let i = 0; i < 20; i++) t.record('unknown_token', `${String(i).padStart(8, '0')}-rest-of-token`);
    expect(refusalLines(lines)).toHaveLength(5);
    clock.advance(SUMMARY_EVERY_MS);
    t.tick();
    const summary = refusalLines(lines)[5]!;
    expect(summary.count).toBe(15);
    expect(summary.msg).toContain('and 10 other tokens');
  });

  it('says nothing while all is quiet, stops its timer, and treats the next refusal as news', () => {
    const { t, clock, lines } = tally();
    t.record('unknown_token', WRONG);
    expect(t.ticking).toBe(true);
    clock.advance(SUMMARY_EVERY_MS);
    t.tick(); // nothing more came: no summary, and the kind goes quiet
    expect(refusalLines(lines)).toHaveLength(1);
    expect(t.ticking).toBe(false);
    clock.advance(3_600_000);
    t.record('unknown_token', WRONG);
    expect(refusalLines(lines)).toHaveLength(2);
    expect(refusalLines(lines)[1]!.token).toBe('7f3c2a91…');
  });

  it('counts its minute on the monotonic clock: a wall-clock step neither brings the summary forward nor holds it back', () => {
    const { t, clock, lines } = tally();
    t.record('invalid_json', POS);
    t.record('invalid_json', POS);
    clock.stepWall(2 * 3_600_000);
    t.tick();
    expect(refusalLines(lines)).toHaveLength(1);
    clock.stepWall(-4 * 3_600_000);
    clock.advance(SUMMARY_EVERY_MS);
    t.tick();
    expect(refusalLines(lines)).toHaveLength(2);
  });

  it('runs the summary on its own timer, with no further refusal', async () => {
    const { t, clock, lines } = tally({ tickMs: 5 });
    t.record('spool_full', POS, undefined, 'prod: spool full');
    t.record('spool_full', POS, undefined, 'prod: spool full');
    clock.advance(SUMMARY_EVERY_MS);
    await waitFor(() => refusalLines(lines).length === 2, 'the summary from the timer');
    expect(refusalLines(lines)[1]).toMatchObject({ reason: 'spool_full', count: 1, err: 'prod: spool full' });
    t.flush();
  });

  it('writes what waits when the relay stops', () => {
    const { t, lines } = tally();
    for (let i = 0; i < 42; i++) t.record('too_large', POS);
    t.flush();
    expect(refusalLines(lines).map((l) => l.count ?? 'first')).toEqual(['first', 41]);
    expect(t.ticking).toBe(false);
  });

  it('never throws, even when the log does', () => {
    const clock = new FakeClock();
    const broken = {
      warn() {
        throw new Error('EPIPE');
      },
    } as unknown as Logger;
    const t = new RefusalTally({ clock, log: broken, tickMs: 3_600_000 });
    expect(() => {
      for (let i = 0; i < 10; i++)
        t.record('unknown_token', WRONG, () => {
          throw new Error('no socket');
        });
      clock.advance(SUMMARY_EVERY_MS);
      t.tick();
      t.flush();
    }).not.toThrow();
    expect(t.byReason().unknown_token).toBe(10);
  });
});

describe('refusalLine (the status page sentence)', () => {
  const at = Date.UTC(2026, 0, 1, 17, 2);
  const entry = {
    reason: 'unknown_token' as const,
    status: 401,
    token: '7f3c2a91…',
    client: null,
    count: 3_366_426,
    firstAt: at,
    lastAt: at + 60_000,
    lastMono: 0,
    recent: 0,
  };
  const cases: [string, Parameters<typeof refusalLine>, string][] = [
    [
      'a count for people, in the site zone',
      [entry, 'America/Sao_Paulo', at + 60_000],
      'A POS is sending an unknown or inactive token 7f3c2a91…: 3,366,426 times since 14:02',
    ],
    [
      'the client when known, UTC when no zone',
      [{ ...entry, client: '10.0.0.7' }, null, at],
      'A POS at 10.0.0.7 is sending an unknown or inactive token 7f3c2a91…: 3,366,426 times since 17:02 UTC',
    ],
    [
      'once, for a single refusal',
      [{ ...entry, reason: 'invalid_json', token: 'abcd1234…', count: 1 }, 'UTC', at],
      'A POS is sending bodies that are not JSON in UTF-8 (token abcd1234…): once since 17:02',
    ],
    [
      'the configured name of a token',
      [{ ...entry, reason: 'spool_full', token: 'abcd1234…', count: 2 }, 'UTC', at, 'Terrace'],
      'Events for token abcd1234… "Terrace" are refused: the spool is full (spool.max_size_mb): 2 times since 17:02',
    ],
    [
      'tokens past the 50 kept, and no token',
      [{ ...entry, token: 'other' }, 'UTC', at],
      'A POS is sending an unknown or inactive token (one of many others): 3,366,426 times since 17:02',
    ],
    [
      'a POST with no token',
      [{ ...entry, reason: 'not_found', token: '(no token)', count: 4 }, 'UTC', at],
      'A POS is posting to a webhook address with no token or extra parts (no token): 4 times since 17:02',
    ],
    [
      'the day too, when it began a day ago',
      [{ ...entry, count: 12 }, 'UTC', at + 86_400_000],
      'A POS is sending an unknown or inactive token 7f3c2a91…: 12 times since Thu 1 Jan, 17:02',
    ],
  ];
  it.each(cases)('%s', (_what, args, want) => {
    expect(refusalLine(...args)).toBe(want);
  });
});
