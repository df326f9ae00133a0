// What the single-daemon dashboard suites start from and tear down: `firewatch incidents dashboard` on a daemon's
// socket, headless Chromium, and one watched page (not yet navigated).

import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, type WatchedPage } from './browser.js';
import { removeWorkspace, type DaemonProcess } from './daemon-process.js';
import { startDashboard, type DashboardProcess } from './dashboard-process.js';

export interface DashboardScene {
  dashboard: DashboardProcess;
  browser: Browser;
  watched: WatchedPage;
  page: Page;
}

/** A dashboard on `daemon`'s control socket and a browser page for it; what started is stopped again if a step fails. */
export async function openDashboardScene(daemon: DaemonProcess): Promise<DashboardScene> {
  const dashboard = await startDashboard(['--socket', daemon.socket]);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const watched = await openPage(browser);
    return { dashboard, browser, watched, page: watched.page };
  } catch (error) {
    await browser?.close();
    await dashboard.kill9();
    throw error;
  }
}

/** Stops whatever a suite got as far as starting (a failed beforeAll leaves the rest undefined), then removes its workspace. */
export async function closeDashboardScene(scene: Partial<DashboardScene> | undefined, daemon: DaemonProcess | undefined, workspace: string | undefined): Promise<void> {
  await scene?.browser?.close();
  await scene?.dashboard?.kill9();
  await daemon?.kill9();
  if (workspace !== undefined) removeWorkspace(workspace);
}
