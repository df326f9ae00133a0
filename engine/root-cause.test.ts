import { describe, expect, it } from 'vitest';

import { findRootSpan, rootSpanOf, sameRootSpan } from './root-cause.js';
import { SECOND, T0, burst, cascadeTrace, draft, ingestExports, span, spanId, testEngine, traceId } from '../test/helpers/engine-fixtures.js';
import type { SpanRecord } from './types.js';

function cascadeSpans(n: number): SpanRecord[] {
  const trace = cascadeTrace(n);
  return [...trace.frontend.spans, ...trace.checkout.spans, ...trace.payments.spans];
}

describe('findRootSpan', () => {
  it('is the failing span with no failing descendant: payments, not the services it made fail', () => {
    const finding = findRootSpan([cascadeSpans(0)]);
    expect(finding?.span).toMatchObject({ service: 'payments', name: 'POST /charge', exception_type: 'ProcessorTimeout' });
    expect(finding?.service).toBe('payments');
    expect(finding?.failingSpans).toBe(5);
  });

  it('picks the earliest start among several deepest failing spans', () => {
    const root = span({ span_id: spanId(1), failed: true, start_ms: T0 });
    const late = span({ span_id: spanId(2), parent_span_id: spanId(1), failed: true, service: 'b', start_ms: T0 + 50 });
    const early = span({ span_id: spanId(3), parent_span_id: spanId(1), failed: true, service: 'c', start_ms: T0 + 20 });
    expect(findRootSpan([[root, late, early]])?.span.service).toBe('c');
  });

  it('prefers the trace with the most failing spans, whatever the order', () => {
    const small = [span({ trace_id: traceId(1), span_id: spanId(1), failed: true, service: 'cache', start_ms: T0 - 1000 })];
    const big = cascadeSpans(2);
    expect(findRootSpan([small, big])?.span.service).toBe('payments');
    expect(findRootSpan([big, small])?.span.service).toBe('payments');
  });

  it('blames the peer of a failing client span nobody answered (no child span)', () => {
    // checkout called payments, connection refused: payments sent no span at all
    const server = span({ span_id: spanId(1), service: 'checkout', failed: true });
    const client = span({ span_id: spanId(2), parent_span_id: spanId(1), service: 'checkout', kind: 3, peer: 'payments', failed: true, status_message: 'connect ECONNREFUSED' });
    const finding = findRootSpan([[server, client]]);
    expect(finding?.span).toBe(client);
    expect(finding?.service).toBe('payments');
    expect(rootSpanOf(finding!.span)).toEqual({
      service: 'checkout',
      span_name: 'POST /api/orders',
      span_id: spanId(2),
      trace_id: traceId(1),
      status_message: 'connect ECONNREFUSED',
      exception_type: '',
    });
  });

  it('keeps the span service when the failing client span has an (ok) child', () => {
    const client = span({ span_id: spanId(2), kind: 3, peer: 'payments', failed: true });
    const child = span({ span_id: spanId(3), parent_span_id: spanId(2), service: 'payments', failed: false });
    expect(findRootSpan([[client, child]])?.service).toBe('checkout');
  });

  it('ignores duplicate spans, spans whose parent is missing, and answers undefined without failures', () => {
    const orphan = span({ span_id: spanId(5), parent_span_id: spanId(99), failed: true, service: 'orphan' });
    expect(findRootSpan([[orphan, orphan]])?.failingSpans).toBe(1);
    expect(findRootSpan([[span()]])).toBeUndefined();
    expect(findRootSpan([])).toBeUndefined();
    const loop = span({ span_id: spanId(7), parent_span_id: spanId(7), failed: true });
    expect(findRootSpan([[loop]])).toBeUndefined();
  });

  it('sameRootSpan compares every field', () => {
    const a = rootSpanOf(span());
    expect(sameRootSpan(a, { ...a })).toBe(true);
    expect(sameRootSpan(a, { ...a, status_message: 'x' })).toBe(false);
    expect(sameRootSpan(undefined, undefined)).toBe(true);
    expect(sameRootSpan(a, undefined)).toBe(false);
  });
});

describe('root cause in the engine', () => {
  it('names the root span and sets primary_source to its service; the distribution keeps the counts', () => {
    // prepare: the frontend reports 3 errors per trace, so by counts it would be the primary source
    const { engine } = testEngine();
    const traces = Array.from({ length: 10 }, (_, n) => cascadeTrace(n));
    const exports = traces.flatMap((t) => [
      { ...t.frontend, events: [...t.frontend.events, ...t.frontend.events, ...t.frontend.events] },
      t.checkout,
      t.payments,
    ]);

    // act
    const result = ingestExports(engine, exports);

    // verify
    const incident = result.incidents.at(-1)!;
    expect(incident.root_cause.source_distribution).toEqual({ frontend: 30, checkout: 10, payments: 10 });
    expect(incident.root_cause.primary_source).toBe('payments');
    expect(incident.root_cause.root_span).toEqual({
      service: 'payments',
      span_name: 'POST /charge',
      span_id: traces[0]!.payments.spans[0]!.span_id,
      trace_id: traceId(0),
      status_message: 'card processor timed out',
      exception_type: 'ProcessorTimeout',
    });
  });

  it('finds the root span when the spans arrive after the incident opened, and moves it as deeper spans come', () => {
    // prepare: checkout's errors open the incident; no spans yet
    const { engine } = testEngine();
    const traces = Array.from({ length: 10 }, (_, n) => cascadeTrace(n));
    const opened = engine.ingest(traces.flatMap((t) => t.checkout.events));
    expect(opened.incidents[0]!.root_cause.root_span).toBeUndefined();
    expect(opened.incidents[0]!.root_cause.primary_source).toBe('checkout');

    // act 1: checkout's spans: its client span to payments failed and nobody answered (yet)
    const checkoutSpans = engine.ingest([], { spans: traces.flatMap((t) => t.checkout.spans) });
    // act 2: payments' spans arrive
    const paymentsSpans = engine.ingest([], { spans: traces.flatMap((t) => t.payments.spans) });
    // act 3: more spans of the same traces that change nothing
    const unchanged = engine.ingest([], { spans: traces.flatMap((t) => t.frontend.spans) });

    // verify
    expect(checkoutSpans.incidents[0]!.root_cause.root_span).toMatchObject({ service: 'checkout', span_name: 'POST payments/charge' });
    expect(checkoutSpans.incidents[0]!.root_cause.primary_source).toBe('payments'); // the peer that did not answer
    expect(paymentsSpans.incidents[0]!.root_cause.root_span).toMatchObject({ service: 'payments', span_name: 'POST /charge' });
    expect(unchanged.incidents.map((i) => i.users_affected)).toEqual([10]); // the frontend spans bring its users only
    expect(unchanged.traceSpans).toHaveLength(20);
  });

  it('logs- or metrics-only incidents keep the distribution answer', () => {
    const { engine } = testEngine();
    const result = engine.ingest(burst(10, T0, SECOND, { source: 'worker', correlation_id: '' }));
    expect(result.incidents[0]!.root_cause).toEqual({
      primary_error_type: 'error',
      primary_source: 'worker',
      error_distribution: { error: 10 },
      source_distribution: { worker: 10 },
    });
  });

  it('looks at no more than rootCauseMaxTraces traces: the incident’s first ones with spans', () => {
    // prepare: the incident's first trace failed at cache; the later ones (beyond the cap) at payments
    const { engine } = testEngine({ rootCauseMaxTraces: 1 });
    const cache = span({ trace_id: traceId(0), span_id: spanId(9000), service: 'cache', failed: true });
    const spans = [cache, ...Array.from({ length: 9 }, (_, n) => cascadeSpans(n + 1)).flat()];

    // act
    const result = engine.ingest(burst(10, T0, SECOND), { spans });

    // verify
    expect(result.incidents[0]!.root_cause.root_span?.service).toBe('cache');
  });

  it('a batch with many spans of an incident trace gives one update, with the final root span', () => {
    const { engine } = testEngine();
    engine.ingest(burst(10, T0, SECOND));
    const result = engine.ingest([draft({ correlation_id: traceId(1) })], {
      spans: Array.from({ length: 50 }, (_, i) => span({ trace_id: traceId(1), span_id: spanId(100 + i), failed: i === 49 })),
    });
    expect(result.incidents).toHaveLength(1);
    expect(result.incidents[0]!.root_cause.root_span?.span_id).toBe(spanId(149));
  });
});
