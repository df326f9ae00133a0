import { describe, expect, it } from 'vitest';
import type { EventDraft } from '../../engine/types.js';
import { encodeWith, otlpTypes } from '../../test/helpers/receiver/otlp-oracle.js';
import { type AttributeValue, attributes, nanos } from '../../test/helpers/receiver/trace-fixtures.js';
import { decodeMetricsRequest } from './decode-metrics.js';
import { createMetricConverter, type MetricConverter } from './metric-converter.js';
import { createMetricConverterOptions } from './metric-converter-options.js';

const types = otlpTypes();
const T0 = 1_700_000_000_000;
const CUMULATIVE = 2;
const DELTA = 1;

interface RequestInput {
  metrics: Record<string, unknown>[];
  resource?: Record<string, AttributeValue>;
}

function request({ metrics, resource = { 'service.name': 'web' } }: RequestInput): Buffer {
  return encodeWith(types.MetricsRequest, {
    resourceMetrics: [{ resource: { attributes: attributes(resource) }, scopeMetrics: [{ scope: { name: 't' }, metrics }] }],
  });
}

function converterWith(thresholds?: unknown[], maxSeries?: number): MetricConverter {
  const input: Record<string, unknown> = {};
  if (thresholds !== undefined) input.thresholds = thresholds;
  if (maxSeries !== undefined) input.maxSeries = maxSeries;
  return createMetricConverter(createMetricConverterOptions(input));
}

function run(converter: MetricConverter, input: RequestInput): EventDraft[] {
  return decodeMetricsRequest(request(input), converter).drafts;
}

const gauge = (name: string, points: Record<string, unknown>[]) => ({ name, unit: '1', gauge: { dataPoints: points } });
const point = (value: number, attrs: Record<string, AttributeValue> = {}, ms = T0) => ({
  timeUnixNano: nanos(ms),
  asDouble: value,
  attributes: attributes(attrs),
});

interface HistogramPointInput {
  counts: number[];
  bounds?: number[];
  ms?: number;
  startMs?: number;
  sum?: number;
  min?: number;
  max?: number;
  attrs?: Record<string, AttributeValue>;
}

const BOUNDS = [0.1, 0.5, 1, 2.5];
function histogram(name: string, temporality: number, points: HistogramPointInput[]) {
  return {
    name,
    unit: 's',
    histogram: {
      aggregationTemporality: temporality,
      dataPoints: points.map((p) => {
        const out: Record<string, unknown> = {
          startTimeUnixNano: nanos(p.startMs ?? T0 - 60_000),
          timeUnixNano: nanos(p.ms ?? T0),
          count: String(p.counts.reduce((a, b) => a + b, 0)),
          bucketCounts: p.counts.map(String),
          explicitBounds: p.bounds ?? BOUNDS,
          attributes: attributes(p.attrs ?? { 'http.route': '/a' }),
        };
        if (p.sum !== undefined) out.sum = p.sum;
        if (p.min !== undefined) out.min = p.min;
        if (p.max !== undefined) out.max = p.max;
        return out;
      }),
    },
  };
}

const SLOW = [0, 0, 0, 0, 10];
const FAST = [10, 0, 0, 0, 0];
const latency = (temporality: number, points: HistogramPointInput[]) => ({ metrics: [histogram('http.server.request.duration', temporality, points)] });

describe('metric points → events (gauges and sums)', () => {
  it('fires `above` at exactly the threshold (≥), not below it', () => {
    const converter = createMetricConverter();
    const drafts = run(converter, {
      metrics: [
        gauge('system.memory.utilization', [point(0.9, { 'system.memory.state': 'used' }), point(0.8999, { 'system.memory.state': 'used' })]),
      ],
    });
    expect(drafts).toEqual([
      {
        timestamp: T0,
        event_type: 'memory_high',
        source: 'web',
        severity: 'critical',
        message: 'system.memory.utilization 0.9 ≥ 0.9 (system.memory.state=used)',
        metadata: {
          metric: 'system.memory.utilization',
          statistic: 'value',
          value: 0.9,
          threshold: 0.9,
          comparison: 'above',
          unit: '1',
          'system.memory.state': 'used',
        },
        correlation_id: '',
        span_id: '',
      },
    ]);
  });

  it('watches used memory only: 95 % free is no incident', () => {
    const drafts = run(createMetricConverter(), {
      metrics: [
        gauge('system.memory.utilization', [
          point(0.95, { state: 'free' }),
          point(0.95, { 'system.memory.state': 'free' }),
          point(0.95, { 'system.memory.state': 'cached', 'host.arch': 'amd64' }),
        ]),
      ],
    });
    expect(drafts).toEqual([]);
  });

  it('reads a memory point without a state attribute as the used share, once', () => {
    const drafts = run(createMetricConverter(), {
      metrics: [gauge('system.memory.utilization', [point(0.95), point(0.91, { 'host.arch': 'amd64' }), point(0.5)])],
    });
    expect(drafts.map((draft) => [draft.event_type, draft.metadata.value])).toEqual([
      ['memory_high', 0.95],
      ['memory_high', 0.91],
    ]);
  });

  it('an attribute filter of null requires the attribute to be absent', () => {
    const converter = converterWith([{ metric: 'pool.use', above: 1, event_type: 'pool_full', attributes: { pool: 'main', shard: null } }]);
    const drafts = run(converter, {
      metrics: [gauge('pool.use', [point(2, { pool: 'main' }), point(2, { pool: 'main', shard: '1' }), point(2, { shard: '1' }), point(2)])],
    });
    expect(drafts.map((draft) => draft.message)).toEqual(['pool.use 2 ≥ 1 (pool=main)']);
  });

  it('fires `below` at exactly the threshold (≤), and either side of a band', () => {
    const converter = converterWith([{ metric: 'pool.free', below: 2, above: 90, event_type: 'pool_trouble' }]);
    const drafts = run(converter, { metrics: [gauge('pool.free', [point(2), point(2.01), point(90), point(50)])] });
    expect(drafts.map((draft) => [draft.metadata.comparison, draft.metadata.value, draft.message])).toEqual([
      ['below', 2, 'pool.free 2 ≤ 2'],
      ['above', 90, 'pool.free 90 ≥ 90'],
    ]);
  });

  it('evaluates sums by value, int and double, and scales units', () => {
    const converter = converterWith([{ metric: 'queue.bytes', above: 2, event_type: 'queue_big', unit_scale: 1 / 1024, severity: 'high' }]);
    const drafts = run(converter, {
      metrics: [
        {
          name: 'queue.bytes',
          unit: 'By',
          sum: { aggregationTemporality: CUMULATIVE, dataPoints: [{ timeUnixNano: nanos(T0), asInt: 4096 }, { timeUnixNano: nanos(T0), asInt: 1024 }] },
        },
      ],
    });
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({ event_type: 'queue_big', severity: 'high', message: 'queue.bytes 4 ≥ 2' });
    expect(drafts[0]!.metadata).toMatchObject({ value: 4, unit: 'By', unit_scale: 1 / 1024 });
  });

  it('matches rule attributes as text, all of them, the last duplicate winning', () => {
    const converter = converterWith([{ metric: 'errors', above: 1, event_type: 'e', attributes: { code: 500, route: '/a' } }]);
    const drafts = run(converter, {
      metrics: [
        gauge('errors', [
          point(5, { code: 500, route: '/a' }),
          point(5, { code: '500', route: '/a', extra: 'x' }),
          point(5, { code: 500 }),
          point(5, { code: 404, route: '/a' }),
        ]),
      ],
    });
    expect(drafts).toHaveLength(2);
    const dup = encodeWith(types.MetricsRequest, {
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'errors', gauge: { dataPoints: [{ asDouble: 5, attributes: [...attributes({ code: 500, route: '/a' }), ...attributes({ code: 404 })] }] } }] }] }],
    });
    expect(decodeMetricsRequest(dup, converter).drafts).toEqual([]);
  });

  it('skips points flagged as having no recorded value, and summaries', () => {
    const converter = converterWith([{ metric: 'm', above: 0, event_type: 'e' }]);
    const drafts = run(converter, {
      metrics: [
        gauge('m', [{ ...point(5), flags: 1 }, { timeUnixNano: nanos(T0) }]),
        { name: 'm', summary: { dataPoints: [{ timeUnixNano: nanos(T0), count: '1', sum: 5 }] } },
      ],
    });
    expect(drafts).toEqual([]);
  });

  it('matches metric names exactly (as bytes), non-ASCII included', () => {
    const converter = converterWith([
      { metric: 'temp.°c', above: 30, event_type: 'hot' },
      { metric: 'cpu.load', above: 1, event_type: 'busy' },
    ]);
    const drafts = run(converter, {
      metrics: [gauge('temp.°c', [point(31)]), gauge('temp.°f', [point(99)]), gauge('cpu.loaD', [point(5)]), gauge('cpu.load', [point(5)])],
    });
    expect(drafts.map((draft) => draft.event_type)).toEqual(['hot', 'busy']);
  });

  it('carries free_ratio on filesystem utilization events', () => {
    const drafts = run(createMetricConverter(), {
      metrics: [gauge('system.filesystem.utilization', [point(0.97, { 'system.device': '/dev/sda1', 'system.filesystem.mountpoint': '/' })])],
    });
    expect(drafts[0]).toMatchObject({ event_type: 'disk_space_low', severity: 'high' });
    expect(drafts[0]!.metadata).toMatchObject({ free_ratio: 0.03, 'system.device': '/dev/sda1' });
  });

  it('never fires for filesystems full by design: snaps, images, read-only mounts (both attribute namings)', () => {
    // prepare: hostmetrics' own names (type, mode) and the semantic conventions' (system.filesystem.*)
    const full = (attrs: Record<string, AttributeValue>) => point(1, attrs);
    const metrics = [
      gauge('system.filesystem.utilization', [
        full({ device: '/dev/loop0', mountpoint: '/snap/core22/1380', type: 'squashfs', mode: 'ro' }),
        full({ 'system.device': '/dev/sr0', 'system.filesystem.type': 'iso9660', 'system.filesystem.mode': 'ro' }),
        full({ 'system.device': '/dev/sdb1', 'system.filesystem.type': 'ext4', 'system.filesystem.mode': 'ro' }),
        full({ device: '/dev/loop3', type: 'erofs', mode: 'rw' }),
        full({ device: '/dev/sda1', mountpoint: '/', type: 'ext4', mode: 'rw' }),
        full({ 'system.device': '/dev/sda2', 'system.filesystem.type': 'xfs', 'system.filesystem.mode': 'rw' }),
        full({ 'system.device': '/dev/sda3' }),
      ]),
      gauge('system.memory.utilization', [full({ type: 'squashfs', mode: 'ro' })]),
    ];

    // act
    const drafts = run(createMetricConverter(), { metrics });

    // verify: the writable disks, and memory (the ignore list is for filesystem metrics only)
    expect(drafts.map((d) => [d.event_type, d.metadata['device'] ?? d.metadata['system.device'] ?? '-'])).toEqual([
      ['disk_space_low', '/dev/sda1'],
      ['disk_space_low', '/dev/sda2'],
      ['disk_space_low', '/dev/sda3'],
      ['memory_high', '-'],
    ]);
  });

  it('ignores the filesystems configured, and none with empty lists', () => {
    // prepare
    const metrics = [
      gauge('system.filesystem.utilization', [
        point(1, { type: 'squashfs', mode: 'ro', device: 'snap' }),
        point(1, { type: 'nfs4', mode: 'rw', device: 'share' }),
      ]),
    ];
    const devices = (input: unknown) =>
      run(createMetricConverter(createMetricConverterOptions({ ignoredFilesystems: input })), { metrics }).map((d) => d.metadata['device']);

    // act + verify
    expect(devices({ types: ['nfs4'] })).toEqual([]); // nfs4 by type, the snap by its ro mode (modes kept their default)
    expect(devices({ types: ['nfs4'], modes: [] })).toEqual(['snap']);
    expect(devices({ types: [], modes: [] })).toEqual(['snap', 'share']);
  });

  it('takes the source from the resource, else the point’s service.name or host.name, else the resource’s host.name', () => {
    const converter = converterWith([{ metric: 'm', above: 0, event_type: 'e' }]);
    const sources = [
      run(converter, { resource: { 'service.name': 'svc', 'host.name': 'h' }, metrics: [gauge('m', [point(1, { 'service.name': 'p' })])] }),
      run(converter, { resource: {}, metrics: [gauge('m', [point(1, { 'service.name': 'point-svc', 'host.name': 'point-host' })])] }),
      run(converter, { resource: {}, metrics: [gauge('m', [point(1, { 'host.name': 'point-host' })])] }),
      run(converter, { resource: { 'host.name': 'node-1' }, metrics: [gauge('m', [point(1)])] }),
      run(converter, { resource: {}, metrics: [gauge('m', [point(1)])] }),
    ].map((drafts) => drafts[0]!.source);
    expect(sources).toEqual(['svc', 'point-svc', 'point-host', 'node-1', 'unknown_service']);
  });
});

describe('metric points → events (histograms)', () => {
  it('evaluates DELTA points directly', () => {
    const converter = createMetricConverter();
    const drafts = run(converter, latency(DELTA, [{ counts: SLOW, max: 4 }, { counts: FAST }]));
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({ event_type: 'slow_request', severity: 'medium', source: 'web' });
    expect(drafts[0]!.message).toBe('http.server.request.duration p99 3.985 ≥ 1 (http.route=/a)');
    expect(drafts[0]!.metadata).toMatchObject({ statistic: 'p99', count: 10, unit: 's', threshold: 1 });
  });

  it('primes a CUMULATIVE series with its first point, then evaluates the difference', () => {
    const converter = createMetricConverter();
    expect(run(converter, latency(CUMULATIVE, [{ counts: SLOW, ms: T0 }]))).toEqual([]);
    // 10 more fast requests, no more slow ones: the window is fast even though the lifetime p99 is slow.
    expect(run(converter, latency(CUMULATIVE, [{ counts: [10, 0, 0, 0, 10], ms: T0 + 10_000 }]))).toEqual([]);
    // 10 slow ones since.
    const drafts = run(converter, latency(CUMULATIVE, [{ counts: [10, 0, 0, 0, 20], ms: T0 + 20_000 }]));
    expect(drafts.map((draft) => [draft.timestamp, draft.metadata.count])).toEqual([[T0 + 20_000, 10]]);
  });

  it('reproduces the same events for a retried export, and ignores points older than the last', () => {
    const converter = createMetricConverter();
    run(converter, latency(CUMULATIVE, [{ counts: FAST, ms: T0 }]));
    const first = run(converter, latency(CUMULATIVE, [{ counts: [10, 0, 0, 0, 10], ms: T0 + 10_000 }]));
    const retried = run(converter, latency(CUMULATIVE, [{ counts: [10, 0, 0, 0, 10], ms: T0 + 10_000 }]));
    expect(first).toHaveLength(1);
    expect(retried).toEqual(first);
    expect(run(converter, latency(CUMULATIVE, [{ counts: [10, 0, 0, 0, 5], ms: T0 + 5_000 }]))).toEqual([]);
    // Time moves on: the window is relative to the last point (no new slow requests).
    expect(run(converter, latency(CUMULATIVE, [{ counts: [20, 0, 0, 0, 10], ms: T0 + 20_000 }]))).toEqual([]);
  });

  it('treats a moved start time or a count that went down as a reset, and a new layout as a new series', () => {
    const converter = createMetricConverter();
    run(converter, latency(CUMULATIVE, [{ counts: [50, 0, 0, 0, 50], ms: T0 }]));
    // Restarted process: new start time, counts since then are the window.
    const restarted = run(converter, latency(CUMULATIVE, [{ counts: SLOW, ms: T0 + 10_000, startMs: T0 + 5_000 }]));
    expect(restarted.map((draft) => draft.metadata.count)).toEqual([10]);
    // Counts going down without a new start time: a reset as well.
    const dropped = run(converter, latency(CUMULATIVE, [{ counts: [0, 0, 0, 0, 4], ms: T0 + 20_000, startMs: T0 + 5_000 }]));
    expect(dropped.map((draft) => draft.metadata.count)).toEqual([4]);
    // Different bucket bounds: primes again.
    expect(run(converter, latency(CUMULATIVE, [{ counts: [0, 0, 99], bounds: [1, 2], ms: T0 + 30_000 }]))).toEqual([]);
    expect(run(converter, latency(CUMULATIVE, [{ counts: [0, 0, 199], bounds: [1, 2], ms: T0 + 40_000 }]))).toHaveLength(1);
  });

  it('keeps one series per metric, resource and point attributes (in any order)', () => {
    const converter = createMetricConverter();
    const at = (ms: number, counts: number[], attrs: Record<string, AttributeValue>, service = 'web') =>
      run(converter, { resource: { 'service.name': service }, metrics: [histogram('http.server.request.duration', CUMULATIVE, [{ counts, ms, attrs }])] });
    at(T0, FAST, { route: '/a', method: 'GET' });
    at(T0, FAST, { route: '/b', method: 'GET' });
    at(T0, FAST, { route: '/a', method: 'GET' }, 'other');
    expect(converter.seriesCount()).toBe(3);
    // Attribute order differs: same series, so this is a window (10 slow since) rather than a prime.
    expect(at(T0 + 10_000, [10, 0, 0, 0, 10], { method: 'GET', route: '/a' })).toHaveLength(1);
    expect(converter.seriesCount()).toBe(3);
  });

  it('forgets the least recently seen series beyond maxSeries', () => {
    const converter = converterWith([{ metric: 'd', above: 1, statistic: 'p99', event_type: 'slow' }], 2);
    const at = (ms: number, counts: number[], route: string) =>
      run(converter, { metrics: [histogram('d', CUMULATIVE, [{ counts, ms, attrs: { route } }])] });
    at(T0, FAST, '/a');
    at(T0, FAST, '/b');
    at(T0 + 1, FAST, '/a'); // touch /a: /b is now the oldest
    at(T0, FAST, '/c'); // evicts /b
    expect(converter.seriesCount()).toBe(2);
    expect(at(T0 + 10_000, [10, 0, 0, 0, 10], '/a')).toHaveLength(1);
    expect(at(T0 + 10_000, [10, 0, 0, 0, 10], '/b')).toEqual([]); // primed anew
  });

  it('computes mean (= value) and max statistics', () => {
    const converter = converterWith([
      { metric: 'd', above: 0.2, statistic: 'mean', event_type: 'mean_high' },
      { metric: 'd', above: 0.2, event_type: 'value_high' },
      { metric: 'd', above: 3, statistic: 'max', event_type: 'max_high' },
    ]);
    const drafts = run(converter, { metrics: [histogram('d', DELTA, [{ counts: [5, 5, 0, 0, 0], sum: 2.5, max: 3.5 }])] });
    expect(drafts.map((draft) => [draft.event_type, draft.metadata.statistic, draft.metadata.value])).toEqual([
      ['mean_high', 'mean', 0.25],
      ['value_high', 'mean', 0.25],
      ['max_high', 'max', 3.5],
    ]);
  });

  it('converts the older http.server.duration in milliseconds', () => {
    const drafts = run(createMetricConverter(), {
      metrics: [histogram('http.server.duration', DELTA, [{ counts: [0, 0, 10], bounds: [500, 1000], max: 2000 }])],
    });
    expect(drafts.map((draft) => [draft.event_type, draft.message])).toEqual([
      ['slow_request', 'http.server.duration p99 1990 ≥ 1000 (http.route=/a)'],
    ]);
  });

  it('evaluates exponential histograms, DELTA and CUMULATIVE (buckets aligned by index as the offset moves)', () => {
    const converter = converterWith([{ metric: 'x', above: 3, statistic: 'p99', event_type: 'slow' }]);
    const expPoint = (ms: number, offset: number, counts: number[], temporality: number) => ({
      metrics: [
        {
          name: 'x',
          exponentialHistogram: {
            aggregationTemporality: temporality,
            dataPoints: [{ startTimeUnixNano: nanos(T0 - 1000), timeUnixNano: nanos(ms), scale: 0, count: String(counts.reduce((a, b) => a + b, 0)), positive: { offset, bucketCounts: counts.map(String) } }],
          },
        },
      ],
    });
    // DELTA: bucket index 2 = (4, 8]
    expect(run(converter, expPoint(T0, 2, [4], DELTA)).map((draft) => draft.metadata.value)).toEqual([7.96]);
    // CUMULATIVE: prime with buckets (1,2] ×10; then the offset moves down to 0 and (4,8] gains 5.
    expect(run(converter, expPoint(T0, 0, [0, 10], CUMULATIVE))).toEqual([]);
    const drafts = run(converter, expPoint(T0 + 10_000, -1, [3, 0, 10, 0, 5], CUMULATIVE));
    expect(drafts.map((draft) => draft.metadata.count)).toEqual([8]);
    expect(drafts[0]!.metadata.value as number).toBeGreaterThan(7.9);
  });
});
