// Realistic ExportTraceServiceRequests as plain objects for the oracle encoder (otlp-oracle.ts): HTTP server spans
// with the attributes real instrumentations set, a configurable share of failures. Shared by tests and
// bench/decode.bench.ts so that both measure the same shape of traffic.

export type AttributeValue = string | number | boolean;

export interface KeyValueObject {
  key: string;
  value: Record<string, unknown>;
}

/** An OTLP KeyValue object; integers become int_value, other numbers double_value. */
export function kv(key: string, value: AttributeValue): KeyValueObject {
  if (typeof value === 'string') return { key, value: { stringValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  if (Number.isInteger(value)) return { key, value: { intValue: value } };
  return { key, value: { doubleValue: value } };
}

export function attributes(record: Record<string, AttributeValue>): KeyValueObject[] {
  return Object.entries(record).map(([key, value]) => kv(key, value));
}

/** Deterministic bytes for IDs: a simple LCG, so fixtures are reproducible without a seeded RNG dependency. */
export function idBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state >>> 24;
  }
  if (out.every((byte) => byte === 0)) out[0] = 1;
  return out;
}

export interface RealisticTraceOptions {
  spans: number;
  /** Share of spans that fail (status ERROR, HTTP 500), e.g. 0.02. */
  errorRate: number;
  /** Distinguishes requests (IDs, times). */
  seed: number;
  service?: string;
  /** Epoch ms of the first span's start. */
  startMs?: number;
  /** Consecutive spans sharing one trace ID (a trace's spans usually travel together); default 1. */
  spansPerTrace?: number;
}

const ROUTES = ['/api/users/:id', '/api/orders', '/api/cart/items', '/healthz', '/api/search'];
const METHODS = ['GET', 'POST', 'GET', 'GET', 'PUT'];
const NANOS_PER_MS = 1_000_000n;

/** One ResourceSpans of `spans` HTTP server spans with ~10 attributes each. */
export function realisticTraceRequest(options: RealisticTraceOptions): Record<string, unknown> {
  const { spans: count, errorRate, seed } = options;
  const service = options.service ?? 'checkout';
  const startMs = options.startMs ?? 1_700_000_000_000;
  const errorEvery = errorRate > 0 ? Math.round(1 / errorRate) : Number.POSITIVE_INFINITY;
  const spans: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const failed = (i + 1) % errorEvery === 0;
    const route = ROUTES[i % ROUTES.length]!;
    const method = METHODS[i % METHODS.length]!;
    const start = BigInt(startMs + i) * NANOS_PER_MS + BigInt(i * 137);
    const durationNs = BigInt(2_000_000 + ((i * 7919) % 40_000_000));
    spans.push({
      traceId: idBytes(16, seed * 100_003 + Math.floor(i / (options.spansPerTrace ?? 1))),
      spanId: idBytes(8, seed * 200_003 + i),
      parentSpanId: i % 3 === 0 ? new Uint8Array(0) : idBytes(8, seed * 300_007 + i),
      name: `${method} ${route}`,
      kind: 2,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + durationNs).toString(),
      attributes: attributes({
        'http.request.method': method,
        'http.route': route,
        'url.path': route.replace(':id', String(1000 + i)),
        'url.scheme': 'https',
        'http.response.status_code': failed ? 500 : 200,
        'server.address': 'shop.example.com',
        'server.port': 443,
        'network.protocol.version': '1.1',
        'client.address': `10.0.${i % 256}.${(i * 7) % 256}`,
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) firewatch-bench/1.0',
      }),
      status: failed ? { code: 2, message: 'upstream timeout' } : { code: 0 },
      flags: 0x101,
    });
  }
  return {
    resourceSpans: [
      {
        resource: {
          attributes: attributes({
            'service.name': service,
            'service.version': '1.4.2',
            'deployment.environment.name': 'production',
            'host.name': 'checkout-7d9f8c-x2k4q',
            'telemetry.sdk.language': 'nodejs',
          }),
        },
        scopeSpans: [{ scope: { name: '@opentelemetry/instrumentation-http', version: '0.200.0' }, spans }],
      },
    ],
  };
}

/** Epoch ms the span builders start at, and the nanosecond form of a millisecond time (as protobufjs wants it). */
export const BASE_TIME_MS = 1_700_000_000_000;

export function nanos(ms: number, extraNs = 0): string {
  return (BigInt(ms) * NANOS_PER_MS + BigInt(extraNs)).toString();
}

export interface SpanInput {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  parentSpanId?: Uint8Array;
  name?: string;
  /** SpanKind number: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind?: number;
  startMs?: number;
  /** Duration in ms (end = start + durationMs); default 5. */
  durationMs?: number;
  /** Overrides the computed end time (nanosecond decimal string, '0' for none). */
  endTimeUnixNano?: string;
  startTimeUnixNano?: string;
  attributes?: Record<string, AttributeValue>;
  status?: { code?: number; message?: string };
  events?: { name: string; attributes?: Record<string, AttributeValue> }[];
}

let spanSeed = 1;

/** An OTLP Span object with valid IDs and a 5 ms INTERNAL default shape, for the oracle encoder. */
export function spanObject(input: SpanInput = {}): Record<string, unknown> {
  const seed = spanSeed++;
  const startMs = input.startMs ?? BASE_TIME_MS;
  const durationMs = input.durationMs ?? 5;
  const span: Record<string, unknown> = {
    traceId: input.traceId ?? idBytes(16, seed),
    spanId: input.spanId ?? idBytes(8, seed + 7_000_000),
    name: input.name ?? 'work',
    kind: input.kind ?? 1,
    startTimeUnixNano: input.startTimeUnixNano ?? nanos(startMs),
    endTimeUnixNano: input.endTimeUnixNano ?? nanos(startMs, Math.round(durationMs * 1e6)),
    attributes: attributes(input.attributes ?? {}),
    events: (input.events ?? []).map((event) => ({
      timeUnixNano: nanos(startMs),
      name: event.name,
      attributes: attributes(event.attributes ?? {}),
    })),
  };
  if (input.parentSpanId !== undefined) span.parentSpanId = input.parentSpanId;
  if (input.status !== undefined) span.status = input.status;
  return span;
}

export interface ResourceInput {
  /** service.name; null for a resource without one, undefined for no resource at all. */
  service?: string | null;
  resourceAttributes?: Record<string, AttributeValue>;
  /** One scope per inner array. */
  scopes: Record<string, unknown>[][];
}

/** An ExportTraceServiceRequest object from resources → scopes → spans. */
export function traceRequestObject(resources: ResourceInput[]): Record<string, unknown> {
  return {
    resourceSpans: resources.map((resource) => {
      const entry: Record<string, unknown> = {
        scopeSpans: resource.scopes.map((spans) => ({ scope: { name: 'test' }, spans })),
      };
      if (resource.service !== undefined) {
        const attrs: Record<string, AttributeValue> = { ...(resource.resourceAttributes ?? {}) };
        if (resource.service !== null) attrs['service.name'] = resource.service;
        entry.resource = { attributes: attributes(attrs) };
      }
      return entry;
    }),
  };
}
