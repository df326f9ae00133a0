// Where a failure started, from the spans of an incident's traces.
//
//   traces (spans from the trace ring) ──▶ per trace: failing spans with no failing descendant (the deepest ones)
//                                          ──▶ the earliest of them ──▶ across traces: the trace with the most
//                                              failing spans wins (ties: earliest candidate, then trace order)
//
// A cascade frontend → checkout → payments fails in every service, but only the payments span has no failing
// descendant: the failure started there. The distributions of the incident (most frequent event source) would
// instead name whichever service emits the most events.
//
// One refinement (firewatch's choice, consistent with DESIGN.md's service_unavailable events, whose source is the
// peer): when the deepest failing span is a client or producer span that names its peer and has no child spans at
// all, nobody on the far side answered; the failure is located at the peer. The root span still reports the span as
// it is (its own service); only `primary_source` names the peer. Once the peer's server span arrives, it becomes
// the deepest failing span and both agree.
//
// Pure functions: the engine decides which traces to look at and how often (engine.ts bounds both).

import { SPAN_KIND_CLIENT, SPAN_KIND_PRODUCER } from './types.js';
import type { RootSpan, SpanRecord } from './types.js';

export interface RootSpanFinding {
  /** The span where the failure started. */
  span: SpanRecord;
  /** The service to blame: the span's service, or its peer (see above). */
  service: string;
  /** Failing spans in the span's trace. */
  failingSpans: number;
}

interface TraceFinding {
  candidate: SpanRecord;
  failing: number;
  hasChildren: boolean;
}

function earlier(a: SpanRecord, b: SpanRecord): boolean {
  return a.start_ms < b.start_ms || (a.start_ms === b.start_ms && a.span_id < b.span_id);
}

/** The deepest, earliest failing span of one trace, or undefined when none of its spans failed. */
function analyseTrace(spans: readonly SpanRecord[]): TraceFinding | undefined {
  const byId = new Map<string, SpanRecord>();
  const failing: SpanRecord[] = [];
  const parents = new Set<string>();
  for (const span of spans) {
    if (byId.has(span.span_id)) continue; // the same span exported twice
    byId.set(span.span_id, span);
    if (span.parent_span_id !== '') parents.add(span.parent_span_id);
    if (span.failed) failing.push(span);
  }
  if (failing.length === 0) return undefined;
  // Mark every ancestor of a failing span; a walk stops at the first ancestor already marked, so the whole pass is
  // linear in the number of spans (and a malformed cycle ends too).
  const hasFailingDescendant = new Set<string>();
  for (const span of failing) {
    let parentId = span.parent_span_id;
    while (parentId !== '' && !hasFailingDescendant.has(parentId)) {
      hasFailingDescendant.add(parentId);
      const parent = byId.get(parentId);
      if (parent === undefined) break;
      parentId = parent.parent_span_id;
    }
  }
  let candidate: SpanRecord | undefined;
  for (const span of failing) {
    if (hasFailingDescendant.has(span.span_id)) continue;
    if (candidate === undefined || earlier(span, candidate)) candidate = span;
  }
  if (candidate === undefined) return undefined; // only possible with cyclic parent links
  return { candidate, failing: failing.length, hasChildren: parents.has(candidate.span_id) };
}

/** The root span over several traces (in the incident's trace order), or undefined when no span failed. */
export function findRootSpan(traces: readonly (readonly SpanRecord[])[]): RootSpanFinding | undefined {
  let best: TraceFinding | undefined;
  for (const spans of traces) {
    const finding = analyseTrace(spans);
    if (finding === undefined) continue;
    if (
      best === undefined ||
      finding.failing > best.failing ||
      (finding.failing === best.failing && earlier(finding.candidate, best.candidate))
    ) {
      best = finding;
    }
  }
  if (best === undefined) return undefined;
  const span = best.candidate;
  const unanswered =
    (span.kind === SPAN_KIND_CLIENT || span.kind === SPAN_KIND_PRODUCER) && span.peer !== '' && !best.hasChildren;
  return { span, service: unanswered ? span.peer : span.service, failingSpans: best.failing };
}

/** The contract's `root_cause.root_span` of a span. */
export function rootSpanOf(span: SpanRecord): RootSpan {
  return {
    service: span.service,
    span_name: span.name,
    span_id: span.span_id,
    trace_id: span.trace_id,
    status_message: span.status_message,
    exception_type: span.exception_type,
  };
}

export function sameRootSpan(a: RootSpan | undefined, b: RootSpan | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.span_id === b.span_id &&
    a.trace_id === b.trace_id &&
    a.service === b.service &&
    a.span_name === b.span_name &&
    a.status_message === b.status_message &&
    a.exception_type === b.exception_type
  );
}
