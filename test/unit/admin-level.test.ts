import { describe, expect, it } from 'bun:test';
import { type Level, statusLevel } from '../../src/admin/level.ts';
import { siteView } from '../../src/admin/site.ts';
import { hostTimeZone } from '../../src/config/index.ts';
import type { Health } from '../../src/health/index.ts';

/** The status page's colour and its site line, as pure functions: every case without a server. */

const healthy: Health = {
  status: 'ok',
  version: 'test',
  spool: { ok: true, pending: 0, dead: 0, bytes: 0, max_bytes: 100, error: null, quarantined: [], salvaging: false },
  cloud: { reachable: true, since: null, last_delivery_at: null, last_error: null },
  paused_tokens: [],
};
const down = { ...healthy, status: 'degraded' as const, cloud: { ...healthy.cloud, reachable: false } };
const paused = [{ token: 'abc…', until: '2026-01-01T00:00:00.000Z', reason: 'cloud answered 401' }];

describe('statusLevel', () => {
  const cases: [string, Health, number | null, number, Level][] = [
    ['all well', healthy, null, 0, 'ok'],
    ['all well but something listed (a dead letter)', healthy, null, 1, 'warn'],
    ['the cloud silent for 20 s', down, 20, 1, 'warn'],
    ['the cloud silent for 59 s', down, 59, 1, 'warn'],
    ['the cloud silent for exactly 60 s', down, 60, 1, 'degraded'],
    ['the cloud silent for 61 s', down, 61, 1, 'degraded'],
    ['the cloud silent since an unknown time', down, null, 1, 'degraded'],
    [
      'a short outage and a spool that cannot write',
      { ...down, spool: { ...down.spool, ok: false } },
      5,
      2,
      'degraded',
    ],
    ['a short outage and a paused token', { ...down, paused_tokens: paused }, 5, 2, 'degraded'],
    [
      'a short outage and a quarantined spool',
      { ...down, spool: { ...down.spool, quarantined: [{ file: 'relay.db.damaged-x', at: 'x', reason: 'r' }] } },
      5,
      2,
      'degraded',
    ],
    [
      'a paused token, the cloud answering',
      { ...healthy, status: 'degraded', paused_tokens: paused },
      null,
      1,
      'degraded',
    ],
    // /health degraded for a reason this function does not know of: red, never softened.
    ['degraded with the cloud answering', { ...healthy, status: 'degraded' }, 5, 0, 'degraded'],
  ];
  for (const [name, health, outageSeconds, attention, level] of cases) {
    it(`${name}: ${level}`, () => {
      expect(statusLevel({ health, outageSeconds, amberSeconds: 60, attention })).toBe(level);
    });
  }
});

describe('siteView', () => {
  const at = Date.UTC(2026, 6, 14, 12, 5, 9); // July: northern summer time, southern winter
  const cases: [string, string, string][] = [
    ['America/Sao_Paulo', '2026-07-14T09:05:09-03:00', 'Tue, 14 Jul 2026, 09:05 (UTC-03:00)'],
    ['Europe/Lisbon', '2026-07-14T13:05:09+01:00', 'Tue, 14 Jul 2026, 13:05 (UTC+01:00)'],
    ['Asia/Kolkata', '2026-07-14T17:35:09+05:30', 'Tue, 14 Jul 2026, 17:35 (UTC+05:30)'],
    ['America/St_Johns', '2026-07-14T09:35:09-02:30', 'Tue, 14 Jul 2026, 09:35 (UTC-02:30)'],
    ['Pacific/Kiritimati', '2026-07-15T02:05:09+14:00', 'Wed, 15 Jul 2026, 02:05 (UTC+14:00)'],
    ['UTC', '2026-07-14T12:05:09+00:00', 'Tue, 14 Jul 2026, 12:05 (UTC+00:00)'],
  ];
  for (const [zone, iso, text] of cases) {
    it(`${zone}: ${iso}`, () => {
      const v = siteView({ name: 'Cantina', timezone: zone }, at);
      expect(v).toEqual({ name: 'Cantina', timezone: zone, local_time: iso, local_time_text: text });
      // The ISO form names the same instant, to the second.
      expect(Date.parse(v.local_time)).toBe(Math.floor(at / 1000) * 1000);
    });
  }

  it('"" is the host\'s zone, an unknown zone UTC (the page renders even so)', () => {
    expect(siteView({ name: '', timezone: '' }, at).timezone).toBe(hostTimeZone());
    expect(siteView({ name: '', timezone: 'Mars/Olympus' }, at).timezone).toBe('UTC');
  });
});
