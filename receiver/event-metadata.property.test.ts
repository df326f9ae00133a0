// Whatever telemetry puts into an event's metadata, in whatever order, the bounds hold: keys, value length, and the
// characters of the whole; and interning the values changes nothing but which copy of a string is kept.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEventStrings, MAX_METADATA_CHARS, MAX_METADATA_KEYS, MAX_METADATA_VALUE_LENGTH, MetadataBuilder } from './event-metadata.js';

const value = fc.oneof(fc.string({ unit: 'binary', maxLength: 600 }), fc.integer(), fc.boolean(), fc.double());
const puts = fc.array(fc.tuple(fc.string({ unit: 'binary', maxLength: 40 }), value, fc.boolean()), { maxLength: 80 });

describe('MetadataBuilder', () => {
  it('keeps every bound whatever is put into it', () => {
    fc.assert(
      fc.property(puts, (entries) => {
        const meta = new MetadataBuilder();
        for (const [key, item, ifAbsent] of entries) {
          if (ifAbsent) meta.putIfAbsent(key, item);
          else meta.put(key, item);
        }
        const stored = Object.entries(meta.metadata);
        expect(stored.length).toBeLessThanOrEqual(MAX_METADATA_KEYS);
        let chars = 0;
        for (const [key, item] of stored) {
          if (typeof item === 'string') expect([...item].length).toBeLessThanOrEqual(MAX_METADATA_VALUE_LENGTH);
          chars += key.length + (typeof item === 'string' ? item.length : 8);
        }
        expect(chars).toBeLessThanOrEqual(MAX_METADATA_CHARS);
        expect(Object.getPrototypeOf(meta.metadata)).toBe(Object.prototype);
      }),
    );
  });

  it('keeps the same metadata with its names interned as without', () => {
    const strings = createEventStrings(); // shared by every run, as a converter shares it by every event
    fc.assert(
      fc.property(puts, (entries) => {
        const plain = new MetadataBuilder();
        const interned = new MetadataBuilder(strings);
        for (const [key, item, ifAbsent] of entries) {
          plain.put(key, item);
          // Names go through the interner; the rest as they are.
          if (typeof item === 'string' && !ifAbsent) interned.putName(key, item);
          else interned.put(key, item);
        }
        expect(Object.entries(interned.metadata)).toEqual(Object.entries(plain.metadata));
      }),
    );
  });
});
