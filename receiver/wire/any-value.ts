// Scalar reads of `opentelemetry.proto.common.v1.AnyValue` and the resource's `service.name`, for the few values the
// converters look at. Callers hand in the byte range a scanner recorded; these move `r.pos` freely.
//
// AnyValue (common.proto)          KeyValue              Resource (resource.proto)
//   1 string_value  LEN              1 key    LEN          1 attributes  LEN (repeated KeyValue)
//   2 bool_value    VARINT           2 value  LEN          2 dropped_attributes_count (skipped)
//   3 int_value     VARINT (int64)                         3 entity_refs (skipped)
//   4 double_value  I64
//   5 array_value, 6 kvlist_value, 7 bytes_value: not scalars, read as "no value"

import { ProtoReader } from './proto-reader.js';
import { asciiBytes, bytesEqual, utf8Bounded } from './utf8.js';

const KIND_NONE = 0;
const KIND_STRING = 1;
const KIND_BOOL = 2;
const KIND_INT = 3;
const KIND_DOUBLE = 4;

/** Longest decimal string we parse as a number (status codes and the like are short). */
const MAX_NUMERIC_STRING_BYTES = 15;

/** Default `source` when a resource carries no string `service.name` (the SDKs' own default). */
export const UNKNOWN_SERVICE = 'unknown_service';
/** Longest service name kept; longer names are cut (they become event sources and map keys). */
export const MAX_SERVICE_NAME_LENGTH = 256;

const SERVICE_NAME_KEY = asciiBytes('service.name');

/**
 * Finds the AnyValue field that wins (the last one, as for any oneof) and leaves its payload at
 * `[r.pos, r.pos + len)` for the caller; returns its kind. Varint and fixed payloads are left unread at `r.pos`.
 */
function lastValueField(r: ProtoReader, start: number, end: number): number {
  let kind = KIND_NONE;
  let valuePos = start;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32(end);
    const fieldPos = r.pos;
    switch (tag) {
      case 0x0a: // 1 string_value LEN
        kind = KIND_STRING;
        valuePos = fieldPos;
        r.pos = r.payloadEnd(end);
        break;
      case 0x10: // 2 bool_value VARINT
        kind = KIND_BOOL;
        valuePos = fieldPos;
        r.skipVarint(end);
        break;
      case 0x18: // 3 int_value VARINT
        kind = KIND_INT;
        valuePos = fieldPos;
        r.skipVarint(end);
        break;
      case 0x21: // 4 double_value I64
        kind = KIND_DOUBLE;
        valuePos = fieldPos;
        r.skip(tag, end);
        break;
      default:
        // 5 array, 6 kvlist, 7 bytes, or unknown: as a later oneof member it clears the scalar.
        if (tag >>> 3 >= 5 && tag >>> 3 <= 7) kind = KIND_NONE;
        r.skip(tag, end);
    }
  }
  r.pos = valuePos;
  return kind;
}

/**
 * The AnyValue in `[start, end)` as a number: int and double values as they are, a decimal string parsed
 * (some SDKs send status codes as strings), anything else NaN.
 */
export function anyValueNumber(r: ProtoReader, start: number, end: number): number {
  const kind = lastValueField(r, start, end);
  switch (kind) {
    case KIND_INT:
      return r.int64(end);
    case KIND_DOUBLE:
      return r.double(end);
    case KIND_STRING: {
      const len = r.length(end);
      return parseDecimal(r.buf, r.pos, len);
    }
    default:
      return Number.NaN;
  }
}

/** The AnyValue in `[start, end)` as text of at most `maxChars` (numbers and booleans printed); null if no scalar. */
export function anyValueString(r: ProtoReader, start: number, end: number, maxChars: number): string | null {
  const kind = lastValueField(r, start, end);
  switch (kind) {
    case KIND_STRING: {
      const len = r.length(end);
      return utf8Bounded(r.buf, r.pos, len, maxChars);
    }
    case KIND_INT:
      return String(r.int64(end));
    case KIND_DOUBLE:
      return String(r.double(end));
    case KIND_BOOL:
      r.varint64(end);
      return r.lo !== 0 || r.hi !== 0 ? 'true' : 'false';
    default:
      return null;
  }
}

/** Whether the AnyValue in `[start, end)` is a string equal to `expected` (compared as bytes, nothing decoded). */
export function anyValueStringEquals(r: ProtoReader, start: number, end: number, expected: Uint8Array): boolean {
  if (lastValueField(r, start, end) !== KIND_STRING) return false;
  const len = r.length(end);
  return bytesEqual(r.buf, r.pos, len, expected);
}

/** Parses an optionally signed ASCII decimal integer; NaN for anything else. */
function parseDecimal(buf: Uint8Array, pos: number, len: number): number {
  if (len === 0 || len > MAX_NUMERIC_STRING_BYTES) return Number.NaN;
  let i = pos;
  const end = pos + len;
  let sign = 1;
  if (buf[i] === 0x2d /* - */) {
    sign = -1;
    i++;
    if (i === end) return Number.NaN;
  }
  let value = 0;
  for (; i < end; i++) {
    const digit = buf[i]! - 0x30;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return sign * value;
}

/**
 * `service.name` of the Resource message in `[start, end)`, or null when it has none (or not as a string).
 * Duplicate keys: the last one wins, like a map built from the attribute list.
 */
export function readServiceName(r: ProtoReader, start: number, end: number): string | null {
  let valueStart = -1;
  let valueEnd = -1;
  r.pos = start;
  // 1 attributes LEN; everything else skipped
  while (r.nextKeyValue(0x0a, end) !== -1) {
    const keyPos = r.kvKeyPos;
    const keyLen = r.kvKeyLen;
    const vStart = r.kvValueStart;
    const vEnd = r.kvValueEnd;
    if (keyPos >= 0 && bytesEqual(r.buf, keyPos, keyLen, SERVICE_NAME_KEY)) {
      valueStart = vStart;
      valueEnd = vEnd;
    }
  }
  if (valueStart < 0) return null;
  const resumeAt = end;
  const kind = lastValueField(r, valueStart, valueEnd);
  let name: string | null = null;
  if (kind === KIND_STRING) {
    const len = r.length(valueEnd);
    name = utf8Bounded(r.buf, r.pos, len, MAX_SERVICE_NAME_LENGTH);
  }
  r.pos = resumeAt;
  return name === '' ? null : name;
}
