// The response workflow around the engine: every incident change goes through here on its way to disk.
//
//   engine.ingest / tick ──IngestResult──┐
//   control API (update, resolve, …) ────┼─▶ persist(): diff against the last state seen ──▶ outbox items (notify/)
//   containment / mitigate results ──────┘                                               └─▶ post-mortem (resolved)
//                                              └──▶ GroupCommitter: incident + outbox + post-mortem, one transaction
//
//   new incident ──▶ assessing ──▶ containing (responder.contain: safe actions run, approvals requested)
//                                        └──▶ investigating
//
// Notifications are derived from the difference between states, so every path that changes an incident (rules,
// recovery, people) notifies the same way, and the outbox items land in the transaction that records the change:
// a change is never on disk without its notifications, nor the reverse. The engine stays pure; the responder does
// the I/O of remediation; this module decides when each runs.

import type { Engine } from '../engine/engine.js';
import { cloneIncident } from '../engine/incidents.js';
import { auditEntryToJson, incidentToJson, isoTime } from '../engine/json.js';
import { renderPostmortem } from '../engine/postmortem.js';
import { runbookToJson } from '../engine/runbook.js';
import { isIncidentType, isOpenStatus, isSeverity, INCIDENT_STATUSES, SEVERITY_RANK, SYSTEM_ACTOR } from '../engine/types.js';
import type { AuditEntry, Incident, IncidentAction, IncidentStatus, IngestResult, OutboxItem, Severity } from '../engine/types.js';
import { acknowledge, addNote, applyTransition, assign, checkedActor, parseNote, setSeverity, WorkflowError } from '../engine/workflow.js';
import { changesBetween, createNotificationSequence, notificationsFor } from '../notify/routing.js';
import { RemediationRefused, type Responder } from '../respond/responder.js';
import { BadRequest, NotFound, RequestRefused } from '../control/server.js';
import type {
  CreateIncidentInput,
  GetIncidentOptions,
  MitigateInput,
  TimelineQuery,
  UpdateIncidentInput,
} from '../control/server.js';
import type { JsonObject } from '../control/messages.js';
import type { IncidentUpdateJson, WatchFilter } from '../control/server.js';
import type { GroupCommitter } from '../store/group-commit.js';
import type { LmdbStore, StoredPostmortem } from '../store/lmdb-store.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';

/** Timeline events read for a post-mortem or a timeline request. */
const TIMELINE_CAP = 10_000;
/** Entries kept in an incident's `actions`. */
const MAX_INCIDENT_ACTIONS = 200;
const MAX_TITLE_LENGTH = 300;
const MAX_DESCRIPTION_LENGTH = 4_000;
const MAX_COMPONENTS = 100;
const MAX_COMPONENT_LENGTH = 200;
/** A watcher hears of an incident whose only change is more events at most this often (the rest is noise). */
const WATCH_COALESCE_MS = 2_000;

export interface IncidentServiceOptions {
  config: Config;
  engine: Engine;
  store: LmdbStore;
  committer: GroupCommitter;
  responder: Responder;
  clock: () => number;
  log: Logger;
  /** Told after each commit that staged notifications (the outbox worker's poke). */
  onNotificationsStaged?: () => void;
}

export class IncidentService {
  private readonly config: Config;
  private readonly engine: Engine;
  private readonly store: LmdbStore;
  private readonly committer: GroupCommitter;
  private readonly responder: Responder;
  private readonly clock: () => number;
  private readonly log: Logger;
  private readonly onNotificationsStaged: () => void;
  private readonly nextNotificationId: () => number;
  /** The last state persisted of each open incident: what notifications are derived against. */
  private readonly lastSeen = new Map<string, Incident>();
  /**
   * The highest severity each open incident has had: acknowledgements and resolutions go to every channel that was
   * paged at that severity, so lowering the severity by hand does not leave a PagerDuty alert open.
   */
  private readonly peakSeverity = new Map<string, Severity>();
  /** Incidents written but maybe not flushed yet, so a read right after a change sees it. */
  private readonly unflushed = new Map<string, Incident>();
  /** Incidents whose containment is running. */
  private readonly containing = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly watchers = new Set<Watcher>();
  /** `status severity` of every incident, and how many incidents have each: /metrics' firewatch_incidents. */
  private readonly stateKeys = new Map<string, string>();
  private readonly stateCounts = new Map<string, number>();
  private stopped = false;

  constructor(options: IncidentServiceOptions) {
    this.config = options.config;
    this.engine = options.engine;
    this.store = options.store;
    this.committer = options.committer;
    this.responder = options.responder;
    this.clock = options.clock;
    this.log = options.log;
    this.onNotificationsStaged = options.onNotificationsStaged ?? (() => undefined);
    this.nextNotificationId = createNotificationSequence(options.clock);
  }

  /** Counts every stored incident by status and severity (once, at start; persist() keeps the counts current). */
  countStored(incidents: Iterable<Pick<Incident, 'incident_id' | 'status' | 'severity'>>): void {
    for (const incident of incidents) this.countState(incident);
  }

  /** Incidents now, by status and severity. */
  incidentCounts(): Array<{ status: string; severity: string; count: number }> {
    const counts: Array<{ status: string; severity: string; count: number }> = [];
    for (const [key, count] of this.stateCounts) {
      if (count === 0) continue;
      const [status, severity] = key.split(' ') as [string, string];
      counts.push({ status, severity, count });
    }
    return counts;
  }

  private countState(incident: Pick<Incident, 'incident_id' | 'status' | 'severity'>): void {
    const key = `${incident.status} ${incident.severity}`;
    const previous = this.stateKeys.get(incident.incident_id);
    if (previous === key) return;
    if (previous !== undefined) this.stateCounts.set(previous, (this.stateCounts.get(previous) ?? 1) - 1);
    this.stateKeys.set(incident.incident_id, key);
    this.stateCounts.set(key, (this.stateCounts.get(key) ?? 0) + 1);
  }

  /** After a restart: the open incidents as stored, and the workflow steps they were in the middle of. */
  resume(openIncidents: readonly Incident[]): void {
    for (const incident of openIncidents) {
      this.lastSeen.set(incident.incident_id, incident);
      this.peakSeverity.set(incident.incident_id, incident.severity);
    }
    for (const incident of openIncidents) {
      if (incident.status === 'containing') {
        // The containment run was cut short; its steps are in the audit log. Do not run actions twice.
        this.track(
          this.mutate(incident.incident_id, (live) =>
            applyTransition(live, 'investigating', {
              at: this.clock(),
              by: SYSTEM_ACTOR,
              reason: 'containment was interrupted by a restart (see the audit log)',
            }),
          ),
        );
      } else if (incident.status === 'detected' || incident.status === 'assessing') {
        this.scheduleContainment(incident.incident_id);
      }
    }
  }

  /**
   * Writes what the engine (or the workflow) changed, with the notifications and post-mortems the changes call for,
   * in one transaction; resolves once durable. Schedules containment for incidents that need it.
   */
  persist(result: IngestResult): Promise<void> {
    let outbox: OutboxItem[] | undefined;
    let postmortems: StoredPostmortem[] | undefined;
    let updates: PendingUpdate[] | undefined;
    /** What lastSeen held before this call, to put back when the write fails (its notifications were not written). */
    let previous: Array<[string, Incident | undefined, Severity | undefined]> | undefined;
    const now = this.clock();
    for (const incident of result.incidents) {
      const id = incident.incident_id;
      const before = this.lastSeen.get(id);
      (previous ??= []).push([id, before, this.peakSeverity.get(id)]);
      if (this.watchers.size > 0) (updates ??= []).push(classifyUpdate(before, incident));
      this.countState(incident);
      const kinds = changesBetween(before, incident);
      const previousPeak = this.peakSeverity.get(id) ?? before?.severity ?? incident.severity;
      const peak = SEVERITY_RANK[incident.severity] > SEVERITY_RANK[previousPeak] ? incident.severity : previousPeak;
      if (kinds.length > 0) {
        const incidentJson = incidentToJson(incident) as unknown as Record<string, unknown>;
        for (const kind of kinds) {
          const closing = kind === 'acknowledged' || kind === 'resolved';
          const change = { kind, incident, incidentJson, ...(closing ? { routeSeverity: peak } : {}) };
          const items = notificationsFor(change, this.config.exporters, now, this.nextNotificationId);
          if (items.length > 0) (outbox ??= []).push(...items);
        }
      }
      this.logChange(before, incident);
      if (isOpenStatus(incident.status)) {
        this.lastSeen.set(id, incident);
        this.peakSeverity.set(id, peak);
        if (incident.status === 'detected' || incident.status === 'assessing') this.scheduleContainment(id);
      } else {
        // Approval requests of an incident that is over must not linger (or be approved later by mistake).
        if (before !== undefined) this.track(this.responder.withdrawApprovals(incident));
        this.lastSeen.delete(id);
        this.peakSeverity.delete(id);
        (postmortems ??= []).push(this.writePostmortem(incident, now));
      }
      this.unflushed.set(id, incident);
    }
    const written = result.incidents;
    const extras = { ...(outbox ? { outbox } : {}), ...(postmortems ? { postmortems } : {}) };
    return this.committer.submit(result, this.engine.counters(), extras).then(
      () => {
        for (const incident of written) {
          if (this.unflushed.get(incident.incident_id) === incident) this.unflushed.delete(incident.incident_id);
        }
        if (outbox) this.onNotificationsStaged();
        if (updates) for (const watcher of this.watchers) watcher.offer(updates, this.clock());
      },
      (error: unknown) => {
        // Nothing of this call is on disk: the next write of these incidents must derive the same notifications.
        for (const [id, before, peak] of previous ?? []) {
          if (before === undefined) this.lastSeen.delete(id);
          else this.lastSeen.set(id, before);
          if (peak === undefined) this.peakSeverity.delete(id);
          else this.peakSeverity.set(id, peak);
        }
        for (const incident of written) {
          if (this.unflushed.get(incident.incident_id) === incident) this.unflushed.delete(incident.incident_id);
        }
        throw error;
      },
    );
  }

  /** Live updates for `incidents watch` and the TUI: sends each matching change after it is on disk. */
  watch(filter: WatchFilter, send: (update: IncidentUpdateJson) => void): () => void {
    const watcher = new Watcher(filter, send, this.clock);
    this.watchers.add(watcher);
    return () => {
      watcher.close();
      this.watchers.delete(watcher);
    };
  }

  /** The newest state of an incident: the engine's for open ones, else what was last written. A copy. */
  latest(incidentId: string): Incident | undefined {
    const live = this.engine.incident(incidentId);
    if (live !== undefined) return live;
    const pending = this.unflushed.get(incidentId);
    if (pending !== undefined) return cloneIncident(pending);
    const stored = this.store.getIncident(incidentId);
    return stored === undefined ? undefined : cloneIncident(stored);
  }

  // ---- control API -----------------------------------------------------------------------------------------------

  getIncident(incidentId: string, options: GetIncidentOptions): JsonObject | undefined {
    const incident = this.latest(incidentId);
    if (incident === undefined) return undefined;
    const timeline = options.timeline
      ? this.store.timeline(incidentId, options.timelineLimit > 0 ? Math.min(options.timelineLimit, TIMELINE_CAP) : TIMELINE_CAP)
      : undefined;
    const runbook = this.config.remediation.runbooks[incident.incident_type];
    return incidentToJson(incident, {
      ...(timeline ? { timeline } : {}),
      ...(options.postmortem ? { postmortem: this.postmortemOf(incident).markdown } : {}),
      ...(options.audit ? { audit: this.responder.audit(incidentId) } : {}),
      ...(runbook ? { runbook: runbookToJson(runbook) } : {}),
    }) as unknown as JsonObject;
  }

  async createIncident(input: CreateIncidentInput): Promise<JsonObject> {
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
    await this.persist({ events: [], linked: [], incidents: [incident], traceSpans: [] });
    return incidentToJson(this.latest(incident.incident_id) ?? incident) as unknown as JsonObject;
  }

  async updateIncident(input: UpdateIncidentInput): Promise<JsonObject> {
    const actor = actorName(input.actor);
    const status = input.status.toLowerCase();
    if (status !== '' && !(INCIDENT_STATUSES as readonly string[]).includes(status)) {
      throw new BadRequest(`unknown status ${JSON.stringify(input.status)} (known: ${INCIDENT_STATUSES.join(', ')})`);
    }
    const severity = input.severity.toLowerCase();
    if (severity !== '' && !isSeverity(severity)) throw new BadRequest(`unknown severity ${JSON.stringify(input.severity)}`);
    if (input.unassign && input.assigned_to !== '') throw new BadRequest('assigned_to and unassign contradict each other');
    const updated = await this.mutate(input.incident_id, (incident, at) => {
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
    return incidentToJson(updated) as unknown as JsonObject;
  }

  async resolveIncident(incidentId: string, actorInput: string, notes: string): Promise<JsonObject> {
    const actor = actorName(actorInput);
    const updated = await this.mutate(incidentId, (incident, at) => {
      if (notes.trim() !== '') addNote(incident, notes, { at, by: actor });
      applyTransition(incident, 'resolved', { at, by: actor, reason: notes.trim() });
    });
    return incidentToJson(updated) as unknown as JsonObject;
  }

  async closeIncident(incidentId: string, actorInput: string, notes: string): Promise<JsonObject> {
    const actor = actorName(actorInput);
    const updated = await this.mutate(incidentId, (incident, at) => {
      applyTransition(incident, 'closed', { at, by: actor, reason: notes.trim() === '' ? `closed by ${actor}` : notes.trim() });
      if (notes.trim() !== '') addNote(incident, notes, { at, by: actor });
    });
    return incidentToJson(updated) as unknown as JsonObject;
  }

  /** Adds a note to an incident (any status but closed-and-gone), as `actorInput`. */
  async note(incidentId: string, actorInput: string, text: string): Promise<void> {
    const actor = actorName(actorInput);
    await this.mutate(incidentId, (incident, at) => addNote(incident, text, { at, by: actor }));
  }

  listActions(incidentId: string): { actions: JsonObject[]; manual_steps: string[] } {
    const incident = this.latest(incidentId);
    if (incident === undefined) throw new NotFound(`incident ${incidentId} not found`);
    return {
      actions: this.responder.recommendations(incident).map((view) => ({
        action_id: view.action_id,
        description: view.description,
        risk: view.risk,
        effect: view.effect === 'not configured' ? '' : view.effect,
        status: view.status,
        recommended: view.recommended,
        approvers: view.approvers,
      })),
      manual_steps: [...this.responder.manualSteps(incident)],
    };
  }

  async mitigate(input: MitigateInput): Promise<JsonObject> {
    const actor = actorName(input.actor);
    const incident = this.latest(input.incident_id);
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
    let current: Incident | undefined = this.latest(input.incident_id);
    if (outcome.status !== 'dry_run' && current !== undefined) {
      current = await this.mutate(input.incident_id, (live, at) => {
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

  timeline(query: TimelineQuery): JsonObject {
    const incident = this.latest(query.incident_id);
    if (incident === undefined) throw new NotFound(`incident ${query.incident_id} not found`);
    const entries: JsonObject[] = [];
    for (const event of this.store.timeline(incident.incident_id, TIMELINE_CAP)) {
      entries.push({
        at: isoTime(event.timestamp),
        kind: 'event',
        severity: event.severity,
        source: event.source,
        text: event.message,
        event_type: event.event_type,
        event_id: event.event_id,
        trace_id: event.correlation_id,
        sort: event.timestamp,
      });
    }
    for (const change of incident.status_history ?? []) {
      entries.push({
        at: isoTime(change.at),
        kind: 'status',
        severity: '',
        source: change.by,
        text: `${change.from === null ? change.to : `${change.from} → ${change.to}`}${change.reason ? ` (${change.reason})` : ''}`,
        event_type: '',
        event_id: '',
        trace_id: '',
        sort: change.at,
      });
    }
    for (const note of incident.notes) {
      const parsed = parseNote(note);
      const at = parsed?.at ?? incident.detected_at;
      entries.push({
        at: isoTime(at),
        kind: 'note',
        severity: '',
        source: parsed?.by ?? '',
        text: parsed?.text ?? note,
        event_type: '',
        event_id: '',
        trace_id: '',
        sort: at,
      });
    }
    for (const entry of this.responder.audit(incident.incident_id)) {
      entries.push({
        at: isoTime(entry.at),
        kind: 'action',
        severity: '',
        source: entry.actor,
        text: `${entry.action_id} ${entry.kind}${entry.approved_by ? ` (approved by ${entry.approved_by})` : ''}: ${entry.detail}`,
        event_type: '',
        event_id: '',
        trace_id: '',
        sort: entry.at,
      });
    }
    entries.sort((a, b) => (a.sort as number) - (b.sort as number));
    const total = entries.length;
    const typeFilter = query.event_type.toLowerCase();
    let kept = entries.filter(
      (entry) =>
        entry.kind !== 'event' ||
        ((typeFilter === '' || String(entry.event_type).toLowerCase().includes(typeFilter)) &&
          (query.source === '' || entry.source === query.source)),
    );
    if (query.limit > 0 && kept.length > query.limit) kept = kept.slice(kept.length - query.limit);
    return { entries: kept.map(({ sort: _sort, ...entry }) => entry), total };
  }

  postmortem(incidentId: string): JsonObject {
    const incident = this.latest(incidentId);
    if (incident === undefined) throw new NotFound(`incident ${incidentId} not found`);
    const postmortem = this.postmortemOf(incident);
    return { markdown: postmortem.markdown, draft: isOpenStatus(incident.status), generated_at: isoTime(postmortem.generated_at) };
  }

  // ---- periodic work -----------------------------------------------------------------------------------------------

  /** Pending approvals past their TTL become expired (audited by the responder). */
  async expireApprovals(): Promise<AuditEntry[]> {
    return this.responder.expireApprovals();
  }

  /** Waits for containment runs and workflow writes in progress (shutdown). */
  async idle(): Promise<void> {
    this.stopped = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.responder.idle();
  }

  // ---- internals ---------------------------------------------------------------------------------------------------

  /**
   * Applies `change` to a copy of the newest state (all of it or, when it throws WorkflowError, none of it), hands it
   * to the engine and persists it. Resolves with the state written.
   */
  private async mutate(incidentId: string, change: (incident: Incident, at: number) => void): Promise<Incident> {
    const incident = this.latest(incidentId);
    if (incident === undefined) throw new NotFound(`incident ${incidentId} not found`);
    const at = this.clock();
    try {
      change(incident, at);
    } catch (error) {
      if (error instanceof WorkflowError) throw new RequestRefused(error.message);
      throw error;
    }
    incident.updated_at = at;
    this.engine.updateIncident(incident);
    const saved = this.engine.incident(incidentId) ?? incident;
    await this.persist({ events: [], linked: [], incidents: [saved], traceSpans: [] });
    return saved;
  }

  private scheduleContainment(incidentId: string): void {
    if (this.stopped || this.containing.has(incidentId)) return;
    this.containing.add(incidentId);
    // After the current call: the change that opened the incident is persisted first.
    this.track(
      Promise.resolve()
        .then(() => this.contain(incidentId))
        .catch((error: unknown) =>
          this.log.error('containment failed', { incident_id: incidentId, error: (error as Error).message }),
        )
        .finally(() => this.containing.delete(incidentId)),
    );
  }

  /** Assessment is done (root cause computed): containment runs the safe actions, then investigation begins. */
  private async contain(incidentId: string): Promise<void> {
    const remediation = this.config.remediation;
    const start = this.latest(incidentId);
    if (start === undefined || (start.status !== 'detected' && start.status !== 'assessing')) return;
    await this.mutate(incidentId, (incident, at) => {
      if (incident.status === 'detected') {
        applyTransition(incident, 'assessing', { at, by: SYSTEM_ACTOR, reason: 'assessed from the fields it was opened with' });
      }
      applyTransition(incident, 'containing', {
        at,
        by: SYSTEM_ACTOR,
        reason: remediation.auto_remediate ? 'running the safe recommended actions' : 'automatic remediation is off',
      });
    });
    const current = this.latest(incidentId);
    if (current === undefined || current.status !== 'containing') return;
    // With auto_remediate off the responder still recommends and asks for approvals; it only runs nothing by itself.
    let outcome: Awaited<ReturnType<Responder['contain']>> | undefined;
    let failure = '';
    try {
      outcome = await this.responder.contain(current);
    } catch (error) {
      // Never leave an incident in `containing`: say what failed and move on to investigation.
      failure = (error as Error).message;
      this.log.error('containment failed', { incident_id: incidentId, error: failure });
    }
    const ran = outcome?.actions.filter((action) => action.status !== 'recommended' && action.status !== 'approval_requested') ?? [];
    const waiting = outcome?.actions.filter((action) => action.status === 'approval_requested').length ?? 0;
    const after = await this.mutate(incidentId, (incident, at) => {
      for (const action of outcome?.actions ?? []) pushAction(incident, action);
      if (incident.status !== 'containing') return; // someone (or recovery) moved it on meanwhile
      const parts = failure
        ? [`containment failed: ${failure}`]
        : [
            ran.length === 0 ? 'no safe action ran' : ran.map((action) => `${action.action_id} ${action.status}`).join(', '),
            ...(waiting > 0 ? [`${waiting} action(s) await approval`] : []),
          ];
      applyTransition(incident, 'investigating', { at, by: SYSTEM_ACTOR, reason: failure ? parts[0]! : `containment done: ${parts.join('; ')}` });
    });
    // Resolved while its actions ran: the approval requests containment just filed must not linger.
    if (!isOpenStatus(after.status)) await this.responder.withdrawApprovals(after);
  }

  private writePostmortem(incident: Incident, now: number, draft = false): StoredPostmortem {
    const timeline = this.store.timeline(incident.incident_id, TIMELINE_CAP);
    const runbook = this.config.remediation.runbooks[incident.incident_type];
    const markdown = renderPostmortem({
      incident,
      timeline,
      timelineTotal: Math.max(incident.event_count, timeline.length),
      audit: this.responder.audit(incident.incident_id),
      ...(runbook ? { runbook } : {}),
      generatedAt: now,
      ...(draft ? { draft } : {}),
    });
    return { incident_id: incident.incident_id, markdown, generated_at: now };
  }

  /** The stored post-mortem of a resolved incident; for an open one, a draft rendered now (not stored). */
  private postmortemOf(incident: Incident): StoredPostmortem {
    if (isOpenStatus(incident.status)) return this.writePostmortem(incident, this.clock(), true);
    return this.store.postmortem(incident.incident_id) ?? this.writePostmortem(incident, this.clock());
  }

  private logChange(before: Incident | undefined, after: Incident): void {
    if (before === undefined) {
      if (!isOpenStatus(after.status)) return;
      this.log.info('incident opened', {
        incident_id: after.incident_id,
        type: after.incident_type,
        severity: after.severity,
        primary_source: after.root_cause.primary_source,
        title: after.title,
        components: after.affected_components.join(','),
        events: after.event_count,
      });
      return;
    }
    if (before.incident_type !== after.incident_type) {
      // A stronger reading of its events (engine/retype.ts): say what it is now, as `incident opened` would.
      this.log.info('incident retyped', {
        incident_id: after.incident_id,
        type: after.incident_type,
        was: before.incident_type,
        severity: after.severity,
        primary_source: after.root_cause.primary_source,
        title: after.title,
      });
    }
    if (before.status !== after.status) {
      const last = after.status_history?.at(-1);
      this.log.info('incident status', {
        incident_id: after.incident_id,
        from: before.status,
        to: after.status,
        by: last?.by ?? SYSTEM_ACTOR,
      });
    }
    if (before.severity !== after.severity) {
      this.log.info('incident severity', { incident_id: after.incident_id, from: before.severity, to: after.severity });
    }
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.log.error('workflow step failed', { error: (error as Error).message }));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}

interface PendingUpdate {
  kind: 'opened' | 'changed' | 'resolved' | 'closed';
  incident: Incident;
  summary: string;
  /** Only the event count (and what follows from events) moved: coalesced for watchers. */
  minor: boolean;
  /** The incident's contract JSON, made once for all watchers (on first send). */
  json?: JsonObject;
}

function classifyUpdate(before: Incident | undefined, after: Incident): PendingUpdate {
  const open = isOpenStatus(after.status);
  if (before === undefined) {
    if (open) {
      const opener = after.status_history?.[0]?.by;
      const summary =
        after.event_count === 0 && opener !== undefined && opener !== SYSTEM_ACTOR
          ? `opened by ${opener}`
          : `${after.event_count} events from ${after.affected_components.join(', ') || 'no component yet'}`;
      return { kind: 'opened', incident: after, summary, minor: false };
    }
    return { kind: after.status === 'closed' ? 'closed' : 'changed', incident: after, summary: after.status === 'closed' ? 'closed' : 'updated', minor: false };
  }
  const parts: string[] = [];
  if (before.status !== after.status) parts.push(`status ${before.status} → ${after.status}`);
  if (before.severity !== after.severity) parts.push(`severity ${before.severity} → ${after.severity}`);
  if (before.assigned_to !== after.assigned_to) parts.push(after.assigned_to === null ? 'unassigned' : `assigned to ${after.assigned_to}`);
  if (before.acknowledged_at === null && after.acknowledged_at !== null) parts.push(`acknowledged by ${after.acknowledged_by ?? '?'}`);
  if (after.notes.length > before.notes.length) parts.push('note added');
  if (after.actions.length > before.actions.length) parts.push(`action ${after.actions.at(-1)?.action_id ?? ''} ${after.actions.at(-1)?.status ?? ''}`.trim());
  const minor = parts.length === 0;
  if (after.event_count > before.event_count) parts.push(`+${after.event_count - before.event_count} events (${after.event_count})`);
  const kind = after.status === 'resolved' && before.status !== 'resolved' ? 'resolved' : after.status === 'closed' ? 'closed' : 'changed';
  return { kind, incident: after, summary: parts.join(', ') || 'updated', minor };
}

/** One watch stream: filters, and coalesces event-count-only changes per incident. */
class Watcher {
  /** incident id → the latest minor update not sent yet, and the events it adds up to. */
  private readonly held = new Map<string, PendingUpdate>();
  private readonly lastSent = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly filter: WatchFilter,
    private readonly send: (update: IncidentUpdateJson) => void,
    private readonly clock: () => number,
  ) {}

  offer(updates: readonly PendingUpdate[], now: number): void {
    for (const update of updates) {
      const incident = update.incident;
      if (this.filter.incident_id !== '' && incident.incident_id !== this.filter.incident_id) continue;
      if (this.filter.severities.length > 0 && !this.filter.severities.includes(incident.severity)) continue;
      const id = incident.incident_id;
      if (update.minor && now - (this.lastSent.get(id) ?? 0) < WATCH_COALESCE_MS) {
        this.held.set(id, update);
        this.timer ??= setTimeout(() => this.flush(), WATCH_COALESCE_MS).unref();
        continue;
      }
      this.held.delete(id);
      this.emit(update, now);
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.held.clear();
  }

  private flush(): void {
    this.timer = undefined;
    const now = this.clock();
    for (const update of this.held.values()) {
      this.emit({ ...update, summary: `${update.incident.event_count} events` }, now);
    }
    this.held.clear();
  }

  private emit(update: PendingUpdate, now: number): void {
    if (this.closed) return;
    this.lastSent.set(update.incident.incident_id, now);
    if (this.lastSent.size > 10_000) this.lastSent.clear();
    update.json ??= incidentToJson(update.incident) as unknown as JsonObject;
    this.send({ kind: update.kind, at: isoTime(now), incident: update.json, summary: update.summary });
  }
}

function pushAction(incident: Incident, action: IncidentAction): void {
  incident.actions.push({ ...action });
  if (incident.actions.length > MAX_INCIDENT_ACTIONS) incident.actions.splice(0, incident.actions.length - MAX_INCIDENT_ACTIONS);
}

/** Who is asking: a person's name (workflow.ts's rules), never the daemon's own. */
function actorName(raw: string): string {
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
