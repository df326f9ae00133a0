// The OTLP/gRPC port also answers OTLP/HTTP: HTTP/1.1 connections go to the OTLP/HTTP receiver's own handler (its
// limits, its counters), HTTP/2 stays gRPC, and what is neither is reported and closed. Real sockets, real clients.

import * as grpc from '@grpc/grpc-js';
import { connect as http2Connect } from 'node:http2';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import protobuf from 'protobufjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOtlpGrpcReceiver, TRACE_EXPORT_PATH, type OtlpGrpcReceiver, type OtlpGrpcReceiverOptions } from './grpc-receiver.js';
import { HTTP_OFF_MESSAGE } from './http1-refusal.js';
import { createOtlpHttpReceiver, type OtlpHttpReceiver, type OtlpHttpReceiverOptions } from './http-receiver.js';
import type { RejectionReport } from './rejection-report.js';
import { encodeWith, otlpTypes } from '../test/helpers/receiver/otlp-oracle.js';
import { otlpJsonBody } from '../test/helpers/receiver/otlp-json-fixtures.js';
import { createRecordingConsumer, type RecordingConsumer } from '../test/helpers/receiver/recording-consumer.js';
import { realisticTraceRequest } from '../test/helpers/receiver/trace-fixtures.js';

const types = otlpTypes();
const STATUS = new protobuf.Type('Status').add(new protobuf.Field('code', 1, 'int32')).add(new protobuf.Field('message', 2, 'string'));
const validTraces = () => encodeWith(types.TraceRequest, realisticTraceRequest({ spans: 10, errorRate: 0.2, seed: 9 }));
const identity = (value: Buffer): Buffer => value;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The connection was one used before (keep-alive). */
  reused: boolean;
  /** The client's own address (`127.0.0.1:port`), as the server sees it. */
  local: string;
}

function post(port: number, path: string, body: Buffer, contentType: string, agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'Content-Type': contentType, 'Content-Length': String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            reused: req.reusedSocket,
            local: `${req.socket!.localAddress}:${req.socket!.localPort}`,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function grpcExport(port: number, body: Buffer): Promise<grpc.ServiceError | null> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve) =>
    client.makeUnaryRequest(TRACE_EXPORT_PATH, identity, identity, body, (error) => {
      client.close();
      resolve(error ?? null);
    }),
  );
}

/** Writes `bytes` on a raw connection; resolves with what came back once the server closed it. */
function rawExchange(port: number, bytes: Buffer): Promise<{ received: Buffer; local: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let local = '';
    const socket = connect(port, '127.0.0.1', () => {
      local = `${socket.localAddress}:${socket.localPort}`;
      socket.write(bytes);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ received: Buffer.concat(chunks), local }));
  });
}

describe('OTLP/HTTP on the OTLP/gRPC port', () => {
  let consumer: RecordingConsumer;
  let http: OtlpHttpReceiver | undefined;
  let grpcReceiver: OtlpGrpcReceiver | undefined;
  let reports: RejectionReport[];
  let grpcPort: number;

  /** A gRPC receiver; with `httpOptions`, an OTLP/HTTP receiver serving its HTTP/1.x connections. */
  async function start(httpOptions: Partial<OtlpHttpReceiverOptions> | null = {}, grpcOptions: Partial<OtlpGrpcReceiverOptions> = {}): Promise<void> {
    const onRejected = (report: RejectionReport) => reports.push(report);
    const httpReceiver = httpOptions === null ? undefined : createOtlpHttpReceiver({ endpoint: '127.0.0.1:0', onRejected, ...httpOptions }, consumer);
    http = httpReceiver;
    await http?.start();
    grpcReceiver = createOtlpGrpcReceiver(
      {
        endpoint: '127.0.0.1:0',
        onRejected,
        ...(httpReceiver ? { serveHttp1: (socket) => httpReceiver.acceptConnection(socket) } : {}),
        ...grpcOptions,
      },
      consumer,
    );
    grpcPort = (await grpcReceiver.start()).port;
  }

  beforeEach(() => {
    consumer = createRecordingConsumer();
    reports = [];
  });
  afterEach(async () => {
    await grpcReceiver?.stop();
    await http?.stop();
    grpcReceiver = undefined;
    http = undefined;
  });

  it('serves OTLP/HTTP protobuf and JSON over one keep-alive connection, between gRPC exports on the same port', async () => {
    await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await post(grpcPort, '/v1/traces', validTraces(), 'application/x-protobuf', agent);
      expect(first.status).toBe(200);
      expect(await grpcExport(grpcPort, validTraces())).toBeNull();
      const second = await post(grpcPort, '/v1/traces', otlpJsonBody(types.TraceRequest, realisticTraceRequest({ spans: 3, errorRate: 0, seed: 2 })), 'application/json', agent);
      expect(second.status).toBe(200);
      expect(JSON.parse(second.body.toString())).toEqual({});
      expect(second.reused).toBe(true);
      expect(await grpcExport(grpcPort, validTraces())).toBeNull();
      const third = await post(grpcPort, '/v1/traces', validTraces(), 'application/x-protobuf', agent);
      expect(third).toMatchObject({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
    expect(consumer.batches.map((batch) => batch.signal)).toEqual(['traces', 'traces', 'traces', 'traces', 'traces']);
    // HTTP/1.1 exports are the OTLP/HTTP receiver's: its counters, not the gRPC receiver's.
    expect(http!.stats().traces.requests).toBe(3);
    expect(grpcReceiver!.stats().traces.requests).toBe(2);
    expect(reports).toEqual([]);
  });

  it('applies the OTLP/HTTP receiver\'s limits and answers, and reports the refusal with the sender\'s address', async () => {
    await start({ maxRequestBodyMib: 0.001 });
    const tooLarge = await post(grpcPort, '/v1/traces', Buffer.alloc(2000, 0x0a), 'application/x-protobuf');
    expect(tooLarge.status).toBe(413);
    const undecodable = await post(grpcPort, '/v1/logs', Buffer.from([0x0a, 0xff]), 'application/x-protobuf');
    expect(undecodable.status).toBe(400);
    expect(reports).toEqual([
      expect.objectContaining({ kind: 'refused', receiver: 'http', signal: 'traces', answer: '413', peer: tooLarge.local }),
      expect.objectContaining({ kind: 'undecodable', receiver: 'http', signal: 'logs', answer: '400', peer: undecodable.local }),
    ]);
  });

  it('answers 404 naming the fix when OTLP/HTTP is turned off, and reports a wrong-protocol connection', async () => {
    await start(null);
    const body = validTraces();
    const protobufAnswer = await post(grpcPort, '/v1/traces', body, 'application/x-protobuf');
    expect(protobufAnswer.status).toBe(404);
    expect(STATUS.toObject(STATUS.decode(protobufAnswer.body))).toEqual({ code: grpc.status.NOT_FOUND, message: HTTP_OFF_MESSAGE });
    const jsonAnswer = await post(grpcPort, '/v1/metrics', otlpJsonBody(types.TraceRequest, realisticTraceRequest({ spans: 3, errorRate: 0, seed: 2 })), 'application/json');
    expect(jsonAnswer.status).toBe(404);
    expect(JSON.parse(jsonAnswer.body.toString())).toEqual({ code: grpc.status.NOT_FOUND, message: HTTP_OFF_MESSAGE });
    expect(HTTP_OFF_MESSAGE).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL=grpc/);
    expect(reports).toEqual([
      expect.objectContaining({ kind: 'wrong_protocol', receiver: 'grpc', answer: '404', peer: protobufAnswer.local }),
      expect.objectContaining({ kind: 'wrong_protocol', receiver: 'grpc', answer: '404', peer: jsonAnswer.local }),
    ]);
    expect(consumer.batches).toEqual([]);
    expect(await grpcExport(grpcPort, validTraces())).toBeNull();
  });

  it('answers OTLP/HTTP sent over HTTP/2 (prior knowledge) 415: HTTP/2 on this port is gRPC', async () => {
    await start();
    const session = http2Connect(`http://127.0.0.1:${grpcPort}`);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const stream = session.request({ ':method': 'POST', ':path': '/v1/traces', 'content-type': 'application/x-protobuf' });
        stream.on('response', (headers) => resolve(Number(headers[':status'])));
        stream.on('error', reject);
        stream.end(validTraces());
      });
      expect(status).toBe(415);
    } finally {
      session.close();
    }
    expect(consumer.batches).toEqual([]);
  });

  it('closes TLS and garbage connections, reporting each with the sender\'s address, and keeps serving', async () => {
    await start();
    const tls = await rawExchange(grpcPort, Buffer.from([0x16, 0x03, 0x01, 0x00, 0xf1, 0x01, 0x00, 0x00, 0xed, 0x03, 0x03]));
    const garbage = await rawExchange(grpcPort, Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'));
    expect(tls.received.length).toBe(0);
    expect(garbage.received.length).toBe(0);
    expect(reports).toEqual([
      expect.objectContaining({ kind: 'wrong_protocol', receiver: 'grpc', answer: 'closed', peer: tls.local, reason: expect.stringMatching(/TLS/) }),
      expect.objectContaining({ kind: 'wrong_protocol', receiver: 'grpc', answer: 'closed', peer: garbage.local }),
    ]);
    expect(await grpcExport(grpcPort, validTraces())).toBeNull();
  });

  it('stops with connections open in every state: sniffing, HTTP/1.1 keep-alive, gRPC', async () => {
    // A sniff timeout longer than the test's: only stop() can close the silent connection.
    await start({}, { sniffTimeoutMs: 600_000 });
    const agent = new Agent({ keepAlive: true });
    expect((await post(grpcPort, '/v1/traces', validTraces(), 'application/x-protobuf', agent)).status).toBe(200);
    const client = new grpc.Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    await new Promise<void>((resolve) => client.makeUnaryRequest(TRACE_EXPORT_PATH, identity, identity, validTraces(), () => resolve()));
    const silent = rawExchange(grpcPort, Buffer.from('POS'));
    await Promise.all([grpcReceiver!.stop(), http!.stop()]);
    await silent; // closed by stop, not by the sniff timeout
    client.close();
    agent.destroy();
  });
});

describe('rejection reports', () => {
  let consumer: RecordingConsumer;
  let reports: RejectionReport[];
  let grpcReceiver: OtlpGrpcReceiver | undefined;
  let http: OtlpHttpReceiver | undefined;

  beforeEach(() => {
    consumer = createRecordingConsumer();
    reports = [];
  });
  afterEach(async () => {
    await grpcReceiver?.stop();
    await http?.stop();
    grpcReceiver = undefined;
    http = undefined;
  });

  it('gRPC: undecodable and partially rejected exports, with the sender\'s address', async () => {
    grpcReceiver = createOtlpGrpcReceiver({ endpoint: '127.0.0.1:0', onRejected: (report) => reports.push(report) }, consumer);
    const { port } = await grpcReceiver.start();
    expect((await grpcExport(port, Buffer.from([0x0a, 0xff])))?.code).toBe(grpc.status.INVALID_ARGUMENT);
    const partial = encodeWith(types.TraceRequest, {
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(5, 1), spanId: Buffer.alloc(8, 1), name: 'x' }] }] }],
    });
    expect(await grpcExport(port, partial)).toBeNull();
    expect(reports).toEqual([
      expect.objectContaining({ kind: 'undecodable', receiver: 'grpc', signal: 'traces', answer: 'INVALID_ARGUMENT', peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) }),
      expect.objectContaining({
        kind: 'partially_rejected',
        receiver: 'grpc',
        answer: 'OK',
        rejectedItems: 1,
        reason: expect.stringMatching(/trace_id must be 16 bytes/),
        peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      }),
    ]);
  });

  it('HTTP port: a gRPC client is reported as the wrong protocol, naming the fix', async () => {
    http = createOtlpHttpReceiver({ endpoint: '127.0.0.1:0', onRejected: (report) => reports.push(report) }, consumer);
    const { port } = await http.start();
    const error = await grpcExport(port, validTraces());
    expect(error).not.toBeNull();
    expect(reports).toEqual([
      expect.objectContaining({
        kind: 'wrong_protocol',
        receiver: 'http',
        answer: 'closed',
        peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        reason: expect.stringMatching(/OTEL_EXPORTER_OTLP_PROTOCOL=http\/protobuf/),
      }),
    ]);
    // Malformed HTTP/1.x still gets node:http's 400.
    const malformed = await rawExchange(port, Buffer.from('POST /v1/traces HTTP/1.1\r\nContent-Length: x\r\n\r\n'));
    expect(malformed.received.toString()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(reports[1]).toMatchObject({ kind: 'undecodable', answer: '400', peer: malformed.local });
  });
});
