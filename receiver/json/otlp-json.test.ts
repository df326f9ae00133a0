import type protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { realisticLogsRequest, realisticMetricsRequest } from '../../test/helpers/receiver/logs-metrics-fixtures.js';
import { otlpJsonObject } from '../../test/helpers/receiver/otlp-json-fixtures.js';
import { decodeWith, encodeWith, otlpTypes } from '../../test/helpers/receiver/otlp-oracle.js';
import { attributes, idBytes, realisticTraceRequest, spanObject, traceRequestObject } from '../../test/helpers/receiver/trace-fixtures.js';
import { DecodeError } from '../wire/decode-error.js';
import { JsonDecodeError, MAX_JSON_NESTING, transcodeOtlpJson } from './otlp-json.js';
import { MESSAGES, snakeCase } from './otlp-json-schema.js';

const types = otlpTypes();

/** The protobufjs reading of `bytes`, for comparing two encodings of one request. */
const read = (type: protobuf.Type, bytes: Uint8Array) => decodeWith(type, bytes);

function jsonBody(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function errorOf(run: () => unknown): JsonDecodeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(JsonDecodeError);
    expect(error).toBeInstanceOf(DecodeError);
    return error as JsonDecodeError;
  }
  throw new Error('expected a JsonDecodeError');
}

const allMetricKinds = {
  resourceMetrics: [
    {
      resource: { attributes: attributes({ 'service.name': 'm' }) },
      scopeMetrics: [
        {
          scope: { name: 's', version: '1', attributes: attributes({ a: 1 }), droppedAttributesCount: 2 },
          metrics: [
            { name: 'g', description: 'd', unit: '1', gauge: { dataPoints: [{ timeUnixNano: '5', asDouble: -0.5, flags: 1, exemplars: [{ spanId: idBytes(8, 1), traceId: idBytes(16, 1), asInt: -3, timeUnixNano: '7', filteredAttributes: attributes({ x: 'y' }) }] }] }, metadata: attributes({ k: 'v' }) },
            { name: 's', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ startTimeUnixNano: '1', timeUnixNano: '2', asInt: '-9007199254740993' }] } },
            { name: 'h', histogram: { aggregationTemporality: 2, dataPoints: [{ count: '18446744073709551615', sum: 1.5, bucketCounts: ['1', '2', '3'], explicitBounds: [0.5, 1e300], min: -1, max: 2, flags: 0 }] } },
            { name: 'e', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [{ count: '4', scale: -3, zeroCount: '1', zeroThreshold: 1e-9, positive: { offset: -5, bucketCounts: ['1', '18446744073709551615'] }, negative: { offset: 2, bucketCounts: ['0'] }, min: 0, max: 9 }] } },
            { name: 'q', summary: { dataPoints: [{ count: '3', sum: 9, quantileValues: [{ quantile: 0.5, value: 1 }, { quantile: 1, value: 7 }] }] } },
          ],
        },
      ],
      schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
    },
  ],
};

describe('transcodeOtlpJson', () => {
  it.each([
    ['traces', types.TraceRequest, realisticTraceRequest({ spans: 20, errorRate: 0.1, seed: 4 })],
    [
      'traces',
      types.TraceRequest,
      traceRequestObject([
        {
          service: 'a',
          resourceAttributes: { 'host.name': 'h' },
          scopes: [
            [
              spanObject({ kind: 3, status: { code: 2, message: 'é ✓ 😀' }, events: [{ name: 'exception', attributes: { 'exception.type': 'E' } }], parentSpanId: idBytes(8, 2) }),
              { ...spanObject(), links: [{ traceId: idBytes(16, 9), spanId: idBytes(8, 9), traceState: 'k=v', flags: 0x101, attributes: attributes({ l: true }) }], droppedEventsCount: 3, traceState: 'x=y', flags: 0x301 },
            ],
          ],
        },
      ]),
    ],
    ['logs', types.LogsRequest, realisticLogsRequest({ records: 30, errorRate: 0.1, seed: 1 })],
    [
      'logs',
      types.LogsRequest,
      {
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  {
                    body: { kvlistValue: { values: [{ key: 'a', value: { arrayValue: { values: [{ bytesValue: Buffer.from([0, 255, 7]) }, { doubleValue: 1.25 }, { intValue: '-5' }] } } }] } },
                    eventName: 'e',
                    droppedAttributesCount: 4,
                    flags: 0xffffffff,
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
    ['metrics', types.MetricsRequest, realisticMetricsRequest({ tick: 3, hot: true })],
    ['metrics', types.MetricsRequest, allMetricKinds],
  ] as const)('%s: OTLP/JSON transcodes to what protobufjs reads from the protobuf encoding', (signal, type, object) => {
    // prepare
    const expected = read(type, encodeWith(type, object as Record<string, unknown>));
    const json = jsonBody(otlpJsonObject(type, object as Record<string, unknown>));
    // act
    const bytes = transcodeOtlpJson(json, signal);
    // verify
    expect(read(type, bytes)).toEqual(expected);
  });

  it('writes messages longer than 127 and 16383 bytes (multi-byte lengths)', () => {
    for (const size of [127, 128, 16_383, 16_384, 2_100_000]) {
      const object = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x'.repeat(size) } }] }] }] };
      const bytes = transcodeOtlpJson(jsonBody(object), 'logs');
      expect(read(types.LogsRequest, bytes)).toEqual(read(types.LogsRequest, encodeWith(types.LogsRequest, object)));
    }
  });

  it('accepts the proto3 JSON liberties: snake_case names, enum names, numbers for int64, NaN and Infinity, nulls', () => {
    const body = {
      resource_metrics: [
        {
          scope_metrics: [
            {
              metrics: [
                {
                  name: 'h',
                  histogram: {
                    aggregation_temporality: 'AGGREGATION_TEMPORALITY_DELTA',
                    data_points: [{ count: 3, sum: 'NaN', min: '-Infinity', max: 'Infinity', bucket_counts: [1, '2'], explicit_bounds: ['0.5'], time_unix_nano: 1700000000000000000, attributes: null }],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const decoded = read(types.MetricsRequest, transcodeOtlpJson(jsonBody(body), 'metrics'));
    const point = (decoded as any).resourceMetrics[0].scopeMetrics[0].metrics[0].histogram;
    expect(point.aggregationTemporality).toBe(1);
    expect(point.dataPoints[0]).toMatchObject({ count: '3', bucketCounts: ['1', '2'], explicitBounds: [0.5], timeUnixNano: '1700000000000000000' });
    expect(point.dataPoints[0].sum).toBeNaN();
    expect(point.dataPoints[0].min).toBe(Number.NEGATIVE_INFINITY);
    const spans = { resourceSpans: [{ scopeSpans: [{ spans: [{ kind: 'SPAN_KIND_CLIENT', status: { code: 'STATUS_CODE_ERROR' }, traceId: 'AbCdEf0123456789abcdef0123456789' }] }] }] };
    const span = (read(types.TraceRequest, transcodeOtlpJson(jsonBody(spans), 'traces')) as any).resourceSpans[0].scopeSpans[0].spans[0];
    expect(span).toMatchObject({ kind: 3, status: { code: 2 } });
    expect(Buffer.from(span.traceId).toString('hex')).toBe('abcdef0123456789abcdef0123456789');
    const logs = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 'SEVERITY_NUMBER_ERROR3', body: { bytesValue: '_-8' } }] }] }] };
    const record = (read(types.LogsRequest, transcodeOtlpJson(jsonBody(logs), 'logs')) as any).resourceLogs[0].scopeLogs[0].logRecords[0];
    expect(record.severityNumber).toBe(19);
    expect([...record.body.bytesValue]).toEqual([0xff, 0xef]);
  });

  it('refuses an empty or whitespace body (not JSON), takes {} as the empty request, ignores unknown fields and a BOM', () => {
    expect(() => transcodeOtlpJson(Buffer.alloc(0), 'traces')).toThrow(/^empty body: /);
    expect(() => transcodeOtlpJson(Buffer.from(' \n'), 'logs')).toThrow(JsonDecodeError);
    expect(transcodeOtlpJson(Buffer.from('{}'), 'metrics')).toHaveLength(0);
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), jsonBody({ resourceSpans: [{ newThing: [1, { a: null }], scopeSpans: [] }], version: 2 })]);
    expect(read(types.TraceRequest, transcodeOtlpJson(body, 'traces'))).toEqual(read(types.TraceRequest, encodeWith(types.TraceRequest, { resourceSpans: [{}] })));
  });

  it.each([
    ['[]', '', 'an OTLP/JSON request must be a JSON object'],
    ['{"resourceSpans":', '', /^malformed JSON: /],
    ['{"resourceSpans":{}}', 'resourceSpans', 'must be a list'],
    ['{"resourceSpans":[null]}', 'resourceSpans[0]', 'must not be null'],
    ['{"resourceSpans":[5]}', 'resourceSpans[0]', 'must be an object'],
    ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":5}]}]}]}', 'resourceSpans[0].scopeSpans[0].spans[0].name', 'must be a string'],
    ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"abc"}]}]}]}', 'resourceSpans[0].scopeSpans[0].spans[0].spanId', /^must be a hex string/],
    ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"W46P95gDgQPSabYzgT/GDA=="}]}]}]}', 'resourceSpans[0].scopeSpans[0].spans[0].traceId', /not base64/],
    ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SERVER"}]}]}]}', 'resourceSpans[0].scopeSpans[0].spans[0].kind', 'unknown enum value "SERVER"'],
    ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":2.5}]}]}]}', 'resourceSpans[0].scopeSpans[0].spans[0].kind', 'must be an integer'],
    ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"-1"}]}]}]}', 'resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano', 'out of range (0…18446744073709551615)'],
    ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"18446744073709551616"}]}]}]}', 'resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano', /^out of range/],
    ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"1e9"}]}]}]}', 'resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano', 'must be an integer (a number or a decimal string)'],
    ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"droppedAttributesCount":4294967296}]}]}]}', 'resourceSpans[0].scopeSpans[0].spans[0].droppedAttributesCount', /^out of range/],
    ['{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"boolValue":"true"}}]}}]}', 'resourceSpans[0].resource.attributes[0].value.boolValue', 'must be true or false'],
    ['{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"doubleValue":"fast"}}]}}]}', 'resourceSpans[0].resource.attributes[0].value.doubleValue', 'must be a number'],
    ['{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"bytesValue":"!!"}}]}}]}', 'resourceSpans[0].resource.attributes[0].value.bytesValue', 'must be a base64 string'],
  ])('refuses %s naming the JSON path', (text, path, reason) => {
    const error = errorOf(() => transcodeOtlpJson(Buffer.from(text), 'traces'));
    expect(error.path).toBe(path);
    if (typeof reason === 'string') expect(error.message).toBe(path === '' ? reason : `${path}: ${reason}`);
    else expect(path === '' ? error.message : error.message.slice(path.length + 2)).toMatch(reason);
  });

  it('refuses nesting deeper than MAX_JSON_NESTING without overflowing the stack', () => {
    const nest = (depth: number) =>
      Buffer.from(
        `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${'{"arrayValue":{"values":['.repeat(depth)}{"stringValue":"core"}${']}}'.repeat(depth)}}]}]}]}`,
      );
    const error = errorOf(() => transcodeOtlpJson(nest(5000), 'logs'));
    expect(error.message).toMatch(new RegExp(`nested more than ${MAX_JSON_NESTING} levels deep$`));
    // Far deeper: still a JsonDecodeError (from the walk, or from JSON.parse if it gives up first), never a RangeError.
    expect(() => transcodeOtlpJson(nest(100_000), 'logs')).toThrow(JsonDecodeError);
  });

  it('names every field as the .proto files do (checked against protobufjs reflection)', () => {
    const protoNames: Record<string, string> = {
      SpanEvent: 'opentelemetry.proto.trace.v1.Span.Event',
      SpanLink: 'opentelemetry.proto.trace.v1.Span.Link',
      Buckets: 'opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint.Buckets',
      ValueAtQuantile: 'opentelemetry.proto.metrics.v1.SummaryDataPoint.ValueAtQuantile',
    };
    const scalar: Record<string, string> = { hexid: 'bytes' };
    let checked = 0;
    for (const message of MESSAGES.values()) {
      const full = protoNames[message.name] ?? message.name;
      const type = types.root.lookupType(full);
      const reflected = Object.values(type.fields);
      expect(message.fields.map((field) => field.name).sort(), message.name).toEqual(reflected.map((field) => field.name).sort());
      for (const field of message.fields) {
        const other = type.fields[field.name]!;
        other.resolve();
        expect([message.name, field.number, field.repeated]).toEqual([message.name, other.id, other.repeated]);
        if (field.type === 'message') expect(other.resolvedType?.name).toBe(type.root.lookupType(protoNames[field.messageName!] ?? field.messageName!).name);
        else if (field.type === 'enum') expect(other.resolvedType?.constructor.name).toBe('Enum');
        else expect(scalar[field.type] ?? field.type).toBe(other.type);
        expect(snakeCase(field.name)).toBe(snakeCase(other.name));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
