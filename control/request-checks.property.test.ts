import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadRequest } from './backend.js';
import { checkedTraceId, sinceMsOf } from './request-checks.js';

describe('request checks', () => {
  it('a trace ID is 32 hex characters in any case, looked up in lower case; anything else is a BadRequest', () => {
    const hex = fc.stringMatching(/^[0-9a-fA-F]{32}$/);
    fc.assert(
      fc.property(hex, (id) => {
        expect(checkedTraceId(id)).toBe(id.toLowerCase());
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        if (/^[0-9a-fA-F]{32}$/.test(text)) return;
        expect(() => checkedTraceId(text)).toThrow(BadRequest);
        // The echo of what was sent is bounded.
        try {
          checkedTraceId(text);
        } catch (error) {
          expect((error as Error).message.length).toBeLessThan(200);
        }
      }),
    );
  });

  it('since is an ISO-8601 time or absent; anything else is a BadRequest', () => {
    expect(sinceMsOf(undefined)).toBeUndefined();
    expect(sinceMsOf('')).toBeUndefined();
    expect(sinceMsOf('2026-12-07T10:00:00Z')).toBe(Date.UTC(2026, 11, 7, 10));
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        try {
          const ms = sinceMsOf(text);
          expect(ms === undefined || Number.isFinite(ms)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(BadRequest);
          // What was sent is said back bounded.
          expect((error as Error).message.length).toBeLessThan(200);
        }
      }),
    );
  });
});
