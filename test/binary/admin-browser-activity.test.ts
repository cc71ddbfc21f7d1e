/**
 * The status page's last 24 hours, in Debian's Chromium at a phone's width
 * (360 px): events arrive, are delivered, a POS with a wrong token is
 * refused, and then nothing comes for half an hour. The chart shows the full
 * intervals, then the empty ones: when events stopped arriving and leaving,
 * in the restaurant's time. The relay runs on a FakeClock, so the intervals
 * are the test's to choose.
 */
import { afterAll, beforeAll, expect, it } from 'bun:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ActivityView } from '../../src/admin/activity.ts';
import { type AdminRelay, startAdminRelay } from '../helpers/admin.ts';
import { adminLogin, loadStatusPage, noChromium, openPage } from '../helpers/browser.ts';
import { FakeClock } from '../helpers/clock.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { ORDER_CREATED, post, TOKEN } from '../helpers/relay.ts';
import { describeUnless } from '../helpers/skip.ts';
import { fileCounts } from '../helpers/spool-file.ts';
import { waitFor } from '../helpers/wait.ts';

const PASSWORD = 'activity-chart-secret';
const MIN = 60_000;
/** 12:00 UTC, 09:00 in São Paulo: the relay starts at 12:01. */
const START = Date.UTC(2026, 2, 10, 12, 1);
const SCREENSHOT = join(import.meta.dir, '..', '..', 'test-results', 'admin-activity-360.png');

interface Bar {
  start: string;
  counted: string;
  received: string | null;
  delivered: string | null;
  refused: string | null;
}

describeUnless(noChromium)('the last 24 hours on the status page, at 360 px', () => {
  const clock = new FakeClock(START);
  let mock: MockCloud;
  let a: AdminRelay;
  let browser: Browser;
  let page: Page;

  const delivered = () => fileCounts(a.config.spool.path).delivered;
  const postMany = async (n: number) => {
    for (let i = 0; i < n; i++) expect((await post(a.url, TOKEN, ORDER_CREATED)).status).toBe(200);
  };
  const bars = () =>
    page.$$eval('#activity svg g.b', (gs) =>
      gs.map((g) => ({
        start: g.getAttribute('data-start')!,
        counted: g.getAttribute('data-counted')!,
        received: g.getAttribute('data-received'),
        delivered: g.getAttribute('data-delivered'),
        refused: g.getAttribute('data-refused'),
      })),
    ) as Promise<Bar[]>;
  const counts = (b: Bar) => [b.received, b.delivered, b.refused].map(Number);

  beforeAll(async () => {
    mock = await startMockCloud();
    a = await startAdminRelay({
      password: PASSWORD,
      cloudUrl: mock.url,
      clock,
      config: { site: { timezone: 'America/Sao_Paulo', language: 'en' } },
    });
    // 12:01-12:15: four events in, four out, and a POS with a wrong token refused twice.
    await postMany(4);
    await waitFor(() => delivered() === 4, 'four delivered');
    for (let i = 0; i < 2; i++)
      expect((await post(a.url, '00000000-0000-4000-8000-000000000000', ORDER_CREATED)).status).toBe(401);
    // 12:15-12:30: two more.
    clock.advance(15 * MIN);
    await postMany(2);
    await waitFor(() => delivered() === 6, 'six delivered');
    // Then nothing until 13:06.
    clock.advance(50 * MIN);

    ({ browser, page } = await openPage({
      ...adminLogin(PASSWORD),
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
    }));
    await loadStatusPage(page, `${a.url}/admin`);
  });
  afterAll(async () => {
    await browser?.close();
    await a?.stop();
    await mock?.stop();
  });

  it('shows the full intervals, then the empty ones after the stop, and nothing invented before the start', async () => {
    const all = await bars();
    expect(all).toHaveLength(96);
    const counted = all.filter((b) => b.counted === 'true');
    // 12:00, 12:15, 12:30, 12:45, 13:00 UTC: the relay started within the first.
    expect(counted.map((b) => b.start)).toEqual([
      '2026-03-10T12:00:00.000Z',
      '2026-03-10T12:15:00.000Z',
      '2026-03-10T12:30:00.000Z',
      '2026-03-10T12:45:00.000Z',
      '2026-03-10T13:00:00.000Z',
    ]);
    expect(counted.map(counts)).toEqual([
      [4, 4, 2],
      [2, 2, 0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    // The 91 intervals before the start carry no counts: unknown, not zero.
    expect(all.slice(0, 91).every((b) => b.counted === 'false' && b.received === null)).toBe(true);
    // Bars where events came, none where they stopped.
    expect(await page.locator('#activity g.b[data-received="4"] rect.received').count()).toBe(1);
    expect(await page.locator('#activity g.b[data-start="2026-03-10T12:30:00.000Z"] rect.received').count()).toBe(0);
  });

  it("says when counting began, and the intervals' times in the restaurant's zone", async () => {
    expect(await page.textContent('[data-field="activity-since"]')).toContain('09:00');
    expect(await page.textContent('#activity .hint')).toContain('America/Sao_Paulo');
    expect(await page.textContent('[data-field="activity-last"]')).toBe(
      'Last received between 09:15 and 09:30; last delivered between 09:15 and 09:30.',
    );
    expect(await page.locator('#activity .ticks span').last().textContent()).toBe('10:15');
    expect(await page.locator('#activity g.b[data-start="2026-03-10T12:15:00.000Z"] title').textContent()).toBe(
      '09:15–09:30: 2 received, 2 delivered, 0 refused',
    );
  });

  it('fits a phone: the chart spans the width without spilling over, tall enough to read', async () => {
    const box = (await page.locator('#activity svg').boundingBox())!;
    expect(box.width).toBeGreaterThan(280);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    expect(box.height).toBe(160);
    const section = await page.$eval('#activity', (s) => [s.scrollWidth, s.clientWidth]);
    expect(section[0]).toBeLessThanOrEqual(section[1]!);
    const bar = (await page.locator('#activity g.b[data-received="4"] rect.received').boundingBox())!;
    expect(bar.height).toBe(48); // the busiest interval: the full height of its strip
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.locator('#activity').screenshot({ path: SCREENSHOT });
  });

  it('redraws on the live refresh when events come again, and GET /admin/api/status carries the same', async () => {
    await postMany(3);
    await waitFor(() => delivered() === 9, 'nine delivered');
    await page.waitForSelector('#activity g.b[data-start="2026-03-10T13:00:00.000Z"][data-received="3"]', {
      timeout: 10_000,
    });
    const res = await a.admin('/admin/api/status');
    const v = ((await res.json()) as { activity: ActivityView }).activity;
    expect(v.bucket_minutes).toBe(15);
    expect(v.since_start).toBe(true);
    expect(v.counted_since).toBe('2026-03-10T12:01:00.000Z');
    expect(v.buckets.filter((b) => b.counted).map((b) => [b.from, b.received, b.delivered, b.refused])).toEqual([
      ['09:00', 4, 4, 2],
      ['09:15', 2, 2, 0],
      ['09:30', 0, 0, 0],
      ['09:45', 0, 0, 0],
      ['10:00', 3, 3, 0],
    ]);
  });
});
