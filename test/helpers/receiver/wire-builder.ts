// A test-only protobuf byte builder for payloads protobufjs will not produce: fields out of order, wrong wire
// types, groups, over-long varints, truncations. Functions return Buffers and compose by concatenation.

export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const SGROUP = 3;
export const EGROUP = 4;
export const I32 = 5;

/** An unsigned varint (number up to 2^53, or bigint up to 2^64). */
export function varint(value: number | bigint): Buffer {
  let rest = BigInt(value);
  if (rest < 0n) rest = BigInt.asUintN(64, rest);
  const out: number[] = [];
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return Buffer.from(out);
}

export function tag(field: number, wireType: number): Buffer {
  return varint(field * 8 + wireType);
}

export function concat(...parts: Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

export function lenField(field: number, ...payload: Uint8Array[]): Buffer {
  const body = Buffer.concat(payload);
  return concat(tag(field, LEN), varint(body.length), body);
}

export function stringField(field: number, text: string): Buffer {
  return lenField(field, Buffer.from(text, 'utf8'));
}

export function varintField(field: number, value: number | bigint): Buffer {
  return concat(tag(field, VARINT), varint(value));
}

export function fixed64Field(field: number, value: bigint): Buffer {
  const body = Buffer.alloc(8);
  body.writeBigUInt64LE(BigInt.asUintN(64, value));
  return concat(tag(field, I64), body);
}

export function fixed32Field(field: number, value: number): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt32LE(value >>> 0);
  return concat(tag(field, I32), body);
}

export function doubleField(field: number, value: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeDoubleLE(value);
  return concat(tag(field, I64), body);
}
