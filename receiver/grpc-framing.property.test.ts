// The gRPC framing reads untrusted bytes and headers: random input must give the message, or a FramingError with a
// status, and nothing else; the size limit holds before anything of an oversize message is kept.

import { status as GrpcStatus } from '@grpc/grpc-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binaryHeaderValue, FramingError, frameMessage, MessageAssembler, parseGrpcTimeout, percentEncode } from './grpc-framing.js';

/** `bytes` cut at `cuts` (sizes, each at least 1), as HTTP/2 DATA frames may cut them. */
function pieces(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const cut of cuts) {
    if (at >= bytes.length) break;
    out.push(bytes.subarray(at, at + Math.max(1, cut)));
    at += Math.max(1, cut);
  }
  if (at < bytes.length) out.push(bytes.subarray(at));
  return out;
}

/** Feeds `chunks` and finishes: the message, or the FramingError thrown (anything else fails the test). */
function assemble(chunks: readonly Buffer[], max: number): Buffer | FramingError {
  const assembler = new MessageAssembler(max);
  try {
    for (const chunk of chunks) assembler.push(chunk);
    return assembler.finish();
  } catch (error) {
    if (error instanceof FramingError) return error;
    throw error;
  }
}

describe('parseGrpcTimeout', () => {
  it('reads every unit and refuses what the spec does not allow', () => {
    expect(parseGrpcTimeout(undefined)).toBe(Number.POSITIVE_INFINITY);
    expect(parseGrpcTimeout('1H')).toBe(3_600_000);
    expect(parseGrpcTimeout('2M')).toBe(120_000);
    expect(parseGrpcTimeout('10S')).toBe(10_000);
    expect(parseGrpcTimeout('250m')).toBe(250);
    expect(parseGrpcTimeout('1500u')).toBe(1.5);
    expect(parseGrpcTimeout('99999999n')).toBeCloseTo(99.999999, 9);
    for (const bad of ['', 'S', '123456789S', '10s', '10 S', '-1S', '1.5S', '10', 'S10', '１S']) expect(parseGrpcTimeout(bad)).toBeNaN();
    expect(parseGrpcTimeout(['1S', '2S'])).toBeNaN();
  });

  it('never throws, and gives NaN or the value its digits and unit say, for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (text) => {
        const ms = parseGrpcTimeout(text);
        const match = /^(\d{1,8})([HMSmun])$/.exec(text);
        if (match === null) expect(ms).toBeNaN();
        else expect(ms).toBeCloseTo(Number(match[1]) * { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 }[match[2] as 'H'], 6);
      }),
    );
  });
});

describe('MessageAssembler', () => {
  it('gives back the message however the frame is cut, and keeps a one-chunk message without copying', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 40 }), (bytes, cuts) => {
        const message = Buffer.from(bytes);
        const framed = frameMessage(message);
        const result = assemble(pieces(framed, cuts), 1000);
        expect(result).toBeInstanceOf(Buffer);
        expect(Buffer.compare(result as Buffer, message)).toBe(0);
      }),
    );
    const framed = frameMessage(Buffer.from('one chunk'));
    const whole = assemble([framed], 1000) as Buffer;
    expect(whole.buffer).toBe(framed.buffer);
  });

  it('refuses a message over the limit at its prefix, before its bytes arrive', () => {
    const assembler = new MessageAssembler(100);
    const prefix = Buffer.from([0, 0, 0, 0, 101]);
    let thrown: unknown;
    try {
      assembler.push(prefix);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FramingError);
    expect((thrown as FramingError).code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    // A 4 GiB announcement is refused the same way: nothing is allocated for it.
    expect(assemble([Buffer.from([0, 0xff, 0xff, 0xff, 0xff])], 100)).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED });
  });

  it('refuses no message, a cut message, a second message and a bad flag, each with its status', () => {
    expect(assemble([], 100)).toMatchObject({ code: GrpcStatus.UNIMPLEMENTED });
    expect(assemble([Buffer.from([0, 0, 0])], 100)).toMatchObject({ code: GrpcStatus.INTERNAL });
    expect(assemble([Buffer.from([0, 0, 0, 0, 3, 1])], 100)).toMatchObject({ code: GrpcStatus.INTERNAL });
    expect(assemble([frameMessage(Buffer.from('a')), frameMessage(Buffer.from('b'))], 100)).toMatchObject({ code: GrpcStatus.UNIMPLEMENTED });
    expect(assemble([Buffer.from([2, 0, 0, 0, 0])], 100)).toMatchObject({ code: GrpcStatus.INTERNAL });
    const compressed = new MessageAssembler(100);
    compressed.push(Buffer.from([1, 0, 0, 0, 1, 7]));
    expect(compressed.finish()).toEqual(Buffer.from([7]));
    expect(compressed.compressed).toBe(true);
  });

  it('never throws anything but FramingError, and never hands out more than the limit, for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 20 }), fc.integer({ min: 0, max: 200 }), (bytes, cuts, max) => {
        const result = assemble(pieces(Buffer.from(bytes), cuts), max);
        if (result instanceof Buffer) {
          expect(result.length).toBeLessThanOrEqual(max);
          expect(bytes.length).toBe(result.length + 5);
        } else {
          expect([GrpcStatus.INTERNAL, GrpcStatus.UNIMPLEMENTED, GrpcStatus.RESOURCE_EXHAUSTED]).toContain(result.code);
        }
      }),
    );
  });
});

describe('header values', () => {
  it('percent-encodes grpc-message so that decoding gives the text back, and leaves plain ASCII alone', () => {
    expect(percentEncode('over capacity (saturated); retry later')).toBe('over capacity (saturated); retry later');
    expect(percentEncode('50% done\n')).toBe('50%25 done%0A');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), (text) => {
        const encoded = percentEncode(text);
        expect(/^[\x20-\x7e]*$/.test(encoded)).toBe(true);
        expect(decodeURIComponent(encoded)).toBe(text);
      }),
    );
  });

  it('writes binary values as unpadded base64', () => {
    expect(binaryHeaderValue(Buffer.from([1, 2]))).toBe('AQI');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const value = binaryHeaderValue(bytes);
        expect(value.endsWith('=')).toBe(false);
        expect(Buffer.from(value, 'base64').equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });
});
