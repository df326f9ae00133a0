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
// The hash only finds candidates (two 32-bit lanes, fed to the ring's chains as four words); sameIdentity compares
// the fields, so an event is never taken for another one by a hash collision.

import type { IncidentEvent } from './types.js';

const SEED_A = 0x2f6b8e11;
const SEED_B = 0x51ed270b;
const PRIME_A = 0x01000193;
const PRIME_B = 0x5bd1e995;

function mixText(h: number, text: string, prime: number): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), prime);
  // The length ends each field, so ("ab", "c") and ("a", "bc") differ.
  return Math.imul(h ^ text.length, prime);
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** Writes the identity hash of `event` into out[0..3] (two lanes, then two zero words). */
export function identityWords(event: IncidentEvent, out: Uint32Array): void {
  const time = event.timestamp;
  // The time's whole milliseconds and its fraction (spans carry sub-millisecond times).
  const whole = Math.floor(time);
  const fraction = Math.round((time - whole) * 1e6);
  let a = Math.imul(SEED_A ^ (whole | 0), PRIME_A);
  let b = Math.imul(SEED_B ^ ((whole / 4294967296) | 0) ^ fraction, PRIME_B);
  a = mixText(a, event.span_id, PRIME_A);
  b = mixText(b, event.correlation_id, PRIME_B);
  a = mixText(a, event.event_type, PRIME_A);
  b = mixText(b, event.source, PRIME_B);
  a = mixText(a, event.message, PRIME_A);
  out[0] = finish(a);
  out[1] = finish(b ^ a);
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
