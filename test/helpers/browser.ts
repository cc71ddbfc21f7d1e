import { existsSync } from 'node:fs';
import { type Browser, type BrowserContextOptions, type ConsoleMessage, chromium, type Page } from 'playwright-core';

/**
 * The status page in a real browser: Debian's Chromium (`make chromium`),
 * driven by playwright-core, never a downloaded browser.
 */

const CHROMIUM = '/usr/bin/chromium';
/** A quiet headless Chromium: no sandbox (root in CI), nothing fetched in the background. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Why a browser test cannot run here (for describeUnless); false when it can. */
export const noChromium = !existsSync(CHROMIUM) && `${CHROMIUM} is absent (make chromium: apt-get install -y chromium)`;

export interface BrowserPage {
  browser: Browser;
  page: Page;
  /** The page's script errors and the console messages `problem` picks, as they came: a working page has none. */
  problems: string[];
}

/**
 * Chromium with one page in a context of `context` (the admin login as
 * httpCredentials, the viewport); by default a console error is a problem.
 * Close `browser` in afterAll.
 */
export async function openPage(
  context: BrowserContextOptions = {},
  problem: (m: ConsoleMessage) => boolean = (m) => m.type() === 'error',
): Promise<BrowserPage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  try {
    const page = await (await browser.newContext(context)).newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (problem(m)) problems.push(`console ${m.type()}: ${m.text()}`);
    });
    return { browser, page, problems };
  } catch (e) {
    await browser.close();
    throw e;
  }
}

/** The admin login the test relays take (test/helpers/admin.ts), for `openPage`. */
export const adminLogin = (password: string) => ({ httpCredentials: { username: 'admin', password } });

/** On the status page once its script runs: it set this, so it ran under the page's Content-Security-Policy. */
export const STATUS_PAGE_LIVE = 'html[data-live="1"]';

/** Opens the status page at `url` (its /admin) and waits until its script runs. */
export async function loadStatusPage(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector(STATUS_PAGE_LIVE);
}
