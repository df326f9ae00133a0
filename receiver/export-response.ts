// Hand-written serializer of the three Export responses. They share one layout, so one function serves all:
//
// ExportTraceServiceResponse / ExportLogsServiceResponse / ExportMetricsServiceResponse
//   1 partial_success  LEN   ExportXPartialSuccess
//                              1 rejected_spans | rejected_log_records | rejected_data_points  int64
//                              2 error_message                                               string
//
// A full success is the empty message (OTLP: partial_success must be unset when nothing was rejected and there is
// nothing to warn about) — https://opentelemetry.io/docs/specs/otlp/#partial-success

import { ProtoWriter } from './wire/proto-writer.js';

const EMPTY_RESPONSE = Buffer.alloc(0);

export function encodeExportResponse(rejected: number, errorMessage: string): Buffer {
  if (rejected === 0 && errorMessage === '') return EMPTY_RESPONSE;
  const partial = new ProtoWriter();
  if (rejected !== 0) partial.uintField(1, rejected);
  if (errorMessage !== '') partial.stringField(2, errorMessage);
  return new ProtoWriter().bytesField(1, partial.finish()).finish();
}
