// Incidents in words, for every front end: the list's columns and cells, the detail's fields and sections, timeline
// lines and watch lines. The CLI prints them; the TUI and the web page lay out the same fields and cells. Every
// string from telemetry is cleaned here (cleanLine), so a caller that prints what this returns is safe.

import type { ActionViewJson, AuditEntryJson, EventJson, IncidentJson, RootSpanJson, TimelineEntryJson } from '../api/incident.js';
import type { IncidentUpdate } from '../api/update.js';
import { isOpenStatus } from '../api/vocabulary.js';
import { cleanBlock, cleanLine } from './text.js';
import { formatAgo, formatClock, formatDuration, formatRatio, label } from './format.js';

/** A column of a table: its header, and how it gives and takes width. */
export type ColumnSpec = {
  header: string;
  align?: 'left' | 'right';
  /** Takes the width left over (one flexible column per table). */
  flexible?: boolean;
  /** Never narrower than this (cells are cut with an ellipsis). */
  minWidth?: number;
  /**
   * When the table is too wide, cut to this width after the flexible column and before any other column gives (a
   * column whose ends matter less than the others' cells). Whole when there is room.
   */
  shrinkFirstTo?: number;
};

/** A column of the incident list, and how to fill it. */
export type IncidentColumn = ColumnSpec & { id: IncidentColumnId; cell(incident: IncidentJson, now: number): string };
export type IncidentColumnId = 'id' | 'type' | 'components' | 'severity' | 'status' | 'events' | 'detected' | 'title';

/** The incident list (`incidents list`, the TUI's Incidents screen), in display order. */
export const INCIDENT_COLUMNS: readonly IncidentColumn[] = [
  { id: 'id', header: 'ID', minWidth: 9, cell: (i) => cleanLine(i.incident_id) },
  { id: 'type', header: 'Type', flexible: true, minWidth: 11, cell: (i) => i.incident_type },
  { id: 'components', header: 'Components', flexible: true, minWidth: 10, cell: (i) => i.affected_components.map(cleanLine).join(', ') },
  { id: 'severity', header: 'Severity', cell: (i) => label(i.severity) },
  { id: 'status', header: 'Status', minWidth: 8, cell: (i) => i.status },
  { id: 'events', header: 'Events', align: 'right', minWidth: 6, cell: (i) => String(i.event_count) },
  { id: 'detected', header: 'Detected', minWidth: 8, cell: (i, now) => formatAgo(i.detected_at, now) },
  { id: 'title', header: 'Title', cell: (i) => cleanLine(i.title) },
];

/**
 * Columns left out, first to last, until a table fits uncut. The title repeats the type, the first component and the
 * time ("Error Burst - checkout - 2026-01-01 11:55"), so cut to a dozen characters it told nothing: type and
 * components take its place, and it shows when there is room for all of it.
 */
export const OPTIONAL_INCIDENT_COLUMNS: readonly IncidentColumnId[] = ['title', 'events'];

/**
 * The widest set of columns whose natural width (`measure`) fits `width`, dropping OPTIONAL_INCIDENT_COLUMNS in
 * order; the last set tried when none fits.
 */
export function fitIncidentColumns(width: number, measure: (columns: readonly IncidentColumn[]) => number): readonly IncidentColumn[] {
  return fitColumns(INCIDENT_COLUMNS, (column) => column.id, OPTIONAL_INCIDENT_COLUMNS, width, measure);
}

/**
 * The widest set of `columns` whose natural width (`measure`) fits `width`, dropping the columns named in `optional`
 * (by `key`) in that order; the last set tried when none fits. For columns that repeat what another one says.
 */
export function fitColumns<C, K>(
  columns: readonly C[],
  key: (column: C) => K,
  optional: readonly K[],
  width: number,
  measure: (columns: readonly C[]) => number,
): readonly C[] {
  let fitted = columns;
  for (const dropped of optional) {
    if (measure(fitted) <= width) break;
    fitted = fitted.filter((column) => key(column) !== dropped);
  }
  return fitted;
}

/**
 * `payments "POST /charge" — LedgerLockTimeout: lock wait exceeded (trace 0af7…)`; a call nobody answered reads
 * `checkout → inventory "GET /stock" …`: the failure lies at the peer, the span is its caller's.
 */
export function describeRootSpan(span: RootSpanJson): string {
  const detail = [span.exception_type, span.status_message].filter((part) => part !== '').map(cleanLine).join(': ');
  const where = span.caller !== undefined && span.caller !== '' ? `${cleanLine(span.caller)} → ${cleanLine(span.service)}` : cleanLine(span.service);
  return `${where} "${cleanLine(span.span_name)}"${detail ? ` — ${detail}` : ''} (trace ${cleanLine(span.trace_id)})`;
}

/**
 * The one-line root cause, worded as the daemon words it in the status history (`root cause computed:
 * database_connection_error on payments`; engine/root-cause.ts describeCause, pinned equal by a daemon test).
 */
export function rootCauseSummary(incident: IncidentJson): string {
  const cause = incident.root_cause;
  return `${cleanLine(cause.primary_error_type) || '-'} on ${cleanLine(cause.primary_source) || '-'}`;
}

function distribution(counts: Record<string, number>): string {
  return Object.entries(counts)
    .slice(0, 6)
    .map(([key, count]) => `${cleanLine(key)} ${count}`)
    .join(', ');
}

export type DetailField = { label: string; value: string };

/** The incident's fields, one per line (`incidents get`, the TUI's incident summary). */
export function incidentFields(incident: IncidentJson, now: number): DetailField[] {
  const cause = incident.root_cause;
  const fields: DetailField[] = [
    { label: 'type', value: incident.incident_type },
    { label: 'severity', value: label(incident.severity) },
    {
      label: 'status',
      value:
        incident.status +
        (incident.acknowledged ? ` (acknowledged by ${cleanLine(incident.acknowledged_by)})` : '') +
        (incident.auto_resolved ? ' (auto-resolved)' : ''),
    },
    { label: 'detected', value: `${incident.detected_at ?? '-'} (${formatAgo(incident.detected_at, now)})` },
    { label: 'first event', value: incident.first_event_at ?? '-' },
    { label: 'mttd', value: formatDuration(incident.mttd) },
  ];
  if (incident.mttr !== null) fields.push({ label: 'mttr', value: formatDuration(incident.mttr) });
  fields.push(
    { label: 'events', value: String(incident.event_count) },
    { label: 'components', value: incident.affected_components.map(cleanLine).join(', ') },
    { label: 'assigned to', value: cleanLine(incident.assigned_to ?? '-') },
  );
  if (incident.resolution) fields.push({ label: 'resolution', value: cleanLine(incident.resolution) });
  // Incidents from a daemon older than silences lack the field.
  if ((incident.silenced_by ?? null) !== null) {
    fields.push({ label: 'silenced by', value: `${cleanLine(incident.silenced_by)}${isOpenStatus(incident.status) ? ': not notified, no automatic action' : ''}` });
  }
  const related = incident.related_incidents ?? [];
  if (related.length > 0) fields.push({ label: 'related', value: related.map(cleanLine).join(', ') });
  if (incident.peak_error_rate !== null) fields.push({ label: 'peak errors', value: `${formatRatio(incident.peak_error_rate)} of requests` });
  fields.push({ label: 'rule', value: cleanLine(incident.rule_id ?? '-') }, { label: 'root cause', value: rootCauseSummary(incident) });
  if (cause.root_span) fields.push({ label: '  root span', value: describeRootSpan(cause.root_span) });
  fields.push(
    { label: '  errors', value: distribution(cause.error_distribution) },
    { label: '  sources', value: distribution(cause.source_distribution) },
    { label: 'users', value: incident.users_affected === 0 ? '-' : `${incident.users_affected} affected` },
  );
  if (incident.similar_incidents.length > 0) {
    fields.push({
      label: 'seen before',
      value: incident.similar_incidents.map((similar) => `${cleanLine(similar.incident_id)} (${cleanLine(similar.resolution)})`).join(', '),
    });
  }
  incident.notes.forEach((note, index) => fields.push({ label: index === 0 ? 'notes' : '', value: cleanLine(note) }));
  const traces = incident.trace_ids;
  fields.push(
    {
      label: 'traces',
      value: traces.length === 0 ? '-' : `${traces.length}: ${traces.slice(0, 3).map(cleanLine).join(', ')}${traces.length > 3 ? ', …' : ''}`,
    },
    { label: 'description', value: cleanLine(incident.description) },
  );
  return fields;
}

/** `10:30:05Z detected → assessing by firewatch (root cause computed)`, oldest first. */
export function statusHistoryLines(incident: IncidentJson): string[] {
  return incident.status_history.map((change) => {
    const step = change.from ? `${change.from} → ${change.to}` : change.to;
    return `${formatClock(change.at)} ${cleanLine(step)} by ${cleanLine(change.by)}${change.reason ? ` (${cleanLine(change.reason)})` : ''}`;
  });
}

export function actionLines(incident: IncidentJson): string[] {
  return incident.actions.map(
    (action) =>
      `${formatClock(action.at)} ${cleanLine(action.action_id)} ${cleanLine(action.status)}` +
      `${action.approved_by ? ` (approved by ${cleanLine(action.approved_by)})` : ''}: ${cleanLine(action.result)}`,
  );
}

export function auditLine(entry: AuditEntryJson): string {
  return (
    `${formatClock(entry.at)} ${cleanLine(entry.action_id)} ${cleanLine(entry.kind)} by ${cleanLine(entry.actor)}` +
    `${entry.approved_by ? ` (approved by ${cleanLine(entry.approved_by)})` : ''}: ${cleanLine(entry.detail)}`
  );
}

export function runbookLines(incident: IncidentJson): string[] {
  if (!incident.runbook) return [];
  return [
    ...incident.runbook.steps.map((step, index) => `${index + 1}. ${cleanLine(step)}`),
    ...incident.runbook.links.map((link) => `- ${cleanLine(link.title)}: ${cleanLine(link.url)}`),
  ];
}

/** `10:30:05Z [HIGH]     checkout: POST /api/orders returned 500`: one line of any timeline. */
function timelineLine(at: string | null, tag: string, source: string, text: string): string {
  return `${formatClock(at)} ${`[${label(tag)}]`.padEnd(10)} ${cleanLine(source)}: ${cleanLine(text)}`;
}

/** An incident event as a timeline line (`incidents get --timeline`, `firewatch trace`). */
export function timelineEventLine(event: EventJson): string {
  return timelineLine(event.timestamp, event.severity, event.source, event.message);
}

/** A line of `incidents timeline`: events by severity, status changes, notes and actions by kind. */
export function timelineEntryLine(entry: TimelineEntryJson): string {
  return timelineLine(entry.at, entry.kind === 'event' ? (entry.severity ?? '') : entry.kind, entry.source, entry.text);
}

/** `incidents get`'s text: fields, then status history, actions, runbook, audit, timeline and post-mortem when present. */
export function renderIncidentDetail(incident: IncidentJson, now: number): string {
  const lines = [`${cleanLine(incident.incident_id)}  ${cleanLine(incident.title)}`];
  for (const field of incidentFields(incident, now)) lines.push(`  ${field.label.padEnd(14)}${field.value}`);
  const history = statusHistoryLines(incident);
  if (history.length > 0) lines.push('', 'Status history:', ...history.map((line) => `  ${line}`));
  const actions = actionLines(incident);
  if (actions.length > 0) lines.push('', 'Actions:', ...actions.map((line) => `  ${line}`));
  const runbook = runbookLines(incident);
  if (runbook.length > 0) lines.push('', 'Runbook:', ...runbook.map((line) => `  ${line}`));
  if (incident.audit !== undefined) {
    lines.push('', `Remediation audit log (${incident.audit.length} entries):`);
    if (incident.audit.length === 0) lines.push('  (empty)');
    for (const entry of incident.audit) lines.push(`  ${auditLine(entry)}`);
  }
  if (incident.timeline !== undefined) {
    lines.push('', `Timeline for incident ${cleanLine(incident.incident_id)} (${incident.timeline.length} of ${incident.event_count} events):`);
    lines.push(...incident.timeline.map((event) => `  ${timelineEventLine(event)}`));
  }
  if (incident.postmortem !== undefined) {
    lines.push('', incident.postmortem === null ? 'Post-mortem: not written yet (written when the incident resolves).' : cleanBlock(incident.postmortem));
  }
  return lines.join('\n');
}

/** One line per watch update: `10:30:05Z OPENED   inc_00001 HIGH     error_burst [detected] Error Burst - … — 12 events…`. */
export function updateLine(update: IncidentUpdate): string {
  const incident = update.incident;
  const kind = label(update.kind).padEnd(8);
  const severity = label(incident.severity).padEnd(8);
  return (
    `${formatClock(update.at)} ${kind} ${cleanLine(incident.incident_id)} ${severity} ${cleanLine(incident.incident_type)} ` +
    `[${cleanLine(incident.status)}] ${cleanLine(incident.title)} — ${cleanLine(update.summary)}`
  );
}

/** The remediation actions that apply to an incident (`mitigate --list-actions`, the TUI's `m` prompt). */
export const ACTION_COLUMNS: readonly ColumnSpec[] = [
  { header: 'Action', minWidth: 8 },
  { header: 'Risk' },
  { header: 'Status', flexible: true, minWidth: 10 },
  { header: 'Rec', minWidth: 3 },
  { header: 'Runs', flexible: true, minWidth: 6 },
];

export function actionCells(action: ActionViewJson): string[] {
  return [cleanLine(action.action_id), label(action.risk), cleanLine(action.status), action.recommended ? 'yes' : '', cleanLine(action.effect ?? 'not configured')];
}

/** What the medium and high risk actions need before they run: `--approved-by NAME (restart_service: alice, bob)`. */
/** `approver`: how the front end asks for the name (the CLI's flag, the page's field). */
export function approvalNote(actions: readonly ActionViewJson[], approver = '--approved-by NAME'): string | undefined {
  const gated = actions.filter((action) => action.risk !== 'safe');
  if (gated.length === 0) return undefined;
  const named = gated.some((action) => action.approvers.length > 0)
    ? ` (${gated.map((action) => `${cleanLine(action.action_id)}: ${action.approvers.map(cleanLine).join(', ') || 'anyone'}`).join('; ')})`
    : '';
  return `Medium and high risk actions run only with ${approver}${named}.`;
}
