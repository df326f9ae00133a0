// `firewatch incidents create|update|assign|acknowledge|mitigate|resolve|close|timeline|postmortem`: the response
// workflow from the shell. Every command goes through the control API; the daemon decides (state machine,
// approvals, cooldowns) and a refusal comes back as one line on stderr with exit code 1.

import { writeFileSync } from 'node:fs';
import type { ActionViewJson, IncidentJson, TimelineEntryJson } from '../../api/incident.js';
import { INCIDENT_STATUSES, INCIDENT_TYPES, SEVERITIES, type IncidentType, type Severity } from '../../api/vocabulary.js';
import { ACTION_COLUMNS, actionCells, approvalNote, renderIncidentDetail, timelineEntryLine } from '../../view/incident-text.js';
import { cleanBlock, cleanLine } from '../../view/text.js';
import { UsageError, type CommandSpec, type ParsedArgs } from '../args.js';
import { print, printJson, withClient } from '../context.js';
import { FORMAT_FLAG, formatOf, ACTOR_FLAG, actorOf } from '../flags.js';
import { renderCsv } from '../render/csv.js';
import { renderTable, terminalWidth } from '../render/table.js';

const INCIDENT_ID: CommandSpec['positionals'][number] = { name: 'incident_id', required: true, description: 'the incident, e.g. inc_00001' };

function printIncident(args: ParsedArgs, incident: IncidentJson, summary: string): void {
  const format = formatOf(args);
  if (format === 'json') printJson(incident);
  else if (format === 'csv') {
    print(
      renderCsv(
        ['incident_id', 'incident_type', 'severity', 'status', 'title', 'assigned_to', 'acknowledged', 'updated_at'],
        [[incident.incident_id, incident.incident_type, incident.severity, incident.status, incident.title, incident.assigned_to, incident.acknowledged, incident.updated_at]],
      ),
    );
  } else {
    print(cleanLine(summary));
    print(renderIncidentDetail(incident, Date.now()));
  }
}

export const incidentsCreate: CommandSpec = {
  path: ['incidents', 'create'],
  summary: 'Open an incident by hand (it goes through the same workflow and notifications as detected ones).',
  positionals: [],
  flags: [
    { name: 'type', kind: 'string', choices: INCIDENT_TYPES, placeholder: 'TYPE', description: 'incident type (required)' },
    { name: 'severity', kind: 'string', choices: SEVERITIES, placeholder: 'SEVERITY', description: "severity (default: the type's default)" },
    { name: 'title', kind: 'string', placeholder: 'TEXT', description: 'title (default: type, components and time)' },
    { name: 'description', kind: 'string', placeholder: 'TEXT', description: 'description' },
    { name: 'components', kind: 'list', placeholder: 'NAME[,…]', description: 'affected components (services)' },
    { name: 'assigned-to', kind: 'string', placeholder: 'NAME', description: 'assign it at once' },
    ACTOR_FLAG,
    FORMAT_FLAG,
  ],
  examples: [
    'firewatch incidents create --type error_burst --severity high --title "Manual Incident" --description "Manually created incident"',
    'firewatch incidents create --type service_down --severity critical --title "API Service Down" --components api,worker,database',
  ],
  async run(args) {
    const type = args.flags.type as string | undefined;
    if (type === undefined) throw new UsageError('--type is required (the incident type, e.g. error_burst)', incidentsCreate);
    const incident = await withClient(args, (client) =>
      client.createIncident({
        incident_type: type as IncidentType,
        actor: actorOf(args),
        ...(args.flags.severity !== undefined ? { severity: String(args.flags.severity) as Severity } : {}),
        ...(args.flags.title !== undefined ? { title: String(args.flags.title) } : {}),
        ...(args.flags.description !== undefined ? { description: String(args.flags.description) } : {}),
        ...(args.flags.components !== undefined ? { components: args.flags.components as string[] } : {}),
        ...(args.flags['assigned-to'] !== undefined ? { assigned_to: String(args.flags['assigned-to']) } : {}),
      }),
    );
    printIncident(args, incident, `created ${String(incident.incident_id)}`);
    return 0;
  },
};

export const incidentsUpdate: CommandSpec = {
  path: ['incidents', 'update'],
  summary: 'Change status, severity, notes or assignee of an incident (all at once, or nothing).',
  positionals: [INCIDENT_ID],
  flags: [
    { name: 'status', kind: 'string', choices: INCIDENT_STATUSES, placeholder: 'STATUS', description: `new status (${INCIDENT_STATUSES.join(', ')})` },
    { name: 'severity', kind: 'string', choices: SEVERITIES, placeholder: 'SEVERITY', description: 'new severity' },
    { name: 'notes', kind: 'string', placeholder: 'TEXT', description: 'add a note (stamped with time and your name)' },
    { name: 'assigned-to', kind: 'string', placeholder: 'NAME', description: 'assign to someone' },
    { name: 'unassign', kind: 'boolean', description: 'remove the assignee' },
    ACTOR_FLAG,
    FORMAT_FLAG,
  ],
  examples: [
    'firewatch incidents update inc_00123 --status investigating',
    'firewatch incidents update inc_00123 --notes "Investigating database issues"',
    'firewatch incidents update inc_00123 --status containing --severity critical --assigned-to john.doe',
  ],
  async run(args) {
    const id = args.positionals[0]!;
    const { status, severity, notes, unassign } = args.flags;
    const assignee = args.flags['assigned-to'];
    if (status === undefined && severity === undefined && notes === undefined && assignee === undefined && !unassign) {
      throw new UsageError('nothing to change: give --status, --severity, --notes, --assigned-to or --unassign', incidentsUpdate);
    }
    if (assignee !== undefined && unassign) throw new UsageError('--assigned-to and --unassign contradict each other', incidentsUpdate);
    const incident = await withClient(args, (client) =>
      client.updateIncident({
        incident_id: id,
        actor: actorOf(args),
        ...(status !== undefined ? { status: String(status) } : {}),
        ...(severity !== undefined ? { severity: String(severity) as Severity } : {}),
        ...(notes !== undefined ? { notes: String(notes) } : {}),
        ...(assignee !== undefined ? { assigned_to: String(assignee) } : {}),
        ...(unassign ? { unassign: true } : {}),
      }),
    );
    printIncident(args, incident, `updated ${id}: ${String(incident.status)}, ${String(incident.severity).toUpperCase()}`);
    return 0;
  },
};

export const incidentsAssign: CommandSpec = {
  path: ['incidents', 'assign'],
  summary: 'Assign an incident to someone, or take the assignee off with --unassign.',
  positionals: [INCIDENT_ID, { name: 'assignee', required: false, description: 'who takes it, e.g. john.doe' }],
  flags: [{ name: 'unassign', kind: 'boolean', description: 'remove the assignee' }, ACTOR_FLAG, FORMAT_FLAG],
  examples: ['firewatch incidents assign inc_00123 john.doe', 'firewatch incidents assign inc_00123 --unassign'],
  async run(args) {
    const [id, assignee] = args.positionals as [string, string | undefined];
    const unassign = Boolean(args.flags.unassign);
    if ((assignee === undefined) === !unassign) {
      throw new UsageError('give either an ASSIGNEE or --unassign', incidentsAssign);
    }
    const incident = await withClient(args, (client) =>
      client.updateIncident({ incident_id: id, actor: actorOf(args), ...(unassign ? { unassign: true } : { assigned_to: assignee }) }),
    );
    printIncident(args, incident, unassign ? `${id} unassigned` : `${id} assigned to ${String(incident.assigned_to)}`);
    return 0;
  },
};

export const incidentsAcknowledge: CommandSpec = {
  path: ['incidents', 'acknowledge'],
  summary: 'Acknowledge an incident: someone is on it (PagerDuty is told; it ends when the incident resolves).',
  positionals: [INCIDENT_ID],
  flags: [ACTOR_FLAG, FORMAT_FLAG],
  examples: ['firewatch incidents acknowledge inc_00123', 'firewatch incidents acknowledge inc_00123 --as john.doe'],
  async run(args) {
    const id = args.positionals[0]!;
    const incident = await withClient(args, (client) => client.updateIncident({ incident_id: id, actor: actorOf(args), acknowledge: true }));
    printIncident(args, incident, `${id} acknowledged by ${String(incident.acknowledged_by)}`);
    return 0;
  },
};

export const incidentsResolve: CommandSpec = {
  path: ['incidents', 'resolve'],
  summary: 'Resolve an incident; the post-mortem is written from its data.',
  positionals: [INCIDENT_ID],
  flags: [{ name: 'notes', kind: 'string', placeholder: 'TEXT', description: 'resolution notes' }, ACTOR_FLAG, FORMAT_FLAG],
  examples: ['firewatch incidents resolve inc_00123', 'firewatch incidents resolve inc_00123 --notes "Fixed by restarting database service"'],
  async run(args) {
    const id = args.positionals[0]!;
    const incident = await withClient(args, (client) =>
      client.resolveIncident({ incident_id: id, actor: actorOf(args), notes: args.flags.notes === undefined ? '' : String(args.flags.notes) }),
    );
    printIncident(args, incident, `${id} resolved (mttr ${String(incident.mttr)} s); post-mortem: firewatch incidents postmortem ${id}`);
    return 0;
  },
};

export const incidentsClose: CommandSpec = {
  path: ['incidents', 'close'],
  summary: 'Close a resolved incident (refused while it is not resolved).',
  positionals: [INCIDENT_ID],
  flags: [{ name: 'notes', kind: 'string', placeholder: 'TEXT', description: 'closing notes' }, ACTOR_FLAG, FORMAT_FLAG],
  examples: ['firewatch incidents close inc_00123'],
  async run(args) {
    const id = args.positionals[0]!;
    const incident = await withClient(args, (client) =>
      client.closeIncident({ incident_id: id, actor: actorOf(args), notes: args.flags.notes === undefined ? '' : String(args.flags.notes) }),
    );
    printIncident(args, incident, `${id} closed`);
    return 0;
  },
};

export const incidentsMitigate: CommandSpec = {
  path: ['incidents', 'mitigate'],
  summary: 'List the remediation actions for an incident, or run one (medium and high risk need --approved-by).',
  positionals: [INCIDENT_ID],
  flags: [
    { name: 'list-actions', kind: 'boolean', description: 'list applicable actions with risk and state (the default without --action)' },
    { name: 'action', kind: 'string', placeholder: 'ACTION', description: 'the action to run, e.g. scale_up' },
    { name: 'approved-by', kind: 'string', placeholder: 'NAME', description: 'who approved a medium or high risk action' },
    { name: 'dry-run', kind: 'boolean', description: 'show exactly what would run, run nothing' },
    ACTOR_FLAG,
    FORMAT_FLAG,
  ],
  examples: [
    'firewatch incidents mitigate inc_00123 --list-actions',
    'firewatch incidents mitigate inc_00123 --action scale_up',
    'firewatch incidents mitigate inc_00123 --action restart_service --approved-by john.doe',
    'firewatch incidents mitigate inc_00123 --action restart_service --dry-run',
  ],
  async run(args) {
    const id = args.positionals[0]!;
    const action = args.flags.action as string | undefined;
    if (action !== undefined && args.flags['list-actions']) {
      throw new UsageError('--list-actions and --action contradict each other', incidentsMitigate);
    }
    if (action === undefined && (args.flags['approved-by'] !== undefined || args.flags['dry-run'])) {
      throw new UsageError('--approved-by and --dry-run need --action', incidentsMitigate);
    }
    const format = formatOf(args);
    if (action === undefined) {
      const listing = await withClient(args, (client) => client.listActions(id));
      if (format === 'json') printJson(listing);
      else if (format === 'csv') {
        print(renderCsv(['action_id', 'risk', 'status', 'recommended', 'effect', 'approvers', 'description'],
          listing.actions.map((a) => [a.action_id, a.risk, a.status, a.recommended, a.effect, a.approvers, a.description])));
      } else print(renderActions(id, listing.actions, listing.manual_steps, terminalWidth()));
      return 0;
    }
    const approvedBy = args.flags['approved-by'] as string | undefined;
    const result = await withClient(args, (client) =>
      client.mitigate({
        incident_id: id,
        action_id: action,
        actor: actorOf(args),
        ...(approvedBy !== undefined ? { approved_by: approvedBy } : {}),
        ...(args.flags['dry-run'] ? { dry_run: true } : {}),
      }),
    );
    if (format === 'json') printJson(result);
    else if (format === 'csv') {
      print(renderCsv(['seq', 'at', 'action_id', 'kind', 'actor', 'approved_by', 'detail'],
        result.audit.map((e) => [e.seq, e.at, e.action_id, e.kind, e.actor, e.approved_by, e.detail])));
    } else print(cleanLine(result.summary));
    return result.outcome === 'succeeded' || result.outcome === 'dry_run' ? 0 : 1;
  },
};

export function renderActions(incidentId: string, actions: readonly ActionViewJson[], manualSteps: readonly string[], width: number): string {
  const lines: string[] = [];
  if (actions.length === 0) lines.push(`No remediation action applies to ${cleanLine(incidentId)}.`);
  else {
    lines.push(renderTable(ACTION_COLUMNS, actions.map(actionCells), width));
    const note = approvalNote(actions);
    if (note !== undefined) lines.push('', note);
  }
  if (manualSteps.length > 0) lines.push('', 'Manual steps:', ...manualSteps.map((step) => `  - ${cleanLine(step)}`));
  return lines.join('\n');
}

export const incidentsTimeline: CommandSpec = {
  path: ['incidents', 'timeline'],
  summary: "An incident's timeline: its events, status changes, notes and remediation steps, oldest first.",
  positionals: [INCIDENT_ID],
  flags: [
    { name: 'event-type', kind: 'string', placeholder: 'TEXT', description: 'only events whose type contains TEXT (e.g. error)' },
    { name: 'source', kind: 'string', placeholder: 'NAME', description: 'only events from this source' },
    { name: 'limit', kind: 'number', placeholder: 'N', description: 'the newest N entries' },
    FORMAT_FLAG,
  ],
  examples: [
    'firewatch incidents timeline inc_00123',
    'firewatch incidents timeline inc_00123 --event-type error',
    'firewatch incidents timeline inc_00123 --source api --limit 20',
  ],
  async run(args) {
    const id = args.positionals[0]!;
    const timeline = await withClient(args, (client) =>
      client.timeline({
        incident_id: id,
        ...(args.flags['event-type'] !== undefined ? { event_type: String(args.flags['event-type']) } : {}),
        ...(args.flags.source !== undefined ? { source: String(args.flags.source) } : {}),
        ...(args.flags.limit !== undefined ? { limit: Math.floor(args.flags.limit as number) } : {}),
      }),
    );
    const format = formatOf(args);
    if (format === 'json') printJson(timeline);
    else if (format === 'csv') {
      print(renderCsv(['at', 'kind', 'severity', 'source', 'event_type', 'text', 'event_id', 'trace_id'],
        timeline.entries.map((e) => [e.at, e.kind, e.severity, e.source, e.event_type, e.text, e.event_id, e.trace_id])));
    } else {
      const shown = timeline.entries.length;
      print(`Timeline for incident ${cleanLine(id)}${shown < timeline.total ? ` (${shown} of ${timeline.total} entries)` : ''}:`);
      print(shown === 0 ? '  (nothing matches)' : timeline.entries.map((entry: TimelineEntryJson) => `  ${timelineEntryLine(entry)}`).join('\n'));
    }
    return 0;
  },
};

export const incidentsPostmortem: CommandSpec = {
  path: ['incidents', 'postmortem'],
  summary: 'Print the post-mortem of an incident (Markdown), or write it to a file.',
  positionals: [INCIDENT_ID],
  flags: [
    { name: 'output', kind: 'string', placeholder: 'FILE', description: 'write the Markdown to FILE instead of printing it' },
    { name: 'format', kind: 'string', choices: ['markdown', 'json'], description: 'markdown (default) or json' },
  ],
  examples: ['firewatch incidents postmortem inc_00123', 'firewatch incidents postmortem inc_00123 --output postmortem.md'],
  async run(args) {
    const id = args.positionals[0]!;
    const postmortem = await withClient(args, (client) => client.postmortem(id));
    if (args.flags.output !== undefined) {
      const file = String(args.flags.output);
      writeFileSync(file, postmortem.markdown.endsWith('\n') ? postmortem.markdown : `${postmortem.markdown}\n`);
      print(`wrote ${postmortem.draft ? 'a draft post-mortem' : 'the post-mortem'} of ${cleanLine(id)} to ${cleanLine(file)}`);
    } else if (args.flags.format === 'json') {
      printJson(postmortem);
    } else {
      print(cleanBlock(postmortem.markdown));
    }
    return 0;
  },
};

export const WORKFLOW_COMMANDS: readonly CommandSpec[] = [
  incidentsCreate,
  incidentsUpdate,
  incidentsAssign,
  incidentsAcknowledge,
  incidentsMitigate,
  incidentsResolve,
  incidentsClose,
  incidentsTimeline,
  incidentsPostmortem,
];
