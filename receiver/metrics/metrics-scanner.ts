// Walks an ExportMetricsServiceRequest from the wire and shows each data point (of every metric kind) to a visitor
// through one reused DataPointViewFast, in the style of trace/trace-scanner.ts. In this issue points are only
// validated and counted; the view already carries what a threshold converter will need (metric name, kind, time,
// and the value of gauge/sum points).
//
// Lifetime: the view describes the current point only during the visitor call; its offsets point into the request
// Buffer. Validation is as deep as the scan: every field down to the data points' own fields is checked; attributes,
// exemplars, buckets and quantiles are skipped by length.

import { readServiceName } from '../wire/any-value.js';
import { asBuffer, ProtoReader } from '../wire/proto-reader.js';
import { utf8Bounded } from '../wire/utf8.js';

/** Metric data kinds (the Metric.data oneof). */
export const METRIC_KIND_GAUGE = 1;
export const METRIC_KIND_SUM = 2;
export const METRIC_KIND_HISTOGRAM = 3;
export const METRIC_KIND_EXPONENTIAL_HISTOGRAM = 4;
export const METRIC_KIND_SUMMARY = 5;

/** Which NumberDataPoint value oneof member was present. */
export const POINT_VALUE_NONE = 0;
export const POINT_VALUE_DOUBLE = 1;
export const POINT_VALUE_INT = 2;

const TWO_POW_32 = 4294967296;

export class MetricResourceViewFast {
  index = 0;
  /** `service.name`, or null when absent. */
  serviceName: string | null = null;
}

export class DataPointViewFast {
  readonly buf: Buffer;
  /** Index of the metric within its ResourceMetrics, counted across scopes. */
  metricIndex = 0;
  metricNamePos = 0;
  metricNameLen = 0;
  /** METRIC_KIND_* of the enclosing metric. */
  kind = 0;
  /** Byte range of the data point message. */
  start = 0;
  end = 0;
  timeLo = 0;
  timeHi = 0;
  /** POINT_VALUE_*; only gauge and sum points carry a single value. */
  valueKind = POINT_VALUE_NONE;
  /** as_double, or as_int (exact up to 2^53). */
  value = 0;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  metricName(maxChars: number): string {
    return utf8Bounded(this.buf, this.metricNamePos, this.metricNameLen, maxChars);
  }
}

export interface MetricsScanVisitor {
  resource(resource: MetricResourceViewFast): void;
  dataPoint(point: DataPointViewFast, resource: MetricResourceViewFast): void;
}

/**
 * Scans `bytes` as an ExportMetricsServiceRequest (or MetricsData). Throws DecodeError when undecodable.
 *
 * ExportMetricsServiceRequest        ResourceMetrics (metrics.proto)   ScopeMetrics (metrics.proto)
 * (metrics_service.proto)              1 resource       LEN              1 scope       LEN (skipped)
 *   1 resource_metrics  LEN            2 scope_metrics  LEN              2 metrics     LEN
 *                                      3 schema_url     (skipped)        3 schema_url  (skipped)
 */
export function scanMetricsRequest(bytes: Uint8Array, visitor: MetricsScanVisitor): void {
  const buf = asBuffer(bytes);
  const r = new ProtoReader(buf);
  const point = new DataPointViewFast(buf);
  const resource = new MetricResourceViewFast();
  const end = buf.length;
  let resourceIndex = 0;
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag !== 0x0a) {
      r.skip(tag, end);
      continue;
    }
    const resourceMetricsEnd = r.payloadEnd(end);
    const resourceMetricsStart = r.pos;

    // First pass: the resource, which may follow its metrics on the wire.
    resource.index = resourceIndex++;
    resource.serviceName = null;
    let resourceStart = -1;
    let resourceEnd = -1;
    while (r.pos < resourceMetricsEnd) {
      const resourceTag = r.uint32(resourceMetricsEnd);
      if (resourceTag === 0x0a) {
        const len = r.length(resourceMetricsEnd);
        resourceStart = r.pos;
        resourceEnd = resourceStart + len;
        r.pos = resourceEnd;
      } else {
        r.skip(resourceTag, resourceMetricsEnd);
      }
    }
    if (resourceStart !== -1) resource.serviceName = readServiceName(r, resourceStart, resourceEnd);
    visitor.resource(resource);

    // Second pass: scope_metrics → metrics.
    let metricIndex = 0;
    r.pos = resourceMetricsStart;
    while (r.pos < resourceMetricsEnd) {
      const scopesTag = r.uint32(resourceMetricsEnd);
      if (scopesTag !== 0x12) {
        r.skip(scopesTag, resourceMetricsEnd);
        continue;
      }
      const scopeEnd = r.payloadEnd(resourceMetricsEnd);
      while (r.pos < scopeEnd) {
        const scopeTag = r.uint32(scopeEnd);
        if (scopeTag !== 0x12) {
          r.skip(scopeTag, scopeEnd);
          continue;
        }
        const metricEnd = r.payloadEnd(scopeEnd);
        point.metricIndex = metricIndex++;
        scanMetric(r, r.pos, metricEnd, point, resource, visitor);
        r.pos = metricEnd;
      }
    }
    r.pos = resourceMetricsEnd;
  }
}

/**
 * Metric (metrics.proto)                         Gauge / Sum / Histogram / ExponentialHistogram / Summary
 *   1 name                   LEN                   1 data_points  LEN (repeated)
 *   2 description, 3 unit    (skipped)             2 aggregation_temporality, 3 is_monotonic (skipped)
 *   5 gauge                  LEN
 *   7 sum                    LEN
 *   9 histogram              LEN
 *  10 exponential_histogram  LEN
 *  11 summary                LEN
 *  12 metadata               (skipped)
 */
function scanMetric(
  r: ProtoReader,
  start: number,
  end: number,
  point: DataPointViewFast,
  resource: MetricResourceViewFast,
  visitor: MetricsScanVisitor,
): void {
  // First pass: the name (it may follow the data on the wire).
  point.metricNameLen = 0;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === 0x0a) {
      const len = r.length(end);
      point.metricNamePos = r.pos;
      point.metricNameLen = len;
      r.pos += len;
    } else {
      r.skip(tag, end);
    }
  }

  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32(end);
    let kind: number;
    switch (tag) {
      case 0x2a:
        kind = METRIC_KIND_GAUGE;
        break;
      case 0x3a:
        kind = METRIC_KIND_SUM;
        break;
      case 0x4a:
        kind = METRIC_KIND_HISTOGRAM;
        break;
      case 0x52:
        kind = METRIC_KIND_EXPONENTIAL_HISTOGRAM;
        break;
      case 0x5a:
        kind = METRIC_KIND_SUMMARY;
        break;
      default:
        r.skip(tag, end);
        continue;
    }
    const dataEnd = r.payloadEnd(end);
    point.kind = kind;
    while (r.pos < dataEnd) {
      const dataTag = r.uint32(dataEnd);
      if (dataTag !== 0x0a) {
        r.skip(dataTag, dataEnd);
        continue;
      }
      const pointEnd = r.payloadEnd(dataEnd);
      scanDataPoint(r, r.pos, pointEnd, point);
      visitor.dataPoint(point, resource);
      r.pos = pointEnd;
    }
  }
}

/**
 * Reads the fields the view keeps and checks the rest. Field 3 is the time in every data point type; fields 4 and 6
 * are the value only in NumberDataPoint (in histograms and summaries field 4 is the count).
 *
 * NumberDataPoint (metrics.proto)
 *   3 time_unix_nano  I64      4 as_double  I64 (double)      6 as_int  I64 (sfixed64)
 *   2 start_time_unix_nano, 5 exemplars, 7 attributes, 8 flags: skipped
 */
function scanDataPoint(r: ProtoReader, start: number, end: number, v: DataPointViewFast): void {
  const numberPoint = v.kind === METRIC_KIND_GAUGE || v.kind === METRIC_KIND_SUM;
  v.start = start;
  v.end = end;
  v.timeLo = 0;
  v.timeHi = 0;
  v.valueKind = POINT_VALUE_NONE;
  v.value = 0;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === 0x19) {
      r.fixed64(end);
      v.timeLo = r.lo;
      v.timeHi = r.hi;
    } else if (tag === 0x21 && numberPoint) {
      v.valueKind = POINT_VALUE_DOUBLE;
      v.value = r.double(end);
    } else if (tag === 0x31 && numberPoint) {
      r.fixed64(end);
      v.valueKind = POINT_VALUE_INT;
      v.value = (r.hi | 0) * TWO_POW_32 + r.lo;
    } else {
      r.skip(tag, end);
    }
  }
}
