// Walks an ExportTraceServiceRequest straight from the wire and shows each span to a visitor through one reused
// SpanViewFast (see span-view.ts for its lifetime). Nothing is allocated per span; the visitor decides what is
// worth a string.
//
//   Buffer ─▶ resource_spans ─▶ resource (service.name) ─▶ scope_spans ─▶ spans ─▶ visitor.span / rejectedSpan
//
// Validation is as deep as the scan: every tag, length and fixed-width field of the messages down to Span,
// Status and the span's attributes is checked (DecodeError with the byte position); the insides of sub-messages
// we never read (scopes, events, links, attribute values of unknown keys) are skipped by length, as a lazy decoder
// does. Spans with IDs of the wrong length are reported as rejected, not thrown: the OTLP spec answers them with
// partial_success while the rest of the request is accepted.

import { MAX_KEPT_ATTRIBUTE_BYTES } from '../../engine/index.js';
import { readServiceName } from '../wire/any-value.js';
import { asBuffer, ProtoReader } from '../wire/proto-reader.js';
import { matchSpanKey } from './span-attribute-keys.js';
import {
  MAX_SPAN_ATTRIBUTES_SCANNED,
  ResourceViewFast,
  SPAN_ID_BYTES,
  SpanViewFast,
  TRACE_ID_BYTES,
} from './span-view.js';

/** Bytes of attributes a span record keeps (a local constant: the hot loop compares with it). */
const KEPT_ATTRIBUTE_BYTES = MAX_KEPT_ATTRIBUTE_BYTES;

export interface TraceScanVisitor {
  /** A ResourceSpans begins; its spans follow. */
  resource(resource: ResourceViewFast): void;
  /** A valid span (IDs of the right lengths). */
  span(span: SpanViewFast, resource: ResourceViewFast): void;
  /** A span the request must not get acknowledged as accepted; `reason` reads `trace_id must be 16 bytes, got 5`. */
  rejectedSpan(span: SpanViewFast, resource: ResourceViewFast, reason: string): void;
}

/**
 * Scans `bytes` as an ExportTraceServiceRequest (or TracesData: same shape), calling `visitor` per resource and
 * span. Throws DecodeError when the request is structurally undecodable.
 *
 * ExportTraceServiceRequest (trace_service.proto)
 *   1 resource_spans  LEN (repeated ResourceSpans)
 */
export function scanTraceRequest(bytes: Uint8Array, visitor: TraceScanVisitor): void {
  const buf = asBuffer(bytes);
  const r = new ProtoReader(buf);
  const span = new SpanViewFast(buf);
  const resource = new ResourceViewFast();
  const end = buf.length;
  let resourceIndex = 0;
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === 0x0a) {
      const len = r.length(end);
      const start = r.pos;
      scanResourceSpans(r, start, start + len, resourceIndex++, resource, span, visitor);
      r.pos = start + len;
    } else {
      r.skip(tag, end);
    }
  }
}

/**
 * Two passes over the ResourceSpans' own fields: first the resource (it may legally follow its spans on the wire),
 * then the spans.
 *
 * ResourceSpans (trace.proto)
 *   1 resource     LEN (Resource: service.name, see any-value.ts)
 *   2 scope_spans  LEN (repeated ScopeSpans)
 *   3 schema_url   LEN (skipped)
 */
function scanResourceSpans(
  r: ProtoReader,
  start: number,
  end: number,
  index: number,
  resource: ResourceViewFast,
  span: SpanViewFast,
  visitor: TraceScanVisitor,
): void {
  resource.index = index;
  resource.serviceName = null;
  resource.start = -1;
  resource.end = -1;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === 0x0a) {
      const len = r.length(end);
      resource.start = r.pos;
      resource.end = r.pos + len;
      r.pos += len;
    } else {
      r.skip(tag, end);
    }
  }
  if (resource.start !== -1) {
    resource.serviceName = readServiceName(r, resource.start, resource.end);
  }
  visitor.resource(resource);

  let spanIndex = 0;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === 0x12) {
      const len = r.length(end);
      const scopeEnd = r.pos + len;
      spanIndex = scanScopeSpans(r, r.pos, scopeEnd, spanIndex, resource, span, visitor);
      r.pos = scopeEnd;
    } else {
      r.skip(tag, end);
    }
  }
}

/**
 * ScopeSpans (trace.proto)
 *   1 scope       LEN (skipped)
 *   2 spans       LEN (repeated Span)
 *   3 schema_url  LEN (skipped)
 * Returns the next span index within the resource.
 */
function scanScopeSpans(
  r: ProtoReader,
  start: number,
  end: number,
  spanIndex: number,
  resource: ResourceViewFast,
  span: SpanViewFast,
  visitor: TraceScanVisitor,
): number {
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === 0x12) {
      const len = r.length(end);
      const spanStart = r.pos;
      const spanEnd = spanStart + len;
      scanSpan(r, spanStart, spanEnd, spanIndex++, span);
      const reason = invalidIdReason(span);
      if (reason === null) visitor.span(span, resource);
      else visitor.rejectedSpan(span, resource, reason);
      r.pos = spanEnd;
    } else {
      r.skip(tag, end);
    }
  }
  return spanIndex;
}

/**
 * Fills `v` from the Span message in `[start, end)`. The hot loop of the receiver: literal tags, no allocation.
 *
 * Span (trace.proto)                               Status (trace.proto)
 *   1 trace_id              LEN  (16 bytes)          2 message  LEN
 *   2 span_id               LEN  (8 bytes)           3 code     VARINT (2 = ERROR)
 *   3 trace_state           LEN  skipped
 *   4 parent_span_id        LEN  (0 or 8 bytes)    KeyValue (common.proto)
 *   5 name                  LEN                      1 key    LEN (compared as bytes with the known keys)
 *   6 kind                  VARINT                   2 value  LEN (range kept for known keys only)
 *   7 start_time_unix_nano  I64
 *   8 end_time_unix_nano    I64
 *   9 attributes            LEN  (repeated KeyValue; the first MAX_SPAN_ATTRIBUTES_SCANNED compared; the first
 *                                 that fit noted as one range for the span record: SpanViewFast.keepAttribute)
 *  10 dropped_attributes_count, 12 dropped_events_count, 13 links, 14 dropped_links_count: skipped
 *  11 events                LEN  counted only (read lazily by SpanViewFast.exception*)
 *  15 status                LEN
 *  16 flags                 I32
 */
export function scanSpan(r: ProtoReader, start: number, end: number, index: number, v: SpanViewFast): void {
  const buf = r.buf;
  v.reset(index, start, end);
  r.pos = start;
  while (r.pos < end) {
    const fieldStart = r.pos;
    const tag = r.uint32(end);
    switch (tag) {
      case 0x0a: {
        const len = r.length(end);
        v.traceIdPos = r.pos;
        v.traceIdLen = len;
        r.pos += len;
        break;
      }
      case 0x12: {
        const len = r.length(end);
        v.spanIdPos = r.pos;
        v.spanIdLen = len;
        r.pos += len;
        break;
      }
      case 0x22: {
        const len = r.length(end);
        v.parentPos = r.pos;
        v.parentLen = len;
        r.pos += len;
        break;
      }
      case 0x2a: {
        const len = r.length(end);
        v.namePos = r.pos;
        v.nameLen = len;
        r.pos += len;
        break;
      }
      case 0x30:
        v.kind = r.uint32(end);
        break;
      case 0x39:
        r.fixed64(end);
        v.startLo = r.lo;
        v.startHi = r.hi;
        break;
      case 0x41:
        r.fixed64(end);
        v.endLo = r.lo;
        v.endHi = r.hi;
        break;
      case 0x4a: {
        const len = r.length(end);
        const kvEnd = r.pos + len;
        // The run the span record keeps (SpanViewFast.keptFrom). Written out here, not called: a call would take
        // this function's inlining budget from keyValue below (measured: +0.1 µs a span).
        if (fieldStart === v.keptTo) {
          if (kvEnd - v.keptFrom <= KEPT_ATTRIBUTE_BYTES) v.keptTo = kvEnd;
        } else if (v.keptFrom === -1 && kvEnd - fieldStart <= KEPT_ATTRIBUTE_BYTES) {
          v.keptFrom = fieldStart;
          v.keptTo = kvEnd;
        }
        if (v.attributeCount++ < MAX_SPAN_ATTRIBUTES_SCANNED) {
          r.keyValue(kvEnd);
          const keyPos = r.kvKeyPos;
          const keyLen = r.kvKeyLen;
          const valueStart = r.kvValueStart;
          const valueEnd = r.kvValueEnd;
          if (keyPos !== -1) {
            const key = matchSpanKey(buf, keyPos, keyLen);
            // A key without a value is an empty AnyValue: present, but neither number nor string.
            if (key !== -1) v.setValue(key, valueStart === -1 ? kvEnd : valueStart, valueStart === -1 ? kvEnd : valueEnd);
          }
        }
        r.pos = kvEnd;
        break;
      }
      case 0x5a: {
        const len = r.length(end);
        v.eventCount++;
        r.pos += len;
        break;
      }
      case 0x7a: {
        const len = r.length(end);
        const statusEnd = r.pos + len;
        while (r.pos < statusEnd) {
          const statusTag = r.uint32(statusEnd);
          if (statusTag === 0x12) {
            const messageLen = r.length(statusEnd);
            v.statusMessagePos = r.pos;
            v.statusMessageLen = messageLen;
            r.pos += messageLen;
          } else if (statusTag === 0x18) {
            v.statusCode = r.uint32(statusEnd);
          } else {
            r.skip(statusTag, statusEnd);
          }
        }
        break;
      }
      case 0x85: // 16 flags I32: tag 133 is the two-byte varint 0x85 0x01, which uint32() returns as 133
        v.flags = r.fixed32(end);
        break;
      default:
        r.skip(tag, end);
    }
  }
}

/** Why the span's IDs are unacceptable, or null when they are fine. */
function invalidIdReason(v: SpanViewFast): string | null {
  if (v.traceIdLen !== TRACE_ID_BYTES) return `trace_id must be ${TRACE_ID_BYTES} bytes, got ${v.traceIdLen}`;
  if (v.spanIdLen !== SPAN_ID_BYTES) return `span_id must be ${SPAN_ID_BYTES} bytes, got ${v.spanIdLen}`;
  if (v.parentLen !== 0 && v.parentLen !== SPAN_ID_BYTES) {
    return `parent_span_id must be empty or ${SPAN_ID_BYTES} bytes, got ${v.parentLen}`;
  }
  return null;
}
