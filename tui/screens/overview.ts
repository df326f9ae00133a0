// The Overview: the seed's dashboard panels on one screen. A summary line (system health, active incidents, resolved
// today, average MTTR), then two columns: active incidents with their duration (selectable: Enter opens one) and
// recent activity on the left; the last 24 h metrics and component health on the right.

import type { ComponentJson } from '../../api/component.js';
import { formatClock, formatDuration, label } from '../../view/format.js';
import type { ColumnSpec } from '../../view/incident-text.js';
import { INITIAL_INCIDENTS_STATE, displayId, type IncidentEntry, type IncidentsState } from '../../view/incidents-state.js';
import { memoLast } from '../memo.js';
import {
  activeIncidents,
  formatIncidentAge,
  healthBar,
  mergedComponents,
  mergedStats,
  metricRows,
  overviewNumbers,
  recentActivity,
} from '../../view/overview.js';
import { besideLines, line, type Line } from '../lines.js';
import { blank, heading, note, table, type ScreenInput, type ScreenOutput } from './common.js';

const ACTIVE_COLUMNS: readonly ColumnSpec[] = [
  { header: 'ID', minWidth: 9 },
  { header: 'Title', flexible: true, minWidth: 8 },
  { header: 'Severity', minWidth: 8 },
  { header: 'Duration', align: 'right', minWidth: 8 },
];
/** Below this width the active list leaves the title out: id, severity and duration are what the seed's table needs. */
const TITLE_MIN_LEFT_WIDTH = 44;
const COMPONENT_COLUMNS: readonly ColumnSpec[] = [
  { header: 'Component', flexible: true, minWidth: 8 },
  { header: 'Status', minWidth: 8 },
  { header: 'Health', align: 'right' },
];
const HEALTH_CELLS = 10;

/** Kept while the incidents and the second are the same (memo.ts): the table's cells hold durations. */
const activeOf = memoLast((incidents: IncidentsState, _now: number) => activeIncidents(incidents));
const activityOf = memoLast((entries: IncidentsState['entries'], limit: number) => recentActivity({ ...INITIAL_INCIDENTS_STATE, entries }, limit));

export function overviewRows(input: Pick<ScreenInput, 'incidents' | 'now'>): IncidentEntry[] {
  return activeOf(input.incidents, input.now);
}

/** Width of the right column (metrics, components) for a body this wide. */
export function rightColumnWidth(width: number): number {
  return Math.min(44, Math.max(28, Math.round(width * 0.32)));
}

export function buildOverview(input: ScreenInput): ScreenOutput {
  const { theme, width, height } = input;
  const numbers = overviewNumbers(input.incidents, input.now);
  const summary = line(width, theme)
    .add('Health ', theme.heading)
    .add(healthBar(numbers.system_health, HEALTH_CELLS, theme.ascii), theme.plain)
    .add(` ${numbers.system_health === null ? '-' : `${Math.round(numbers.system_health)}%`}`)
    .add('   Active ', theme.heading)
    .add(String(numbers.active_incidents))
    .add('   Resolved today ', theme.heading)
    .add(String(numbers.resolved_today))
    .add('   Avg MTTR ', theme.heading)
    .add(formatDuration(numbers.avg_mttr_seconds))
    .done();

  const rightWidth = rightColumnWidth(width);
  const separator = { text: ` ${theme.glyphs.vertical} `, style: theme.dim };
  const leftWidth = width - rightWidth - separator.text.length;
  const area = Math.max(0, height - 2);
  const column: ScreenInput = { ...input, width: leftWidth };

  // Left: active incidents, then recent activity. The list takes what it needs, up to half the height (it is what
  // one acts on); the activity the rest.
  const rows = overviewRows(input);
  const keys = rows.map((entry) => entry.key);
  const activeHeight = Math.max(2, Math.min(rows.length + 1, Math.floor(area / 2))); // its column header and rows
  const left: Line[] = [heading(column, `Active incidents (${rows.length})`)];
  let pageSize = 1;
  if (rows.length === 0) {
    left.push(note(column, 'None: all quiet.'));
  } else {
    const withTitle = leftWidth >= TITLE_MIN_LEFT_WIDTH;
    const drawn = table(column, {
      columns: withTitle ? ACTIVE_COLUMNS : ACTIVE_COLUMNS.filter((spec) => spec.header !== 'Title'),
      rows,
      keys,
      cells: (entry) => [
        displayId(input.incidents, entry),
        ...(withTitle ? [entry.incident.title] : []),
        label(entry.incident.severity),
        formatIncidentAge(entry, input.now),
      ],
      cellStyle: (entry, i) => (i === (withTitle ? 2 : 1) ? theme.severity(entry.incident.severity) : undefined),
      cursor: input.ui.cursors.overview,
      height: activeHeight,
      width: leftWidth,
      focused: input.ui.prompt === null,
    });
    left.push(...drawn.lines);
    pageSize = drawn.pageSize;
  }
  left.push(blank(), heading(column, 'Recent activity'));
  const activity = activityOf(input.incidents.entries, Math.max(0, area - left.length));
  if (activity.length === 0) left.push(note(column, 'Nothing yet.'));
  for (const item of activity) {
    left.push(
      line(leftWidth, theme)
        .add(`${formatClock(item.at).slice(0, 5)} `, theme.dim)
        .add(`[${label(item.severity)}]`.padEnd(11), theme.severity(item.severity))
        .add(`${displayIdOfKey(input, item.key, item.incident_id)}: `)
        .add(item.text)
        .done(),
    );
  }

  // Right: the seed's 24 h metrics, then component health.
  const rightInput: ScreenInput = { ...input, width: rightWidth };
  const right: Line[] = [heading(rightInput, 'Last 24 h')];
  const valueWidth = 7;
  for (const metric of metricRows(mergedStats(input.incidents))) {
    const labelText = metric.indent ? `  ${metric.label}` : metric.label;
    right.push(line(rightWidth, theme).cell(labelText, rightWidth - valueWidth, metric.indent ? theme.dim : theme.plain).cell(metric.value, valueWidth, theme.plain, 'right').done());
  }
  const components = mergedComponents(input.incidents);
  const room = area - right.length - 2; // a blank line and the heading
  if (room >= 2 || components.length === 0) {
    right.push(blank(), heading(rightInput, 'Components'));
    if (components.length === 0) {
      right.push(note(rightInput, 'None seen yet.'));
    } else {
      const shown = Math.min(components.length, room - 1);
      const cut = shown < components.length;
      const drawn = table(rightInput, {
        columns: COMPONENT_COLUMNS,
        rows: components,
        keys: components.map((component) => component.component),
        cells: (component: ComponentJson) => [component.component, label(component.status), `${Math.round(component.health_percent)}%`],
        cellStyle: (component, i) => (i === 1 ? theme.componentStatus(component.status) : undefined),
        cursor: { key: null, index: 0, top: 0 },
        // When they do not all fit, the last line says how many more there are.
        height: (cut ? shown - 1 : shown) + 1,
        width: rightWidth,
        focused: false,
        marker: false,
      });
      right.push(...drawn.lines);
      if (cut) right.push(note(rightInput, `+${components.length - (drawn.lines.length - 1)} more: 3 shows all`));
    }
  }

  const body = besideLines(left.slice(0, area), right.slice(0, area), leftWidth, separator);
  return { lines: [summary, blank(), ...body], rows: keys, pageSize, paneLines: 0 };
}

function displayIdOfKey(input: ScreenInput, key: string, incidentId: string): string {
  const entry = input.incidents.entries.get(key);
  return entry === undefined ? incidentId : displayId(input.incidents, entry);
}
