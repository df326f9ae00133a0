// Metric data point → EventDraft through threshold rules (metric-converter-options.ts), built so that the common
// case costs nothing:
//
//   selectMetric(point)   once per metric: its name compared as bytes with the watched names (KeyTable) → rules
//                         or none. Points of unwatched metrics are only counted by the scanner.
//   convertPoint(point)   per point of a watched metric: attribute filters compared as bytes; gauge/sum value, or
//                         the histogram window's statistic (a DELTA point as is, a CUMULATIVE one minus the series'
//                         previous point, histogram-series.ts); compare. Allocation-free unless a threshold is crossed
//                         (or a series is seen for the first time).
//   toDraft               only for crossings: decode names and attributes, build message and metadata.
//
// Series identity for cumulative histograms: metric name, kind, the whole resource (every attribute, not only
// service.name, so two instances of one service do not corrupt each other's windows) and the point's attributes
// (order-independent), hashed to 53 bits without decoding a string. Two distinct series colliding is a ~n²/2^54 event.

import { createEventStrings, MAX_MESSAGE_LENGTH, MAX_METADATA_KEY_LENGTH, MAX_METADATA_VALUE_LENGTH, MetadataBuilder } from '../event-metadata.js';
import { nanosToMs } from '../trace/span-view.js';
import { anyValueString, anyValueStringEquals, UNKNOWN_SERVICE } from '../wire/any-value.js';
import { anyValueMetadata } from '../wire/any-value-text.js';
import { KeyTable } from '../wire/key-table.js';
import type { ProtoReader } from '../wire/proto-reader.js';
import { bytesEqual, truncateChars, utf8Bounded } from '../wire/utf8.js';
import { explicitMax, explicitQuantile, exponentialMax, exponentialQuantile } from './histogram-statistics.js';
import { BucketSnapshot, SeriesStore, WINDOW_READY } from './histogram-series.js';
import {
  createDefaultMetricConverterOptions,
  FILESYSTEM_METRIC_PREFIX,
  type IgnoredFilesystems,
  type MetricConverterOptions,
  type MetricStatistic,
  type MetricThresholdRule,
} from './metric-converter-options.js';
import {
  type DataPointViewFast,
  METRIC_KIND_EXPONENTIAL_HISTOGRAM,
  METRIC_KIND_GAUGE,
  METRIC_KIND_HISTOGRAM,
  METRIC_KIND_SUM,
  type MetricResourceViewFast,
  POINT_FLAG_NO_RECORDED_VALUE,
  POINT_VALUE_NONE,
  TEMPORALITY_DELTA,
} from './metrics-scanner.js';
import { type EventDraft } from '../../engine/index.js';

const STAT_VALUE = 0;
const STAT_QUANTILE = 1;
const STAT_MEAN = 2;
const STAT_MAX = 3;

const QUANTILES: Readonly<Record<string, number>> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

/** Attribute text shown in an event message, e.g. ` (state=used, device=sda1)`, at most this long. */
const MAX_MESSAGE_ATTRIBUTES_LENGTH = 200;
/** Attributes of a point looked at when filtering, hashing or describing it; the rest are ignored. */
export const MAX_POINT_ATTRIBUTES_SCANNED = 128;
const MAX_METRIC_NAME_CHARS = 255;
const MAX_UNIT_CHARS = 64;
/** Significant digits of values printed in messages. */
const MESSAGE_PRECISION = 6;
/** free_ratio is rounded to this many decimals (0.050000000000000044 helps nobody). */
const RATIO_DECIMALS = 1e9;

const SERVICE_NAME_KEY = Buffer.from('service.name');
const HOST_NAME_KEY = Buffer.from('host.name');

const HASH_SEED_A = 0x9747b28c;
const HASH_SEED_B = 0x1b873593;
/** 2^32, and the top 21 bits of the first hash lane shifted into a 53-bit key. */
const TWO_POW_32 = 4294967296;

interface CompiledRule {
  readonly rule: MetricThresholdRule;
  readonly statistic: number;
  readonly quantile: number;
  readonly above: number;
  readonly below: number;
  readonly unitScale: number;
  readonly filterKeys: readonly Uint8Array[];
  /** The value each filter key must hold; null where the key must be absent. */
  readonly filterValues: readonly (string | null)[];
  readonly filterValueBytes: readonly Uint8Array[];
  /** Bit k set: filter key k must be absent (satisfied until the point shows it). */
  readonly absentMask: number;
  /** The rule watches a filesystem utilization: its events carry `free_ratio` (the engine escalates on < 5 %). */
  readonly freeRatio: boolean;
  /** Attribute keys that exclude a point when they hold one of `excludeValues` (the ignored filesystems). */
  readonly excludeKeys: readonly Uint8Array[];
  readonly excludeValues: readonly (readonly Uint8Array[])[];
}

export interface MetricConverter {
  readonly options: MetricConverterOptions;
  /** A new ResourceMetrics begins (resets what the converter cached about the previous one). */
  resource(resource: MetricResourceViewFast): void;
  /** Whether a rule watches the metric now in `point` (name and kind set); remembers its rules for the points. */
  selectMetric(point: DataPointViewFast): boolean;
  /** Evaluates one point of the selected metric, pushing an event per crossed threshold onto `drafts`. */
  convertPoint(point: DataPointViewFast, resource: MetricResourceViewFast, drafts: EventDraft[]): void;
  /** Cumulative histogram series remembered now. */
  seriesCount(): number;
}

export function createMetricConverter(options: MetricConverterOptions = createDefaultMetricConverterOptions()): MetricConverter {
  return new ThresholdMetricConverter(options);
}

class ThresholdMetricConverter implements MetricConverter {
  readonly options: MetricConverterOptions;
  private readonly names: KeyTable;
  private readonly rulesByName: readonly (readonly CompiledRule[])[];
  private readonly series: SeriesStore;
  /** Rules of the metric being scanned (set by selectMetric). */
  private current: readonly CompiledRule[] = [];
  /** Which of `current` the point's attributes satisfy (reused per point). */
  private readonly matched: Uint8Array;
  /** One copy of each repeated event string (event-metadata.ts). */
  private readonly strings = createEventStrings();
  /** The two hash lanes of hashPair (reused). */
  private readonly pair = new Uint32Array(2);
  /** The histogram window being evaluated (reused). */
  private readonly window = new BucketSnapshot();
  private resourceHashA = 0;
  private resourceHashB = 0;
  private resourceHashed = false;
  /** Hash of the selected metric's name and kind, computed for its first cumulative histogram point. */
  private nameHashA = 0;
  private nameHashB = 0;
  private nameHashed = false;

  constructor(options: MetricConverterOptions) {
    this.options = options;
    const names: string[] = [];
    const groups: CompiledRule[][] = [];
    for (const rule of options.thresholds) {
      let id = names.indexOf(rule.metric);
      if (id === -1) {
        id = names.length;
        names.push(rule.metric);
        groups.push([]);
      }
      groups[id]!.push(compileRule(rule, options.ignoredFilesystems));
    }
    this.names = new KeyTable(names);
    this.rulesByName = groups;
    this.series = new SeriesStore(options.maxSeries);
    this.matched = new Uint8Array(Math.max(1, ...groups.map((group) => group.length)));
  }

  resource(): void {
    this.resourceHashed = false;
  }

  selectMetric(point: DataPointViewFast): boolean {
    const kind = point.kind;
    if (
      kind !== METRIC_KIND_GAUGE &&
      kind !== METRIC_KIND_SUM &&
      kind !== METRIC_KIND_HISTOGRAM &&
      kind !== METRIC_KIND_EXPONENTIAL_HISTOGRAM
    ) {
      return false;
    }
    const id = this.names.match(point.buf, point.metricNamePos, point.metricNameLen);
    if (id === -1) return false;
    this.current = this.rulesByName[id]!;
    this.nameHashed = false;
    return true;
  }

  seriesCount(): number {
    return this.series.size;
  }

  convertPoint(point: DataPointViewFast, resource: MetricResourceViewFast, drafts: EventDraft[]): void {
    if (!point.detailed || (point.flags & POINT_FLAG_NO_RECORDED_VALUE) !== 0) return;
    const rules = this.current;
    // The rules of one metric share its exclusions (compileRule: they follow the metric's name), so a point on an
    // ignored filesystem is judged once, not once per rule.
    const first = rules[0];
    if (first !== undefined && first.excludeKeys.length > 0 && excluded(point, first)) return;
    const matched = this.matched;
    let any = false;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      const ok = attributesMatch(point, rule);
      matched[i] = ok ? 1 : 0;
      if (ok) any = true;
    }
    if (!any) return;

    const kind = point.kind;
    if (kind === METRIC_KIND_GAUGE || kind === METRIC_KIND_SUM) {
      if (point.valueKind === POINT_VALUE_NONE) return;
      for (let i = 0; i < rules.length; i++) {
        if (matched[i] === 0) continue;
        const rule = rules[i]!;
        const value = point.value * rule.unitScale;
        const crossed = crossing(rule, value);
        if (crossed !== 0) drafts.push(this.toDraft(point, resource, rule, value, crossed, 'value', -1));
      }
      return;
    }

    // Histograms: the window to evaluate.
    if (point.bucketsOverflow) return;
    const window = this.window;
    const delta = point.temporality === TEMPORALITY_DELTA;
    if (delta) {
      window.copyFrom(point);
    } else if (this.series.window(this.seriesKey(point, resource), point, window) !== WINDOW_READY) {
      // Unspecified temporality is treated as cumulative: priming first never mistakes a lifetime for a window.
      return;
    }
    const exponential = kind === METRIC_KIND_EXPONENTIAL_HISTOGRAM;
    const min = point.hasMin ? point.min : Number.NaN;
    const max = point.hasMax ? point.max : Number.NaN;
    for (let i = 0; i < rules.length; i++) {
      if (matched[i] === 0) continue;
      const rule = rules[i]!;
      let statistic: number;
      switch (rule.statistic) {
        case STAT_QUANTILE:
          statistic = exponential
            ? exponentialQuantile(rule.quantile, window.scale, window.zeroCount, point.zeroThreshold, window.positiveOffset, window.positive, window.positiveLen, window.negativeOffset, window.negative, window.negativeLen, min, max)
            : explicitQuantile(rule.quantile, window.positive, window.positiveLen, window.bounds, window.boundLen, min, max);
          break;
        case STAT_MAX:
          statistic = exponential
            ? exponentialMax(window.scale, window.zeroCount, point.zeroThreshold, window.positiveOffset, window.positive, window.positiveLen, window.negativeOffset, window.negative, window.negativeLen, max, delta)
            : explicitMax(window.positive, window.positiveLen, window.bounds, window.boundLen, max, delta);
          break;
        default: {
          // mean (and `value`, which means the mean on a histogram)
          const count = windowCount(window);
          statistic = window.hasSum && count > 0 ? window.sum / count : Number.NaN;
        }
      }
      if (Number.isNaN(statistic)) continue;
      const value = statistic * rule.unitScale;
      const crossed = crossing(rule, value);
      if (crossed !== 0) {
        const label = rule.statistic === STAT_VALUE ? 'mean' : rule.rule.statistic;
        drafts.push(this.toDraft(point, resource, rule, value, crossed, label, windowCount(window)));
      }
    }
  }

  /** 53-bit identity of the point's series (see the header). */
  private seriesKey(point: DataPointViewFast, resource: MetricResourceViewFast): number {
    if (!this.resourceHashed) {
      this.resourceHashed = true;
      this.resourceHashA = 0;
      this.resourceHashB = 0;
      if (resource.start !== -1) {
        // Resource: 1 attributes LEN (KeyValue), summed so that their order does not matter.
        const r = point.values;
        r.pos = resource.start;
        while (r.pos < resource.end) {
          const tag = r.uint32(resource.end);
          if (tag !== 0x0a) {
            r.skip(tag, resource.end);
            continue;
          }
          const kvEnd = r.payloadEnd(resource.end);
          this.resourceHashA = (this.resourceHashA + hashBytes(point.buf, r.pos, kvEnd - r.pos, HASH_SEED_A)) >>> 0;
          this.resourceHashB = (this.resourceHashB + hashBytes(point.buf, r.pos, kvEnd - r.pos, HASH_SEED_B)) >>> 0;
          r.pos = kvEnd;
        }
      }
    }
    let attributesA = 0;
    let attributesB = 0;
    const r = point.values;
    const end = point.end;
    const attributesTag = point.attributesTag;
    let seen = 0;
    r.pos = point.start;
    while (r.pos < end && seen < MAX_POINT_ATTRIBUTES_SCANNED) {
      const tag = r.uint32(end);
      if (tag !== attributesTag) {
        r.skip(tag, end);
        continue;
      }
      seen++;
      const kvEnd = r.payloadEnd(end);
      hashPair(point.buf, r.pos, kvEnd - r.pos, this.pair);
      attributesA = (attributesA + this.pair[0]!) >>> 0;
      attributesB = (attributesB + this.pair[1]!) >>> 0;
      r.pos = kvEnd;
    }
    if (!this.nameHashed) {
      this.nameHashed = true;
      this.nameHashA = hashBytes(point.buf, point.metricNamePos, point.metricNameLen, HASH_SEED_A ^ point.kind);
      this.nameHashB = hashBytes(point.buf, point.metricNamePos, point.metricNameLen, HASH_SEED_B ^ point.kind);
    }
    const a = mix(this.nameHashA ^ mix(this.resourceHashA ^ mix(attributesA)));
    const b = mix(this.nameHashB ^ mix(this.resourceHashB ^ mix(attributesB + 1)));
    return (a >>> 11) * TWO_POW_32 + b;
  }

  private toDraft(
    point: DataPointViewFast,
    resource: MetricResourceViewFast,
    rule: CompiledRule,
    value: number,
    crossed: number,
    statistic: string,
    count: number,
  ): EventDraft {
    const metric = point.metricName(MAX_METRIC_NAME_CHARS);
    const threshold = crossed > 0 ? rule.above : rule.below;
    const strings = this.strings;
    const meta = new MetadataBuilder(strings);
    meta.putName('metric', metric);
    meta.putName('statistic', statistic);
    meta.put('value', value);
    meta.put('threshold', threshold);
    meta.putName('comparison', crossed > 0 ? 'above' : 'below');
    if (point.metricUnitLen !== 0) meta.putName('unit', point.metricUnit(MAX_UNIT_CHARS));
    if (rule.unitScale !== 1) meta.put('unit_scale', rule.unitScale);
    if (count >= 0) meta.put('count', count);
    if (rule.freeRatio && rule.unitScale === 1) meta.put('free_ratio', Math.round((1 - value) * RATIO_DECIMALS) / RATIO_DECIMALS);
    const attributesText = describeAttributes(point, meta);

    const source =
      resource.serviceName ??
      pointAttribute(point, SERVICE_NAME_KEY) ??
      pointAttribute(point, HOST_NAME_KEY) ??
      resourceAttribute(point.values, resource, HOST_NAME_KEY) ??
      UNKNOWN_SERVICE;
    const label = statistic === 'value' ? '' : ` ${statistic}`;
    const message = `${metric}${label} ${formatNumber(value)} ${crossed > 0 ? '≥' : '≤'} ${formatNumber(threshold)}${attributesText}`;
    return {
      timestamp: nanosToMs(point.timeLo, point.timeHi),
      event_type: rule.rule.event_type,
      source: strings.intern(source),
      severity: rule.rule.severity,
      message: truncateChars(message, MAX_MESSAGE_LENGTH),
      metadata: meta.metadata,
      correlation_id: '',
      span_id: '',
    };
  }
}

/** Where a filesystem's type and mount mode are found: the semantic conventions' names, then hostmetrics' own. */
const FILESYSTEM_TYPE_KEYS = ['system.filesystem.type', 'type'];
const FILESYSTEM_MODE_KEYS = ['system.filesystem.mode', 'mode'];

function compileRule(rule: MetricThresholdRule, ignored: IgnoredFilesystems): CompiledRule {
  const statistic = statisticCode(rule.statistic);
  const filterKeys = Object.keys(rule.attributes);
  const excludeKeys: Uint8Array[] = [];
  const excludeValues: Uint8Array[][] = [];
  if (rule.metric.startsWith(FILESYSTEM_METRIC_PREFIX)) {
    const exclude = (keys: readonly string[], values: readonly string[]) => {
      if (values.length === 0) return;
      for (const key of keys) {
        excludeKeys.push(Buffer.from(key, 'utf8'));
        excludeValues.push(values.map((value) => Buffer.from(value, 'utf8')));
      }
    };
    exclude(FILESYSTEM_TYPE_KEYS, ignored.types);
    exclude(FILESYSTEM_MODE_KEYS, ignored.modes);
  }
  return {
    rule,
    statistic,
    quantile: QUANTILES[rule.statistic] ?? 0,
    above: rule.above ?? Number.NaN,
    below: rule.below ?? Number.NaN,
    unitScale: rule.unit_scale,
    filterKeys: filterKeys.map((key) => Buffer.from(key, 'utf8')),
    filterValues: filterKeys.map((key) => rule.attributes[key]!),
    filterValueBytes: filterKeys.map((key) => Buffer.from(rule.attributes[key] ?? '', 'utf8')),
    absentMask: filterKeys.reduce((mask, key, k) => (rule.attributes[key] === null ? mask | (1 << k) : mask), 0),
    freeRatio: rule.metric.endsWith('filesystem.utilization'),
    excludeKeys,
    excludeValues,
  };
}

/**
 * Whether one of the point's attributes under an exclude key holds one of its values (compared as bytes): a
 * filesystem that is full by design. Only the first MAX_POINT_ATTRIBUTES_SCANNED attributes are looked at.
 */
function excluded(point: DataPointViewFast, rule: CompiledRule): boolean {
  const keys = rule.excludeKeys;
  const r = point.values;
  const buf = point.buf;
  const end = point.end;
  const attributesTag = point.attributesTag;
  let seen = 0;
  r.pos = point.start;
  while (seen < MAX_POINT_ATTRIBUTES_SCANNED) {
    const kvEnd = r.nextKeyValue(attributesTag, end);
    if (kvEnd === -1) break;
    seen++;
    const keyPos = r.kvKeyPos;
    const keyLen = r.kvKeyLen;
    const valueStart = r.kvValueStart;
    const valueEnd = r.kvValueEnd;
    if (keyPos !== -1 && valueStart !== -1) {
      for (let k = 0; k < keys.length; k++) {
        if (!bytesEqual(buf, keyPos, keyLen, keys[k]!)) continue;
        const values = rule.excludeValues[k]!;
        for (let v = 0; v < values.length; v++) {
          if (anyValueStringEquals(r, valueStart, valueEnd, values[v]!)) return true;
        }
      }
    }
    r.pos = kvEnd;
  }
  return false;
}

function statisticCode(statistic: MetricStatistic): number {
  switch (statistic) {
    case 'value':
      return STAT_VALUE;
    case 'mean':
      return STAT_MEAN;
    case 'max':
      return STAT_MAX;
    default:
      return STAT_QUANTILE;
  }
}

/** 1 when `value` ≥ above, -1 when `value` ≤ below, else 0 (NaN thresholds never fire). */
function crossing(rule: CompiledRule, value: number): number {
  if (value >= rule.above) return 1;
  if (value <= rule.below) return -1;
  return 0;
}

function windowCount(window: BucketSnapshot): number {
  let total = window.zeroCount > 0 ? window.zeroCount : 0;
  for (let i = 0; i < window.positiveLen; i++) total += window.positive[i]!;
  for (let i = 0; i < window.negativeLen; i++) total += window.negative[i]!;
  return total;
}

/**
 * Whether the point's attributes hold every value the rule asks for (the last of duplicate keys wins), and none of
 * the keys it wants absent. String values are compared as bytes; other kinds (an int `status_code: 500`) by their
 * text. Only the first MAX_POINT_ATTRIBUTES_SCANNED attributes are looked at.
 */
function attributesMatch(point: DataPointViewFast, rule: CompiledRule): boolean {
  const keys = rule.filterKeys;
  if (keys.length === 0) return true;
  const r = point.values;
  const buf = point.buf;
  const end = point.end;
  const attributesTag = point.attributesTag;
  const absent = rule.absentMask;
  let satisfied = absent;
  let seen = 0;
  r.pos = point.start;
  while (seen < MAX_POINT_ATTRIBUTES_SCANNED) {
    const kvEnd = r.nextKeyValue(attributesTag, end);
    if (kvEnd === -1) break;
    seen++;
    const keyPos = r.kvKeyPos;
    const keyLen = r.kvKeyLen;
    const valueStart = r.kvValueStart;
    const valueEnd = r.kvValueEnd;
    if (keyPos !== -1) {
      for (let k = 0; k < keys.length; k++) {
        if (!bytesEqual(buf, keyPos, keyLen, keys[k]!)) continue;
        if ((absent & (1 << k)) !== 0) {
          satisfied &= ~(1 << k);
          continue;
        }
        const equal =
          valueStart !== -1 &&
          (anyValueStringEquals(r, valueStart, valueEnd, rule.filterValueBytes[k]!) ||
            anyValueString(r, valueStart, valueEnd, MAX_METADATA_VALUE_LENGTH) === rule.filterValues[k]);
        if (equal) satisfied |= 1 << k;
        else satisfied &= ~(1 << k);
      }
    }
    r.pos = kvEnd;
  }
  return satisfied === (1 << keys.length) - 1;
}

/** Copies the point's attributes into `meta` (bounded) and returns them as ` (k=v, …)` for the message. */
function describeAttributes(point: DataPointViewFast, meta: MetadataBuilder): string {
  const r = point.values;
  const buf = point.buf;
  const end = point.end;
  const attributesTag = point.attributesTag;
  let text = '';
  let seen = 0;
  r.pos = point.start;
  while (seen < MAX_POINT_ATTRIBUTES_SCANNED) {
    const kvEnd = r.nextKeyValue(attributesTag, end);
    if (kvEnd === -1) break;
    seen++;
    const keyPos = r.kvKeyPos;
    const keyLen = r.kvKeyLen;
    const valueStart = r.kvValueStart;
    const valueEnd = r.kvValueEnd;
    if (keyPos !== -1 && valueStart !== -1 && keyLen > 0 && keyLen <= MAX_METADATA_KEY_LENGTH) {
      const key = utf8Bounded(buf, keyPos, keyLen, MAX_METADATA_KEY_LENGTH);
      const value = anyValueMetadata(r, valueStart, valueEnd, MAX_METADATA_VALUE_LENGTH);
      if (value !== null) {
        meta.putIfAbsent(key, value);
        if (text.length < MAX_MESSAGE_ATTRIBUTES_LENGTH) text += `${text === '' ? '' : ', '}${key}=${String(value)}`;
      }
    }
    r.pos = kvEnd;
  }
  if (text === '') return '';
  return ` (${truncateChars(text, MAX_MESSAGE_ATTRIBUTES_LENGTH)})`;
}

/** A string attribute of the point, or null. */
function pointAttribute(point: DataPointViewFast, key: Uint8Array): string | null {
  return findString(point.values, point.start, point.end, point.attributesTag, key);
}

function resourceAttribute(r: ProtoReader, resource: MetricResourceViewFast, key: Uint8Array): string | null {
  if (resource.start === -1) return null;
  return findString(r, resource.start, resource.end, 0x0a, key);
}

/** The value of the last KeyValue named `key` among the `attributesTag` fields of [start, end) as text; null when empty. */
function findString(r: ProtoReader, start: number, end: number, attributesTag: number, key: Uint8Array): string | null {
  let found: string | null = null;
  r.pos = start;
  for (let kvEnd = r.nextKeyValue(attributesTag, end); kvEnd !== -1; kvEnd = r.nextKeyValue(attributesTag, end)) {
    const keyMatches = r.kvKeyPos !== -1 && bytesEqual(r.buf, r.kvKeyPos, r.kvKeyLen, key);
    const valueStart = r.kvValueStart;
    const valueEnd = r.kvValueEnd;
    if (keyMatches) {
      // The last of duplicate keys wins, as in a map built from the list; an empty or non-scalar value is none.
      const text = valueStart === -1 ? null : anyValueString(r, valueStart, valueEnd, MAX_METADATA_VALUE_LENGTH);
      found = text === '' ? null : text;
    }
    r.pos = kvEnd;
  }
  return found;
}

function formatNumber(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(MESSAGE_PRECISION)));
}

/** A 32-bit hash of `buf[pos, pos + len)` (multiply-xorshift per byte; not cryptographic, just well mixed). */
function hashBytes(buf: Uint8Array, pos: number, len: number, seed: number): number {
  let h = (seed ^ len) >>> 0;
  for (let i = pos; i < pos + len; i++) {
    h = Math.imul(h ^ buf[i]!, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return mix(h);
}

/** hashBytes with both seeds in one pass over the bytes, into `out[0]`, `out[1]`. */
function hashPair(buf: Uint8Array, pos: number, len: number, out: Uint32Array): void {
  let a = (HASH_SEED_A ^ len) >>> 0;
  let b = (HASH_SEED_B ^ len) >>> 0;
  for (let i = pos; i < pos + len; i++) {
    const byte = buf[i]!;
    a = Math.imul(a ^ byte, 0x5bd1e995);
    a ^= a >>> 15;
    b = Math.imul(b ^ byte, 0x5bd1e995);
    b ^= b >>> 15;
  }
  out[0] = mix(a);
  out[1] = mix(b);
}

/** murmur3's 32-bit finaliser. */
function mix(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
