// SpanViewFast → SpanRecord: the compact copy of a span the engine's trace ring keeps for drill-down and root-cause
// analysis. Runs for every accepted span (when the daemon asks for span records), so it reads only what a trace
// view shows and bounds every string.

import type { SpanRecord } from '../../engine/types.js';
import {
  KEY_ENDUSER_ID,
  KEY_HTTP_STATUS,
  KEY_HTTP_STATUS_LEGACY,
  KEY_NET_PEER_NAME,
  KEY_PEER_SERVICE,
  KEY_SERVER_ADDRESS,
} from './span-attribute-keys.js';
import { SPAN_FLAG_FAILED } from './span-converter.js';
import { nanosToMs, type SpanViewFast } from './span-view.js';

const MAX_NAME = 256;
const MAX_STATUS_MESSAGE = 512;
const MAX_EXCEPTION_TYPE = 128;
const MAX_EXCEPTION_MESSAGE = 512;
const MAX_PEER = 128;
const MAX_USER = 128;
const SPAN_KIND_CLIENT = 3;
const SPAN_KIND_PRODUCER = 4;

export function spanRecordFromView(span: SpanViewFast, service: string, classification: number): SpanRecord {
  const failed = (classification & SPAN_FLAG_FAILED) !== 0;
  const startMs = nanosToMs(span.startLo, span.startHi);
  const endMs = (span.endLo | span.endHi) === 0 ? startMs : nanosToMs(span.endLo, span.endHi);
  const httpStatus = span.has(KEY_HTTP_STATUS) ? span.number(KEY_HTTP_STATUS) : span.number(KEY_HTTP_STATUS_LEGACY);
  // Only outgoing spans name a peer; on a server span server.address is the service itself.
  const outgoing = span.kind === SPAN_KIND_CLIENT || span.kind === SPAN_KIND_PRODUCER;
  return {
    trace_id: span.traceIdHex(),
    span_id: span.spanIdHex(),
    parent_span_id: span.parentLen === 0 ? '' : span.parentSpanIdHex(),
    service,
    name: span.name(MAX_NAME),
    kind: span.kind,
    start_ms: startMs,
    end_ms: endMs,
    status_code: span.statusCode,
    status_message: span.statusMessage(MAX_STATUS_MESSAGE) ?? '',
    // Exception details cost a second pass over span events: only failed spans pay for it.
    exception_type: failed ? (span.exceptionType(MAX_EXCEPTION_TYPE) ?? '') : '',
    exception_message: failed ? (span.exceptionMessage(MAX_EXCEPTION_MESSAGE) ?? '') : '',
    http_status: Number.isFinite(httpStatus) ? httpStatus : 0,
    peer: outgoing
      ? (span.string(KEY_PEER_SERVICE, MAX_PEER) ?? span.string(KEY_SERVER_ADDRESS, MAX_PEER) ?? span.string(KEY_NET_PEER_NAME, MAX_PEER) ?? '')
      : '',
    failed,
    user: span.string(KEY_ENDUSER_ID, MAX_USER) ?? '',
  };
}
