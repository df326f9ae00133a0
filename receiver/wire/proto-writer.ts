// The little protobuf encoding the receiver does: export responses and google.rpc.Status details, a few dozen
// bytes each. Plain number arrays are simpler than a growable buffer at this size; nothing here is on the per-span
// path.

import { tagOf, WIRE_LEN, WIRE_VARINT } from './proto-reader.js';

const SEVEN_BITS = 0x80;

export class ProtoWriter {
  private readonly bytes: number[] = [];

  /** A non-negative integer (up to 2^53) as a varint. */
  varint(value: number): this {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`varint must be a non-negative integer: ${value}`);
    let rest = value;
    while (rest >= SEVEN_BITS) {
      this.bytes.push((rest % SEVEN_BITS) | SEVEN_BITS);
      rest = Math.floor(rest / SEVEN_BITS);
    }
    this.bytes.push(rest);
    return this;
  }

  /** A varint field (uint32/uint64/int64/int32/enum with a non-negative value). */
  uintField(field: number, value: number): this {
    return this.varint(tagOf(field, WIRE_VARINT)).varint(value);
  }

  bytesField(field: number, payload: Uint8Array): this {
    this.varint(tagOf(field, WIRE_LEN)).varint(payload.length);
    for (const byte of payload) this.bytes.push(byte);
    return this;
  }

  stringField(field: number, text: string): this {
    return this.bytesField(field, Buffer.from(text, 'utf8'));
  }

  finish(): Buffer {
    return Buffer.from(this.bytes);
  }
}
