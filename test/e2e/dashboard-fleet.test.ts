// The web dashboard over two daemons (`--connect a,b`, their remote doors), in real headless Chromium: one list with
// each incident named by its daemon (d1/inc_00001, d2/inc_00001), an action that reaches the daemon owning the incident
// only, and one daemon going away shown as that daemon reconnecting while the other's incidents stay live.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';
import { makeWorkspace, removeWorkspace, runCli, type DaemonProcess } from '../helpers/daemon-process.js';
import { startDashboard, type DashboardProcess } from '../helpers/dashboard-process.js';
import { hasChromium, launchBrowser, openPage } from '../helpers/browser.js';
import { startFleetMember } from '../helpers/fleet-member.js';
import { makeTestPki } from '../helpers/tls.js';

const TOKEN = 'fleet-dashboard-5c7e9a1b3d5f7a9c';

describe.skipIf(!hasChromium)('the web dashboard over a fleet', () => {
  let workspace: string;
  const daemons: DaemonProcess[] = [];
  let dashboard: DashboardProcess;
  let browser: Browser;

  beforeAll(async () => {
    workspace = makeWorkspace();
    const pki = makeTestPki(workspace);
    for (const name of ['a', 'b']) daemons.push(await startFleetMember(workspace, name, pki, [{ name: 'oncall', role: 'operator', token: TOKEN }]));
    await exportSpans(daemons[0]!.otlpEndpoint, 'inventory', errorSpans(12));
    await exportSpans(daemons[1]!.otlpEndpoint, 'checkout', errorSpans(12));
    dashboard = await startDashboard(['--connect', daemons.map((daemon) => daemon.controlEndpoint).join(','), '--ca', pki.caFile], { FIREWATCH_TOKEN: TOKEN });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.kill9();
    for (const daemon of daemons) await daemon.kill9();
    removeWorkspace(workspace);
  });

  it('lists both daemons’ incidents by daemon, acts on the owner, and shows one daemon away while the other stays', async () => {
    const { page, problems } = await openPage(browser);
    await page.goto(`${dashboard.url}incidents`);
    await page.locator('.list[aria-busy="false"]').waitFor();
    const ids = async () => (await page.locator('table tbody tr td:first-child a').allTextContents()).sort();
    expect(await ids()).toEqual(['d1/inc_00001', 'd2/inc_00001']);

    // the second daemon's incident, by its address in the fleet
    await page.getByRole('link', { name: 'd2/inc_00001' }).click();
    await page.waitForURL(/\/incidents\/d2\/inc_00001$/);
    await page.getByRole('heading', { level: 1, name: /d2\/inc_00001 Error Burst - checkout/ }).waitFor();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByRole('form', { name: 'Who is acting?' }).getByRole('textbox').fill('ann');
    await page.getByRole('button', { name: 'Continue' }).click();
    // through a remote door the daemon records the token's name (oncall), whatever the page says
    await page.getByText('acknowledged by oncall', { exact: true }).waitFor();
    const on = async (daemon: DaemonProcess) => JSON.parse((await runCli(['incidents', 'get', 'inc_00001', '--format', 'json', '--socket', daemon.socket])).stdout);
    expect((await on(daemons[1]!)).acknowledged).toBe(true);
    expect((await on(daemons[0]!)).acknowledged).toBe(false);

    // the first daemon goes away: a banner names it; the second daemon's incident is still there, live
    await daemons[0]!.kill9();
    await page.locator('[data-banner="daemon"]').filter({ hasText: `Lost the daemon d1 at ${daemons[0]!.controlEndpoint}` }).waitFor({ timeout: 15_000 });
    await page.goto(`${dashboard.url}?status=active`);
    await page.getByRole('region', { name: /Active incidents/ }).getByRole('link', { name: 'd2/inc_00001' }).waitFor();
    await page.locator('[data-banner="daemon"]').filter({ hasText: 'Lost the daemon d1' }).waitFor({ timeout: 15_000 });
    expect(problems.pageErrors).toEqual([]);
    expect(problems.dialogs).toEqual([]);
  }, 60_000);
});
