import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORBIDDEN, hostileText } from '../../engine/testing/hostile-text.js';
import { renderCsv } from './csv.js';
import { renderTable } from './table.js';
import { sanitizeBlock, sanitizeLine, truncate } from './terminal-text.js';

describe('sanitizeLine', () => {
  const cases: [string, string, string][] = [
    ['CSI colour', 'a\u001b[31mred\u001b[0m', 'ared'],
    ['OSC 52 clipboard write (BEL)', 'x\u001b]52;c;ZXZpbA==\u0007y', 'xy'],
    ['OSC title (ST)', 'x\u001b]0;pwned\u001b\\y', 'xy'],
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
    expect(sanitizeLine(input)).toBe(expected);
  });

  it('never lets ESC, C0/C1 controls or newlines through, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (input) => {
        const out = sanitizeLine(input);
        expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps line breaks in blocks but no other controls', () => {
    expect(sanitizeBlock('a\n\u001b[2Jb\r\nc')).toBe('a\nb\nc');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (input) => {
        expect(sanitizeBlock(input)).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
      }),
    );
  });
});

describe('tables and CSV', () => {
  it('print no control from the hostile corpus in any cell', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(hostileText, hostileText), { maxLength: 5 }), (rows) => {
        expect(renderTable([{ header: 'A' }, { header: 'B', flexible: true }], rows)).not.toMatch(FORBIDDEN);
        expect(renderCsv(['a', 'b'], rows).replace(/\n/g, '')).not.toMatch(FORBIDDEN);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('truncate', () => {
  it('cuts on code points with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(truncate('😀😀😀', 2)).toBe('😀…');
  });
});
