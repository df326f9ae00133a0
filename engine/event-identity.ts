// What makes two events the same piece of telemetry, for recognising a retried export (event-ring.ts).
//
// An OTLP exporter whose acknowledgement was lost sends the same request again (the OTel SDKs' retry, the Collector's
// retry_on_failure and its persistent queue after a restart); a Collector in front may re-batch the repeat with other
// items. The converters are deterministic, so every item of the repeat becomes an event identical to the first one:
// same time, type, source, severity, message, trace ID and span ID. Those fields are the identity:
//   span            trace ID + span ID (unique per span; a span makes at most one event)
//   log record      its time, body (the message), level and trace context
//   metric point    its time and series: the message names the metric, the value and the point's attributes
// Metadata is left out: it is derived from the same item, and comparing it would cost more than it tells apart.
//
// A retry is another request, so repeats are looked for among the events of earlier engine calls only (alike events
// within one batch are taken as sent). Spans and metric points are unique by those fields (a span ID is unique in its
// trace; a series has one point per time), so any such repeat is a retry. Log records are not: the same error logged twice in a millisecond (a tight loop, a
// circuit breaker failing fast) converts to two identical events, each maybe in an export of its own (a simple log
// processor exports every record). What tells a retry apart is time: an exporter retries only after a delay (the OTel
// SDKs' backoff starts at 1 s ± 20 %, the Collector's retry_on_failure at 5 s, and a lost acknowledgement is retried
// after the request's timeout, 10 s by default), so a log event counts as a repeat only when its first copy arrived
// at least RETRY_MIN_DELAY_MS earlier (IngestContext.repeatsMayBeDistinct).
//
// The hash only finds candidates; sameIdentity compares the fields, so an event is never taken for another one by a
// hash collision. The event ring finds a traced event's candidates through its trace and hashes only untraced events
// (metric points, logs without trace context), and the hash reads little: the time and, for an event with a span ID,
// that; for any other event, its source and message (bench/engine.bench.ts, "engine.ingest": hashing every identity
// field cost a quarter of ingest throughput).

import type { IncidentEvent } from './types.js';

/**
 * Less than the least delay before an OTLP exporter sends a request again (the JS SDKs' first backoff, 1 s − 20 %
 * jitter: 800 ms; see the top of the file), and as long as that allows, so that alike log records arriving apart
 * under load are still counted.
 */
export const RETRY_MIN_DELAY_MS = 750;

const SEED = 0x2f6b8e11;
const PRIME = 0x01000193;
const SECOND_LANE = 0x5bd1e995;

function mixText(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), PRIME);
  // The length ends each field, so ("ab", "c") and ("a", "bc") differ.
  return Math.imul(h ^ text.length, PRIME);
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** Writes the identity hash of `event` into out[0..3] (a 32-bit hash and a word derived from it, then zeros). */
export function identityWords(event: IncidentEvent, out: Uint32Array): void {
  const time = event.timestamp;
  // The time's whole milliseconds and its fraction (spans carry sub-millisecond times).
  const whole = Math.floor(time);
  let h = Math.imul(SEED ^ (whole | 0), PRIME);
  h = Math.imul(h ^ ((whole / 4294967296) | 0) ^ Math.round((time - whole) * 1e6), PRIME);
  h = event.span_id !== '' ? mixText(h, event.span_id) : mixText(mixText(h, event.source), event.message);
  h = finish(Math.imul(h ^ event.event_type.length, PRIME));
  out[0] = h;
  out[1] = finish(h ^ SECOND_LANE);
  out[2] = 0;
  out[3] = 0;
}

/** Whether `a` and `b` are the same piece of telemetry (see the top of the file). */
export function sameIdentity(a: IncidentEvent, b: IncidentEvent): boolean {
  return (
    a.timestamp === b.timestamp &&
    a.span_id === b.span_id &&
    a.correlation_id === b.correlation_id &&
    a.event_type === b.event_type &&
    a.source === b.source &&
    a.severity === b.severity &&
    a.message === b.message
  );
}
