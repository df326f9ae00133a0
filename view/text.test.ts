import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORBIDDEN, hostileText } from '../test/helpers/hostile-text.js';
import { ASCII_ELLIPSIS, cleanBlock, cleanLine, displayWidth, fitWidth, padWidth, toAscii } from './text.js';

describe('cleanLine', () => {
  const cases: [string, string, string][] = [
    ['CSI colour', 'a\u001b[31mred\u001b[0m', 'ared'],
    ['OSC 52 clipboard write (BEL)', 'x\u001b]52;c;ZXZpbA==\u0007y', 'xy'],
    ['OSC title (ST)', 'x\u001b]0;pwned\u001b\\y', 'xy'],
    ['OSC 8 link', 'a\u001b]8;;http://evil\u001b\\click\u001b]8;;\u001b\\b', 'aclickb'],
    ['DCS', 'a\u001bPq#0;2;0;0;0\u001b\\b', 'ab'],
    ['8-bit CSI', 'a\u009b2Jb', 'ab'],
    ['8-bit OSC', 'a\u009d52;c;AAAA\u0007b', 'ab'],
    ['lone ESC at end', 'abc\u001b', 'abc'],
    ['newlines fold', 'line1\nline2\r\nline3', 'line1 line2 line3'],
    ['bidi override', 'abc\u202edcba', 'abcdcba'],
    ['NUL and BEL', 'a\u0000b\u0007c', 'abc'],
    ['plain unicode kept', 'café — 東京 ✓', 'café — 東京 ✓'],
  ];
  it.each(cases)('strips %s', (_name, input, expected) => {
    expect(cleanLine(input)).toBe(expected);
  });

  it('lets nothing a terminal would act on through, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(hostileText, fc.string({ unit: 'binary', maxLength: 200 })), (input) => {
        const out = cleanLine(input);
        expect(out).not.toMatch(FORBIDDEN);
        expect(out).not.toMatch(/[\n\t]/);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps line breaks in blocks but no other controls', () => {
    expect(cleanBlock('a\n\u001b[2Jb\r\nc')).toBe('a\nb\nc');
    fc.assert(
      fc.property(hostileText, (input) => {
        expect(cleanBlock(input)).not.toMatch(FORBIDDEN);
      }),
    );
  });
});

describe('widths in cells', () => {
  it('counts wide characters as two cells and combining marks as none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('東京')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('😀')).toBe(2);
  });

  it('fits text to a width without splitting a character, ending with an ellipsis when cut', () => {
    expect(fitWidth('abcdef', 4)).toBe('abc…');
    expect(fitWidth('abc', 4)).toBe('abc');
    expect(fitWidth('東京都庁', 5)).toBe('東京…');
    expect(fitWidth('😀😀😀', 3)).toBe('😀…');
    expect(fitWidth('abcdef', 4, ASCII_ELLIPSIS)).toBe('abc~');
    expect(fitWidth('abc', 0)).toBe('');
  });

  it('never exceeds the width, and pads to exactly the width (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.integer({ min: 1, max: 40 }), (raw, width) => {
        const text = cleanLine(raw);
        expect(displayWidth(fitWidth(text, width))).toBeLessThanOrEqual(width);
        expect(displayWidth(padWidth(text, width))).toBeLessThanOrEqual(width);
      }),
    );
    expect(padWidth('東', 4, 'right')).toBe('  東');
  });

  it('turns text into ASCII for --ascii terminals', () => {
    expect(toAscii('café ✓ 東京')).toBe('cafe + ??');
    expect(toAscii('a → b · 850µs — “ok”')).toBe('a > b . 850us - "ok"');
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(toAscii(text)).toMatch(/^[\x00-\x7f]*$/);
      }),
    );
  });
});
