// The spine, end to end as a user runs it: the real daemon (`firewatch serve`), the real OpenTelemetry SDK and
// OTLP/gRPC exporter, the real CLI. Nothing here reaches into the daemon's internals.

import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';
import {
  eventually,
  makeWorkspace,
  removeWorkspace,
  REPO_ROOT,
  runCli,
  startDaemon,
  type DaemonProcess,
} from '../helpers/daemon-process.js';

type Incident = Record<string, unknown> & { incident_id: string; event_count: number };

async function listIncidents(daemon: DaemonProcess, ...flags: string[]): Promise<Incident[]> {
  const result = await runCli(['incidents', 'list', '--socket', daemon.socket, '--format', 'json', ...flags]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Incident[];
}

describe('spine: OTLP/gRPC in → incidents in LMDB → CLI', () => {
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

  it('turns 12 error spans from one service into one error_burst incident', async () => {
    daemon = await startDaemon(workspace);
    const spans = errorSpans(12);
    await exportSpans(daemon.otlpEndpoint, 'checkout', spans);

    const incidents = await eventually(async () => {
      const found = await listIncidents(daemon!);
      return found.length > 0 && found[0]!.event_count === 12 ? found : undefined;
    });
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident).toMatchObject({
      incident_id: 'inc_00001',
      incident_type: 'error_burst',
      // Every request of the service failed: over the seed's 50 % line, so error_burst escalates to critical.
      severity: 'critical',
      // The workflow moves on by itself: assessed (root cause), contained (no safe action configured), investigating.
      status: expect.stringMatching(/^(assessing|containing|investigating)$/),
      event_count: 12,
      affected_components: ['checkout'],
    });
    expect(incident!.trace_ids).toHaveLength(12);
    expect(incident!.notes).toEqual(['severity high → critical: 100% of checkout requests failed (threshold 50%)']);

    const got = await runCli(['incidents', 'get', 'inc_00001', '--timeline', '--format', 'json', '--socket', daemon.socket]);
    expect(got.code).toBe(0);
    const detail = JSON.parse(got.stdout) as Incident & { timeline: Record<string, unknown>[]; root_cause: Record<string, unknown> };
    expect(detail.timeline).toHaveLength(12);
    expect(detail.timeline[0]).toMatchObject({ event_type: 'api_error', source: 'checkout', severity: 'high' });
    expect(new Set(detail.timeline.map((e) => e.correlation_id))).toEqual(new Set(incident!.trace_ids as string[]));
    expect(detail.root_cause).toMatchObject({ primary_error_type: 'api_error', primary_source: 'checkout' });
    expect(Date.parse(String(detail.detected_at))).toBeGreaterThan(0);
    expect(detail.mttd).toBeGreaterThanOrEqual(0);

    const table = await runCli(['incidents', 'get', 'inc_00001', '--timeline', '--socket', daemon.socket]);
    expect(table.stdout).toContain('Timeline for incident inc_00001');
    expect(table.stdout).toMatch(/\[HIGH\]\s+checkout: POST \/api\/orders/);
  });

  it('opens nothing for 9 errors, nor for 10 spread over 10 minutes of event time', async () => {
    daemon = await startDaemon(workspace);
    await exportSpans(daemon.otlpEndpoint, 'inventory', errorSpans(9));
    const tenMinutesAgo = Date.now() - 10 * 60_000;
    await exportSpans(daemon.otlpEndpoint, 'search', errorSpans(10, { startMs: tenMinutesAgo, spacingMs: 60_000 }));
    // Both exports were acknowledged, so their events are committed: the answer is final.
    expect(await listIncidents(daemon)).toEqual([]);
    const status = await runCli(['incidents', 'list', '--socket', daemon.socket]);
    expect(status.stdout).toContain('No incidents.');
  });

  it('keeps acknowledged incidents and windows across kill -9 and a clean restart', async () => {
    daemon = await startDaemon(workspace);
    await exportSpans(daemon.otlpEndpoint, 'payments', errorSpans(11));
    await exportSpans(daemon.otlpEndpoint, 'ledger', errorSpans(6));
    const before = await listIncidents(daemon);
    expect(before.map((i) => [i.incident_id, i.event_count])).toEqual([['inc_00001', 11]]);

    await daemon.kill9();
    daemon = await startDaemon(workspace, daemon.configFile);
    const after = await listIncidents(daemon);
    expect(after).toEqual(before);

    // The ledger window (6 events) was rebuilt from stored events: 4 more cross the threshold of 10.
    await exportSpans(daemon.otlpEndpoint, 'ledger', errorSpans(4));
    const withLedger = await listIncidents(daemon);
    expect(withLedger.map((i) => [i.incident_id, i.affected_components, i.event_count])).toEqual([
      ['inc_00002', ['ledger'], 10],
      ['inc_00001', ['payments'], 11],
    ]);

    expect(await daemon.stop()).toBe(0);
    expect(daemon.logs()).toContain('firewatch stopped');
    daemon = await startDaemon(workspace, daemon.configFile);
    expect((await listIncidents(daemon)).map((i) => i.incident_id)).toEqual(['inc_00002', 'inc_00001']);
    // Ids are never reused: the next incident after restart is inc_00003.
    await exportSpans(daemon.otlpEndpoint, 'search', errorSpans(10));
    expect((await listIncidents(daemon))[0]).toMatchObject({ incident_id: 'inc_00003', affected_components: ['search'] });
  });

  it('works for an app configured only through OTEL_EXPORTER_OTLP_ENDPOINT with @opentelemetry/sdk-node', async () => {
    daemon = await startDaemon(workspace);
    const app = spawn(process.execPath, [join(REPO_ROOT, 'test', 'fixtures', 'sdk-app.mjs')], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://${daemon.otlpEndpoint}`,
        OTEL_SERVICE_NAME: 'storefront',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        ERROR_SPANS: '12',
      },
    });
    let appOutput = '';
    app.stderr.on('data', (chunk: Buffer) => (appOutput += chunk.toString()));
    const code = await new Promise<number | null>((resolveExit) => app.once('exit', resolveExit));
    expect(code, appOutput).toBe(0);
    const [incident] = await eventually(async () => {
      const found = await listIncidents(daemon!);
      return found.length > 0 ? found : undefined;
    });
    expect(incident).toMatchObject({ incident_type: 'error_burst', affected_components: ['storefront'], event_count: 12 });
  });

  it('filters and formats incident lists', async () => {
    daemon = await startDaemon(workspace);
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(10));
    await exportSpans(daemon.otlpEndpoint, 'billing', errorSpans(10));
    const socket = ['--socket', daemon.socket];

    expect((await listIncidents(daemon, '--component', 'billing')).map((i) => i.affected_components)).toEqual([['billing']]);
    expect(await listIncidents(daemon, '--severity', 'low,medium')).toEqual([]);
    expect(await listIncidents(daemon, '--severity', 'CRITICAL')).toHaveLength(2);
    expect(await listIncidents(daemon, '--status', 'ACTIVE', '--type', 'error_burst')).toHaveLength(2);
    expect(await listIncidents(daemon, '--limit', '1')).toHaveLength(1);
    expect(await listIncidents(daemon, '--since', '1h')).toHaveLength(2);

    const csv = await runCli(['incidents', 'list', '--format', 'csv', ...socket]);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('incident_id,incident_type,severity,status,title,detected_at,event_count,affected_components,assigned_to,mttd,mttr');
    expect(lines).toHaveLength(3);

    const table = await runCli(['incidents', 'list', ...socket]);
    expect(table.code).toBe(0);
    for (const line of table.stdout.trim().split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(80);
    expect(table.stdout).toContain('CRITICAL');
  });

  it('answers rules list/show and explains errors with exit codes', async () => {
    daemon = await startDaemon(workspace);
    const socket = ['--socket', daemon.socket];
    const rules = JSON.parse((await runCli(['incidents', 'rules', 'list', '--format', 'json', ...socket])).stdout) as Record<string, unknown>[];
    expect(rules.map((r) => r.rule_id)).toEqual([
      'error_burst', 'service_down', 'quality_drop', 'workflow_failure_spike', 'memory_exhaustion', 'performance_degradation', 'disk_space_low',
      'api_rate_limit',
    ]);
    const show = JSON.parse((await runCli(['incidents', 'rules', 'show', 'service_down', '--format', 'json', ...socket])).stdout);
    expect(show).toMatchObject({ rule_id: 'service_down', error_threshold: 5, time_window_seconds: 60, severity: 'critical', enabled: true });

    const missing = await runCli(['incidents', 'get', 'inc_99999', ...socket]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('firewatch: incident inc_99999 not found\n');

    const badFlag = await runCli(['incidents', 'list', '--colour', 'red', ...socket]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('unknown flag --colour');

    const noDaemon = await runCli(['incidents', 'list', '--socket', join(workspace, 'nobody.sock')]);
    expect(noDaemon.code).toBe(1);
    expect(noDaemon.stderr).toMatch(/^firewatch: no firewatch daemon is answering at .*nobody\.sock/);
  });

  it('answers bad exports with OTLP status codes and keeps serving', async () => {
    daemon = await startDaemon(workspace);
    const client = new grpc.Client(daemon.otlpEndpoint, grpc.credentials.createInsecure());
    const exportRaw = (body: Buffer) =>
      new Promise<grpc.ServiceError | null>((resolveCall) =>
        client.makeUnaryRequest(
          '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
          (b: Buffer) => b,
          (b: Buffer) => b,
          body,
          (error) => resolveCall(error),
        ),
      );
    try {
      const garbage = await exportRaw(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
      expect(garbage?.code).toBe(grpc.status.INVALID_ARGUMENT);
      const oversize = await exportRaw(Buffer.alloc(5 * 1024 * 1024, 0));
      expect(oversize?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(await exportRaw(Buffer.alloc(0))).toBeNull();
    } finally {
      client.close();
    }
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(10));
    expect(await listIncidents(daemon)).toHaveLength(1);
  });

  it('serves custom rules from the config with their match options', async () => {
    const { writeConfig } = await import('../helpers/daemon-process.js');
    const config = writeConfig(
      workspace,
      [
        'processors:',
        '  detect:',
        '    rules:',
        '      - rule_id: checkout_errors',
        '        name: Checkout errors',
        '        description: Errors in the checkout services',
        '        incident_type: error_burst',
        '        severity: critical',
        '        error_threshold: 5',
        '        time_window_seconds: 60',
        '        check_interval_seconds: 30',
        '        match: { event_types: [api_error], source_pattern: "checkout-*", attributes: { http.route: /api/pay } }',
      ].join('\n'),
    );
    daemon = await startDaemon(workspace, config);
    const shown = await runCli(['incidents', 'rules', 'show', 'checkout_errors', '--format', 'json', '--socket', daemon.socket]);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      rule_id: 'checkout_errors',
      builtin: false,
      error_threshold: 5,
      match: { event_types: ['api_error'], source_pattern: 'checkout-*', attributes: { 'http.route': '/api/pay' } },
    });
    const table = await runCli(['incidents', 'rules', 'show', 'checkout_errors', '--socket', daemon.socket]);
    expect(table.stdout).toContain('sources matching      checkout-*');
  });
});
