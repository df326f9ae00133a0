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
// Frames are kept to rows - 1 lines regardless (DESIGN.md), so the last row is never written and nothing can scroll;
// lines moved with delete/insert-line stay inside a scroll region over the frame's rows.

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

/** Changed lines rewritten at their rows, vanished ones erased: what turns `previous` into `next` line by line. */
function rewriteLines(previous: readonly string[], next: readonly string[]): string {
  let out = '';
  const rows = Math.max(previous.length, next.length);
  for (let row = 0; row < rows; row++) {
    const line = next[row];
    if (line === previous[row]) continue;
    out += moveTo(row) + ERASE_LINE + (line ?? '');
  }
  return out;
}

const RESET_STYLE = '\u001b[0m';
const RESET_SCROLL_REGION = '\u001b[r';
const scrollRegion = (rows: number) => `\u001b[1;${rows}r`;
const deleteLines = (count: number) => `\u001b[${count}M`;
const insertLines = (count: number) => `\u001b[${count}L`;

type Edit = { kind: 'keep' } | { kind: 'delete' } | { kind: 'insert'; line: string };

/** The shortest edit script from `a` to `b` (longest common subsequence of lines), in order. */
function editScript(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const lcs: Int32Array[] = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      edits.push({ kind: 'keep' });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      edits.push({ kind: 'insert', line: b[j]! });
      j++;
    } else {
      edits.push({ kind: 'delete' });
      i++;
    }
  }
  return edits;
}

/**
 * `previous` → `next` moving lines the way the terminal can (delete and insert lines inside a scroll region over the
 * frame), so a row that moves up or down the list costs one line and two short sequences instead of a rewrite of
 * every row in between (a reordered incident list at 10 updates a second: bench/tui.bench.ts). Both are `height`
 * lines (padded with empty ones).
 *
 * All deletions go first (bottom up), then all insertions (top down): the deletions leave as many blank lines at the
 * frame's bottom as the insertions then push out, so no line of content ever leaves the region and has to be
 * written again. Taken in screen order instead, a row moving up inserted first and pushed the frame's last line (the
 * key hints) out, and every such update rewrote it.
 */
function moveLines(previous: readonly string[], next: readonly string[], height: number): string {
  // The runs between kept lines: where each starts in `previous` and in `next`, how many lines it deletes and which
  // it inserts. A frame's deletions and insertions are equal in number: both frames are `height` lines.
  const runs: { from: number; to: number; deleted: number; inserted: string[] }[] = [];
  const edits = editScript(previous, next);
  let from = 0;
  let to = 0;
  for (let e = 0; e < edits.length; ) {
    if (edits[e]!.kind === 'keep') {
      from++;
      to++;
      e++;
      continue;
    }
    const run = { from, to, deleted: 0, inserted: [] as string[] };
    for (; e < edits.length && edits[e]!.kind !== 'keep'; e++) {
      const edit = edits[e]!;
      if (edit.kind === 'insert') {
        run.inserted.push(edit.line);
        to++;
      } else {
        run.deleted++;
        from++;
      }
    }
    runs.push(run);
  }
  const model = [...previous];
  let out = RESET_STYLE + scrollRegion(height);
  // As many lines as a run both deletes and inserts are rewritten in place (below); the rest are deleted here, from
  // the bottom up so every run above is still where `previous` has it...
  for (let r = runs.length - 1; r >= 0; r--) {
    const run = runs[r]!;
    const at = run.from + run.inserted.length;
    const count = Math.min(run.deleted - run.inserted.length, height - at);
    if (count <= 0) continue;
    out += moveTo(at) + deleteLines(count);
    model.splice(at, count);
    while (model.length < height) model.push('');
  }
  // ...or inserted here, from the top down, each run where `next` has it (the runs above it are done).
  for (const run of runs) {
    const at = run.to + run.deleted;
    if (run.inserted.length <= run.deleted || at >= height) continue;
    const fresh = run.inserted.slice(run.deleted, run.deleted + (height - at));
    out += moveTo(at) + insertLines(fresh.length);
    model.splice(at, 0, ...fresh);
    model.length = height;
    fresh.forEach((line, q) => {
      if (line !== '') out += moveTo(at + q) + line;
    });
  }
  out += RESET_SCROLL_REGION;
  // Lines rewritten in place, and whatever else the moves did not place.
  for (let r = 0; r < height; r++) if (model[r] !== next[r]) out += moveTo(r) + ERASE_LINE + next[r]!;
  return out;
}

/**
 * What turns `previous` into `next` on the screen: the cheaper of rewriting the changed lines and moving lines with
 * the terminal's own line operations. `previous` null: the screen is cleared and everything drawn. '' when nothing
 * changed.
 */
export function diffFrame(previous: readonly string[] | null, next: readonly string[]): string {
  if (previous === null) {
    let out = CLEAR_SCREEN;
    for (let row = 0; row < next.length; row++) if (next[row] !== '') out += moveTo(row) + next[row];
    return BEGIN_SYNC + out + END_SYNC;
  }
  const rewrite = rewriteLines(previous, next);
  if (rewrite === '') return '';
  const height = Math.max(previous.length, next.length);
  const pad = (lines: readonly string[]) => (lines.length === height ? lines : [...lines, ...new Array<string>(height - lines.length).fill('')]);
  const moved = moveLines(pad(previous), pad(next), height);
  return BEGIN_SYNC + (moved.length < rewrite.length ? moved : rewrite) + END_SYNC;
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
