import { describe, expect, it } from 'vitest';
import type { ColumnSpec } from './incident-text.js';
import { layoutTable, naturalTableWidth, tableRow } from './table-layout.js';
import { displayWidth } from './text.js';

const COLUMNS: ColumnSpec[] = [
  { header: 'ID', minWidth: 4 },
  { header: 'Name', flexible: true, minWidth: 6 },
  { header: 'Count', align: 'right' },
];

describe('layoutTable', () => {
  it('keeps natural widths when they fit', () => {
    const rows = [['inc_1', 'checkout', '12']];
    expect(naturalTableWidth(COLUMNS, rows, 2)).toBe(5 + 8 + 5 + 4);
    const layout = layoutTable(COLUMNS, rows, 80, 2);
    expect(layout.widths).toEqual([5, 8, 5]);
    expect(tableRow(COLUMNS, layout, rows[0]!, 2)).toBe('inc_1  checkout     12');
  });

  it('takes width from the flexible column first, down to its minimum, then from the widest', () => {
    const rows = [['inc_00001', 'a-very-long-service-name', '7']];
    const layout = layoutTable(COLUMNS, rows, 24, 2);
    expect(layout.widths).toEqual([9, 6, 5]);
    const tight = layoutTable(COLUMNS, rows, 19, 2);
    expect(tight.widths).toEqual([4, 6, 5]);
    expect(layoutTable(COLUMNS, rows, 10, 2).widths).toEqual([4, 6, 5]); // never below the minimums: the caller cuts
  });

  it('cuts a column with shrinkFirstTo after the flexible one and before the others, only when the table is too wide', () => {
    const columns: ColumnSpec[] = [{ header: 'By', shrinkFirstTo: 5 }, ...COLUMNS];
    const rows = [['alice.johnson', 'inc_00001', 'checkout', '7']];
    expect(layoutTable(columns, rows, 200, 2).widths).toEqual([13, 9, 8, 5]); // room: whole
    expect(layoutTable(columns, rows, 38, 2).widths).toEqual([12, 9, 6, 5]); // 3 too wide: Name gives 2, By 1
    expect(layoutTable(columns, rows, 31, 2).widths).toEqual([5, 9, 6, 5]); // By down to 5 before the ID gives
    expect(layoutTable(columns, rows, 29, 2).widths).toEqual([5, 7, 6, 5]); // then the widest
  });

  it('measures wide characters as two cells and fits every row to the layout', () => {
    const rows = [['事件', '服务器错误服务器错误', '1']];
    const layout = layoutTable(COLUMNS, rows, 20, 1);
    const line = tableRow(COLUMNS, layout, rows[0]!, 1);
    expect(displayWidth(line)).toBe(layout.total);
    expect(layout.total).toBeLessThanOrEqual(20);
  });
});
