/**
 * GET /health's body (src/health): every way to be degraded, the wire
 * format's keys, and how the CLI reads the JSON back from a relay of any
 * version. Pure: no server, no spool.
 */
import { describe, expect, it } from 'bun:test';
import type { CloudStatus, PausedToken } from '../../src/forward/index.ts';
import { buildHealth, type HealthSources, readHealth } from '../../src/health/index.ts';
import type { SpoolStats } from '../../src/spool/index.ts';
import { TOKEN } from '../helpers/config.ts';

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);
const ISO0 = '2025-01-02T03:04:05.000Z';

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
  version: '1.2.3',
  ...o,
});
const paused: PausedToken = { token: TOKEN, until: T0, reason: 'the cloud answered 401' };

describe('buildHealth', () => {
  it('reports a healthy relay with the wire format keys, in order, and ISO times', () => {
    const h = buildHealth(sources());
    expect(h).toEqual({
      status: 'ok',
      version: '1.2.3',
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
    });
    // The JSON text is what the POS side and monitors see; keep its order.
    expect(JSON.stringify(h)).toStartWith('{"status":"ok","version":"1.2.3","spool":{"ok":true,"pending":3,');
    expect(Object.keys(h)).toEqual(['status', 'version', 'spool', 'cloud', 'paused_tokens']);
  });

  const cases: [string, Partial<HealthSources>, 'ok' | 'degraded', boolean][] = [
    [
      'nothing sent yet (reachable null)',
      { cloud: cloud({ reachable: null, since: null, lastDeliveryAt: null }) },
      'ok',
      true,
    ],
    ['cloud unreachable', { cloud: cloud({ reachable: false, lastError: 'ECONNREFUSED' }) }, 'degraded', true],
    ['a spool write error', { spool: spool({ lastWriteError: 'SQLITE_FULL' }) }, 'degraded', false],
    ['the spool at its size limit', { spool: spool({ bytes: 5000 }) }, 'degraded', false],
    ['the spool just below its limit', { spool: spool({ bytes: 4999 }) }, 'ok', true],
    ['a paused token', { paused: [paused] }, 'degraded', true],
    [
      'a quarantined spool still in place (the spool itself writes)',
      { spool: spool({ quarantined: [{ file: '/d/relay.db.damaged-2026-01-01T00-00-00Z', at: ISO0, reason: 'x' }] }) },
      'degraded',
      true,
    ],
  ];
  for (const [name, o, status, spoolOk] of cases) {
    it(`${name}: ${status}, spool.ok ${spoolOk}`, () => {
      const h = buildHealth(sources(o));
      expect(h.status).toBe(status);
      expect(h.spool.ok).toBe(spoolOk);
    });
  }

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

  it('masks paused tokens and gives their end as ISO 8601', () => {
    const h = buildHealth(sources({ paused: [paused] }));
    expect(h.paused_tokens).toEqual([
      { token: `${TOKEN.slice(0, 8)}…`, until: ISO0, reason: 'the cloud answered 401' },
    ]);
    expect(JSON.stringify(h)).not.toContain(TOKEN);
  });
});

describe('readHealth (the CLI reading GET /health)', () => {
  it("reads back this relay's own body unchanged", () => {
    const h = buildHealth(sources({ paused: [paused], cloud: cloud({ reachable: false, lastError: 'x' }) }));
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
      'unknown keys are dropped',
      { status: 'ok', extra: 1, cloud: { reachable: null, more: 2 } },
      { status: 'ok', cloud: { reachable: null } },
    ],
  ];
  for (const [name, json, read] of tolerated) {
    it(name, () => expect(readHealth(json)).toEqual(read as never));
  }
});
