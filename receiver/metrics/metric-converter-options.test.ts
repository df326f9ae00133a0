import { describe, expect, it } from 'vitest';
import { ReceiverOptionError } from '../option-checks.js';
import {
  createDefaultMetricConverterOptions,
  createMetricConverterOptions,
  DEFAULT_METRIC_THRESHOLD_RULES,
  type MetricConverterOptionsInput,
  parseIgnoredFilesystems,
  parseMetricThresholdRules,
} from './metric-converter-options.js';

const PATH = 'processors.convert.metrics.thresholds';

function errorOf(run: () => unknown): ReceiverOptionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ReceiverOptionError);
    return error as ReceiverOptionError;
  }
  throw new Error('expected a ReceiverOptionError');
}

describe('metric threshold rules', () => {
  it('defaults: memory (used, or no state) ≥ 0.9, filesystem ≥ 0.9, request duration p99 ≥ 1 s (and ≥ 1000 ms, older name)', () => {
    expect(createDefaultMetricConverterOptions().maxSeries).toBe(10_000);
    expect(DEFAULT_METRIC_THRESHOLD_RULES.map((rule) => [rule.metric, rule.statistic, rule.above, rule.event_type, rule.severity])).toEqual([
      ['system.memory.utilization', 'value', 0.9, 'memory_high', 'critical'],
      ['system.memory.utilization', 'value', 0.9, 'memory_high', 'critical'],
      ['system.memory.utilization', 'value', 0.9, 'memory_high', 'critical'],
      ['system.filesystem.utilization', 'value', 0.9, 'disk_space_low', 'high'],
      ['http.server.request.duration', 'p99', 1, 'slow_request', 'medium'],
      ['http.server.duration', 'p99', 1000, 'slow_request', 'medium'],
    ]);
  });

  it('fills optional keys and keeps both thresholds when given', () => {
    expect(
      parseMetricThresholdRules(
        [{ metric: 'queue.depth', below: 1, above: 1000, event_type: 'queue_trouble', severity: 'HIGH', attributes: { queue: 'orders', shard: 3 }, statistic: 'P95', unit_scale: 0.001 }],
        PATH,
      ),
    ).toEqual([
      { metric: 'queue.depth', below: 1, above: 1000, event_type: 'queue_trouble', severity: 'high', attributes: { queue: 'orders', shard: '3' }, statistic: 'p95', unit_scale: 0.001 },
    ]);
    expect(parseMetricThresholdRules([{ metric: 'm', above: 0, event_type: 'e' }], PATH)[0]).toEqual({
      metric: 'm',
      above: 0,
      event_type: 'e',
      severity: 'medium',
      attributes: {},
      statistic: 'value',
      unit_scale: 1,
    });
  });

  it('a configured list replaces the defaults', () => {
    expect(createMetricConverterOptions({ thresholds: [] }).thresholds).toEqual([]);
    expect(createMetricConverterOptions({ maxSeries: 5 })).toMatchObject({ maxSeries: 5, thresholds: expect.arrayContaining([]) });
  });

  it.each([
    ['not a list', { metric: 'm' }, PATH, 'must be a list of threshold rules, got a mapping'],
    ['a string rule', ['m'], `${PATH}[0]`, 'must be a mapping, got "m"'],
    ['no metric', [{ above: 1, event_type: 'e' }], `${PATH}[0].metric`, 'must be a metric name of 1 to 255 characters, got nothing'],
    ['a text threshold', [{ metric: 'm', above: 1, event_type: 'e' }, { metric: 'm', above: 'high', event_type: 'e' }], `${PATH}[1].above`, 'must be a number, got "high"'],
    ['no threshold', [{ metric: 'm', event_type: 'e' }], `${PATH}[0]`, 'needs a threshold: set above (fires at ≥) or below (fires at ≤)'],
    ['no event type', [{ metric: 'm', above: 1 }], `${PATH}[0].event_type`, 'must be a non-empty string of at most 64 characters, got nothing'],
    ['a bad severity', [{ metric: 'm', above: 1, event_type: 'e', severity: 'urgent' }], `${PATH}[0].severity`, 'must be one of info, low, medium, high, critical, got "urgent"'],
    ['a bad statistic', [{ metric: 'm', above: 1, event_type: 'e', statistic: 'p42' }], `${PATH}[0].statistic`, 'must be one of value, p50, p90, p95, p99, mean, max, got "p42"'],
    ['a zero scale', [{ metric: 'm', above: 1, event_type: 'e', unit_scale: 0 }], `${PATH}[0].unit_scale`, 'must be a number above 0, got 0'],
    ['a list of attributes', [{ metric: 'm', above: 1, event_type: 'e', attributes: ['a'] }], `${PATH}[0].attributes`, 'must be a mapping of attribute → value, got a list'],
    ['a nested attribute', [{ metric: 'm', above: 1, event_type: 'e', attributes: { a: { b: 1 } } }], `${PATH}[0].attributes.a`, 'must be a string, number or boolean (or null: absent), got a mapping'],
    ['an unknown key', [{ metric: 'm', above: 1, event_type: 'e', window: 5 }], `${PATH}[0].window`, 'unknown key (known here: metric, above, below, event_type, severity, attributes, statistic, unit_scale)'],
    ['an infinite threshold', [{ metric: 'm', below: Number.POSITIVE_INFINITY, event_type: 'e' }], `${PATH}[0].below`, 'must be a number, got Infinity'],
  ])('refuses %s, naming the key', (_what, raw, path, detail) => {
    const error = errorOf(() => parseMetricThresholdRules(raw, PATH));
    expect(error.path).toBe(path);
    expect(error.detail).toBe(detail);
    expect(error.message).toBe(`${path}: ${detail}`);
  });

  it.each([
    [{ maxSeries: 0 }, 'grpc.metricConverter.maxSeries: must be a whole number from 1 to 10000000, got 0'],
    [{ thresholds: [{ metric: 'm', above: null, event_type: 'e' }] }, 'grpc.metricConverter.thresholds[0]: needs a threshold'],
    [{ series: 1 }, 'grpc.metricConverter.series: unknown option'],
  ])('createMetricConverterOptions refuses %o under its path', (input, message) => {
    expect(() => createMetricConverterOptions(input as MetricConverterOptionsInput, 'grpc.metricConverter')).toThrow(message);
  });
});

describe('ignored filesystems', () => {
  const IGNORE = 'processors.convert.metrics.ignore_filesystems';

  it('defaults to the read-only-by-design types and read-only mounts; a list left out keeps its default', () => {
    expect(createDefaultMetricConverterOptions().ignoredFilesystems).toEqual({
      types: ['squashfs', 'iso9660', 'udf', 'erofs', 'cramfs', 'romfs'],
      modes: ['ro'],
    });
    expect(parseIgnoredFilesystems({ types: ['nfs4'] }, IGNORE)).toEqual({ types: ['nfs4'], modes: ['ro'] });
    expect(parseIgnoredFilesystems({ types: [], modes: null }, IGNORE)).toEqual({ types: [], modes: [] });
  });

  it.each([
    ['a list', ['squashfs'], IGNORE, 'must be a mapping with types and modes, got a list'],
    ['an unknown key', { mounts: ['/snap'] }, `${IGNORE}.mounts`, 'unknown key (known here: types, modes)'],
    ['a bare name', { types: 'squashfs' }, `${IGNORE}.types`, 'must be a list of names, got "squashfs"'],
    ['an empty name', { modes: ['ro', ''] }, `${IGNORE}.modes[1]`, 'must be a name of 1 to 64 characters, got ""'],
    ['too many names', { types: Array.from({ length: 65 }, (_, i) => `fs${i}`) }, `${IGNORE}.types`, 'must hold at most 64 names, got 65'],
  ])('refuses %s, naming the key', (_what, raw, path, detail) => {
    const error = errorOf(() => parseIgnoredFilesystems(raw, IGNORE));
    expect(error.path).toBe(path);
    expect(error.detail).toBe(detail);
  });
});
