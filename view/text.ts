// Text laid out in cells: every string that reaches a screen (terminal or page) is cleaned of control sequences
// first, then measured the way the terminal will draw it: a wide CJK character or an emoji takes two cells, a
// combining mark none. string-width is the measure Ink itself uses, so our columns and Ink's agree.

import stringWidth from 'string-width';
import { stripControls } from '../common/text.js';

/** One line of untrusted text, safe to lay out: controls and escape sequences gone, tabs and line breaks → a space. */
export function cleanLine(value: unknown): string {
  return stripControls(String(value ?? '')).replace(/[\t\n]+/g, ' ');
}

/** Several lines of untrusted text (a post-mortem, a stack): controls gone, line breaks kept, a tab → two spaces. */
export function cleanBlock(value: unknown): string {
  return stripControls(String(value ?? '')).replace(/\t/g, '  ');
}

/**
 * Widths of short non-ASCII strings already measured: a screen redrawn for a key measures the same bars, tree glyphs
 * and labels again (string-width was the largest cost of a key on a 5,000-span trace, bench/tui.bench.ts). Bounded;
 * cleared when full.
 */
const WIDTHS = new Map<string, number>();
const MAX_CACHED_WIDTHS = 4_096;
const MAX_CACHED_LENGTH = 256;

/** Cells `text` takes on a terminal (text already cleaned). */
export function displayWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  if (text.length > MAX_CACHED_LENGTH) return stringWidth(text);
  let width = WIDTHS.get(text);
  if (width === undefined) {
    if (WIDTHS.size >= MAX_CACHED_WIDTHS) WIDTHS.clear();
    width = stringWidth(text);
    WIDTHS.set(text, width);
  }
  return width;
}

/** ASCII-only is a choice of the front end (`--ascii`); the ellipsis follows it. */
export const ELLIPSIS = '…';
export const ASCII_ELLIPSIS = '~';

const SEGMENTER = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text` cut to at most `width` cells, ending with `ellipsis` when cut; graphemes (an emoji with its modifiers, a
 * letter with its accents) are never split, so the result may be a cell short of `width`.
 */
export function fitWidth(text: string, width: number, ellipsis = ELLIPSIS): string {
  if (width <= 0) return '';
  // Fast path: printable ASCII is one cell per character.
  if (/^[\x20-\x7e]*$/.test(text)) {
    return text.length <= width ? text : text.slice(0, Math.max(0, width - ellipsis.length)) + ellipsis.slice(0, width);
  }
  if (displayWidth(text) <= width) return text;
  const room = width - displayWidth(ellipsis);
  let used = 0;
  let out = '';
  for (const { segment } of SEGMENTER.segment(text)) {
    const cells = stringWidth(segment);
    if (used + cells > room) break;
    out += segment;
    used += cells;
  }
  return room >= 0 ? out + ellipsis : ellipsis.slice(0, width);
}

/** `text` fitted to exactly `width` cells: cut with an ellipsis, or padded with spaces (at the end, or the start). */
export function padWidth(text: string, width: number, align: 'left' | 'right' = 'left', ellipsis = ELLIPSIS): string {
  const fitted = fitWidth(text, width, ellipsis);
  const gap = width - displayWidth(fitted);
  if (gap <= 0) return fitted;
  return align === 'left' ? fitted + ' '.repeat(gap) : ' '.repeat(gap) + fitted;
}

/**
 * Typographic characters with an ASCII twin of the same width: an `--ascii` screen still reads "a → b · 5µs" as
 * "a > b . 5us" rather than "a ? b ? 5?s".
 */
const ASCII_TWINS: Readonly<Record<string, string>> = {
  '·': '.',
  '•': '*',
  '…': '.',
  '—': '-',
  '–': '-',
  '→': '>',
  '←': '<',
  '×': 'x',
  'µ': 'u',
  'μ': 'u',
  '“': '"',
  '”': '"',
  '‘': "'",
  '’': "'",
  '✓': '+',
  '✗': 'x',
};
const TWINNED = new RegExp(`[${Object.keys(ASCII_TWINS).join('')}]`, 'gu');

/** Replaces every character above 0x7F (for `--ascii` terminals): letters lose their accents, the rest becomes `?`. */
export function toAscii(text: string): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  return text
    .replace(TWINNED, (char) => ASCII_TWINS[char]!)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x00-\x7f]/gu, '?');
}
