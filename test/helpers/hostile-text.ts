// The hostile-text corpus the property tests of every printer share (engine/text.ts, the CLI's tables, CSV and
// JSON): escape sequences and their broken pieces, C0/C1 controls, DEL, bidirectional controls, line separators,
// lone surrogates. Test support only: imported by *.test.ts, never by the product.

import fc from 'fast-check';

/** Anything a terminal, a chat client or a mail reader would act on, or that reads differently from what it is. */
export const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/** Strings rich in what a printer must neutralise, mixed with arbitrary text and harmless pieces. */
export const hostileText = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.constantFrom(
        '\u001b',
        '\u001b[',
        '\u001b[31m',
        '\u001b]52;c;ZXZpbA==\u0007',
        '\u001b]0;title\u001b\\',
        '\u001bP',
        '\u001b\\',
        '\u009b2J',
        '\u009d52;c;AAAA\u009c',
        '\u007f',
        '\u0007',
        '\r\n',
        '\r',
        '\t',
        '\u0085',
        '\u2028',
        '\u202e',
        '\u2066',
        '\u200f',
        '\u061c',
        '😀',
        '\ud83d',
        '\ude00',
        '[31m',
        'ok',
        ' ',
      ),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));
