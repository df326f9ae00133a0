// `firewatch trace`: one trace's spans (in tree order) and the incident events it produced.

import type { EventJson } from './incident.js';

export const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];

export const SPAN_STATUSES = ['unset', 'ok', 'error'] as const;
export type SpanStatus = (typeof SPAN_STATUSES)[number];

export type SpanJson = {
  trace_id: string;
  span_id: string;
  /** '' for a root span. */
  parent_span_id: string;
  service: string;
  name: string;
  kind: SpanKind;
  start: string | null;
  end: string | null;
  /** Microsecond precision. */
  duration_ms: number;
  status: SpanStatus;
  status_message: string;
  exception_type: string;
  exception_message: string;
  /** 0 when none. */
  http_status: number;
  /** `peer.service`, else `server.address`, of a client span; '' when none. */
  peer: string;
  /** The receiver's verdict that the span failed. */
  failed: boolean;
  /** Nesting level in the trace tree (0 for roots and orphans). */
  depth: number;
  /**
   * The span's first attributes, in the order sent, while they fit in 320 bytes as encoded, at most 16 (keys cut to
   * 64 characters, values to 256; numbers and booleans printed). Telemetry: clean before showing. Spans of traces
   * that joined an incident keep theirs; other spans may lose them before they leave the trace ring.
   */
  attributes: SpanAttributeJson[];
  /** Attributes the span was sent with that `attributes` lacks (past the bounds, not kept, arrays, maps, bytes). */
  attributes_dropped: number;
};

export type SpanAttributeJson = { key: string; value: string };

export type TraceJson = {
  trace_id: string;
  /** Services seen in the trace, in order of first appearance. */
  services: string[];
  /** Incidents this trace belongs to. */
  incident_ids: string[];
  /** Tree order: each span followed by its children, siblings by start time. */
  spans: SpanJson[];
  /** The trace's incident events, oldest first. */
  events: EventJson[];
};
