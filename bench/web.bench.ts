// Web dashboard benchmark: what a person at the page waits for, in real headless Chromium (Debian's /usr/bin/chromium)
// against the real daemon and the real `firewatch incidents dashboard`, on loopback.
//
//   npm run build && node dist/bench/web.bench.js [--runs 10] [--trials 20] [--incidents 1000] [--updates 40]
//
// Budgets (DESIGN.md "Budgets", issue 14):
//   first contentful paint < 1 s on loopback          a fresh browser context per run (nothing cached)
//   incident visible < 1 s after the export is acked  10 failing spans of a new service through the OTel SDK (the
//                                                       error_burst threshold); from the exporter's acknowledgement to
//                                                       the moment a MutationObserver in the page sees its title
//   page JavaScript < 250 KB gzipped                  dist/web/assets/app.js as the gateway serves it (gzip -9)
//   < 50 ms per update with 1,000 open incidents      the page's own User Timing measure 'firewatch:update' (live
//                                                       batch arrives → reducer → React commit), overview and list

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { connectControl } from '../control/client.js';
import { packageRoot } from '../common/package-root.js';
import { errorSpans, exportSpans } from '../test/helpers/otel-sdk.js';
import { CLI_SCRIPT, startBenchDaemon, stopOnSignals, type BenchDaemon } from './daemon-child.js';
import { ms, summarize } from './percentiles.js';

// The functions handed to page.evaluate run in the browser; this file is compiled for Node (no DOM library), so the
// few browser globals they touch are declared here, for this module only.
declare const window: { seen?: Record<string, number>; history: { pushState(data: null, unused: string, url: string): void }; dispatchEvent(event: unknown): void };
declare const document: { body: { textContent: string | null } };
declare const MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void; disconnect(): void };
declare const PopStateEvent: new (type: string) => unknown;
declare const requestAnimationFrame: (callback: () => void) => void;

const CHROMIUM = process.env.FIREWATCH_CHROMIUM ?? '/usr/bin/chromium';
const FCP_BUDGET_MS = 1_000;
const VISIBLE_BUDGET_MS = 1_000;
const SCRIPT_BUDGET_BYTES = 250 * 1024;
const UPDATE_BUDGET_MS = 50;
const TRIAL_TIMEOUT_MS = 10_000;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    trials: { type: 'string', default: '20' },
    incidents: { type: 'string', default: '1000' },
    updates: { type: 'string', default: '40' },
  },
});
const runs = Math.floor(Number(values.runs));
const trials = Math.floor(Number(values.trials));
const incidentCount = Math.floor(Number(values.incidents));
const updates = Math.floor(Number(values.updates));
if (!(runs > 0) || !(trials > 0) || !(incidentCount > 0) || !(updates > 0)) {
  process.stderr.write('usage: web.bench.js [--runs N] [--trials N] [--incidents N] [--updates N]\n');
  process.exit(2);
}

async function startGateway(socket: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI_SCRIPT, 'incidents', 'dashboard', '--port', '0', '--socket', socket], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the dashboard did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /firewatch dashboard: (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the dashboard exited with ${code}:\n${output}`)));
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return { child, url };
}

function line(label: string, summary: ReturnType<typeof summarize>, budget: number): string {
  const verdict = summary.p90 <= budget ? 'within' : 'OVER';
  return `${label.padEnd(44)} p50 ${ms(summary.p50).padStart(7)} ms  p90 ${ms(summary.p90).padStart(7)} ms  max ${ms(summary.max).padStart(7)} ms  (n=${summary.count}; budget ${budget} ms: ${verdict})`;
}

async function firstContentfulPaint(browser: Browser, url: string): Promise<{ fcp: number[]; live: number[] }> {
  const fcp: number[] = [];
  const live: number[] = [];
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('.live-open');
    const timing = await page.evaluate(() => ({
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
      live: performance.now(),
    }));
    fcp.push(timing.fcp);
    live.push(timing.live);
    await context.close();
  }
  return { fcp, live };
}

/** Resolves with Date.now() in the page when text containing `needle` first appears in the document. */
async function watchFor(page: Page, needle: string): Promise<void> {
  await page.evaluate((text) => {
    const seen = (window.seen ??= {});
    const check = () => {
      if (seen[text] === undefined && document.body.textContent?.includes(text)) {
        seen[text] = Date.now();
        observer.disconnect();
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    check();
  }, needle);
}

async function incidentVisible(page: Page, daemon: BenchDaemon): Promise<number[]> {
  const latencies: number[] = [];
  for (let trial = 0; trial < trials; trial++) {
    const service = `bench-svc-${trial}-${Date.now().toString(36)}`;
    await watchFor(page, service);
    await exportSpans(daemon.otlpEndpoint, service, errorSpans(10));
    const acked = Date.now();
    const seen = await page
      .waitForFunction((text) => window.seen?.[text], service, { timeout: TRIAL_TIMEOUT_MS, polling: 50 })
      .then((handle) => handle.jsonValue() as Promise<number>)
      .catch(() => Number.POSITIVE_INFINITY);
    latencies.push(seen - acked);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return latencies;
}

async function updateCost(page: Page, url: string, path: string, shown: string, daemon: BenchDaemon, ids: readonly string[], actor: string): Promise<number[]> {
  const client = connectControl(daemon.socket);
  try {
    await page.goto(`${url}${path}`);
    await page.waitForSelector('.live-open');
    await page.waitForFunction((text) => document.body.textContent?.includes(text), shown, { timeout: 30_000 });
    await page.waitForTimeout(500);
    await page.evaluate(() => performance.clearMeasures('firewatch:update'));
    for (let n = 0; n < updates; n++) {
      // One change per live batch (the page batches 100 ms): each measure is one update's cost.
      await client.updateIncident({ incident_id: ids[n % ids.length]!, notes: `bench note ${n}`, actor });
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await page.waitForTimeout(300);
    return page.evaluate(() => performance.getEntriesByName('firewatch:update').map((entry) => entry.duration));
  } finally {
    client.close();
  }
}

async function main(): Promise<void> {
  const script = readFileSync(join(packageRoot(), 'dist', 'web', 'assets', 'app.js'));
  const gzipped = gzipSync(script, { level: 9 }).length;
  console.log(`page JavaScript: ${(script.length / 1024).toFixed(1)} KiB, ${(gzipped / 1024).toFixed(1)} KiB gzipped (budget ${SCRIPT_BUDGET_BYTES / 1024} KiB: ${gzipped <= SCRIPT_BUDGET_BYTES ? 'within' : 'OVER'})`);

  const daemon = await startBenchDaemon();
  let gateway: ChildProcess | undefined;
  stopOnSignals(daemon, () => (gateway ? [gateway] : []));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const started = await startGateway(daemon.socket);
    gateway = started.child;
    const url = started.url;

    const paint = await firstContentfulPaint(browser, url);
    console.log(line('first contentful paint', summarize(paint.fcp), FCP_BUDGET_MS));
    console.log(line('page live (stream open, data shown)', summarize(paint.live), FCP_BUDGET_MS));

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('.live-open');
    console.log(line('incident visible after the export is acked', summarize(await incidentVisible(page, daemon)), VISIBLE_BUDGET_MS));

    const client = connectControl(daemon.socket);
    const createdAt = Date.now();
    const ids: string[] = [];
    const open = incidentCount - trials; // the trials' incidents are open too
    for (let n = 0; n < open; n += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, open - n) }, (_, i) =>
          client.createIncident({ incident_type: 'error_burst', severity: (['critical', 'high', 'medium', 'low'] as const)[(n + i) % 4], components: [`svc-${(n + i) % 37}`], actor: 'bench' }),
        ),
      );
      ids.push(...batch.map((incident) => incident.incident_id));
    }
    client.close();
    console.log(`${incidentCount} open incidents created in ${Date.now() - createdAt} ms`);
    const overview = await updateCost(page, url, '', `Active incidents (${incidentCount})`, daemon, ids, 'bench');
    console.log(line(`update with ${incidentCount} open: overview`, summarize(overview), UPDATE_BUDGET_MS));
    const list = await updateCost(page, url, 'incidents?status=active', `${incidentCount} incidents`, daemon, ids, 'bench');
    console.log(line(`update with ${incidentCount} open: incident list`, summarize(list), UPDATE_BUDGET_MS));
    const initial = await page.evaluate(async () => {
      const start = performance.now();
      window.history.pushState(null, '', '/incidents');
      window.dispatchEvent(new PopStateEvent('popstate'));
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      return performance.now() - start;
    });
    console.log(`switch to the full list of ${incidentCount} (200 rows drawn): ${ms(initial)} ms`);
    await context.close();
  } finally {
    await browser.close();
    gateway?.kill('SIGTERM');
    await daemon.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
