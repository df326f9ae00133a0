// How an export that cannot be accepted is answered, per the OTLP spec:
//   gRPC  https://opentelemetry.io/docs/specs/otlp/#failures — undecodable: INVALID_ARGUMENT (not retryable);
//         overloaded: UNAVAILABLE (retryable), with google.rpc.RetryInfo when we know how long to wait; the client's
//         deadline passed before we got to it: DEADLINE_EXCEEDED (nothing was taken in; retryable).
//   HTTP  https://opentelemetry.io/docs/specs/otlp/#failures-1 — 400 Bad Request; 503 Service Unavailable with
//         Retry-After; every 4xx/5xx body is a google.rpc.Status (encodeStatus / encodeStatusJson below).
// Anything else is our fault: INTERNAL / 500 with a short message that leaks no internals.
// Rejected items inside a decodable request are not failures: they are answered OK with partial_success.

import { status as GrpcStatus } from '@grpc/grpc-js';
import { BackpressureError, DeadlineExpiredError } from './consumer.js';
import { DecodeError } from './wire/decode-error.js';
import { ProtoWriter } from './wire/proto-writer.js';

export type ExportFailureKind = 'bad_request' | 'backpressure' | 'expired' | 'internal';

export interface ExportFailure {
  kind: ExportFailureKind;
  grpcCode: GrpcStatus;
  httpStatus: number;
  /** Safe to send to the client. */
  message: string;
  /** Retry hint for backpressure, when the consumer gave one. */
  retryAfterMs: number | undefined;
}

const HTTP_BAD_REQUEST = 400;
const HTTP_INTERNAL_SERVER_ERROR = 500;
const HTTP_SERVICE_UNAVAILABLE = 503;
const HTTP_GATEWAY_TIMEOUT = 504;

/** `what` names the request type for the client, e.g. `ExportTraceServiceRequest`. */
export function exportFailureOf(error: unknown, what: string): ExportFailure {
  if (error instanceof DecodeError) {
    return {
      kind: 'bad_request',
      grpcCode: GrpcStatus.INVALID_ARGUMENT,
      httpStatus: HTTP_BAD_REQUEST,
      message: `cannot decode ${what}: ${error.message}`,
      retryAfterMs: undefined,
    };
  }
  if (error instanceof BackpressureError) {
    return {
      kind: 'backpressure',
      grpcCode: GrpcStatus.UNAVAILABLE,
      httpStatus: HTTP_SERVICE_UNAVAILABLE,
      message: error.message,
      retryAfterMs: error.retryAfterMs,
    };
  }
  if (error instanceof DeadlineExpiredError) {
    return {
      kind: 'expired',
      grpcCode: GrpcStatus.DEADLINE_EXCEEDED,
      httpStatus: HTTP_GATEWAY_TIMEOUT,
      message: error.message,
      retryAfterMs: undefined,
    };
  }
  return {
    kind: 'internal',
    grpcCode: GrpcStatus.INTERNAL,
    httpStatus: HTTP_INTERNAL_SERVER_ERROR,
    message: `internal error while accepting ${what}`,
    retryAfterMs: undefined,
  };
}

const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';
const MS_PER_SECOND = 1000;
const NANOS_PER_MS = 1e6;

/**
 * `grpc-status-details-bin`: a google.rpc.Status carrying one google.rpc.RetryInfo, which OTLP clients honour as the
 * delay before retrying.
 *
 * google.rpc.Status            google.protobuf.Any      google.rpc.RetryInfo     google.protobuf.Duration
 *   1 code     int32             1 type_url  string       1 retry_delay  LEN       1 seconds  int64
 *   2 message  string            2 value     bytes                                 2 nanos    int32
 *   3 details  repeated Any
 */
export function encodeRetryStatusDetails(code: number, message: string, retryAfterMs: number): Buffer {
  const delayMs = Math.max(0, Math.round(retryAfterMs));
  const duration = new ProtoWriter()
    .uintField(1, Math.floor(delayMs / MS_PER_SECOND))
    .uintField(2, (delayMs % MS_PER_SECOND) * NANOS_PER_MS)
    .finish();
  const retryInfo = new ProtoWriter().bytesField(1, duration).finish();
  const any = new ProtoWriter().stringField(1, RETRY_INFO_TYPE_URL).bytesField(2, retryInfo).finish();
  return new ProtoWriter().uintField(1, code).stringField(2, message).bytesField(3, any).finish();
}

/** google.rpc.Status without details, the body of every OTLP/HTTP 4xx/5xx answer (protobuf). */
export function encodeStatus(code: number, message: string): Buffer {
  const writer = new ProtoWriter();
  if (code !== 0) writer.uintField(1, code);
  if (message !== '') writer.stringField(2, message);
  return writer.finish();
}

/** The same Status in JSON, for OTLP/HTTP clients that sent JSON. */
export function encodeStatusJson(code: number, message: string): Buffer {
  return Buffer.from(JSON.stringify({ code, message }));
}
