import { describe, expect, it } from 'vitest';
import { concat, EGROUP, fixed32Field, fixed64Field, LEN, lenField, SGROUP, tag, varint } from '../../test/helpers/receiver/wire-builder.js';
import { DecodeError } from './decode-error.js';
import { asBuffer, MAX_GROUP_DEPTH, ProtoReader } from './proto-reader.js';

function reader(bytes: Uint8Array): ProtoReader {
  return new ProtoReader(asBuffer(bytes));
}

function decodeErrorOf(run: () => unknown): DecodeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return error as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('ProtoReader varints', () => {
  it.each([
    [0, 1],
    [1, 1],
    [127, 1],
    [128, 2],
    [300, 2],
    [16_383, 2],
    [16_384, 3],
    [2 ** 28 - 1, 4],
    [2 ** 31, 5],
    [2 ** 32 - 1, 5],
  ])('uint32 reads %d from %d bytes', (value, size) => {
    // prepare
    const bytes = varint(value);
    expect(bytes.length).toBe(size);
    const r = reader(bytes);
    // act
    const read = r.uint32(bytes.length);
    // verify
    expect(read).toBe(value);
    expect(r.pos).toBe(size);
  });

  it('uint32 keeps the low 32 bits of a wider varint, consuming all of it', () => {
    const bytes = varint(2n ** 40n + 5n);
    const r = reader(bytes);
    expect(r.uint32(bytes.length)).toBe(5);
    expect(r.pos).toBe(bytes.length);
  });

  it.each([0n, 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 63n, 2n ** 64n - 1n])('varint64 splits %s into halves', (value) => {
    const bytes = varint(value);
    const r = reader(bytes);
    r.varint64(bytes.length);
    expect((BigInt(r.hi) << 32n) | BigInt(r.lo)).toBe(value);
    expect(r.pos).toBe(bytes.length);
  });

  it('int64 reads negative numbers from ten-byte two’s complement', () => {
    const bytes = varint(-14n);
    expect(bytes.length).toBe(10);
    expect(reader(bytes).int64(bytes.length)).toBe(-14);
  });

  it('refuses a varint of more than ten bytes, at its first byte', () => {
    const bytes = Buffer.from([0x00, ...new Array(11).fill(0xff), 0x01]);
    const r = reader(bytes);
    r.pos = 1;
    const error = decodeErrorOf(() => r.uint32(bytes.length));
    expect(error.reason).toBe('varint longer than 10 bytes');
    expect(error.position).toBe(1);
    r.pos = 1;
    expect(() => r.skipVarint(bytes.length)).toThrow(DecodeError);
  });

  it('refuses a varint cut off by the limit, even when the buffer goes on', () => {
    const bytes = Buffer.from([0x80, 0x80, 0x01]);
    const error = decodeErrorOf(() => reader(bytes).uint32(2));
    expect(error.reason).toBe('truncated varint');
    expect(error.position).toBe(2);
    expect(() => reader(bytes).skipVarint(2)).toThrow(/truncated varint/);
  });
});

describe('ProtoReader fixed-width and length-delimited fields', () => {
  it('reads fixed32 and fixed64 little-endian, unsigned', () => {
    const bytes = concat(fixed32Field(1, 0xfffffffe), fixed64Field(2, 0x0123456789abcdefn));
    const r = reader(bytes);
    expect(r.uint32(bytes.length)).toBe(tag(1, 5)[0]);
    expect(r.fixed32(bytes.length)).toBe(0xfffffffe);
    r.uint32(bytes.length);
    r.fixed64(bytes.length);
    expect(r.hi).toBe(0x01234567);
    expect(r.lo).toBe(0x89abcdef);
  });

  it('reads doubles', () => {
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleLE(0.9);
    expect(reader(bytes).double(8)).toBe(0.9);
  });

  it.each([
    ['fixed32', (r: ProtoReader) => r.fixed32(3), 'truncated fixed32'],
    ['fixed64', (r: ProtoReader) => r.fixed64(7), 'truncated fixed64'],
    ['double', (r: ProtoReader) => r.double(7), 'truncated double'],
  ])('refuses a truncated %s', (_name, read, reason) => {
    const error = decodeErrorOf(() => read(reader(Buffer.alloc(8))));
    expect(error.reason).toBe(reason);
    expect(error.position).toBe(0);
  });

  it('returns a length that fits and leaves pos at the payload', () => {
    const bytes = lenField(1, Buffer.from('abc'));
    const r = reader(bytes);
    r.uint32(bytes.length);
    expect(r.length(bytes.length)).toBe(3);
    expect(r.pos).toBe(2);
    r.pos = 1;
    expect(r.payloadEnd(bytes.length)).toBe(5);
  });

  it('refuses a length past the end of the enclosing message, naming the length and position', () => {
    const bytes = concat(tag(1, LEN), varint(200), Buffer.from('short'));
    const r = reader(bytes);
    r.uint32(bytes.length);
    const error = decodeErrorOf(() => r.length(bytes.length));
    expect(error.message).toBe('length 200 past end of message (5 bytes left) at byte 1');
  });

  it('refuses a length of 2^32 or more instead of wrapping it', () => {
    const bytes = concat(varint(2n ** 32n + 1n), Buffer.alloc(4));
    expect(decodeErrorOf(() => reader(bytes).length(bytes.length)).reason).toBe('length out of range');
  });
});

describe('ProtoReader.skip', () => {
  function skipAll(bytes: Buffer): number {
    const r = reader(bytes);
    while (r.pos < bytes.length) r.skip(r.uint32(bytes.length), bytes.length);
    return r.pos;
  }

  it('skips every wire type', () => {
    const bytes = concat(
      tag(1, 0),
      varint(2n ** 63n),
      fixed64Field(2, 1n),
      lenField(3, Buffer.from('xyz')),
      fixed32Field(4, 7),
      tag(5, SGROUP),
      tag(6, 0),
      varint(1),
      tag(5, EGROUP),
    );
    expect(skipAll(bytes)).toBe(bytes.length);
  });

  it('skips nested groups and refuses mismatched, unterminated or stray end-groups', () => {
    expect(skipAll(concat(tag(1, SGROUP), tag(2, SGROUP), tag(2, EGROUP), tag(1, EGROUP)))).toBeGreaterThan(0);
    expect(() => skipAll(concat(tag(1, SGROUP), tag(2, EGROUP)))).toThrow(/mismatched end-group for field 2/);
    expect(() => skipAll(concat(tag(1, SGROUP), tag(2, 0), varint(1)))).toThrow(/unterminated group for field 1/);
    expect(() => skipAll(tag(3, EGROUP))).toThrow(/unexpected end-group for field 3 at byte 1/);
  });

  it('refuses groups nested deeper than MAX_GROUP_DEPTH without recursing', () => {
    const open = Buffer.concat(new Array(MAX_GROUP_DEPTH + 1).fill(tag(1, SGROUP)));
    expect(() => skipAll(open)).toThrow(/groups nested too deeply/);
    // Far deeper input must still end in a DecodeError, never a stack overflow.
    expect(() => skipAll(Buffer.concat(new Array(100_000).fill(tag(1, SGROUP))))).toThrow(DecodeError);
  });

  it.each([6, 7])('refuses wire type %d', (wireType) => {
    const error = decodeErrorOf(() => skipAll(tag(1, wireType)));
    expect(error.reason).toBe(`invalid wire type ${wireType}`);
  });

  it('refuses field number 0', () => {
    expect(decodeErrorOf(() => skipAll(Buffer.from([0x00, 0x01]))).reason).toBe('field number 0');
  });

  it('refuses a fixed-width payload cut off by the limit', () => {
    expect(() => skipAll(concat(tag(1, 1), Buffer.alloc(7)))).toThrow(/truncated fixed64/);
    expect(() => skipAll(concat(tag(1, 5), Buffer.alloc(3)))).toThrow(/truncated fixed32/);
  });
});

describe('DecodeError', () => {
  it('carries reason and position and names itself', () => {
    const error = new DecodeError('truncated varint', 57);
    expect(error.name).toBe('DecodeError');
    expect(error.message).toBe('truncated varint at byte 57');
    expect(error).toBeInstanceOf(Error);
  });
});

describe('asBuffer', () => {
  it('views a Uint8Array window without copying', () => {
    const backing = new Uint8Array([9, 1, 2, 3, 9]);
    const view = asBuffer(backing.subarray(1, 4));
    expect([...view]).toEqual([1, 2, 3]);
    backing[2] = 7;
    expect(view[1]).toBe(7);
  });
});
