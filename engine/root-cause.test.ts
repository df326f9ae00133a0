import { describe, expect, it } from 'vitest';

import { causeOfSpan, describeCause, findRootSpan, rootSpanOf, sameRootSpan } from './root-cause.js';
import { SECOND, T0, burst, cascadeTrace, draft, ingestExports, span, spanId, testEngine, traceId } from '../test/helpers/engine-fixtures.js';
import type { EventDraft, SpanRecord } from './types.js';

function cascadeSpans(n: number): SpanRecord[] {
  const trace = cascadeTrace(n);
  return [...trace.frontend.spans, ...trace.checkout.spans, ...trace.payments.spans];
}

describe('findRootSpan', () => {
  it('is the failing span with no failing descendant: payments, not the services it made fail', () => {
    const finding = findRootSpan([cascadeSpans(0)]);
    expect(finding?.span).toMatchObject({ service: 'payments', name: 'POST /charge', exception_type: 'ProcessorTimeout' });
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

  it('locates a refused call where its event says, the peer, and the root span names the caller', () => {
    // checkout called payments, connection refused: payments sent no span at all
    const server = span({ span_id: spanId(1), service: 'checkout', failed: true });
    const client = span({ span_id: spanId(2), parent_span_id: spanId(1), service: 'checkout', kind: 3, peer: 'payments', failed: true, status_message: 'connect ECONNREFUSED' });
    const refused = { ...draft({ event_type: 'service_unavailable', source: 'payments', severity: 'critical', span_id: spanId(2) }), seq: 1, event_id: 'evt_1', received_at: T0, incident_id: '' };
    const log = { ...draft({ event_type: 'error', source: 'checkout', severity: 'high', span_id: spanId(2) }), seq: 2, event_id: 'evt_2', received_at: T0, incident_id: '' };
    const finding = findRootSpan([[server, client]]);
    expect(finding?.span).toBe(client);
    const cause = causeOfSpan(client, [log, refused]); // an ERROR log written inside the span carries its ID too
    expect(cause).toEqual({ event_type: 'service_unavailable', source: 'payments' });
    expect(rootSpanOf(client, cause!.source)).toEqual({
      service: 'payments',
      caller: 'checkout',
      span_name: 'POST /api/orders',
      span_id: spanId(2),
      trace_id: traceId(1),
      status_message: 'connect ECONNREFUSED',
      exception_type: '',
      peer: 'payments',
    });
  });

  it('without the span\'s own event there is no cause to read, and the root span is the span\'s service\'s', () => {
    const client = span({ span_id: spanId(2), kind: 3, peer: 'payments', failed: true });
    const other = { ...draft({ span_id: spanId(9) }), seq: 1, event_id: 'evt_1', received_at: T0, incident_id: '' };
    expect(causeOfSpan(client, [other])).toBeUndefined();
    expect(rootSpanOf(client)).not.toHaveProperty('caller');
    expect(rootSpanOf(client).service).toBe('checkout');
  });

  it('describes a cause in one line, the same everywhere', () => {
    expect(describeCause('database_connection_error', 'payments')).toBe('database_connection_error on payments');
    expect(describeCause('', '')).toBe('- on -');
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
    expect(sameRootSpan(a, { ...a, caller: 'frontend' })).toBe(false);
    expect(sameRootSpan(a, { ...a, peer: 'pg-main' })).toBe(false);
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
    // Its failing call has no event of its own here (the helper gives server spans events only): checkout it is.
    expect(checkoutSpans.incidents[0]!.root_cause.primary_source).toBe('checkout');
    expect(paymentsSpans.incidents[0]!.root_cause.primary_source).toBe('payments');
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

describe('one root cause, told the same way in root_cause, the title, the status history and the notes', () => {
  /**
   * A request through frontend → checkout → payments whose database query fails at payments: every service above
   * fails too (api_error on its server span); payments' failing database call (a CLIENT span naming its peer, the
   * database host) is the deepest failure, and its event (database_connection_error) is sourced at payments.
   */
  function databaseOutage(n: number) {
    const trace = traceId(n);
    const id = (k: number) => spanId(n * 16 + k);
    const at = T0 + n * 100;
    const fail = { trace_id: trace, failed: true, status_code: 2 };
    const spans = [
      span({ ...fail, span_id: id(1), service: 'frontend', name: 'GET /checkout', kind: 2, start_ms: at, http_status: 500 }),
      span({ ...fail, span_id: id(2), parent_span_id: id(1), service: 'checkout', name: 'POST /orders', kind: 2, start_ms: at + 1, http_status: 500 }),
      span({ ...fail, span_id: id(3), parent_span_id: id(2), service: 'payments', name: 'POST /charge', kind: 2, start_ms: at + 2, http_status: 500 }),
      span({ ...fail, span_id: id(4), parent_span_id: id(3), service: 'payments', name: 'SELECT cards', kind: 3, start_ms: at + 3, peer: 'payments-db', status_message: 'too many connections' }),
    ];
    const event = (s: SpanRecord, type: string) =>
      draft({ timestamp: s.start_ms, event_type: type, source: s.service, correlation_id: trace, span_id: s.span_id, severity: type === 'api_error' ? 'high' : 'critical' });
    const events = [event(spans[0]!, 'api_error'), event(spans[1]!, 'api_error'), event(spans[2]!, 'api_error'), event(spans[3]!, 'database_connection_error')];
    return { spans, events };
  }

  it('names the type and the place of the root span\'s own event: database_connection_error on payments, not its peer', () => {
    // prepare
    const { engine } = testEngine();
    const requests = Array.from({ length: 10 }, (_, n) => databaseOutage(n));

    // act
    const result = engine.ingest(requests.flatMap((r) => r.events), { spans: requests.flatMap((r) => r.spans) });

    // verify: api_error is the most frequent type, payments-db the database's host; neither is where it started
    const incident = result.incidents.at(-1)!;
    expect(incident.root_cause).toMatchObject({ primary_error_type: 'database_connection_error', primary_source: 'payments' });
    expect(incident.root_cause.root_span).toMatchObject({ service: 'payments', span_name: 'SELECT cards' });
    expect(incident.root_cause.root_span?.caller).toBeUndefined();
    expect(incident.status_history.map((change) => change.reason)).toContain('root cause computed: database_connection_error on payments');
    expect(incident.title).toBe('Error Burst - payments - 2025-02-05 10:40');
  });

  it('places a call nobody answered at the peer its event names, and the root span names the caller', () => {
    // prepare: checkout's calls to inventory are refused; checkout answers 500
    const { engine } = testEngine();
    const spans: SpanRecord[] = [];
    const drafts: EventDraft[] = [];
    for (let n = 0; n < 10; n++) {
      const server = span({ trace_id: traceId(n), span_id: spanId(2 * n + 1), service: 'checkout', kind: 2, failed: true, start_ms: T0 + n, http_status: 500 });
      const client = span({ trace_id: traceId(n), span_id: spanId(2 * n + 2), parent_span_id: server.span_id, service: 'checkout', name: 'GET', kind: 3, failed: true, start_ms: T0 + n + 0.5, peer: 'inventory:8081', status_message: 'connect ECONNREFUSED' });
      spans.push(server, client);
      drafts.push(draft({ event_type: 'api_error', source: 'checkout', correlation_id: server.trace_id, span_id: server.span_id, timestamp: server.start_ms }));
      drafts.push(draft({ event_type: 'service_unavailable', severity: 'critical', source: 'inventory:8081', metadata: { kind: 'client', caller: 'checkout' }, correlation_id: client.trace_id, span_id: client.span_id, timestamp: client.start_ms }));
    }

    // act
    const result = engine.ingest(drafts, { spans });

    // verify
    const incident = result.incidents.at(-1)!;
    expect(incident.root_cause).toMatchObject({ primary_error_type: 'service_unavailable', primary_source: 'inventory:8081' });
    expect(incident.root_cause.root_span).toMatchObject({ service: 'inventory:8081', caller: 'checkout', span_name: 'GET' });
    expect(incident.title.startsWith(`${incident.incident_type === 'service_down' ? 'Service Down' : 'Error Burst'} - inventory:8081 - `)).toBe(true);
  });

  it('when the root cause moves, a note says from what to what, once, and the title follows it', () => {
    // prepare: checkout's and frontend's errors arrive first, without spans
    const { engine } = testEngine();
    const requests = Array.from({ length: 10 }, (_, n) => databaseOutage(n));
    const opened = engine.ingest(requests.flatMap((r) => r.events.slice(0, 2)));
    expect(opened.incidents[0]!.status_history.at(-1)!.reason).toBe('root cause computed: api_error on frontend');

    // act: payments exports its spans and events; then the same spans again
    const moved = engine.ingest(requests.flatMap((r) => r.events.slice(2)), { spans: requests.flatMap((r) => r.spans) });
    const again = engine.ingest([], { spans: requests.flatMap((r) => r.spans) });

    // verify
    const incident = moved.incidents.at(-1)!;
    expect(incident.notes).toEqual(['root cause revised: database_connection_error on payments (was api_error on frontend)']);
    expect(incident.title).toBe('Error Burst - payments - 2025-02-05 10:40');
    expect(again.incidents).toEqual([]); // nothing moved: no update, no second note
    expect(engine.incident(incident.incident_id)!.notes).toEqual(incident.notes);
  });
});
