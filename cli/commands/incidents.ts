// `firewatch incidents list|get`: read incidents from a running daemon.

import type { JsonObject } from '../../control/messages.js';
import { describeCause } from '../../engine/root-cause.js';
import { INCIDENT_STATUSES, INCIDENT_TYPES, SEVERITIES } from '../../engine/types.js';
import type { CommandSpec } from '../args.js';
import { print, printJson, withClient } from '../context.js';
import { FORMAT_FLAG, formatOf, sinceOf } from '../flags.js';
import { renderCsv } from '../render/csv.js';
import { naturalWidth, renderTable, terminalWidth, type Column } from '../render/table.js';
import { sanitizeBlock, sanitizeLine } from '../render/terminal-text.js';
import { formatAgo, formatClock, formatDuration } from '../render/time.js';

const STATUS_CHOICES = ['active', ...INCIDENT_STATUSES] as const;

export const incidentsList: CommandSpec = {
  path: ['incidents', 'list'],
  summary: 'List incidents, newest first.',
  positionals: [],
  flags: [
    { name: 'status', kind: 'list', choices: STATUS_CHOICES, placeholder: 'STATUS[,…]', description: `filter by status (${STATUS_CHOICES.join(', ')})` },
    { name: 'severity', kind: 'list', choices: SEVERITIES, placeholder: 'SEVERITY[,…]', description: 'filter by severity' },
    { name: 'type', kind: 'list', choices: INCIDENT_TYPES, placeholder: 'TYPE[,…]', description: 'filter by incident type' },
    { name: 'component', kind: 'list', placeholder: 'NAME[,…]', description: 'filter by affected component (service)' },
    { name: 'since', kind: 'string', placeholder: 'AGE|TIME', description: 'detected within this age (30m, 24h, 7d) or since an ISO-8601 time' },
    { name: 'limit', kind: 'number', placeholder: 'N', description: 'at most N incidents (default 100; 0 for all)' },
    FORMAT_FLAG,
  ],
  examples: [
    'firewatch incidents list',
    'firewatch incidents list --status active --severity critical,high',
    'firewatch incidents list --since 24h --format json',
  ],
  async run(args) {
    const since = sinceOf(args, incidentsList);
    const limit = args.flags.limit === undefined ? 100 : Math.floor(args.flags.limit as number);
    const page = await withClient(args, (client) =>
      client.listIncidents({
        status: args.flags.status as string[] | undefined,
        severity: args.flags.severity as string[] | undefined,
        incident_type: args.flags.type as string[] | undefined,
        component: args.flags.component as string[] | undefined,
        ...(since ? { since } : {}),
        limit,
      }),
    );
    const format = formatOf(args);
    if (format === 'json') {
      printJson(page.incidents);
    } else if (format === 'csv') {
      print(
        renderCsv(
          ['incident_id', 'incident_type', 'severity', 'status', 'title', 'detected_at', 'event_count', 'affected_components', 'assigned_to', 'mttd', 'mttr'],
          page.incidents.map((i) => [i.incident_id, i.incident_type, i.severity, i.status, i.title, i.detected_at, i.event_count, i.affected_components, i.assigned_to, i.mttd, i.mttr]),
        ),
      );
    } else {
      print(renderIncidentTable(page.incidents, terminalWidth()));
      if (page.totalMatched > page.incidents.length) {
        print(`showing ${page.incidents.length} of ${page.totalMatched} incidents (use --limit 0 for all)`);
      }
    }
    return 0;
  },
};

/** Incident table columns, each with how to fill it from an incident. */
interface IncidentColumn extends Column {
  cell(incident: JsonObject, nowMs: number): unknown;
}

const ID_COLUMN: IncidentColumn = { header: 'ID', minWidth: 9, cell: (i) => i.incident_id };
const TYPE_COLUMN: IncidentColumn = { header: 'Type', flexible: true, minWidth: 11, cell: (i) => i.incident_type };
const COMPONENTS_COLUMN: IncidentColumn = {
  header: 'Components',
  flexible: true,
  minWidth: 10,
  cell: (i) => ((i.affected_components as string[] | undefined) ?? []).join(', '),
};
const SEVERITY_COLUMN: IncidentColumn = { header: 'Severity', cell: (i) => String(i.severity).toUpperCase() };
const STATUS_COLUMN: IncidentColumn = { header: 'Status', minWidth: 8, cell: (i) => i.status };
const EVENTS_COLUMN: IncidentColumn = { header: 'Events', align: 'right', minWidth: 6, cell: (i) => i.event_count };
const DETECTED_COLUMN: IncidentColumn = { header: 'Detected', minWidth: 8, cell: (i, nowMs) => formatAgo(i.detected_at, nowMs) };
const TITLE_COLUMN: IncidentColumn = { header: 'Title', cell: (i) => i.title };

/** Every column, in display order; what is left out when the terminal is narrow comes last in OPTIONAL_COLUMNS. */
const INCIDENT_COLUMNS: readonly IncidentColumn[] = [
  ID_COLUMN, TYPE_COLUMN, COMPONENTS_COLUMN, SEVERITY_COLUMN, STATUS_COLUMN, EVENTS_COLUMN, DETECTED_COLUMN, TITLE_COLUMN,
];
/**
 * Left out, first to last, until the table fits uncut. The title repeats the type, the first component and the
 * time ("Error Burst - checkout - 2026-01-01 11:55"), so cut to a dozen characters it told nothing: type and
 * components take its place, and it shows when there is room for all of it.
 */
const OPTIONAL_COLUMNS: readonly IncidentColumn[] = [TITLE_COLUMN, EVENTS_COLUMN];

export function renderIncidentTable(incidents: JsonObject[], width: number, nowMs = Date.now()): string {
  if (incidents.length === 0) return 'No incidents.';
  let columns = INCIDENT_COLUMNS;
  const rowsOf = (chosen: readonly IncidentColumn[]) => incidents.map((incident) => chosen.map((column) => column.cell(incident, nowMs)));
  for (const optional of OPTIONAL_COLUMNS) {
    if (naturalWidth(columns, rowsOf(columns)) <= width) break;
    columns = columns.filter((column) => column !== optional);
  }
  return renderTable(columns, rowsOf(columns), width);
}

export const incidentsGet: CommandSpec = {
  path: ['incidents', 'get'],
  summary: 'Show one incident: its fields, root cause and (with --timeline) the events behind it.',
  positionals: [{ name: 'incident_id', required: true, description: 'the incident, e.g. inc_00001' }],
  flags: [
    { name: 'timeline', kind: 'boolean', description: 'include the timeline of events, oldest first' },
    { name: 'postmortem', kind: 'boolean', description: 'include the post-mortem, when one has been written' },
    { name: 'full', kind: 'boolean', description: 'include everything: timeline, post-mortem, remediation audit log' },
    { name: 'limit', kind: 'number', placeholder: 'N', description: 'at most N timeline events (default: the daemon\'s cap)' },
    FORMAT_FLAG,
  ],
  examples: ['firewatch incidents get inc_00001', 'firewatch incidents get inc_00001 --timeline', 'firewatch incidents get inc_00001 --full --format json'],
  async run(args) {
    const id = args.positionals[0]!;
    const full = Boolean(args.flags.full);
    const timeline = full || Boolean(args.flags.timeline);
    const postmortem = full || Boolean(args.flags.postmortem);
    const incident = await withClient(args, (client) =>
      client.getIncident(id, { timeline, timelineLimit: (args.flags.limit as number | undefined) ?? 0, postmortem, audit: full }),
    );
    const format = formatOf(args);
    if (postmortem) incident.postmortem ??= null;
    if (format === 'json') {
      printJson(incident);
    } else if (format === 'csv') {
      const rows = ((incident.timeline ?? []) as JsonObject[]).map((e) => [e.event_id, e.timestamp, e.event_type, e.source, e.severity, e.message, e.correlation_id]);
      print(timeline ? renderCsv(['event_id', 'timestamp', 'event_type', 'source', 'severity', 'message', 'correlation_id'], rows)
        : renderCsv(['incident_id', 'incident_type', 'severity', 'status', 'title', 'detected_at', 'event_count', 'affected_components'],
          [[incident.incident_id, incident.incident_type, incident.severity, incident.status, incident.title, incident.detected_at, incident.event_count, incident.affected_components]]));
    } else {
      print(renderIncidentDetail(incident));
    }
    return 0;
  },
};

export function renderIncidentDetail(incident: JsonObject): string {
  const rootCause = (incident.root_cause ?? {}) as JsonObject;
  const traceIds = (incident.trace_ids ?? []) as string[];
  const field = (label: string, value: unknown) => `  ${label.padEnd(14)}${sanitizeLine(value)}`;
  const distribution = (raw: unknown) =>
    Object.entries((raw ?? {}) as Record<string, number>)
      .slice(0, 6)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  const lines = [
    `${sanitizeLine(incident.incident_id)}  ${sanitizeLine(incident.title)}`,
    field('type', incident.incident_type),
    field('severity', String(incident.severity).toUpperCase()),
    field('status', String(incident.status) + (incident.acknowledged ? ` (acknowledged by ${String(incident.acknowledged_by)})` : '') +
      (incident.auto_resolved ? ' (auto-resolved)' : '')),
    field('detected', `${incident.detected_at} (${formatAgo(incident.detected_at)})`),
    field('first event', incident.first_event_at),
    field('mttd', formatDuration(Number(incident.mttd))),
    ...(incident.mttr !== null && incident.mttr !== undefined ? [field('mttr', formatDuration(Number(incident.mttr)))] : []),
    field('events', incident.event_count),
    field('components', ((incident.affected_components ?? []) as string[]).join(', ')),
    field('assigned to', incident.assigned_to ?? '-'),
    ...(incident.resolution ? [field('resolution', incident.resolution)] : []),
    ...(incident.peak_error_rate !== null && incident.peak_error_rate !== undefined
      ? [field('peak errors', `${(Number(incident.peak_error_rate) * 100).toFixed(1)}% of requests`)]
      : []),
    field('rule', incident.rule_id || '-'),
    field('root cause', describeCause(String(rootCause.primary_error_type ?? ''), String(rootCause.primary_source ?? ''))),
    ...(rootCause.root_span ? [field('  root span', describeRootSpan(rootCause.root_span as JsonObject))] : []),
    field('  errors', distribution(rootCause.error_distribution)),
    field('  sources', distribution(rootCause.source_distribution)),
    field('users', Number(incident.users_affected ?? 0) === 0 ? '-' : `${incident.users_affected} affected`),
    ...(((incident.similar_incidents ?? []) as JsonObject[]).length > 0
      ? [field('seen before', ((incident.similar_incidents ?? []) as JsonObject[]).map((s) => `${s.incident_id} (${s.resolution})`).join(', '))]
      : []),
    ...(((incident.notes ?? []) as string[]).length > 0 ? ((incident.notes ?? []) as string[]).map((note, i) => field(i === 0 ? 'notes' : '', note)) : []),
    field('traces', traceIds.length === 0 ? '-' : `${traceIds.length}: ${traceIds.slice(0, 3).join(', ')}${traceIds.length > 3 ? ', …' : ''}`),
    field('description', incident.description),
  ];
  const history = (incident.status_history ?? []) as JsonObject[];
  if (history.length > 0) {
    lines.push('', 'Status history:');
    for (const change of history) {
      const step = change.from ? `${String(change.from)} → ${String(change.to)}` : String(change.to);
      lines.push(`  ${formatClock(change.at)} ${sanitizeLine(step)} by ${sanitizeLine(change.by)}${change.reason ? ` (${sanitizeLine(change.reason)})` : ''}`);
    }
  }
  const actions = (incident.actions ?? []) as JsonObject[];
  if (actions.length > 0) {
    lines.push('', 'Actions:');
    for (const action of actions) {
      lines.push(`  ${formatClock(action.at)} ${sanitizeLine(action.action_id)} ${sanitizeLine(action.status)}${action.approved_by ? ` (approved by ${sanitizeLine(action.approved_by)})` : ''}: ${sanitizeLine(action.result)}`);
    }
  }
  if (incident.runbook) {
    const runbook = incident.runbook as { steps: string[]; links: { title: string; url: string }[] };
    lines.push('', 'Runbook:', ...runbook.steps.map((step, i) => `  ${i + 1}. ${sanitizeLine(step)}`));
    lines.push(...runbook.links.map((link) => `  - ${sanitizeLine(link.title)}: ${sanitizeLine(link.url)}`));
  }
  if (Array.isArray(incident.audit)) {
    const audit = incident.audit as JsonObject[];
    lines.push('', `Remediation audit log (${audit.length} entries):`);
    if (audit.length === 0) lines.push('  (empty)');
    for (const entry of audit) {
      lines.push(`  ${formatClock(entry.at)} ${sanitizeLine(entry.action_id)} ${sanitizeLine(entry.kind)} by ${sanitizeLine(entry.actor)}${entry.approved_by ? ` (approved by ${sanitizeLine(entry.approved_by)})` : ''}: ${sanitizeLine(entry.detail)}`);
    }
  }
  if (Array.isArray(incident.timeline)) {
    const events = incident.timeline as JsonObject[];
    lines.push('', `Timeline for incident ${sanitizeLine(incident.incident_id)} (${events.length} of ${incident.event_count} events):`);
    lines.push(...events.map(renderTimelineLine));
  }
  if (incident.postmortem !== undefined) {
    lines.push('', incident.postmortem === null ? 'Post-mortem: not written yet (written when the incident resolves).' : sanitizeBlock(incident.postmortem));
  }
  return lines.join('\n');
}

function describeRootSpan(span: JsonObject): string {
  const detail = [span.exception_type, span.status_message].filter((part) => typeof part === 'string' && part !== '').join(': ');
  // A call nobody answered: the failure lies at the peer (service), the span is its caller's.
  const where = typeof span.caller === 'string' && span.caller !== '' ? `${span.caller} → ${span.service}` : String(span.service);
  return `${where} "${span.span_name}"${detail ? ` — ${detail}` : ''} (trace ${span.trace_id})`;
}

export function renderTimelineLine(event: JsonObject): string {
  const severity = `[${String(event.severity).toUpperCase()}]`.padEnd(11);
  return `  ${formatClock(event.timestamp)} ${severity}${sanitizeLine(event.source)}: ${sanitizeLine(event.message)}`;
}
