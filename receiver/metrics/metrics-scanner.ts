// Walks an ExportMetricsServiceRequest from the wire and shows each data point (of every metric kind) to a visitor
// through one reused DataPointViewFast, in the style of trace/trace-scanner.ts.
//
//   Buffer ─▶ resource_metrics ─▶ resource (service.name) ─▶ scope_metrics ─▶ metrics ─▶ visitor.metric? ─▶ points
//
// Two depths of point scan. Every point gets the cheap one (time, and the value of gauge/sum points). A metric the
// visitor selects (visitor.metric returns true: a threshold rule watches its name, compared as bytes) also gets the
// detailed one: start time, flags, temporality, and a histogram's count, sum, min, max, bucket counts and bounds,
// copied into arrays the view reuses. So a point of an unwatched metric allocates nothing and decodes no string.
//
// Lifetime: the view describes the current point only during the visitor call; its offsets point into the request
// Buffer and its bucket arrays are overwritten by the next point. Validation is as deep as the scan: every field down
// to the data points' own fields is checked; attributes, exemplars and (for unwatched metrics) buckets and quantiles
// are skipped by length.

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

/** AggregationTemporality (metrics.proto). */
export const TEMPORALITY_UNSPECIFIED = 0;
export const TEMPORALITY_DELTA = 1;
export const TEMPORALITY_CUMULATIVE = 2;

/** DataPointFlags: the point marks a gap (no recorded value), not a measurement. */
export const POINT_FLAG_NO_RECORDED_VALUE = 1;

/** Buckets per histogram point copied out for the converter; a point with more is flagged and not evaluated. */
export const MAX_HISTOGRAM_BUCKETS = 4096;
const INITIAL_BUCKET_CAPACITY = 32;
const NO_BUCKETS = new Float64Array(0);

const TWO_POW_32 = 4294967296;

export class MetricResourceViewFast {
  index = 0;
  /** `service.name`, or null when absent. */
  serviceName: string | null = null;
  /** Byte range of the (last) Resource message, or -1/-1 when absent. */
  start = -1;
  end = -1;
}

export class DataPointViewFast {
  readonly buf: Buffer;
  /** A reader for lazy reads by visitors (attributes), separate from the scanner's cursor. */
  readonly values: ProtoReader;
  /** Index of the metric within its ResourceMetrics, counted across scopes. */
  metricIndex = 0;
  metricNamePos = 0;
  metricNameLen = 0;
  metricUnitPos = 0;
  metricUnitLen = 0;
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

  // ---- detailed scan only (the visitor selected the metric); stale otherwise ----
  /** Whether the fields below describe this point. */
  detailed = false;
  /** TEMPORALITY_* of the enclosing Sum / Histogram / ExponentialHistogram (gauges: unspecified). */
  temporality = TEMPORALITY_UNSPECIFIED;
  startLo = 0;
  startHi = 0;
  flags = 0;
  /** The attributes' field tag in this point type (KeyValue LEN), for visitors walking [start, end). */
  attributesTag = 0;
  /** Histograms: count, and sum / min / max when present. */
  count = 0;
  sum = 0;
  hasSum = false;
  min = 0;
  hasMin = false;
  max = 0;
  hasMax = false;
  /** More buckets or bounds than MAX_HISTOGRAM_BUCKETS: the arrays below are incomplete. */
  bucketsOverflow = false;
  /** Explicit histograms: bucket_counts; exponential histograms: the positive buckets. First `bucketCountLen` valid. */
  bucketCounts: Float64Array = NO_BUCKETS;
  bucketCountLen = 0;
  /** Explicit histograms: explicit_bounds. */
  bounds: Float64Array = NO_BUCKETS;
  boundLen = 0;
  /** Exponential histograms. */
  scale = 0;
  zeroCount = 0;
  zeroThreshold = 0;
  positiveOffset = 0;
  negativeOffset = 0;
  negativeCounts: Float64Array = NO_BUCKETS;
  negativeCountLen = 0;

  constructor(buf: Buffer) {
    this.buf = buf;
    this.values = new ProtoReader(buf);
  }

  metricName(maxChars: number): string {
    return utf8Bounded(this.buf, this.metricNamePos, this.metricNameLen, maxChars);
  }

  metricUnit(maxChars: number): string {
    return utf8Bounded(this.buf, this.metricUnitPos, this.metricUnitLen, maxChars);
  }

  resetDetails(): void {
    this.detailed = true;
    this.startLo = 0;
    this.startHi = 0;
    this.flags = 0;
    this.count = 0;
    this.sum = 0;
    this.hasSum = false;
    this.min = 0;
    this.hasMin = false;
    this.max = 0;
    this.hasMax = false;
    this.bucketsOverflow = false;
    this.bucketCountLen = 0;
    this.boundLen = 0;
    this.scale = 0;
    this.zeroCount = 0;
    this.zeroThreshold = 0;
    this.positiveOffset = 0;
    this.negativeOffset = 0;
    this.negativeCountLen = 0;
  }

  pushBucketCount(value: number): void {
    if (this.bucketCountLen >= MAX_HISTOGRAM_BUCKETS) {
      this.bucketsOverflow = true;
      return;
    }
    if (this.bucketCountLen === this.bucketCounts.length) this.bucketCounts = grow(this.bucketCounts);
    this.bucketCounts[this.bucketCountLen++] = value;
  }

  pushBound(value: number): void {
    if (this.boundLen >= MAX_HISTOGRAM_BUCKETS) {
      this.bucketsOverflow = true;
      return;
    }
    if (this.boundLen === this.bounds.length) this.bounds = grow(this.bounds);
    this.bounds[this.boundLen++] = value;
  }

  pushNegativeCount(value: number): void {
    if (this.negativeCountLen >= MAX_HISTOGRAM_BUCKETS) {
      this.bucketsOverflow = true;
      return;
    }
    if (this.negativeCountLen === this.negativeCounts.length) this.negativeCounts = grow(this.negativeCounts);
    this.negativeCounts[this.negativeCountLen++] = value;
  }
}

/** Bucket arrays start empty and grow on first use: a request without watched histograms allocates none. */
function grow(array: Float64Array): Float64Array {
  const bigger = new Float64Array(Math.min(Math.max(array.length * 2, INITIAL_BUCKET_CAPACITY), MAX_HISTOGRAM_BUCKETS));
  bigger.set(array);
  return bigger;
}

export interface MetricsScanVisitor {
  resource(resource: MetricResourceViewFast): void;
  /**
   * A metric's data begins (name, unit and kind are in `point`). Return true to have its points scanned in detail.
   * Optional: without it no metric is detailed.
   */
  metric?(point: DataPointViewFast, resource: MetricResourceViewFast): boolean;
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
    resource.start = -1;
    resource.end = -1;
    while (r.pos < resourceMetricsEnd) {
      const resourceTag = r.uint32(resourceMetricsEnd);
      if (resourceTag === 0x0a) {
        const len = r.length(resourceMetricsEnd);
        resource.start = r.pos;
        resource.end = resource.start + len;
        r.pos = resource.end;
      } else {
        r.skip(resourceTag, resourceMetricsEnd);
      }
    }
    if (resource.start !== -1) resource.serviceName = readServiceName(r, resource.start, resource.end);
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
 *   1 name                   LEN                   1 data_points              LEN (repeated)
 *   2 description            (skipped)             2 aggregation_temporality  VARINT (Sum, Histogram, ExpHistogram)
 *   3 unit                   LEN                   3 is_monotonic             (skipped)
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
  // First pass: name and unit (they may follow the data on the wire).
  point.metricNameLen = 0;
  point.metricUnitLen = 0;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === 0x0a) {
      const len = r.length(end);
      point.metricNamePos = r.pos;
      point.metricNameLen = len;
      r.pos += len;
    } else if (tag === 0x1a) {
      const len = r.length(end);
      point.metricUnitPos = r.pos;
      point.metricUnitLen = len;
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
    const dataStart = r.pos;
    point.kind = kind;
    point.detailed = false;
    const detailed = visitor.metric !== undefined && visitor.metric(point, resource);
    if (detailed) {
      // The temporality may follow the points on the wire: find it first.
      point.temporality = TEMPORALITY_UNSPECIFIED;
      while (r.pos < dataEnd) {
        const dataTag = r.uint32(dataEnd);
        if (dataTag === 0x10 && kind !== METRIC_KIND_GAUGE && kind !== METRIC_KIND_SUMMARY) {
          point.temporality = r.uint32(dataEnd);
        } else {
          r.skip(dataTag, dataEnd);
        }
      }
      r.pos = dataStart;
    }
    while (r.pos < dataEnd) {
      const dataTag = r.uint32(dataEnd);
      if (dataTag !== 0x0a) {
        r.skip(dataTag, dataEnd);
        continue;
      }
      const pointEnd = r.payloadEnd(dataEnd);
      if (detailed) scanDataPointDetails(r, r.pos, pointEnd, point);
      else scanDataPoint(r, r.pos, pointEnd, point);
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

/**
 * The detailed scan of a selected metric's point. Literal tags per point type:
 *
 * NumberDataPoint            HistogramDataPoint                 ExponentialHistogramDataPoint
 *   2 start_time   I64         2 start_time      I64              1 attributes     LEN (walked by visitors)
 *   3 time         I64         3 time            I64              2 start_time     I64
 *   4 as_double    I64         4 count           I64 (fixed64)    3 time           I64
 *   6 as_int       I64         5 sum             I64 (double)     4 count          I64 (fixed64)
 *   7 attributes   LEN         6 bucket_counts   packed fixed64   5 sum            I64 (double)
 *   8 flags        VARINT      7 explicit_bounds packed double    6 scale          VARINT (sint32)
 *                              9 attributes      LEN              7 zero_count     I64 (fixed64)
 * SummaryDataPoint            10 flags           VARINT           8 positive, 9 negative  LEN (Buckets)
 *   7 attributes   LEN        11 min, 12 max     I64 (double)    10 flags          VARINT
 *   8 flags        VARINT                                        12 min, 13 max    I64 (double)
 *                                                                14 zero_threshold I64 (double)
 * Repeated scalars are accepted packed (LEN) and unpacked, as proto3 parsers must.
 */
function scanDataPointDetails(r: ProtoReader, start: number, end: number, v: DataPointViewFast): void {
  const kind = v.kind;
  v.start = start;
  v.end = end;
  v.timeLo = 0;
  v.timeHi = 0;
  v.valueKind = POINT_VALUE_NONE;
  v.value = 0;
  v.resetDetails();
  if (kind === METRIC_KIND_GAUGE || kind === METRIC_KIND_SUM || kind === METRIC_KIND_SUMMARY) {
    scanDataPoint(r, start, end, v);
    r.pos = start;
    v.attributesTag = 0x3a;
    while (r.pos < end) {
      const tag = r.uint32(end);
      if (tag === 0x11) {
        r.fixed64(end);
        v.startLo = r.lo;
        v.startHi = r.hi;
      } else if (tag === 0x40) {
        v.flags = r.uint32(end);
      } else {
        r.skip(tag, end);
      }
    }
    return;
  }
  // Histograms: one pass, time included (their points are the bulk of a watched metric's bytes).
  r.pos = start;
  if (kind === METRIC_KIND_HISTOGRAM) {
    v.attributesTag = 0x4a;
    while (r.pos < end) {
      const tag = r.uint32(end);
      switch (tag) {
        case 0x19:
          r.fixed64(end);
          v.timeLo = r.lo;
          v.timeHi = r.hi;
          break;
        case 0x11:
          r.fixed64(end);
          v.startLo = r.lo;
          v.startHi = r.hi;
          break;
        case 0x21:
          r.fixed64(end);
          v.count = r.hi * TWO_POW_32 + r.lo;
          break;
        case 0x29:
          v.sum = r.double(end);
          v.hasSum = true;
          break;
        case 0x31:
          r.fixed64(end);
          v.pushBucketCount(r.hi * TWO_POW_32 + r.lo);
          break;
        case 0x32: {
          const packedEnd = r.payloadEnd(end);
          while (r.pos < packedEnd) {
            r.fixed64(packedEnd);
            v.pushBucketCount(r.hi * TWO_POW_32 + r.lo);
          }
          break;
        }
        case 0x39:
          v.pushBound(r.double(end));
          break;
        case 0x3a: {
          const packedEnd = r.payloadEnd(end);
          while (r.pos < packedEnd) v.pushBound(r.double(packedEnd));
          break;
        }
        case 0x50:
          v.flags = r.uint32(end);
          break;
        case 0x59:
          v.min = r.double(end);
          v.hasMin = true;
          break;
        case 0x61:
          v.max = r.double(end);
          v.hasMax = true;
          break;
        default:
          r.skip(tag, end);
      }
    }
  } else {
    v.attributesTag = 0x0a;
    while (r.pos < end) {
      const tag = r.uint32(end);
      switch (tag) {
        case 0x19:
          r.fixed64(end);
          v.timeLo = r.lo;
          v.timeHi = r.hi;
          break;
        case 0x11:
          r.fixed64(end);
          v.startLo = r.lo;
          v.startHi = r.hi;
          break;
        case 0x21:
          r.fixed64(end);
          v.count = r.hi * TWO_POW_32 + r.lo;
          break;
        case 0x29:
          v.sum = r.double(end);
          v.hasSum = true;
          break;
        case 0x30:
          v.scale = zigzag32(r.uint32(end));
          break;
        case 0x39:
          r.fixed64(end);
          v.zeroCount = r.hi * TWO_POW_32 + r.lo;
          break;
        case 0x42:
          // A repeated Buckets field merges (proto3): offsets overwrite, counts append.
          v.positiveOffset = scanBuckets(r, r.payloadEnd(end), v, true, v.positiveOffset);
          break;
        case 0x4a:
          v.negativeOffset = scanBuckets(r, r.payloadEnd(end), v, false, v.negativeOffset);
          break;
        case 0x50:
          v.flags = r.uint32(end);
          break;
        case 0x61:
          v.min = r.double(end);
          v.hasMin = true;
          break;
        case 0x69:
          v.max = r.double(end);
          v.hasMax = true;
          break;
        case 0x71:
          v.zeroThreshold = r.double(end);
          break;
        default:
          r.skip(tag, end);
      }
    }
  }
}

/**
 * ExponentialHistogramDataPoint.Buckets
 *   1 offset         VARINT (sint32)
 *   2 bucket_counts  packed uint64 (or unpacked VARINT)
 * Returns the offset (the previous one when this message sets none).
 */
function scanBuckets(r: ProtoReader, end: number, v: DataPointViewFast, positive: boolean, offset: number): number {
  let result = offset;
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === 0x08) {
      result = zigzag32(r.uint32(end));
    } else if (tag === 0x10) {
      r.varint64(end);
      pushExpCount(v, positive, r.hi * TWO_POW_32 + r.lo);
    } else if (tag === 0x12) {
      const packedEnd = r.payloadEnd(end);
      while (r.pos < packedEnd) {
        r.varint64(packedEnd);
        pushExpCount(v, positive, r.hi * TWO_POW_32 + r.lo);
      }
    } else {
      r.skip(tag, end);
    }
  }
  return result;
}

function pushExpCount(v: DataPointViewFast, positive: boolean, count: number): void {
  if (positive) v.pushBucketCount(count);
  else v.pushNegativeCount(count);
}

/** sint32 from the low 32 bits of its varint. */
function zigzag32(n: number): number {
  return (n >>> 1) ^ -(n & 1);
}
