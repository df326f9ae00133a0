// The web dashboard's address filters and its handling of hostile telemetry, in real headless Chromium against the
// real daemon: every one of the seed's URL filters (`?severity=critical`, `?status=active`, `?component=api`,
// `?since=1h`, `?type=error_burst`) shows what `incidents list` with the same flags lists; and service names, span
// names, messages and attributes carrying HTML, script, `javascript:` links and terminal escape sequences stay inert
// text on every screen they reach: no dialog, no script run, no element or link they made.

import { SpanKind } from '@opentelemetry/api';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSpans } from '../helpers/otel-sdk.js';
import { eventually, makeWorkspace, runCli, startDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import type { DashboardProcess } from '../helpers/dashboard-process.js';
import { hasChromium, type WatchedPage } from '../helpers/browser.js';
import { closeDashboardScene, openDashboardScene } from '../helpers/dashboard-scene.js';

const HOSTILE_SERVICE = '<img src=x onerror="window.pwned=1">\u001b]0;owned\u0007pay\u001b[31mments';
const HOSTILE_SPAN = '<script>window.pwned=2</script>[click](javascript:window.pwned=3)';
const HOSTILE_MESSAGE = '<svg onload="window.pwned=4"></svg> javascript:window.pwned=5 \u001b[2J\u009b31m <a href="javascript:window.pwned=6">x</a>';

type Listed = { incident_id: string };

describe.skipIf(!hasChromium)('the web dashboard’s filters and hostile telemetry', () => {
  let workspace: string;
  let daemon: DaemonProcess;
  let dashboard: DashboardProcess;
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;
  let between: string;

  const cli = async (...args: string[]) => {
    const result = await runCli([...args, '--socket', daemon.socket], { env: { FIREWATCH_USER: 'ann' } });
    expect(result.stderr).toBe('');
    return result.stdout;
  };
  const listed = async (...flags: string[]) =>
    (JSON.parse(await cli('incidents', 'list', '--limit', '0', '--format', 'json', ...flags)) as Listed[]).map((incident) => incident.incident_id).sort();

  beforeAll(async () => {
    workspace = makeWorkspace();
    daemon = await startDaemon(workspace);
    // inc_00001 from hostile telemetry (an error burst whose every string is an attack)
    await exportSpans(
      daemon.otlpEndpoint,
      HOSTILE_SERVICE,
      Array.from({ length: 12 }, (_, i) => ({
        name: HOSTILE_SPAN,
        kind: SpanKind.SERVER,
        startMs: Date.now() + i,
        error: HOSTILE_MESSAGE,
        attributes: { 'http.response.status_code': 500, 'url.full': 'javascript:window.pwned=7', 'enduser.id': '<b>u-1</b>' },
      })),
    );
    await eventually(async () => ((await listed()).length === 1 ? true : undefined), 15_000);
    // inc_00002 … inc_00004 by hand, one of them resolved; inc_00005 a second later
    await cli('incidents', 'create', '--type', 'error_burst', '--severity', 'critical', '--components', 'api-gateway');
    await cli('incidents', 'create', '--type', 'service_down', '--severity', 'high', '--components', 'payments-api');
    await cli('incidents', 'create', '--type', 'memory_exhaustion', '--severity', 'medium', '--components', 'worker-api,cache');
    await cli('incidents', 'resolve', 'inc_00003', '--notes', 'failed over');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    between = new Date(Date.now() - 50).toISOString();
    await cli('incidents', 'create', '--type', 'disk_space_low', '--severity', 'low', '--components', 'api-logs');
    ({ dashboard, browser, watched, page } = await openDashboardScene(daemon));
  }, 60_000);

  afterAll(async () => {
    await closeDashboardScene({ browser, dashboard }, daemon, workspace);
  });

  /** The incident ids the list shows at `query`, once the page is live and has read the daemon (aria-busy). */
  async function shownAt(query: string): Promise<string[]> {
    await page.goto(`${dashboard.url}incidents${query}`);
    await page.locator('.list[aria-busy="false"]').waitFor();
    return (await page.locator('table tbody tr td:first-child a').allTextContents()).sort();
  }

  it('shows at every seed filter exactly what incidents list shows with the same flags', async () => {
    const cases: Array<[string, string[]]> = [
      ['', []],
      ['?severity=critical', ['--severity', 'critical']],
      ['?status=active', ['--status', 'active']],
      ['?since=1h', ['--since', '1h']],
      [`?since=${encodeURIComponent(between)}`, ['--since', between]],
      ['?type=error_burst', ['--type', 'error_burst']],
      ['?status=resolved', ['--status', 'resolved']],
      ['?severity=critical,high&status=active', ['--severity', 'critical,high', '--status', 'active']],
    ];
    for (const [query, flags] of cases) {
      const expected = await listed(...flags);
      expect({ query, shown: await shownAt(query) }).toEqual({ query, shown: expected });
    }
    // in the terminal UI's order (view/incident-list.ts): open before ended, most severe first, newest first
    await page.goto(`${dashboard.url}incidents`);
    await page.locator('.list[aria-busy="false"]').waitFor();
    const order = await page.locator('table tbody tr td:first-child a').allTextContents();
    expect(order.at(-1)).toBe('inc_00003');
    expect(order.indexOf('inc_00002')).toBeLessThan(order.indexOf('inc_00004'));
    expect(order.indexOf('inc_00004')).toBeLessThan(order.indexOf('inc_00005'));
    // the answers are not all alike: the filters do filter
    expect(await listed('--since', between)).toEqual(['inc_00005']);
    expect(await listed('--status', 'resolved')).toEqual(['inc_00003']);
    // a component matches by name, in part (the terminal UI's `:component api` too; `incidents list --component`
    // names components exactly), open and resolved incidents alike
    expect(await shownAt('?component=api')).toEqual(['inc_00002', 'inc_00003', 'inc_00004', 'inc_00005']);
    expect(await shownAt('?component=API&status=resolved')).toEqual(['inc_00003']);

    // the form writes the address, so the view can be bookmarked; a bad value says why
    await page.goto(`${dashboard.url}incidents`);
    const form = page.getByRole('search', { name: 'Filter incidents' });
    await form.getByRole('combobox', { name: 'Severity' }).fill('medium');
    await form.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/\/incidents\?severity=medium$/);
    await page.getByText('1 incident matching severity=medium').waitFor();
    await page.goto(`${dashboard.url}incidents?severity=urgent&type=error_burst`);
    await page.getByRole('alert').filter({ hasText: 'severity: unknown severity "urgent"' }).waitFor();
    // the overview takes the same filters, and the TUI's `:` commands set them
    await page.goto(`${dashboard.url}?severity=medium`);
    await page.getByRole('heading', { name: `Active incidents (${(await listed('--severity', 'medium', '--status', 'active')).length})` }).waitFor();
    await page.keyboard.press(':');
    await page.keyboard.type('severity critical');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/\?severity=critical$/);
    await page.getByRole('heading', { name: `Active incidents (${(await listed('--severity', 'critical', '--status', 'active')).length})` }).waitFor();
    expect((await page.getByRole('region', { name: /Active incidents/ }).getByRole('link', { name: /^inc_/ }).allTextContents()).sort()).toEqual(
      await listed('--severity', 'critical', '--status', 'active'),
    );
  }, 60_000);

  it('keeps hostile telemetry inert text on every screen', async () => {
    const trace = JSON.parse(await cli('incidents', 'get', 'inc_00001', '--format', 'json')).trace_ids[0] as string;
    const screens = ['', 'incidents', 'incidents/inc_00001', 'incidents/inc_00001?tab=timeline', 'incidents/inc_00001?tab=actions', 'incidents/inc_00001?tab=postmortem', `traces/${trace}?incident=inc_00001`, 'components'];
    for (const screen of screens) {
      await page.goto(`${dashboard.url}${screen}`);
      await page.getByText('onerror="window.pwned=1"', { exact: false }).first().waitFor();
      const found = await page.evaluate(() => {
        const elements = [...document.querySelectorAll('*')];
        return {
          pwned: (window as unknown as { pwned?: number }).pwned ?? null,
          scripts: [...document.scripts].map((script) => script.getAttribute('src')),
          images: [...document.images].map((image) => image.getAttribute('src')),
          foreign: elements.filter((element) => ['svg', 'iframe', 'object', 'embed', 'style', 'form'].includes(element.tagName.toLowerCase()) && !element.closest('form.filters, form.command-bar')).map((element) => element.tagName),
          handlers: elements.flatMap((element) => element.getAttributeNames().filter((name) => name.toLowerCase().startsWith('on'))),
          links: [...document.querySelectorAll('a[href]')].map((link) => link.getAttribute('href')!).filter((href) => !/^(\/|https?:\/\/|#main$)/.test(href)),
          escapes: /[\u001b\u009b\u0007]/.test(document.body.innerText),
          // long hostile text gives way (wraps or is cut); it never pushes the page past the window's edge
          sideways: document.documentElement.scrollWidth > window.innerWidth,
          text: document.body.innerText,
        };
      });
      expect({ screen, ...found, text: undefined }).toEqual({
        screen,
        pwned: null,
        scripts: ['/assets/app.js'],
        images: ['/assets/favicon.svg'],
        foreign: [],
        handlers: [],
        links: [],
        escapes: false,
        sideways: false,
        text: undefined,
      });
      // what the attack said is shown, as the text it is
      expect(found.text).toContain('<img src=x onerror="window.pwned=1">');
    }
    expect(watched.problems).toEqual({ consoleErrors: [], pageErrors: [], dialogs: [] });
  }, 60_000);
});
