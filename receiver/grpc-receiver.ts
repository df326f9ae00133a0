// OTLP/gRPC receiver: the three Export methods, served on node:http2 (grpc-unary-server.ts) with the protobuf work
// done by our own scanners.
//
//   client ─HTTP/2─▶ grpc-unary-server (token check at the headers, size limit, decompression) ─raw Buffer─▶
//                    decodeXRequest ─▶ consumer.consume ─▶ answer (durable first)
//
// The port also answers OTLP/HTTP, since the JS SDK's default exporters (http/protobuf) are so often pointed at
// :4317 (dual-protocol-port.ts): HTTP/2 connections go to the unary server, HTTP/1.x ones to `serveHttp1` (the
// OTLP/HTTP receiver's own handler and limits) or, without it, to a 404 naming the fix. OTLP/HTTP over HTTP/2 (prior
// knowledge, a non-gRPC Content-Type) is answered 415: gRPC only on h2.
//
// Spans, log records and metric points are all converted (export-pipeline.ts, shared with the OTLP/HTTP receiver):
// the options carry one converter configuration per signal.
//
// Answers follow the OTLP spec (export-status.ts): undecodable → INVALID_ARGUMENT; rejected items → OK with
// partial_success; over capacity (admission.ts: at the request head, before the body is read, and again before
// decoding) or consumer backpressure → UNAVAILABLE with RetryInfo; the client's deadline already passed →
// DEADLINE_EXCEEDED, nothing ingested; oversize → RESOURCE_EXHAUSTED (checked at the message's length prefix,
// before its bytes are kept). No request can stop the server: decoders throw only DecodeError, and every call is
// answered exactly once.

import { ingestRefusal, validateIngestAuth, type IngestAuth } from './ingest-auth.js';
import { validateTlsIdentity, type TlsServerIdentity } from './tls-terminator.js';
import { MAX_PORT, parseHostPort } from '../common/endpoint.js';
import { status as GrpcStatus } from '@grpc/grpc-js';
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
import { admissionLimitsOf, DEFAULT_ADMISSION_CONFIG, ExportAdmission } from './admission.js';
import { BackpressureError, DeadlineExpiredError } from './consumer.js';
import { encodeExportResponse } from './export-response.js';
import { createDualProtocolPort } from './dual-protocol-port.js';
import { encodeRetryStatusDetails, exportFailureOf, type ExportFailure } from './export-status.js';
import { createGrpcUnaryServer, type UnaryAnswer, type UnaryCall, type UnaryCallHead, type UnaryMethod } from './grpc-unary-server.js';
import { DEFAULT_SNIFF_TIMEOUT_MS, type ConnectionProtocol } from './protocol-sniffer.js';
import { type RejectionKind, type RejectionListener } from './rejection-report.js';

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
/** Message sizes are 32-bit on the wire; kept below 2 GiB as grpc-js did, so every configuration stays valid. */
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
  /**
   * What may be in flight at once; share one between receivers to bound both together. Default: one of its own
   * with the default limits (DEFAULT_ADMISSION_CONFIG).
   */
  admission?: ExportAdmission;
  /** TLS on the port (Collector `tls`); client certificates required when it names a client CA. Default: plain. */
  tls?: TlsServerIdentity;
  /** Bearer tokens a sender must present (Collector `auth: {authenticator: bearertokenauth}`). Default: none asked. */
  auth?: IngestAuth;
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
  'admission',
  'maxEventsPerExport',
  'tls',
  'auth',
]);
/** Collector options we know but have not built: refused at start rather than silently ignored. */
const NOT_YET_SUPPORTED = new Set<string>(['keepalive', 'maxConcurrentStreams']);

/** Throws an Error whose message starts with the path of the first bad option. */
export function validateOtlpGrpcReceiverOptions(options: OtlpGrpcReceiverOptions, path = 'grpc'): void {
  for (const key of Object.keys(options)) {
    if (NOT_YET_SUPPORTED.has(key)) throw new Error(`${path}.${key}: not supported yet`);
    if (!KNOWN_OPTION_KEYS.has(key)) throw new Error(`${path}.${key}: unknown option`);
  }
  if (parseHostPort(options.endpoint) === null) {
    throw new Error(`${path}.endpoint: must be host:port with a port 0–${MAX_PORT}, got ${JSON.stringify(options.endpoint)}`);
  }
  if (options.tls !== undefined) validateTlsIdentity(options.tls, `${path}.tls`);
  if (options.auth !== undefined) validateIngestAuth(options.auth, `${path}.auth`);
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

/** The status name of a gRPC code, for reports (`UNAVAILABLE`). */
function statusName(code: number): string {
  return GrpcStatus[code] ?? String(code);
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
  const routeByPath = new Map(routes.map(({ path, route }) => [path, route]));

  const auth = options.auth;
  const onRejected = options.onRejected;
  const report = (kind: RejectionKind, route: SignalRoute | undefined, call: UnaryCallHead, answer: string, reason: string, rejectedItems?: number): void => {
    onRejected?.({ kind, receiver: 'grpc', signal: route?.signal, peer: call.peer, answer, reason, ...(rejectedItems === undefined ? {} : { rejectedItems }) });
  };
  const reportFailure = (failure: ExportFailure, route: SignalRoute, call: UnaryCallHead): void => {
    if (onRejected === undefined) return;
    report(failure.kind === 'bad_request' ? 'undecodable' : 'refused', route, call, statusName(failure.grpcCode), failure.message);
  };

  /** The answer to an export that failed, counted and reported. */
  const failureAnswer = (route: SignalRoute, error: unknown, call: UnaryCallHead): UnaryAnswer => {
    const failure = exportFailureOf(error, route.requestName);
    countFailure(stats, route.signal, failure);
    if (failure.kind === 'internal') onInternalError?.(error, route.signal);
    reportFailure(failure, route, call);
    return {
      code: failure.grpcCode,
      message: failure.message,
      ...(failure.retryAfterMs === undefined ? {} : { statusDetails: encodeRetryStatusDetails(failure.grpcCode, failure.message, failure.retryAfterMs) }),
    };
  };
  const answerFailure = (route: SignalRoute, error: unknown, call: UnaryCallHead, answer: (answer: UnaryAnswer) => void): void => {
    answer(failureAnswer(route, error, call));
  };

  const methodFor = (route: SignalRoute): UnaryMethod => ({
    // Checked before anything else: an unauthenticated sender's export is neither read, decoded, counted nor stored.
    screen(call) {
      if (auth !== undefined) {
        const refusal = ingestRefusal(auth, call.headers.authorization);
        if (refusal !== '') {
          report('refused', route, call, 'UNAUTHENTICATED', `unauthenticated: ${refusal}`);
          return { code: GrpcStatus.UNAUTHENTICATED, message: `unauthenticated: ${refusal}` };
        }
      }
      // Over capacity: refused before the body is read (admission.ts, refusalAtHead); counted as handle() counts.
      const overCapacity = admission.refusalAtHead(call.peer);
      if (overCapacity === null) return null;
      stats[route.signal].requests++;
      return failureAnswer(route, overCapacity, call);
    },
    handle(call: UnaryCall, respond: (answer: UnaryAnswer) => void): void {
      // Only the head is kept by what answers later: the body may pin a whole socket read.
      const head = call.head;
      stats[route.signal].requests++;
      const deadline = head.deadline;
      // The client has given up (and will retry): doing the work now would only count it twice.
      if (call.cancelled || Date.now() >= deadline) {
        answerFailure(route, new DeadlineExpiredError(), head, respond);
        return;
      }
      const body = call.body;
      const ticket = admission.admit(head.peer, body.length);
      if (ticket instanceof BackpressureError) {
        answerFailure(route, ticket, head, respond);
        return;
      }
      const answer = (value: UnaryAnswer): void => {
        ticket.release();
        respond(value);
      };
      let decoded: DecodedExport;
      try {
        decoded = route.decode(body);
      } catch (error) {
        answerFailure(route, error, head, answer);
        return;
      }
      if (!ticket.holdItems(decoded.items)) {
        answerFailure(route, admission.refusal('too many items in flight'), head, answer);
        return;
      }
      const acknowledge = (): void => {
        countAcknowledged(stats, route.signal, decoded);
        if (decoded.rejected > 0) report('partially_rejected', route, head, 'OK', decoded.errorMessage, decoded.rejected);
        answer({ code: GrpcStatus.OK, body: encodeExportResponse(decoded.rejected, decoded.errorMessage) });
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
        answerFailure(route, error, head, answer);
        return;
      }
      pending.then(acknowledge, (error: unknown) => answerFailure(route, error, head, answer));
    },
  });

  const server = createGrpcUnaryServer({
    methods: new Map(routes.map(({ path, route }) => [path, methodFor(route)])),
    maxMessageBytes: Math.floor(options.maxRecvMsgSizeMib * BYTES_PER_MIB),
    maxConcurrentStreams: MAX_CONCURRENT_STREAMS,
    // Oversize, undecompressible, malformed or unknown calls never reach a method: reported here.
    onRefused(call, answer) {
      const route = routeByPath.get(call.path);
      const undecodable = answer.code === GrpcStatus.INVALID_ARGUMENT;
      report(undecodable ? 'undecodable' : 'refused', route, call, statusName(answer.code), answer.message ?? '');
    },
  });

  const port = createDualProtocolPort({
    endpoint: options.endpoint,
    receiver: 'grpc',
    sniffTimeoutMs: options.sniffTimeoutMs,
    serveHttp2: (socket) => server.serve(socket),
    serveHttp1: options.serveHttp1,
    onRejected,
    onConnection: options.onConnection,
    tls: options.tls,
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
      stopping ??= (async () => {
        port.stop();
        await server.stop(options.shutdownTimeoutMs);
      })();
      return stopping;
    },
    stats() {
      return copyReceiverStats(stats);
    },
    reloadTls(identity) {
      port.reloadTls(identity);
    },
  };
}
