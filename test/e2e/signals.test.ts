// Logs and metrics from the real OpenTelemetry SDK exporters, and OTLP/HTTP in both encodings, against the real
// daemon: every signal becomes the right incident, and logs join the incident of the traces they belong to.

import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeWith, otlpTypes } from '../helpers/receiver/otlp-oracle.js';
import { makeWorkspace, removeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { exportCascade } from '../helpers/otel-sdk.js';

type Json = Record<string, any>;

async function incidents(daemon: DaemonProcess): Promise<Json[]> {
  const result = await runCli(['incidents', 'list', '--socket', daemon.socket, '--format', 'json']);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as Json[];
}

describe('all three signals', () => {
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

  it('turns SDK error logs into an error burst, and logs of an incident\'s traces join it', async () => {
    daemon = await startDaemon(workspace);
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'ledger' }),
      processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://${daemon.otlpEndpoint}` }) })],
    });
    const logger = provider.getLogger('e2e');
    for (let i = 0; i < 11; i++) {
      logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: `posting ${i} failed: deadlock`, attributes: { 'user.id': `u-${i % 4}` } });
    }
    logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'all good' });
    await provider.forceFlush();
    const [ledger] = await incidents(daemon);
    expect(ledger).toMatchObject({ incident_type: 'error_burst', affected_components: ['ledger'], event_count: 11, users_affected: 4 });

    // A cascade of spans, then a worker's ERROR logs carrying those traces: one incident for both signals.
    const traceIds = await exportCascade(daemon.otlpEndpoint, [{ service: 'api', name: 'POST /orders', error: 'worker failed', attributes: { 'http.response.status_code': 500 } }], 10);
    for (const traceId of traceIds.slice(0, 3)) {
      logger.emit({
        severityNumber: SeverityNumber.FATAL,
        body: 'order worker crashed',
        context: trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: 'a1b2c3d4e5f60718', traceFlags: TraceFlags.SAMPLED }),
        attributes: { 'exception.type': 'WorkerCrash' },
      });
    }
    await provider.forceFlush();
    await provider.shutdown();
    const all = await incidents(daemon);
    expect(all).toHaveLength(2);
    const api = all.find((i) => i.affected_components.includes('api'))!;
    expect(api.affected_components).toEqual(['api', 'ledger']);
    expect(api.event_count).toBe(13);
    expect(api.root_cause.error_distribution).toMatchObject({ api_error: 10, WorkerCrash: 3 });
  });

  it('counts ERROR logs typed by their exception as an error burst', async () => {
    daemon = await startDaemon(workspace);
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'payments' }),
      processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://${daemon.otlpEndpoint}` }) })],
    });
    const logger = provider.getLogger('e2e');
    for (let i = 0; i < 10; i++) {
      logger.emit({ severityNumber: SeverityNumber.ERROR, body: 'card declined', attributes: { 'exception.type': 'CardDeclinedError' } });
    }
    await provider.forceFlush();
    await provider.shutdown();
    const [burst] = await incidents(daemon);
    expect(burst).toMatchObject({ incident_type: 'error_burst', affected_components: ['payments'], event_count: 10 });
    expect(burst!.root_cause.primary_error_type).toBe('CardDeclinedError');
  });

  it("types ERROR logs by pino's serialized err, as pino-opentelemetry-transport sends them", async () => {
    daemon = await startDaemon(workspace);
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'billing' }),
      processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://${daemon.otlpEndpoint}` }) })],
    });
    const logger = provider.getLogger('pino');
    const err = JSON.stringify({ type: 'CardDeclinedError', message: 'card declined', stack: 'CardDeclinedError: card declined\n    at charge (pay.js:1:1)' });
    for (let i = 0; i < 10; i++) logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'error', body: 'card declined', attributes: { err } });
    await provider.forceFlush();
    await provider.shutdown();
    const [burst] = await incidents(daemon);
    expect(burst).toMatchObject({ incident_type: 'error_burst', affected_components: ['billing'], event_count: 10 });
    expect(burst!.root_cause.primary_error_type).toBe('CardDeclinedError');
  });

  it('turns SDK metrics over their thresholds into memory and disk incidents', async () => {
    daemon = await startDaemon(workspace);
    const reader = new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: `http://${daemon.otlpEndpoint}` }),
      exportIntervalMillis: 3_600_000,
    });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'db-host-1' }), readers: [reader] });
    const meter = provider.getMeter('e2e');
    meter.createObservableGauge('system.memory.utilization').addCallback((result) => {
      result.observe(0.95, { 'system.memory.state': 'used' });
      result.observe(0.05, { 'system.memory.state': 'free' });
    });
    meter.createObservableGauge('system.filesystem.utilization').addCallback((result) => result.observe(0.97, { 'system.device': '/dev/sda1' }));
    for (let i = 0; i < 3; i++) {
      await reader.forceFlush();
      await new Promise((r) => setTimeout(r, 5));
    }
    await provider.shutdown();
    const found = await incidents(daemon);
    const byType = Object.fromEntries(found.map((i) => [i.incident_type, i]));
    expect(byType.memory_exhaustion).toMatchObject({ severity: 'critical', affected_components: ['db-host-1'] });
    expect(byType.memory_exhaustion.event_count).toBeGreaterThanOrEqual(3);
    // 3 % free is under the matrix's 5 % line: disk_space_low escalates from high to critical.
    expect(byType.disk_space_low).toMatchObject({ severity: 'critical', affected_components: ['db-host-1'] });
  });

  it('reads a memory utilization point without a state attribute as the used share', async () => {
    daemon = await startDaemon(workspace);
    const reader = new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: `http://${daemon.otlpEndpoint}` }),
      exportIntervalMillis: 3_600_000,
    });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'bare-host' }), readers: [reader] });
    provider.getMeter('e2e').createObservableGauge('system.memory.utilization').addCallback((result) => result.observe(0.96));
    for (let i = 0; i < 3; i++) await reader.forceFlush();
    await provider.shutdown();
    const [memory] = await incidents(daemon);
    expect(memory).toMatchObject({ incident_type: 'memory_exhaustion', affected_components: ['bare-host'] });
  });

  it('accepts OTLP/HTTP in protobuf (gzip) and JSON, and answers bad requests per the spec', async () => {
    daemon = await startDaemon(workspace, writeConfig(workspace, '', { http: true }));
    const base = `http://${daemon.httpEndpoint}`;
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const span = (i: number) => ({
      traceId: Buffer.from((i + 1).toString(16).padStart(32, '0'), 'hex'),
      spanId: Buffer.from((i + 1).toString(16).padStart(16, '0'), 'hex'),
      name: 'GET /inventory',
      kind: 2,
      startTimeUnixNano: (nowNs + BigInt(i)).toString(),
      endTimeUnixNano: (nowNs + BigInt(i) + 5_000_000n).toString(),
      status: { code: 2, message: 'stock service down' },
    });
    const request = (service: string, count: number) => ({
      resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans: Array.from({ length: count }, (_, i) => span(i)) }] }],
    });

    const protobufBody = gzipSync(encodeWith(otlpTypes().TraceRequest, request('inventory', 10)));
    const viaProtobuf = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, body: protobufBody });
    expect(viaProtobuf.status).toBe(200);
    expect(viaProtobuf.headers.get('content-type')).toBe('application/x-protobuf');

    const jsonRequest = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'catalog' } }] },
          scopeSpans: [
            {
              spans: Array.from({ length: 10 }, (_, i) => ({
                traceId: (i + 100).toString(16).padStart(32, '0'),
                spanId: (i + 100).toString(16).padStart(16, '0'),
                name: 'GET /catalog',
                kind: 2,
                startTimeUnixNano: String(nowNs + BigInt(i)),
                endTimeUnixNano: String(nowNs + BigInt(i) + 5_000_000n),
                status: { code: 2, message: 'catalog index corrupt' },
                someFutureField: { ignored: true },
              })),
            },
          ],
        },
      ],
    };
    const viaJson = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(jsonRequest) });
    expect(viaJson.status).toBe(200);
    expect(await viaJson.json()).toEqual({});

    const found = await incidents(daemon);
    expect(found.map((i) => i.affected_components[0]).sort()).toEqual(['catalog', 'inventory']);

    const wrongType = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(wrongType.status).toBe(415);
    const garbage = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans": [' });
    expect(garbage.status).toBe(400);
    expect((await garbage.json()).code).toBe(3);
    const empty = await fetch(`${base}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(0) });
    expect(empty.status).toBe(200);
    const wrongMethod = await fetch(`${base}/v1/metrics`);
    expect(wrongMethod.status).toBe(405);
  });
});
