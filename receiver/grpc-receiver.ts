// OTLP/gRPC receiver: the three Export methods on @grpc/grpc-js, with the protobuf work done by our own scanners.
//
//   client ─HTTP/2─▶ grpc-js (size limit, decompression) ─raw Buffer─▶ decodeXRequest ─▶ consumer.consume ─▶ answer
//                                                          (identity deserializer)        (durable first)
//
// Spans, log records and metric points are all converted (export-pipeline.ts, shared with the OTLP/HTTP receiver):
// the options carry one converter configuration per signal.
//
// Answers follow the OTLP spec (export-status.ts): undecodable → INVALID_ARGUMENT; rejected items → OK with
// partial_success; over capacity (admission.ts, before decoding) or consumer backpressure → UNAVAILABLE with
// RetryInfo; the client's deadline already passed → DEADLINE_EXCEEDED, nothing ingested; oversize →
// RESOURCE_EXHAUSTED (grpc-js enforces grpc.max_receive_message_length before our handler runs). No request can
// stop the server: decoders throw only DecodeError, and every handler answers exactly once.

import * as grpc from '@grpc/grpc-js';
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
  MAX_PORT,
  newReceiverStats,
  parseEndpointPort,
  type SignalRoute,
  stripUndefined,
} from './export-pipeline.js';
import { admissionLimitsOf, DEFAULT_ADMISSION_CONFIG, ExportAdmission } from './admission.js';
import { BackpressureError, DeadlineExpiredError } from './consumer.js';
import { encodeExportResponse } from './export-response.js';
import { encodeRetryStatusDetails, exportFailureOf } from './export-status.js';

export type { ReceiverStats, SignalStats } from './export-pipeline.js';

export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const LOGS_EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
export const METRICS_EXPORT_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

export const DEFAULT_GRPC_ENDPOINT = '127.0.0.1:4317';
/** The Collector's default (`max_recv_msg_size_mib`). */
export const DEFAULT_MAX_RECV_MSG_SIZE_MIB = 4;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;
const BYTES_PER_MIB = 1024 * 1024;
/**
 * Exports one connection may have in flight at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS); a client queues the
 * rest. Unbounded, a client with thousands of exports in flight interleaves their DATA frames, so the server held
 * thousands of half-received requests at once (750 MiB of buffers in the overload bench) and completed none of
 * them in time; bounded, each stream arrives whole quickly and is answered (or refused) at once.
 */
const MAX_CONCURRENT_STREAMS = 100;
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
   * What may be in flight at once; share one between receivers to bound both together. Default: one of its own
   * with the default limits (DEFAULT_ADMISSION_CONFIG).
   */
  admission?: ExportAdmission;
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
  'admission',
  'maxEventsPerExport',
]);
/** Collector options we know but have not built: refused at start rather than silently ignored. */
const NOT_YET_SUPPORTED = new Set<string>(['tls', 'auth', 'keepalive', 'maxConcurrentStreams']);

/** Throws an Error whose message starts with the path of the first bad option. */
export function validateOtlpGrpcReceiverOptions(options: OtlpGrpcReceiverOptions, path = 'grpc'): void {
  for (const key of Object.keys(options)) {
    if (NOT_YET_SUPPORTED.has(key)) throw new Error(`${path}.${key}: not supported yet`);
    if (!KNOWN_OPTION_KEYS.has(key)) throw new Error(`${path}.${key}: unknown option`);
  }
  if (parseEndpointPort(options.endpoint) === null) {
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
  if (options.onInternalError !== undefined && typeof options.onInternalError !== 'function') {
    throw new Error(`${path}.onInternalError: must be a function`);
  }
}

const identity = (value: Buffer): Buffer => value;

/** The call's deadline as epoch ms (Infinity when the client set none). */
function deadlineOf(call: grpc.ServerUnaryCall<Buffer, Buffer>): number {
  const deadline = call.getDeadline();
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

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
  const admission = options.admission ?? new ExportAdmission(admissionLimitsOf(DEFAULT_ADMISSION_CONFIG));
  const stats = newReceiverStats();
  const routes: readonly { path: string; route: SignalRoute }[] = [
    { path: TRACE_EXPORT_PATH, route: routeBySignal.traces },
    { path: LOGS_EXPORT_PATH, route: routeBySignal.logs },
    { path: METRICS_EXPORT_PATH, route: routeBySignal.metrics },
  ];

  const answerFailure = (route: SignalRoute, error: unknown, callback: grpc.sendUnaryData<Buffer>): void => {
    const failure = exportFailureOf(error, route.requestName);
    countFailure(stats, route.signal, failure);
    if (failure.kind === 'internal') onInternalError?.(error, route.signal);
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
      const deadline = deadlineOf(call);
      // The client has given up (and will retry): doing the work now would only count it twice.
      if (call.cancelled || Date.now() >= deadline) {
        answerFailure(route, new DeadlineExpiredError(), callback);
        return;
      }
      // A Buffer always: the method's requestDeserialize is the identity.
      const body = call.request;
      const ticket = admission.admit(call.getPeer(), body.length);
      if (ticket instanceof BackpressureError) {
        answerFailure(route, ticket, callback);
        return;
      }
      const answer: grpc.sendUnaryData<Buffer> = (error, value) => {
        ticket.release();
        callback(error, value);
      };
      let decoded: DecodedExport;
      try {
        decoded = route.decode(body);
      } catch (error) {
        answerFailure(route, error, answer);
        return;
      }
      if (!ticket.holdItems(decoded.items)) {
        answerFailure(route, admission.refusal('too many items in flight'), answer);
        return;
      }
      const acknowledge = (): void => {
        countAcknowledged(stats, route.signal, decoded);
        answer(null, encodeExportResponse(decoded.rejected, decoded.errorMessage));
      };
      // Nothing accepted, nothing to make durable (OTLP: an empty request is a success).
      const batch = batchOf(route, decoded, deadline);
      if (batch === null) {
        acknowledge();
        return;
      }
      let pending: Promise<void>;
      try {
        pending = consumer.consume(batch);
      } catch (error) {
        answerFailure(route, error, answer);
        return;
      }
      pending.then(acknowledge, (error: unknown) => answerFailure(route, error, answer));
    };

  const server = new grpc.Server({
    'grpc.max_receive_message_length': Math.floor(options.maxRecvMsgSizeMib * BYTES_PER_MIB),
    'grpc.max_concurrent_streams': MAX_CONCURRENT_STREAMS,
  });
  for (const { path, route } of routes) {
    server.addService({ Export: rawUnaryMethod(path) }, { Export: handlerFor(route) });
  }

  let started = false;
  let stopping: Promise<void> | undefined;

  return {
    start() {
      if (started) return Promise.reject(new Error('OTLP gRPC receiver already started'));
      started = true;
      return new Promise((resolve, reject) => {
        server.bindAsync(options.endpoint, grpc.ServerCredentials.createInsecure(), (error, port) => {
          if (error) reject(new Error(`cannot listen on ${options.endpoint}: ${error.message}`));
          else resolve({ port });
        });
      });
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
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
