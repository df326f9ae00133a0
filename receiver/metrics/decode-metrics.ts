// ExportMetricsServiceRequest bytes → what the receiver hands the engine: event drafts for points that cross a
// threshold rule, and the point count for the OTLP answer.
//
//   Buffer ─scanMetricsRequest─▶ metric ─selectMetric (name bytes vs watched names)─▶ no: points only counted
//                                                                                 └─▶ yes: points scanned in detail
//                                                                                          ─▶ convertPoint ─▶ drafts[]
//
// Per request this allocates the result and one draft per crossing; per point of an unwatched metric nothing, per
// point of a watched one nothing unless it crosses (bench/logs-metrics.bench.ts measures the whole path).

import { UNKNOWN_SERVICE } from '../wire/any-value.js';
import { createMetricConverter, type MetricConverter } from './metric-converter.js';
import {
  type DataPointViewFast,
  type MetricResourceViewFast,
  type MetricsScanVisitor,
  scanMetricsRequest,
} from './metrics-scanner.js';
import { type EventDraft } from '../../engine/index.js';

export interface MetricsDecodeResult {
  /** Events from points that crossed a threshold rule. */
  drafts: EventDraft[];
  /** Data points accepted, of every kind (gauge, sum, histogram, exponential histogram, summary). */
  dataPoints: number;
  /** Data points rejected; nothing is rejected yet, the field keeps the three signals alike. */
  rejected: number;
  errorMessage: string;
  /** `service.name` of every resource in the request (for silence detection), each once. */
  services: string[];
}

/** The converter used when none is given. It is stateful (cumulative histogram series): share it knowingly. */
const DEFAULT_CONVERTER = createMetricConverter();

/**
 * Decodes and converts one request. Throws DecodeError (only) when the bytes are not a decodable request. The
 * converter remembers cumulative histogram series across calls.
 */
export function decodeMetricsRequest(bytes: Uint8Array, converter: MetricConverter = DEFAULT_CONVERTER): MetricsDecodeResult {
  const visitor = new DecodeMetricsVisitor(converter);
  scanMetricsRequest(bytes, visitor);
  return { drafts: visitor.drafts, dataPoints: visitor.points, rejected: 0, errorMessage: '', services: visitor.services };
}

class DecodeMetricsVisitor implements MetricsScanVisitor {
  readonly drafts: EventDraft[] = [];
  points = 0;
  private readonly converter: MetricConverter;

  constructor(converter: MetricConverter) {
    this.converter = converter;
  }

  readonly services: string[] = [];

  resource(resource: MetricResourceViewFast): void {
    const service = resource.serviceName ?? UNKNOWN_SERVICE;
    if (!this.services.includes(service)) this.services.push(service);
    this.converter.resource(resource);
  }

  metric(point: DataPointViewFast): boolean {
    return this.converter.selectMetric(point);
  }

  dataPoint(point: DataPointViewFast, resource: MetricResourceViewFast): void {
    this.points++;
    if (point.detailed) this.converter.convertPoint(point, resource, this.drafts);
  }
}
