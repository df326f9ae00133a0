// `firewatch trace`: one trace's spans and events, gathered from memory (the engine's rings) and from LMDB (spans
// and events kept because the trace joined an incident), merged by id, and ordered as a tree.

import { isoTime } from '../common/time.js';
import { eventToJson } from './api-json.js';
import type { LmdbStore } from '../store/lmdb-store.js';
import { SPAN_KINDS, SPAN_STATUSES, type SpanJson, type TraceJson } from '../api/trace.js';
import { orderTraceTree } from './trace-tree.js';
import { readKeptAttributes } from '../receiver/index.js';
import { type Engine, type IncidentEvent, type SpanRecord } from '../engine/index.js';


export function spanToJson(span: SpanRecord, depth: number): SpanJson {
  // Read only now, when someone asks for the trace: ingest and the store carry the bytes as they came.
  const attributes = readKeptAttributes(span.attributes_wire);
  return {
    trace_id: span.trace_id,
    span_id: span.span_id,
    parent_span_id: span.parent_span_id,
    service: span.service,
    name: span.name,
    kind: SPAN_KINDS[span.kind] ?? 'unspecified',
    start: isoTime(span.start_ms),
    end: isoTime(span.end_ms),
    duration_ms: Math.max(0, Math.round((span.end_ms - span.start_ms) * 1000) / 1000),
    status: SPAN_STATUSES[span.status_code] ?? 'unset',
    status_message: span.status_message,
    exception_type: span.exception_type,
    exception_message: span.exception_message,
    http_status: span.http_status,
    peer: span.peer,
    failed: span.failed,
    depth,
    attributes,
    attributes_dropped: Math.max(0, (span.attributes_sent ?? 0) - attributes.length),
  };
}

export function traceToJson(traceId: string, store: LmdbStore, engine: Engine): TraceJson | undefined {
  const spans = new Map<string, SpanRecord>();
  for (const span of store.spansForTrace(traceId)) spans.set(span.span_id, span);
  for (const span of engine.spansForTrace(traceId)) {
    // The ring's copy is the newest, but its attributes may have been overwritten where the stored copy kept them.
    const stored = spans.get(span.span_id);
    if (stored !== undefined && (span.attributes_wire?.length ?? 0) === 0 && (stored.attributes_wire?.length ?? 0) > 0) {
      span.attributes_wire = stored.attributes_wire;
      span.attributes_sent = stored.attributes_sent ?? 0;
    }
    spans.set(span.span_id, span);
  }
  const events = new Map<number, IncidentEvent>();
  for (const event of store.eventsForTrace(traceId)) events.set(event.seq, event);
  // The ring's copy is the newest (it may have joined an incident since it was stored).
  for (const event of engine.eventsForTrace(traceId)) events.set(event.seq, event);
  if (spans.size === 0 && events.size === 0) return undefined;

  const ordered = orderTraceTree([...spans.values()]);
  const sortedEvents = [...events.values()].sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq);
  const services = new Set<string>();
  for (const { span } of ordered) services.add(span.service);
  for (const event of sortedEvents) services.add(event.source);
  const incidentIds = new Set<string>();
  for (const event of sortedEvents) if (event.incident_id !== '') incidentIds.add(event.incident_id);
  return {
    trace_id: traceId,
    services: [...services],
    incident_ids: [...incidentIds],
    spans: ordered.map(({ span, depth }) => spanToJson(span, depth)),
    events: sortedEvents.map(eventToJson),
  };
}
