// Property tests for the OTLP/JSON transcoder: (1) no JSON text or value makes it throw anything but
// JsonDecodeError, and whatever it accepts the decoders take or refuse with DecodeError; (2) random valid requests,
// rendered as OTLP/JSON the way SDKs do, transcode to exactly what protobufjs reads from their protobuf encoding.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TelemetrySignal } from '../consumer.js';
import { decodeLogsRequest } from '../logs/decode-logs.js';
import { decodeMetricsRequest } from '../metrics/decode-metrics.js';
import { realisticLogsRequest, realisticMetricsRequest } from '../../test/helpers/receiver/logs-metrics-fixtures.js';
import { otlpJsonObject } from '../../test/helpers/receiver/otlp-json-fixtures.js';
import { decodeWith, encodeWith, otlpTypes } from '../../test/helpers/receiver/otlp-oracle.js';
import { realisticTraceRequest } from '../../test/helpers/receiver/trace-fixtures.js';
import { decodeTraceRequest } from '../trace/decode-traces.js';
import { DecodeError } from '../wire/decode-error.js';
import { JsonDecodeError, transcodeOtlpJson } from './otlp-json.js';

const types = otlpTypes();
const SIGNALS: TelemetrySignal[] = ['traces', 'logs', 'metrics'];
const DECODE = { traces: decodeTraceRequest, logs: decodeLogsRequest, metrics: decodeMetricsRequest } as const;

/** Transcodes and decodes; passes when both succeed or fail with their typed errors, fails on anything else. */
function onlyTypedErrors(signal: TelemetrySignal, body: Buffer): boolean {
  let bytes: Buffer;
  try {
    bytes = transcodeOtlpJson(body, signal);
  } catch (error) {
    if (error instanceof JsonDecodeError) return true;
    throw error;
  }
  try {
    DECODE[signal](bytes);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
  }
  return true;
}

const VALID: Record<TelemetrySignal, Record<string, unknown>> = {
  traces: otlpJsonObject(types.TraceRequest, realisticTraceRequest({ spans: 3, errorRate: 0.5, seed: 1 })),
  logs: otlpJsonObject(types.LogsRequest, realisticLogsRequest({ records: 3, errorRate: 0.5, seed: 1 })),
  metrics: otlpJsonObject(types.MetricsRequest, realisticMetricsRequest({ tick: 1, hot: true })),
};

/** Every [container, key] in a JSON tree, so that a mutation can pick one. */
function slots(value: unknown, out: [Record<string, unknown> | unknown[], string | number][] = []): typeof out {
  if (Array.isArray(value)) value.forEach((item, i) => (out.push([value, i]), slots(item, out)));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      out.push([value as Record<string, unknown>, key]);
      slots(item, out);
    }
  }
  return out;
}

describe('transcodeOtlpJson on arbitrary input', () => {
  it.each(SIGNALS)('%s: any JSON value transcodes or throws JsonDecodeError', (signal) => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => onlyTypedErrors(signal, Buffer.from(JSON.stringify(value) ?? ''))), {
      numRuns: 400,
    });
  });

  it.each(SIGNALS)('%s: any text, and any bytes, transcode or throw JsonDecodeError', (signal) => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => onlyTypedErrors(signal, Buffer.from(text))), { numRuns: 300 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => onlyTypedErrors(signal, Buffer.from(bytes))), { numRuns: 300 });
  });

  it.each(SIGNALS)('%s: valid requests with one value replaced by any JSON value', (signal) => {
    const count = slots(VALID[signal]).length;
    fc.assert(
      fc.property(fc.nat({ max: count - 1 }), fc.jsonValue({ maxDepth: 3 }), (at, replacement) => {
        const copy = structuredClone(VALID[signal]);
        const [container, key] = slots(copy)[at]!;
        (container as Record<string | number, unknown>)[key] = replacement;
        return onlyTypedErrors(signal, Buffer.from(JSON.stringify(copy)));
      }),
      { numRuns: 600 },
    );
  });

  it('truncations of a valid body throw JsonDecodeError', () => {
    const text = JSON.stringify(VALID.logs);
    for (let cut = 1; cut < text.length; cut += 7) {
      expect(() => transcodeOtlpJson(Buffer.from(text.slice(0, cut)), 'logs')).toThrow(JsonDecodeError);
    }
  });
});

// ── Round trip of random valid requests ──────────────────────────────────────────────────────────────────────────

const anyValueArb: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ value: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 10 }).map((stringValue) => ({ stringValue })),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => ({ intValue: n.toString() })),
    fc.double({ noNaN: true }).map((doubleValue) => ({ doubleValue })),
    fc.boolean().map((boolValue) => ({ boolValue })),
    fc.uint8Array({ maxLength: 12 }).map((bytesValue) => ({ bytesValue })),
    fc.array(tie('value'), { maxLength: 3 }).map((values) => ({ arrayValue: { values } })),
    fc.array(fc.tuple(fc.string({ maxLength: 5 }), tie('value')), { maxLength: 3 }).map((entries) => ({
      kvlistValue: { values: entries.map(([key, value]) => ({ key, value })) },
    })),
  ),
})).value;

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);

const logsArb = fc.array(
  fc.record({
    timeUnixNano: u64,
    observedTimeUnixNano: u64,
    severityNumber: fc.integer({ min: 0, max: 24 }),
    severityText: fc.string({ maxLength: 6 }),
    body: anyValueArb,
    attributes: fc.array(fc.record({ key: fc.string({ maxLength: 8 }), value: anyValueArb }), { maxLength: 3 }),
    droppedAttributesCount: fc.nat(),
    flags: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    traceId: fc.uint8Array({ maxLength: 16 }),
    spanId: fc.uint8Array({ maxLength: 8 }),
    eventName: fc.string({ maxLength: 6 }),
  }),
  { maxLength: 4 },
);

const metricsArb = fc.array(
  fc.oneof(
    fc.record({
      name: fc.string({ maxLength: 8 }),
      sum: fc.record({
        aggregationTemporality: fc.integer({ min: 0, max: 2 }),
        isMonotonic: fc.boolean(),
        dataPoints: fc.array(
          fc.oneof(
            fc.record({ timeUnixNano: u64, asDouble: fc.double() }),
            fc.record({ startTimeUnixNano: u64, asInt: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), flags: fc.nat() }),
          ),
          { maxLength: 3 },
        ),
      }),
    }),
    fc.record({
      name: fc.string({ maxLength: 8 }),
      exponentialHistogram: fc.record({
        aggregationTemporality: fc.integer({ min: 0, max: 2 }),
        dataPoints: fc.array(
          fc.record({
            scale: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
            zeroCount: u64,
            positive: fc.record({ offset: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), bucketCounts: fc.array(u64, { maxLength: 4 }) }),
            zeroThreshold: fc.double(),
            min: fc.double(),
          }),
          { maxLength: 2 },
        ),
      }),
    }),
  ),
  { maxLength: 4 },
);

/** JSON with proto3's spelling of non-finite doubles ("NaN", "Infinity", "-Infinity"), and -0 kept as "-0". */
function jsonText(object: unknown): string {
  return JSON.stringify(object, (_key, value: unknown) => {
    if (typeof value !== 'number') return value;
    if (Object.is(value, -0)) return '-0';
    return Number.isFinite(value) ? value : String(value);
  });
}

describe('transcodeOtlpJson against protobufjs', () => {
  it('random log requests round-trip', () => {
    fc.assert(
      fc.property(logsArb, (logRecords) => {
        const object = { resourceLogs: [{ scopeLogs: [{ scope: { name: 'x' }, logRecords }] }] };
        const bytes = transcodeOtlpJson(Buffer.from(jsonText(otlpJsonObject(types.LogsRequest, object))), 'logs');
        expect(decodeWith(types.LogsRequest, bytes)).toEqual(decodeWith(types.LogsRequest, encodeWith(types.LogsRequest, object)));
      }),
      { numRuns: 200 },
    );
  });

  it('random metric requests round-trip (negative int64, sint32, NaN and infinities included)', () => {
    fc.assert(
      fc.property(metricsArb, (metrics) => {
        const object = { resourceMetrics: [{ scopeMetrics: [{ metrics }] }] };
        const bytes = transcodeOtlpJson(Buffer.from(jsonText(otlpJsonObject(types.MetricsRequest, object))), 'metrics');
        expect(decodeWith(types.MetricsRequest, bytes)).toEqual(decodeWith(types.MetricsRequest, encodeWith(types.MetricsRequest, object)));
      }),
      { numRuns: 200 },
    );
  });
});
