// Metric data point decoding and threshold conversion: what the rest of firewatch may use.
export { decodeMetricsRequest, type MetricsDecodeResult } from './decode-metrics.js';
export { explicitMax, explicitQuantile, exponentialMax, exponentialQuantile } from './histogram-statistics.js';
export { createMetricConverter, type MetricConverter } from './metric-converter.js';
export {
  createDefaultMetricConverterOptions,
  createMetricConverterOptions,
  DEFAULT_IGNORED_FILESYSTEMS,
  DEFAULT_MAX_SERIES,
  DEFAULT_METRIC_THRESHOLD_RULES,
  METRIC_STATISTICS,
  parseIgnoredFilesystems,
  parseMaxSeries,
  parseMetricThresholdRule,
  parseMetricThresholdRules,
  type IgnoredFilesystems,
  type MetricConverterOptions,
  type MetricConverterOptionsInput,
  type MetricStatistic,
  type MetricThresholdRule,
} from './metric-converter-options.js';
export {
  DataPointViewFast,
  MetricResourceViewFast,
  scanMetricsRequest,
  type MetricsScanVisitor,
} from './metrics-scanner.js';
