// A span record keeps the span's first attributes, bounded, copied out of the request (whose buffer the gRPC server
// may reuse once decoded), and they read back as text when a trace is shown. Unit cases for each kind of value and
// each bound; a property test against a plain re-statement of the bounds over random attributes; a property test of
// the reader over arbitrary bytes (a stored record is untrusted input).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_KEPT_ATTRIBUTE_BYTES, type SpanRecord } from '../../engine/index.js';
import { TraceRing } from '../../engine/trace-ring.js';
import { encodeWith, otlpTypes } from '../../test/helpers/receiver/otlp-oracle.js';
import { kv, spanObject, traceRequestObject, type AttributeValue, type KeyValueObject } from '../../test/helpers/receiver/trace-fixtures.js';
import { decodeTraceRequest } from './decode-traces.js';
import { MAX_ATTRIBUTE_KEY_CHARS, MAX_ATTRIBUTE_VALUE_CHARS, MAX_ATTRIBUTES_SHOWN, readKeptAttributes, type KeptAttribute } from './span-attributes.js';
import { spanRecordFromView } from './span-record.js';

const types = otlpTypes();

function requestWith(keyValues: KeyValueObject[]): Buffer {
  const span = spanObject();
  span.attributes = keyValues;
  return Buffer.from(encodeWith(types.TraceRequest, traceRequestObject([{ service: 'checkout', scopes: [[span]] }])));
}

function recordOf(request: Buffer): SpanRecord {
  const records: SpanRecord[] = [];
  decodeTraceRequest(request, undefined, { onSpan: (view, resource, classification) => records.push(spanRecordFromView(view, resource.serviceName ?? '', classification)) });
  expect(records).toHaveLength(1);
  return records[0]!;
}

/** What a trace view gets of a record: the attributes read back, and how many the span had beyond them. */
function shown(record: SpanRecord): { attributes: KeptAttribute[]; dropped: number } {
  const attributes = readKeptAttributes(record.attributes_wire);
  return { attributes, dropped: (record.attributes_sent ?? 0) - attributes.length };
}

const shownOf = (keyValues: KeyValueObject[]) => shown(recordOf(requestWith(keyValues)));

/** `text` cut to `max` UTF-16 units, a surrogate half left by the cut dropped (as utf8Bounded does). */
function cutChars(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

function varintSize(value: number): number {
  if (value < 0) return 10; // a negative int64
  let size = 1;
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) size++;
  return size;
}

const lengthField = (payload: number) => 1 + varintSize(payload) + payload;

/** Bytes of the span's attributes field for `key` = `value` as the oracle encodes kv(key, value). */
function attributeFieldSize(key: string, value: AttributeValue): number {
  const anyValue =
    typeof value === 'string' ? lengthField(Buffer.byteLength(value))
    : typeof value === 'boolean' ? 2
    : Number.isInteger(value) ? 1 + varintSize(value)
    : 9;
  return lengthField(lengthField(Buffer.byteLength(key)) + lengthField(anyValue));
}

/** The bounds re-stated over plain values: what a trace view must show of a span sent with `attributes`. */
function expectedShown(attributes: ReadonlyArray<readonly [string, AttributeValue]>): { attributes: KeptAttribute[]; dropped: number } {
  const kept: KeptAttribute[] = [];
  let used = -1; // -1: the run has not started
  for (const [key, value] of attributes) {
    const size = attributeFieldSize(key, value);
    if (used === -1) {
      if (size > MAX_KEPT_ATTRIBUTE_BYTES) continue; // too big on its own: passed over
      used = 0;
    } else if (used + size > MAX_KEPT_ATTRIBUTE_BYTES) {
      break;
    }
    used += size;
    kept.push({ key: cutChars(key, MAX_ATTRIBUTE_KEY_CHARS), value: cutChars(String(value), MAX_ATTRIBUTE_VALUE_CHARS) });
  }
  const visible = kept.slice(0, MAX_ATTRIBUTES_SHOWN);
  return { attributes: visible, dropped: attributes.length - visible.length };
}

describe('span attributes kept for trace views', () => {
  it('keeps strings, integers, doubles and booleans as text, in the order sent; arrays are counted, not shown', () => {
    expect(
      shownOf([
        kv('http.request.method', 'POST'),
        kv('http.response.status_code', 503),
        kv('retry.ratio', 0.25),
        kv('cache.hit', false),
        { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }] } } },
        kv('url.path', '/api/pay'),
      ]),
    ).toEqual({
      attributes: [
        { key: 'http.request.method', value: 'POST' },
        { key: 'http.response.status_code', value: '503' },
        { key: 'retry.ratio', value: '0.25' },
        { key: 'cache.hit', value: 'false' },
        { key: 'url.path', value: '/api/pay' },
      ],
      dropped: 1,
    });
    expect(shownOf([])).toEqual({ attributes: [], dropped: 0 });
  });

  it('shows at most 16, cuts long keys and values, and passes over a first attribute too big to keep', () => {
    const many = shownOf(Array.from({ length: 20 }, (_, i) => kv(`k${i}`, i)));
    expect(many.attributes).toHaveLength(MAX_ATTRIBUTES_SHOWN);
    expect(many.dropped).toBe(4);
    // A 258-character value fits the byte budget and is cut when read; the next attribute no longer fits after it.
    expect(shownOf([kv('k', 'v'.repeat(258)), kv('after', 'x'.repeat(80))])).toEqual({
      attributes: [{ key: 'k', value: 'v'.repeat(MAX_ATTRIBUTE_VALUE_CHARS) }],
      dropped: 1,
    });
    expect(shownOf([kv('k'.repeat(70), 1)]).attributes).toEqual([{ key: 'k'.repeat(MAX_ATTRIBUTE_KEY_CHARS), value: '1' }]);
    // A long URL first must not cost the rest of the span's attributes.
    expect(shownOf([kv('url.full', 'x'.repeat(1000)), kv('http.route', '/pay'), kv('http.response.status_code', 502)])).toEqual({
      attributes: [
        { key: 'http.route', value: '/pay' },
        { key: 'http.response.status_code', value: '502' },
      ],
      dropped: 1,
    });
  });

  it('copies the attributes out of the request: the request buffer reused afterwards changes nothing', () => {
    // The gRPC server hands the decoder pooled buffers and reuses them once decode returns; the ring takes the
    // span later, after the ingest queue.
    const request = requestWith([kv('http.route', '/api/pay'), kv('payment.provider', 'acme-cards')]);
    const record = recordOf(request);
    request.fill(0x4a);
    const ring = new TraceRing(8);
    ring.push(record);
    request.fill(0);
    const [kept] = ring.spansForTrace(record.trace_id, Number.POSITIVE_INFINITY, true);
    expect(shown(kept!)).toEqual({
      attributes: [
        { key: 'http.route', value: '/api/pay' },
        { key: 'payment.provider', value: 'acme-cards' },
      ],
      dropped: 0,
    });
    // Analyses that read spans without asking for attributes get none (no copy made for them).
    expect(ring.spansForTrace(record.trace_id)[0]!.attributes_wire).toHaveLength(0);
  });

  it('keeps what the bounds say of any attributes (property)', () => {
    // Integers within int64 as sent (kv() sends a whole double as int_value: keep those exact).
    const double = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Number.isInteger(v) || Number.isSafeInteger(v));
    const value = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.maxSafeInteger(), double, fc.boolean());
    const key = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 });
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 24 }), (attributes) => {
        expect(shownOf(attributes.map(([k, v]) => kv(k, v)))).toEqual(expectedShown(attributes));
      }),
      { numRuns: 300 },
    );
  });

  it('reads any bytes without throwing and within its bounds (property)', () => {
    const keyValue = fc.tuple(fc.string({ maxLength: 100 }), fc.string({ maxLength: 400 })).map(([k, v]) => kv(k, v));
    // Valid runs, cut anywhere or with bytes changed, and plain noise: a stored record is untrusted.
    const validRun = fc.array(keyValue, { maxLength: 20 }).map((keyValues) => {
      return Uint8Array.from(encodeWith(types.root.lookupType('opentelemetry.proto.trace.v1.Span'), { attributes: keyValues }));
    });
    const damaged = fc.tuple(validRun, fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 })).map(([bytes, cut, changes]) => {
      const out = bytes.slice(0, bytes.length === 0 ? 0 : cut % (bytes.length + 1));
      for (const [at, byte] of changes) if (out.length > 0) out[at % out.length] = byte;
      return out;
    });
    fc.assert(
      fc.property(fc.oneof(validRun, damaged, fc.uint8Array({ maxLength: 600 })), (bytes) => {
        const attributes = readKeptAttributes(bytes);
        expect(attributes.length).toBeLessThanOrEqual(MAX_ATTRIBUTES_SHOWN);
        for (const { key, value } of attributes) {
          expect(key.length).toBeGreaterThan(0);
          expect(key.length).toBeLessThanOrEqual(MAX_ATTRIBUTE_KEY_CHARS);
          expect(value.length).toBeLessThanOrEqual(MAX_ATTRIBUTE_VALUE_CHARS);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
