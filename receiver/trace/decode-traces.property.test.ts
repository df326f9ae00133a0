// Property tests: (1) no byte string makes a decoder throw anything but DecodeError, or hang; (2) on random valid
// requests our scanner agrees with protobufjs (the oracle) on every span, and our conversion agrees with a plain
// re-statement of the rules written over protobufjs' objects.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventDraft } from '../../engine/types.js';
import { decodeLogsRequest } from '../logs/decode-logs.js';
import { decodeMetricsRequest } from '../metrics/decode-metrics.js';
import { decodeWith, encodeWith, otlpTypes } from '../../test/helpers/receiver/otlp-oracle.js';
import { type AttributeValue, kv, realisticTraceRequest } from '../../test/helpers/receiver/trace-fixtures.js';
import { concat, lenField, tag, varint } from '../../test/helpers/receiver/wire-builder.js';
import { DecodeError } from '../wire/decode-error.js';
import { decodeTraceRequest } from './decode-traces.js';

const types = otlpTypes();
const DECODERS = [
  ['traces', decodeTraceRequest],
  ['logs', decodeLogsRequest],
  ['metrics', decodeMetricsRequest],
] as const;

/** Runs `decode`; passes when it returns or throws a DecodeError, fails on any other throw. */
function decodesOrDecodeError(decode: (bytes: Uint8Array) => unknown, bytes: Uint8Array): boolean {
  try {
    decode(bytes);
    return true;
  } catch (error) {
    if (error instanceof DecodeError) return true;
    throw error;
  }
}

/** Bytes shaped like protobuf: random tags with plausible payloads, nested up to a few levels. */
const fieldLike: fc.Arbitrary<Buffer> = fc.letrec<{ field: Buffer; message: Buffer }>((tie) => ({
  field: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fc.integer({ min: 1, max: 20 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map(([field, value]) =>
      concat(tag(field, 0), varint(value)),
    ),
    fc.tuple(fc.integer({ min: 1, max: 20 }), fc.uint8Array({ minLength: 8, maxLength: 8 })).map(([field, bytes]) =>
      concat(tag(field, 1), bytes),
    ),
    fc.tuple(fc.integer({ min: 1, max: 20 }), fc.uint8Array({ minLength: 4, maxLength: 4 })).map(([field, bytes]) =>
      concat(tag(field, 5), bytes),
    ),
    fc.tuple(fc.integer({ min: 1, max: 20 }), fc.uint8Array({ maxLength: 24 })).map(([field, bytes]) => lenField(field, bytes)),
    fc.tuple(fc.integer({ min: 1, max: 20 }), tie('message')).map(([field, body]) => lenField(field, body)),
    fc.integer({ min: 0, max: 20 * 8 + 7 }).map((raw) => varint(raw)),
  ),
  message: fc.array(tie('field'), { maxLength: 6 }).map((fields) => Buffer.concat(fields)),
})).message;

describe('decoders on arbitrary input', () => {
  it.each(DECODERS)('%s: random bytes decode or throw DecodeError', (_name, decode) => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => decodesOrDecodeError(decode, bytes)), {
      numRuns: 600,
    });
  });

  it.each(DECODERS)('%s: protobuf-shaped noise decodes or throws DecodeError', (_name, decode) => {
    fc.assert(fc.property(fieldLike, (bytes) => decodesOrDecodeError(decode, bytes)), { numRuns: 600 });
  });

  const valid = encodeWith(types.TraceRequest, realisticTraceRequest({ spans: 8, errorRate: 0.25, seed: 3 }));
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
    fc.tuple(fc.nat({ max: valid.length }), fc.nat({ max: 40 })).map(([at, count]) =>
      Buffer.concat([valid.subarray(0, at), valid.subarray(at + count)]),
    ),
  );

  it.each(DECODERS)('%s: truncated and mutated valid requests decode or throw DecodeError', (_name, decode) => {
    fc.assert(fc.property(mutation, (bytes) => decodesOrDecodeError(decode, bytes)), { numRuns: 800 });
  });

  it('every truncation of a valid request ends in a DecodeError', () => {
    for (let cut = 1; cut < valid.length; cut++) {
      // A cut right after a complete top-level field leaves a shorter but valid request; anything else must throw.
      try {
        decodeTraceRequest(valid.subarray(0, cut));
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
        continue;
      }
      expect(cut).toBe(valid.length);
    }
  });
});

// ── Cross-check against protobufjs ─────────────────────────────────────────────────────────────────────────────

const KNOWN_VALUES: Record<string, AttributeValue[]> = {
  'http.response.status_code': [200, 404, 500, 503, '503', 502.5],
  'http.status_code': [200, 500, 503, '500'],
  'rpc.grpc.status_code': [0, 2, 14, '14'],
  'error.type': ['ECONNREFUSED', 'timeout', 'java.net.ConnectException: Connection refused'],
  'db.system': ['postgresql', ''],
  'db.system.name': ['mysql'],
  'peer.service': ['payments', ''],
  'server.address': ['10.0.0.7', 'search.internal'],
  'net.peer.name': ['legacy-db'],
  'server.port': [8081, '443', 0, 70000, 8.5],
  'net.peer.port': [5432, 'x'],
  'rpc.service': ['shop.Inventory'],
  'firewatch.event_type': ['quality_check_failed', 'workflow_failed', ''],
  'firewatch.severity': ['HIGH', 'low', 'nonsense', 'Critical'],
  'http.request.method': ['GET', 'POST'],
  'http.route': ['/api/users/:id'],
};
const KNOWN_KEYS = Object.keys(KNOWN_VALUES);

const attributeArb: fc.Arbitrary<[string, AttributeValue]> = fc.oneof(
  fc.constantFrom(...KNOWN_KEYS).chain((key) => fc.constantFrom(...KNOWN_VALUES[key]!).map((value) => [key, value] as [string, AttributeValue])),
  fc.tuple(fc.string({ maxLength: 24 }), fc.oneof(fc.string({ maxLength: 16 }), fc.integer(), fc.boolean(), fc.double({ noNaN: true }))),
);

const idArb = (size: number) =>
  fc.oneof({ weight: 12, arbitrary: fc.uint8Array({ minLength: size, maxLength: size }) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }) });

const NANOS_PER_MS = 1_000_000n;
const timeArb = fc.oneof(
  fc.constant(0n),
  fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }),
  fc.bigInt({ min: 1_600_000_000_000n * NANOS_PER_MS, max: 1_800_000_000_000n * NANOS_PER_MS }),
);

const spanArb = fc.record({
  traceId: idArb(16),
  spanId: idArb(8),
  parentSpanId: fc.oneof(fc.constant(new Uint8Array(0)), idArb(8)),
  // Trace flags in the low byte; bits 8–9 say whether the parent is remote (0x100: known, 0x200: remote).
  flags: fc.constantFrom(0, 0x01, 0x101, 0x301, 0x200, 0x300),
  name: fc.string({ maxLength: 20 }),
  kind: fc.integer({ min: 0, max: 5 }),
  start: timeArb,
  durationNs: fc.oneof(fc.constant(null), fc.bigInt({ min: 0n, max: 3_000_000_000n })),
  endRaw: timeArb,
  attributes: fc.array(attributeArb, { maxLength: 12 }),
  status: fc.option(
    fc.record({
      code: fc.integer({ min: 0, max: 3 }),
      message: fc.constantFrom('', 'boom', 'connect ECONNREFUSED 10.0.0.7:443', 'Connection refused by peer'),
    }),
  ),
  exception: fc.option(
    fc.record({ type: fc.constantFrom('Error', ''), message: fc.constantFrom('connection refused', 'nope') }),
  ),
});

type SpanSample = typeof spanArb extends fc.Arbitrary<infer T> ? T : never;

const requestArb = fc.array(
  fc.record({
    service: fc.option(fc.constantFrom('checkout', 'payments', '')),
    scopes: fc.array(fc.array(spanArb, { maxLength: 5 }), { minLength: 1, maxLength: 2 }),
  }),
  { maxLength: 3 },
);

function toSpanObject(sample: SpanSample): Record<string, unknown> {
  const end = sample.durationNs === null ? sample.endRaw : BigInt.asUintN(64, sample.start + sample.durationNs);
  const span: Record<string, unknown> = {
    traceId: sample.traceId,
    spanId: sample.spanId,
    parentSpanId: sample.parentSpanId,
    flags: sample.flags,
    name: sample.name,
    kind: sample.kind,
    startTimeUnixNano: sample.start.toString(),
    endTimeUnixNano: end.toString(),
    attributes: sample.attributes.map(([key, value]) => kv(key, value)),
  };
  if (sample.status !== null) span.status = sample.status;
  if (sample.exception !== null) {
    span.events = [
      {
        name: 'exception',
        attributes: [kv('exception.type', sample.exception.type), kv('exception.message', sample.exception.message)],
      },
    ];
  }
  return span;
}

// The reference model: the conversion rules restated directly over protobufjs objects.

type AnyValueObject = { stringValue?: string; intValue?: string; doubleValue?: number; boolValue?: boolean; value?: string };
type KeyValueObject = { key: string; value: AnyValueObject | null };

function anyText(value: AnyValueObject | null | undefined): string | null {
  if (!value) return null;
  switch (value.value) {
    case 'stringValue':
      return value.stringValue === '' ? null : value.stringValue!;
    case 'intValue':
      return String(Number(value.intValue));
    case 'doubleValue':
      return String(value.doubleValue);
    case 'boolValue':
      return String(value.boolValue);
    default:
      return null;
  }
}

function anyNumber(value: AnyValueObject | null | undefined): number {
  if (!value) return Number.NaN;
  if (value.value === 'intValue') return Number(value.intValue);
  if (value.value === 'doubleValue') return value.doubleValue!;
  if (value.value === 'stringValue' && /^-?\d+$/.test(value.stringValue!) && value.stringValue!.length <= 15) {
    return Number(value.stringValue);
  }
  return Number.NaN;
}

interface ExpectedSpan {
  traceId: string;
  spanId: string;
  timestamp: number;
  statusCode: number;
  kind: number;
  draft: Pick<EventDraft, 'event_type' | 'source' | 'severity' | 'timestamp' | 'correlation_id' | 'span_id'> | null;
  failed: boolean;
  /** A request: SERVER or CONSUMER, else no parent or a remote one. */
  request: boolean;
}

const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];

function withPort(address: string | null, port: number): string | null {
  if (address === null || !Number.isInteger(port) || port < 1 || port > 65_535) return address;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function expectedFor(span: Record<string, unknown>, service: string | null): ExpectedSpan {
  const attrs = new Map<string, AnyValueObject | null>();
  for (const { key, value } of span.attributes as KeyValueObject[]) attrs.set(key, value);
  const text = (key: string) => anyText(attrs.get(key));
  const num = (key: string) => anyNumber(attrs.get(key));
  const status = (span.status as { code: number; message: string } | null) ?? { code: 0, message: '' };
  const kind = span.kind as number;
  const start = BigInt(span.startTimeUnixNano as string);
  const end = BigInt(span.endTimeUnixNano as string);
  const timestamp = Number((end !== 0n ? end : start) / NANOS_PER_MS);
  const events = (span.events as { name: string; attributes: KeyValueObject[] }[]) ?? [];
  const exception = events.find((event) => event.name === 'exception');
  const exceptionMessage = exception
    ? anyText(exception.attributes.find((attribute) => attribute.key === 'exception.message')?.value)
    : null;

  const statusError = status.code === 2;
  const httpStatus = num('http.response.status_code') || num('http.status_code');
  const refused = (value: string | null) => value !== null && /econnrefused|connection refused/i.test(value);
  const unavailable =
    kind === 3 &&
    (num('rpc.grpc.status_code') === 14 ||
      httpStatus === 503 ||
      ((statusError || attrs.has('error.type')) &&
        (refused(status.message || null) || refused(exceptionMessage) || refused(text('error.type')))));
  const failed = unavailable || statusError || (kind === 2 && httpStatus >= 500);
  let rule: string | null = null;
  let severity = 'medium';
  if (unavailable) [rule, severity] = ['service_unavailable', 'critical'];
  else if (failed && (attrs.has('db.system') || attrs.has('db.system.name'))) [rule, severity] = ['database_connection_error', 'critical'];
  else if (failed) [rule, severity] = [kind === 2 ? 'api_error' : 'error', 'high'];
  else if (start !== 0n && end !== 0n && end - start > 1_000_000_000n) [rule, severity] = ['slow_request', 'medium'];
  const custom = attrs.has('firewatch.event_type') ? text('firewatch.event_type') : null;
  const override = text('firewatch.severity')?.toLowerCase();
  const owner = service ?? 'unknown_service';
  const hex = (bytes: Buffer) => bytes.toString('hex');
  const draft =
    rule === null && custom === null
      ? null
      : {
          event_type: custom ?? rule!,
          source:
            rule === 'service_unavailable' && custom === null
              ? (text('peer.service') ??
                withPort(text('server.address'), num('server.port')) ??
                withPort(text('net.peer.name'), num('net.peer.port')) ??
                text('rpc.service') ??
                'unknown_peer')
              : owner,
          severity: (override !== undefined && SEVERITIES.includes(override) ? override : severity) as EventDraft['severity'],
          timestamp,
          correlation_id: hex(span.traceId as Buffer),
          span_id: hex(span.spanId as Buffer),
        };
  return {
    traceId: hex(span.traceId as Buffer),
    spanId: hex(span.spanId as Buffer),
    timestamp,
    statusCode: status.code,
    kind,
    draft,
    failed,
    request: kind === 2 || kind === 5 || (span.parentSpanId as Buffer).length === 0 || ((span.flags as number) & 0x300) === 0x300,
  };
}

describe('cross-check with protobufjs', () => {
  it('agrees on counts, IDs, times, statuses, kinds and conversions of random requests', () => {
    fc.assert(
      fc.property(requestArb, (resources) => {
        // prepare: encode with protobufjs, and decode the same bytes with protobufjs for the expected side
        const bytes = encodeWith(types.TraceRequest, {
          resourceSpans: resources.map((resource) => ({
            ...(resource.service === null ? {} : { resource: { attributes: [kv('service.name', resource.service)] } }),
            scopeSpans: resource.scopes.map((spans) => ({ spans: spans.map(toSpanObject) })),
          })),
        });
        const oracle = decodeWith(types.TraceRequest, bytes) as {
          resourceSpans: { resource: { attributes: KeyValueObject[] } | null; scopeSpans: { spans: Record<string, unknown>[] }[] }[];
        };
        const expected: ExpectedSpan[] = [];
        let rejected = 0;
        const perService = new Map<string, { spans: number; requests: number; failedRequests: number }>();
        for (const resourceSpans of oracle.resourceSpans) {
          const serviceAttribute = resourceSpans.resource?.attributes.find((attribute) => attribute.key === 'service.name');
          const service = anyText(serviceAttribute?.value);
          for (const scope of resourceSpans.scopeSpans) {
            for (const span of scope.spans) {
              const parentLength = (span.parentSpanId as Buffer).length;
              if ((span.traceId as Buffer).length !== 16 || (span.spanId as Buffer).length !== 8 || (parentLength !== 0 && parentLength !== 8)) {
                rejected++;
                continue;
              }
              const entry = expectedFor(span, service);
              expected.push(entry);
              const key = service ?? 'unknown_service';
              const counts = perService.get(key) ?? { spans: 0, requests: 0, failedRequests: 0 };
              counts.spans++;
              if (entry.request) counts.requests++;
              if (entry.request && entry.failed) counts.failedRequests++;
              perService.set(key, counts);
            }
          }
        }

        // act
        const seen: Omit<ExpectedSpan, 'draft' | 'failed' | 'request'>[] = [];
        const result = decodeTraceRequest(bytes, undefined, {
          onSpan(span) {
            seen.push({
              traceId: span.traceIdHex(),
              spanId: span.spanIdHex(),
              timestamp: span.timestampMs(),
              statusCode: span.statusCode,
              kind: span.kind,
            });
          },
        });

        // verify
        expect(result.spans).toBe(expected.length);
        expect(result.rejected).toBe(rejected);
        expect(result.errorMessage === '').toBe(rejected === 0);
        expect(seen).toEqual(expected.map(({ draft: _draft, failed: _failed, request: _request, ...span }) => span));
        const expectedDrafts = expected.flatMap((entry) => (entry.draft === null ? [] : [entry.draft]));
        expect(result.drafts.map(({ event_type, source, severity, timestamp, correlation_id, span_id }) => ({
          event_type,
          source,
          severity,
          timestamp,
          correlation_id,
          span_id,
        }))).toEqual(expectedDrafts);
        for (const draft of result.drafts) expect(draft.message.length).toBeGreaterThan(0);
        expect(result.perService).toEqual(perService);
      }),
      { numRuns: 400 },
    );
  });
});
