/**
 * GET /admin/api/events' documented range (limit 1–1000) holds in the
 * compiled binary, not only when the source runs under `bun test`.
 */
import { describe, expect, it } from 'bun:test';
import { basic, configToml } from '../helpers/admin.ts';
import { installSite, serveSite } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';

const onCleanup = useCleanup();
const LIMIT = 'expected an integer 1..1000';

describe('the compiled relay checks the events query against its documented range', () => {
  it('answers limit 0, -5, 1001 and 100000 with 400 naming the range, and 1 and 1000 with the events', async () => {
    const dir = onCleanup.tempDir('relay-admin-query-');
    const site = await installSite(onCleanup, configToml(dir, { password: 'pw', logLevel: 'info' }));
    const r = await serveSite(onCleanup, site.bin, site.dir);
    const get = (q: string) =>
      fetch(`${r.url}/admin/api/events?${q}`, { headers: { authorization: basic('admin', 'pw') } });
    for (const limit of ['0', '-5', '1001', '100000', '4&limit=0']) {
      const res = await get(`limit=${limit}`);
      const sent = limit.split('=').at(-1);
      expect([limit, res.status, await res.json()]).toEqual([
        limit,
        400,
        { detail: `Invalid limit "${sent}": ${LIMIT}` },
      ]);
    }
    for (const limit of ['1', '1000']) {
      const res = await get(`limit=${limit}`);
      expect([limit, res.status, await res.json()]).toEqual([limit, 200, { events: [] }]);
    }
  });
});
