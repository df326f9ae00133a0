import { describe, expect, it } from 'vitest';
import { encodeWith, otlpTypes } from '../../test/helpers/receiver/otlp-oracle.js';
import { attributes, nanos } from '../../test/helpers/receiver/trace-fixtures.js';
import { doubleField, fixed64Field, lenField, stringField } from '../../test/helpers/receiver/wire-builder.js';
import { DecodeError } from '../wire/decode-error.js';
import { decodeMetricsRequest } from './decode-metrics.js';
import { createMetricConverter } from './metric-converter.js';
import { METRIC_KIND_GAUGE, POINT_VALUE_DOUBLE, POINT_VALUE_INT, scanMetricsRequest } from './metrics-scanner.js';

const types = otlpTypes();
const TIME = nanos(1_700_000_000_000);

const numberPoint = (value: Record<string, unknown>) => ({ timeUnixNano: TIME, attributes: attributes({ state: 'used' }), ...value });

const allKinds = [
  { name: 'system.memory.utilization', gauge: { dataPoints: [numberPoint({ asDouble: 0.93 }), numberPoint({ asInt: -3 })] } },
  { name: 'requests', sum: { dataPoints: [numberPoint({ asInt: 42 })], aggregationTemporality: 2, isMonotonic: true } },
  {
    name: 'latency',
    histogram: {
      dataPoints: [{ timeUnixNano: TIME, count: '3', sum: 1.5, bucketCounts: ['1', '2'], explicitBounds: [0.5] }],
      aggregationTemporality: 1,
    },
  },
  {
    name: 'latency.exp',
    exponentialHistogram: {
      dataPoints: [
        { timeUnixNano: TIME, count: '2', scale: -1, zeroCount: '0', positive: { offset: -2, bucketCounts: ['1', '1'] } },
        { timeUnixNano: TIME, count: '0' },
      ],
    },
  },
  {
    name: 'rpc.duration',
    summary: { dataPoints: [{ timeUnixNano: TIME, count: '5', sum: 9, quantileValues: [{ quantile: 0.5, value: 1.5 }] }] },
  },
];

function metricsRequest(metrics: Record<string, unknown>[]): Buffer {
  return encodeWith(types.MetricsRequest, {
    resourceMetrics: [
      {
        resource: { attributes: attributes({ 'service.name': 'node-exporter' }) },
        scopeMetrics: [{ scope: { name: 'host' }, metrics }],
      },
    ],
  });
}

describe('decodeMetricsRequest', () => {
  it('counts the data points of every metric kind', () => {
    const result = decodeMetricsRequest(metricsRequest(allKinds), createMetricConverter());
    expect(result).toMatchObject({ dataPoints: 7, rejected: 0, errorMessage: '' });
    // The one point over a default threshold: used memory at 93 %.
    expect(result.drafts.map((draft) => draft.message)).toEqual(['system.memory.utilization 0.93 ≥ 0.9 (state=used)']);
  });

  it('counts nothing for an empty request or metrics without data', () => {
    expect(decodeMetricsRequest(new Uint8Array(0)).dataPoints).toBe(0);
    expect(decodeMetricsRequest(metricsRequest([{ name: 'empty' }])).dataPoints).toBe(0);
  });

  it('shows gauge and sum points with name, time and value', () => {
    const seen: unknown[] = [];
    scanMetricsRequest(metricsRequest(allKinds.slice(0, 2)), {
      resource(resource) {
        seen.push(resource.serviceName);
      },
      dataPoint(point) {
        seen.push([point.metricName(40), point.kind, point.valueKind, point.value, point.timeHi > 0]);
      },
    });
    expect(seen).toEqual([
      'node-exporter',
      ['system.memory.utilization', METRIC_KIND_GAUGE, POINT_VALUE_DOUBLE, 0.93, true],
      ['system.memory.utilization', METRIC_KIND_GAUGE, POINT_VALUE_INT, -3, true],
      ['requests', 2, POINT_VALUE_INT, 42, true],
    ]);
  });

  it('finds a metric name that follows its data on the wire', () => {
    const gauge = lenField(5, lenField(1, doubleField(4, 0.5), fixed64Field(3, 1n)));
    const metric = Buffer.concat([gauge, stringField(1, 'late.name')]);
    const names: string[] = [];
    scanMetricsRequest(lenField(1, lenField(2, lenField(2, metric))), {
      resource() {},
      dataPoint(point) {
        names.push(point.metricName(20));
      },
    });
    expect(names).toEqual(['late.name']);
  });

  it('throws DecodeError on a truncated data point', () => {
    const point = Buffer.concat([fixed64Field(3, 1n), doubleField(4, 1)]).subarray(0, 12);
    expect(() => decodeMetricsRequest(lenField(1, lenField(2, lenField(2, lenField(5, lenField(1, point))))))).toThrow(
      DecodeError,
    );
  });
});
