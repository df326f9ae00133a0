// The OpenTelemetry JS SDK's own OTLP/gRPC log and metric exporters against the gRPC receiver: what real
// applications send, converted end to end (the trace exporter is covered in grpc-receiver.test.ts).

import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createOtlpGrpcReceiver } from './grpc-receiver.js';
import { createRecordingConsumer } from '../test/helpers/receiver/recording-consumer.js';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';

describe('OTLP gRPC receiver with the OpenTelemetry JS SDK log exporter', () => {
  it('turns ERROR and FATAL records into events and leaves INFO records alone', async () => {
    // prepare
    const consumer = createRecordingConsumer();
    const receiver = createOtlpGrpcReceiver({ endpoint: '127.0.0.1:0' }, consumer);
    const { port } = await receiver.start();
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'payments', 'service.version': '2.0.1' }),
      processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${port}` }) })],
    });
    const logger = provider.getLogger('receiver-test');
    const spanContext = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
    try {
      // act
      logger.emit({
        severityNumber: SeverityNumber.ERROR,
        severityText: 'ERROR',
        body: 'card authorization failed',
        attributes: { 'exception.type': 'CardDeclinedError', 'exception.message': 'insufficient funds', 'enduser.id': 'u-42', 'payment.id': 991 },
        context: spanContext,
      });
      logger.emit({ severityNumber: SeverityNumber.FATAL, severityText: 'FATAL', body: { reason: 'ledger unreachable', retries: 3 } });
      logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'payment accepted' });
      logger.emit({
        severityNumber: SeverityNumber.INFO,
        body: 'nightly reconciliation found mismatches',
        attributes: { 'firewatch.event_type': 'quality_check_failed', 'firewatch.severity': 'high', 'session.id': 's-1' },
        eventName: 'reconciliation.finished',
      });
      await provider.forceFlush();
      await consumer.waitForBatches(4);

      // verify
      const items = consumer.batches.reduce((sum, batch) => sum + batch.items, 0);
      expect(items).toBe(4);
      expect(consumer.batches.every((batch) => batch.signal === 'logs')).toBe(true);
      const drafts = consumer.batches.flatMap((batch) => batch.drafts);
      expect(drafts).toHaveLength(3);
      const [error, fatal, custom] = drafts;
      expect(error).toMatchObject({
        event_type: 'CardDeclinedError',
        source: 'payments',
        severity: 'high',
        message: 'card authorization failed',
        correlation_id: TRACE_ID,
        span_id: SPAN_ID,
      });
      expect(error!.metadata).toMatchObject({
        severity_text: 'ERROR',
        severity_number: 17,
        'exception.type': 'CardDeclinedError',
        'exception.message': 'insufficient funds',
        'enduser.id': 'u-42',
        'payment.id': 991,
      });
      expect(Math.abs(error!.timestamp - Date.now())).toBeLessThan(60_000);
      expect(fatal).toMatchObject({ event_type: 'error', severity: 'critical', message: '{"reason":"ledger unreachable","retries":3}', correlation_id: '' });
      expect(custom).toMatchObject({ event_type: 'quality_check_failed', severity: 'high', message: 'nightly reconciliation found mismatches' });
      expect(custom!.metadata).toMatchObject({ 'event.name': 'reconciliation.finished', 'session.id': 's-1' });
      expect(receiver.stats().logs).toMatchObject({ requests: 4, accepted: 4, badRequests: 0 });
    } finally {
      await provider.shutdown();
      await receiver.stop();
    }
  });
});

describe('OTLP gRPC receiver with the OpenTelemetry JS SDK metric exporter', () => {
  it('fires on a hot gauge every collection, and on latency only from a cumulative window that is slow', async () => {
    // prepare
    const consumer = createRecordingConsumer();
    const receiver = createOtlpGrpcReceiver({ endpoint: '127.0.0.1:0' }, consumer);
    const { port } = await receiver.start();
    const reader = new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: `http://127.0.0.1:${port}` }),
      exportIntervalMillis: 3_600_000,
    });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'checkout' }), readers: [reader] });
    const meter = provider.getMeter('receiver-test');
    meter
      .createObservableGauge('system.memory.utilization', { unit: '1' })
      .addCallback((result) => {
        result.observe(0.95, { 'system.memory.state': 'used' });
        result.observe(0.05, { 'system.memory.state': 'free' });
      });
    const duration = meter.createHistogram('http.server.request.duration', {
      unit: 's',
      advice: { explicitBucketBoundaries: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] },
    });
    const route = { 'http.route': '/api/orders', 'http.request.method': 'POST' };
    const record = (fast: number, slow: number): void => {
      for (let i = 0; i < fast; i++) duration.record(0.02 + i * 0.001, route);
      for (let i = 0; i < slow; i++) duration.record(3.2, route);
    };
    const collect = async (): Promise<string[]> => {
      const before = consumer.batches.length;
      await reader.forceFlush();
      await consumer.waitForBatches(before + 1);
      return consumer.batches.slice(before).flatMap((batch) => batch.drafts.map((draft) => draft.event_type));
    };
    try {
      // act + verify: collection 1 — slow requests, but a cumulative series' first point only primes it
      record(50, 10);
      expect(await collect()).toEqual(['memory_high']);
      // collection 2 — only fast requests since: the window (cumulative difference) is fast
      record(100, 0);
      expect(await collect()).toEqual(['memory_high']);
      // collection 3 — slow again
      record(20, 5);
      const third = await collect();
      expect(third.sort()).toEqual(['memory_high', 'slow_request']);

      const drafts = consumer.batches.flatMap((batch) => batch.drafts);
      const memory = drafts[0]!;
      expect(memory).toMatchObject({
        event_type: 'memory_high',
        source: 'checkout',
        severity: 'critical',
        message: 'system.memory.utilization 0.95 ≥ 0.9 (system.memory.state=used)',
      });
      expect(memory.metadata).toMatchObject({ metric: 'system.memory.utilization', value: 0.95, threshold: 0.9, unit: '1' });
      const slow = drafts.find((draft) => draft.event_type === 'slow_request')!;
      expect(slow).toMatchObject({ source: 'checkout', severity: 'medium' });
      expect(slow.message).toMatch(/^http\.server\.request\.duration p99 3\.\d+ ≥ 1 \(http\.route=\/api\/orders, http\.request\.method=POST\)$/);
      expect(slow.metadata).toMatchObject({ statistic: 'p99', count: 25, unit: 's', 'http.route': '/api/orders' });
      expect(Math.abs(slow.timestamp - Date.now())).toBeLessThan(60_000);
      expect(receiver.stats().metrics.badRequests).toBe(0);
    } finally {
      await provider.shutdown();
      await receiver.stop();
    }
  });
});
