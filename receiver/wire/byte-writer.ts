// A growable protobuf writer for the OTLP/JSON → protobuf transcoder (json/otlp-json.ts): requests of up to the
// body limit, written once, front to back. Nested messages reserve one length byte and are shifted in place when
// their length needs more (128 bytes or longer), so there is no size pre-pass and no per-message buffer: the cost
// is a memmove of each long message, once per nesting level (a handful of levels in OTLP).

import { tagOf } from './proto-reader.js';

const INITIAL_CAPACITY = 4096;
const TWO_POW_32 = 4294967296;
const UINT64_MASK = (1n << 64n) - 1n;

export class ByteWriter {
  private buf: Buffer;
  pos = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private ensure(extra: number): void {
    const needed = this.pos + extra;
    if (needed <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(needed, this.buf.length * 2));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** An unsigned varint of a non-negative integer up to 2^53. */
  varint(value: number): void {
    this.ensure(10);
    let rest = value;
    while (rest >= 0x80) {
      this.buf[this.pos++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buf[this.pos++] = rest;
  }

  /** Any 64-bit varint (negative values as two's complement: ten bytes). */
  varintBig(value: bigint): void {
    let rest = value & UINT64_MASK;
    this.ensure(10);
    while (rest >= 0x80n) {
      this.buf[this.pos++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buf[this.pos++] = Number(rest);
  }

  tag(field: number, wireType: number): void {
    this.varint(tagOf(field, wireType));
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  /** A 64-bit value (two's complement for negatives) little-endian. */
  fixed64(value: bigint): void {
    const bits = value & UINT64_MASK;
    this.ensure(8);
    this.buf.writeUInt32LE(Number(bits & 0xffffffffn), this.pos);
    this.buf.writeUInt32LE(Number(bits >> 32n), this.pos + 4);
    this.pos += 8;
  }

  /** A non-negative 64-bit value given as a safe integer, little-endian. */
  fixed64Number(value: number): void {
    this.ensure(8);
    this.buf.writeUInt32LE(value % TWO_POW_32, this.pos);
    this.buf.writeUInt32LE(Math.floor(value / TWO_POW_32), this.pos + 4);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  bytes(payload: Uint8Array): void {
    this.varint(payload.length);
    this.ensure(payload.length);
    this.buf.set(payload, this.pos);
    this.pos += payload.length;
  }

  string(text: string): void {
    const units = text.length;
    if (units < 0x80) {
      // Short ASCII (attribute keys, most values) byte by byte: Buffer#write's call overhead dominates at this size
      // (logs-metrics.bench, OTLP/JSON rows).
      this.ensure(1 + units * 3);
      const buf = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < units; i++) {
        const unit = text.charCodeAt(i);
        if (unit >= 0x80) break;
        buf[start + i] = unit;
      }
      if (i === units) {
        buf[this.pos] = units;
        this.pos = start + units;
        return;
      }
    }
    // Worst case three bytes per UTF-16 unit: a short string is written in place behind a one-byte length.
    const maxBytes = units * 3;
    if (maxBytes < 0x80) {
      this.ensure(1 + maxBytes);
      const written = this.buf.write(text, this.pos + 1, 'utf8');
      this.buf[this.pos] = written;
      this.pos += 1 + written;
      return;
    }
    const length = Buffer.byteLength(text, 'utf8');
    this.varint(length);
    this.ensure(length);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  /** Hex text as a LEN payload; false (nothing written) when it is not an even number of hex digits. */
  hex(text: string): boolean {
    if (text.length % 2 !== 0) return false;
    const length = text.length / 2;
    const mark = this.pos;
    this.varint(length);
    this.ensure(length);
    // Buffer#write('hex') stops at the first pair that is not hex: a short count means bad input.
    if (this.buf.write(text, this.pos, 'hex') !== length) {
      this.pos = mark;
      return false;
    }
    this.pos += length;
    return true;
  }

  /** Starts a LEN payload after its tag; returns the mark endMessage() needs. */
  beginMessage(): number {
    this.ensure(1);
    this.pos += 1;
    return this.pos;
  }

  endMessage(start: number): void {
    const length = this.pos - start;
    if (length < 0x80) {
      this.buf[start - 1] = length;
      return;
    }
    let size = 1;
    for (let rest = length; rest >= 0x80; rest = Math.floor(rest / 0x80)) size++;
    this.ensure(size - 1);
    this.buf.copy(this.buf, start + size - 1, start, this.pos);
    const end = this.pos + size - 1;
    this.pos = start - 1;
    this.varint(length);
    this.pos = end;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
