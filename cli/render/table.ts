// Box-drawn tables as in the seed's CLI examples, sized to the terminal (80 columns when not a terminal).
// Cells are sanitised here, so callers can pass telemetry-derived text as is.

import type { ColumnSpec } from '../../view/incident-text.js';
import { cleanLine, displayWidth, fitWidth } from '../../view/text.js';

/** The view model's column (view/incident-text.ts): header, alignment, and how it gives and takes width. */
export type Column = ColumnSpec;

export const DEFAULT_WIDTH = 80;

export function terminalWidth(stream: NodeJS.WriteStream = process.stdout): number {
  return stream.isTTY && stream.columns ? stream.columns : DEFAULT_WIDTH;
}

/** Borders take 3 characters per column plus one. */
function frameWidth(columns: number): number {
  return columns * 3 + 1;
}

/** The width the table takes with no cell cut: what a caller compares with the terminal to choose its columns. */
export function naturalWidth(columns: readonly Column[], rows: readonly unknown[][]): number {
  let total = frameWidth(columns.length);
  columns.forEach((column, i) => {
    total += Math.max(displayWidth(column.header), ...rows.map((row) => displayWidth(cleanLine(row[i]))));
  });
  return total;
}

export function renderTable(columns: readonly Column[], rows: readonly unknown[][], maxWidth = DEFAULT_WIDTH): string {
  const cells = rows.map((row) => columns.map((_, i) => cleanLine(row[i])));
  const widths = columns.map((column, i) =>
    Math.max(displayWidth(column.header), ...cells.map((row) => displayWidth(row[i]!))),
  );
  const frame = frameWidth(columns.length);
  let excess = widths.reduce((a, b) => a + b, 0) + frame - maxWidth;
  const shrinkOrder = columns
    .map((column, i) => ({ column, i }))
    .sort((a, b) => Number(Boolean(b.column.flexible)) - Number(Boolean(a.column.flexible)) || widths[b.i]! - widths[a.i]!);
  for (const { column, i } of shrinkOrder) {
    if (excess <= 0) break;
    const floor = column.minWidth ?? Math.min(displayWidth(column.header), 8);
    const cut = Math.min(excess, widths[i]! - floor);
    if (cut > 0) {
      widths[i] = widths[i]! - cut;
      excess -= cut;
    }
  }
  const line = (left: string, mid: string, right: string) =>
    left + widths.map((w) => '─'.repeat(w + 2)).join(mid) + right;
  const row = (values: string[]) =>
    '│' +
    values
      .map((value, i) => {
        const text = fitWidth(value, widths[i]!);
        const pad = ' '.repeat(widths[i]! - displayWidth(text));
        return ` ${columns[i]!.align === 'right' ? pad + text : text + pad} `;
      })
      .join('│') +
    '│';
  const out = [line('┌', '┬', '┐'), row(columns.map((c) => c.header)), line('├', '┼', '┤')];
  for (const values of cells) out.push(row(values));
  out.push(line('└', '┴', '┘'));
  return out.join('\n');
}
