import { describe, expect, it } from 'bun:test';
import { type Level, statusLevel } from '../../src/admin/level.ts';
import { siteView } from '../../src/admin/site.ts';
import { hostTimeZone } from '../../src/config/index.ts';
import { type Health, REASON_IDS } from '../../src/health/index.ts';

/** The status page's colour and its site line, as pure functions: every case without a server. */

type H = Pick<Health, 'status' | 'reasons'>;
const reason = (id: string): Health['reasons'][number] =>
  ({ id, detail: `${id} sentence` }) as Health['reasons'][number];
const of = (...ids: string[]): H => ({ status: ids.length === 0 ? 'ok' : 'degraded', reasons: ids.map(reason) });

describe("statusLevel: the colour from /health's reasons", () => {
  /** The reasons, the outage's length in seconds (null: unknown or none), other things listed, the colour. */
  const cases: [string, H, number | null, number, Level][] = [
    ['all well', of(), null, 0, 'ok'],
    ['all well but something listed (a dead letter)', of(), null, 1, 'warn'],
    ['the cloud silent for 20 s', of('cloud_unreachable'), 20, 0, 'warn'],
    ['the cloud silent for 59 s', of('cloud_unreachable'), 59, 0, 'warn'],
    ['the cloud silent for exactly 60 s', of('cloud_unreachable'), 60, 0, 'degraded'],
    ['the cloud silent for 61 s', of('cloud_unreachable'), 61, 0, 'degraded'],
    ['the cloud silent since an unknown time', of('cloud_unreachable'), null, 0, 'degraded'],
    ['a spool that cannot write', of('spool_failing'), null, 0, 'degraded'],
    ['a full spool', of('spool_full'), null, 0, 'degraded'],
    ['a quarantined spool', of('spool_quarantined'), null, 0, 'degraded'],
    ['a paused token, the cloud answering', of('token_paused'), null, 0, 'degraded'],
    ['a stalled lane', of('lane_stalled'), null, 0, 'degraded'],
    ['a log that cannot be written: events still move', of('log_failing'), null, 0, 'warn'],
    ['a recent wall-clock step: events still move', of('clock_stepped'), null, 0, 'warn'],
    ['a short outage and a spool that cannot write', of('cloud_unreachable', 'spool_failing'), 5, 0, 'degraded'],
    ['a short outage and a paused token', of('cloud_unreachable', 'token_paused'), 5, 0, 'degraded'],
    ['a short outage and a stalled lane', of('cloud_unreachable', 'lane_stalled'), 5, 0, 'degraded'],
    ['a short outage and a clock step: both amber', of('cloud_unreachable', 'clock_stepped'), 5, 0, 'warn'],
    ['a clock step and a failing log', of('clock_stepped', 'log_failing'), null, 2, 'warn'],
    // A reason this page does not know (a newer relay's): red, never softened.
    ['a reason this page does not know', of('disk_on_fire'), 5, 0, 'degraded'],
    ['degraded with no reason given (not this relay)', { status: 'degraded', reasons: [] }, 5, 0, 'degraded'],
  ];
  for (const [name, health, outageSeconds, attention, level] of cases) {
    it(`${name}: ${level}`, () => {
      expect(statusLevel({ health, outageSeconds, amberSeconds: 60, attention })).toBe(level);
    });
  }

  it('every reason in REASONS has a case of its own above', () => {
    const alone = new Set(cases.filter(([, h]) => h.reasons.length === 1).map(([, h]) => h.reasons[0]!.id));
    expect(REASON_IDS.filter((id) => !alone.has(id))).toEqual([]);
  });
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
