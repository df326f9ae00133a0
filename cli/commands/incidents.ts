// `firewatch incidents list|get`: read incidents from a running daemon.

import { INCIDENT_STATUSES, INCIDENT_TYPES, SEVERITIES } from '../../api/vocabulary.js';
import type { IncidentJson } from '../../api/incident.js';
import { fitIncidentColumns, renderIncidentDetail, type IncidentColumn } from '../../view/incident-text.js';
import type { CommandSpec } from '../args.js';
import { print, printJson, withClient } from '../context.js';
import { FORMAT_FLAG, formatOf, sinceOf } from '../flags.js';
import { renderCsv } from '../render/csv.js';
import { naturalWidth, renderTable, terminalWidth } from '../render/table.js';

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
      if (page.total_matched > page.incidents.length) {
        print(`showing ${page.incidents.length} of ${page.total_matched} incidents (use --limit 0 for all)`);
      }
    }
    return 0;
  },
};

export function renderIncidentTable(incidents: readonly IncidentJson[], width: number, now = Date.now()): string {
  if (incidents.length === 0) return 'No incidents.';
  const rowsOf = (columns: readonly IncidentColumn[]) => incidents.map((incident) => columns.map((column) => column.cell(incident, now)));
  const columns = fitIncidentColumns(width, (candidate) => naturalWidth(candidate, rowsOf(candidate)));
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
      client.getIncident(id, { timeline, timeline_limit: (args.flags.limit as number | undefined) ?? 0, postmortem, audit: full }),
    );
    const format = formatOf(args);
    if (postmortem) incident.postmortem ??= null;
    if (format === 'json') {
      printJson(incident);
    } else if (format === 'csv') {
      const rows = (incident.timeline ?? []).map((e) => [e.event_id, e.timestamp, e.event_type, e.source, e.severity, e.message, e.correlation_id]);
      print(timeline ? renderCsv(['event_id', 'timestamp', 'event_type', 'source', 'severity', 'message', 'correlation_id'], rows)
        : renderCsv(['incident_id', 'incident_type', 'severity', 'status', 'title', 'detected_at', 'event_count', 'affected_components'],
          [[incident.incident_id, incident.incident_type, incident.severity, incident.status, incident.title, incident.detected_at, incident.event_count, incident.affected_components]]));
    } else {
      print(renderIncidentDetail(incident, Date.now()));
    }
    return 0;
  },
};
