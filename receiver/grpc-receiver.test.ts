import * as grpc from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { connect as http2Connect, type IncomingHttpHeaders } from 'node:http2';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExportAdmission } from './admission.js';
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
import type { RejectionReport } from './rejection-report.js';
import { attributes, idBytes, realisticTraceRequest, spanObject, traceRequestObject } from '../test/helpers/receiver/trace-fixtures.js';

const types = otlpTypes();

interface UnaryOutcome {
  error: grpc.ServiceError | null;
  response: Buffer | undefined;
}

/** A raw client: bytes in, bytes out, no generated code (identity serializers). */
class RawOtlpClient {
  private readonly client: grpc.Client;

  constructor(readonly port: number) {
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

/** One call made by hand on node:http2: what a client that is not grpc-js may send. Resolves with headers and trailers. */
function rawGrpcCall(port: number, path: string, frame: Buffer, extraHeaders: Record<string, string> = {}): Promise<{ headers: IncomingHttpHeaders; trailers: IncomingHttpHeaders; body: Buffer }> {
  const session = http2Connect(`http://127.0.0.1:${port}`);
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...extraHeaders });
    let headers: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (received) => (headers = received));
    stream.on('trailers', (received) => (trailers = received));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('close', () => {
      session.close();
      resolve({ headers, trailers, body: Buffer.concat(chunks) });
    });
    stream.end(frame);
  });
}

/** A Length-Prefixed-Message with the Compressed-Flag set. */
function compressedFrame(compressed: Buffer): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = 1;
  prefix.writeUInt32BE(compressed.length, 1);
  return Buffer.concat([prefix, compressed]);
}

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

  it('refuses exports past the admission budget at once with UNAVAILABLE and RetryInfo, and admits them again after', async () => {
    // One export's items fill the budget; the consumer holds it until told to finish.
    const admission = new ExportAdmission({ maxBytesInFlight: 64 * 1024 * 1024, maxItemsInFlight: 10, maxStoreBacklog: 100, retryAfterMs: 2500 });
    let finish: () => void = () => {};
    const held = new Promise<void>((resolve) => (finish = resolve));
    const holding: RecordingConsumer = { ...consumer, consume: async (batch) => {
      await held;
      await consumer.consume(batch);
    } };
    receiver = createOtlpGrpcReceiver({ endpoint: '127.0.0.1:0', admission }, holding);
    const { port } = await receiver.start();
    client = new RawOtlpClient(port);
    const first = client.call(TRACE_EXPORT_PATH, validTraces());
    while (admission.stats().exportsInFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const refused = await client.call(TRACE_EXPORT_PATH, validTraces());
    expect(refused.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(refused.error?.details).toMatch(/over capacity/);
    const details = refused.error!.metadata.get('grpc-status-details-bin')[0] as Buffer;
    expect(details.includes('type.googleapis.com/google.rpc.RetryInfo')).toBe(true);
    expect(receiver.stats().traces.refused).toBe(1);
    finish();
    expect((await first).error).toBeNull();
    expect(admission.stats()).toEqual({ exportsInFlight: 0, bytesInFlight: 0, itemsInFlight: 0 });
    await expectStillServing();
  });

  it('refuses over capacity at the request head, before reading the body (later requests on the connection do not wait behind it)', async () => {
    // The budget is full while the first export is held; the second is larger than the size limit, so an answer
    // given after reading its body would be RESOURCE_EXHAUSTED: UNAVAILABLE says the head alone decided.
    const admission = new ExportAdmission({ maxBytesInFlight: 64 * 1024 * 1024, maxItemsInFlight: 10, maxStoreBacklog: 100, retryAfterMs: 2500 });
    let finish: () => void = () => {};
    const held = new Promise<void>((resolve) => (finish = resolve));
    const holding: RecordingConsumer = { ...consumer, consume: async (batch) => {
      await held;
      await consumer.consume(batch);
    } };
    receiver = createOtlpGrpcReceiver({ endpoint: '127.0.0.1:0', admission, maxRecvMsgSizeMib: 1 }, holding);
    const { port } = await receiver.start();
    client = new RawOtlpClient(port);
    const first = client.call(TRACE_EXPORT_PATH, validTraces());
    while (admission.stats().exportsInFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const refused = await client.call(TRACE_EXPORT_PATH, Buffer.alloc(1024 * 1024 + 100, 0x0a));
    expect(refused.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(refused.error!.metadata.get('grpc-status-details-bin')).toHaveLength(1);
    expect(receiver.stats().traces).toMatchObject({ requests: 2, refused: 1 });
    finish();
    expect((await first).error).toBeNull();
    expect(admission.stats()).toEqual({ exportsInFlight: 0, bytesInFlight: 0, itemsInFlight: 0 });
    await expectStillServing();
  });

  it('does not ingest an export whose deadline passed before its turn (the client has given up and will retry)', async () => {
    // The first export keeps the event loop busy past the second one's deadline, as an overloaded daemon would.
    const busy: RecordingConsumer = { ...consumer, consume: async (batch) => {
      if (consumer.batches.length === 0) {
        const until = Date.now() + 400;
        while (Date.now() < until) {
          // a long synchronous ingest
        }
      }
      await consumer.consume(batch);
    } };
    receiver = createOtlpGrpcReceiver({ endpoint: '127.0.0.1:0' }, busy);
    const { port } = await receiver.start();
    const late = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const unary = (body: Buffer, deadlineMs: number) =>
      new Promise<grpc.ServiceError | null>((resolve) =>
        late.makeUnaryRequest(TRACE_EXPORT_PATH, (v: Buffer) => v, (v: Buffer) => v, body, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (error) =>
          resolve(error ?? null),
        ),
      );
    try {
      const slowBody = encodeWith(types.TraceRequest, realisticTraceRequest({ spans: 10, errorRate: 0.2, seed: 1, service: 'slow' }));
      const lateBody = encodeWith(types.TraceRequest, realisticTraceRequest({ spans: 10, errorRate: 0.2, seed: 2, service: 'late' }));
      const outcomes = await Promise.all([unary(slowBody, 10_000), unary(lateBody, 150)]);
      expect(outcomes[0]).toBeNull();
      expect(outcomes[1]?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(consumer.batches.map((batch) => [...batch.perService!.keys()])).toEqual([['slow']]);
    } finally {
      late.close();
    }
  });

  it('accepts gzip and deflate exports (grpc-encoding), and refuses a message that inflates past the limit', async () => {
    const reports: RejectionReport[] = [];
    await startWith({ maxRecvMsgSizeMib: 1, onRejected: (report) => reports.push(report) });
    const port = client.port;
    const gzipped = await rawGrpcCall(port, TRACE_EXPORT_PATH, compressedFrame(gzipSync(validTraces())), { 'grpc-encoding': 'gzip' });
    expect(gzipped.trailers['grpc-status'] ?? gzipped.headers['grpc-status']).toBe('0');
    expect(gzipped.headers['grpc-accept-encoding']).toMatch(/gzip/);
    const deflated = await rawGrpcCall(port, TRACE_EXPORT_PATH, compressedFrame(deflateSync(validTraces())), { 'grpc-encoding': 'deflate' });
    expect(deflated.trailers['grpc-status'] ?? deflated.headers['grpc-status']).toBe('0');
    expect(consumer.batches.map((batch) => batch.items)).toEqual([10, 10]);

    // 2 MiB of zeros gzip to a few KiB: the inflated size is what the limit bounds.
    const bomb = await rawGrpcCall(port, TRACE_EXPORT_PATH, compressedFrame(gzipSync(Buffer.alloc(2 * 1024 * 1024))), { 'grpc-encoding': 'gzip' });
    expect(bomb.headers['grpc-status']).toBe(String(grpc.status.RESOURCE_EXHAUSTED));
    const unknown = await rawGrpcCall(port, TRACE_EXPORT_PATH, compressedFrame(Buffer.from('x')), { 'grpc-encoding': 'snappy' });
    expect(unknown.headers['grpc-status']).toBe(String(grpc.status.UNIMPLEMENTED));
    const corrupt = await rawGrpcCall(port, TRACE_EXPORT_PATH, compressedFrame(Buffer.from('not gzip at all')), { 'grpc-encoding': 'gzip' });
    expect(corrupt.headers['grpc-status']).toBe(String(grpc.status.INVALID_ARGUMENT));
    expect(consumer.batches).toHaveLength(2);
    expect(reports).toEqual([
      expect.objectContaining({ kind: 'refused', signal: 'traces', answer: 'RESOURCE_EXHAUSTED', peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) }),
      expect.objectContaining({ kind: 'refused', signal: 'traces', answer: 'UNIMPLEMENTED' }),
      expect.objectContaining({ kind: 'undecodable', signal: 'traces', answer: 'INVALID_ARGUMENT' }),
    ]);
    await expectStillServing();
  });

  it('reports an oversize export with the sender\'s address, answers unknown methods UNIMPLEMENTED and a bad grpc-timeout INTERNAL', async () => {
    const reports: RejectionReport[] = [];
    await startWith({ maxRecvMsgSizeMib: 0.001, onRejected: (report) => reports.push(report) });
    const oversize = await client.call(TRACE_EXPORT_PATH, Buffer.alloc(2000, 0x0a));
    expect(oversize.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(reports).toEqual([
      expect.objectContaining({ kind: 'refused', receiver: 'grpc', signal: 'traces', answer: 'RESOURCE_EXHAUSTED', peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) }),
    ]);
    const unknown = await client.call('/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export', Buffer.alloc(0));
    expect(unknown.error?.code).toBe(grpc.status.UNIMPLEMENTED);
    const port = client.port;
    const badTimeout = await rawGrpcCall(port, TRACE_EXPORT_PATH, Buffer.concat([Buffer.from([0, 0, 0, 0, 0])]), { 'grpc-timeout': '10 seconds' });
    expect(badTimeout.headers['grpc-status']).toBe(String(grpc.status.INTERNAL));
    expect(consumer.batches).toHaveLength(0);
  });

  it('serves at most 100 exports of one connection at once; the client queues the rest and all are answered', async () => {
    let inConsumer = 0;
    let most = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const gated: RecordingConsumer = { ...consumer, consume: async (batch) => {
      inConsumer++;
      most = Math.max(most, inConsumer);
      await gate;
      inConsumer--;
      await consumer.consume(batch);
    } };
    receiver = createOtlpGrpcReceiver({ endpoint: '127.0.0.1:0' }, gated);
    const { port } = await receiver.start();
    client = new RawOtlpClient(port);
    const calls = Array.from({ length: 150 }, () => client.call(TRACE_EXPORT_PATH, validTraces()));
    while (inConsumer < 100) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(most).toBe(100);
    release();
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((outcome) => outcome.error !== null)).toEqual([]);
    expect(consumer.batches).toHaveLength(150);
  });

  it('lets a client send 1 MiB on a stream and 8 MiB on a connection before it waits for a window update', async () => {
    receiver = createOtlpGrpcReceiver({ endpoint: '127.0.0.1:0' }, consumer);
    const { port } = await receiver.start();
    const { connect } = await import('node:http2');
    const session = connect(`http://127.0.0.1:${port}`);
    try {
      await new Promise<void>((resolve, reject) => {
        session.once('remoteSettings', () => resolve());
        session.once('error', reject);
      });
      expect(session.remoteSettings.initialWindowSize).toBe(1024 * 1024);
      // The connection's window comes as a WINDOW_UPDATE after the settings.
      while ((session.state.remoteWindowSize ?? 0) < 8 * 1024 * 1024) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(session.state.remoteWindowSize).toBe(8 * 1024 * 1024);
    } finally {
      session.destroy();
    }
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
    [{ tls: {} }, /^grpc\.tls\.cert: must be PEM bytes/],
    [{ auth: { tokens: [] } }, /^grpc\.auth\.tokens: must be a TokenTable/],
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
  it.each(['none', 'gzip'] as const)('receives error spans exported by OTLPTraceExporter (compression %s) and converts them', async (compression) => {
    // prepare
    const consumer = createRecordingConsumer();
    const receiver = createOtlpGrpcReceiver({ endpoint: '127.0.0.1:0' }, consumer);
    const { port } = await receiver.start();
    const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}`, compression: compression as never });
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
