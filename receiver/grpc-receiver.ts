// OTLP/gRPC receiver: the three Export methods on @grpc/grpc-js, with the protobuf work done by our own scanners.
//
//   client ─HTTP/2─▶ grpc-js (size limit, decompression) ─raw Buffer─▶ decodeXRequest ─▶ consumer.consume ─▶ answer
//                                                          (identity deserializer)        (durable first)
//
// The port also answers OTLP/HTTP, since the JS SDK's default exporters (http/protobuf) are so often pointed at
// :4317 (dual-protocol-port.ts): HTTP/2 connections reach grpc-js through its connection injector, HTTP/1.x ones go
// to `serveHttp1` (the OTLP/HTTP receiver's own handler and limits) or, without it, to a 404 naming the fix.
// OTLP/HTTP over HTTP/2 (prior knowledge, a non-gRPC Content-Type) is answered 415 by grpc-js: gRPC only on h2.
//
// Spans, log records and metric points are all converted (export-pipeline.ts, shared with the OTLP/HTTP receiver):
// the options carry one converter configuration per signal.
//
// Answers follow the OTLP spec (export-status.ts): undecodable → INVALID_ARGUMENT; rejected items → OK with
// partial_success; consumer backpressure → UNAVAILABLE; oversize → RESOURCE_EXHAUSTED (grpc-js enforces
// grpc.max_receive_message_length before our handler runs). No request can stop the server: decoders throw only
// DecodeError, and every handler answers exactly once.

import { MAX_PORT, parseHostPort } from '../common/endpoint.js';
import * as grpc from '@grpc/grpc-js';
import type { Socket } from 'node:net';
import type { TelemetryConsumer, TelemetrySignal } from './consumer.js';
import {
  batchOf,
  type ConverterOptionsInput,
  copyReceiverStats,
  countAcknowledged,
  countFailure,
  createSignalConverters,
  createSignalRoutes,
  type DecodedExport,
  type OtlpReceiver,
  newReceiverStats,
  type SignalRoute,
  stripUndefined,
} from './export-pipeline.js';
import { encodeExportResponse } from './export-response.js';
import { createDualProtocolPort } from './dual-protocol-port.js';
import { encodeRetryStatusDetails, exportFailureOf, type ExportFailure } from './export-status.js';
import { DEFAULT_SNIFF_TIMEOUT_MS, type ConnectionProtocol } from './protocol-sniffer.js';
import { peerOfGrpcCall, type RejectionKind, type RejectionListener } from './rejection-report.js';

export type { ReceiverStats, SignalStats } from './export-pipeline.js';

export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const LOGS_EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
export const METRICS_EXPORT_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

export const DEFAULT_GRPC_ENDPOINT = '127.0.0.1:4317';
/** The Collector's default (`max_recv_msg_size_mib`). */
export const DEFAULT_MAX_RECV_MSG_SIZE_MIB = 4;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;
const BYTES_PER_MIB = 1024 * 1024;
/** grpc-js keeps message sizes in an int32. */
const MAX_RECV_MSG_SIZE_MIB_LIMIT = 2047;

export interface OtlpGrpcReceiverOptions extends ConverterOptionsInput {
  /** `host:port` to listen on (IPv6 as `[::1]:4317`). Default `127.0.0.1:4317`; port 0 picks a free port. */
  endpoint: string;
  /** Largest request accepted, in MiB; larger ones are answered RESOURCE_EXHAUSTED. Default 4. */
  maxRecvMsgSizeMib: number;
  /** How long stop() lets in-flight exports finish before cancelling them. Default 5000. */
  shutdownTimeoutMs: number;
  /** Told about consumer failures answered INTERNAL (the client only gets a short message). Default: none. */
  onInternalError?: (error: unknown, signal: TelemetrySignal) => void;
  /**
   * Serves an HTTP/1.x connection made to this port (paused, its first bytes pushed back): the OTLP/HTTP
   * receiver's acceptConnection. Default: none, and such requests are answered 404 naming the fix.
   */
  serveHttp1?: (socket: Socket) => void;
  /** Told about every export refused, undecodable or partially rejected, and every wrong-protocol connection. */
  onRejected?: RejectionListener;
  /** Told the protocol of every connection accepted (for debug logs). */
  onConnection?: (protocol: ConnectionProtocol, peer: string) => void;
  /** How long a new connection may take to show which protocol it speaks (ms). Default 10000. */
  sniffTimeoutMs: number;
}

/** stop() lets in-flight exports finish for up to `shutdownTimeoutMs`, then cancels the rest. */
export type OtlpGrpcReceiver = OtlpReceiver;

export function createDefaultOtlpGrpcReceiverOptions(): OtlpGrpcReceiverOptions {
  return {
    endpoint: DEFAULT_GRPC_ENDPOINT,
    maxRecvMsgSizeMib: DEFAULT_MAX_RECV_MSG_SIZE_MIB,
    spanConverter: {},
    logConverter: {},
    metricConverter: {},
    shutdownTimeoutMs: DEFAULT_SHUTDOWN_TIMEOUT_MS,
    sniffTimeoutMs: DEFAULT_SNIFF_TIMEOUT_MS,
  };
}

const KNOWN_OPTION_KEYS = new Set<string>([
  'endpoint',
  'maxRecvMsgSizeMib',
  'spanConverter',
  'logConverter',
  'metricConverter',
  'collectSpans',
  'shutdownTimeoutMs',
  'onInternalError',
  'serveHttp1',
  'onRejected',
  'onConnection',
  'sniffTimeoutMs',
]);
/** Collector options we know but have not built: refused at start rather than silently ignored. */
const NOT_YET_SUPPORTED = new Set<string>(['tls', 'auth', 'keepalive', 'maxConcurrentStreams']);

/** Throws an Error whose message starts with the path of the first bad option. */
export function validateOtlpGrpcReceiverOptions(options: OtlpGrpcReceiverOptions, path = 'grpc'): void {
  for (const key of Object.keys(options)) {
    if (NOT_YET_SUPPORTED.has(key)) throw new Error(`${path}.${key}: not supported yet`);
    if (!KNOWN_OPTION_KEYS.has(key)) throw new Error(`${path}.${key}: unknown option`);
  }
  if (parseHostPort(options.endpoint) === null) {
    throw new Error(`${path}.endpoint: must be host:port with a port 0–${MAX_PORT}, got ${JSON.stringify(options.endpoint)}`);
  }
  const mib = options.maxRecvMsgSizeMib;
  if (typeof mib !== 'number' || !Number.isFinite(mib) || mib <= 0 || mib > MAX_RECV_MSG_SIZE_MIB_LIMIT) {
    throw new Error(`${path}.maxRecvMsgSizeMib: must be a number > 0 and ≤ ${MAX_RECV_MSG_SIZE_MIB_LIMIT}, got ${String(mib)}`);
  }
  const timeout = options.shutdownTimeoutMs;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0) {
    throw new Error(`${path}.shutdownTimeoutMs: must be a number ≥ 0, got ${String(timeout)}`);
  }
  for (const key of ['onInternalError', 'serveHttp1', 'onRejected', 'onConnection'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') throw new Error(`${path}.${key}: must be a function`);
  }
  const sniff = options.sniffTimeoutMs;
  if (typeof sniff !== 'number' || !Number.isFinite(sniff) || sniff <= 0) {
    throw new Error(`${path}.sniffTimeoutMs: must be a number > 0, got ${String(sniff)}`);
  }
}

const identity = (value: Buffer): Buffer => value;

/** A unary method whose request arrives as the raw Buffer and whose response we serialize ourselves. */
function rawUnaryMethod(path: string): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  };
}

export function createOtlpGrpcReceiver(
  input: Partial<OtlpGrpcReceiverOptions>,
  consumer: TelemetryConsumer,
): OtlpGrpcReceiver {
  const options: OtlpGrpcReceiverOptions = { ...createDefaultOtlpGrpcReceiverOptions(), ...stripUndefined(input) };
  validateOtlpGrpcReceiverOptions(options);
  const routeBySignal = createSignalRoutes(createSignalConverters(options, 'grpc'));
  const onInternalError = options.onInternalError;
  const stats = newReceiverStats();
  const routes: readonly { path: string; route: SignalRoute }[] = [
    { path: TRACE_EXPORT_PATH, route: routeBySignal.traces },
    { path: LOGS_EXPORT_PATH, route: routeBySignal.logs },
    { path: METRICS_EXPORT_PATH, route: routeBySignal.metrics },
  ];

  const onRejected = options.onRejected;
  const report = (kind: RejectionKind, route: SignalRoute, call: grpc.ServerUnaryCall<Buffer, Buffer>, answer: string, reason: string, rejectedItems?: number): void => {
    onRejected?.({ kind, receiver: 'grpc', signal: route.signal, peer: peerOfGrpcCall(call.getPeer()), answer, reason, ...(rejectedItems === undefined ? {} : { rejectedItems }) });
  };
  const reportFailure = (failure: ExportFailure, route: SignalRoute, call: grpc.ServerUnaryCall<Buffer, Buffer>): void => {
    if (onRejected === undefined) return;
    report(failure.kind === 'bad_request' ? 'undecodable' : 'refused', route, call, grpc.status[failure.grpcCode] ?? String(failure.grpcCode), failure.message);
  };

  const answerFailure = (
    route: SignalRoute,
    error: unknown,
    call: grpc.ServerUnaryCall<Buffer, Buffer>,
    callback: grpc.sendUnaryData<Buffer>,
  ): void => {
    const failure = exportFailureOf(error, route.requestName);
    countFailure(stats, route.signal, failure);
    if (failure.kind === 'internal') onInternalError?.(error, route.signal);
    reportFailure(failure, route, call);
    const metadata = new grpc.Metadata();
    if (failure.retryAfterMs !== undefined) {
      metadata.set(
        'grpc-status-details-bin',
        encodeRetryStatusDetails(failure.grpcCode, failure.message, failure.retryAfterMs),
      );
    }
    callback({ code: failure.grpcCode, details: failure.message, metadata }, null);
  };

  const handlerFor =
    (route: SignalRoute): grpc.handleUnaryCall<Buffer, Buffer> =>
    (call, callback) => {
      stats[route.signal].requests++;
      let decoded: DecodedExport;
      try {
        // A Buffer always: the method's requestDeserialize is the identity.
        decoded = route.decode(call.request);
      } catch (error) {
        answerFailure(route, error, call, callback);
        return;
      }
      const acknowledge = (): void => {
        countAcknowledged(stats, route.signal, decoded);
        if (decoded.rejected > 0) report('partially_rejected', route, call, 'OK', decoded.errorMessage, decoded.rejected);
        callback(null, encodeExportResponse(decoded.rejected, decoded.errorMessage));
      };
      // Nothing accepted, nothing to make durable (OTLP: an empty request is a success).
      const batch = batchOf(route, decoded);
      if (batch === null) {
        acknowledge();
        return;
      }
      let pending: Promise<void>;
      try {
        pending = consumer.consume(batch);
      } catch (error) {
        answerFailure(route, error, call, callback);
        return;
      }
      pending.then(acknowledge, (error: unknown) => answerFailure(route, error, call, callback));
    };

  const server = new grpc.Server({
    'grpc.max_receive_message_length': Math.floor(options.maxRecvMsgSizeMib * BYTES_PER_MIB),
  });
  for (const { path, route } of routes) {
    server.addService({ Export: rawUnaryMethod(path) }, { Export: handlerFor(route) });
  }

  // grpc-js serves the HTTP/2 connections the port hands it; it tracks their sessions with its own for shutdown.
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const port = createDualProtocolPort({
    endpoint: options.endpoint,
    receiver: 'grpc',
    sniffTimeoutMs: options.sniffTimeoutMs,
    serveHttp2: (socket) => injector.injectConnection(socket),
    serveHttp1: options.serveHttp1,
    onRejected,
    onConnection: options.onConnection,
  });

  let started = false;
  let stopping: Promise<void> | undefined;

  return {
    async start() {
      if (started) throw new Error('OTLP gRPC receiver already started');
      started = true;
      return { port: await port.start() };
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        port.stop();
        let done = false;
        const finish = (): void => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          server.forceShutdown();
          finish();
        }, options.shutdownTimeoutMs);
        server.tryShutdown(finish);
      });
      return stopping;
    },
    stats() {
      return copyReceiverStats(stats);
    },
  };
}
