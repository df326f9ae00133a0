import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime, parseIsoInstant, parseSince } from './time.js';

const T0 = Date.UTC(2025, 1, 5, 10, 30, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = T0 + 24 * HOUR;
describe('isoTime', () => {
  it.each([
    [T0, '2025-02-05T10:30:00.000Z'],
    [null, null],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
    [8.64e15 + 1, null],
  ])('%s → %s', (input, output) => {
    expect(isoTime(input)).toBe(output);
  });
});

describe('parseSince', () => {
  it.each([
    ['90s', NOW - 90_000],
    ['30m', NOW - 30 * MINUTE],
    ['24h', NOW - 24 * HOUR],
    ['7d', NOW - 7 * 24 * HOUR],
    ['2w', NOW - 14 * 24 * HOUR],
    ['1.5h', NOW - 90 * MINUTE],
    [' 24H ', NOW - 24 * HOUR],
    ['2025-02-05', Date.UTC(2025, 1, 5)],
    ['2025-02-05T10:30:00Z', T0],
    ['2025-02-05T10:30Z', T0],
    ['2025-02-05T10:30:00', T0], // no zone: UTC
    ['2025-02-05 10:30:00', T0],
    ['2025-02-05T11:30:00+01:00', T0],
    ['2025-02-05T05:30:00-0500', T0],
    ['2025-02-05T10:30:00.250Z', T0 + 250],
  ])('reads %j', (text, expected) => {
    expect(parseSince(text, NOW)).toBe(expected);
  });

  it.each([
    ['', /needs an age/],
    ['yesterday', /needs an age .* got "yesterday"/],
    ['24', /needs an age/],
    ['-5m', /needs an age/],
    ['0h', /above zero/],
    ['2025-02-30', /not a real date/],
    ['2025-13-01', /not a real date/],
    ['2025-02-05T24:00:00Z', /not a real date/],
    ['2099-01-01', /in the future/],
    ['Feb 5 2025', /needs an age/],
  ])('refuses %j', (text, message) => {
    expect(() => parseSince(text, NOW)).toThrow(RangeError);
    expect(() => parseSince(text, NOW)).toThrow(message);
  });

  it('reads years before 100 as they are', () => {
    expect(new Date(parseIsoInstant('0050-01-01') as number).getUTCFullYear()).toBe(50);
  });
});

describe('parseSince on arbitrary input', () => {
  it('answers a time in the past or a RangeError, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        try {
          const at = parseSince(text, NOW);
          expect(Number.isFinite(at)).toBe(true);
          expect(at).toBeLessThanOrEqual(NOW);
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
        }
      }),
    );
  });
});
