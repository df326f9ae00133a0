// Property tests for metric decoding and threshold conversion: (1) no byte string makes decodeMetricsRequest throw
// anything but DecodeError, with every metric watched (so every point is scanned in detail); (2) on random valid
// requests and random rules, our drafts equal a plain re-statement of the rules (metric-converter.ts) over
// protobufjs' decoding of the same bytes (statistics themselves come from histogram-statistics.ts, table-tested
// on their own); (3) a CUMULATIVE pair yields exactly what its difference yields as a DELTA point.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventDraft, Metadata, MetadataValue } from '../../engine/types.js';
import { realisticMetricsRequest } from '../../test/helpers/receiver/logs-metrics-fixtures.js';
import { decodeWith, encodeWith, otlpTypes } from '../../test/helpers/receiver/otlp-oracle.js';
import { DecodeError } from '../wire/decode-error.js';
import { truncateChars } from '../wire/utf8.js';
import { decodeMetricsRequest } from './decode-metrics.js';
import { explicitMax, explicitQuantile, exponentialMax, exponentialQuantile } from './histogram-statistics.js';
import { createMetricConverter, type MetricConverter } from './metric-converter.js';
import { createMetricConverterOptions, type MetricThresholdRule, parseMetricThresholdRules } from './metric-converter-options.js';

const types = otlpTypes();
const NAMES = ['system.memory.utilization', 'system.filesystem.utilization', 'latency', 'queue', 'other'];

function converterFor(rules: MetricThresholdRule[]): MetricConverter {
  return createMetricConverter(createMetricConverterOptions({ thresholds: rules }));
}

describe('decodeMetricsRequest on arbitrary input', () => {
  const watchEverything = parseMetricThresholdRules(
    ['system.memory.utilization', 'system.cpu.time', 'http.server.request.duration', 'db.client.operation.duration', 'http.server.active_requests'].map(
      (metric) => ({ metric, above: 0, event_type: 'e', statistic: 'p50' }),
    ),
    'test',
  );
  const valid = encodeWith(types.MetricsRequest, realisticMetricsRequest({ tick: 2, hot: true }));

  it('mutated valid requests decode or throw DecodeError', () => {
    const converter = converterFor(watchEverything);
    const mutation = fc.oneof(
      fc.nat({ max: valid.length }).map((cut) => valid.subarray(0, cut)),
      fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
        const copy = Buffer.from(valid);
        copy[at] = byte;
        return copy;
      }),
      fc.tuple(fc.nat({ max: valid.length }), fc.uint8Array({ minLength: 1, maxLength: 12 })).map(([at, bytes]) =>
        Buffer.concat([valid.subarray(0, at), bytes, valid.subarray(at)]),
      ),
    );
    fc.assert(
      fc.property(mutation, (bytes) => {
        try {
          decodeMetricsRequest(bytes, converter);
        } catch (error) {
          if (!(error instanceof DecodeError)) throw error;
        }
      }),
      { numRuns: 1500 },
    );
  });
});

// ── Generated requests and rules ─────────────────────────────────────────────────────────────────────────────────

const scalarArb = fc.oneof(
  fc.constantFrom('used', 'free', 'svc-a', 'host-1', '').map((stringValue) => ({ stringValue })),
  fc.integer({ min: -3, max: 500 }).map((intValue) => ({ intValue })),
  fc.constantFrom(0.5, 2.25).map((doubleValue) => ({ doubleValue })),
  fc.boolean().map((boolValue) => ({ boolValue })),
);
const attributesArb = fc.array(fc.tuple(fc.constantFrom('state', 'service.name', 'host.name', 'route', 'code'), scalarArb), { maxLength: 4 });
const timeArb = fc.oneof(fc.constant(0n), fc.bigInt({ min: 1_600_000_000_000_000_000n, max: 1_800_000_000_000_000_000n }));
const valueArb = fc.oneof(fc.constantFrom(0, 0.5, 0.9, 1, 2, 1000, -1), fc.double({ min: -10, max: 10, noNaN: true }));

const numberPointArb = fc.record({
  timeUnixNano: timeArb,
  value: fc.oneof(
    valueArb.map((asDouble) => ({ asDouble })),
    fc.integer({ min: -5, max: 2000 }).map((asInt) => ({ asInt })),
    fc.constant({}),
  ),
  attributes: attributesArb,
  flags: fc.constantFrom(0, 0, 0, 1),
});

const histogramPointArb = fc
  .record({
    timeUnixNano: timeArb,
    bounds: fc.subarray([0.1, 0.5, 1, 2.5, 10]),
    counts: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 7 }),
    sum: fc.option(fc.double({ min: 0, max: 50, noNaN: true })),
    min: fc.option(fc.constantFrom(0.01, 0.3, 3)),
    max: fc.option(fc.constantFrom(0.2, 1.5, 12)),
    attributes: attributesArb,
  })
  .map((p) => ({ ...p, counts: p.counts.length === 0 ? [] : p.counts.slice(0, p.bounds.length + 1).concat(Array(Math.max(0, p.bounds.length + 1 - p.counts.length)).fill(1)) }));

const bucketsArb = fc.record({ offset: fc.integer({ min: -4, max: 4 }), bucketCounts: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 5 }) });
const expPointArb = fc.record({
  timeUnixNano: timeArb,
  scale: fc.integer({ min: -2, max: 3 }),
  zeroCount: fc.integer({ min: 0, max: 3 }),
  zeroThreshold: fc.constantFrom(0, 0.001),
  positive: fc.option(bucketsArb),
  negative: fc.option(bucketsArb),
  sum: fc.option(fc.double({ min: -5, max: 50, noNaN: true })),
  max: fc.option(fc.constantFrom(0.2, 40)),
  attributes: attributesArb,
});

const metricArb = fc.oneof(
  fc.record({ name: fc.constantFrom(...NAMES), unit: fc.constantFrom('', '1', 's'), kind: fc.constantFrom('gauge', 'sum'), points: fc.array(numberPointArb, { maxLength: 4 }) }),
  fc.record({ name: fc.constantFrom(...NAMES), unit: fc.constantFrom('', 's'), kind: fc.constant('histogram'), points: fc.array(histogramPointArb, { maxLength: 3 }) }),
  fc.record({ name: fc.constantFrom(...NAMES), unit: fc.constant('s'), kind: fc.constant('exponentialHistogram'), points: fc.array(expPointArb, { maxLength: 3 }) }),
);

const ruleArb = fc.record({
  metric: fc.constantFrom(...NAMES),
  above: fc.option(fc.constantFrom(0, 0.5, 0.9, 1, 3)),
  below: fc.option(fc.constantFrom(-1, 0, 0.5)),
  event_type: fc.constantFrom('a', 'b'),
  severity: fc.constantFrom('low', 'high'),
  attributes: fc.constantFrom({}, { state: 'used' }, { code: '500' }, { state: 'used', route: 'true' }),
  statistic: fc.constantFrom('value', 'p50', 'p90', 'p99', 'mean', 'max'),
  unit_scale: fc.constantFrom(1, 1, 1000),
}).map((rule) => (rule.above === null && rule.below === null ? { ...rule, above: 0.9 } : rule));

const requestArb = fc.record({
  resource: fc.array(fc.tuple(fc.constantFrom('service.name', 'host.name'), scalarArb), { maxLength: 2 }),
  metrics: fc.array(metricArb, { maxLength: 5 }),
});

type RequestSample = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

function kvs(entries: [string, Record<string, unknown>][]) {
  return entries.map(([key, value]) => ({ key, value }));
}

function toRequestObject(sample: RequestSample): Record<string, unknown> {
  const metrics = sample.metrics.map((metric) => {
    const dataPoints = metric.points.map((p: Record<string, any>) => {
      if (metric.kind === 'gauge' || metric.kind === 'sum') {
        return { timeUnixNano: p.timeUnixNano.toString(), ...p.value, attributes: kvs(p.attributes), flags: p.flags };
      }
      const out: Record<string, unknown> = { timeUnixNano: p.timeUnixNano.toString(), attributes: kvs(p.attributes) };
      if (metric.kind === 'histogram') {
        out.bucketCounts = p.counts.map(String);
        out.explicitBounds = p.bounds;
        if (p.min !== null) out.min = p.min;
      } else {
        out.scale = p.scale;
        out.zeroCount = String(p.zeroCount);
        out.zeroThreshold = p.zeroThreshold;
        if (p.positive !== null) out.positive = { offset: p.positive.offset, bucketCounts: p.positive.bucketCounts.map(String) };
        if (p.negative !== null) out.negative = { offset: p.negative.offset, bucketCounts: p.negative.bucketCounts.map(String) };
      }
      if (p.sum !== null) out.sum = p.sum;
      if (p.max !== null) out.max = p.max;
      return out;
    });
    const data: Record<string, unknown> = { dataPoints };
    if (metric.kind !== 'gauge') data.aggregationTemporality = metric.kind === 'sum' ? 2 : 1;
    return { name: metric.name, unit: metric.unit, [metric.kind]: data };
  });
  return { resourceMetrics: [{ resource: { attributes: kvs(sample.resource) }, scopeMetrics: [{ metrics }] }] };
}

// ── The reference model, over protobufjs objects ─────────────────────────────────────────────────────────────────

type AnyObject = Record<string, unknown> & { value?: string };
type KeyValueObject = { key: string; value: AnyObject | null };

function scalarText(value: AnyObject | null | undefined): string | null {
  switch (value?.value) {
    case 'stringValue':
      return value.stringValue as string;
    case 'intValue':
      return String(Number(value.intValue));
    case 'doubleValue':
      return String(value.doubleValue);
    case 'boolValue':
      return value.boolValue ? 'true' : 'false';
    default:
      return null;
  }
}

function metadataValue(value: AnyObject | null): MetadataValue | null {
  switch (value?.value) {
    case 'boolValue':
      return value.boolValue as boolean;
    case 'intValue':
      return Number(value.intValue);
    case 'doubleValue':
      return value.doubleValue as number;
    default:
      return scalarText(value);
  }
}

const lastText = (attrs: KeyValueObject[], key: string) => {
  const found = attrs.filter((kv) => kv.key === key);
  const text = found.length === 0 ? null : scalarText(found.at(-1)!.value);
  return text === '' ? null : text;
};

function formatNumber(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

const f64 = (values: number[]) => Float64Array.from(values);

function referenceDrafts(decoded: Record<string, any>, rules: MetricThresholdRule[]): EventDraft[] {
  const drafts: EventDraft[] = [];
  for (const resourceMetrics of decoded.resourceMetrics) {
    const resourceAttrs: KeyValueObject[] = resourceMetrics.resource?.attributes ?? [];
    const serviceAttr = resourceAttrs.filter((kv) => kv.key === 'service.name').at(-1);
    const resourceService = serviceAttr?.value?.value === 'stringValue' && serviceAttr.value.stringValue !== '' ? (serviceAttr.value.stringValue as string) : null;
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        const kind = metric.data as string;
        if (kind === 'summary') continue;
        for (const point of metric[kind].dataPoints) {
          if ((point.flags ?? 0) & 1) continue;
          const attrs: KeyValueObject[] = point.attributes;
          for (const rule of rules.filter((r) => r.metric === metric.name)) {
            const matches = Object.entries(rule.attributes).every(([key, expected]) => {
              const last = attrs.filter((kv) => kv.key === key).at(-1);
              return last !== undefined && last.value !== null && scalarText(last.value) === expected;
            });
            if (!matches) continue;
            let statistic: number;
            let label = 'value';
            let count = -1;
            const max = point._max === 'max' ? (point.max as number) : Number.NaN;
            if (kind === 'gauge' || kind === 'sum') {
              if (point.value === undefined) continue;
              statistic = point.value === 'asDouble' ? point.asDouble : Number(point.asInt);
            } else {
              const min = point._min === 'min' ? (point.min as number) : Number.NaN;
              let counts: number[];
              const q = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 }[rule.statistic as string];
              label = rule.statistic === 'value' ? 'mean' : rule.statistic;
              if (kind === 'histogram') {
                counts = point.bucketCounts.map(Number);
                const bounds = point.explicitBounds as number[];
                statistic =
                  q !== undefined
                    ? explicitQuantile(q, f64(counts), counts.length, f64(bounds), bounds.length, min, max)
                    : rule.statistic === 'max'
                      ? explicitMax(f64(counts), counts.length, f64(bounds), bounds.length, max, true)
                      : Number.NaN;
              } else {
                const positive: number[] = (point.positive?.bucketCounts ?? []).map(Number);
                const negative: number[] = (point.negative?.bucketCounts ?? []).map(Number);
                const args = [Number(point.zeroCount), point.zeroThreshold, point.positive?.offset ?? 0, f64(positive), positive.length, point.negative?.offset ?? 0, f64(negative), negative.length] as const;
                statistic =
                  q !== undefined
                    ? exponentialQuantile(q, point.scale, ...args, min, max)
                    : rule.statistic === 'max'
                      ? exponentialMax(point.scale, ...args, max, true)
                      : Number.NaN;
                counts = [...positive, ...negative, Number(point.zeroCount)];
              }
              count = counts.reduce((a, b) => a + b, 0);
              if (rule.statistic === 'value' || rule.statistic === 'mean') {
                statistic = point._sum === 'sum' && count > 0 ? point.sum / count : Number.NaN;
              }
              if (Number.isNaN(statistic)) continue;
            }
            const value = statistic * rule.unit_scale;
            const crossed = rule.above !== undefined && value >= rule.above ? 1 : rule.below !== undefined && value <= rule.below ? -1 : 0;
            if (crossed === 0) continue;
            const threshold = crossed > 0 ? rule.above! : rule.below!;
            const metadata: Metadata = { metric: metric.name, statistic: label, value, threshold, comparison: crossed > 0 ? 'above' : 'below' };
            if (metric.unit !== '') metadata.unit = metric.unit;
            if (rule.unit_scale !== 1) metadata.unit_scale = rule.unit_scale;
            if (count >= 0) metadata.count = count;
            if (metric.name.endsWith('filesystem.utilization') && rule.unit_scale === 1) metadata.free_ratio = Math.round((1 - value) * 1e9) / 1e9;
            let text = '';
            for (const kv of attrs) {
              if (kv.value === null || kv.key === '' || kv.key === '__proto__') continue;
              const item = metadataValue(kv.value);
              if (item === null) continue;
              if (!Object.hasOwn(metadata, kv.key)) metadata[kv.key] = item;
              if (text.length < 200) text += `${text === '' ? '' : ', '}${kv.key}=${String(item)}`;
            }
            const source = resourceService ?? lastText(attrs, 'service.name') ?? lastText(attrs, 'host.name') ?? lastText(resourceAttrs, 'host.name') ?? 'unknown_service';
            drafts.push({
              timestamp: Number(BigInt(point.timeUnixNano) / 1_000_000n),
              event_type: rule.event_type,
              source,
              severity: rule.severity,
              message: `${metric.name}${label === 'value' ? '' : ` ${label}`} ${formatNumber(value)} ${crossed > 0 ? '≥' : '≤'} ${formatNumber(threshold)}${text === '' ? '' : ` (${truncateChars(text, 200)})`}`,
              metadata,
              correlation_id: '',
              span_id: '',
            });
          }
        }
      }
    }
  }
  return drafts;
}

describe('decodeMetricsRequest against protobufjs', () => {
  it('agrees on counts and on every threshold crossing (gauges, sums, DELTA histograms)', () => {
    fc.assert(
      fc.property(requestArb, fc.array(ruleArb, { maxLength: 5 }), (sample, rawRules) => {
        // prepare
        const rules = parseMetricThresholdRules(rawRules, 'test');
        const bytes = encodeWith(types.MetricsRequest, toRequestObject(sample));
        const decoded = decodeWith(types.MetricsRequest, bytes);
        const points = sample.metrics.reduce((sum, metric) => sum + metric.points.length, 0);
        // act
        const result = decodeMetricsRequest(bytes, converterFor(rules));
        // verify
        expect(result.dataPoints).toBe(points);
        expect(result.drafts).toEqual(referenceDrafts(decoded, rules));
      }),
      { numRuns: 500 },
    );
  });

  it('a CUMULATIVE pair yields what its difference yields as a DELTA point', () => {
    const bounds = [0.1, 0.5, 1, 2.5];
    const rules = parseMetricThresholdRules(
      ['p50', 'p90', 'p99', 'mean', 'max'].map((statistic) => ({ metric: 'd', above: 0, event_type: statistic, statistic })),
      'test',
    );
    const request = (temporality: number, counts: number[], sum: number, ms: number) =>
      encodeWith(types.MetricsRequest, {
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'd',
                    histogram: {
                      aggregationTemporality: temporality,
                      dataPoints: [{ startTimeUnixNano: '1', timeUnixNano: String(BigInt(ms) * 1_000_000n), bucketCounts: counts.map(String), explicitBounds: bounds, sum, max: 3 }],
                    },
                  },
                ],
              },
            ],
          },
        ],
      });
    const countsArb = fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 5, maxLength: 5 });
    fc.assert(
      fc.property(countsArb, countsArb, fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (first, increment, sum1, sumIncrement) => {
        const second = first.map((count, i) => count + increment[i]!);
        const cumulative = converterFor(rules);
        expect(decodeMetricsRequest(request(2, first, sum1, 1000), cumulative).drafts).toEqual([]);
        const fromCumulative = decodeMetricsRequest(request(2, second, sum1 + sumIncrement, 2000), cumulative).drafts;
        const fromDelta = decodeMetricsRequest(request(1, increment, sum1 + sumIncrement - sum1, 2000), converterFor(rules)).drafts;
        // max differs by design: exact for DELTA, a bucket bound (clamped by the lifetime max) for CUMULATIVE.
        const withoutMax = (drafts: EventDraft[]) => drafts.filter((draft) => draft.event_type !== 'max').map((draft) => ({ ...draft, metadata: { ...draft.metadata, value: Number((draft.metadata.value as number).toPrecision(12)) }, message: '' }));
        expect(withoutMax(fromCumulative)).toEqual(withoutMax(fromDelta));
      }),
      { numRuns: 300 },
    );
  });
});
