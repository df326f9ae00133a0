// The web dashboard end to end, as the incident commander uses it: real headless Chromium on the page that
// `firewatch incidents dashboard` serves for the real daemon, fed by the real OpenTelemetry SDK. A cascade across three
// services shows up live; drilling in gives its root cause and trace; it is acknowledged, assigned, mitigated (a medium
// risk action refused without the approver's name, then run with it), resolved, and exported — every step recorded
// under the name the page asked for. Screenshots of the overview, the incident and the trace at 1280×800 and 390×844.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorSpans, exportCascade, exportSpans, type CascadeHop } from '../helpers/otel-sdk.js';
import { eventually, makeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import type { DashboardProcess } from '../helpers/dashboard-process.js';
import { hasChromium, type WatchedPage } from '../helpers/browser.js';
import { closeDashboardScene, openDashboardScene } from '../helpers/dashboard-scene.js';
import { screenshot } from '../helpers/screenshots.js';

const CASCADE: CascadeHop[] = [
  { service: 'frontend', name: 'GET /checkout', error: 'checkout returned 502', attributes: { 'http.response.status_code': 502, 'enduser.id': 'u-1' } },
  { service: 'checkout', name: 'POST /api/pay', error: 'payments returned 500', attributes: { 'http.response.status_code': 500 } },
  { service: 'payments', name: 'charge card', error: 'card gateway timed out', attributes: { 'http.response.status_code': 500, 'payment.provider': 'acme-cards' } },
];

/** A remediation "command" that records its argv, so the test sees what ran. */
const RECORDER = `import { appendFileSync } from 'node:fs';\nappendFileSync(process.env.RECORD_FILE, JSON.stringify(process.argv.slice(2)) + '\\n');\n`;

describe.skipIf(!hasChromium)('the web dashboard in a browser', () => {
  let workspace: string;
  let daemon: DaemonProcess;
  let dashboard: DashboardProcess;
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    workspace = makeWorkspace();
    const script = join(workspace, 'record.mjs');
    writeFileSync(script, RECORDER);
    const command = (verb: string) => `[${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}, ${verb}, "{{incident_id}}"]`;
    const env = `{ RECORD_FILE: ${JSON.stringify(join(workspace, 'runs.jsonl'))} }`;
    daemon = await startDaemon(
      workspace,
      writeConfig(
        workspace,
        [
          'remediation:',
          '  approvers: { medium: [alice] }',
          '  actions:',
          `    - { id: clear_cache, command: ${command('clear')}, env: ${env} }`,
          `    - { id: restart_service, command: ${command('restart')}, env: ${env} }`,
          '  runbooks:',
          '    error_burst: { steps: ["Check the last deploy of the root-cause service", "Roll back if it correlates"], links: [ { title: Payments dashboard, url: "https://grafana.example.com/d/payments" } ] }',
        ].join('\n'),
      ),
    );
    ({ dashboard, browser, watched, page } = await openDashboardScene(daemon));
  }, 60_000);

  afterAll(async () => {
    await closeDashboardScene({ browser, dashboard }, daemon, workspace);
  });

  it('shows a cascade live, drills into it and its trace, works it to resolution and exports it', async () => {
    // prepare: the page is open and live before anything happens
    await page.goto(dashboard.url);
    await page.getByText('live', { exact: true }).waitFor();
    await expect(page.title()).resolves.toBe('0 active · firewatch');
    await page.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));

    // act: three services fail in a cascade, through the real SDK exporter
    const exportedAt = Date.now();
    await exportCascade(daemon.otlpEndpoint, CASCADE, 12);

    // verify: the incident appears without a reload, most severe first, with its duration
    const row = page.getByRole('row', { name: /inc_00001/ });
    await row.waitFor({ timeout: 10_000 });
    console.log(`incident visible in the page ${Date.now() - exportedAt} ms after the export was acknowledged (includes detection)`);
    await expect(row.getByText('CRITICAL').isVisible()).resolves.toBe(true);
    expect(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    await page.getByRole('heading', { name: /Active incidents \(1\)/ }).waitFor();
    expect(watched.problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [] });

    // drill in: root cause and root span, users, runbook
    await row.getByRole('link', { name: 'inc_00001' }).click();
    await page.getByRole('heading', { level: 1, name: /inc_00001 Error Burst/ }).waitFor();
    const cause = page.getByRole('region', { name: 'Root cause' });
    await expect(cause.textContent()).resolves.toMatch(/on payments.*Root span: payments "charge card" — card gateway timed out/s);
    await expect(cause.textContent()).resolves.toMatch(/Users affected: 1/);
    await expect(page.getByRole('region', { name: 'Runbook' }).getByRole('link', { name: 'Payments dashboard' }).getAttribute('href')).resolves.toBe(
      'https://grafana.example.com/d/payments',
    );

    // and its trace: three spans, every one failing and said so in words, the root cause marked
    await cause.getByRole('link', { name: 'Open trace' }).click();
    const waterfall = page.getByRole('table', { name: /Spans of the trace/ });
    await waterfall.waitFor();
    const spans = waterfall.getByRole('row').filter({ has: page.getByRole('rowheader') });
    await expect(spans.count()).resolves.toBe(3);
    await expect(spans.nth(0).textContent()).resolves.toMatch(/frontend GET \/checkout.*✗ failed: HTTP 502: checkout returned 502/);
    await expect(spans.nth(2).textContent()).resolves.toMatch(/payments charge card.*root cause.*✗ failed: HTTP 500: card gateway timed out/);
    await expect(page.getByRole('region', { name: /Span charge card/ }).textContent()).resolves.toMatch(/servicepayments.*http status500/);
    // its attributes as the SDK sent them
    await expect(page.getByRole('region', { name: /Span charge card/ }).textContent()).resolves.toMatch(
      /Attributes \(2\)http\.response\.status_code500payment\.provideracme-cards/,
    );
    await screenshot(page, 'trace');
    await spans.nth(0).click();
    await expect(page.getByRole('region', { name: /Span GET \/checkout/ }).textContent()).resolves.toMatch(/servicefrontend/);
    await page.keyboard.press('j');
    await page.getByRole('region', { name: /Span POST \/api\/pay/ }).waitFor();
    await page.goBack();

    // acknowledge: the page asks once who is acting, then records it
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    const who = page.getByRole('form', { name: 'Who is acting?' });
    await who.getByRole('textbox').fill('ann');
    await who.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('acknowledged by ann', { exact: true }).waitFor();

    // assign
    await page.keyboard.press('s');
    const assign = page.getByRole('form', { name: 'Assign' });
    await assign.getByRole('textbox').fill('bob');
    await assign.getByRole('button', { name: 'Assign' }).click();
    await page.getByText('assigned to bob', { exact: true }).waitFor();

    // mitigate: the medium-risk restart needs the incident id typed, and is refused without an approver's name
    await page.getByRole('button', { name: 'Mitigate…' }).click();
    const mitigate = page.getByRole('form', { name: 'Mitigate' });
    await mitigate.getByRole('radio', { name: /restart_service \(medium risk\)/ }).check();
    const run = mitigate.getByRole('button', { name: 'Run action' });
    await expect(run.isDisabled()).resolves.toBe(true);
    await mitigate.getByRole('textbox', { name: /to confirm/ }).fill('inc_00002');
    await expect(run.isDisabled()).resolves.toBe(true);
    await mitigate.getByRole('textbox', { name: /to confirm/ }).fill('inc_00001');
    await run.click();
    await expect(page.getByRole('alert').filter({ hasText: 'restart_service' }).textContent()).resolves.toBe(
      'restart_service is medium risk: it needs the approver’s name (allowed: alice)',
    );
    expect(readFileSync(join(workspace, 'runs.jsonl'), 'utf8')).not.toContain('restart');
    await mitigate.getByRole('textbox', { name: 'Approved by' }).fill('alice');
    await run.click();
    await page.getByText(/^restart_service succeeded \(approved by alice\)/).waitFor();
    expect(readFileSync(join(workspace, 'runs.jsonl'), 'utf8')).toContain('["restart","inc_00001"]');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await screenshot(page, 'incident');

    // resolve with notes
    await page.getByRole('button', { name: 'Resolve…' }).click();
    const resolve = page.getByRole('form', { name: 'Resolve' });
    await resolve.getByRole('textbox', { name: 'Resolution notes' }).fill('card gateway failed over to the standby region');
    await resolve.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('RESOLVED', { exact: true }).waitFor();

    // the post-mortem, rendered from its Markdown
    await page.getByRole('navigation', { name: 'Incident sections' }).getByRole('link', { name: 'Post-mortem' }).click();
    await page.getByRole('heading', { level: 1, name: 'Incident Post-Mortem: inc_00001' }).waitFor();
    await expect(page.getByText('Draft:').count()).resolves.toBe(0);

    // exports: the post-mortem as Markdown, the incident as JSON
    const [markdown] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export post-mortem' }).click()]);
    expect(markdown.suggestedFilename()).toBe('inc_00001-postmortem.md');
    const markdownText = readFileSync((await markdown.path())!, 'utf8');
    expect(markdownText).toMatch(/^# Incident Post-Mortem: inc_00001/);
    expect(markdownText).toContain('card gateway failed over to the standby region');
    const [exported] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export JSON' }).click()]);
    expect(exported.suggestedFilename()).toBe('inc_00001.json');
    const incident = JSON.parse(readFileSync((await exported.path())!, 'utf8'));
    expect(incident).toMatchObject({ incident_id: 'inc_00001', status: 'resolved', acknowledged_by: 'ann', assigned_to: 'bob' });
    expect(incident.postmortem).toMatch(/^# Incident Post-Mortem/);
    expect(incident.audit).toContainEqual(expect.objectContaining({ action_id: 'restart_service', kind: 'approved', actor: 'ann', approved_by: 'alice' }));

    // the daemon recorded who did what
    const stored = JSON.parse((await runCli(['incidents', 'get', 'inc_00001', '--format', 'json', '--socket', daemon.socket])).stdout);
    expect(stored.status_history.map((change: { to: string; by: string }) => `${change.to} by ${change.by}`)).toContain('resolved by ann');

    // the overview now: the resolved incident counted, others live
    await exportSpans(daemon.otlpEndpoint, 'inventory', errorSpans(12));
    const created = await runCli(['incidents', 'create', '--type', 'memory_exhaustion', '--severity', 'medium', '--components', 'worker-pool', '--socket', daemon.socket, '--as', 'ann']);
    expect(created.code).toBe(0);
    await page.getByRole('link', { name: /Overview/ }).click();
    await page.getByRole('heading', { name: 'Active incidents (2)' }).waitFor({ timeout: 10_000 });
    await eventually(async () => ((await page.locator('.big-numbers').textContent())?.includes('Resolved today1') ? true : undefined));
    await screenshot(page, 'overview');

    // the same screens on a phone
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'overview');
    await page.goto(`${dashboard.url}incidents/inc_00001`);
    await page.getByRole('heading', { level: 1, name: /inc_00001 Error Burst/ }).waitFor();
    await screenshot(page, 'incident');
    await page.goto(`${dashboard.url}traces/${incident.root_cause.root_span.trace_id}?incident=inc_00001`);
    await page.getByRole('table', { name: /Spans of the trace/ }).waitFor();
    await screenshot(page, 'trace');

    // nothing went wrong on the page but the one refusal it was sent (Chromium logs every failed fetch)
    expect(watched.problems).toEqual({
      consoleErrors: ['Failed to load resource: the server responded with a status of 409 (Conflict)'],
      pageErrors: [],
      dialogs: [],
    });
    expect(existsSync(join(workspace, 'runs.jsonl'))).toBe(true);
  }, 120_000);
});
