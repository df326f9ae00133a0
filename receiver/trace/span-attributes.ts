// A span's kept attributes, read back for a trace view. On ingest the scanner only notes which bytes to keep (the
// first run of whole Span.attributes fields that fits in MAX_KEPT_ATTRIBUTE_BYTES: SpanViewFast.keptFrom) and the
// span record copies them into the span attribute log (engine/span-attribute-log.ts); the trace ring and the store
// carry them unread. This reads them, when someone asks for a trace (GetTrace), into text cut to its bounds.
//
// The bytes are untrusted: they were scanned once, but a stored record may come from an older build or a damaged
// file, so the reader stops at the first thing it cannot read and returns what it read before it.

import { anyValueString } from '../wire/any-value.js';
import { ProtoReader } from '../wire/proto-reader.js';
import { utf8Bounded } from '../wire/utf8.js';

/** Longest attribute key shown, in UTF-16 units. */
export const MAX_ATTRIBUTE_KEY_CHARS = 64;
/** Longest attribute value shown, in UTF-16 units. */
export const MAX_ATTRIBUTE_VALUE_CHARS = 256;
/** Attributes shown of one span at most (the first ones; the rest count as not kept). */
export const MAX_ATTRIBUTES_SHOWN = 16;

/** Span field 9, attributes (LEN): the only field a kept run holds. */
const ATTRIBUTE_TAG = 0x4a;

export type KeptAttribute = { key: string; value: string };

/**
 * The attributes in `wire` (a record's attributes_wire) in the order sent: strings as sent, numbers and booleans
 * printed; arrays, maps, bytes and keyless entries left out (the caller counts them as not kept).
 */
export function readKeptAttributes(wire: Uint8Array | undefined): KeptAttribute[] {
  const out: KeptAttribute[] = [];
  if (wire === undefined || wire.length === 0) return out;
  const buf = Buffer.isBuffer(wire) ? wire : Buffer.from(wire.buffer, wire.byteOffset, wire.byteLength);
  const r = new ProtoReader(buf);
  const end = buf.length;
  try {
    while (out.length < MAX_ATTRIBUTES_SHOWN) {
      const kvEnd = r.nextKeyValue(ATTRIBUTE_TAG, end);
      if (kvEnd === -1) break;
      const keyPos = r.kvKeyPos;
      const keyLen = r.kvKeyLen;
      const valueStart = r.kvValueStart;
      const valueEnd = r.kvValueEnd;
      if (keyPos !== -1 && keyLen > 0) {
        // No value field is an empty AnyValue: shown as an empty string.
        const value = valueStart === -1 ? '' : anyValueString(r, valueStart, valueEnd, MAX_ATTRIBUTE_VALUE_CHARS);
        if (value !== null) out.push({ key: utf8Bounded(buf, keyPos, keyLen, MAX_ATTRIBUTE_KEY_CHARS), value });
      }
      r.pos = kvEnd;
    }
  } catch {
    // Unreadable from here on: what was read stands.
  }
  return out;
}
