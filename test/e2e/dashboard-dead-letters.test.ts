// The web overview counts dead letters: real headless Chromium on the dashboard of the real daemon, whose webhook
// receiver (a real HTTP server) refuses the notification of an incident opened from the real SDK's spans.

import type { Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, openPage } from '../helpers/browser.js';
import { startDashboard, type DashboardProcess } from '../helpers/dashboard-process.js';
import { eventually, makeWorkspace, removeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { Receiver } from '../helpers/http-receiver.js';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';

describe.skipIf(!hasChromium)('dead letters on the web overview', () => {
  let workspace: string | undefined;
  let daemon: DaemonProcess | undefined;
  let dashboard: DashboardProcess | undefined;
  let browser: Browser | undefined;
  const webhook = new Receiver();

  afterEach(async () => {
    await browser?.close();
    await dashboard?.kill9();
    await daemon?.kill9();
    await webhook.close();
    if (workspace !== undefined) removeWorkspace(workspace);
  });

  it('shows 0, then the dead letter a refused webhook left, then 0 again once it was retried', async () => {
    // prepare: the webhook refuses (400: final)
    workspace = makeWorkspace();
    webhook.respond = () => ({ status: 400 });
    const url = await webhook.start();
    daemon = await startDaemon(workspace, writeConfig(workspace, ['exporters:', `  webhook: [ { name: ops, url: "${url}/hook" } ]`].join('\n')));
    dashboard = await startDashboard(['--socket', daemon.socket]);
    browser = await launchBrowser();
    const { page, problems } = await openPage(browser);
    await page.goto(dashboard.url);
    const count = page.getByTestId('dead-letters');
    await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe('0');

    // act: an incident whose notification dies
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));

    // verify: the overview counts it (the numbers are read again as the clock ticks), and stops once it is retried
    await expect.poll(() => count.textContent(), { timeout: 15_000 }).toBe('1');
    webhook.respond = () => ({ status: 204 });
    const cli = (...args: string[]) => runCli([...args, '--socket', daemon!.socket], { env: { FIREWATCH_USER: 'ann' } });
    expect((await cli('notifications', 'retry', '--all-dead')).code).toBe(0);
    await eventually(async () => (webhook.requests.length === 2 ? true : undefined), 10_000);
    await expect.poll(() => count.textContent(), { timeout: 15_000 }).toBe('0');
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [] });
  }, 60_000);
});
