// The OTLP receiver: what the daemon and benchmarks may use.
export { BackpressureError, DeadlineExpiredError, deadlinePassed, type TelemetryBatch, type TelemetryConsumer, type TelemetrySignal } from './consumer.js';
export { type ConverterOptionsInput, type ReceiverStats, type SignalStats } from './export-pipeline.js';
export { exportFailureOf, type ExportFailure } from './export-status.js';
export {
  createDefaultOtlpGrpcReceiverOptions,
  createOtlpGrpcReceiver,
  validateOtlpGrpcReceiverOptions,
  type OtlpGrpcReceiver,
  type OtlpGrpcReceiverOptions,
} from './grpc-receiver.js';
export {
  createDefaultOtlpHttpReceiverOptions,
  createOtlpHttpReceiver,
  validateOtlpHttpReceiverOptions,
  type OtlpHttpReceiver,
  type OtlpHttpReceiverOptions,
} from './http-receiver.js';
export { JsonDecodeError, transcodeOtlpJson } from './json/otlp-json.js';
export {
  createLogConverter,
  createLogConverterOptions,
  decodeLogsRequest,
  parseMinSeverityNumber,
  type LogConverter,
  type LogConverterOptions,
  type LogConverterOptionsInput,
  type LogsDecodeResult,
} from './logs/index.js';
export {
  createMetricConverter,
  createMetricConverterOptions,
  decodeMetricsRequest,
  DEFAULT_IGNORED_FILESYSTEMS,
  DEFAULT_METRIC_THRESHOLD_RULES,
  parseIgnoredFilesystems,
  parseMaxSeries,
  parseMetricThresholdRules,
  type IgnoredFilesystems,
  type MetricConverter,
  type MetricConverterOptions,
  type MetricConverterOptionsInput,
  type MetricsDecodeResult,
  type MetricStatistic,
  type MetricThresholdRule,
} from './metrics/index.js';
export { ReceiverOptionError } from './option-checks.js';
export { type RejectionKind, type RejectionListener, type RejectionReport } from './rejection-report.js';
export {
  createSpanConverter,
  createSpanConverterOptions,
  decodeTraceRequest,
  MAX_ATTRIBUTE_KEY_CHARS,
  MAX_ATTRIBUTE_VALUE_CHARS,
  MAX_ATTRIBUTES_SHOWN,
  readKeptAttributes,
  type KeptAttribute,
  type ServiceSpanCounts,
  type SpanConverter,
  type SpanConverterOptions,
  type SpanConverterOptionsInput,
  type TraceDecodeResult,
} from './trace/index.js';
export { DecodeError } from './wire/decode-error.js';
export { createSignalConverters, createSignalRoutes } from './export-pipeline.js';
export type { SignalRoute } from './export-pipeline.js';
export { DEFAULT_MAX_SERIES, createDefaultMetricConverterOptions } from './metrics/metric-converter-options.js';
export { DEFAULT_ADMISSION_CONFIG, ExportAdmission, LoopPressure, admissionLimitsOf } from './admission.js';
export type { AdmissionConfig } from './admission.js';
export type { TlsServerIdentity } from './tls-terminator.js';
export { ingestTokenEntries, ingestTokens } from './ingest-auth.js';
export type { IngestAuth } from './ingest-auth.js';
