// Where a failure started, from the spans of an incident's traces.
//
//   traces (spans from the trace ring) ──▶ per trace: parent links cut by sampling or proxies reconnected
//                                          (span-parents.ts) ──▶ failing spans with no failing descendant (the
//                                          deepest ones) ──▶ the one that says why it failed (a status message or an
//                                          exception), then the earliest ──▶ across traces: the same preference,
//                                          then the trace with the most failing spans (ties: earliest candidate,
//                                          then trace order)
//   root span + the events of its trace ──▶ the cause: the type and the source of the root span's own event
//
// A cascade frontend → checkout → payments fails in every service, but only the payments span has no failing
// descendant: the failure started there. The distributions of the incident (most frequent event type and source)
// would instead name whichever service emits the most events.
//
// Sampled and cut traces: with tail sampling only the failing spans of a trace may arrive, and a proxy between two
// services propagates the trace context without exporting its span, so parents are missing. Reconnected, the
// gateway's failing SERVER span regains the ledger's spans below it and stops looking like a leaf. What cannot be
// reconnected (the callee's clock runs ahead, the call was sampled away) is settled by what the spans say: a failing
// span with an exception or a status message (`LedgerLockTimeout`) is a better root span than one that failed
// without a word (a SERVER span answering 500, whose only child was dropped).
//
// The cause is told by the root span's event, not guessed from the span: the receiver already decided where a failed
// span's failure lies (a call refused by its peer is a service_unavailable event sourced at the peer, with the caller
// in metadata; a failing database query is a database_connection_error of the service that made it, not of the
// database host it names). So `primary_error_type`, `primary_source`, `root_span.service` and the events agree; when
// the cause lies at a peer, `root_span.caller` names the service whose span it is. Without the event (evicted from
// the ring) the span's own service stands.
//
// Pure functions: the engine decides which traces to look at and how often (engine.ts bounds both).

import { reconnectOrphans } from './span-parents.js';
import { SEVERITY_RANK } from './types.js';
import type { IncidentEvent, RootSpan, SpanRecord } from './types.js';

export interface RootSpanFinding {
  /** The span where the failure started. */
  span: SpanRecord;
  /** Failing spans in the span's trace. */
  failingSpans: number;
}

interface TraceFinding {
  candidate: SpanRecord;
  failing: number;
}

function earlier(a: SpanRecord, b: SpanRecord): boolean {
  return a.start_ms < b.start_ms || (a.start_ms === b.start_ms && a.span_id < b.span_id);
}

/** Whether the span says why it failed: a status message or an exception. */
function explained(span: SpanRecord): boolean {
  return span.status_message !== '' || span.exception_type !== '' || span.exception_message !== '';
}

/** Whether `a` is a better root span than `b` of the same standing: one that says why, then the earliest. */
function preferred(a: SpanRecord, b: SpanRecord): boolean {
  const aSays = explained(a);
  if (aSays !== explained(b)) return aSays;
  return earlier(a, b);
}

/** The deepest, earliest failing span of one trace, or undefined when none of its spans failed. */
function analyseTrace(spans: readonly SpanRecord[]): TraceFinding | undefined {
  const byId = new Map<string, SpanRecord>();
  const failing: SpanRecord[] = [];
  for (const span of spans) {
    if (byId.has(span.span_id)) continue; // the same span exported twice
    byId.set(span.span_id, span);
    if (span.failed) failing.push(span);
  }
  if (failing.length === 0) return undefined;
  const reconnected = reconnectOrphans(byId);
  const parentOf = (span: SpanRecord): string =>
    reconnected.size === 0 || byId.has(span.parent_span_id) ? span.parent_span_id : (reconnected.get(span.span_id) ?? '');
  // Mark every ancestor of a failing span; a walk stops at the first ancestor already marked, so the whole pass is
  // linear in the number of spans (and a malformed cycle ends too).
  const hasFailingDescendant = new Set<string>();
  for (const span of failing) {
    let parentId = parentOf(span);
    while (parentId !== '' && !hasFailingDescendant.has(parentId)) {
      hasFailingDescendant.add(parentId);
      const parent = byId.get(parentId);
      if (parent === undefined) break;
      parentId = parentOf(parent);
    }
  }
  let candidate: SpanRecord | undefined;
  for (const span of failing) {
    if (hasFailingDescendant.has(span.span_id)) continue;
    if (candidate === undefined || preferred(span, candidate)) candidate = span;
  }
  if (candidate === undefined) return undefined; // only possible with cyclic parent links
  return { candidate, failing: failing.length };
}

/** Across traces: a root span that says why first, then the trace with the most failing spans, then the earliest. */
function betterFinding(a: TraceFinding, b: TraceFinding): boolean {
  const aSays = explained(a.candidate);
  if (aSays !== explained(b.candidate)) return aSays;
  if (a.failing !== b.failing) return a.failing > b.failing;
  return earlier(a.candidate, b.candidate);
}

/** The root span over several traces (in the incident's trace order), or undefined when no span failed. */
export function findRootSpan(traces: readonly (readonly SpanRecord[])[]): RootSpanFinding | undefined {
  let best: TraceFinding | undefined;
  for (const spans of traces) {
    const finding = analyseTrace(spans);
    if (finding === undefined) continue;
    if (best === undefined || betterFinding(finding, best)) best = finding;
  }
  if (best === undefined) return undefined;
  return { span: best.candidate, failingSpans: best.failing };
}

/** What the root span's event says of the failure. */
export interface SpanCause {
  event_type: string;
  source: string;
}

/**
 * The cause the root span's own event names, among `events` of its trace; undefined when none of them is the span's.
 * A span has one event of its own, but logs written inside it carry its span ID too: the most severe event of the
 * span wins (a refused call, critical, over an ERROR log), then the earliest.
 */
export function causeOfSpan(span: SpanRecord, events: readonly IncidentEvent[]): SpanCause | undefined {
  let found: IncidentEvent | undefined;
  for (const event of events) {
    if (event.span_id !== span.span_id) continue;
    if (found === undefined || SEVERITY_RANK[event.severity] > SEVERITY_RANK[found.severity]) found = event;
  }
  return found === undefined ? undefined : { event_type: found.event_type, source: found.source };
}

/**
 * The contract's `root_cause.root_span` of a span whose failure lies at `service` (the span's own service, or the
 * peer its event names: then `caller` is the span's service).
 */
export function rootSpanOf(span: SpanRecord, service: string = span.service): RootSpan {
  const rootSpan: RootSpan = {
    service,
    span_name: span.name,
    span_id: span.span_id,
    trace_id: span.trace_id,
    status_message: span.status_message,
    exception_type: span.exception_type,
  };
  if (service !== span.service) rootSpan.caller = span.service;
  if (span.peer !== '') rootSpan.peer = span.peer;
  return rootSpan;
}

/** `database_connection_error on payments`: the one-line cause (the status history, notes and the CLI say it so). */
export function describeCause(errorType: string, source: string): string {
  return `${errorType === '' ? '-' : errorType} on ${source === '' ? '-' : source}`;
}

export function sameRootSpan(a: RootSpan | undefined, b: RootSpan | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.span_id === b.span_id &&
    a.trace_id === b.trace_id &&
    a.service === b.service &&
    a.span_name === b.span_name &&
    a.status_message === b.status_message &&
    a.exception_type === b.exception_type &&
    a.caller === b.caller &&
    a.peer === b.peer
  );
}
