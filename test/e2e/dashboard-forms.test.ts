// The web dashboard's forms keep what the person is typing, in real headless Chromium against the real daemon fed by
// the real OpenTelemetry SDK: an action whose answer comes back after they opened another form does not close that
// form (an incident's actions, a silence's expiry), nor the same form opened again after a Cancel; and live updates
// of the incident while they type neither replace the field nor take its focus.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';
import { eventually, makeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import type { DashboardProcess } from '../helpers/dashboard-process.js';
import { hasChromium, type WatchedPage } from '../helpers/browser.js';
import { closeDashboardScene, openDashboardScene } from '../helpers/dashboard-scene.js';

/**
 * Requests to `url` reach the gateway at once, but their answers wait until the returned function is called: a slow
 * network on the way back, after the daemon has acted (so its live stream may show the change first).
 */
async function holdAnswers(page: Page, url: string): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(url, async (route) => {
    const response = await route.fetch();
    await released;
    await route.fulfill({ response });
  });
  return release;
}

describe.skipIf(!hasChromium)('the dashboard’s forms while answers and live updates arrive', () => {
  let workspace: string;
  let daemon: DaemonProcess;
  let dashboard: DashboardProcess;
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    workspace = makeWorkspace();
    daemon = await startDaemon(workspace, writeConfig(workspace));
    ({ dashboard, browser, watched, page } = await openDashboardScene(daemon));
    // This browser already knows who is acting (the page asked once before).
    await watched.context.addInitScript(() => window.localStorage.setItem('firewatch.actor', 'ann'));
  }, 60_000);

  afterAll(async () => {
    await closeDashboardScene({ browser, dashboard }, daemon, workspace);
  });

  it('an answer that arrives after another form was opened leaves it open; a live update leaves the field being typed in', async () => {
    // prepare: an incident opened by telemetry, its page open on the timeline (which only the full incident fills)
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));
    await eventually(async () => ((await runCli(['incidents', 'get', 'inc_00001', '--socket', daemon.socket])).code === 0 ? true : undefined), 15_000);
    await page.goto(`${dashboard.url}incidents/inc_00001?tab=timeline`);
    await page.getByRole('heading', { level: 1, name: /inc_00001/ }).waitFor();
    await page.getByText('live', { exact: true }).waitFor();

    // act 1: the acknowledge's answer is slow to come back (a slow network): the live stream shows it done first, and
    // the person opens Assign and starts typing meanwhile
    const releaseAnswer = await holdAnswers(page, '**/api/incidents/inc_00001/acknowledge');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText('acknowledged by ann', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Assign…' }).click();
    const assign = page.getByRole('form', { name: 'Assign' });
    const field = assign.getByRole('textbox', { name: /Assign to/ });
    await field.pressSequentially('bo');
    releaseAnswer();
    await page.getByRole('status').filter({ hasText: 'Done.' }).waitFor();

    // verify 1: the acknowledge's answer closed nothing it did not open: Assign is open, with what was typed, focused
    await expect(assign.count()).resolves.toBe(1);
    await expect(field.inputValue()).resolves.toBe('bo');
    await expect(field.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
    await page.unroute('**/api/incidents/inc_00001/acknowledge');

    // act 2: while the person types on, the incident absorbs more failures: the live stream brings the new count, then
    // the page reads the full incident again, whose timeline lists them
    const events = page.getByRole('heading', { name: /^Events \(/ });
    const eventsShown = async () => /^Events \((\d+) of (\d+)\)$/.exec((await events.textContent()) ?? '')!.slice(1).map(Number);
    const input = await field.elementHandle();
    await input!.evaluate((element) => {
      const marks = window as unknown as { fieldLeft?: string };
      element.addEventListener('blur', () => (marks.fieldLeft ??= 'blurred'));
      new MutationObserver(() => {
        if (!element.isConnected) marks.fieldLeft ??= 'removed';
      }).observe(document.body, { childList: true, subtree: true });
    });
    const [listedBefore] = await eventsShown();
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));
    await eventually(async () => {
      const [listed, counted] = await eventsShown();
      return listed! > listedBefore! && listed === counted ? true : undefined;
    }, 15_000);
    await field.pressSequentially('b');

    // verify 2: the very field the person was in, never removed nor left, holding all they typed; then it submits
    await expect(input!.evaluate((element) => ({ connected: element.isConnected, value: (element as HTMLInputElement).value }))).resolves.toEqual({
      connected: true,
      value: 'bob',
    });
    await expect(page.evaluate(() => (window as unknown as { fieldLeft?: string }).fieldLeft ?? 'stayed')).resolves.toBe('stayed');
    await field.press('Enter');
    await page.getByText('assigned to bob', { exact: true }).waitFor();
    // its own answer closes it (it may come after the live stream showed the assignment)
    await assign.waitFor({ state: 'detached' });
    expect(watched.problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [] });
  }, 90_000);

  it('an Assign answered after the person cancelled and opened Assign again leaves the new opening open', async () => {
    // prepare: the incident of the first case (assigned to bob), its page open; the next assignment's answer is slow
    await page.goto(`${dashboard.url}incidents/inc_00001`);
    await page.getByText('live', { exact: true }).waitFor();
    const releaseAnswer = await holdAnswers(page, '**/api/incidents/inc_00001/assign');
    const assign = page.getByRole('form', { name: 'Assign' });
    const field = assign.getByRole('textbox', { name: /Assign to/ });

    // act: assign to carol, cancel the form while the answer is on its way, open Assign again and type
    await page.getByRole('button', { name: 'Assign…' }).click();
    await field.fill('carol');
    await field.press('Enter');
    await page.getByText('assigned to carol', { exact: true }).waitFor();
    await assign.getByRole('button', { name: 'Cancel' }).click();
    await assign.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Assign…' }).click();
    await field.fill('');
    await field.pressSequentially('dan');
    releaseAnswer();
    await page.getByRole('status').filter({ hasText: 'Done.' }).waitFor();

    // verify: the first opening's answer left the second one open, with what was typed
    await expect(assign.count()).resolves.toBe(1);
    await expect(field.inputValue()).resolves.toBe('dan');
    await page.unroute('**/api/incidents/inc_00001/assign');
    expect(watched.problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [] });
  }, 60_000);

  it('a silence’s expiry answered after New silence was opened leaves that form open, with what was typed', async () => {
    // prepare: a silence in force, the Silences screen open; the expiry's answer will be slow to come back
    const created = await runCli(['silences', 'create', '--component', 'search', '--duration', '2h', '--comment', 'CHG-1', '--socket', daemon.socket]);
    expect(created.code, created.stderr).toBe(0);
    await page.goto(`${dashboard.url}silences`);
    const row = page.getByRole('row', { name: /sil_00001/ });
    await row.waitFor();
    const releaseAnswer = await holdAnswers(page, '**/api/silences/sil_00001/expire');

    // act: expire it, then open New silence and type while the answer is on its way
    await row.getByRole('button', { name: 'Expire…' }).click();
    await row.getByRole('button', { name: 'Expire sil_00001?' }).click();
    await page.getByRole('button', { name: 'New silence…' }).click();
    const form = page.getByRole('form', { name: 'New silence' });
    const component = form.getByRole('textbox', { name: 'Component' });
    await component.pressSequentially('pay');
    releaseAnswer();
    await page.getByText('Expired sil_00001.').waitFor();

    // verify: the expiry closed its own confirm, not the form opened since
    await expect(form.count()).resolves.toBe(1);
    await expect(component.inputValue()).resolves.toBe('pay');
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toMatch(/sil_00001expired by ann/);
    await page.unroute('**/api/silences/sil_00001/expire');
    expect(watched.problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [] });
  }, 60_000);
});
