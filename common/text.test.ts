import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORBIDDEN, hostileText as hostile } from '../test/helpers/hostile-text.js';
import { oneLine, stripControls, truncate } from './text.js';

describe('stripControls', () => {
  const cases: [string, string, string][] = [
    ['CSI colour', 'a\u001b[31mred\u001b[0m', 'ared'],
    ['CSI with parameters and intermediates', 'a\u001b[?25l\u001b[1;31;4mb\u001b[2 qc', 'abc'],
    ['OSC 52 clipboard write ended by BEL', 'x\u001b]52;c;ZXZpbA==\u0007y', 'xy'],
    ['OSC 52 ended by ST', 'x\u001b]52;c;ZXZpbA==\u001b\\y', 'xy'],
    ['OSC 8 hyperlink', '\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007', 'click'],
    ['unterminated OSC runs to the end', 'keep\u001b]52;c;ZXZpbA==', 'keep'],
    ['DCS', 'a\u001bPq#0;2;0;0;0\u001b\\b', 'ab'],
    ['APC', 'a\u001b_payload\u001b\\b', 'ab'],
    ['two-byte escape', 'a\u001bcb\u001b7c', 'abc'],
    ['8-bit CSI', 'a\u009b2Jb', 'ab'],
    ['8-bit OSC ended by 8-bit ST', 'a\u009d52;c;AAAA\u009cb', 'ab'],
    ['lone ESC at the end', 'abc\u001b', 'abc'],
    ['NUL, BEL, backspace, DEL', 'a\u0000b\u0007c\u0008d\u007fe', 'abcde'],
    ['bidi overrides and isolates', 'abc\u202edcba\u2066x\u2069\u200e\u061c', 'abcdcbax'],
    ['tabs and line feeds kept', 'a\tb\nc', 'a\tb\nc'],
    ['CR, CRLF, VT, FF, NEL, LS, PS become line feeds', 'a\rb\r\nc\u000bd\u000ce\u0085f\u2028g\u2029h', 'a\nb\nc\nd\ne\nf\ng\nh'],
    ['plain unicode kept', 'café — 東京 ✓ 😀', 'café — 東京 ✓ 😀'],
  ];
  it.each(cases)('removes %s', (_name, input, expected) => {
    expect(stripControls(input)).toBe(expected);
  });

  it('never lets a control, an ESC, a bidi control or a line separator through, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, fc.string({ unit: 'binary', maxLength: 200 })), (input) => {
        expect(stripControls(input)).not.toMatch(FORBIDDEN);
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves no trace of an OSC 52 clipboard write wherever it is put', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), fc.boolean(), (before, after, bel) => {
        fc.pre(!`${before}${after}`.includes('52;c;') && !`${before}${after}`.includes('ZXZpbA=='));
        const clean = (text: string) => text.replace(/[\u001b\u0080-\u009f]/g, '');
        const osc = `\u001b]52;c;ZXZpbA==${bel ? '\u0007' : '\u001b\\'}`;
        const out = stripControls(`${clean(before)}${osc}${clean(after)}`);
        expect(out).not.toContain('52;c;');
        expect(out).not.toContain('ZXZpbA==');
      }),
      { numRuns: 1000 },
    );
  });

  it('is idempotent and leaves clean text as it is', () => {
    fc.assert(
      fc.property(hostile, (input) => {
        const once = stripControls(input);
        expect(stripControls(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (input) => {
        fc.pre(!FORBIDDEN.test(input) && !/[\r\u001b]/.test(input));
        expect(stripControls(input)).toBe(input);
      }),
    );
  });
});

describe('oneLine', () => {
  it.each([
    ['  checked\nthe   pool ', 'checked the pool'],
    ['a\r\n\tb', 'a b'],
    ['a\u001b[2Jb\u2028c', 'ab c'],
    ['\u001b]52;c;ZXZpbA==\u0007', ''],
    ['', ''],
  ])('folds %j', (input, expected) => {
    expect(oneLine(input)).toBe(expected);
  });

  it('gives one trimmed line without controls and without whitespace runs', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, fc.string({ unit: 'binary', maxLength: 200 })), (input) => {
        const out = oneLine(input);
        expect(out).not.toMatch(FORBIDDEN);
        expect(out).not.toMatch(/[\t\n]|\s{2}|^\s|\s$/);
        expect(oneLine(out)).toBe(out);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('truncate', () => {
  it('cuts on code points with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcd', 4)).toBe('abcd');
    expect(truncate('abc', 4)).toBe('abc');
    expect(truncate('😀😀😀', 2)).toBe('😀…');
    expect(truncate('😀😀', 2)).toBe('😀😀');
    expect(truncate('abc', 1)).toBe('…');
    expect(truncate('abc', 0)).toBe('');
    expect(truncate('abc', -5)).toBe('');
    expect(truncate('abc', Number.NaN)).toBe('');
    expect(truncate('', 0)).toBe('');
  });

  it('cuts on UTF-16 units when asked, never splitting a surrogate pair', () => {
    expect(truncate('abcdef', 4, { unit: 'utf-16' })).toBe('abc…');
    expect(truncate('ab😀cd', 4, { unit: 'utf-16' })).toBe('ab…'); // the pair straddles the cut: it goes whole
    expect(truncate('a😀cd', 4, { unit: 'utf-16' })).toBe('a😀…');
    expect(truncate('😀😀', 4, { unit: 'utf-16' })).toBe('😀😀');
    expect(truncate('😀😀😀', 2, { unit: 'utf-16' })).toBe('…');
  });

  const unit = fc.constantFrom<'code-point' | 'utf-16'>('code-point', 'utf-16');
  const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 30 }));
  const size = (value: string, u: 'code-point' | 'utf-16') => (u === 'utf-16' ? value.length : Array.from(value).length);

  it('returns the text when it fits, else a prefix of it plus … within max, never splitting a surrogate pair', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 70 }), unit, (input, max, u) => {
        const out = truncate(input, max, { unit: u });
        if (size(input, u) <= max) {
          expect(out).toBe(input);
          return;
        }
        expect(size(out, u)).toBeLessThanOrEqual(max);
        if (max === 0) {
          expect(out).toBe('');
          return;
        }
        expect(out.endsWith('…')).toBe(true);
        const kept = out.slice(0, -1);
        expect(input.startsWith(kept)).toBe(true);
        // The cut never falls between the two halves of a pair.
        const last = kept.charCodeAt(kept.length - 1);
        const next = input.charCodeAt(kept.length);
        expect(last >= 0xd800 && last <= 0xdbff && next >= 0xdc00 && next <= 0xdfff).toBe(false);
        // Nothing more was dropped than needed: at most one unit short (a pair that did not fit goes whole).
        expect(size(out, u)).toBeGreaterThanOrEqual(max - 1);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with Array.from slicing on code points', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 70 }), (input, max) => {
        const chars = Array.from(input);
        const expected = chars.length <= max ? input : `${chars.slice(0, max - 1).join('')}…`;
        expect(truncate(input, max)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
