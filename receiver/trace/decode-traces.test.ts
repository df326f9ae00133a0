import { describe, expect, it } from 'vitest';
import type { EventDraft, SpanRecord } from '../../engine/types.js';
import { eventUser } from '../../engine/users.js';
import { encodeWith, otlpTypes } from '../../test/helpers/receiver/otlp-oracle.js';
import {
  BASE_TIME_MS,
  idBytes,
  nanos,
  type SpanInput,
  spanObject,
  traceRequestObject,
} from '../../test/helpers/receiver/trace-fixtures.js';
import { concat, fixed64Field, lenField, stringField, tag, varint, varintField } from '../../test/helpers/receiver/wire-builder.js';
import { DecodeError } from '../wire/decode-error.js';
import { decodeTraceRequest } from './decode-traces.js';
import { createSpanConverter, MAX_MESSAGE_LENGTH, MAX_METADATA_VALUE_LENGTH } from './span-converter.js';
import { createSpanConverterOptions, type SpanConverterOptionsInput } from './span-converter-options.js';
import { spanRecordFromView } from './span-record.js';
import { MAX_SPAN_ATTRIBUTES_SCANNED, type SpanViewFast } from './span-view.js';

const types = otlpTypes();

function encodeSpans(spans: Record<string, unknown>[], service: string | null = 'checkout'): Buffer {
  return encodeWith(types.TraceRequest, traceRequestObject([{ service, scopes: [spans] }]));
}

/** Decodes one span with the given converter options; returns its draft (or null when it yields none). */
function convertOne(input: SpanInput, options: SpanConverterOptionsInput = {}): EventDraft | null {
  const converter = createSpanConverter(createSpanConverterOptions(options));
  const result = decodeTraceRequest(encodeSpans([spanObject(input)]), converter);
  expect(result.spans).toBe(1);
  expect(result.drafts.length).toBeLessThanOrEqual(1);
  return result.drafts[0] ?? null;
}

describe('decodeTraceRequest: structure', () => {
  it('accepts every span, in order, with hex IDs and ms times', () => {
    // prepare
    const traceId = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const spanId = Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3]);
    const failing = spanObject({
      traceId,
      spanId,
      startMs: BASE_TIME_MS,
      endTimeUnixNano: nanos(BASE_TIME_MS + 250, 999_999),
      status: { code: 2, message: 'boom' },
    });
    const bytes = encodeWith(
      types.TraceRequest,
      traceRequestObject([
        { service: 'checkout', scopes: [[spanObject(), failing], [spanObject()]] },
        { service: 'payments', scopes: [[spanObject({ status: { code: 2 } })]] },
      ]),
    );
    // act
    const result = decodeTraceRequest(bytes);
    // verify
    expect(result.spans).toBe(4);
    expect(result.rejected).toBe(0);
    expect(result.errorMessage).toBe('');
    expect(result.drafts).toHaveLength(2);
    const [first, second] = result.drafts;
    expect(first).toMatchObject({
      event_type: 'error',
      source: 'checkout',
      severity: 'high',
      message: 'boom',
      timestamp: BASE_TIME_MS + 250,
      correlation_id: '00112233445566778899aabbccddeeff',
      span_id: 'deadbeef00010203',
    });
    expect(second).toMatchObject({ source: 'payments', message: 'span "work" failed' });
    expect([...result.perService]).toEqual([
      ['checkout', { spans: 3, requests: 3, failedRequests: 1 }],
      ['payments', { spans: 1, requests: 1, failedRequests: 1 }],
    ]);
  });

  it('decodes an empty request and a request of empty resources', () => {
    expect(decodeTraceRequest(new Uint8Array(0))).toMatchObject({ spans: 0, rejected: 0, drafts: [] });
    const empty = encodeWith(types.TraceRequest, traceRequestObject([{ service: 'a', scopes: [[]] }]));
    const result = decodeTraceRequest(empty);
    expect(result.spans).toBe(0);
    expect(result.perService.size).toBe(0);
  });

  it('uses unknown_service when the resource or its service.name is missing', () => {
    for (const service of [undefined, null]) {
      const bytes = encodeWith(
        types.TraceRequest,
        traceRequestObject([{ service, scopes: [[spanObject({ status: { code: 2 } })]] }]),
      );
      const result = decodeTraceRequest(bytes);
      expect(result.drafts[0]!.source).toBe('unknown_service');
      expect(result.perService.get('unknown_service')).toEqual({ spans: 1, requests: 1, failedRequests: 1 });
    }
  });

  it('finds the resource even when it follows its spans on the wire', () => {
    // prepare: ResourceSpans { 2 scope_spans { 2 span }, 1 resource } — legal, if unusual, field order
    const span = encodeWith(types.TraceRequest.lookupType('opentelemetry.proto.trace.v1.Span'), spanObject({ status: { code: 2 } }));
    const resource = lenField(1, lenField(1, stringField(1, 'service.name'), lenField(2, stringField(1, 'late'))));
    const bytes = lenField(1, lenField(2, lenField(2, span)), resource);
    // act
    const result = decodeTraceRequest(bytes);
    // verify
    expect(result.drafts[0]!.source).toBe('late');
  });

  it('reads fields in any order and treats a known field with the wrong wire type as unknown', () => {
    const span = concat(
      fixed64Field(8, BigInt(BASE_TIME_MS) * 1_000_000n),
      lenField(15, varintField(3, 2), stringField(2, 'late status')),
      varintField(2, 5), // span_id as a varint: skipped like an unknown field, so span_id is missing
      lenField(1, idBytes(16, 1)),
      lenField(2, idBytes(8, 2)),
      lenField(6, Buffer.from('x')), // kind as LEN: ignored
    );
    const result = decodeTraceRequest(lenField(1, lenField(2, lenField(2, span))));
    expect(result.spans).toBe(1);
    expect(result.drafts[0]).toMatchObject({ message: 'late status', timestamp: BASE_TIME_MS, event_type: 'error' });
    expect(result.drafts[0]!.metadata.kind).toBe('unspecified');
  });

  it('calls onSpan for every accepted span with its view and classification', () => {
    const seen: string[] = [];
    const bytes = encodeSpans([spanObject({ name: 'a' }), spanObject({ name: 'b', status: { code: 2 } })]);
    decodeTraceRequest(bytes, undefined, {
      onSpan(span: SpanViewFast, resource, classification) {
        seen.push(`${span.name(10)}@${resource.serviceName}:${classification}`);
      },
    });
    expect(seen).toEqual(['a@checkout:0', 'b@checkout:17']);
  });

  it.each([
    ['a truncated request', (bytes: Buffer) => bytes.subarray(0, bytes.length - 3)],
    ['a span length past its scope', (bytes: Buffer) => Buffer.concat([bytes, Buffer.from([0x0a, 0x05, 0x12, 0x7f])])],
    ['an invalid wire type', (bytes: Buffer) => Buffer.concat([bytes, Buffer.from([0x0f])])],
  ])('throws DecodeError with the byte position for %s', (_name, damage) => {
    const bytes = damage(encodeSpans([spanObject(), spanObject()]));
    let caught: unknown;
    try {
      decodeTraceRequest(bytes);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DecodeError);
    expect((caught as DecodeError).position).toBeGreaterThanOrEqual(0);
    expect((caught as DecodeError).message).toMatch(/ at byte \d+$/);
  });
});

describe('decodeTraceRequest: span validation', () => {
  it('rejects spans with IDs of the wrong length and accepts the rest', () => {
    // prepare
    const spans = [
      spanObject(),
      spanObject({ status: { code: 2 } }),
      spanObject(),
      spanObject({ traceId: idBytes(5, 1), status: { code: 2 } }),
      spanObject(),
    ];
    // act
    const result = decodeTraceRequest(encodeSpans(spans));
    // verify
    expect(result.spans).toBe(4);
    expect(result.rejected).toBe(1);
    expect(result.errorMessage).toBe('span 3 in resource 0: trace_id must be 16 bytes, got 5');
    expect(result.drafts).toHaveLength(1);
    expect(result.perService.get('checkout')).toEqual({ spans: 4, requests: 4, failedRequests: 1 });
  });

  it.each([
    [{ traceId: new Uint8Array(0) }, 'trace_id must be 16 bytes, got 0'],
    [{ traceId: idBytes(17, 1) }, 'trace_id must be 16 bytes, got 17'],
    [{ spanId: new Uint8Array(0) }, 'span_id must be 8 bytes, got 0'],
    [{ spanId: idBytes(16, 1) }, 'span_id must be 8 bytes, got 16'],
    [{ parentSpanId: idBytes(4, 1) }, 'parent_span_id must be empty or 8 bytes, got 4'],
  ])('rejects %o', (input, reason) => {
    const result = decodeTraceRequest(encodeSpans([spanObject(input)]));
    expect(result).toMatchObject({ spans: 0, rejected: 1, errorMessage: `span 0 in resource 0: ${reason}` });
    expect(result.perService.size).toBe(0);
  });

  it('accepts an empty or 8-byte parent_span_id', () => {
    const result = decodeTraceRequest(
      encodeSpans([spanObject({ parentSpanId: new Uint8Array(0) }), spanObject({ parentSpanId: idBytes(8, 3) })]),
    );
    expect(result).toMatchObject({ spans: 2, rejected: 0 });
  });

  it('counts spans across scopes and resources in its messages, and summarises further rejections', () => {
    const bad = () => spanObject({ spanId: idBytes(3, 1) });
    const bytes = encodeWith(
      types.TraceRequest,
      traceRequestObject([
        { service: 'a', scopes: [[spanObject()]] },
        { service: 'b', scopes: [[spanObject(), spanObject()], [bad()]] },
        { service: 'c', scopes: [[bad(), bad()]] },
      ]),
    );
    const result = decodeTraceRequest(bytes);
    expect(result.rejected).toBe(3);
    expect(result.errorMessage).toBe('span 2 in resource 1: span_id must be 8 bytes, got 3 (and 2 more rejected spans)');
    expect([...result.perService.keys()]).toEqual(['a', 'b']);
  });
});

describe('decodeTraceRequest: requests per service', () => {
  const parent = idBytes(8, 99);
  const HAS_IS_REMOTE = 0x100;
  const IS_REMOTE = 0x200;
  it.each([
    ['a SERVER span under a local parent is a request', { kind: 2, parentSpanId: parent }, 1],
    ['a CONSUMER span under a local parent is a request', { kind: 5, parentSpanId: parent }, 1],
    ['an INTERNAL span without a parent (a local root) is a request', { kind: 1 }, 1],
    ['a CLIENT span without a parent (a local root) is a request', { kind: 3 }, 1],
    ['an INTERNAL span under a remote parent is a request', { kind: 1, parentSpanId: parent, flags: HAS_IS_REMOTE | IS_REMOTE }, 1],
    ['an INTERNAL span under a parent known to be local is not a request', { kind: 1, parentSpanId: parent, flags: HAS_IS_REMOTE }, 0],
    ['an INTERNAL span under a parent of unknown locality is not a request', { kind: 1, parentSpanId: parent }, 0],
    ['a CLIENT span under a local parent is not a request', { kind: 3, parentSpanId: parent }, 0],
  ])('%s', (_name, input, requests) => {
    const { flags, ...rest } = input as SpanInput & { flags?: number };
    const span = { ...spanObject({ ...rest, status: { code: 2 } }), ...(flags === undefined ? {} : { flags }) };
    const result = decodeTraceRequest(encodeSpans([span]));
    expect(result.perService.get('checkout')).toEqual({ spans: 1, requests, failedRequests: requests });
  });

  it('divides failed requests by requests, not spans: a failing request with healthy middleware is one failure in one', () => {
    // prepare: what auto-instrumented express records for one request answered 500 after a refused call
    const traceId = idBytes(16, 5);
    const server = spanObject({ traceId, spanId: idBytes(8, 1), kind: 2, status: { code: 2 }, attributes: { 'http.status_code': 500 } });
    const middleware = [2, 3, 4].map((n) => spanObject({ traceId, spanId: idBytes(8, n), parentSpanId: idBytes(8, 1), kind: 1 }));
    const client = spanObject({ traceId, spanId: idBytes(8, 5), parentSpanId: idBytes(8, 4), kind: 3, status: { code: 2, message: 'connect ECONNREFUSED 127.0.0.1:8081' } });
    // act
    const result = decodeTraceRequest(encodeSpans([...middleware, client, server]));
    // verify
    expect(result.perService.get('checkout')).toEqual({ spans: 5, requests: 1, failedRequests: 1 });
  });
});

describe('span conversion rules', () => {
  // Each case starts from an ordinary 5 ms INTERNAL span and changes what the rule looks at.
  const cases: { name: string; span: SpanInput; options?: SpanConverterOptionsInput; expected: Partial<EventDraft> | null }[] = [
    { name: 'healthy span', span: {}, expected: null },
    {
      name: 'server span, status ERROR, HTTP 500',
      span: {
        kind: 2,
        name: 'POST /api/users',
        status: { code: 2 },
        attributes: { 'http.request.method': 'POST', 'http.route': '/api/users', 'http.response.status_code': 500 },
      },
      expected: { event_type: 'api_error', severity: 'high', source: 'checkout', message: 'POST /api/users returned 500' },
    },
    {
      name: 'server span, status unset, legacy http.status_code 502 as a string',
      span: { kind: 2, attributes: { 'http.method': 'GET', 'http.target': '/x?y=1', 'http.status_code': '502' } },
      expected: { event_type: 'api_error', message: 'GET /x?y=1 returned 502' },
    },
    {
      name: 'server span with HTTP 404',
      span: { kind: 2, attributes: { 'http.response.status_code': 404 } },
      expected: null,
    },
    {
      name: 'server span with HTTP 500 as a double',
      span: { kind: 2, name: 'GET /a', attributes: { 'http.response.status_code': 500.0001 } },
      expected: { event_type: 'api_error', message: '"GET /a" returned 500.0001' },
    },
    {
      name: 'server span below a raised HTTP threshold',
      span: { kind: 2, attributes: { 'http.response.status_code': 500 } },
      options: { httpServerErrorStatus: 501 },
      expected: null,
    },
    {
      name: 'internal span, status ERROR with a message',
      span: { status: { code: 2, message: 'disk full' } },
      expected: { event_type: 'error', severity: 'high', message: 'disk full' },
    },
    {
      name: 'error span with an exception event',
      span: {
        status: { code: 2 },
        events: [
          { name: 'log', attributes: { 'exception.message': 'not this one' } },
          { name: 'exception', attributes: { 'exception.type': 'TypeError', 'exception.message': 'x is undefined' } },
        ],
      },
      expected: { event_type: 'error', message: 'TypeError: x is undefined' },
    },
    {
      name: 'error span without any words',
      span: { name: 'reconcile', status: { code: 2 } },
      expected: { message: 'span "reconcile" failed' },
    },
    {
      name: 'status OK is not a failure',
      span: { status: { code: 1, message: 'fine' } },
      expected: null,
    },
    {
      name: 'database span that failed',
      span: { kind: 3, name: 'SELECT users', status: { code: 2, message: 'too many connections' }, attributes: { 'db.system': 'postgresql' } },
      expected: {
        event_type: 'database_connection_error',
        severity: 'critical',
        source: 'checkout',
        message: 'postgresql call "SELECT users" failed: too many connections',
      },
    },
    {
      name: 'database span named by db.system.name',
      span: { status: { code: 2 }, attributes: { 'db.system.name': 'mysql' } },
      expected: { event_type: 'database_connection_error', message: 'mysql call "work" failed' },
    },
    {
      name: 'client span refused (status message), peer.service',
      span: {
        kind: 3,
        status: { code: 2, message: 'connect ECONNREFUSED 10.0.0.7:50051' },
        attributes: { 'peer.service': 'payments', 'server.address': '10.0.0.7' },
      },
      expected: {
        event_type: 'service_unavailable',
        severity: 'critical',
        source: 'payments',
        message: 'checkout could not reach payments: connect ECONNREFUSED 10.0.0.7:50051',
      },
    },
    {
      name: 'client span refused (exception message), server.address',
      span: {
        kind: 3,
        status: { code: 2 },
        attributes: { 'server.address': 'inventory.internal' },
        events: [{ name: 'exception', attributes: { 'exception.type': 'Error', 'exception.message': 'Connection Refused' } }],
      },
      expected: { event_type: 'service_unavailable', source: 'inventory.internal' },
    },
    {
      name: 'client span refused, no peer.service: the peer is server.address:server.port',
      span: {
        kind: 3,
        status: { code: 2, message: 'connect ECONNREFUSED 127.0.0.1:8081' },
        attributes: { 'server.address': '127.0.0.1', 'server.port': 8081 },
      },
      expected: { event_type: 'service_unavailable', source: '127.0.0.1:8081', message: 'checkout could not reach 127.0.0.1:8081: connect ECONNREFUSED 127.0.0.1:8081' },
    },
    {
      name: 'client span refused, legacy net.peer.name:net.peer.port (auto-instrumentation\'s default conventions)',
      span: { kind: 3, status: { code: 2, message: 'connect ECONNREFUSED' }, attributes: { 'net.peer.name': 'inventory', 'net.peer.port': '8081' } },
      expected: { event_type: 'service_unavailable', source: 'inventory:8081' },
    },
    {
      name: 'client span refused, IPv6 server.address with a port',
      span: { kind: 3, status: { code: 2, message: 'ECONNREFUSED' }, attributes: { 'server.address': '::1', 'server.port': 8081 } },
      expected: { event_type: 'service_unavailable', source: '[::1]:8081' },
    },
    {
      name: 'client span refused, a port that is no port is left out',
      span: { kind: 3, status: { code: 2, message: 'ECONNREFUSED' }, attributes: { 'server.address': 'inventory', 'server.port': 70000 } },
      expected: { event_type: 'service_unavailable', source: 'inventory' },
    },
    {
      name: 'client span refused (error.type only, status unset), net.peer.name',
      span: { kind: 3, attributes: { 'error.type': 'ECONNREFUSED', 'net.peer.name': 'legacy-host' } },
      expected: { event_type: 'service_unavailable', source: 'legacy-host', message: 'checkout could not reach legacy-host: ECONNREFUSED' },
    },
    {
      name: 'client span with gRPC UNAVAILABLE',
      span: {
        kind: 3,
        attributes: { 'rpc.system': 'grpc', 'rpc.service': 'shop.Payments', 'rpc.method': 'Charge', 'rpc.grpc.status_code': 14 },
      },
      expected: {
        event_type: 'service_unavailable',
        source: 'shop.Payments',
        message: 'checkout could not reach shop.Payments: gRPC UNAVAILABLE',
      },
    },
    {
      name: 'client span with HTTP 503',
      span: { kind: 3, attributes: { 'http.request.method': 'GET', 'http.response.status_code': 503, 'server.address': 'search' } },
      expected: { event_type: 'service_unavailable', source: 'search', message: 'checkout could not reach search: HTTP 503' },
    },
    {
      name: 'client span answered HTTP 429: rate_limited at the API, the caller in metadata',
      span: {
        kind: 3,
        name: 'POST',
        status: { code: 2, message: 'Too Many Requests' },
        attributes: { 'http.request.method': 'POST', 'http.response.status_code': 429, 'peer.service': 'stripe', 'server.address': 'api.stripe.com' },
      },
      expected: { event_type: 'rate_limited', severity: 'medium', source: 'stripe', message: 'stripe rate-limited checkout: Too Many Requests' },
    },
    {
      name: 'client span answered HTTP 429 (legacy http.status_code, status unset), named by server.address:server.port',
      span: { kind: 3, attributes: { 'http.status_code': 429, 'server.address': 'api.github.com', 'server.port': 443 } },
      expected: { event_type: 'rate_limited', source: 'api.github.com:443', message: 'api.github.com:443 rate-limited checkout: HTTP 429' },
    },
    {
      name: 'server span answering 429 is the API limiting its callers by design: no event',
      span: { kind: 2, attributes: { 'http.response.status_code': 429 } },
      expected: null,
    },
    {
      name: 'client span that failed with HTTP 500',
      span: {
        kind: 3,
        name: 'GET',
        status: { code: 2 },
        attributes: { 'http.request.method': 'GET', 'http.response.status_code': 500, 'server.address': 'search' },
      },
      expected: { event_type: 'error', source: 'checkout', message: 'GET search returned 500' },
    },
    {
      name: 'server span with HTTP 503 is an api_error, not a peer outage',
      span: { kind: 2, attributes: { 'http.response.status_code': 503 } },
      expected: { event_type: 'api_error' },
    },
    {
      name: 'client span refused but not failed',
      span: { kind: 3, status: { code: 0, message: 'ECONNREFUSED' } },
      expected: null,
    },
    {
      name: 'slow server span',
      span: { kind: 2, durationMs: 1500, attributes: { 'http.request.method': 'GET', 'http.route': '/slow' } },
      expected: { event_type: 'slow_request', severity: 'medium', message: 'GET /slow took 1500 ms (threshold 1000 ms)' },
    },
    {
      name: 'span just at the threshold',
      span: { durationMs: 1000 },
      expected: null,
    },
    {
      name: 'slow span under a raised threshold',
      span: { durationMs: 1500 },
      options: { slowSpanThresholdMs: 2000 },
      expected: null,
    },
    {
      name: 'slow span with the rule disabled',
      span: { durationMs: 10_000_000 },
      options: { slowSpanThresholdMs: 0 },
      expected: null,
    },
    {
      name: 'slow and failed: the failure wins',
      span: { durationMs: 5000, status: { code: 2, message: 'timeout' } },
      expected: { event_type: 'error', message: 'timeout' },
    },
    {
      name: 'firewatch.event_type on a healthy span',
      span: { attributes: { 'firewatch.event_type': 'quality_check_failed' } },
      expected: { event_type: 'quality_check_failed', severity: 'medium', source: 'checkout', message: 'span "work" reported quality_check_failed' },
    },
    {
      name: 'firewatch.event_type and firewatch.severity in capitals',
      span: { status: { code: 2, message: 'step 3 failed' }, attributes: { 'firewatch.event_type': 'workflow_failed', 'firewatch.severity': 'CRITICAL' } },
      expected: { event_type: 'workflow_failed', severity: 'critical', message: 'step 3 failed' },
    },
    {
      name: 'firewatch.severity alone overrides a rule’s severity',
      span: { status: { code: 2 }, attributes: { 'firewatch.severity': 'Low' } },
      expected: { event_type: 'error', severity: 'low' },
    },
    {
      name: 'firewatch.severity that is no severity is ignored',
      span: { status: { code: 2 }, attributes: { 'firewatch.severity': 'apocalyptic' } },
      expected: { event_type: 'error', severity: 'high' },
    },
    {
      name: 'empty firewatch.event_type is ignored',
      span: { attributes: { 'firewatch.event_type': '' } },
      expected: null,
    },
    {
      name: 'firewatch attributes switched off',
      span: { attributes: { 'firewatch.event_type': 'quality_check_failed' } },
      options: { honourFirewatchAttributes: false },
      expected: null,
    },
    {
      name: 'renamed event types and severities',
      span: { status: { code: 2 } },
      options: { eventTypes: { error: 'span_error' }, severities: { error: 'MEDIUM' } },
      expected: { event_type: 'span_error', severity: 'medium' },
    },
  ];

  it.each(cases)('$name', ({ span, options, expected }) => {
    const draft = convertOne(span, options);
    if (expected === null) expect(draft).toBeNull();
    else expect(draft).toMatchObject(expected);
  });

  it('marks a rate-limited call as failed, with its caller, for root cause and components', () => {
    // prepare
    const bytes = encodeSpans([spanObject({ kind: 3, attributes: { 'http.response.status_code': 429, 'peer.service': 'maps' } })]);
    const records: SpanRecord[] = [];
    // act
    const result = decodeTraceRequest(bytes, undefined, {
      onSpan: (span, resource, classification) => records.push(spanRecordFromView(span, resource.serviceName ?? '', classification)),
    });
    // verify
    expect(result.drafts[0]!.metadata).toMatchObject({ caller: 'checkout', peer: 'maps', kind: 'client', status_code: 429 });
    expect(records[0]).toMatchObject({ failed: true, peer: 'maps' });
  });

  it('carries the workflow a span ran: name, id, and whether it is critical (a boolean, from a boolean or text)', () => {
    const spans: SpanInput[] = [
      { attributes: { 'firewatch.event_type': 'workflow_failed', 'workflow.name': 'payouts', 'workflow.id': 'run-7', 'workflow.critical': true } },
      { attributes: { 'firewatch.event_type': 'workflow_failed', 'workflow.critical': 'TRUE' } },
      { attributes: { 'firewatch.event_type': 'workflow_failed', 'workflow.critical': false } },
    ];
    const drafts = decodeTraceRequest(encodeSpans(spans.map((input) => spanObject(input)))).drafts;
    expect(drafts.map((d) => [d.metadata['workflow.name'], d.metadata['workflow.id'], d.metadata['workflow.critical']])).toEqual([
      ['payouts', 'run-7', true],
      [undefined, undefined, true],
      [undefined, undefined, false],
    ]);
  });

  it('puts what on-call needs into metadata', () => {
    const draft = convertOne({
      kind: 3,
      name: 'POST',
      durationMs: 12.3456,
      status: { code: 2, message: 'connect ECONNREFUSED' },
      attributes: {
        'http.request.method': 'POST',
        'url.path': '/charge',
        'peer.service': 'payments',
        'rpc.system': 'grpc',
        'rpc.grpc.status_code': 2,
        'enduser.id': 'u-42',
        'error.type': 'ECONNREFUSED',
      },
      events: [{ name: 'exception', attributes: { 'exception.type': 'Error', 'exception.message': 'connect ECONNREFUSED' } }],
    });
    expect(draft!.metadata).toEqual({
      span_name: 'POST',
      kind: 'client',
      status_message: 'connect ECONNREFUSED',
      'http.method': 'POST',
      'http.route': '/charge',
      duration_ms: 12.346,
      'exception.type': 'Error',
      'exception.message': 'connect ECONNREFUSED',
      'error.type': 'ECONNREFUSED',
      'rpc.system': 'grpc',
      'rpc.grpc.status_code': 2,
      peer: 'payments',
      'enduser.id': 'u-42',
      caller: 'checkout',
    });
  });

  it.each([
    ['enduser.id', { 'enduser.id': 'e-1' }, 'e-1'],
    ['user.id', { 'user.id': 'u-7' }, 'u-7'],
    ['session.id', { 'session.id': 's-9' }, 's-9'],
    ['all three: enduser.id first', { 'session.id': 's-9', 'user.id': 'u-7', 'enduser.id': 'e-1' }, 'e-1'],
    ['user.id before session.id', { 'session.id': 's-9', 'user.id': 'u-7' }, 'u-7'],
  ])('names the user of a failing span by %s, in its event and its span record', (_name, attributes, user) => {
    // prepare
    const bytes = encodeSpans([spanObject({ status: { code: 2 }, attributes })]);
    const records: SpanRecord[] = [];
    // act
    const result = decodeTraceRequest(bytes, undefined, {
      onSpan: (span, resource, classification) => records.push(spanRecordFromView(span, resource.serviceName ?? '', classification)),
    });
    // verify: what the engine reads (users.ts eventUser for events, SpanRecord.user for spans)
    expect(eventUser(result.drafts[0]!.metadata)).toBe(user);
    expect(records[0]!.user).toBe(user);
  });

  it('names the peer of a client span the same way in its event and its span record', () => {
    // prepare: what @opentelemetry/instrumentation-http sets on a refused call (no peer.service)
    const bytes = encodeSpans([
      spanObject({ kind: 3, status: { code: 2, message: 'connect ECONNREFUSED 127.0.0.1:8081' }, attributes: { 'server.address': '127.0.0.1', 'server.port': 8081 } }),
    ]);
    const records: SpanRecord[] = [];
    // act
    const result = decodeTraceRequest(bytes, undefined, {
      onSpan: (span, resource, classification) => records.push(spanRecordFromView(span, resource.serviceName ?? '', classification)),
    });
    // verify
    expect(result.drafts[0]).toMatchObject({ source: '127.0.0.1:8081', metadata: { peer: '127.0.0.1:8081', caller: 'checkout' } });
    expect(records[0]!.peer).toBe('127.0.0.1:8081');
  });

  it('adds duration and threshold to slow_request events', () => {
    const draft = convertOne({ durationMs: 1234.5 });
    expect(draft!.metadata).toMatchObject({ duration_ms: 1234.5, threshold_ms: 1000 });
  });

  it('timestamps with the end time, else the start time, else 0', () => {
    const failed = { status: { code: 2 } };
    expect(convertOne({ ...failed, startMs: BASE_TIME_MS, durationMs: 7 })!.timestamp).toBe(BASE_TIME_MS + 7);
    expect(convertOne({ ...failed, startMs: BASE_TIME_MS, endTimeUnixNano: '0' })!.timestamp).toBe(BASE_TIME_MS);
    expect(convertOne({ ...failed, startTimeUnixNano: '0', endTimeUnixNano: '0' })!.timestamp).toBe(0);
  });

  it('keeps ms precision exactly at the boundaries of 64-bit nanosecond times', () => {
    const endNs = 1_700_000_000_123_999_999n;
    const draft = convertOne({ status: { code: 2 }, startTimeUnixNano: '1', endTimeUnixNano: endNs.toString() });
    expect(draft!.timestamp).toBe(Number(endNs / 1_000_000n));
  });
});

describe('span conversion bounds', () => {
  it('cuts long untrusted strings and keeps them as data', () => {
    const huge = 'x'.repeat(10_000);
    const draft = convertOne({
      name: `evil\u001b[2J${huge}`,
      status: { code: 2, message: `\u001b]0;pwned\u0007${huge}` },
      attributes: { 'firewatch.event_type': 'y'.repeat(500) },
    });
    expect(draft!.message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(draft!.message.startsWith('\u001b]0;pwned')).toBe(true);
    expect(draft!.event_type.length).toBe(64);
    for (const value of Object.values(draft!.metadata)) {
      if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(MAX_METADATA_VALUE_LENGTH);
    }
  });

  it('never cuts a surrogate pair in half', () => {
    const draft = convertOne({ status: { code: 2, message: `${'a'.repeat(MAX_MESSAGE_LENGTH - 1)}😀😀` } });
    expect(draft!.message.length).toBe(MAX_MESSAGE_LENGTH - 1);
  });

  it('turns invalid UTF-8 into replacement characters instead of failing', () => {
    const span = concat(
      lenField(1, idBytes(16, 1)),
      lenField(2, idBytes(8, 1)),
      lenField(15, varintField(3, 2), lenField(2, Buffer.from([0x66, 0xff, 0xfe, 0x6f]))),
    );
    const result = decodeTraceRequest(lenField(1, lenField(2, lenField(2, span))));
    expect(result.drafts[0]!.message).toBe('f\ufffd\ufffdo');
  });

  it(`compares only the first ${MAX_SPAN_ATTRIBUTES_SCANNED} attributes of a span`, () => {
    const filler: Record<string, string> = {};
    for (let i = 0; i < MAX_SPAN_ATTRIBUTES_SCANNED; i++) filler[`filler.${i}`] = 'v';
    const late = convertOne({ attributes: { ...filler, 'firewatch.event_type': 'late' } });
    expect(late).toBeNull();
    const early = convertOne({ attributes: { 'firewatch.event_type': 'early', ...filler } });
    expect(early!.event_type).toBe('early');
  });

  it('reads a key without a value as present but empty', () => {
    const keyOnly = lenField(9, stringField(1, 'firewatch.event_type'));
    const span = concat(lenField(1, idBytes(16, 1)), lenField(2, idBytes(8, 1)), keyOnly, concat(tag(5, 2), varint(1), Buffer.from('n')));
    const result = decodeTraceRequest(lenField(1, lenField(2, lenField(2, span))));
    expect(result).toMatchObject({ spans: 1, drafts: [] });
  });
});
