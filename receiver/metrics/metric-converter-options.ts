// Configuration of metric point → event conversion: threshold rules (DESIGN.md "Converting telemetry to events"),
// their defaults, and checks that name the bad key. Everything is checked once at start, never per point.
//
//   processors.convert.metrics.thresholds: [ … ]   →  parseMetricThresholdRules(raw, 'processors.convert.metrics.thresholds')
//   MetricConverterOptionsInput (receivers)        →  createMetricConverterOptions(input, 'grpc.metricConverter')
//
// Comparison semantics (inclusive on both sides, so a value exactly at the threshold fires):
//   above: X   fires when the statistic ≥ X
//   below: Y   fires when the statistic ≤ Y
//   both       fires when either holds (outside the band)

import { describeValue, isPlainObject, parseEventType, parseSeverity, ReceiverOptionError } from '../option-checks.js';
import { type Severity } from '../../engine/index.js';

export const METRIC_STATISTICS = ['value', 'p50', 'p90', 'p95', 'p99', 'mean', 'max'] as const;
/**
 * What a rule compares. Gauge and sum points have one value, which every statistic reads. Histogram points
 * (explicit and exponential): `p50`…`p99` interpolated linearly inside the bucket that holds the rank, `mean` =
 * sum / count, `max` = the point's max (else the upper bound of the highest non-empty bucket); `value` means `mean`.
 */
export type MetricStatistic = (typeof METRIC_STATISTICS)[number];

export interface MetricThresholdRule {
  /** Metric name, compared exactly (as bytes). */
  metric: string;
  /** Fires when the statistic ≥ this. At least one of above / below is set. */
  above?: number;
  /** Fires when the statistic ≤ this. */
  below?: number;
  event_type: string;
  /** Default `medium`. */
  severity: Severity;
  /** The point's attributes must hold these values (compared as text), null: must not have it; default none. */
  attributes: Record<string, string | null>;
  /** Default `value`. */
  statistic: MetricStatistic;
  /** The statistic is multiplied by this before comparing and reporting (e.g. 1000 for s → ms). Default 1. */
  unit_scale: number;
}

/**
 * Filesystems whose fullness is no incident, for the rules watching `system.filesystem.*` metrics: hostmetrics
 * reports a snap (squashfs), a mounted ISO image and every read-only mount at utilization 1.0 forever, and nothing
 * will ever be written to them. A point is skipped when its filesystem type (`system.filesystem.type`, or the
 * Collector's `type`) is one of `types`, or its mount mode (`system.filesystem.mode`, or `mode`) one of `modes`.
 */
export interface IgnoredFilesystems {
  /** Default: the read-only-by-design types (DEFAULT_IGNORED_FILESYSTEMS). */
  types: string[];
  /** Default `[ro]`: read-only mounts. */
  modes: string[];
}

/** Filesystem types that are read-only by design: compressed images (snaps, AppImages, live media) and optical media. */
export const DEFAULT_IGNORED_FILESYSTEMS: Readonly<{ types: readonly string[]; modes: readonly string[] }> = Object.freeze({
  types: Object.freeze(['squashfs', 'iso9660', 'udf', 'erofs', 'cramfs', 'romfs']),
  modes: Object.freeze(['ro']),
});

/** Metrics the ignored filesystems apply to: the filesystem scraper's, and rules written over them. */
export const FILESYSTEM_METRIC_PREFIX = 'system.filesystem.';
/** Most entries in one ignore list; the longest name in one. */
export const MAX_IGNORED_FILESYSTEMS = 64;
export const MAX_FILESYSTEM_NAME_LENGTH = 64;

export interface MetricConverterOptions {
  /** The rules in force; a configured list replaces the defaults (DEFAULT_METRIC_THRESHOLD_RULES) entirely. */
  thresholds: MetricThresholdRule[];
  /** Filesystems the `system.filesystem.*` rules never fire for. */
  ignoredFilesystems: IgnoredFilesystems;
  /**
   * Cumulative histogram series remembered for differencing (least recently seen dropped first). A series'
   * first cumulative point only primes it. Default 10,000.
   */
  maxSeries: number;
}

export interface MetricConverterOptionsInput {
  /** Rule objects as in YAML (snake_case keys); validated by parseMetricThresholdRules. */
  thresholds?: unknown;
  maxSeries?: number;
  /** `{ types, modes }`, each a list of names replacing its default; validated by parseIgnoredFilesystems. */
  ignoredFilesystems?: unknown;
}

export const DEFAULT_MAX_SERIES = 10_000;
export const MAX_MAX_SERIES = 10_000_000;
/** Longest metric name a rule may watch (names are compared as bytes). */
export const MAX_METRIC_NAME_LENGTH = 255;
export const MAX_RULE_ATTRIBUTES = 16;
/** Rules in one configuration: each is evaluated per point of its metric. */
export const MAX_THRESHOLD_RULES = 1000;

/**
 * The defaults. Memory utilization is watched for the `used` state only (hostmetrics and the JS host-metrics
 * package report every state, and 95 % *free* is no incident), under both attribute names in use; a point with no
 * state attribute at all (an app reporting one utilization figure) is the used share.
 */
export const DEFAULT_METRIC_THRESHOLD_RULES: readonly Readonly<MetricThresholdRule>[] = Object.freeze([
  rule('system.memory.utilization', 0.9, 'memory_high', 'critical', 'value', { 'system.memory.state': 'used' }),
  rule('system.memory.utilization', 0.9, 'memory_high', 'critical', 'value', { state: 'used' }),
  rule('system.memory.utilization', 0.9, 'memory_high', 'critical', 'value', { 'system.memory.state': null, state: null }),
  rule('system.filesystem.utilization', 0.9, 'disk_space_low', 'high', 'value'),
  // Semantic conventions ≥ 1.23: seconds.
  rule('http.server.request.duration', 1, 'slow_request', 'medium', 'p99'),
  // The older name, in milliseconds (still what many instrumentations emit).
  rule('http.server.duration', 1000, 'slow_request', 'medium', 'p99'),
]);

function rule(
  metric: string,
  above: number,
  eventType: string,
  severity: Severity,
  statistic: MetricStatistic,
  attributes: Record<string, string | null> = {},
): MetricThresholdRule {
  return { metric, above, event_type: eventType, severity, attributes, statistic, unit_scale: 1 };
}

export function createDefaultMetricConverterOptions(): MetricConverterOptions {
  return {
    thresholds: DEFAULT_METRIC_THRESHOLD_RULES.map((entry) => ({ ...entry, attributes: { ...entry.attributes } })),
    maxSeries: DEFAULT_MAX_SERIES,
    ignoredFilesystems: { types: [...DEFAULT_IGNORED_FILESYSTEMS.types], modes: [...DEFAULT_IGNORED_FILESYSTEMS.modes] },
  };
}

/** Defaults merged with `input`, validated; throws ReceiverOptionError naming `<path>.<key>`. */
export function createMetricConverterOptions(
  input: MetricConverterOptionsInput = {},
  path = 'metrics',
): MetricConverterOptions {
  if (!isPlainObject(input)) throw new ReceiverOptionError(path, `must be a mapping, got ${describeValue(input)}`);
  const options = createDefaultMetricConverterOptions();
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(options, key)) throw new ReceiverOptionError(`${path}.${key}`, 'unknown option');
  }
  if (input.thresholds !== undefined) options.thresholds = parseMetricThresholdRules(input.thresholds, `${path}.thresholds`);
  if (input.maxSeries !== undefined) options.maxSeries = parseMaxSeries(input.maxSeries, `${path}.maxSeries`);
  if (input.ignoredFilesystems !== undefined) {
    options.ignoredFilesystems = parseIgnoredFilesystems(input.ignoredFilesystems, `${path}.ignoredFilesystems`);
  }
  return options;
}

/**
 * The YAML check for the ignored filesystems: `{ types: [...], modes: [...] }`, each optional (a list left out keeps
 * its default; an empty list ignores nothing on that count).
 */
export function parseIgnoredFilesystems(raw: unknown, path: string): IgnoredFilesystems {
  if (!isPlainObject(raw)) throw new ReceiverOptionError(path, `must be a mapping with types and modes, got ${describeValue(raw)}`);
  for (const key of Object.keys(raw)) {
    if (key !== 'types' && key !== 'modes') throw new ReceiverOptionError(`${path}.${key}`, 'unknown key (known here: types, modes)');
  }
  return {
    types: raw.types === undefined ? [...DEFAULT_IGNORED_FILESYSTEMS.types] : parseNameList(raw.types, `${path}.types`),
    modes: raw.modes === undefined ? [...DEFAULT_IGNORED_FILESYSTEMS.modes] : parseNameList(raw.modes, `${path}.modes`),
  };
}

function parseNameList(raw: unknown, path: string): string[] {
  if (raw === null) return [];
  if (!Array.isArray(raw)) throw new ReceiverOptionError(path, `must be a list of names, got ${describeValue(raw)}`);
  if (raw.length > MAX_IGNORED_FILESYSTEMS) {
    throw new ReceiverOptionError(path, `must hold at most ${MAX_IGNORED_FILESYSTEMS} names, got ${raw.length}`);
  }
  return raw.map((name, index) => {
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_FILESYSTEM_NAME_LENGTH) {
      throw new ReceiverOptionError(`${path}[${index}]`, `must be a name of 1 to ${MAX_FILESYSTEM_NAME_LENGTH} characters, got ${describeValue(name)}`);
    }
    return name;
  });
}

/** The YAML check for a series bound: a whole number 1 – 10,000,000. */
export function parseMaxSeries(raw: unknown, path: string): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > MAX_MAX_SERIES) {
    throw new ReceiverOptionError(path, `must be a whole number from 1 to ${MAX_MAX_SERIES}, got ${describeValue(raw)}`);
  }
  return raw;
}

const RULE_KEYS = new Set(['metric', 'above', 'below', 'event_type', 'severity', 'attributes', 'statistic', 'unit_scale']);

/**
 * The YAML check for `thresholds`: a list of rule objects (snake_case keys, as in MetricThresholdRule, with
 * `severity`, `attributes`, `statistic` and `unit_scale` optional). Throws ReceiverOptionError naming the first bad
 * key, e.g. `processors.convert.metrics.thresholds[1].above: must be a number, got "high"`.
 */
export function parseMetricThresholdRules(raw: unknown, path: string): MetricThresholdRule[] {
  if (!Array.isArray(raw)) throw new ReceiverOptionError(path, `must be a list of threshold rules, got ${describeValue(raw)}`);
  if (raw.length > MAX_THRESHOLD_RULES) {
    throw new ReceiverOptionError(path, `must hold at most ${MAX_THRESHOLD_RULES} rules, got ${raw.length}`);
  }
  return raw.map((entry, index) => parseMetricThresholdRule(entry, `${path}[${index}]`));
}

export function parseMetricThresholdRule(raw: unknown, path: string): MetricThresholdRule {
  if (!isPlainObject(raw)) throw new ReceiverOptionError(path, `must be a mapping, got ${describeValue(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!RULE_KEYS.has(key)) {
      throw new ReceiverOptionError(`${path}.${key}`, `unknown key (known here: ${[...RULE_KEYS].join(', ')})`);
    }
  }
  const metric = raw.metric;
  if (typeof metric !== 'string' || metric.length === 0 || metric.length > MAX_METRIC_NAME_LENGTH) {
    throw new ReceiverOptionError(
      `${path}.metric`,
      `must be a metric name of 1 to ${MAX_METRIC_NAME_LENGTH} characters, got ${describeValue(metric)}`,
    );
  }
  const above = optionalNumber(raw.above, `${path}.above`);
  const below = optionalNumber(raw.below, `${path}.below`);
  if (above === undefined && below === undefined) {
    throw new ReceiverOptionError(path, 'needs a threshold: set above (fires at ≥) or below (fires at ≤)');
  }
  const parsed: MetricThresholdRule = {
    metric,
    event_type: parseEventType(raw.event_type, `${path}.event_type`),
    severity: raw.severity === undefined ? 'medium' : parseSeverity(raw.severity, `${path}.severity`),
    attributes: parseAttributes(raw.attributes, `${path}.attributes`),
    statistic: parseStatistic(raw.statistic, `${path}.statistic`),
    unit_scale: 1,
  };
  if (above !== undefined) parsed.above = above;
  if (below !== undefined) parsed.below = below;
  if (raw.unit_scale !== undefined) {
    const scale = raw.unit_scale;
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
      throw new ReceiverOptionError(`${path}.unit_scale`, `must be a number above 0, got ${describeValue(scale)}`);
    }
    parsed.unit_scale = scale;
  }
  return parsed;
}

function optionalNumber(raw: unknown, path: string): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    throw new ReceiverOptionError(path, `must be a number, got ${describeValue(raw)}`);
  }
  return raw;
}

function parseStatistic(raw: unknown, path: string): MetricStatistic {
  if (raw === undefined) return 'value';
  const lower = typeof raw === 'string' ? raw.toLowerCase() : '';
  if (!(METRIC_STATISTICS as readonly string[]).includes(lower)) {
    throw new ReceiverOptionError(path, `must be one of ${METRIC_STATISTICS.join(', ')}, got ${describeValue(raw)}`);
  }
  return lower as MetricStatistic;
}

/**
 * Attribute values may be written as numbers or booleans in YAML (`status: 500`); they compare as text. `null`
 * (YAML `~` or nothing) means the point must not carry the attribute.
 */
function parseAttributes(raw: unknown, path: string): Record<string, string | null> {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw new ReceiverOptionError(path, `must be a mapping of attribute → value, got ${describeValue(raw)}`);
  const entries = Object.entries(raw);
  if (entries.length > MAX_RULE_ATTRIBUTES) {
    throw new ReceiverOptionError(path, `must hold at most ${MAX_RULE_ATTRIBUTES} attributes, got ${entries.length}`);
  }
  const out: Record<string, string | null> = {};
  for (const [key, value] of entries) {
    if (key.length === 0) throw new ReceiverOptionError(path, 'attribute names must not be empty');
    if (typeof value === 'string' || value === null) out[key] = value;
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') out[key] = String(value);
    else throw new ReceiverOptionError(`${path}.${key}`, `must be a string, number or boolean (or null: absent), got ${describeValue(value)}`);
  }
  return out;
}
