// Metric data point validation and counting (conversion comes in a later issue).
export { decodeMetricsRequest, type MetricsDecodeResult } from './decode-metrics.js';
export {
  DataPointViewFast,
  MetricResourceViewFast,
  scanMetricsRequest,
  type MetricsScanVisitor,
} from './metrics-scanner.js';
