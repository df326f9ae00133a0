// What people do to incidents through the control API: create, update (status, severity, notes, assignment,
// acknowledgement), resolve, close, note, mitigate. Each checks its input, applies the workflow's rules
// (engine/workflow.ts) to the newest state and writes it through the IncidentWriter; a refusal comes back as one line.

import { RemediationRefused, type Responder } from '../respond/responder.js';
import type { IncidentJson, MitigateResultJson } from '../api/incident.js';
import { BadRequest, NotFound, RequestRefused } from '../control/backend.js';
import type { CreateIncidentInput, MitigateInput, UpdateIncidentInput } from '../control/backend.js';
import { auditEntryToJson, incidentToJson } from './api-json.js';
import { pushAction } from './containment.js';
import type { IncidentWriter } from './incident-writer.js';
import { INCIDENT_STATUSES, SYSTEM_ACTOR, WorkflowError, acknowledge, addNote, applyTransition, assign, checkedActor, isIncidentType, isSeverity, setSeverity, type Engine, type Incident, type IncidentStatus } from '../engine/index.js';

const MAX_TITLE_LENGTH = 300;
const MAX_DESCRIPTION_LENGTH = 4_000;
const MAX_COMPONENTS = 100;
const MAX_COMPONENT_LENGTH = 200;

export class IncidentCommands {
  constructor(
    private readonly engine: Engine,
    private readonly writer: IncidentWriter,
    private readonly responder: Responder,
  ) {}

  async create(input: CreateIncidentInput): Promise<IncidentJson> {
    const type = input.incident_type.toLowerCase();
    if (!isIncidentType(type)) throw new BadRequest(`unknown incident type ${JSON.stringify(input.incident_type)}`);
    const severity = input.severity.toLowerCase();
    if (severity !== '' && !isSeverity(severity)) throw new BadRequest(`unknown severity ${JSON.stringify(input.severity)}`);
    const components = input.components.map((c) => c.trim()).filter((c) => c !== '');
    if (components.length > MAX_COMPONENTS) throw new BadRequest(`at most ${MAX_COMPONENTS} components`);
    if (components.some((c) => c.length > MAX_COMPONENT_LENGTH)) throw new BadRequest(`a component name is longer than ${MAX_COMPONENT_LENGTH} characters`);
    if (input.title.length > MAX_TITLE_LENGTH) throw new BadRequest(`the title is longer than ${MAX_TITLE_LENGTH} characters`);
    if (input.description.length > MAX_DESCRIPTION_LENGTH) throw new BadRequest(`the description is longer than ${MAX_DESCRIPTION_LENGTH} characters`);
    const actor = actorName(input.actor);
    const incident = this.engine.createIncident({
      incident_type: type,
      ...(severity !== '' ? { severity } : {}),
      ...(input.title.trim() !== '' ? { title: input.title.trim() } : {}),
      description: input.description,
      affected_components: components,
      ...(input.assigned_to.trim() !== '' ? { assigned_to: input.assigned_to.trim() } : {}),
      created_by: actor,
    });
    // The open incidents it was linked with changed too (related_incidents, a timeline line): written with it.
    const related = (incident.related_incidents ?? []).flatMap((id) => this.engine.incident(id) ?? []);
    await this.writer.persist({ events: [], linked: [], incidents: [incident, ...related], traceSpans: [] });
    return incidentToJson(this.writer.latest(incident.incident_id) ?? incident);
  }

  async update(input: UpdateIncidentInput): Promise<IncidentJson> {
    const actor = actorName(input.actor);
    const status = input.status.toLowerCase();
    if (status !== '' && !(INCIDENT_STATUSES as readonly string[]).includes(status)) {
      throw new BadRequest(`unknown status ${JSON.stringify(input.status)} (known: ${INCIDENT_STATUSES.join(', ')})`);
    }
    const severity = input.severity.toLowerCase();
    if (severity !== '' && !isSeverity(severity)) throw new BadRequest(`unknown severity ${JSON.stringify(input.severity)}`);
    if (input.unassign && input.assigned_to !== '') throw new BadRequest('assigned_to and unassign contradict each other');
    const updated = await this.writer.mutate(input.incident_id, (incident, at) => {
      const context = { at, by: actor };
      if (severity !== '' && isSeverity(severity)) setSeverity(incident, severity, context);
      if (input.notes.trim() !== '') addNote(incident, input.notes, context);
      if (input.assigned_to.trim() !== '') assign(incident, input.assigned_to, context);
      if (input.unassign) assign(incident, null, context);
      if (input.acknowledge) acknowledge(incident, context);
      if (status !== '') {
        applyTransition(incident, status as IncidentStatus, {
          ...context,
          reason: input.notes.trim() !== '' ? input.notes.trim() : `set by ${actor}`,
        });
      }
    });
    return incidentToJson(updated);
  }

  async resolve(incidentId: string, actorInput: string, notes: string): Promise<IncidentJson> {
    const actor = actorName(actorInput);
    const updated = await this.writer.mutate(incidentId, (incident, at) => {
      if (notes.trim() !== '') addNote(incident, notes, { at, by: actor });
      applyTransition(incident, 'resolved', { at, by: actor, reason: notes.trim() });
    });
    return incidentToJson(updated);
  }

  async close(incidentId: string, actorInput: string, notes: string): Promise<IncidentJson> {
    const actor = actorName(actorInput);
    const updated = await this.writer.mutate(incidentId, (incident, at) => {
      applyTransition(incident, 'closed', { at, by: actor, reason: notes.trim() === '' ? `closed by ${actor}` : notes.trim() });
      if (notes.trim() !== '') addNote(incident, notes, { at, by: actor });
    });
    return incidentToJson(updated);
  }

  /** Adds a note to an incident, as `actorInput`. */
  async note(incidentId: string, actorInput: string, text: string): Promise<void> {
    const actor = actorName(actorInput);
    await this.writer.mutate(incidentId, (incident, at) => addNote(incident, text, { at, by: actor }));
  }

  async mitigate(input: MitigateInput): Promise<MitigateResultJson> {
    const actor = actorName(input.actor);
    const incident = this.writer.latest(input.incident_id);
    if (incident === undefined) throw new NotFound(`incident ${input.incident_id} not found`);
    let outcome;
    try {
      outcome = await this.responder.mitigate(incident, input.action_id, {
        actor,
        approvedBy: input.approved_by.trim() === '' ? null : input.approved_by.trim(),
        dryRun: input.dry_run,
      });
    } catch (error) {
      if (error instanceof RemediationRefused) throw new RequestRefused(error.message);
      throw error;
    }
    let current: Incident | undefined = this.writer.latest(input.incident_id);
    if (outcome.status !== 'dry_run' && current !== undefined) {
      current = await this.writer.mutate(input.incident_id, (live, at) => {
        pushAction(live, outcome.action);
        if (['detected', 'assessing', 'investigating'].includes(live.status) && outcome.status !== 'skipped') {
          applyTransition(live, 'remediating', { at, by: actor, reason: `${actor} ran ${outcome.action_id}: ${outcome.status}` });
        }
      });
    }
    const summary =
      outcome.status === 'dry_run'
        ? `${outcome.action_id} (dry run): ${outcome.detail}`
        : `${outcome.action_id} ${outcome.status}${outcome.approved_by ? ` (approved by ${outcome.approved_by})` : ''}: ${outcome.detail}`;
    return {
      summary,
      outcome: outcome.status,
      audit: outcome.entries.map(auditEntryToJson),
      incident: incidentToJson(current ?? incident),
    };
  }
}

/** Who is asking: a person's name (workflow.ts's rules), never the daemon's own. */
/** Who asks, checked (trimmed, bounded, no control characters, not the daemon itself); BadRequest otherwise. */
export function actorName(raw: string): string {
  let name: string;
  try {
    name = checkedActor(raw, 'the actor (who is asking)');
  } catch (error) {
    if (error instanceof WorkflowError) throw new BadRequest(error.message);
    throw error;
  }
  if (name === SYSTEM_ACTOR) throw new BadRequest(`"${SYSTEM_ACTOR}" is the name of the daemon's own steps; say who you are with --as NAME`);
  return name;
}
