/**
 * GET /health's body (src/health): every reason to be degraded with its
 * sentence, the wire format's keys, and how the CLI reads the JSON back from
 * a relay of any version. Pure: no server, no spool.
 */
import { describe, expect, it } from 'bun:test';
import type { CloudStatus, PausedToken, StalledLane } from '../../src/forward/index.ts';
import {
  buildHealth,
  CLOCK_STEP_WINDOW_MS,
  type HealthSources,
  REASON_IDS,
  type ReasonId,
  readHealth,
} from '../../src/health/index.ts';
import { healthyLog } from '../../src/lib/log.ts';
import type { SpoolStats } from '../../src/spool/index.ts';
import { TOKEN } from '../helpers/config.ts';

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);
const ISO0 = '2025-01-02T03:04:05.000Z';
/** The monotonic clock's reading at the request. */
const MONO = 5_000_000;
const MIN = 60_000;
const HOUR = 60 * MIN;
const MASKED = `${TOKEN.slice(0, 8)}…`;

const spool = (o: Partial<SpoolStats> = {}): SpoolStats =>
  ({
    pending: 3,
    delivered: 7,
    dead: 1,
    bytes: 1000,
    maxBytes: 5000,
    lanes: [],
    lastWriteError: null,
    quarantined: [],
    quarantines: 0,
    salvaging: false,
    ...o,
  }) as SpoolStats;
const cloud = (o: Partial<CloudStatus> = {}): CloudStatus => ({
  reachable: true,
  since: T0,
  sinceMono: 0,
  lastDeliveryAt: T0,
  lastError: null,
  ...o,
});
const sources = (o: Partial<HealthSources> = {}): HealthSources => ({
  spool: spool(),
  cloud: cloud(),
  paused: [],
  stalled: [],
  log: healthyLog(),
  clock: { recent: [], steps: 0 },
  mono: MONO,
  tokens: [{ token: TOKEN, name: 'Main POS' }],
  version: '1.2.3',
  ...o,
});
const paused: PausedToken = { token: TOKEN, until: T0, reason: 'the cloud answered 401' };
const stalled: StalledLane = { token: TOKEN, env: 'prod', sinceMono: MONO - 4 * MIN, overdueMs: 4 * MIN };
const step = (deltaMs: number, agoMs: number) => ({
  recent: [{ deltaMs, at: T0, atMono: MONO - agoMs }],
  steps: 1,
});

describe('buildHealth', () => {
  it('reports a healthy relay with the wire format keys, in order, and ISO times', () => {
    const h = buildHealth(sources());
    expect(h).toEqual({
      status: 'ok',
      version: '1.2.3',
      reasons: [],
      spool: {
        ok: true,
        pending: 3,
        dead: 1,
        bytes: 1000,
        max_bytes: 5000,
        error: null,
        quarantined: [],
        salvaging: false,
      },
      cloud: { reachable: true, since: ISO0, last_delivery_at: ISO0, last_error: null },
      paused_tokens: [],
      log: { ok: true, error: null, failures: 0 },
      clock: { stepped_at: null, step_ms: null, steps: 0 },
    });
    // The JSON text is what the POS side and monitors see; keep its order.
    expect(JSON.stringify(h)).toStartWith('{"status":"ok","version":"1.2.3","reasons":[],"spool":{"ok":true,');
    expect(Object.keys(h)).toEqual(['status', 'version', 'reasons', 'spool', 'cloud', 'paused_tokens', 'log', 'clock']);
  });

  /** What changes from a healthy relay, the reasons it gives (with a pattern for the first one's sentence), spool.ok. */
  const cases: [string, Partial<HealthSources>, ReasonId[], RegExp | null, boolean][] = [
    [
      'nothing sent yet (reachable null)',
      { cloud: cloud({ reachable: null, since: null, sinceMono: null, lastDeliveryAt: null }) },
      [],
      null,
      true,
    ],
    [
      'a spool write error',
      { spool: spool({ lastWriteError: 'SQLITE_FULL: database or disk is full' }) },
      ['spool_failing'],
      /^The spool cannot write, so new events are refused \(503\): SQLITE_FULL: database or disk is full$/,
      false,
    ],
    [
      'the spool at its size limit',
      { spool: spool({ bytes: 5000 }) },
      ['spool_full'],
      /^The spool is full \(5 KB of 5 KB, spool\.max_size_mb\): new events are refused \(503\)/,
      false,
    ],
    ['the spool just below its limit', { spool: spool({ bytes: 4999 }) }, [], null, true],
    [
      'a quarantined spool still in place (the spool itself writes)',
      { spool: spool({ quarantined: [{ file: '/d/relay.db.damaged-x', at: ISO0, reason: 'malformed' }] }) },
      ['spool_quarantined'],
      /^The spool file was damaged and set aside at 2025-01-02T03:04:05\.000Z: \/d\/relay\.db\.damaged-x \(malformed\)\./,
      true,
    ],
    [
      'the cloud unreachable for 7 min, on the monotonic clock',
      { cloud: cloud({ reachable: false, sinceMono: MONO - 7 * MIN, lastError: 'ECONNREFUSED' }) },
      ['cloud_unreachable'],
      /^The cloud has not answered for 7 min \(ECONNREFUSED\)\. Events are kept on disk and sent when it answers\.$/,
      true,
    ],
    [
      'the cloud unreachable since an unknown time',
      { cloud: cloud({ reachable: false, since: null, sinceMono: null, lastError: null }) },
      ['cloud_unreachable'],
      /^The cloud has not answered \(no answer\)\./,
      true,
    ],
    [
      'a paused token, named, masked',
      { paused: [paused] },
      ['token_paused'],
      /^The cloud refuses token 019ab6ed… \(Main POS\) as invalid or inactive \(401\)\./,
      true,
    ],
    [
      'a stalled lane',
      { stalled: [stalled] },
      ['lane_stalled'],
      /^Events for token 019ab6ed… \(Main POS\) \(prod\) wait, and the relay has not tried to send them for 4 min past their schedule\./,
      true,
    ],
    [
      'a log that cannot be written',
      { log: { ok: false, error: 'ENOSPC: no space left on device, write', failures: 12, since: T0 } },
      ['log_failing'],
      /^The log cannot be written \(ENOSPC: no space left on device, write\); 12 lines lost since start\. Events are still taken and delivered\./,
      true,
    ],
    [
      'the wall clock stepped back by 2 h, 3 min ago',
      { clock: step(-2 * HOUR, 3 * MIN) },
      ['clock_stepped'],
      /^The wall clock stepped back by 2 h \(-7200000 ms\) at 2025-01-02T03:04:05\.000Z, 3 min ago: times recorded around then/,
      true,
    ],
    [
      'the wall clock stepped forwards by 8 d, just now',
      { clock: step(8 * 24 * HOUR, 0) },
      ['clock_stepped'],
      /^The wall clock stepped forwards by 8 d \(\+691200000 ms\) at /,
      true,
    ],
    ['a clock step older than the window', { clock: step(-2 * HOUR, CLOCK_STEP_WINDOW_MS) }, [], null, true],
    [
      'a clock step just inside the window',
      { clock: step(-2 * HOUR, CLOCK_STEP_WINDOW_MS - 1) },
      ['clock_stepped'],
      null,
      true,
    ],
    ['a clock step of 30 s (routine NTP at boot)', { clock: step(30_000, 0) }, [], null, true],
    [
      'a step of 2 h, then one of 30 s: the 2 h step is the reason',
      {
        clock: {
          recent: [
            { deltaMs: -2 * HOUR, at: T0, atMono: MONO - 5 * MIN },
            { deltaMs: 30_000, at: T0 + MIN, atMono: MONO - 4 * MIN },
          ],
          steps: 2,
        },
      },
      ['clock_stepped'],
      /^The wall clock stepped back by 2 h \(-7200000 ms\) at 2025-01-02T03:04:05\.000Z, 5 min ago/,
      true,
    ],
    [
      'several at once: listed in REASONS order, one per instance',
      {
        log: { ok: false, error: 'EIO', failures: 1, since: T0 },
        paused: [paused, { ...paused, token: 'ffffffff-0000-7000-8000-000000000000' }],
        spool: spool({ lastWriteError: 'disk I/O error' }),
      },
      ['spool_failing', 'token_paused', 'token_paused', 'log_failing'],
      null,
      false,
    ],
  ];
  for (const [name, o, ids, detail, spoolOk] of cases) {
    it(`${name}: ${ids.length === 0 ? 'ok' : ids.join(', ')}`, () => {
      const h = buildHealth(sources(o));
      expect(h.reasons.map((r) => r.id)).toEqual(ids);
      // Degraded exactly when there is a reason.
      expect(h.status).toBe(ids.length === 0 ? 'ok' : 'degraded');
      expect(h.spool.ok).toBe(spoolOk);
      if (detail) expect(h.reasons[0]!.detail).toMatch(detail);
      expect(JSON.stringify(h)).not.toContain(TOKEN);
    });
  }

  it('every reason in REASONS has a case above that gives it', () => {
    const given = new Set(cases.flatMap(([, , ids]) => ids));
    expect(REASON_IDS.filter((id) => !given.has(id))).toEqual([]);
  });

  it('a wall-clock step neither starts nor ends a cloud outage, nor changes its length', () => {
    const down = cloud({ reachable: false, since: T0, sinceMono: MONO - 90_000, lastError: 'timeout' });
    // The wall clock's `since` is for people; the sentence's length is the monotonic one.
    const h = buildHealth(sources({ cloud: { ...down, since: T0 + 2 * HOUR } }));
    expect(h.reasons.map((r) => r.detail)).toEqual([
      'The cloud has not answered for 1 min (timeout). Events are kept on disk and sent when it answers.',
    ]);
  });

  it('the clock part says when and how far the wall clock last stepped, and how often, even when no reason', () => {
    const h = buildHealth(sources({ clock: { recent: [{ deltaMs: -2500, at: T0, atMono: MONO }], steps: 3 } }));
    expect(h.clock).toEqual({ stepped_at: ISO0, step_ms: -2500, steps: 3 });
    expect(h.status).toBe('ok');
  });

  it('passes the spool error and the cloud error through, and null times stay null', () => {
    const h = buildHealth(
      sources({
        spool: spool({ lastWriteError: 'disk I/O error' }),
        cloud: cloud({ reachable: false, since: null, lastDeliveryAt: null, lastError: 'timeout' }),
      }),
    );
    expect(h.spool.error).toBe('disk I/O error');
    expect(h.cloud).toEqual({ reachable: false, since: null, last_delivery_at: null, last_error: 'timeout' });
  });

  it('masks tokens: paused ones, and any configured token quoted in an error sentence', () => {
    const url = `https://cloud.example/webhooks/v1/pos/${TOKEN}`;
    const h = buildHealth(
      sources({
        paused: [paused],
        cloud: cloud({ reachable: false, sinceMono: MONO, lastError: `timeout on ${url}` }),
      }),
    );
    expect(h.paused_tokens).toEqual([{ token: MASKED, until: ISO0, reason: 'the cloud answered 401' }]);
    expect(h.reasons.find((r) => r.id === 'cloud_unreachable')!.detail).toContain(`/pos/${MASKED}`);
    expect(JSON.stringify(h.reasons)).not.toContain(TOKEN);
  });
});

describe('readHealth (the CLI reading GET /health)', () => {
  it("reads back this relay's own body unchanged", () => {
    const h = buildHealth(
      sources({
        paused: [paused],
        cloud: cloud({ reachable: false, lastError: 'x' }),
        clock: step(-2 * HOUR, MIN),
        log: { ok: false, error: 'EIO', failures: 2, since: T0 },
      }),
    );
    expect(h.reasons).toHaveLength(4);
    expect(readHealth(JSON.parse(JSON.stringify(h)))).toEqual(h);
  });

  const notTheRelay: [string, unknown][] = [
    ['null', null],
    ['a string', 'ok'],
    ['an array', [{ status: 'ok' }]],
    ['no status', { version: '1' }],
    ['a status that is not a string', { status: 1 }],
    ["the cloud's error body", { detail: 'Not Found' }],
  ];
  for (const [name, json] of notTheRelay) {
    it(`is not the relay's /health: ${name}`, () => expect(readHealth(json)).toBeUndefined());
  }

  const tolerated: [string, unknown, unknown][] = [
    ['only a status (an older relay)', { status: 'ok' }, { status: 'ok' }],
    ['a status this CLI does not know', { status: 'starting' }, { status: 'starting' }],
    [
      'parts of the wrong type are left out',
      { status: 'ok', version: 3, spool: 'full', cloud: [], paused_tokens: {} },
      { status: 'ok' },
    ],
    [
      'fields of the wrong type are left out, the others kept',
      { status: 'degraded', spool: { bytes: '10', error: 'E' }, cloud: { reachable: 'no', last_error: { code: 1 } } },
      { status: 'degraded', spool: { error: 'E' }, cloud: {} },
    ],
    [
      'paused entries that are not objects are left out; missing fields stay missing',
      { status: 'degraded', paused_tokens: ['019ab6ed…', { token: 'abc…', reason: 'r' }] },
      { status: 'degraded', paused_tokens: [{ token: 'abc…', reason: 'r' }] },
    ],
    [
      'reasons without a string id and detail are left out; an id this CLI does not know is kept',
      {
        status: 'degraded',
        reasons: [{ id: 'disk_on_fire', detail: 'Smoke.' }, { id: 'x' }, 'spool_full', { id: 1, detail: 'd' }],
      },
      { status: 'degraded', reasons: [{ id: 'disk_on_fire', detail: 'Smoke.' }] },
    ],
    [
      'log and clock parts, their fields of the wrong type left out',
      {
        status: 'ok',
        log: { ok: 'yes', error: null, failures: 2 },
        clock: { stepped_at: 5, step_ms: null, steps: 1 },
      },
      { status: 'ok', log: { error: null, failures: 2 }, clock: { step_ms: null, steps: 1 } },
    ],
    [
      'unknown keys are dropped',
      { status: 'ok', extra: 1, cloud: { reachable: null, more: 2 } },
      { status: 'ok', cloud: { reachable: null } },
    ],
  ];
  for (const [name, json, read] of tolerated) {
    it(name, () => expect(readHealth(json)).toEqual(read as never));
  }
});
