// Shared builders for the engine's tests (not part of the engine; imported only by *.test.ts).

import { builtinRules } from '../../engine/builtin-rules.js';
import { createEngine } from '../../engine/engine.js';
import type { Engine, EngineOptions } from '../../engine/engine.js';
import { isRequestSpan } from '../../engine/types.js';
import type { DetectionRule, EventDraft, IngestResult, ServiceTotals, SpanRecord } from '../../engine/types.js';

/** 2025-02-05 10:30:00 UTC: the seed's example time. */
export const T0 = Date.UTC(2025, 1, 5, 10, 30, 0);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

export function draft(overrides: Partial<EventDraft> = {}): EventDraft {
  return {
    timestamp: T0,
    event_type: 'error',
    source: 'checkout',
    severity: 'high',
    message: 'POST /api/orders returned 500',
    metadata: {},
    correlation_id: '',
    span_id: '',
    ...overrides,
  };
}

/**
 * `count` drafts `spacingMs` apart starting at `start`, each with a distinct trace ID: traceId(firstTrace + i).
 * Bursts meant to be unrelated failures need distinct `firstTrace`s (shared trace IDs correlate them).
 */
export function burst(
  count: number,
  start: number,
  spacingMs: number,
  overrides: Partial<EventDraft> = {},
  firstTrace = 0,
): EventDraft[] {
  return Array.from({ length: count }, (_, i) =>
    draft({ timestamp: start + i * spacingMs, correlation_id: traceId(firstTrace + i), ...overrides }),
  );
}

export function traceId(n: number): string {
  return n.toString(16).padStart(32, '0');
}

export interface TestClock {
  now: number;
  (): number;
}

export function testClock(start: number): TestClock {
  const clock = (() => clock.now) as TestClock;
  clock.now = start;
  return clock;
}

export function testEngine(
  options: Partial<EngineOptions> & { rules?: readonly DetectionRule[] } = {},
  clock: TestClock = testClock(T0 + 10 * MINUTE),
): { engine: Engine; clock: TestClock } {
  const engine = createEngine({ ...options, rules: options.rules ?? builtinRules(), clock });
  return { engine, clock };
}

export function customRule(overrides: Partial<DetectionRule> = {}): DetectionRule {
  return {
    rule_id: 'custom',
    name: 'Custom',
    description: 'A custom rule',
    incident_type: 'error_burst',
    severity: 'high',
    error_threshold: 3,
    time_window_seconds: 60,
    check_interval_seconds: 60,
    require_consecutive: false,
    min_components_affected: 1,
    enabled: true,
    match: { event_types: ['error'] },
    group_by: 'source',
    builtin: false,
    ...overrides,
  };
}

export function spanId(n: number): string {
  return n.toString(16).padStart(16, '0');
}

export function span(overrides: Partial<SpanRecord> = {}): SpanRecord {
  return {
    trace_id: traceId(1),
    span_id: spanId(1),
    parent_span_id: '',
    service: 'checkout',
    name: 'POST /api/orders',
    kind: 2,
    start_ms: T0,
    end_ms: T0 + 120.5,
    status_code: 0,
    status_message: '',
    exception_type: '',
    exception_message: '',
    http_status: 200,
    peer: '',
    failed: false,
    user: '',
    attributes_wire: new Uint8Array(0),
    attributes_sent: 0,
    ...overrides,
  };
}

/** The services of the cascade, caller first: frontend → checkout → payments. */
export const CASCADE_SERVICES = ['frontend', 'checkout', 'payments'] as const;
export type CascadeService = (typeof CASCADE_SERVICES)[number];

/** What one service exports for one trace of a cascade: its spans and its error event. */
export interface ServiceExport {
  service: CascadeService;
  trace: number;
  spans: SpanRecord[];
  events: EventDraft[];
}

/**
 * One failing request through frontend → checkout → payments (trace `traceId(n)`), failing at payments (the processor
 * timed out) and therefore everywhere above it. Per service: a server span (failed), the client span to the next
 * service (failed), and payments' own successful internal span; one api_error event per service (its server span).
 */
export function cascadeTrace(n: number, start: number = T0): Record<CascadeService, ServiceExport> {
  const trace = traceId(n);
  const id = (k: number) => spanId(n * 16 + k);
  const user = `user-${n}`;
  const at = start + n * 100;
  const fail = { failed: true, status_code: 2, trace_id: trace };
  const feServer = span({ ...fail, span_id: id(1), service: 'frontend', name: 'GET /checkout', kind: 2, start_ms: at, end_ms: at + 300, http_status: 500, user });
  const feClient = span({ ...fail, span_id: id(2), parent_span_id: id(1), service: 'frontend', name: 'POST checkout', kind: 3, start_ms: at + 1, end_ms: at + 290, http_status: 500, peer: 'checkout' });
  const coServer = span({ ...fail, span_id: id(3), parent_span_id: id(2), service: 'checkout', name: 'POST /orders', kind: 2, start_ms: at + 5, end_ms: at + 280, http_status: 500 });
  const coClient = span({ ...fail, span_id: id(4), parent_span_id: id(3), service: 'checkout', name: 'POST payments/charge', kind: 3, start_ms: at + 6, end_ms: at + 270, http_status: 504, peer: 'payments' });
  const payServer = span({
    ...fail,
    span_id: id(5),
    parent_span_id: id(4),
    service: 'payments',
    name: 'POST /charge',
    kind: 2,
    start_ms: at + 10,
    end_ms: at + 260,
    http_status: 504,
    status_message: 'card processor timed out',
    exception_type: 'ProcessorTimeout',
    exception_message: 'no answer within 250 ms',
  });
  const payInternal = span({ trace_id: trace, span_id: id(6), parent_span_id: id(5), service: 'payments', name: 'validate card', kind: 1, start_ms: at + 11, end_ms: at + 12, http_status: 0 });
  const event = (service: CascadeService, server: SpanRecord, metadata: EventDraft['metadata'] = {}): EventDraft =>
    draft({
      timestamp: server.start_ms,
      event_type: 'api_error',
      source: service,
      message: `${server.name} returned ${server.http_status}`,
      metadata,
      correlation_id: trace,
      span_id: server.span_id,
    });
  return {
    frontend: { service: 'frontend', trace: n, spans: [feServer, feClient], events: [event('frontend', feServer, { 'enduser.id': user })] },
    checkout: { service: 'checkout', trace: n, spans: [coServer, coClient], events: [event('checkout', coServer)] },
    payments: { service: 'payments', trace: n, spans: [payServer, payInternal], events: [event('payments', payServer)] },
  };
}

/** Ingests exports as one batch: their events as drafts, their spans and per-service totals as the context. */
export function ingestExports(engine: Engine, exports: readonly ServiceExport[]): IngestResult {
  const drafts = exports.flatMap((e) => e.events);
  const spans = exports.flatMap((e) => e.spans);
  const serviceTotals = new Map<string, ServiceTotals>();
  for (const s of spans) {
    const totals = serviceTotals.get(s.service) ?? { requests: 0, failedRequests: 0 };
    // Parents in another service's export are remote: what the SDK's span flags would say.
    if (isRequestSpan(s.kind, s.parent_span_id !== '', remoteParent(s, spans))) {
      totals.requests++;
      if (s.failed) totals.failedRequests++;
    }
    serviceTotals.set(s.service, totals);
  }
  return engine.ingest(drafts, { spans, serviceTotals });
}

/** Whether `span`'s parent is not among `spans` of its own service (it came from another process). */
function remoteParent(span: SpanRecord, spans: readonly SpanRecord[]): boolean {
  return !spans.some((other) => other.span_id === span.parent_span_id && other.service === span.service);
}
