// One incident: a title line, the tabs, and the tab's pane.
//   Summary          pending approvals first (they wait for a person), the fields (root cause and root span, users
//                    affected, similar incidents, notes…), the runbook, the status history
//   Timeline         its events, status changes, notes and actions, oldest first; Enter opens an entry's trace
//   Actions & audit  the actions that apply (risk, state, what runs), the steps taken, the remediation audit log
//   Post-mortem      the Markdown (a draft while unresolved); `e` writes it to a file
// The live incident (from the watch) gives the fields; the other calls fill in as they answer.

import type { ActionListJson, IncidentJson, PostmortemJson, TimelineJson } from '../../api/incident.js';
import { pendingApprovals } from '../../view/approvals.js';
import { formatClock, label } from '../../view/format.js';
import {
  ACTION_COLUMNS,
  actionCells,
  actionLines,
  auditLine,
  incidentFields,
  runbookLines,
  statusHistoryLines,
  timelineEntryLine,
} from '../../view/incident-text.js';
import { cleanBlock } from '../../view/text.js';
import { line, restyle, textLine, wrapText, type Line } from '../lines.js';
import type { Resource } from '../resources.js';
import { actionsKey, detailKey, postmortemKey, timelineKey } from '../screen-resources.js';
import { INCIDENT_TABS, windowOf, type IncidentTab, type View } from '../ui-state.js';
import { blank, fieldLines, heading, note, pane, rule, table, type ScreenInput, type ScreenOutput } from './common.js';

type IncidentView = Extract<View, { screen: 'incident' }>;

const TAB_TITLES: Record<IncidentTab, string> = { summary: 'Summary', timeline: 'Timeline', actions: 'Actions & audit', postmortem: 'Post-mortem' };

function resourceNote(input: ScreenInput, resource: Resource<unknown> | undefined, what: string): Line | undefined {
  if (resource === undefined || (resource.status === 'loading' && resource.value === undefined)) return note(input, `loading ${what}…`);
  if (resource.status === 'error') return textLine(input.width, input.theme, `could not load ${what}: ${resource.error}`, input.theme.error);
  return undefined;
}

export function buildIncident(input: ScreenInput, view: IncidentView): ScreenOutput {
  const { theme, width } = input;
  const entry = input.incidents.entries.get(view.target.key);
  const detail = input.resources.get<IncidentJson>(detailKey(view.target));
  const incident = entry?.incident ?? detail?.value;
  const lines: Line[] = [];
  if (incident === undefined) {
    lines.push(heading(input, view.target.display));
    lines.push(resourceNote(input, detail, 'the incident') ?? note(input, 'This incident is no longer known to the daemon.'));
    return { lines, rows: [], pageSize: 1, paneLines: 0 };
  }

  // Title: id and title, then what a glance needs: severity, status, acknowledgement, assignee.
  const state = [
    incident.status,
    incident.acknowledged ? `acknowledged by ${incident.acknowledged_by ?? '?'}` : incident.status === 'resolved' || incident.status === 'closed' ? '' : 'not acknowledged',
    incident.assigned_to ? `assigned to ${incident.assigned_to}` : '',
  ].filter((part) => part !== '');
  lines.push(
    line(width, theme)
      .add(view.target.display, theme.heading)
      .add('  ')
      .add(label(incident.severity), theme.severity(incident.severity))
      .add(`  ${state.join(` ${theme.glyphs.separator} `)}`)
      .done(),
  );
  lines.push(line(width, theme).add(incident.title, theme.plain).done());
  const tabs = line(width, theme);
  for (const tab of INCIDENT_TABS) {
    const current = tab === view.tab;
    tabs.add(current ? `[${TAB_TITLES[tab]}]` : ` ${TAB_TITLES[tab]} `, current ? theme.heading : theme.dim).add(' ');
  }
  lines.push(tabs.add(' Tab: next tab', theme.dim).done());

  const paneHeight = Math.max(1, input.height - lines.length);
  switch (view.tab) {
    case 'summary': {
      const content = summaryLines(input, view, incident);
      lines.push(...pane(input, content, view.scroll, paneHeight));
      return { lines, rows: [], pageSize: paneHeight, paneLines: content.length };
    }
    case 'timeline':
      return timelinePane(input, view, lines, paneHeight);
    case 'actions': {
      const content = actionsLines(input, view, incident, input.resources.get<IncidentJson>(detailKey(view.target)));
      lines.push(...pane(input, content, view.scroll, paneHeight));
      return { lines, rows: [], pageSize: paneHeight, paneLines: content.length };
    }
    case 'postmortem': {
      const content = postmortemLines(input, view);
      lines.push(...pane(input, content, view.scroll, paneHeight));
      return { lines, rows: [], pageSize: paneHeight, paneLines: content.length };
    }
  }
}

function summaryLines(input: ScreenInput, view: IncidentView, incident: IncidentJson): Line[] {
  const { theme } = input;
  const out: Line[] = [];
  // Pending approvals first: they are waiting for a person. The actions list says when each expires.
  const actions = input.resources.get<ActionListJson>(actionsKey(view.target))?.value;
  const waiting = actions
    ? actions.actions.filter((action) => action.status.startsWith('awaiting approval')).map((action) => ({ id: action.action_id, text: `${label(action.risk)}  ${action.status}` }))
    : pendingApprovals(incident).map((action) => ({ id: action.action_id, text: `requested ${formatClock(action.at)}` }));
  if (waiting.length > 0) {
    out.push(heading(input, `Pending approvals (${waiting.length})`, input.readOnly ? '' : 'm: approve and run'));
    for (const item of waiting) out.push(line(input.width, theme).add(`  ${item.id}  `, theme.bold).add(item.text).done());
    out.push(blank());
  }
  const fields = incidentFields(incident, input.now).map((field) => ({
    ...field,
    style: field.label === 'severity' ? theme.severity(incident.severity) : field.label.trim() === 'root span' ? theme.rootCause : undefined,
  }));
  out.push(...fieldLines(input, fields));
  const runbook = runbookLines(incident.runbook ? incident : (input.resources.get<IncidentJson>(detailKey(view.target))?.value ?? incident));
  if (runbook.length > 0) {
    out.push(blank(), heading(input, 'Runbook'));
    for (const text of runbook) out.push(...wrapText(text, input.width - 2).map((piece) => textLine(input.width, theme, `  ${piece}`)));
  }
  const history = statusHistoryLines(incident);
  if (history.length > 0) {
    out.push(blank(), heading(input, 'Status history'));
    for (const text of history) out.push(textLine(input.width, theme, `  ${text}`));
  }
  return out;
}

function timelinePane(input: ScreenInput, view: IncidentView, lines: Line[], height: number): ScreenOutput {
  const { theme } = input;
  const resource = input.resources.get<TimelineJson>(timelineKey(view.target));
  const problem = resourceNote(input, resource, 'the timeline');
  const timeline = resource?.value;
  if (timeline === undefined) {
    if (problem) lines.push(problem);
    return { lines, rows: [], pageSize: 1, paneLines: 0 };
  }
  const rowHeight = Math.max(1, height - 1);
  const keys = timeline.entries.map((_, index) => String(index));
  const caption = `${timeline.entries.length} of ${timeline.total} entries, oldest first${timeline.entries.some((entry) => entry.trace_id) ? ' · Enter: the entry’s trace' : ''}`;
  lines.push(problem ?? note(input, caption));
  const { top, end, selected } = windowOf(view.cursor, keys, rowHeight);
  for (let index = top; index < end; index++) {
    const entry = timeline.entries[index]!;
    const isSelected = index === selected && input.ui.prompt === null;
    const built = line(input.width, theme)
      .add(isSelected ? `${theme.glyphs.selected} ` : '  ', theme.bold)
      .add(entry.trace_id ? `${theme.glyphs.collapsed} ` : '  ', theme.dim)
      .add(timelineEntryLine(entry), entry.severity ? theme.severity(entry.severity) : theme.plain)
      .fill()
      .done();
    lines.push(isSelected ? restyle(built, theme.selected) : built);
  }
  if (timeline.entries.length === 0) lines.push(note(input, 'No entries.'));
  return {
    lines,
    rows: keys,
    pageSize: rowHeight,
    paneLines: 0,
    timelineTrace: (rowKey) => timeline.entries[Number(rowKey)]?.trace_id ?? undefined,
  };
}

function actionsLines(input: ScreenInput, view: IncidentView, incident: IncidentJson, detail: Resource<IncidentJson> | undefined): Line[] {
  const { theme } = input;
  const out: Line[] = [];
  const actionsResource = input.resources.get<ActionListJson>(actionsKey(view.target));
  out.push(heading(input, 'Actions that apply', input.readOnly ? '' : 'm: run one'));
  const problem = resourceNote(input, actionsResource, 'the actions');
  if (problem) out.push(problem);
  const list = actionsResource?.value;
  if (list !== undefined) {
    if (list.actions.length === 0) out.push(note(input, '  none configured for this type'));
    else {
      const drawn = table(input, {
        columns: ACTION_COLUMNS,
        rows: list.actions,
        keys: list.actions.map((action) => action.action_id),
        cells: actionCells,
        cellStyle: (action, i) => (i === 1 && action.risk !== 'safe' ? theme.bold : undefined),
        cursor: { key: null, index: 0, top: 0 },
        height: list.actions.length + 1,
        width: input.width,
        focused: false,
        marker: false,
      });
      out.push(...drawn.lines);
    }
    if (list.manual_steps.length > 0) {
      out.push(blank(), heading(input, 'Manual steps'));
      list.manual_steps.forEach((step, index) => out.push(textLine(input.width, theme, `  ${index + 1}. ${step}`)));
    }
  }
  const steps = actionLines(incident);
  out.push(blank(), heading(input, `Steps taken (${steps.length})`));
  for (const text of steps) out.push(textLine(input.width, theme, `  ${text}`));
  const audit = detail?.value?.audit;
  out.push(blank(), heading(input, `Audit log${audit ? ` (${audit.length})` : ''}`));
  const auditProblem = resourceNote(input, detail, 'the audit log');
  if (auditProblem) out.push(auditProblem);
  if (audit !== undefined) {
    if (audit.length === 0) out.push(note(input, '  empty'));
    for (const entry of audit) out.push(textLine(input.width, theme, `  ${auditLine(entry)}`, entry.kind === 'failed' || entry.kind === 'refused' ? theme.error : theme.plain));
  }
  return out;
}

function postmortemLines(input: ScreenInput, view: IncidentView): Line[] {
  const resource = input.resources.get<PostmortemJson>(postmortemKey(view.target));
  const problem = resourceNote(input, resource, 'the post-mortem');
  const postmortem = resource?.value;
  const out: Line[] = [];
  if (problem) out.push(problem);
  if (postmortem === undefined) return out;
  out.push(
    note(input, `${postmortem.draft ? 'Draft: the incident is not resolved yet. ' : ''}Generated ${formatClock(postmortem.generated_at)}. e: export to a file.`),
    rule(input),
  );
  for (const text of wrapText(cleanBlock(postmortem.markdown), input.width)) {
    out.push(textLine(input.width, input.theme, text, /^#/.test(text) ? input.theme.heading : input.theme.plain));
  }
  return out;
}
