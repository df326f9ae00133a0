// Screens are built as lines of styled segments, each line exactly as wide as it may be, before React sees them:
// Ink then never wraps or cuts anything (its cut would write `…` even with --ascii), and the layout is plain data a
// test can read without a terminal.
//
//   line(width, theme).add('inc_00001', theme.bold).add(' HIGH', theme.severity('high')).fill().done()
//
// Every segment is cleaned (control sequences gone), ASCII-folded when the theme says so, measured by display width
// (a wide character counts 2) and cut to what is left of the line.

import { cleanLine, displayWidth, fitWidth } from '../view/text.js';
import type { Style, Theme } from './theme.js';

/**
 * Telemetry text is cut to this many UTF-16 units before anything cleans or measures it: no line is wider than a
 * terminal, and a 10 kB service name measured on every frame cost ~200 ms a frame (tui/screens.test.ts, hostile).
 */
export const MAX_TEXT_UNITS = 2_048;

/** `text` cut to MAX_TEXT_UNITS (a surrogate pair at the cut may be split: cleaning and measuring take it as one cell). */
export function bounded(text: string, units = MAX_TEXT_UNITS): string {
  return text.length > units ? text.slice(0, units) : text;
}

export type Segment = { text: string; style: Style };
export type Line = { segments: Segment[]; width: number };

export class LineBuilder {
  private readonly segments: Segment[] = [];
  private used = 0;

  constructor(
    readonly width: number,
    private readonly theme: Theme,
  ) {}

  /** Cells still free on this line. */
  get room(): number {
    return Math.max(0, this.width - this.used);
  }

  /** Appends `text` (cleaned, folded, cut to the room left with an ellipsis). */
  add(text: string, style: Style = {}): this {
    if (this.room === 0 || text === '') return this;
    const clean = this.theme.text(cleanLine(bounded(text, this.room * 4 + 16)));
    const width = displayWidth(clean);
    // Measured once: text that fits goes as it is, only longer text is cut (and measured again).
    const shown = width <= this.room ? clean : fitWidth(clean, this.room, this.theme.glyphs.ellipsis);
    if (shown === '') return this;
    this.segments.push({ text: shown, style });
    this.used += shown === clean ? width : displayWidth(shown);
    return this;
  }

  /** Appends `text` fitted to exactly `cells` (padded or cut), clipped to the room left. */
  cell(text: string, cells: number, style: Style = {}, align: 'left' | 'right' = 'left'): this {
    const width = Math.min(cells, this.room);
    if (width <= 0) return this;
    const shown = fitWidth(this.theme.text(cleanLine(bounded(text, width * 4 + 16))), width, this.theme.glyphs.ellipsis);
    const gap = ' '.repeat(Math.max(0, width - displayWidth(shown)));
    this.segments.push({ text: align === 'left' ? shown + gap : gap + shown, style });
    this.used += width;
    return this;
  }

  /** Spaces up to `column` (from the line's start). */
  padTo(column: number, style: Style = {}): this {
    const gap = Math.min(column, this.width) - this.used;
    if (gap > 0) {
      this.segments.push({ text: ' '.repeat(gap), style });
      this.used += gap;
    }
    return this;
  }

  /** Spaces to the end of the line (a selected row's inverse bar spans the width). */
  fill(style: Style = {}): this {
    return this.padTo(this.width, style);
  }

  done(): Line {
    return { segments: this.segments, width: this.used };
  }
}

export function line(width: number, theme: Theme): LineBuilder {
  return new LineBuilder(width, theme);
}

export function textLine(width: number, theme: Theme, text: string, style: Style = {}): Line {
  return line(width, theme).add(text, style).done();
}

export const EMPTY_LINE: Line = Object.freeze({ segments: [], width: 0 }) as Line;

/** `style` laid over every segment of `source` (the selection's inverse over a coloured row). */
export function restyle(source: Line, style: Style): Line {
  return { width: source.width, segments: source.segments.map((segment) => ({ text: segment.text, style: { ...segment.style, ...style } })) };
}

/** Two columns side by side: `left` padded to `leftWidth`, a separator, then `right` (both already fitted). */
export function besideLines(left: readonly Line[], right: readonly Line[], leftWidth: number, separator: Segment): Line[] {
  const rows = Math.max(left.length, right.length);
  const out: Line[] = [];
  for (let i = 0; i < rows; i++) {
    const l = left[i] ?? EMPTY_LINE;
    const r = right[i] ?? EMPTY_LINE;
    const gap = Math.max(0, leftWidth - l.width);
    const segments = [...l.segments];
    if (gap > 0) segments.push({ text: ' '.repeat(gap), style: {} });
    segments.push(separator, ...r.segments);
    out.push({ segments, width: leftWidth + displayWidth(separator.text) + r.width });
  }
  return out;
}

/** The plain text of a line (tests, line mode). */
export function lineText(source: Line): string {
  return source.segments.map((segment) => segment.text).join('');
}

/** Long text wrapped into lines of at most `width` cells, by words where it can (a post-mortem, a description). */
export function wrapText(text: string, width: number): string[] {
  if (width <= 0) return [];
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    if (paragraph.trim() === '') {
      out.push('');
      continue;
    }
    let current = '';
    let currentWidth = 0;
    const indent = /^\s*/.exec(paragraph)![0];
    for (const word of paragraph.trim().split(/\s+/)) {
      const wordWidth = displayWidth(word);
      const lead = current === '' ? indent : ' ';
      if (current !== '' && currentWidth + 1 + wordWidth > width) {
        out.push(current);
        current = '';
        currentWidth = 0;
      }
      const prefix = current === '' ? indent : lead;
      if (displayWidth(prefix) + wordWidth > width && current === '') {
        // A word longer than the line (a URL, a trace id): cut into line-sized pieces.
        let rest = word;
        while (displayWidth(prefix + rest) > width) {
          const piece = fitWidth(prefix + rest, width, '');
          out.push(piece);
          rest = rest.slice(Math.max(1, piece.length - prefix.length));
        }
        current = prefix + rest;
        currentWidth = displayWidth(current);
        continue;
      }
      current += prefix + word;
      currentWidth += displayWidth(prefix) + wordWidth;
    }
    if (current !== '') out.push(current);
  }
  return out;
}
