// Real headless Chromium for end-to-end tests of the web dashboard: Debian's `chromium` driven by playwright-core
// (never a downloaded browser). Each page records what a person would not want to see: console errors, uncaught
// exceptions, dialogs (an alert() that ran is injected script), and requests the page made elsewhere.

import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.FIREWATCH_CHROMIUM ?? '/usr/bin/chromium';

/** Chromium is installed (.ci/run installs Debian's; tests that need it say so and skip without it). */
export const hasChromium = existsSync(CHROMIUM);

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
}

/** A fresh context (its own cookies and storage) and page at `viewport`, with its problems recorded. */
export async function openPage(browser: Browser, viewport = { width: 1280, height: 800 }, options: { ignoreHTTPSErrors?: boolean; acceptDownloads?: boolean } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, acceptDownloads: options.acceptDownloads ?? true, ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false });
  const page = await context.newPage();
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], dialogs: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  page.on('dialog', (dialog) => {
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { context, page, problems };
}
