// Column widths for a table drawn in cells (the terminal UI's lists; any front end that lays out fixed-width text).
// Natural width = the widest of header and cells; when the table is too wide, flexible columns give first, then
// columns with a shrinkFirstTo (down to it), then the widest, never below their minimum; what still does not
// fit is cut by the caller's fitWidth. With room to spare every column is whole. Cells must be cleaned text already
// (view/text.ts cleanLine): they are only measured here.

import type { ColumnSpec } from './incident-text.js';
import { displayWidth, padWidth } from './text.js';

/** The narrowest a column without a minWidth becomes: its header, up to this. */
const DEFAULT_MIN_WIDTH = 6;

export type TableLayout = {
  widths: number[];
  /** Sum of the widths and the gaps between columns. */
  total: number;
};

function naturalWidths(columns: readonly ColumnSpec[], rows: readonly (readonly string[])[]): number[] {
  const widths = columns.map((column) => displayWidth(column.header));
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) {
      const cell = row[i] ?? '';
      // Printable ASCII measures by length: lists of hundreds of rows re-measure every frame.
      const width = /^[\x20-\x7e]*$/.test(cell) ? cell.length : displayWidth(cell);
      if (width > widths[i]!) widths[i] = width;
    }
  }
  return widths;
}

/** The width a table takes with no cell cut (what a caller compares with the room it has to choose columns). */
export function naturalTableWidth(columns: readonly ColumnSpec[], rows: readonly (readonly string[])[], gap: number): number {
  const widths = naturalWidths(columns, rows);
  return widths.reduce((sum, width) => sum + width, 0) + gap * Math.max(0, columns.length - 1);
}

/** Widths that fit `width` cells (when the minimums allow), with `gap` cells between columns. */
export function layoutTable(columns: readonly ColumnSpec[], rows: readonly (readonly string[])[], width: number, gap: number): TableLayout {
  const widths = naturalWidths(columns, rows);
  const gaps = gap * Math.max(0, columns.length - 1);
  let excess = widths.reduce((sum, w) => sum + w, 0) + gaps - width;
  const give = (index: number, floor: number) => {
    const cut = Math.min(excess, widths[index]! - floor);
    if (cut > 0) {
      widths[index] = widths[index]! - cut;
      excess -= cut;
    }
  };
  const floorOf = (column: ColumnSpec) => column.minWidth ?? Math.min(displayWidth(column.header), DEFAULT_MIN_WIDTH);
  const byWidth = columns.map((column, index) => ({ column, index })).sort((a, b) => widths[b.index]! - widths[a.index]!);
  for (const { column, index } of byWidth) if (column.flexible) give(index, floorOf(column));
  for (const { column, index } of byWidth) if (column.shrinkFirstTo !== undefined) give(index, Math.max(floorOf(column), column.shrinkFirstTo));
  byWidth.sort((a, b) => widths[b.index]! - widths[a.index]!); // the widest as they are now
  for (const { column, index } of byWidth) give(index, floorOf(column));
  return { widths, total: widths.reduce((sum, w) => sum + w, 0) + gaps };
}

/** One row of a laid-out table: each cell fitted to its column (cut with `ellipsis`, padded by alignment). */
export function tableRow(columns: readonly ColumnSpec[], layout: TableLayout, cells: readonly string[], gap: number, ellipsis?: string): string {
  const separator = ' '.repeat(gap);
  return columns.map((column, i) => padWidth(cells[i] ?? '', layout.widths[i]!, column.align ?? 'left', ellipsis)).join(separator);
}
