import * as grpc from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackpressureError } from './consumer.js';
import {
  createOtlpGrpcReceiver,
  LOGS_EXPORT_PATH,
  METRICS_EXPORT_PATH,
  type OtlpGrpcReceiver,
  type OtlpGrpcReceiverOptions,
  TRACE_EXPORT_PATH,
} from './grpc-receiver.js';
import { decodeWith, encodeWith, otlpTypes } from '../test/helpers/receiver/otlp-oracle.js';
import { createRecordingConsumer, type RecordingConsumer } from '../test/helpers/receiver/recording-consumer.js';
import { attributes, idBytes, realisticTraceRequest, spanObject, traceRequestObject } from '../test/helpers/receiver/trace-fixtures.js';

const types = otlpTypes();

interface UnaryOutcome {
  error: grpc.ServiceError | null;
  response: Buffer | undefined;
}

/** A raw client: bytes in, bytes out, no generated code (identity serializers). */
class RawOtlpClient {
  private readonly client: grpc.Client;

  constructor(port: number) {
    this.client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }

  call(path: string, body: Buffer): Promise<UnaryOutcome> {
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(
        path,
        (value: Buffer) => value,
        (value: Buffer) => value,
        body,
        (error, response) => resolve({ error: error ?? null, response }),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

const validTraces = () => encodeWith(types.TraceRequest, realisticTraceRequest({ spans: 10, errorRate: 0.2, seed: 9 }));

describe('OTLP gRPC receiver', () => {
  let consumer: RecordingConsumer;
  let receiver: OtlpGrpcReceiver;
  let client: RawOtlpClient;
  let internalErrors: unknown[];

  async function startWith(options: Partial<OtlpGrpcReceiverOptions> = {}): Promise<void> {
    internalErrors = [];
    receiver = createOtlpGrpcReceiver(
      { endpoint: '127.0.0.1:0', onInternalError: (error) => internalErrors.push(error), ...options },
      consumer,
    );
    const { port } = await receiver.start();
    expect(port).toBeGreaterThan(0);
    client = new RawOtlpClient(port);
  }

  /** After any bad request, a valid export must still succeed and reach the consumer. */
  async function expectStillServing(): Promise<void> {
    const before = consumer.batches.length;
    const outcome = await client.call(TRACE_EXPORT_PATH, validTraces());
    expect(outcome.error).toBeNull();
    expect(consumer.batches.length).toBe(before + 1);
    expect(consumer.batches.at(-1)).toMatchObject({ signal: 'traces', items: 10, rejected: 0 });
  }

  beforeEach(() => {
    consumer = createRecordingConsumer();
  });

  afterEach(async () => {
    client?.close();
    await receiver?.stop();
  });

  it('acknowledges a valid export with an empty response after the consumer took the events', async () => {
    // prepare
    await startWith();
    // act
    const outcome = await client.call(TRACE_EXPORT_PATH, validTraces());
    // verify
    expect(outcome.error).toBeNull();
    expect(outcome.response!.length).toBe(0);
    expect(consumer.batches).toHaveLength(1);
    const batch = consumer.batches[0]!;
    expect(batch).toMatchObject({ signal: 'traces', items: 10, rejected: 0 });
    expect(batch.drafts).toHaveLength(2);
    expect(batch.drafts[0]).toMatchObject({ event_type: 'api_error', source: 'checkout', severity: 'high' });
    expect(batch.perService).toEqual(new Map([['checkout', { spans: 10, requests: 10, failedRequests: 2 }]]));
    expect(receiver.stats().traces).toMatchObject({ requests: 1, accepted: 10, rejected: 0 });
  });

  it('answers garbage with INVALID_ARGUMENT naming the byte position, and keeps serving', async () => {
    await startWith();
    const outcome = await client.call(TRACE_EXPORT_PATH, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(outcome.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(outcome.error?.details).toMatch(/^cannot decode ExportTraceServiceRequest: .* at byte \d+$/);
    expect(consumer.batches).toHaveLength(0);
    await expectStillServing();
    expect(receiver.stats()).toMatchObject({ badRequests: 1, traces: { badRequests: 1, requests: 2 } });
  });

  it('answers a truncated request with INVALID_ARGUMENT, and keeps serving', async () => {
    await startWith();
    const bytes = validTraces();
    const outcome = await client.call(TRACE_EXPORT_PATH, bytes.subarray(0, bytes.length - 10));
    expect(outcome.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(outcome.error?.details).toMatch(/truncated|past end/);
    await expectStillServing();
  });

  it('answers an oversize request with RESOURCE_EXHAUSTED, and keeps serving', async () => {
    await startWith({ maxRecvMsgSizeMib: 1 });
    const outcome = await client.call(TRACE_EXPORT_PATH, Buffer.alloc(1024 * 1024 + 100, 0x0a));
    expect(outcome.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    await expectStillServing();
  });

  it('accepts the good spans of a request with bad IDs and reports the rest as partial success', async () => {
    await startWith();
    const bytes = encodeWith(
      types.TraceRequest,
      traceRequestObject([
        {
          service: 'checkout',
          scopes: [[spanObject({ status: { code: 2 } }), spanObject({ traceId: idBytes(5, 1) }), spanObject({ spanId: idBytes(2, 1) })]],
        },
      ]),
    );
    const outcome = await client.call(TRACE_EXPORT_PATH, bytes);
    expect(outcome.error).toBeNull();
    expect(decodeWith(types.TraceResponse, outcome.response!).partialSuccess).toEqual({
      rejectedSpans: '2',
      errorMessage: 'span 1 in resource 0: trace_id must be 16 bytes, got 5 (and 1 more rejected span)',
    });
    expect(consumer.batches[0]).toMatchObject({ items: 1, rejected: 2 });
    expect(consumer.batches[0]!.drafts).toHaveLength(1);
    await expectStillServing();
    expect(receiver.stats().traces).toMatchObject({ accepted: 11, rejected: 2 });
  });

  it('acknowledges an empty request without bothering the consumer', async () => {
    await startWith();
    for (const path of [TRACE_EXPORT_PATH, LOGS_EXPORT_PATH, METRICS_EXPORT_PATH]) {
      const outcome = await client.call(path, Buffer.alloc(0));
      expect(outcome.error).toBeNull();
      expect(outcome.response!.length).toBe(0);
    }
    expect(consumer.batches).toHaveLength(0);
    await expectStillServing();
  });

  it('accepts and counts logs and metrics, with partial success for bad log records', async () => {
    await startWith();
    const logs = encodeWith(types.LogsRequest, {
      resourceLogs: [
        {
          resource: { attributes: attributes({ 'service.name': 'api' }) },
          scopeLogs: [{ logRecords: [{ severityNumber: 17, body: { stringValue: 'x' } }, { traceId: idBytes(3, 1) }] }],
        },
      ],
    });
    const metrics = encodeWith(types.MetricsRequest, {
      resourceMetrics: [
        { scopeMetrics: [{ metrics: [{ name: 'm', gauge: { dataPoints: [{ asDouble: 1 }, { asDouble: 2 }] } }] }] },
      ],
    });
    const logsOutcome = await client.call(LOGS_EXPORT_PATH, logs);
    const metricsOutcome = await client.call(METRICS_EXPORT_PATH, metrics);
    expect(logsOutcome.error).toBeNull();
    expect(decodeWith(types.LogsResponse, logsOutcome.response!).partialSuccess).toEqual({
      rejectedLogRecords: '1',
      errorMessage: 'log record 1 in resource 0: trace_id must be empty or 16 bytes, got 3',
    });
    expect(metricsOutcome.error).toBeNull();
    expect(metricsOutcome.response!.length).toBe(0);
    expect(consumer.batches.map((batch) => [batch.signal, batch.items, batch.rejected])).toEqual([
      ['logs', 1, 1],
      ['metrics', 2, 0],
    ]);
    const bad = await client.call(METRICS_EXPORT_PATH, Buffer.from([0x0b]));
    expect(bad.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.error?.details).toMatch(/^cannot decode ExportMetricsServiceRequest: invalid wire type 3|unterminated group/);
    expect(receiver.stats()).toMatchObject({ logs: { accepted: 1, rejected: 1 }, metrics: { accepted: 2, badRequests: 1 } });
  });

  it('answers consumer backpressure with UNAVAILABLE and a RetryInfo, and failures with a short INTERNAL', async () => {
    await startWith();
    consumer.failNext(new BackpressureError('firewatch is writing behind; retry later', 2000), new Error('disk on fire /var/x'));

    const refused = await client.call(TRACE_EXPORT_PATH, validTraces());
    expect(refused.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(refused.error?.details).toBe('firewatch is writing behind; retry later');
    expect(refused.error?.metadata.get('grpc-status-details-bin')[0]).toBeInstanceOf(Buffer);

    const failed = await client.call(TRACE_EXPORT_PATH, validTraces());
    expect(failed.error?.code).toBe(grpc.status.INTERNAL);
    expect(failed.error?.details).toBe('internal error while accepting ExportTraceServiceRequest');
    expect(internalErrors).toHaveLength(1);

    await expectStillServing();
    expect(receiver.stats().traces).toMatchObject({ refused: 1, failed: 1, accepted: 10 });
  });

  it('lets an in-flight export finish when stopped', async () => {
    const slow = createRecordingConsumer();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    consumer = { ...slow, consume: async (batch) => { await gate; await slow.consume(batch); } } as RecordingConsumer;
    await startWith({ shutdownTimeoutMs: 5000 });
    const pending = client.call(TRACE_EXPORT_PATH, validTraces());
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = receiver.stop();
    release();
    const outcome = await pending;
    await stopped;
    expect(outcome.error).toBeNull();
    expect(slow.batches).toHaveLength(1);
  });

  it.each([
    [{ endpoint: 'localhost' }, /^grpc\.endpoint: /],
    [{ endpoint: '127.0.0.1:70000' }, /^grpc\.endpoint: /],
    [{ maxRecvMsgSizeMib: 0 }, /^grpc\.maxRecvMsgSizeMib: /],
    [{ tls: {} }, /^grpc\.tls: not supported yet/],
    [{ compression: 'zstd' }, /^grpc\.compression: unknown option/],
    [{ spanConverter: { slowSpanThresholdMs: -1 } }, /^grpc\.spanConverter\.slowSpanThresholdMs: /],
    [{ logConverter: { minSeverityNumber: 0 } }, /^grpc\.logConverter\.minSeverityNumber: must be a whole number from 1 to 24/],
    [{ metricConverter: { thresholds: [{ metric: 'm', above: 1 }] } }, /^grpc\.metricConverter\.thresholds\[0\]\.event_type: /],
    [{ metricConverter: { maxSeries: -1 } }, /^grpc\.metricConverter\.maxSeries: /],
  ])('refuses options %o at creation', (options, message) => {
    expect(() => createOtlpGrpcReceiver(options as Partial<OtlpGrpcReceiverOptions>, createRecordingConsumer())).toThrow(message);
  });
});

describe('OTLP gRPC receiver with the OpenTelemetry JS SDK exporter', () => {
  it('receives error spans exported by OTLPTraceExporter and converts them', async () => {
    // prepare
    const consumer = createRecordingConsumer();
    const receiver = createOtlpGrpcReceiver({ endpoint: '127.0.0.1:0' }, consumer);
    const { port } = await receiver.start();
    const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}` });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.version': '1.2.3' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('receiver-test');
    try {
      // act
      const server = tracer.startSpan('POST /api/orders', {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': 'POST', 'http.route': '/api/orders', 'http.response.status_code': 500 },
      });
      server.recordException(new TypeError('order.total is undefined'));
      server.setStatus({ code: SpanStatusCode.ERROR });
      server.end();
      const client = tracer.startSpan('grpc call', {
        kind: SpanKind.CLIENT,
        attributes: { 'rpc.system': 'grpc', 'rpc.grpc.status_code': 14, 'peer.service': 'payments' },
      });
      client.setStatus({ code: SpanStatusCode.ERROR, message: '14 UNAVAILABLE: No connection established' });
      client.end();
      tracer.startSpan('healthy').end();
      await provider.forceFlush();
      await consumer.waitForBatches(1);

      // verify
      const drafts = consumer.batches.flatMap((batch) => batch.drafts);
      const items = consumer.batches.reduce((sum, batch) => sum + batch.items, 0);
      expect(items).toBe(3);
      expect(drafts).toHaveLength(2);
      const apiError = drafts.find((draft) => draft.event_type === 'api_error')!;
      expect(apiError).toMatchObject({
        source: 'checkout',
        severity: 'high',
        message: 'POST /api/orders returned 500: TypeError: order.total is undefined',
      });
      expect(apiError.metadata).toMatchObject({ 'exception.type': 'TypeError', kind: 'server', status_code: 500 });
      expect(apiError.correlation_id).toMatch(/^[0-9a-f]{32}$/);
      expect(apiError.span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(Math.abs(apiError.timestamp - Date.now())).toBeLessThan(60_000);
      const unavailable = drafts.find((draft) => draft.event_type === 'service_unavailable')!;
      expect(unavailable).toMatchObject({ source: 'payments', severity: 'critical' });
      expect(unavailable.metadata.caller).toBe('checkout');
      expect(receiver.stats().traces.badRequests).toBe(0);
    } finally {
      await provider.shutdown();
      await receiver.stop();
    }
  });
});
