// `firewatch components list` against the real daemon fed by the real SDK: a service answering every request healthy,
// one failing them degraded (or down), one that fell silent down; in every format.

import { SpanKind } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';
import { eventually, makeWorkspace, removeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';

type Component = { component: string; status: string; health_percent: number; open_incidents: number; error_rate: number | null; last_seen: string | null };

/** The shortest silence the daemon accepts (processors.detect.silence.expected_interval_seconds ≥ 60). */
const SILENCE_SECONDS = 60;

describe('components list', () => {
  let workspace: string;
  let daemon: DaemonProcess | undefined;

  beforeEach(() => {
    workspace = makeWorkspace();
  });
  afterEach(async () => {
    await daemon?.kill9();
    daemon = undefined;
    removeWorkspace(workspace);
  });

  it('shows healthy, degraded and silent services as the README defines them, in every format', async () => {
    // prepare: silence judged after a minute, a cadence after one active minute
    const config = writeConfig(
      workspace,
      ['processors:', '  detect:', '    silence:', `      expected_interval_seconds: ${SILENCE_SECONDS}`, '      min_active_minutes: 1', '      history_seconds: 600'].join('\n'),
    );
    daemon = await startDaemon(workspace, config);
    const cli = (...args: string[]) => runCli([...args, '--socket', daemon!.socket]);
    const components = async () => JSON.parse((await cli('components', 'list', '--format', 'json')).stdout) as Component[];

    // act: `batch` reports once and falls silent; `catalog` answers every request; `checkout` fails every request
    await exportSpans(daemon.otlpEndpoint, 'batch', [{ name: 'nightly export', kind: SpanKind.INTERNAL }]);
    const silentSince = Date.now();
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));
    const keepCatalogBusy = async () =>
      exportSpans(
        daemon!.otlpEndpoint,
        'catalog',
        Array.from({ length: 20 }, (_, i) => ({ name: 'GET /products', startMs: Date.now() - 1_000 + i, attributes: { 'http.response.status_code': 200 } })),
      );
    await keepCatalogBusy();

    const early = await components();
    expect(early.find((c) => c.component === 'catalog')).toMatchObject({ status: 'healthy', health_percent: 100, error_rate: 0, open_incidents: 0 });
    expect(['degraded', 'down']).toContain(early.find((c) => c.component === 'checkout')?.status);
    expect(early.find((c) => c.component === 'checkout')).toMatchObject({ error_rate: 1, open_incidents: 1 });
    expect(early.find((c) => c.component === 'batch')?.status).toBe('healthy'); // not silent yet

    // verify: past the expected interval, the silent service is down
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, silentSince + SILENCE_SECONDS * 1000 - Date.now())));
    await keepCatalogBusy();
    const late = await eventually(async () => {
      const list = await components();
      return list.find((c) => c.component === 'batch')?.status === 'down' ? list : undefined;
    }, 30_000, 500);
    expect(late.find((c) => c.component === 'batch')).toMatchObject({ status: 'down', health_percent: 0 });
    expect(late.find((c) => c.component === 'catalog')?.status).toBe('healthy');
    expect(late[0]!.status).toBe('down'); // worst first

    const table = await cli('components', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Component +│ Status/);
    expect(table.stdout).toMatch(/│ batch +│ Down /);
    expect(table.stdout).toMatch(/│ catalog +│ Healthy /);
    for (const line of table.stdout.trimEnd().split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    const csv = await cli('components', 'list', '--format', 'csv');
    expect(csv.stdout.split('\n')[0]).toBe('component,status,open_incidents,health_percent,error_rate,requests_per_minute,last_seen,reason');
    expect(csv.stdout).toMatch(/^batch,down,/m);
    // --since keeps what was heard from since then, and what an open incident names (the silent service is down)
    const since = (JSON.parse((await cli('components', 'list', '--since', '30s', '--format', 'json')).stdout) as Component[]).map((c) => c.component);
    expect(since).toEqual(expect.arrayContaining(['catalog', 'batch', 'checkout']));
    const bad = await cli('components', 'list', '--since', 'yesterday');
    expect(bad.code).toBe(2);
  }, 150_000);
});
