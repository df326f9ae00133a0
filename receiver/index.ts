// The OTLP receiver: what the daemon and benchmarks may use.
export { BackpressureError, type TelemetryBatch, type TelemetryConsumer, type TelemetrySignal } from './consumer.js';
export { exportFailureOf, type ExportFailure } from './export-status.js';
export {
  createDefaultOtlpGrpcReceiverOptions,
  createOtlpGrpcReceiver,
  validateOtlpGrpcReceiverOptions,
  type OtlpGrpcReceiver,
  type OtlpGrpcReceiverOptions,
  type ReceiverStats,
  type SignalStats,
} from './grpc-receiver.js';
export { decodeLogsRequest, type LogsDecodeResult } from './logs/index.js';
export { decodeMetricsRequest, type MetricsDecodeResult } from './metrics/index.js';
export {
  createSpanConverter,
  createSpanConverterOptions,
  decodeTraceRequest,
  type ServiceSpanCounts,
  type SpanConverter,
  type SpanConverterOptions,
  type SpanConverterOptionsInput,
  type TraceDecodeResult,
} from './trace/index.js';
export { DecodeError } from './wire/decode-error.js';
