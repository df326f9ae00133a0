// The Incidents screen: every incident the TUI knows that passes the filter (`:` commands, `/` text), one row each,
// the columns that fit the width (view/incident-text.ts drops the optional ones first), the selection by key.

import { describeFilter, isEmptyFilter } from '../../view/filters.js';
import { fitIncidentColumns, type IncidentColumn } from '../../view/incident-text.js';
import { incidentList } from '../../view/incident-list.js';
import { INITIAL_INCIDENTS_STATE, displayId, type IncidentEntry, type IncidentsState } from '../../view/incidents-state.js';
import type { IncidentFilter } from '../../view/filters.js';
import { memoLast } from '../memo.js';
import { naturalTableWidth } from '../../view/table-layout.js';
import { COLUMN_GAP, MARKER_WIDTH, countOf, heading, note, table, type ScreenInput, type ScreenOutput } from './common.js';

const listOf = memoLast((entries: IncidentsState['entries'], filter: IncidentFilter, now: number) => incidentList({ ...INITIAL_INCIDENTS_STATE, entries }, filter, now));

export function incidentRows(input: Pick<ScreenInput, 'incidents' | 'ui' | 'now'>): IncidentEntry[] {
  return listOf(input.incidents.entries, input.ui.filter, input.now);
}

/** The columns that fit, measured on every row: once per list and width. */
const columnsFor = memoLast((rows: readonly IncidentEntry[], room: number, incidents: IncidentsState, now: number) =>
  fitIncidentColumns(room, (candidate) => naturalTableWidth(candidate, rows.map((entry) => incidentCells({ incidents, now }, entry, candidate)), COLUMN_GAP)),
);

/** The list's cells of an entry, the id as screens name it (with its daemon in a fleet). */
export function incidentCells(input: Pick<ScreenInput, 'incidents' | 'now'>, entry: IncidentEntry, columns: readonly IncidentColumn[]): string[] {
  return columns.map((column) => (column.id === 'id' ? displayId(input.incidents, entry) : column.cell(entry.incident, input.now)));
}

export function buildIncidents(input: ScreenInput): ScreenOutput {
  const rows = incidentRows(input);
  const keys = rows.map((entry) => entry.key);
  const filter = input.ui.filter;
  const total = input.incidents.entries.size;
  const detail = isEmptyFilter(filter) ? `${total} known` : `${countOf(rows.length, total)} · ${describeFilter(filter)}`;
  const lines = [heading(input, 'Incidents', detail)];
  if (rows.length === 0) {
    lines.push(note(input, total === 0 ? 'No incidents yet: they appear here as the daemon opens them.' : 'No incident matches the filter (:clear shows all).'));
    return { lines, rows: keys, pageSize: 1, paneLines: 0 };
  }
  const columns = columnsFor(rows, input.width - MARKER_WIDTH, input.incidents, input.now);
  const severityColumn = columns.findIndex((column) => column.id === 'severity');
  const drawn = table(input, {
    columns,
    rows,
    keys,
    cells: (entry) => incidentCells(input, entry, columns),
    cellStyle: (entry, column) => (column === severityColumn ? input.theme.severity(entry.incident.severity) : undefined),
    cursor: input.ui.cursors.incidents,
    height: input.height - 1,
    width: input.width,
    focused: input.ui.prompt === null || input.ui.prompt.kind === 'filter',
  });
  lines.push(...drawn.lines);
  return { lines, rows: keys, pageSize: drawn.pageSize, paneLines: 0 };
}
