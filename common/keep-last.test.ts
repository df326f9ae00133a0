import { describe, expect, it } from 'vitest';
import { keepLast } from './keep-last.js';

describe('keepLast', () => {
  it('computes once for a key asked again in a row, again when the key changes, and always for NaN', () => {
    const keys: number[] = [];
    const square = keepLast((key) => {
      keys.push(key);
      return key * key;
    });
    expect([3, 3, 4, 3, 3].map(square)).toEqual([9, 9, 16, 9, 9]);
    expect(keys).toEqual([3, 4, 3]);
    expect([Number.NaN, Number.NaN].map(square)).toEqual([Number.NaN, Number.NaN]);
    expect(keys).toHaveLength(5);
  });
});
