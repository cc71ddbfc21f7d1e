import { afterAll, beforeAll, expect, it } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import { type AdminRelay, startAdminRelay } from '../helpers/admin.ts';
import { loadStatusPage, noChromium, openPage } from '../helpers/browser.ts';
import { ORDER_CREATED, post, TOKEN } from '../helpers/relay.ts';
import { describeUnless } from '../helpers/skip.ts';

/**
 * The status page opened as http://admin:PASSWORD@host/admin, as a
 * technician types it or a bookmark keeps it. Chromium refuses fetch() of a
 * URL "that includes credentials", and a path like '/admin/live' resolves
 * against the page's URL, userinfo included: the page must build its request
 * URLs from location.origin, or it stops refreshing while looking fine.
 * Debian's Chromium (test/helpers/browser.ts), as in the other browser tests.
 */

const PASSWORD = 'pw-in-the-url';

describeUnless(noChromium)('the status page opened at a URL with credentials', () => {
  let a: AdminRelay;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    a = await startAdminRelay({ password: PASSWORD });
    // No httpCredentials: the only credentials are the ones in the URL. Errors of any kind
    // are problems, and any message at all about credentials (the page logs a failed refresh as a warning).
    ({ browser, page, problems } = await openPage({}, (m) => m.type() === 'error' || /credentials/i.test(m.text())));
  });
  afterAll(async () => {
    await browser?.close();
    await a?.stop();
  });

  it('shows an event posted after it loaded, without a reload', async () => {
    const at = new URL(a.url);
    await loadStatusPage(page, `http://admin:${PASSWORD}@${at.host}/admin`);
    expect(await page.textContent('#recent')).toContain('No events yet');
    let navigations = 0;
    page.on('framenavigated', () => navigations++);

    const res = await post(a.url, TOKEN, ORDER_CREATED);
    expect(res.status).toBe(200);
    const { event_id } = (await res.json()) as { event_id: string };
    // The page refreshes every 2 s; three rounds are plenty. A page that
    // cannot fetch says why in its header: shown if the wait fails.
    await page.waitForSelector(`#recent tr[data-event-id="${event_id}"]`, { timeout: 7_000 }).catch(async (e) => {
      throw new Error(
        `${(e as Error).message.split('\n')[0]}; the page's header says: ${await page.textContent('#updated')}`,
      );
    });
    expect(navigations).toBe(0);
    expect(await page.textContent('#updated')).toMatch(/^updated /);
    expect(await page.locator('body.stale').count()).toBe(0);
  }, 20_000);

  it("sends its actions (Reload config) from the same page, with the page's login", async () => {
    await page.click('button[data-action="reload"]');
    await page.waitForSelector('#flash.good, #flash.bad', { timeout: 5_000 });
    expect(await page.textContent('#flash')).toContain('Config reloaded: 3 token(s) in force.');
  });

  it('logged no console error, about credentials or anything else', () => {
    expect(problems).toEqual([]);
  });
});
