// The web dashboard stays live through what goes wrong, in real headless Chromium: the dashboard server restarted while
// the page is open (a banner, then the page catches up, no reload), the daemon killed and restarted behind it (a banner
// naming it, then what changed meanwhile); and the dashboard the daemon serves itself (`service.dashboard.endpoint`)
// over TLS, asking for the control API's tokens: a viewer sees and cannot act, an operator acts under the token's name.

import type { Browser } from 'playwright-core';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';
import { makeWorkspace, removeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { startDashboard, type DashboardProcess } from '../helpers/dashboard-process.js';
import { hasChromium, launchBrowser, openPage } from '../helpers/browser.js';
import { makeTestPki } from '../helpers/tls.js';

const ALICE = 'alice-operator-0123456789abcdef';
const WALL = 'wall-viewer-0123456789abcdef00';

describe.skipIf(!hasChromium)('the web dashboard through failures', () => {
  let browser: Browser;
  let workspace: string;
  let daemon: DaemonProcess | undefined;
  let dashboard: DashboardProcess | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await dashboard?.kill9();
    await daemon?.kill9();
    dashboard = undefined;
    daemon = undefined;
    removeWorkspace(workspace);
  });

  it('shows a banner while the dashboard server or the daemon is away, and catches up without a reload', async () => {
    // prepare: a daemon, its dashboard, an open page
    workspace = makeWorkspace();
    const config = writeConfig(workspace);
    daemon = await startDaemon(workspace, config);
    dashboard = await startDashboard(['--socket', daemon.socket]);
    const { page, problems } = await openPage(browser);
    await page.goto(dashboard.url);
    await page.getByText('live', { exact: true }).waitFor();
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const banner = page.locator('[data-banner]');

    // act 1: the dashboard server dies; an incident opens while it is away; it comes back on the same port
    const port = dashboard.port;
    await dashboard.kill9();
    await banner.filter({ hasText: 'Lost the dashboard server.' }).waitFor();
    expect(await runCli(['incidents', 'create', '--type', 'cache_failure', '--severity', 'high', '--components', 'redis', '--socket', daemon.socket, '--as', 'ann'])).toMatchObject({ code: 0 });
    dashboard = await startDashboard(['--socket', daemon.socket, '--port', String(port)]);

    // verify 1: the page is live again and shows it, in the same document
    await page.getByRole('row', { name: /inc_00001/ }).waitFor({ timeout: 15_000 });
    await banner.waitFor({ state: 'detached' });
    await page.getByText('live', { exact: true }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

    // act 2: the daemon dies behind the dashboard; it comes back; telemetry opens an incident
    await daemon.kill9();
    await banner.filter({ hasText: /Lost the daemon at unix:.*control\.sock/ }).waitFor({ timeout: 15_000 });
    daemon = await startDaemon(workspace, config);
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));

    // verify 2: the banner goes, the new incident is there, the first one too, still without a reload
    await page.getByRole('row', { name: /inc_00002/ }).waitFor({ timeout: 20_000 });
    await banner.waitFor({ state: 'detached' });
    await expect(page.getByRole('row', { name: /inc_00001/ }).count()).resolves.toBe(1);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(problems.pageErrors).toEqual([]);
    expect(problems.dialogs).toEqual([]);
    // the only console errors are the browser's own reports of the stream it could not reach meanwhile
    for (const error of problems.consoleErrors) expect(error).toMatch(/ERR_CONNECTION_REFUSED|Failed to load resource/);
  }, 90_000);

  it('is served by the daemon itself over TLS, asking for a token: viewers see, operators act as themselves', async () => {
    // prepare: a daemon with its own dashboard on loopback, HTTPS, and the two tokens
    workspace = makeWorkspace();
    const pki = makeTestPki(workspace);
    daemon = await startDaemon(
      workspace,
      writeConfig(
        workspace,
        [
          'service:',
          '  telemetry: { metrics: { endpoint: 127.0.0.1:0 } }',
          '  dashboard:',
          '    endpoint: 127.0.0.1:0',
          `    tls: { cert_file: ${JSON.stringify(pki.certFile)}, key_file: ${JSON.stringify(pki.keyFile)} }`,
          '    tokens:',
          '      - { name: alice, role: operator, token: "${env:ALICE_TOKEN}" }',
          '      - { name: wall, role: viewer, token: "${env:WALL_TOKEN}" }',
        ].join('\n'),
      ),
      { ALICE_TOKEN: ALICE, WALL_TOKEN: WALL },
    );
    expect(daemon.dashboardUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));

    // a viewer: logs in, sees the incident, is offered no change
    const viewer = await openPage(browser, undefined, { ignoreHTTPSErrors: true });
    await viewer.page.goto(`${daemon.dashboardUrl}incidents/inc_00001`);
    await viewer.page.getByLabel('Token').fill('not-a-token-at-all-000');
    await viewer.page.getByRole('button', { name: 'Log in' }).click();
    await viewer.page.getByRole('alert').filter({ hasText: 'unauthenticated: the token is not valid' }).waitFor();
    await viewer.page.getByLabel('Token').fill(WALL);
    await viewer.page.getByRole('button', { name: 'Log in' }).click();
    await viewer.page.getByRole('heading', { level: 1, name: /inc_00001 Error Burst/ }).waitFor();
    await viewer.page.getByText('wall (viewer)').waitFor();
    await expect(viewer.page.getByRole('button', { name: 'Acknowledge' }).count()).resolves.toBe(0);
    await expect(viewer.page.getByRole('link', { name: 'Export post-mortem' }).count()).resolves.toBe(1);
    const cookies = await viewer.context.cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'firewatch_session', httpOnly: true, secure: true, sameSite: 'Strict' })]);
    // the key the terminal UI acknowledges with does nothing for a viewer
    await viewer.page.keyboard.press('a');
    await viewer.page.waitForTimeout(300);

    // an operator: logs in and acknowledges, recorded under the token's name, with no name asked for
    const operator = await openPage(browser, undefined, { ignoreHTTPSErrors: true });
    await operator.page.goto(`${daemon.dashboardUrl}incidents/inc_00001`);
    await operator.page.getByLabel('Token').fill(ALICE);
    await operator.page.keyboard.press('Enter');
    await operator.page.getByText('alice (operator)').waitFor();
    await operator.page.getByRole('button', { name: 'Acknowledge' }).waitFor();
    await operator.page.keyboard.press('a');
    await operator.page.getByText('acknowledged by alice', { exact: true }).waitFor();
    // and the viewer's page sees it live
    await viewer.page.getByText('acknowledged by alice', { exact: true }).waitFor();

    const stored = JSON.parse((await runCli(['incidents', 'get', 'inc_00001', '--format', 'json', '--socket', daemon.socket])).stdout);
    expect(stored).toMatchObject({ acknowledged: true, acknowledged_by: 'alice' });
    for (const page of [viewer, operator]) expect(page.problems).toEqual({ consoleErrors: expect.any(Array), pageErrors: [], dialogs: [] });
    // the one failed login is the only failed request either page made
    expect([...viewer.problems.consoleErrors, ...operator.problems.consoleErrors]).toEqual([
      'Failed to load resource: the server responded with a status of 401 (Unauthorized)',
    ]);
    expect(daemon.logs()).not.toContain(ALICE);
    expect(daemon.logs()).not.toContain(WALL);
  }, 90_000);

  it('refuses to serve other machines without tokens and TLS', async () => {
    workspace = makeWorkspace();
    const open = await runCli(['incidents', 'dashboard', '--bind', '0.0.0.0', '--port', '0', '--socket', '/nonexistent.sock'], { cwd: workspace });
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/^firewatch: refusing to serve the dashboard on 0\.0\.0\.0 \(reachable from other machines\) without tokens/);
    const config = writeConfig(workspace, ['service:', '  telemetry: { metrics: { endpoint: 127.0.0.1:0 } }', '  dashboard: { endpoint: 0.0.0.0:0 }'].join('\n'));
    const serve = await runCli(['serve', '--config', config], { cwd: workspace });
    expect(serve.code).toBe(1);
    expect(serve.stderr).toMatch(/^firewatch: invalid configuration: service\.dashboard\.tokens: are required to serve the dashboard on 0\.0\.0\.0:0 \(not loopback\)/);
  });
});
