// What every screen is made of: what it is given, what it gives back (its lines, and the rows and page size the key
// reducer acts on, so keys act on exactly what is drawn), and the pieces they share: headings, tables with a
// selection, scrolled panes.

import type { ColumnSpec } from '../../view/incident-text.js';
import type { IncidentsState } from '../../view/incidents-state.js';
import { layoutTable, naturalTableWidth, type TableLayout } from '../../view/table-layout.js';
import { cleanLine, displayWidth } from '../../view/text.js';
import { EMPTY_LINE, bounded, line, restyle, textLine, type Line } from '../lines.js';
import type { ResourceStore } from '../resources.js';
import type { Style, Theme } from '../theme.js';
import { windowOf, type Cursor, type UiState } from '../ui-state.js';

export type ScreenInput = {
  incidents: IncidentsState;
  ui: UiState;
  resources: ResourceStore;
  theme: Theme;
  now: number;
  readOnly: boolean;
  /** The body's size (between the header and the prompt/message line). */
  width: number;
  height: number;
};

export type ScreenOutput = {
  lines: Line[];
  /** Keys of the selectable rows (all of them, not only those shown), in order. */
  rows: readonly string[];
  /** Rows (or pane lines) shown at once. */
  pageSize: number;
  /** Lines of the scrolled pane, when the screen scrolls text. */
  paneLines: number;
  /** Timeline rows → their trace (the incident screen's timeline tab). */
  timelineTrace?: (rowKey: string) => string | undefined;
};

/** A table cell is never wider than a terminal: cut before it is measured (every row is, for the column widths). */
const MAX_CELL_UNITS = 512;

/** Two cells in front of every row: the selection marker and a space. */
export const MARKER_WIDTH = 2;
export const COLUMN_GAP = 2;

/** A table column that says which cell it shows, for tables whose columns depend on the width. */
export type KeyedColumn<Id extends string> = ColumnSpec & { id: Id };

/**
 * Which of `sets` (fullest first) to draw in `width`, measured on every row's cells by column id: the first that shows
 * every cell whole; else the first that cuts only the flexible column, down to its minimum (it is there to take what
 * is left); else the last (the layout then cuts it).
 */
export function fittingColumns<Id extends string>(
  sets: ReadonlyArray<ReadonlyArray<KeyedColumn<Id>>>,
  cells: ReadonlyArray<Readonly<Record<Id, string>>>,
  width: number,
): ReadonlyArray<KeyedColumn<Id>> {
  const room = width - MARKER_WIDTH;
  const measure = (columns: ReadonlyArray<KeyedColumn<Id>>) =>
    naturalTableWidth(columns, cells.map((row) => columns.map((column) => cleanLine(bounded(row[column.id], MAX_CELL_UNITS)))), COLUMN_GAP);
  const whole = (set: ReadonlyArray<KeyedColumn<Id>>) => measure(set) <= room;
  const flexibleCut = (set: ReadonlyArray<KeyedColumn<Id>>) => {
    const fixed = set.filter((column) => !column.flexible);
    const flexible = set.filter((column) => column.flexible);
    const flexibleWidth = flexible.reduce((sum, column) => sum + COLUMN_GAP + Math.min(measure([column]), column.minWidth ?? 0), 0);
    return measure(fixed) + flexibleWidth <= room;
  };
  return sets.find(whole) ?? sets.find(flexibleCut) ?? sets[sets.length - 1]!;
}

export function heading(input: ScreenInput, text: string, detail = ''): Line {
  const built = line(input.width, input.theme).add(text, input.theme.heading);
  if (detail !== '') built.add(`  ${detail}`, input.theme.dim);
  return built.done();
}

export function rule(input: ScreenInput, width = input.width, title = ''): Line {
  const { glyphs } = input.theme;
  const built = line(width, input.theme);
  if (title !== '') built.add(`${glyphs.horizontal}${glyphs.horizontal} `, input.theme.dim).add(title, input.theme.heading).add(' ');
  return built.add(glyphs.horizontal.repeat(Math.max(0, width - built.done().width)), input.theme.dim).done();
}

export function note(input: ScreenInput, text: string, style: Style = input.theme.dim): Line {
  return textLine(input.width, input.theme, text, style);
}

export type TableSpec<T> = {
  columns: readonly ColumnSpec[];
  rows: readonly T[];
  keys: readonly string[];
  cells(row: T): string[];
  /** A cell's own style (severity words in their colour). */
  cellStyle?(row: T, column: number): Style | undefined;
  cursor: Cursor;
  /** Lines for the header and the rows together. */
  height: number;
  width: number;
  /** Draw the selection (false when a prompt has the keys). */
  focused: boolean;
  /** Leave room for the selection marker (false for tables nothing is selected in). Default true. */
  marker?: boolean;
};

type Prepared = { columns: readonly ColumnSpec[]; width: number; allCells: string[][]; layout: TableLayout };
/** Cells and column widths of a list of rows, kept with the rows array: a list kept by its screen (memo.ts) is
 * measured once, not on every key. */
const PREPARED = new WeakMap<readonly unknown[], Prepared>();

function prepared<T>(spec: TableSpec<T>, width: number): Prepared {
  const cached = PREPARED.get(spec.rows);
  if (cached !== undefined && cached.columns === spec.columns && cached.width === width) return cached;
  const allCells = spec.rows.map((row) => spec.cells(row).map((cell) => cleanLine(bounded(cell, MAX_CELL_UNITS))));
  const result = { columns: spec.columns, width, allCells, layout: layoutTable(spec.columns, allCells, width, COLUMN_GAP) };
  PREPARED.set(spec.rows, result);
  return result;
}

/** A header line and the rows that fit, the selected one marked and in inverse video. */
export function table<T>(input: ScreenInput, spec: TableSpec<T>): { lines: Line[]; pageSize: number } {
  const { theme } = input;
  const rowsHeight = Math.max(1, spec.height - 1);
  const markerWidth = spec.marker === false ? 0 : MARKER_WIDTH;
  const cellWidth = Math.max(1, spec.width - markerWidth);
  const { allCells, layout } = prepared(spec, cellWidth);
  const header = line(spec.width, theme).add(' '.repeat(markerWidth));
  spec.columns.forEach((column, i) => {
    if (i > 0) header.add(' '.repeat(COLUMN_GAP));
    header.cell(column.header, layout.widths[i]!, theme.dim, column.align ?? 'left');
  });
  const lines: Line[] = [header.done()];
  const { top, end, selected } = windowOf(spec.cursor, spec.keys, rowsHeight);
  for (let index = top; index < end; index++) {
    const isSelected = spec.focused && index === selected;
    const built = line(spec.width, theme).add(isSelected ? `${theme.glyphs.selected} ` : ' '.repeat(markerWidth), isSelected ? theme.bold : theme.plain);
    const cells = allCells[index]!;
    spec.columns.forEach((column, i) => {
      if (i > 0) built.add(' '.repeat(COLUMN_GAP));
      built.cell(cells[i] ?? '', layout.widths[i]!, spec.cellStyle?.(spec.rows[index]!, i) ?? theme.plain, column.align ?? 'left');
    });
    const row = built.fill().done();
    lines.push(isSelected ? restyle(row, theme.selected) : row);
  }
  return { lines, pageSize: rowsHeight };
}

/** `lines` from `scroll`, `height` of them, with a `more` note on the last line when some are hidden below. */
export function pane(input: ScreenInput, lines: readonly Line[], scroll: number, height: number): Line[] {
  if (height <= 0) return [];
  const top = Math.min(Math.max(0, scroll), Math.max(0, lines.length - height));
  const shown = lines.slice(top, top + height);
  const below = lines.length - (top + height);
  if (below > 0 && shown.length === height) {
    shown[height - 1] = textLine(input.width, input.theme, `  (${below} more ${below === 1 ? 'line' : 'lines'}: j/k, PgDn)`, input.theme.dim);
  }
  return shown;
}

/**
 * `label  value` lines, the label column as wide as the widest label (at most `maxLabelWidth` cells, longer ones cut
 * with an ellipsis); long values wrap under themselves.
 */
export function fieldLines(input: ScreenInput, fields: ReadonlyArray<{ label: string; value: string; style?: Style }>, width = input.width, maxLabelWidth = 16): Line[] {
  const labelCells = Math.min(maxLabelWidth, Math.max(0, ...fields.map((field) => displayWidth(cleanLine(bounded(field.label, maxLabelWidth * 4 + 16))))));
  const labelWidth = labelCells + 2;
  const valueWidth = Math.max(8, width - labelWidth);
  const out: Line[] = [];
  for (const field of fields) {
    const pieces = wrapValue(input.theme.text(cleanLine(bounded(field.value, valueWidth * 8))), valueWidth);
    pieces.forEach((piece, i) => {
      out.push(
        line(width, input.theme)
          // The gap is its own cell: a label cut to the column must not run into its value.
          .cell(i === 0 ? field.label : '', labelCells, input.theme.dim)
          .add('  ')
          .add(piece, field.style ?? input.theme.plain)
          .done(),
      );
    });
  }
  return out;
}

/** A value cut into pieces of at most `width` cells (at most a few: a field is not a document). */
function wrapValue(value: string, width: number): string[] {
  const MAX_PIECES = 6;
  if (displayWidth(value) <= width) return [value];
  const pieces: string[] = [];
  let rest = value;
  while (rest !== '' && pieces.length < MAX_PIECES) {
    let cut = '';
    let used = 0;
    for (const char of rest) {
      const w = displayWidth(char);
      if (used + w > width) break;
      cut += char;
      used += w;
    }
    if (cut === '') break;
    // Prefer a break at the last space of the piece when it is not too early.
    const space = cut.lastIndexOf(' ');
    if (space > width / 2 && cut.length < rest.length) cut = cut.slice(0, space + 1);
    pieces.push(cut.trimEnd());
    rest = rest.slice(cut.length);
  }
  // What did not fit goes on the last piece, which the line builder then cuts with an ellipsis.
  if (rest !== '' && pieces.length > 0) pieces[pieces.length - 1] = `${pieces[pieces.length - 1]!} ${rest}`;
  return pieces;
}

export function blank(): Line {
  return EMPTY_LINE;
}

/** `n of m` when a list is cut by a filter. */
export function countOf(shown: number, total: number): string {
  return shown === total ? String(total) : `${shown} of ${total}`;
}
