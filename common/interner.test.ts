import { describe, expect, it } from 'vitest';
import { StringInterner } from './interner.js';

describe('StringInterner', () => {
  it('hands back the text it was given and keeps one entry per distinct string', () => {
    const strings = new StringInterner(10, 20);
    const fresh = (text: string) => [...text].join(''); // a new string object each time
    expect(strings.intern(fresh('GET /cart'))).toBe('GET /cart');
    expect(strings.intern(fresh('GET /cart'))).toBe('GET /cart');
    expect(strings.intern(fresh('checkout'))).toBe('checkout');
    expect(strings.intern(fresh('GET /cart'))).toBe('GET /cart');
    expect(strings.size).toBe(2);
  });

  it('leaves out the empty string and strings longer than its limit', () => {
    const strings = new StringInterner(10, 5);
    expect(strings.intern('')).toBe('');
    expect(strings.intern('abcdef')).toBe('abcdef');
    expect(strings.intern('abcde')).toBe('abcde');
    expect(strings.size).toBe(1);
  });

  it('starts over when full: the table never holds more than its capacity', () => {
    const strings = new StringInterner(3, 20);
    for (let i = 0; i < 10; i++) expect(strings.intern(`name-${i}`)).toBe(`name-${i}`);
    expect(strings.size).toBeLessThanOrEqual(3);
    strings.clear();
    expect(strings.size).toBe(0);
  });
});
