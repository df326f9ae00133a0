import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteStringCache } from './byte-string-cache.js';
import { utf8Bounded } from './utf8.js';

const decode = (buf: Buffer, pos: number, len: number) => utf8Bounded(buf, pos, len, 40);

describe('ByteStringCache', () => {
  it('gives what decoding gives, for any bytes at any offset, among repeats, collisions and replacements (property)', () => {
    // A tiny cache (4 slots, 8 bytes) so that slots collide and sequences are replaced and longer ones bypass it.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 12 }), fc.nat(3)), { minLength: 1, maxLength: 60 }),
        (items) => {
          const cache = new ByteStringCache(decode, 4, 8);
          for (const [bytes, padding] of items) {
            // The sequence sits inside a larger buffer, as a span name sits inside its request.
            const buf = Buffer.concat([Buffer.alloc(padding, 0xc3), bytes, Buffer.alloc(padding, 0x80)]);
            expect(cache.get(buf, padding, bytes.length)).toBe(decode(buf, padding, bytes.length));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hands back the first string it made for a repeat, not a new one', () => {
    let decoded = 0;
    const cache = new ByteStringCache(
      (buf, pos, len) => {
        decoded++;
        return decode(buf, pos, len);
      },
      64,
      32,
    );
    const first = cache.get(Buffer.from('xxGET /api/items'), 2, 14);
    const again = cache.get(Buffer.from('GET /api/items!'), 0, 14);
    expect(again).toBe('GET /api/items');
    expect(decoded).toBe(1);
    expect(cache.get(Buffer.from('GET /api/itemz'), 0, 14)).toBe('GET /api/itemz'); // one byte apart: decoded
    expect(cache.get(Buffer.from('x'.repeat(40)), 0, 40)).toBe('x'.repeat(40)); // longer than the cache keeps
    expect(decoded).toBe(3);
    expect(first).toBe(again);
  });
});
