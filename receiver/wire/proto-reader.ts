// A minimal protobuf wire reader: just the wire types OTLP uses, over one Buffer with offsets.
//
//   request Buffer ──ProtoReader(pos)──▶ scanners read tags, varints, fixed ints and LEN ranges; no values are
//                                        copied out unless a scanner asks (strings are decoded by the caller).
//
// Every read takes the `limit` of the enclosing message, so a nested length can never lead a read into its parent's
// bytes, and every problem throws DecodeError with the byte position — never RangeError, never a hang: each loop
// consumes at least one byte per iteration and nothing recurses (groups are skipped with an explicit stack).
// Wire format: https://protobuf.dev/programming-guides/encoding/

import { DecodeError } from './decode-error.js';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_SGROUP = 3;
export const WIRE_EGROUP = 4;
export const WIRE_I32 = 5;

/** A 64-bit varint takes at most ten bytes; an eleventh continuation byte is malformed. */
export const MAX_VARINT_BYTES = 10;
/** Nesting limit for (obsolete, proto2-only) groups in unknown fields; deeper nesting is refused, not recursed. */
export const MAX_GROUP_DEPTH = 64;

const TWO_POW_32 = 4294967296;

/** Field tag from field number and wire type, for tests and encoders (decoders switch on literal tags). */
export function tagOf(field: number, wireType: number): number {
  return field * 8 + wireType;
}

/**
 * Cursor over one protobuf-encoded Buffer. One instance per request; scanners pass it down and read `pos`.
 * `lo`/`hi` hold the halves of the last 64-bit value read by `varint64`/`fixed64`, valid until the next such read.
 */
export class ProtoReader {
  readonly buf: Buffer;
  pos = 0;
  lo = 0;
  hi = 0;
  /** Set by keyValue(): byte ranges of the KeyValue's key and AnyValue (-1 when absent); valid until the next call. */
  kvKeyPos = -1;
  kvKeyLen = 0;
  kvValueStart = -1;
  kvValueEnd = -1;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  /**
   * A varint's low 32 bits as an unsigned number (tags, enums, uint32, lengths before checking).
   * The one- and two-byte cases are inlined because tags and most lengths fit them: decode.bench measured
   * decode + convert at ~1.27M spans/s through the general loop alone and ~1.66M with this fast path.
   */
  uint32(limit: number): number {
    const buf = this.buf;
    const pos = this.pos;
    if (pos + 1 < limit) {
      const b0 = buf[pos]!;
      if (b0 < 0x80) {
        this.pos = pos + 1;
        return b0;
      }
      const b1 = buf[pos + 1]!;
      if (b1 < 0x80) {
        this.pos = pos + 2;
        return (b0 & 0x7f) | (b1 << 7);
      }
    }
    this.varint64(limit);
    return this.lo;
  }

  /**
   * Reads a KeyValue message (common.proto: 1 key LEN, 2 value LEN) that ends at `kvEnd`, leaving the ranges in
   * kvKeyPos/kvKeyLen and kvValueStart/kvValueEnd (no allocation); other fields are skipped. Every attribute
   * scanner (spans, span events, logs, metric points, resources) goes through here.
   */
  keyValue(kvEnd: number): void {
    let keyPos = -1;
    let keyLen = 0;
    let valueStart = -1;
    let valueEnd = -1;
    while (this.pos < kvEnd) {
      const kvTag = this.uint32(kvEnd);
      if (kvTag === 0x0a) {
        keyLen = this.length(kvEnd);
        keyPos = this.pos;
        this.pos += keyLen;
      } else if (kvTag === 0x12) {
        const len = this.length(kvEnd);
        valueStart = this.pos;
        valueEnd = valueStart + len;
        this.pos = valueEnd;
      } else {
        this.skip(kvTag, kvEnd);
      }
    }
    this.kvKeyPos = keyPos;
    this.kvKeyLen = keyLen;
    this.kvValueStart = valueStart;
    this.kvValueEnd = valueEnd;
  }

  /**
   * Skips to the next `fieldTag` field (a KeyValue: attributes, resource attributes) before `end` and reads it as
   * keyValue() does; returns the KeyValue's end (where `pos` is left), or -1 when no such field is left.
   */
  nextKeyValue(fieldTag: number, end: number): number {
    while (this.pos < end) {
      const tag = this.uint32(end);
      if (tag !== fieldTag) {
        this.skip(tag, end);
        continue;
      }
      const kvEnd = this.payloadEnd(end);
      this.keyValue(kvEnd);
      return kvEnd;
    }
    return -1;
  }

  /** Reads any varint into `lo`/`hi` (unsigned 32-bit halves). */
  varint64(limit: number): void {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (pos >= limit) throw new DecodeError('truncated varint', pos);
      const b = buf[pos++]!;
      const bits = b & 0x7f;
      if (i < 4) {
        lo |= bits << (7 * i);
      } else if (i === 4) {
        lo |= (bits & 0x0f) << 28;
        hi = bits >>> 4;
      } else {
        hi |= bits << (7 * i - 32);
      }
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw new DecodeError('varint longer than 10 bytes', this.pos);
  }

  /** A varint as a signed 64-bit integer in a JS number (exact up to 2^53, which covers every value we compare). */
  int64(limit: number): number {
    this.varint64(limit);
    return (this.hi | 0) * TWO_POW_32 + this.lo;
  }

  /** Skips a varint without computing it. */
  skipVarint(limit: number): void {
    const buf = this.buf;
    let pos = this.pos;
    const last = Math.min(limit, pos + MAX_VARINT_BYTES);
    while (pos < last) {
      if (buf[pos++]! < 0x80) {
        this.pos = pos;
        return;
      }
    }
    if (pos >= limit) throw new DecodeError('truncated varint', pos);
    throw new DecodeError('varint longer than 10 bytes', this.pos);
  }

  /**
   * The length prefix of a LEN field, checked against `limit`; leaves `pos` at the first payload byte, so the
   * payload is `[pos, pos + length)`.
   */
  length(limit: number): number {
    const start = this.pos;
    let len: number;
    const buf = this.buf;
    if (start < limit && buf[start]! < 0x80) {
      len = buf[start]!;
      this.pos = start + 1;
    } else {
      this.varint64(limit);
      if (this.hi !== 0) throw new DecodeError('length out of range', start);
      len = this.lo;
    }
    if (len > limit - this.pos) {
      throw new DecodeError(`length ${len} past end of message (${limit - this.pos} bytes left)`, start);
    }
    return len;
  }

  /** Reads a LEN prefix like length() and returns where the payload ends; `pos` is left at its first byte. */
  payloadEnd(limit: number): number {
    const len = this.length(limit);
    return this.pos + len;
  }

  fixed32(limit: number): number {
    const pos = this.pos;
    if (pos + 4 > limit) throw new DecodeError('truncated fixed32', pos);
    const buf = this.buf;
    this.pos = pos + 4;
    return (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16)) + buf[pos + 3]! * 0x1000000;
  }

  /** Reads a fixed64 into `lo`/`hi`. */
  fixed64(limit: number): void {
    const pos = this.pos;
    if (pos + 8 > limit) throw new DecodeError('truncated fixed64', pos);
    const buf = this.buf;
    this.lo = (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16)) + buf[pos + 3]! * 0x1000000;
    this.hi = (buf[pos + 4]! | (buf[pos + 5]! << 8) | (buf[pos + 6]! << 16)) + buf[pos + 7]! * 0x1000000;
    this.pos = pos + 8;
  }

  double(limit: number): number {
    const pos = this.pos;
    if (pos + 8 > limit) throw new DecodeError('truncated double', pos);
    this.pos = pos + 8;
    return this.buf.readDoubleLE(pos);
  }

  /**
   * Skips the payload of a field whose tag was just read. Unknown fields are skipped (proto3 forward
   * compatibility); a wire type that does not exist, a stray end-group or field number 0 is malformed.
   */
  skip(tag: number, limit: number): void {
    const tagPos = this.pos;
    if (tag < 8) throw new DecodeError('field number 0', tagPos);
    switch (tag & 7) {
      case WIRE_VARINT:
        this.skipVarint(limit);
        return;
      case WIRE_I64:
        if (this.pos + 8 > limit) throw new DecodeError('truncated fixed64', this.pos);
        this.pos += 8;
        return;
      case WIRE_LEN: {
        const len = this.length(limit);
        this.pos += len;
        return;
      }
      case WIRE_I32:
        if (this.pos + 4 > limit) throw new DecodeError('truncated fixed32', this.pos);
        this.pos += 4;
        return;
      case WIRE_SGROUP:
        this.skipGroup(tag >>> 3, limit);
        return;
      case WIRE_EGROUP:
        throw new DecodeError(`unexpected end-group for field ${tag >>> 3}`, tagPos);
      default:
        throw new DecodeError(`invalid wire type ${tag & 7}`, tagPos);
    }
  }

  /** Skips a group up to its matching end-group tag, with an explicit stack instead of recursion. */
  private skipGroup(field: number, limit: number): void {
    const open: number[] = [field];
    while (open.length > 0) {
      if (this.pos >= limit) throw new DecodeError(`unterminated group for field ${open[open.length - 1]}`, this.pos);
      const tagPos = this.pos;
      const tag = this.uint32(limit);
      if (tag < 8) throw new DecodeError('field number 0', tagPos);
      const wireType = tag & 7;
      if (wireType === WIRE_SGROUP) {
        if (open.length >= MAX_GROUP_DEPTH) throw new DecodeError('groups nested too deeply', tagPos);
        open.push(tag >>> 3);
      } else if (wireType === WIRE_EGROUP) {
        if (open.pop() !== tag >>> 3) throw new DecodeError(`mismatched end-group for field ${tag >>> 3}`, tagPos);
      } else {
        this.skip(tag, limit);
      }
    }
  }
}

/** A Buffer view of the same bytes (no copy), so strings and doubles can use Buffer's native readers. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
