// Silences and notifications on the web dashboard: real headless Chromium on the dashboard the real daemon serves,
// with an operator's and a viewer's token. The operator creates a silence from the page (a comment with markup in it,
// shown as text), sees it listed and the incident it holds marked silenced_by on the incident page, together with the
// related incident opened on the same component; expires it; and retries the dead letter a refusing webhook (a real
// HTTP server) left, from the Notifications page. A viewer sees the same lists with nothing to change them.

import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { Browser, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, openPage } from '../helpers/browser.js';
import { eventually, makeWorkspace, removeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { Receiver } from '../helpers/http-receiver.js';
import { screenshot } from '../helpers/screenshots.js';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';

const ANN = 'ann-operator-token-0123456789ab';
const WALL = 'wall-viewer-token-0123456789abc';

async function logIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** payments' memory crosses 90 %: three readings from the real metrics SDK (a memory incident on payments). */
async function memoryPressure(endpoint: string): Promise<void> {
  const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `http://${endpoint}` }), exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'payments' }), readers: [reader] });
  provider.getMeter('e2e').createObservableGauge('system.memory.utilization').addCallback((result) => {
    result.observe(0.95, { 'system.memory.state': 'used' });
    result.observe(0.05, { 'system.memory.state': 'free' });
  });
  for (let i = 0; i < 3; i++) await reader.forceFlush();
  await provider.shutdown();
}

describe.skipIf(!hasChromium)('silences and notifications on the web dashboard', () => {
  let workspace: string | undefined;
  let daemon: DaemonProcess | undefined;
  let browser: Browser | undefined;
  const webhook = new Receiver();

  afterEach(async () => {
    await browser?.close();
    await daemon?.kill9();
    await webhook.close();
    if (workspace !== undefined) removeWorkspace(workspace);
  });

  it('creates a silence from the page, shows what it holds, expires it, and retries a dead letter; a viewer only reads', async () => {
    // prepare: a daemon serving its dashboard with two tokens; its webhook refuses (400: final)
    workspace = makeWorkspace();
    webhook.respond = () => ({ status: 400 });
    const url = await webhook.start();
    daemon = await startDaemon(
      workspace,
      writeConfig(
        workspace,
        [
          'exporters:',
          `  webhook: [ { name: ops, url: "${url}/hook" } ]`,
          'service:',
          '  dashboard:',
          '    endpoint: 127.0.0.1:0',
          '    tokens:',
          '      - { name: ann, role: operator, token: "${env:ANN_TOKEN}" }',
          '      - { name: wall, role: viewer, token: "${env:WALL_TOKEN}" }',
        ].join('\n'),
      ),
      { ANN_TOKEN: ANN, WALL_TOKEN: WALL },
    );
    browser = await launchBrowser();
    const { page, problems } = await openPage(browser);
    await logIn(page, daemon.dashboardUrl, ANN);
    await page.getByText('ann (operator)').waitFor();

    // act 1: key 5 opens Silences; a silence on payments for 2h, its comment carrying markup
    await page.keyboard.press('5');
    await page.getByRole('heading', { level: 1, name: 'Silences' }).waitFor();
    await page.getByRole('button', { name: 'New silence…' }).click();
    const form = page.getByRole('form', { name: 'New silence' });
    await form.getByRole('textbox', { name: 'Component' }).fill('payments');
    await form.getByRole('textbox', { name: /How long/ }).fill('2h');
    await form.getByRole('textbox', { name: /Comment/ }).fill('CHG-7 <img src=x onerror=alert(1)> db upgrade');
    await form.getByRole('button', { name: 'Create silence' }).click();

    // verify 1: listed with its matcher, who, until and the comment as text
    const row = page.getByRole('row', { name: /sil_00001/ });
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/sil_00001activecomponent=payments.*\(in 2h\)annCHG-7 <img src=x onerror=alert\(1\)> db upgrade/);
    await expect(page.locator('img[src="x"]').count()).resolves.toBe(0);
    await screenshot(page, 'silences');

    // act 2: payments fails (silenced), its memory then crosses 90 % (related); checkout fails (notified, refused)
    await exportSpans(daemon.otlpEndpoint, 'payments', errorSpans(12));
    const burst = await eventually(async () => {
      const list = JSON.parse((await runCli(['incidents', 'list', '--component', 'payments', '--format', 'json', '--socket', daemon!.socket])).stdout);
      return list.length === 1 ? list[0] : undefined;
    }, 15_000);
    await memoryPressure(daemon.otlpEndpoint);
    const memory = await eventually(async () => {
      const list = JSON.parse((await runCli(['incidents', 'list', '--component', 'payments', '--format', 'json', '--socket', daemon!.socket])).stdout);
      return list.find((incident: { incident_type: string }) => incident.incident_type === 'memory_exhaustion');
    }, 15_000);
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));

    // verify 2: the incident page says which silence holds it and links the related incident
    await page.goto(`${daemon.dashboardUrl}incidents/${burst.incident_id}`);
    await expect(page.getByTestId('silenced-by').textContent()).resolves.toBe('silenced by sil_00001');
    const related = page.getByTestId('related-incidents').getByRole('link', { name: memory.incident_id });
    await related.click();
    await page.getByRole('heading', { level: 1, name: new RegExp(memory.incident_id) }).waitFor();
    await page.getByTestId('related-incidents').getByRole('link', { name: burst.incident_id }).waitFor();
    await screenshot(page, 'incident-related');

    // act 3: expire it, confirming (the question names the silence)
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: /Silences/ }).click();
    await row.getByRole('button', { name: 'Expire…' }).click();
    await row.getByRole('button', { name: 'Cancel' }).click();
    await expect(row.getByRole('button', { name: 'Expire sil_00001?' }).count()).resolves.toBe(0);
    await row.getByRole('button', { name: 'Expire…' }).click();
    await row.getByRole('button', { name: 'Expire sil_00001?' }).click();

    // verify 3: expired by ann, nothing left to expire
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toMatch(/sil_00001expired by ann/);
    await expect(row.getByRole('button').count()).resolves.toBe(0);

    // act 4: the notifications page shows checkout's dead letter on the webhook channel; retry it, the webhook now taking it
    const dead = await eventually(async () => {
      const list = JSON.parse((await runCli(['notifications', 'list', '--dead', '--format', 'json', '--socket', daemon!.socket])).stdout);
      return list.find((item: { incident_id: string }) => item.incident_id !== burst.incident_id && item.incident_id !== memory.incident_id);
    }, 15_000);
    webhook.respond = () => ({ status: 204 });
    const before = webhook.requests.length;
    await page.keyboard.press('6');
    await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    const letter = page.getByRole('row', { name: new RegExp(dead.notification_id) });
    await expect(letter.textContent()).resolves.toContain('dead letter');
    await page.getByRole('region', { name: /^webhook:ops: \d+ pending, \d+ dead letters?$/ }).waitFor();
    await letter.getByRole('button', { name: 'Retry…' }).click();
    await screenshot(page, 'notifications');
    await letter.getByRole('button', { name: `Retry ${dead.notification_id}?` }).click();

    // verify 4: gone from the dead letters, delivered, audited under ann
    await page.getByRole('status').filter({ hasText: 'Retried 1 dead letter.' }).waitFor();
    await eventually(async () => (webhook.requests.length > before ? true : undefined), 10_000);
    await eventually(async () => {
      const list = JSON.parse((await runCli(['notifications', 'list', '--dead', '--format', 'json', '--socket', daemon!.socket])).stdout);
      return list.some((item: { notification_id: string }) => item.notification_id === dead.notification_id) ? undefined : true;
    }, 10_000);
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [] });

    // a viewer: the same lists, no control that changes anything
    const viewer = await openPage(browser);
    await logIn(viewer.page, `${daemon.dashboardUrl}silences`, WALL);
    await viewer.page.getByRole('row', { name: /sil_00001/ }).waitFor();
    await expect(viewer.page.getByRole('button', { name: /New silence|Expire/ }).count()).resolves.toBe(0);
    await viewer.page.keyboard.press('n');
    await expect(viewer.page.getByRole('form', { name: 'New silence' }).count()).resolves.toBe(0);
    await viewer.page.keyboard.press('6');
    await viewer.page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    await expect(viewer.page.getByRole('button', { name: /Retry|Drop/ }).count()).resolves.toBe(0);
    expect(viewer.problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [] });
  }, 90_000);
});
