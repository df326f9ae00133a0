import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { PACKED_ID_WORDS, PackedSpanRecord } from './packed-span-record.js';
import { TraceChains, hex8, hex16, hex32, hexWord, traceIdWords } from './trace-chains.js';
import { TraceRing } from './trace-ring.js';

/** Trace IDs that share words (64-bit IDs: high half zero; low-entropy counters) plus text IDs and none. */
function poolId(n: number): string {
  if (n === 0) return '';
  if (n % 7 === 0) return `text-${n}`;
  if (n % 3 === 0) return hex8(0) + hex8(0) + hex8(n * 0x9e3779b1) + hex8(n);
  return hex8(n) + hex8(n & 3) + hex8(0xdeadbeef) + hex8(n >>> 1);
}

describe('TraceChains', () => {
  it('matches a Map model over random push / evict sequences (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 400 }),
        fc.boolean(),
        (capacity, picks, byWords) => {
          // prepare
          const chains = new TraceChains(capacity);
          const pushedIds: string[] = [];
          const words = new Uint32Array(4);

          picks.forEach((pick, pushNumber) => {
            // act
            const id = poolId(pick);
            const slot = pushNumber % capacity;
            const evicting = pushNumber >= capacity;
            let left: string;
            if (byWords && traceIdWords(id, words)) {
              const gone = chains.linkWords(slot, pushNumber, words[0]!, words[1]!, words[2]!, words[3]!, evicting);
              left = gone ? chains.leftTraceId() : '';
            } else {
              left = chains.link(slot, pushNumber, id, evicting);
            }
            pushedIds.push(id);

            // verify: the model is a Map<trace, push numbers newest first> over the ring's window
            const oldest = Math.max(0, pushedIds.length - capacity);
            const model = new Map<string, number[]>();
            for (let n = pushedIds.length - 1; n >= oldest; n--) {
              const t = pushedIds[n]!;
              if (t === '') continue;
              const list = model.get(t) ?? [];
              list.push(n);
              model.set(t, list);
            }
            const evictedId = evicting ? pushedIds[pushNumber - capacity]! : '';
            // the evicted item's trace left when no other item of it remained (before the new item was indexed)
            const remained = pushedIds.slice(pushNumber - capacity + 1, pushNumber).includes(evictedId);
            expect(left).toBe(evictedId !== '' && !remained ? evictedId : '');
            expect(chains.size).toBe(model.size);
            expect(new Set(chains.traceIds())).toEqual(new Set(model.keys()));
            for (const [t, pushes] of model) {
              expect(chains.has(t)).toBe(true);
              expect(chains.pushNumbers(t, oldest, Number.POSITIVE_INFINITY)).toEqual(pushes);
              expect(chains.traceIdAt(pushes[0]! % capacity)).toBe(t);
            }
            for (let n = 0; n <= 60; n++) {
              const t = poolId(n);
              if (t !== '' && !model.has(t)) expect(chains.has(t)).toBe(false);
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('writes words as lowercase hex and reads them back (property)', () => {
    const word = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(word, word, word, word, (a, b, c, d) => {
        const hex = (w: number) => w.toString(16).padStart(8, '0');
        expect(hex8(a)).toBe(hex(a));
        expect(hex16(a, b)).toBe(hex(a) + hex(b));
        const text = hex32(a, b, c, d);
        expect(text).toBe(hex(a) + hex(b) + hex(c) + hex(d));
        const words = new Uint32Array(4);
        expect(traceIdWords(text, words)).toBe(true);
        expect([...words]).toEqual([a, b, c, d]);
        expect(traceIdWords(`A${text.slice(1)}`, words)).toBe(false); // uppercase: not the canonical form
      }),
    );
  });

  it('clear forgets every trace', () => {
    const chains = new TraceChains(4);
    chains.link(0, 0, poolId(1), false);
    chains.link(1, 1, poolId(7), false);
    chains.clear();
    expect([chains.size, chains.has(poolId(1)), chains.has(poolId(7)), chains.traceIds()]).toEqual([0, false, false, []]);
  });
});

describe('TraceRing with PackedSpanRecord', () => {
  function packed(trace: readonly number[], span: readonly number[], parent: readonly number[] | null): PackedSpanRecord {
    const words = new Uint32Array(PACKED_ID_WORDS);
    words.set([...trace, ...span, ...(parent ?? [0, 0])]);
    return new PackedSpanRecord(words, 0, parent !== null, 'svc', 'op', 2, 1000, 1005.5, 2, 'boom', 'E', 'm', 500, '', true, 'u', -1, 0, 0);
  }

  it('indexes the words and gives back the same span as text', () => {
    // prepare
    const ring = new TraceRing(2);
    const root = packed([0xabcdef01, 0, 0xffffffff, 7], [1, 2], null);
    const child = packed([0xabcdef01, 0, 0xffffffff, 7], [3, 0x80000000], [1, 2]);
    const other = packed([1, 2, 3, 4], [5, 6], null);

    // act
    ring.push(root);
    ring.push(child);

    // verify
    expect(root.trace_id).toBe('abcdef0100000000ffffffff00000007');
    expect(child.parent_span_id).toBe(root.span_id);
    expect(ring.spansForTrace(root.trace_id)).toEqual([root.toRecord(), child.toRecord()]);
    expect(ring.push(other)).toBe(''); // root left, child still holds the trace
    expect(ring.push(packed([9, 9, 9, 9], [1, 1], null))).toBe(root.trace_id);
    expect(JSON.stringify(other)).toBe(JSON.stringify(other.toRecord()));
  });
});

describe('hexWord', () => {
  it('reads 8 lowercase hex characters as a word, and anything else (uppercase, other characters, too short) as -1', () => {
    const reference = (text: string, offset: number) => {
      const part = text.slice(offset, offset + 8);
      return /^[0-9a-f]{8}$/.test(part) ? Number.parseInt(part, 16) : -1;
    };
    const hexish = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFgz/:`\u0660\uff10'.split('')), maxLength: 12 });
    fc.assert(
      fc.property(fc.oneof(hexish, fc.string({ unit: 'binary', maxLength: 12 })), fc.nat(4), (text, offset) => {
        expect(hexWord(text, offset)).toBe(reference(text, offset));
      }),
      { numRuns: 2000 },
    );
    expect(hexWord('ffffffff', 0)).toBe(0xffffffff);
    expect(hexWord('0000000g', 0)).toBe(-1);
  });
});
