// Any AnyValue as bounded text (log bodies, attribute values shown to people), where any-value.ts reads only
// scalars. Arrays and key-value lists render compactly in a JSON-like form (`{"user":"ada","tries":3}`), bytes as
// base64 when short and `<n bytes>` otherwise.
//
// The work is bounded by the output, never by the input: every element adds at least one character, and rendering
// stops once `maxChars` is reached; nesting deeper than MAX_RENDER_DEPTH renders as `…` (the recursion depth is
// bounded, whatever the telemetry nests). Malformed bytes inside the value throw DecodeError like any other read.
//
// AnyValue (common.proto)            ArrayValue            KeyValueList        KeyValue
//   1 string_value  LEN                1 values LEN          1 values LEN        1 key    LEN
//   2 bool_value    VARINT               (AnyValue)            (KeyValue)        2 value  LEN (AnyValue)
//   3 int_value     VARINT (int64)
//   4 double_value  I64
//   5 array_value   LEN
//   6 kvlist_value  LEN
//   7 bytes_value   LEN

import type { ProtoReader } from './proto-reader.js';
import { truncateChars, utf8Bounded } from './utf8.js';
import { type MetadataValue } from '../../engine/index.js';

const KIND_NONE = 0;
const KIND_STRING = 1;
const KIND_BOOL = 2;
const KIND_INT = 3;
const KIND_DOUBLE = 4;
const KIND_ARRAY = 5;
const KIND_KVLIST = 6;
const KIND_BYTES = 7;

/** Containers nested deeper than this render as `…`. */
export const MAX_RENDER_DEPTH = 8;
/** Bytes values up to this size render as base64; longer ones as `<n bytes>`. */
export const MAX_BASE64_BYTES = 48;
const ELLIPSIS = '…';

/** Where the winning oneof member of the AnyValue in `[start, end)` is: kind, and payload position (after tag). */
interface ValueSlot {
  kind: number;
  pos: number;
}

function lastValue(r: ProtoReader, start: number, end: number, slot: ValueSlot): void {
  slot.kind = KIND_NONE;
  slot.pos = start;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32(end);
    const fieldPos = r.pos;
    const field = tag >>> 3;
    // Only the declared wire type makes a field a member of the oneof; anything else is an unknown field.
    const expected =
      field === 2 || field === 3 ? 0 : field === 4 ? 1 : field === 1 || (field >= 5 && field <= 7) ? 2 : -1;
    if (expected !== -1 && (tag & 7) === expected) {
      slot.kind = field;
      slot.pos = fieldPos;
    }
    r.skip(tag, end);
  }
}

/**
 * The AnyValue in `[start, end)` as text of at most `maxChars`: strings as they are, numbers and booleans printed,
 * containers rendered compactly, bytes as base64 / `<n bytes>`; null when the AnyValue holds no value at all.
 */
export function anyValueText(r: ProtoReader, start: number, end: number, maxChars: number): string | null {
  const slot: ValueSlot = { kind: KIND_NONE, pos: start };
  lastValue(r, start, end, slot);
  if (slot.kind === KIND_NONE) return null;
  if (slot.kind === KIND_STRING) {
    r.pos = slot.pos;
    const len = r.length(end);
    return utf8Bounded(r.buf, r.pos, len, maxChars);
  }
  const out = { text: '' };
  renderSlot(r, slot, end, maxChars, 0, out, false);
  // A cut rendering ends in `…`, so that nobody mistakes it for the whole value.
  return out.text.length <= maxChars ? out.text : `${truncateChars(out.text, maxChars - 1)}${ELLIPSIS}`;
}

/**
 * The AnyValue as a metadata value: numbers and booleans keep their type (non-finite doubles become text, since
 * JSON cannot carry them), everything else is text as anyValueText renders it; null when it holds no value.
 */
export function anyValueMetadata(r: ProtoReader, start: number, end: number, maxChars: number): MetadataValue | null {
  const slot: ValueSlot = { kind: KIND_NONE, pos: start };
  lastValue(r, start, end, slot);
  r.pos = slot.pos;
  switch (slot.kind) {
    case KIND_NONE:
      return null;
    case KIND_BOOL:
      r.varint64(end);
      return r.lo !== 0 || r.hi !== 0;
    case KIND_INT:
      return r.int64(end);
    case KIND_DOUBLE: {
      const value = r.double(end);
      return Number.isFinite(value) ? value : String(value);
    }
    default:
      return anyValueText(r, start, end, maxChars);
  }
}

interface Output {
  text: string;
}

/** Appends the value in `slot` to `out`; `quoted` renders strings as JSON strings (inside containers). */
function renderSlot(
  r: ProtoReader,
  slot: ValueSlot,
  end: number,
  maxChars: number,
  depth: number,
  out: Output,
  quoted: boolean,
): void {
  r.pos = slot.pos;
  switch (slot.kind) {
    case KIND_NONE:
      out.text += 'null';
      return;
    case KIND_STRING: {
      const len = r.length(end);
      const text = utf8Bounded(r.buf, r.pos, len, Math.max(1, maxChars - out.text.length));
      out.text += quoted ? JSON.stringify(text) : text;
      return;
    }
    case KIND_BOOL:
      r.varint64(end);
      out.text += r.lo !== 0 || r.hi !== 0 ? 'true' : 'false';
      return;
    case KIND_INT:
      out.text += String(r.int64(end));
      return;
    case KIND_DOUBLE:
      out.text += String(r.double(end));
      return;
    case KIND_BYTES: {
      const len = r.length(end);
      const text = len <= MAX_BASE64_BYTES ? r.buf.toString('base64', r.pos, r.pos + len) : `<${len} bytes>`;
      out.text += quoted ? JSON.stringify(text) : text;
      return;
    }
    case KIND_ARRAY:
    case KIND_KVLIST: {
      const containerEnd = r.payloadEnd(end);
      const isList = slot.kind === KIND_KVLIST;
      if (depth >= MAX_RENDER_DEPTH) {
        out.text += ELLIPSIS;
        return;
      }
      out.text += isList ? '{' : '[';
      let first = true;
      while (r.pos < containerEnd) {
        const tag = r.uint32(containerEnd);
        if (tag !== 0x0a) {
          r.skip(tag, containerEnd);
          continue;
        }
        const itemEnd = r.payloadEnd(containerEnd);
        const itemStart = r.pos;
        if (out.text.length >= maxChars) {
          out.text += ELLIPSIS;
          return;
        }
        if (!first) out.text += ',';
        first = false;
        if (isList) renderKeyValue(r, itemStart, itemEnd, maxChars, depth + 1, out);
        else renderValue(r, itemStart, itemEnd, maxChars, depth + 1, out);
        r.pos = itemEnd;
      }
      out.text += isList ? '}' : ']';
      return;
    }
  }
}

function renderValue(r: ProtoReader, start: number, end: number, maxChars: number, depth: number, out: Output): void {
  const slot: ValueSlot = { kind: KIND_NONE, pos: start };
  lastValue(r, start, end, slot);
  renderSlot(r, slot, end, maxChars, depth, out, true);
}

function renderKeyValue(r: ProtoReader, start: number, end: number, maxChars: number, depth: number, out: Output): void {
  let keyPos = -1;
  let keyLen = 0;
  let valueStart = -1;
  let valueEnd = -1;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag === 0x0a) {
      keyLen = r.length(end);
      keyPos = r.pos;
      r.pos += keyLen;
    } else if (tag === 0x12) {
      const len = r.length(end);
      valueStart = r.pos;
      valueEnd = valueStart + len;
      r.pos = valueEnd;
    } else {
      r.skip(tag, end);
    }
  }
  const key = keyPos === -1 ? '' : utf8Bounded(r.buf, keyPos, keyLen, Math.max(1, maxChars - out.text.length));
  out.text += `${JSON.stringify(key)}:`;
  if (valueStart === -1) out.text += 'null';
  else renderValue(r, valueStart, valueEnd, maxChars, depth, out);
}
