/**
 * A timestamp shaped like ISO 8601 but naming no possible instant (month 13,
 * day 45, hour 99, offset +25:00) is warned about by the compiled relay, as
 * a POS integrator reads it in X-Relay-Warnings, and still stored.
 */
import { describe, expect, it } from 'bun:test';
import { headerWarnings } from '../helpers/answer.ts';
import { installSite, serveSite } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { CLEAN } from '../helpers/payloads.ts';
import { post, TOKEN } from '../helpers/relay.ts';
import { relayToml } from '../helpers/reliability.ts';

const onCleanup = useCleanup();

describe('impossible date-times are warned', () => {
  it('names the first impossible field of a top-level timestamp and of an item', async () => {
    const site = await installSite(onCleanup, relayToml({ cloudUrl: 'http://127.0.0.1:9' }));
    const r = await serveSite(onCleanup, site.bin, site.dir);
    const cases: [string, string][] = [
      ['2024-13-45T99:99:99+25:00', 'month 13'],
      ['2025-11-45T18:30:00-03:00', 'day 45 of month 11'],
      ['2025-11-24T99:30:00-03:00', 'hour 99'],
      ['2025-11-24T18:30:00+25:00', 'offset +25:00'],
    ];
    for (const [timestamp, part] of cases) {
      const res = await post(r.url, TOKEN, JSON.stringify({ ...CLEAN, timestamp }));
      expect(res.status).toBe(200);
      expect([timestamp, headerWarnings(res)]).toEqual([
        timestamp,
        [`timestamp "${timestamp}" is no possible date-time (${part}): send e.g. "2025-11-24T18:30:00-03:00"`],
      ]);
    }
    const items = [{ ...CLEAN.items[0], timestamp: '2024-13-45T99:99:99+25:00' }];
    const res = await post(r.url, TOKEN, JSON.stringify({ ...CLEAN, items }));
    expect(headerWarnings(res)).toEqual([
      '1 of 1 item has a timestamp that is not ISO 8601 (first: items[0].timestamp "2024-13-45T99:99:99+25:00")',
    ]);
  });
});
