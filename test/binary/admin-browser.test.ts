/**
 * The status page in a real browser (test/helpers/browser.ts). The page runs its own script
 * under its own Content-Security-Policy, so this also proves the CSP lets the
 * page work and that nothing hostile in a payload is ever rendered as markup.
 */
import { afterAll, beforeAll, expect, it } from 'bun:test';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type AdminRelay, startAdminRelay } from '../helpers/admin.ts';
import { adminLogin, loadStatusPage, noChromium, openPage } from '../helpers/browser.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { ack, ORDER_CREATED, TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { describeUnless } from '../helpers/skip.ts';
import { fileCounts, fileStatus } from '../helpers/spool-file.ts';
import { waitFor } from '../helpers/wait.ts';

const PASSWORD = 'status-page-secret';
const HOSTILE = '<img src=x onerror=document.title=1>';
const SCREENSHOT = join(import.meta.dir, '..', '..', 'test-results', 'admin.png');

describeUnless(noChromium)('the status page in a real browser', () => {
  let mock: MockCloud;
  let a: AdminRelay;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let deadId = '';

  const statusOf = (id: string) => fileStatus(a.config.spool.path, id);
  const count = (status: 'pending' | 'delivered' | 'dead') => fileCounts(a.config.spool.path)[status];
  const field = (name: string) => page.textContent(`[data-field="${name}"]`);

  beforeAll(async () => {
    mock = await startMockCloud();
    // The Bar's lane waits (503 forever); the Main POS's first event is rejected with 422.
    mock.handler = (r) =>
      r.token === TOKEN2 ? Response.json({ detail: 'Service Unavailable' }, { status: 503 }) : undefined;
    mock.next({
      kind: 'status',
      status: 422,
      body: { detail: [{ loc: ['body', 'table_number'], msg: 'field required <b>!</b>' }] },
    });
    a = await startAdminRelay({ password: PASSWORD, cloudUrl: mock.url });
    deadId = await ack(a.url, TOKEN, JSON.stringify({ event: 'order_created', timestamp: HOSTILE, order_id: 'ORD-1' }));
    await waitFor(() => statusOf(deadId) === 'dead', 'the 422 dead letter');
    const ok = [await ack(a.url, TOKEN, ORDER_CREATED), await ack(a.url, TOKEN, ORDER_CREATED)];
    await ack(
      a.url,
      TOKEN2,
      '{"event":"table_status_change","table_number":"Mesa 3","timestamp":"2025-11-24T17:00:00-03:00"}',
    );
    await waitFor(() => ok.every((id) => statusOf(id) === 'delivered'), 'two delivered');
    await waitFor(() => mock.received.some((r) => r.token === TOKEN2), 'the Bar lane tried');

    ({ browser, page, problems } = await openPage({ ...adminLogin(PASSWORD), viewport: { width: 1280, height: 900 } }));
  });
  afterAll(async () => {
    await browser?.close();
    await a?.stop();
    await mock?.stop();
  });

  it('shows the numbers the spool holds and why the Bar lane waits', async () => {
    await loadStatusPage(page, `${a.url}/admin`);
    expect(await field('dead')).toBe(String(count('dead')));
    expect(await field('delivered')).toBe(String(count('delivered')));
    expect(await field('pending')).toBe(String(count('pending')));
    expect([count('dead'), count('delivered'), count('pending')]).toEqual([1, 2, 1]);
    expect(await field('cloud')).toBe('reachable');
    const bar = page.locator(`tr[data-lane="${TOKEN2.slice(0, 8)}… prod"]`);
    expect(await bar.textContent()).toMatch(/Bar.*retrying: \d+ attempts?, the last .* got HTTP 503/s);
    expect(await page.textContent('.banner h2')).toContain('needs attention');
    expect(await page.textContent('body')).not.toContain(TOKEN);
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-dead-letter.png'), fullPage: true });
  });

  it('renders hostile payload values and cloud answers as text, never as markup', async () => {
    const row = page.locator(`#dead-letters tr[data-event-id="${deadId}"]`);
    expect(await row.textContent()).toContain(HOSTILE);
    expect(await row.textContent()).toContain('field required <b>!</b>');
    expect(await page.locator('#live img, #live b').count()).toBe(0);
    expect(await page.title()).toBe('Relay status');
  });

  it('replays the dead letter with its button and shows it delivered', async () => {
    await page.click(`button[data-action="replay"][data-id="${deadId}"]`);
    await page.waitForSelector('.flash.good');
    expect(await page.textContent('#flash')).toContain(`Event ${deadId} is back in its queue`);
    await page.waitForSelector(`#recent tr[data-event-id="${deadId}"][data-status="delivered"]`, { timeout: 10_000 });
    await page.waitForSelector('[data-field="dead"]:text-is("0")');
    expect(statusOf(deadId)).toBe('delivered');
    expect(mock.stored.some((r) => r.headers['idempotency-key'] === deadId)).toBe(true);
    expect(await field('delivered')).toBe(String(count('delivered')));
    expect(await page.textContent('#dead-letters')).toContain('None: the cloud has accepted everything');
  });

  it('keeps a screenshot of the page', async () => {
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(png.byteLength).toBeGreaterThan(30_000); // a rendered page, not a blank one
    expect(png.readUInt32BE(16)).toBe(1280); // IHDR width
  });

  it('reloads the config from its button and shows the problems of a bad file', async () => {
    a.writeConfig({ password: PASSWORD, cloudUrl: mock.url, extra: '[limts]\nrate_per_token = 5' });
    await page.click('button[data-action="reload"]');
    await page.waitForSelector('.flash.bad li');
    expect(await page.textContent('#flash')).toMatch(/Config refused; the running config stays\. Problems:.*limts/s);
    a.writeConfig({ password: PASSWORD, cloudUrl: mock.url });
    await page.click('button[data-action="reload"]');
    await page.waitForSelector('.flash.good');
    expect(await page.textContent('#flash')).toContain('Config reloaded: 3 token(s) in force.');
  });

  it("shows each of /health's reasons with its sentence, brought in by the live refresh", async () => {
    expect(await page.locator('[data-reason]').count()).toBe(0);
    // The cloud now refuses the Bar's token: its lane pauses, a red reason.
    mock.handler = (r) =>
      r.token === TOKEN2 ? Response.json({ detail: 'Invalid or inactive webhook token' }, { status: 401 }) : undefined;
    const reason = page.locator('li[data-reason="token_paused"]');
    await reason.waitFor({ timeout: 10_000 });
    expect(await reason.getAttribute('data-colour')).toBe('red');
    expect(await reason.textContent()).toMatch(
      /^The cloud refuses token 7f3c2a91… \(Bar\) as invalid or inactive \(401\)\./,
    );
    expect(await page.textContent('.banner h2')).toContain('Degraded');
    const health = (await (await fetch(`${a.url}/health`)).json()) as { reasons: { id: string; detail: string }[] };
    expect(health.reasons.map((r) => [r.id, r.detail])).toEqual([['token_paused', (await reason.textContent())!]]);
    expect(await page.textContent('body')).not.toContain(TOKEN2);
  });

  it('ran without a script error or a CSP violation', () => {
    // The one refused reload (422) above is expected; the browser logs every non-2xx fetch.
    expect(problems.filter((p) => !/status of 422/.test(p))).toEqual([]);
  });
});
