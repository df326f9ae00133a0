// Frames → the terminal, writing only the lines that changed, each at its absolute row.
//
//   Ink (debug mode: hands over each whole frame, writes nothing else) ──frame──▶ diffFrame(previous, next)
//        ──▶ BSU · ESC[row;1H ESC[2K line … · ESU ──▶ stdout          (nothing at all when the frame is unchanged)
//
// Why not Ink's own writer: in 6.8 a frame as tall as the terminal clears the whole screen (and its scrollback) on
// every update, and `incrementalRendering` moves the cursor up one row too few whenever the frame keeps its height,
// so each update lands one row lower (frame-writer.test.ts reproduces it in @xterm/headless; tmux shows the same).
// Both position lines relative to where they believe the cursor is; after a resize that belief is wrong and ghost
// lines stay behind. Absolute addressing cannot drift: every line goes to its row, and a resize repaints
// the whole screen once from a cleared one.
//
// Frames are kept to rows - 1 lines regardless (DESIGN.md), so the last row is never written and nothing can scroll.

import { CLEAR_SCREEN } from './terminal.js';

/** DEC 2026 synchronized output: the terminal shows the frame at once, not line by line (ignored where unknown). */
export const BEGIN_SYNC = '\u001b[?2026h';
export const END_SYNC = '\u001b[?2026l';
/**
 * Erased before the line is written, not after: once the last column is written the cursor stays on it (line wrap
 * is off), and "erase to the end of the line" would then take that character with it (xterm, tmux).
 */
const ERASE_LINE = '\u001b[2K';

function moveTo(row: number): string {
  return `\u001b[${row + 1};1H`;
}

/** Every character above 0x7F as `?`: the last guard of --ascii (components already wrote ASCII). */
export function asciiOnly(line: string): string {
  return /^[\x00-\x7f]*$/.test(line) ? line : line.replace(/[^\x00-\x7f]/gu, '?');
}

/**
 * What turns `previous` into `next` on the screen: changed lines rewritten at their rows, vanished ones erased.
 * `previous` null: the screen is cleared and everything drawn. '' when nothing changed.
 */
export function diffFrame(previous: readonly string[] | null, next: readonly string[]): string {
  let out = '';
  if (previous === null) {
    out = CLEAR_SCREEN;
    for (let row = 0; row < next.length; row++) if (next[row] !== '') out += moveTo(row) + next[row];
    return BEGIN_SYNC + out + END_SYNC;
  }
  const rows = Math.max(previous.length, next.length);
  for (let row = 0; row < rows; row++) {
    const line = next[row];
    if (line === previous[row]) continue;
    out += moveTo(row) + ERASE_LINE + (line ?? '');
  }
  return out === '' ? '' : BEGIN_SYNC + out + END_SYNC;
}

export interface FrameWriter {
  /** A whole frame, lines joined by '\n' (Ink's output). Lines past `maxRows` are dropped. */
  frame(text: string): void;
  /** The next frame repaints the whole screen (after a resize, or anything else that touched it). */
  invalidate(): void;
  setMaxRows(rows: number): void;
  /** The lines on screen now (tests and benchmarks read them). */
  lines(): readonly string[];
  /** Bytes written so far (UTF-8). */
  readonly bytesWritten: number;
}

export function createFrameWriter(write: (data: string) => void, options: { maxRows: number; ascii: boolean }): FrameWriter {
  let previous: string[] | null = null;
  let maxRows = options.maxRows;
  let bytes = 0;
  return {
    frame(text) {
      let next = text.split('\n');
      if (next.length > maxRows) next = next.slice(0, maxRows);
      if (options.ascii) next = next.map(asciiOnly);
      const out = diffFrame(previous, next);
      previous = next;
      if (out === '') return;
      bytes += Buffer.byteLength(out);
      write(out);
    },
    invalidate() {
      previous = null;
    },
    setMaxRows(rows) {
      maxRows = Math.max(1, rows);
    },
    lines: () => previous ?? [],
    get bytesWritten() {
      return bytes;
    },
  };
}
