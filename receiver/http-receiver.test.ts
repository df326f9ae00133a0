import { request as httpRequest } from 'node:http';
import { gzipSync, deflateSync, deflateRawSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExportAdmission } from './admission.js';
import { BackpressureError } from './consumer.js';
import { createOtlpGrpcReceiver, LOGS_EXPORT_PATH, METRICS_EXPORT_PATH, TRACE_EXPORT_PATH } from './grpc-receiver.js';
import { createOtlpHttpReceiver, type OtlpHttpReceiver, type OtlpHttpReceiverOptions } from './http-receiver.js';
import { realisticLogsRequest, realisticMetricsRequest } from '../test/helpers/receiver/logs-metrics-fixtures.js';
import { otlpJsonBody, otlpJsonObject } from '../test/helpers/receiver/otlp-json-fixtures.js';
import { decodeWith, encodeWith, otlpTypes } from '../test/helpers/receiver/otlp-oracle.js';
import { createRecordingConsumer, type RecordingConsumer } from '../test/helpers/receiver/recording-consumer.js';
import { serversOn } from '../test/helpers/receiver/active-servers.js';
import { attributes, idBytes, realisticTraceRequest, spanObject, traceRequestObject } from '../test/helpers/receiver/trace-fixtures.js';

const types = otlpTypes();
/** google.rpc.Status (googleapis/google/rpc/status.proto), without details. */
const STATUS = new protobuf.Type('Status').add(new protobuf.Field('code', 1, 'int32')).add(new protobuf.Field('message', 2, 'string'));
const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

interface PostOptions {
  method?: string;
  contentType?: string | null;
  headers?: Record<string, string>;
  /** Send without Content-Length (chunked). */
  chunked?: boolean;
}

/** One request over a fresh connection; resolves with the answer (or rejects when the connection breaks first). */
function post(port: number, path: string, body: Buffer, options: PostOptions = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    const contentType = options.contentType === undefined ? PROTOBUF : options.contentType;
    if (contentType !== null) headers['Content-Type'] = contentType;
    if (!options.chunked) headers['Content-Length'] = String(body.length);
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** google.rpc.Status from a protobuf or JSON error body. */
function statusOf(answer: HttpAnswer): { code: number; message: string } {
  if (String(answer.headers['content-type']).startsWith(JSON_TYPE)) return JSON.parse(answer.body.toString()) as { code: number; message: string };
  return STATUS.toObject(STATUS.decode(answer.body), { defaults: true }) as { code: number; message: string };
}

const traceObject = () => realisticTraceRequest({ spans: 10, errorRate: 0.2, seed: 9 });
const validTraces = () => encodeWith(types.TraceRequest, traceObject());

describe('OTLP/HTTP receiver', () => {
  let consumer: RecordingConsumer;
  let receiver: OtlpHttpReceiver;
  let port: number;
  let internalErrors: unknown[];

  async function startWith(options: Partial<OtlpHttpReceiverOptions> = {}): Promise<void> {
    internalErrors = [];
    receiver = createOtlpHttpReceiver(
      { endpoint: '127.0.0.1:0', onInternalError: (error) => internalErrors.push(error), ...options },
      consumer,
    );
    ({ port } = await receiver.start());
    expect(port).toBeGreaterThan(0);
  }

  /** After any bad request, a valid export must still succeed and reach the consumer. */
  async function expectStillServing(): Promise<void> {
    const before = consumer.batches.length;
    const answer = await post(port, '/v1/traces', validTraces());
    expect(answer.status).toBe(200);
    expect(consumer.batches.length).toBe(before + 1);
    expect(consumer.batches.at(-1)).toMatchObject({ signal: 'traces', items: 10, rejected: 0 });
  }

  beforeEach(() => {
    consumer = createRecordingConsumer();
  });

  afterEach(async () => {
    await receiver?.stop();
  });

  it('keeps serving after an accept error on its port (an uncaught one would end the process)', async () => {
    await startWith();
    const servers = serversOn(port);
    expect(servers).toHaveLength(1);
    expect(() => servers[0]!.emit('error', Object.assign(new Error('accept ENOBUFS'), { code: 'ENOBUFS' }))).not.toThrow();
    await expectStillServing();
  });

  it('accepts protobuf traces and answers an empty ExportTraceServiceResponse', async () => {
    // prepare
    await startWith();
    // act
    const answer = await post(port, '/v1/traces', validTraces());
    // verify
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(PROTOBUF);
    expect(answer.body.length).toBe(0);
    expect(consumer.batches[0]).toMatchObject({ signal: 'traces', items: 10, rejected: 0 });
    expect(consumer.batches[0]!.drafts).toHaveLength(2);
    expect(consumer.batches[0]!.perService).toEqual(new Map([['checkout', { spans: 10, requests: 10, failedRequests: 2 }]]));
    expect(receiver.stats().traces).toMatchObject({ requests: 1, accepted: 10 });
  });

  it('accepts OTLP/JSON traces (hex IDs, enum numbers, string int64) and answers {}', async () => {
    await startWith();
    const answer = await post(port, '/v1/traces', otlpJsonBody(types.TraceRequest, traceObject()), { contentType: 'application/json; charset=utf-8' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(JSON_TYPE);
    expect(JSON.parse(answer.body.toString())).toEqual({});
    expect(consumer.batches[0]).toMatchObject({ signal: 'traces', items: 10 });
  });

  it('converts all three signals identically over gRPC, HTTP protobuf and HTTP JSON', async () => {
    // prepare: the same requests through three paths, each with its own converters (cumulative state per receiver)
    await startWith();
    const grpcConsumer = createRecordingConsumer();
    const grpcReceiver = createOtlpGrpcReceiver({ endpoint: '127.0.0.1:0' }, grpcConsumer);
    const { port: grpcPort } = await grpcReceiver.start();
    const client = new grpc.Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    const jsonConsumer = createRecordingConsumer();
    const jsonReceiver = createOtlpHttpReceiver({ endpoint: '127.0.0.1:0' }, jsonConsumer);
    const { port: jsonPort } = await jsonReceiver.start();
    const callGrpc = (path: string, body: Buffer) =>
      new Promise<void>((resolve, reject) =>
        client.makeUnaryRequest(path, (v: Buffer) => v, (v: Buffer) => v, body, (error) => (error ? reject(error) : resolve())),
      );
    const requests: [string, string, string, ReturnType<typeof otlpTypes>['TraceRequest'], Record<string, unknown>][] = [
      [TRACE_EXPORT_PATH, '/v1/traces', 'traces', types.TraceRequest, traceObject()],
      [LOGS_EXPORT_PATH, '/v1/logs', 'logs', types.LogsRequest, realisticLogsRequest({ records: 50, errorRate: 0.1, seed: 2 })],
      [METRICS_EXPORT_PATH, '/v1/metrics', 'metrics', types.MetricsRequest, realisticMetricsRequest({ tick: 0, hot: true })],
      [METRICS_EXPORT_PATH, '/v1/metrics', 'metrics', types.MetricsRequest, realisticMetricsRequest({ tick: 1, hot: true })],
    ];
    try {
      // act
      for (const [grpcPath, httpPath, , type, object] of requests) {
        await callGrpc(grpcPath, encodeWith(type, object));
        expect((await post(port, httpPath, encodeWith(type, object))).status).toBe(200);
        expect((await post(jsonPort, httpPath, otlpJsonBody(type, object), { contentType: JSON_TYPE })).status).toBe(200);
      }
      // verify
      expect(consumer.batches.map((batch) => batch.signal)).toEqual(requests.map((request) => request[2]));
      expect(consumer.batches).toEqual(grpcConsumer.batches);
      expect(jsonConsumer.batches).toEqual(grpcConsumer.batches);
      const drafts = consumer.batches.flatMap((batch) => batch.drafts.map((draft) => draft.event_type));
      expect(drafts).toEqual(expect.arrayContaining(['api_error', 'UpstreamError', 'memory_high', 'slow_request']));
    } finally {
      client.close();
      await grpcReceiver.stop();
      await jsonReceiver.stop();
    }
  });

  it('reports rejected items as partial success in the request’s encoding', async () => {
    await startWith();
    const object = traceRequestObject([{ service: 'checkout', scopes: [[spanObject({ status: { code: 2 } }), spanObject({ traceId: idBytes(5, 1) })]] }]);
    const proto = await post(port, '/v1/traces', encodeWith(types.TraceRequest, object));
    expect(proto.status).toBe(200);
    expect(decodeWith(types.TraceResponse, proto.body).partialSuccess).toEqual({
      rejectedSpans: '1',
      errorMessage: 'span 1 in resource 0: trace_id must be 16 bytes, got 5',
    });
    const json = await post(port, '/v1/traces', otlpJsonBody(types.TraceRequest, object), { contentType: JSON_TYPE });
    expect(JSON.parse(json.body.toString())).toEqual({
      partialSuccess: { rejectedSpans: '1', errorMessage: 'span 1 in resource 0: trace_id must be 16 bytes, got 5' },
    });
    const logs = encodeWith(types.LogsRequest, { resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 9 }, { spanId: idBytes(3, 1) }] }] }] });
    const logsJson = await post(port, '/v1/logs', otlpJsonBody(types.LogsRequest, decodeWith(types.LogsRequest, logs)), { contentType: JSON_TYPE });
    expect(JSON.parse(logsJson.body.toString()).partialSuccess.rejectedLogRecords).toBe('1');
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['deflate', deflateRawSync],
    ['GZIP', gzipSync],
  ])('accepts %s bodies', async (encoding, compress) => {
    await startWith();
    const answer = await post(port, '/v1/traces', compress(validTraces()), { headers: { 'Content-Encoding': encoding } });
    expect(answer.status).toBe(200);
    const json = await post(port, '/v1/traces', compress(otlpJsonBody(types.TraceRequest, traceObject())), {
      contentType: JSON_TYPE,
      headers: { 'Content-Encoding': encoding },
    });
    expect(json.status).toBe(200);
    expect(consumer.batches).toHaveLength(2);
  });

  it('answers 413 for a body over the limit, declared or streamed, and keeps serving', async () => {
    await startWith({ maxRequestBodyMib: 1 });
    const big = Buffer.alloc(1024 * 1024 + 1, 0x0a);
    const declared = await post(port, '/v1/traces', big);
    expect(declared.status).toBe(413);
    expect(declared.headers.connection).toBe('close');
    expect(statusOf(declared)).toEqual({ code: 8, message: 'request body larger than 1048576 bytes (maxRequestBodyMib)' });
    const streamed = await post(port, '/v1/traces', big, { chunked: true }).catch((error: Error) => error);
    // The server answers as soon as the limit passes and closes; the client sees the 413 or a reset connection.
    if (!(streamed instanceof Error)) expect(streamed.status).toBe(413);
    await expectStillServing();
    expect(receiver.stats().traces.badRequests).toBe(2);
  });

  it('answers every over-limit body 413 before closing, never a reset connection (raw node:http, 21 MiB, 10 times)', async () => {
    await startWith();
    // A client in another process, as a real one is: in this process the 413 always won the race with the reset.
    const client = `
      const { request } = require('node:http');
      const body = Buffer.alloc(21 * 1024 * 1024, 0x0a);
      const once = (chunked) => new Promise((resolve) => {
        const headers = { 'Content-Type': 'application/x-protobuf' };
        if (!chunked) headers['Content-Length'] = String(body.length);
        const req = request({ host: '127.0.0.1', port: ${port}, path: '/v1/traces', method: 'POST', agent: false, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', (error) => resolve(error.code));
        req.end(body);
      });
      (async () => {
        const seen = [];
        for (let i = 0; i < 10; i++) seen.push(await once(false));
        for (let i = 0; i < 3; i++) seen.push(await once(true));
        process.stdout.write(JSON.stringify(seen));
      })();`;
    const { execFile } = await import('node:child_process');
    const output = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['-e', client], (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    expect(JSON.parse(output)).toEqual(new Array(13).fill(413));
    await expectStillServing();
  });

  it('counts a compressed upload by the bytes it holds: a few small gzip exports in flight are never refused', async () => {
    // Each export stays in flight a while, so all of them are in the receiver at once.
    const slow: typeof consumer = { ...consumer, consume: async (batch) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await consumer.consume(batch);
    } };
    receiver = createOtlpHttpReceiver({ endpoint: '127.0.0.1:0' }, slow);
    ({ port } = await receiver.start());
    const protobuf = gzipSync(validTraces());
    const json = gzipSync(otlpJsonBody(types.TraceRequest, traceObject()));
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, () => post(port, '/v1/traces', protobuf, { headers: { 'Content-Encoding': 'gzip' } })),
      ...Array.from({ length: 8 }, () => post(port, '/v1/traces', json, { contentType: JSON_TYPE, headers: { 'Content-Encoding': 'gzip' } })),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual(new Array(16).fill(200));
    expect(consumer.batches).toHaveLength(16);
  });

  it('answers 413 for a gzip bomb, stopping inflation at the limit', async () => {
    await startWith({ maxRequestBodyMib: 1 });
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const answer = await post(port, '/v1/traces', bomb, { headers: { 'Content-Encoding': 'gzip' } });
    expect(answer.status).toBe(413);
    expect(statusOf(answer).message).toMatch(/^decompressed request body larger than 1048576 bytes/);
    const json = await post(port, '/v1/logs', bomb, { contentType: JSON_TYPE, headers: { 'Content-Encoding': 'gzip' } });
    expect(json.status).toBe(413);
    expect(statusOf(json).code).toBe(8);
    await expectStillServing();
  });

  it('answers 400 for a corrupt gzip body', async () => {
    await startWith();
    const answer = await post(port, '/v1/traces', Buffer.from('not gzip at all'), { headers: { 'Content-Encoding': 'gzip' } });
    expect(answer.status).toBe(400);
    expect(statusOf(answer).message).toMatch(/^cannot decompress gzip body/);
    await expectStillServing();
  });

  it('answers 415 for an unsupported content type or encoding', async () => {
    await startWith();
    const plain = await post(port, '/v1/traces', validTraces(), { contentType: 'text/plain' });
    expect(plain.status).toBe(415);
    expect(statusOf(plain).message).toMatch(/unsupported Content-Type "text\/plain"/);
    const none = await post(port, '/v1/traces', validTraces(), { contentType: null });
    expect(none.status).toBe(415);
    const brotli = await post(port, '/v1/traces', validTraces(), { headers: { 'Content-Encoding': 'br' } });
    expect(brotli.status).toBe(415);
    expect(brotli.headers['accept-encoding']).toBe('gzip, deflate, identity');
    await expectStillServing();
    expect(consumer.batches).toHaveLength(1);
  });

  it('answers 400 with a google.rpc.Status for garbage protobuf and malformed JSON', async () => {
    await startWith();
    const garbage = await post(port, '/v1/traces', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(garbage.status).toBe(400);
    expect(garbage.headers['content-type']).toBe(PROTOBUF);
    expect(statusOf(garbage)).toMatchObject({ code: 3 });
    expect(statusOf(garbage).message).toMatch(/^cannot decode ExportTraceServiceRequest: .* at byte \d+$/);

    const malformed = await post(port, '/v1/logs', Buffer.from('{"resourceLogs": ['), { contentType: JSON_TYPE });
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toBe(JSON_TYPE);
    expect(statusOf(malformed)).toMatchObject({ code: 3 });
    expect(statusOf(malformed).message).toMatch(/^cannot decode ExportLogsServiceRequest: malformed JSON/);

    const wrongType = await post(port, '/v1/traces', Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}'), {
      contentType: JSON_TYPE,
    });
    expect(wrongType.status).toBe(400);
    expect(statusOf(wrongType).message).toMatch(/resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId: must be a hex string/);
    expect(consumer.batches).toHaveLength(0);
    await expectStillServing();
    expect(receiver.stats()).toMatchObject({ badRequests: 3, traces: { badRequests: 2 }, logs: { badRequests: 1 } });
  });

  it('ignores unknown JSON fields and accepts snake_case names and enum names', async () => {
    await startWith();
    const body = {
      resource_logs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }], futureField: { x: 1 } },
          scope_logs: [
            {
              log_records: [
                {
                  time_unix_nano: '1700000000000000000',
                  severity_number: 'SEVERITY_NUMBER_FATAL',
                  body: { stringValue: 'disk gone' },
                  trace_id: '5b8efff798038103d269b633813fc60c',
                  span_id: 'eee19b7ec3c1b174',
                  somethingNew: [1, 2, 3],
                },
              ],
            },
          ],
        },
      ],
      extra: 'ignored',
    };
    const answer = await post(port, '/v1/logs', Buffer.from(JSON.stringify(body)), { contentType: JSON_TYPE });
    expect(answer.status).toBe(200);
    expect(consumer.batches[0]!.drafts).toEqual([
      expect.objectContaining({
        source: 'api',
        severity: 'critical',
        message: 'disk gone',
        timestamp: 1_700_000_000_000,
        correlation_id: '5b8efff798038103d269b633813fc60c',
        span_id: 'eee19b7ec3c1b174',
      }),
    ]);
  });

  it('answers empty protobuf bodies (plain or gzip) with success and does not bother the consumer', async () => {
    await startWith();
    for (const path of ['/v1/traces', '/v1/logs', '/v1/metrics']) {
      expect((await post(port, path, Buffer.alloc(0))).status).toBe(200);
      expect((await post(port, path, Buffer.from('{}'), { contentType: JSON_TYPE })).status).toBe(200);
      expect((await post(port, path, Buffer.alloc(0), { headers: { 'Content-Encoding': 'gzip' } })).status).toBe(200);
    }
    expect(consumer.batches).toHaveLength(0);
    await expectStillServing();
  });

  it('answers an empty or whitespace-only JSON body 400: it is not a JSON object', async () => {
    await startWith();
    for (const body of ['', ' ', '\n\t \r\n']) {
      const answer = await post(port, '/v1/traces', Buffer.from(body), { contentType: JSON_TYPE });
      expect(answer.status).toBe(400);
      expect(statusOf(answer)).toEqual({ code: 3, message: expect.stringMatching(/empty body/) });
    }
    expect(consumer.batches).toHaveLength(0);
    await expectStillServing();
  });

  it('answers 405 with Allow for other methods and 404 for unknown paths', async () => {
    await startWith();
    const get = await post(port, '/v1/traces', Buffer.alloc(0), { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(statusOf(get).code).toBe(12);
    const put = await post(port, '/v1/metrics', validTraces(), { method: 'PUT', contentType: JSON_TYPE });
    expect(put.status).toBe(405);
    expect(statusOf(put).code).toBe(12);
    const missing = await post(port, '/v1/profiles', validTraces());
    expect(missing.status).toBe(404);
    expect(statusOf(missing).code).toBe(5);
    expect((await post(port, '/v1/traces/', validTraces())).status).toBe(404);
    expect((await post(port, '/v1/traces?x=1', validTraces())).status).toBe(200);
    await expectStillServing();
  });

  it('answers backpressure with 503 and Retry-After, consumer failures with an opaque 500', async () => {
    await startWith();
    consumer.failNext(
      new BackpressureError('firewatch is writing behind; retry later', 2500),
      new BackpressureError('busy'),
      new Error('disk on fire /var/x'),
    );
    const refused = await post(port, '/v1/traces', validTraces());
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('3');
    expect(statusOf(refused)).toEqual({ code: 14, message: 'firewatch is writing behind; retry later' });
    const refusedJson = await post(port, '/v1/traces', otlpJsonBody(types.TraceRequest, traceObject()), { contentType: JSON_TYPE });
    expect(refusedJson.status).toBe(503);
    expect(refusedJson.headers['retry-after']).toBe('1');
    expect(JSON.parse(refusedJson.body.toString())).toEqual({ code: 14, message: 'busy' });
    const failed = await post(port, '/v1/traces', validTraces());
    expect(failed.status).toBe(500);
    expect(statusOf(failed)).toEqual({ code: 13, message: 'internal error while accepting ExportTraceServiceRequest' });
    expect(internalErrors).toHaveLength(1);
    await expectStillServing();
    expect(receiver.stats().traces).toMatchObject({ refused: 2, failed: 1, accepted: 10 });
  });

  it('refuses uploads with a retryable 503 while other large bodies hold its memory budget', async () => {
    const admission = new ExportAdmission({ maxBytesInFlight: 32 * 1024 * 1024, maxItemsInFlight: 10_000, maxStoreBacklog: 10, retryAfterMs: 1000 });
    await startWith({ maxRequestBodyMib: 15, admission });
    const { request } = await import('node:http');
    // Two uploads that declare 15 MiB each and send a little: 30 MiB of the 32 MiB held for them.
    const held = [0, 1].map(() => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', headers: { 'content-type': 'application/x-protobuf', 'content-length': String(15 * 1024 * 1024) } });
      req.on('error', () => {});
      req.write(Buffer.alloc(1024));
      return req;
    });
    await new Promise((r) => setTimeout(r, 100));
    const refused = await post(port, '/v1/traces', Buffer.alloc(8 * 1024 * 1024));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(statusOf(refused).code).toBe(14);
    // Once the large uploads go away, their reservations are returned and exports are served again.
    for (const req of held) req.destroy();
    await new Promise((r) => setTimeout(r, 100));
    await expectStillServing();
  });

  it('keeps the connection of an export refused for capacity: the sender retries on it, as the same connection', async () => {
    const admission = new ExportAdmission({ maxBytesInFlight: 1024 * 1024, maxItemsInFlight: 10_000, maxStoreBacklog: 10, retryAfterMs: 1000 });
    await startWith({ admission });
    const { request, Agent } = await import('node:http');
    const held = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', headers: { 'content-type': 'application/x-protobuf', 'content-length': String(1040 * 1024) } });
    held.on('error', () => {});
    held.write(Buffer.alloc(1024));
    await new Promise((r) => setTimeout(r, 100));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (): Promise<{ status: number; connection: string | undefined; reused: boolean }> =>
      new Promise((resolve, reject) => {
        const body = validTraces();
        const req = request(
          { host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', agent, headers: { 'content-type': PROTOBUF, 'content-length': String(body.length) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, reused: req.reusedSocket }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    try {
      const refused = await send();
      expect(refused).toMatchObject({ status: 503, reused: false });
      expect(refused.connection).not.toBe('close');
      held.destroy();
      await new Promise((r) => setTimeout(r, 100));
      expect(await send()).toMatchObject({ status: 200, reused: true });
    } finally {
      held.destroy();
      agent.destroy();
    }
  });

  it('answers 408 and closes a connection whose body does not arrive in time', async () => {
    await startWith({ requestTimeoutMs: 150 });
    const answer = await new Promise<HttpAnswer>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', agent: false, headers: { 'Content-Type': PROTOBUF, 'Content-Length': '1000' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        },
      );
      req.on('error', reject);
      req.write(Buffer.alloc(10, 0x0a)); // and never the rest
    });
    expect(answer.status).toBe(408);
    expect(statusOf(answer).code).toBe(4);
    await expectStillServing();
  });

  it('passes converter options for all three signals', async () => {
    await startWith({
      logConverter: { minSeverityNumber: 13 },
      metricConverter: { thresholds: [{ metric: 'queue.depth', above: 100, event_type: 'queue_backlog', severity: 'high' }] },
      spanConverter: { slowSpanThresholdMs: 1 },
    });
    const logs = encodeWith(types.LogsRequest, { resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 13, body: { stringValue: 'warn' } }] }] }] });
    const metrics = encodeWith(types.MetricsRequest, {
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'queue.depth', gauge: { dataPoints: [{ asInt: 100, timeUnixNano: '1' }] } }] }] }],
    });
    await post(port, '/v1/logs', logs);
    await post(port, '/v1/metrics', metrics);
    expect(consumer.batches.map((batch) => batch.drafts.map((draft) => [draft.event_type, draft.severity]))).toEqual([
      [['error', 'medium']],
      [['queue_backlog', 'high']],
    ]);
  });

  it('lets an in-flight export finish when stopped', async () => {
    const slow = createRecordingConsumer();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    consumer = { ...slow, consume: async (batch) => { await gate; await slow.consume(batch); } } as RecordingConsumer;
    await startWith({ shutdownTimeoutMs: 5000 });
    const pending = post(port, '/v1/traces', validTraces());
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = receiver.stop();
    release();
    const answer = await pending;
    await stopped;
    expect(answer.status).toBe(200);
    expect(slow.batches).toHaveLength(1);
    await expect(post(port, '/v1/traces', validTraces())).rejects.toThrow();
  });

  it('serves OTLP/JSON objects as the spec writes them (trace example)', async () => {
    await startWith();
    // Adapted from the OTLP specification's example file (examples/trace.json).
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'my.service' } }] },
          scopeSpans: [
            {
              scope: { name: 'my.library', version: '1.0.0', attributes: [{ key: 'my.scope.attribute', value: { stringValue: 'some scope attribute' } }] },
              spans: [
                {
                  traceId: '5B8EFFF798038103D269B633813FC60C',
                  spanId: 'EEE19B7EC3C1B174',
                  parentSpanId: 'EEE19B7EC3C1B173',
                  name: 'I am a span!',
                  startTimeUnixNano: '1544712660000000000',
                  endTimeUnixNano: '1544712661000000000',
                  kind: 2,
                  attributes: [{ key: 'my.span.attr', value: { stringValue: 'some value' } }],
                  status: { code: 2, message: 'boom' },
                },
              ],
            },
          ],
        },
      ],
    };
    const answer = await post(port, '/v1/traces', Buffer.from(JSON.stringify(body)), { contentType: JSON_TYPE });
    expect(answer.status).toBe(200);
    expect(consumer.batches[0]!.drafts[0]).toMatchObject({
      event_type: 'api_error',
      source: 'my.service',
      message: 'boom',
      correlation_id: '5b8efff798038103d269b633813fc60c',
      span_id: 'eee19b7ec3c1b174',
      timestamp: 1_544_712_661_000,
    });
  });

  it.each([
    [{ endpoint: 'localhost' }, /^http\.endpoint: /],
    [{ maxRequestBodyMib: 0 }, /^http\.maxRequestBodyMib: /],
    [{ requestTimeoutMs: -1 }, /^http\.requestTimeoutMs: /],
    [{ tls: { cert: Buffer.from('x') } }, /^http\.tls\.key: must be PEM bytes/],
    [{ compression: 'zstd' }, /^http\.compression: unknown option/],
    [{ logConverter: { minSeverityNumber: 30 } }, /^http\.logConverter\.minSeverityNumber: must be a whole number from 1 to 24/],
    [{ metricConverter: { thresholds: [{ metric: 'm', above: 'x', event_type: 'e' }] } }, /^http\.metricConverter\.thresholds\[0\]\.above: must be a number/],
  ])('refuses options %o at creation', (options, message) => {
    expect(() => createOtlpHttpReceiver(options as Partial<OtlpHttpReceiverOptions>, createRecordingConsumer())).toThrow(message);
  });

  it('renders OTLP/JSON fixtures with hex IDs (self-check of the test helper)', () => {
    const object = otlpJsonObject(types.TraceRequest, traceRequestObject([{ service: 'a', scopes: [[spanObject({ traceId: idBytes(16, 3) })]] }]));
    const span = ((object.resourceSpans as Record<string, unknown>[])[0]!.scopeSpans as Record<string, unknown>[])[0]!.spans as Record<string, unknown>[];
    expect(span[0]!.traceId).toBe(Buffer.from(idBytes(16, 3)).toString('hex'));
    expect(attributes({ a: 1 })).toEqual([{ key: 'a', value: { intValue: 1 } }]);
  });
});
