// Hand-written serializer of the three Export responses. They share one layout, so one function serves all:
//
// ExportTraceServiceResponse / ExportLogsServiceResponse / ExportMetricsServiceResponse
//   1 partial_success  LEN   ExportXPartialSuccess
//                              1 rejected_spans | rejected_log_records | rejected_data_points  int64
//                              2 error_message                                               string
//
// A full success is the empty message (OTLP: partial_success must be unset when nothing was rejected and there is
// nothing to warn about) — https://opentelemetry.io/docs/specs/otlp/#partial-success

import type { TelemetrySignal } from './consumer.js';
import { ProtoWriter } from './wire/proto-writer.js';

const EMPTY_RESPONSE = Buffer.alloc(0);

export function encodeExportResponse(rejected: number, errorMessage: string): Buffer {
  if (rejected === 0 && errorMessage === '') return EMPTY_RESPONSE;
  const partial = new ProtoWriter();
  if (rejected !== 0) partial.uintField(1, rejected);
  if (errorMessage !== '') partial.stringField(2, errorMessage);
  return new ProtoWriter().bytesField(1, partial.finish()).finish();
}

/** The partial_success count's JSON name per signal (OTLP/JSON: lowerCamelCase). */
const REJECTED_FIELD: Readonly<Record<TelemetrySignal, string>> = {
  traces: 'rejectedSpans',
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
};

/**
 * The same response in OTLP/JSON, for OTLP/HTTP clients that sent JSON: `{}` on full success, else
 * `{"partialSuccess":{"rejectedSpans":"2","errorMessage":"…"}}` (int64 as a decimal string, per proto3 JSON).
 */
export function encodeExportResponseJson(signal: TelemetrySignal, rejected: number, errorMessage: string): Buffer {
  if (rejected === 0 && errorMessage === '') return Buffer.from('{}');
  const partial: Record<string, string> = {};
  if (rejected !== 0) partial[REJECTED_FIELD[signal]] = String(rejected);
  if (errorMessage !== '') partial.errorMessage = errorMessage;
  return Buffer.from(JSON.stringify({ partialSuccess: partial }));
}
