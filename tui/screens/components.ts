// Components: the seed's component health table, every service over every daemon (worst first), with why each has
// its status. Enter lists the incidents that affect the selected component; `/` narrows the list by name.

import type { ComponentJson } from '../../api/component.js';
import { formatAgo, formatRatio, label } from '../../view/format.js';
import type { ColumnSpec } from '../../view/incident-text.js';
import { mergedComponents } from '../../view/overview.js';
import { countOf, heading, note, table, type ScreenInput, type ScreenOutput } from './common.js';

const COLUMNS: readonly ColumnSpec[] = [
  { header: 'Component', flexible: true, minWidth: 10 },
  { header: 'Status', minWidth: 8 },
  { header: 'Open', align: 'right' },
  { header: 'Health', align: 'right' },
  { header: 'Errors', align: 'right' },
  { header: 'Req/min', align: 'right' },
  { header: 'Last seen', minWidth: 8 },
  { header: 'Why', flexible: true, minWidth: 8 },
];

export function componentRows(input: Pick<ScreenInput, 'incidents' | 'ui'>): ComponentJson[] {
  const words = input.ui.listText.components.toLowerCase().split(/\s+/).filter(Boolean);
  const all = mergedComponents(input.incidents);
  return words.length === 0 ? all : all.filter((component) => words.every((word) => component.component.toLowerCase().includes(word)));
}

export function buildComponents(input: ScreenInput): ScreenOutput {
  const rows = componentRows(input);
  const total = mergedComponents(input.incidents).length;
  const text = input.ui.listText.components;
  const lines = [heading(input, 'Components', `${countOf(rows.length, total)}${text ? ` · "${text}"` : ''} · Enter: its incidents`)];
  const keys = rows.map((component) => component.component);
  if (rows.length === 0) {
    lines.push(note(input, total === 0 ? 'No component has reported yet.' : 'No component matches.'));
    return { lines, rows: keys, pageSize: 1, paneLines: 0 };
  }
  const drawn = table(input, {
    columns: COLUMNS,
    rows,
    keys,
    cells: (c) => [
      c.component,
      label(c.status),
      String(c.open_incidents),
      `${Math.round(c.health_percent)}%`,
      formatRatio(c.error_rate),
      String(Math.round(c.requests_per_minute)),
      formatAgo(c.last_seen, input.now),
      c.reason,
    ],
    cellStyle: (c, i) => (i === 1 ? input.theme.componentStatus(c.status) : undefined),
    cursor: input.ui.cursors.components,
    height: input.height - 1,
    width: input.width,
    focused: input.ui.prompt === null || input.ui.prompt.kind === 'list-filter',
  });
  lines.push(...drawn.lines);
  return { lines, rows: keys, pageSize: drawn.pageSize, paneLines: 0 };
}
