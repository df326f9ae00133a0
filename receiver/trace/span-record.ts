// SpanViewFast → SpanRecord: the compact copy of a span the engine's trace ring keeps for drill-down and root-cause
// analysis. Runs for every accepted span (when the daemon asks for span records), so it reads only what a trace
// view shows and bounds every string. IDs are copied as 32-bit words into shared chunks (PackedSpanRecord): the
// ring indexes them as words, and hex is made only for spans someone reads as text (bench/ingest.bench.ts: the hex
// strings and their parsing back in the ring were ~10 % of the daemon's busy time).

import { KEY_HTTP_STATUS, KEY_HTTP_STATUS_LEGACY } from './span-attribute-keys.js';
import { SPAN_FLAG_FAILED } from './span-converter.js';
import { spanPeer, spanUser } from './span-parties.js';
import { nanosToFractionalMs, SPAN_ID_BYTES, TRACE_ID_BYTES, type SpanViewFast } from './span-view.js';
import { ByteStringCache } from '../wire/byte-string-cache.js';
import { utf8Bounded } from '../wire/utf8.js';
import { PACKED_ID_WORDS, PackedSpanRecord, spanAttributeLog, type SpanRecord } from '../../engine/index.js';

const MAX_NAME = 256;
const MAX_STATUS_MESSAGE = 512;
const MAX_EXCEPTION_TYPE = 128;
const MAX_EXCEPTION_MESSAGE = 512;
const MAX_PEER = 128;
const MAX_USER = 128;

/** Span names seen lately, by their bytes: most spans repeat the name of an earlier one (no string made for them). */
const spanNames = new ByteStringCache((buf, pos, len) => utf8Bounded(buf, pos, len, MAX_NAME), 1024, 64);

/** Records whose ID words share one chunk (8 KiB): one typed-array allocation per 256 spans, not per span. */
const ID_CHUNK_RECORDS = 256;

// The chunk being filled. Records keep references to their chunk; a chunk's words are never rewritten (a full chunk
// is replaced, not reused), so a record's IDs stay valid as long as the record lives.
let idChunk = new Uint32Array(ID_CHUNK_RECORDS * PACKED_ID_WORDS);
let idChunkUsed = 0;

/** The big-endian 32-bit word at `pos`. */
function wordAt(buf: Uint8Array, pos: number): number {
  return (((buf[pos] as number) << 24) | ((buf[pos + 1] as number) << 16) | ((buf[pos + 2] as number) << 8) | (buf[pos + 3] as number)) >>> 0;
}

export function spanRecordFromView(span: SpanViewFast, service: string, classification: number): SpanRecord {
  const failed = (classification & SPAN_FLAG_FAILED) !== 0;
  const startMs = nanosToFractionalMs(span.startLo, span.startHi);
  const endMs = (span.endLo | span.endHi) === 0 ? startMs : nanosToFractionalMs(span.endLo, span.endHi);
  const httpStatus = span.has(KEY_HTTP_STATUS) ? span.number(KEY_HTTP_STATUS) : span.number(KEY_HTTP_STATUS_LEGACY);
  const status_message = span.statusMessage(MAX_STATUS_MESSAGE) ?? '';
  // Exception details cost a second pass over span events: only failed spans pay for it.
  const exception_type = failed ? (span.exceptionType(MAX_EXCEPTION_TYPE) ?? '') : '';
  const exception_message = failed ? (span.exceptionMessage(MAX_EXCEPTION_MESSAGE) ?? '') : '';
  const http_status = Number.isFinite(httpStatus) ? httpStatus : 0;
  const peer = spanPeer(span, MAX_PEER) ?? '';
  const user = spanUser(span, MAX_USER) ?? '';
  const hasParent = span.parentLen !== 0;
  const attributesSent = span.attributeCount;
  if (span.traceIdLen !== TRACE_ID_BYTES || span.spanIdLen !== SPAN_ID_BYTES || (hasParent && span.parentLen !== SPAN_ID_BYTES)) {
    // Not reached for spans the scanner accepted (it validates ID lengths); kept so odd IDs still round-trip as text.
    return {
      trace_id: span.traceIdHex(),
      span_id: span.spanIdHex(),
      parent_span_id: hasParent ? span.parentSpanIdHex() : '',
      service,
      name: span.name(MAX_NAME),
      kind: span.kind,
      start_ms: startMs,
      end_ms: endMs,
      status_code: span.statusCode,
      status_message,
      exception_type,
      exception_message,
      http_status,
      peer,
      failed,
      user,
      attributes_wire: new Uint8Array(span.buf.subarray(span.keptFrom === -1 ? 0 : span.keptFrom, span.keptTo === -1 ? 0 : span.keptTo)),
      attributes_sent: attributesSent,
    };
  }
  if (idChunkUsed + PACKED_ID_WORDS > idChunk.length) {
    idChunk = new Uint32Array(ID_CHUNK_RECORDS * PACKED_ID_WORDS);
    idChunkUsed = 0;
  }
  const words = idChunk;
  const at = idChunkUsed;
  idChunkUsed = at + PACKED_ID_WORDS;
  const buf = span.buf;
  const t = span.traceIdPos;
  words[at] = wordAt(buf, t);
  words[at + 1] = wordAt(buf, t + 4);
  words[at + 2] = wordAt(buf, t + 8);
  words[at + 3] = wordAt(buf, t + 12);
  const s = span.spanIdPos;
  words[at + 4] = wordAt(buf, s);
  words[at + 5] = wordAt(buf, s + 4);
  if (hasParent) {
    const p = span.parentPos;
    words[at + 6] = wordAt(buf, p);
    words[at + 7] = wordAt(buf, p + 4);
  }
  return new PackedSpanRecord(
    words,
    at,
    hasParent,
    service,
    spanNames.get(span.buf, span.namePos, span.nameLen),
    span.kind,
    startMs,
    endMs,
    span.statusCode,
    status_message,
    exception_type,
    exception_message,
    http_status,
    peer,
    failed,
    user,
    // Copied out now, straight to where the trace ring keeps them: the request's buffer may be pooled and reused
    // before the ring takes the span (engine/span-attribute-log.ts).
    span.keptFrom === -1 ? -1 : spanAttributeLog.append(buf, span.keptFrom, span.keptTo),
    span.keptTo - span.keptFrom,
    attributesSent,
  );
}
