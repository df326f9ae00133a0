// Property tests for log decoding and conversion: (1) no byte string makes decodeLogsRequest throw anything but
// DecodeError; (2) on random valid requests, our drafts and counts equal a plain re-statement of the conversion
// rules (log-converter.ts) written over protobufjs' decoding of the same bytes (the oracle).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventDraft, Metadata, MetadataValue } from '../../engine/types.js';
import { realisticLogsRequest } from '../../test/helpers/receiver/logs-metrics-fixtures.js';
import { decodeWith, encodeWith, otlpTypes } from '../../test/helpers/receiver/otlp-oracle.js';
import { DecodeError } from '../wire/decode-error.js';
import { truncateChars } from '../wire/utf8.js';
import { decodeLogsRequest } from './decode-logs.js';

const types = otlpTypes();

function decodesOrDecodeError(bytes: Uint8Array): boolean {
  try {
    decodeLogsRequest(bytes);
    return true;
  } catch (error) {
    if (error instanceof DecodeError) return true;
    throw error;
  }
}

describe('decodeLogsRequest on arbitrary input', () => {
  const valid = encodeWith(types.LogsRequest, realisticLogsRequest({ records: 12, errorRate: 0.5, seed: 3 }));

  it('mutated valid requests decode or throw DecodeError (every record converted: bodies and attributes read)', () => {
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
    fc.assert(fc.property(mutation, decodesOrDecodeError), { numRuns: 1500 });
  });
});

// ── Generated requests ───────────────────────────────────────────────────────────────────────────────────────────

type Scalar = { stringValue: string } | { intValue: number } | { doubleValue: number } | { boolValue: boolean };
const scalarArb: fc.Arbitrary<Scalar> = fc.oneof(
  fc.string({ maxLength: 12 }).map((stringValue) => ({ stringValue })),
  fc.constantFrom('ERROR', 'Fatal', 'quality_check_failed', 'critical', 'HIGH', '').map((stringValue) => ({ stringValue })),
  fc.integer({ min: -1e9, max: 1e9 }).map((intValue) => ({ intValue })),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((doubleValue) => ({ doubleValue })),
  fc.boolean().map((boolValue) => ({ boolValue })),
);
const anyValueArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 5, arbitrary: scalarArb },
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.string({ minLength: 300, maxLength: 1300 }).map((stringValue) => ({ stringValue })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 60 }).map((bytesValue) => ({ bytesValue })) },
  { weight: 1, arbitrary: fc.array(scalarArb, { maxLength: 4 }).map((values) => ({ arrayValue: { values } })) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom('a', 'b', 'user'), scalarArb), { maxLength: 3 })
      .map((entries) => ({ kvlistValue: { values: entries.map(([key, value]) => ({ key, value })) } })),
  },
);

const KEYS = [
  'firewatch.event_type',
  'firewatch.severity',
  'event.name',
  'exception.type',
  'exception.message',
  'enduser.id',
  'user.id',
  'session.id',
  'http.route',
  'thread.id',
  '',
];
const attributeArb = fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 10 })), fc.option(anyValueArb, { freq: 8 }));

const idArb = (size: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.uint8Array({ minLength: size, maxLength: size }) },
    { weight: 2, arbitrary: fc.constant(new Uint8Array(0)) },
    { weight: 1, arbitrary: fc.constant(new Uint8Array(size)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }) },
  );
const timeArb = fc.oneof(fc.constant(0n), fc.bigInt({ min: 1_600_000_000_000_000_000n, max: 1_800_000_000_000_000_000n }));

const recordArb = fc.record({
  timeUnixNano: timeArb,
  observedTimeUnixNano: timeArb,
  severityNumber: fc.oneof(fc.integer({ min: 0, max: 24 }), fc.constantFrom(0, 9, 17, 21)),
  severityText: fc.constantFrom('', 'ERROR', 'error', 'INFO', 'Fatal', 'warning', 'CRIT', 'nonsense'),
  body: fc.option(anyValueArb, { freq: 6 }),
  attributes: fc.array(attributeArb, { maxLength: 8 }),
  traceId: idArb(16),
  spanId: idArb(8),
  eventName: fc.constantFrom('', '', 'checkout.failed'),
});

const requestArb = fc.array(
  fc.record({
    service: fc.option(fc.oneof(fc.constantFrom('api', 'payments', ''), fc.integer().map((n) => n))),
    scopes: fc.array(fc.array(recordArb, { maxLength: 5 }), { minLength: 1, maxLength: 2 }),
  }),
  { maxLength: 3 },
);

type RequestSample = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

function toRequestObject(sample: RequestSample): Record<string, unknown> {
  return {
    resourceLogs: sample.map((resource) => ({
      resource:
        resource.service === null
          ? undefined
          : { attributes: [{ key: 'service.name', value: typeof resource.service === 'string' ? { stringValue: resource.service } : { intValue: resource.service } }] },
      scopeLogs: resource.scopes.map((records) => ({
        logRecords: records.map((record) => ({
          ...record,
          timeUnixNano: record.timeUnixNano.toString(),
          observedTimeUnixNano: record.observedTimeUnixNano.toString(),
          body: record.body ?? undefined,
          attributes: record.attributes.map(([key, value]) => (value === null ? { key } : { key, value })),
        })),
      })),
    })),
  };
}

// ── The reference model, over protobufjs objects (decodeWith: longs as strings, bytes as Buffers, oneofs named) ──

type AnyObject = Record<string, unknown> & { value?: string };
type KeyValueObject = { key: string; value: AnyObject | null };

/** anyValueString: scalars only. */
function scalarText(value: AnyObject | null | undefined, max: number): string | null {
  switch (value?.value) {
    case 'stringValue':
      return truncateChars(value.stringValue as string, max);
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

/** anyValueText: everything, containers in JSON-like form. */
function render(value: AnyObject | null | undefined, quoted: boolean): string | null {
  switch (value?.value) {
    case undefined:
      return null;
    case 'stringValue':
      return quoted ? JSON.stringify(value.stringValue) : (value.stringValue as string);
    case 'bytesValue': {
      const bytes = value.bytesValue as Buffer;
      const text = bytes.length <= 48 ? bytes.toString('base64') : `<${bytes.length} bytes>`;
      return quoted ? JSON.stringify(text) : text;
    }
    case 'arrayValue':
      return `[${((value.arrayValue as { values: AnyObject[] }).values ?? []).map((item) => render(item, true) ?? 'null').join(',')}]`;
    case 'kvlistValue':
      return `{${((value.kvlistValue as { values: KeyValueObject[] }).values ?? [])
        .map((entry) => `${JSON.stringify(entry.key)}:${render(entry.value, true) ?? 'null'}`)
        .join(',')}}`;
    default:
      return scalarText(value, Number.MAX_SAFE_INTEGER);
  }
}

/** anyValueText's bound: a string value is cut as is, a rendered container ends in `…` when cut. */
function boundedText(value: AnyObject | null | undefined, max: number): string | null {
  const text = render(value, false);
  if (text === null || text.length <= max) return text;
  return value?.value === 'stringValue' ? truncateChars(text, max) : `${truncateChars(text, max - 1)}…`;
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
      return boundedText(value, 256);
  }
}

const SEVERITY_BY_TEXT: Record<string, number> = { error: 17, fatal: 21, info: 9, warning: 13, crit: 21 };

function referenceDrafts(decoded: Record<string, unknown>): { drafts: EventDraft[]; accepted: number; rejected: number } {
  const drafts: EventDraft[] = [];
  let accepted = 0;
  let rejected = 0;
  for (const resourceLogs of decoded.resourceLogs as Record<string, any>[]) {
    const serviceAttr = ((resourceLogs.resource?.attributes ?? []) as KeyValueObject[]).filter((kv) => kv.key === 'service.name').at(-1);
    const serviceText = serviceAttr?.value?.value === 'stringValue' ? (serviceAttr.value.stringValue as string) : '';
    const source = serviceText === '' ? 'unknown_service' : serviceText;
    for (const scope of resourceLogs.scopeLogs as Record<string, any>[]) {
      for (const record of scope.logRecords as Record<string, any>[]) {
        const traceId = record.traceId as Buffer;
        const spanId = record.spanId as Buffer;
        if ((traceId.length !== 0 && traceId.length !== 16) || (spanId.length !== 0 && spanId.length !== 8)) {
          rejected++;
          continue;
        }
        accepted++;
        const attrs = record.attributes as KeyValueObject[];
        const last = (key: string) => attrs.filter((kv) => kv.key === key).at(-1);
        const has = (key: string) => last(key) !== undefined;
        const text = (key: string, max: number) => {
          const found = scalarText(last(key)?.value ?? { value: undefined }, max);
          return found === '' ? null : found;
        };
        const severityNumber =
          record.severityNumber !== 0 ? (record.severityNumber as number) : (SEVERITY_BY_TEXT[(record.severityText as string).toLowerCase()] ?? 0);
        const custom = has('firewatch.event_type');
        if (severityNumber < 17 && !custom) continue;
        const severityText = record.severityText === '' ? null : (record.severityText as string);
        const eventName = (record.eventName === '' ? null : (record.eventName as string)) ?? text('event.name', 256);
        const exceptionType = text('exception.type', 256);
        const exceptionMessage = text('exception.message', 1024);
        const nonEmpty = (value: string | null) => (value === null || value === '' ? null : value);
        const eventType =
          (custom ? text('firewatch.event_type', 64) : null) ??
          nonEmpty(truncateChars(eventName ?? '', 64)) ??
          nonEmpty(truncateChars(exceptionType ?? '', 64)) ??
          'error';
        let severity = severityNumber >= 21 ? 'critical' : severityNumber >= 17 ? 'high' : 'medium';
        const override = text('firewatch.severity', 16)?.toLowerCase();
        if (override !== undefined && ['info', 'low', 'medium', 'high', 'critical'].includes(override)) severity = override;
        const body = boundedText(record.body, 1024);
        const message = nonEmpty(body) ?? exceptionMessage ?? severityText ?? `${eventType} log record (severity ${record.severityNumber})`;

        const metadata: Metadata = {};
        const put = (key: string, value: MetadataValue | null) => {
          if (value === null || key === '__proto__' || Object.hasOwn(metadata, key) || Object.keys(metadata).length >= 32) return;
          metadata[key] = typeof value === 'string' ? truncateChars(value, 256) : value;
        };
        put('severity_text', severityText);
        put('severity_number', record.severityNumber as number);
        put('event.name', eventName);
        put('exception.type', exceptionType);
        put('exception.message', exceptionMessage);
        for (const key of ['enduser.id', 'user.id', 'session.id']) put(key, text(key, 256));
        for (const kv of attrs) {
          if (kv.value === null || kv.key === '' || kv.key.length > 128 || kv.key.startsWith('firewatch.')) continue;
          put(kv.key, metadataValue(kv.value));
        }
        const timeNs = BigInt(record.timeUnixNano !== '0' ? record.timeUnixNano : record.observedTimeUnixNano);
        const zero = (id: Buffer) => id.every((byte) => byte === 0);
        drafts.push({
          timestamp: Number(timeNs / 1_000_000n),
          event_type: eventType,
          source,
          severity: severity as EventDraft['severity'],
          message: truncateChars(message, 1024),
          metadata,
          correlation_id: zero(traceId) ? '' : traceId.toString('hex'),
          span_id: zero(spanId) ? '' : spanId.toString('hex'),
        });
      }
    }
  }
  return { drafts, accepted, rejected };
}

describe('decodeLogsRequest against protobufjs', () => {
  it('agrees on counts, rejections and every converted record', () => {
    fc.assert(
      fc.property(requestArb, (sample) => {
        // prepare
        const bytes = encodeWith(types.LogsRequest, toRequestObject(sample));
        const expected = referenceDrafts(decodeWith(types.LogsRequest, bytes));
        // act
        const result = decodeLogsRequest(bytes);
        // verify
        expect(result.logRecords).toBe(expected.accepted);
        expect(result.rejected).toBe(expected.rejected);
        expect(result.drafts).toEqual(expected.drafts);
      }),
      { numRuns: 400 },
    );
  });
});
