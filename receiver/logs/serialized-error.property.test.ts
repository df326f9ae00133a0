import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_SERIALIZED_ERROR_CHARS,
  MAX_SERIALIZED_ERROR_FIELD_CHARS,
  parseSerializedError,
} from './serialized-error.js';

const field = fc.option(fc.string({ unit: 'binary', maxLength: 50 }), { nil: undefined });

describe('parseSerializedError (untrusted JSON text)', () => {
  it('never throws, and gives null or bounded strings, for any text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.json({ maxDepth: 4 })), (text) => {
        const parsed = parseSerializedError(text);
        if (parsed === null) return;
        for (const value of [parsed.type, parsed.message, parsed.stack]) {
          if (value !== null) {
            expect(typeof value).toBe('string');
            expect(value.length).toBeGreaterThan(0);
            expect(value.length).toBeLessThanOrEqual(MAX_SERIALIZED_ERROR_FIELD_CHARS);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('reads type (else name), message and stack back from what pino writes', () => {
    fc.assert(
      fc.property(field, field, field, field, fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), (type, name, message, stack, extra) => {
        // prepare
        const text = JSON.stringify({ ...extra, type, name, message, stack });
        // act
        const parsed = parseSerializedError(text);
        // verify
        const bounded = (value: string | undefined) => (value === undefined || value === '' ? null : value.slice(0, MAX_SERIALIZED_ERROR_FIELD_CHARS));
        expect(parsed).toEqual({ type: bounded(type) ?? bounded(name), message: bounded(message), stack: bounded(stack) });
      }),
    );
  });

  it('refuses what is not an object, and text past the bound, without parsing it', () => {
    expect(parseSerializedError('"CardDeclinedError"')).toBeNull();
    expect(parseSerializedError('[{"type":"X"}]')).toBeNull();
    expect(parseSerializedError('null')).toBeNull();
    expect(parseSerializedError('{"type":"X"')).toBeNull();
    expect(parseSerializedError(`{"type":"X","stack":"${'s'.repeat(MAX_SERIALIZED_ERROR_CHARS)}"}`)).toBeNull();
    expect(parseSerializedError(`${'['.repeat(100_000)}`)).toBeNull();
    expect(parseSerializedError('{"__proto__":{"type":"Polluted"},"message":"m"}')).toEqual({ type: null, message: 'm', stack: null });
  });
});
