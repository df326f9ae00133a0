// What the control API reads: incidents (open ones from the engine, the rest from the store), one incident with its
// timeline, audit log, post-mortem and runbook, the merged timeline, the actions that apply, statistics and component
// health. Answers in contract JSON (api/); nothing here changes anything.

import type { ActionListJson, IncidentJson, PostmortemJson, TimelineEntryJson, TimelineJson } from '../api/incident.js';
import type { ComponentsJson } from '../api/component.js';
import type { StatsJson } from '../api/stats.js';
import { isoTime } from '../common/time.js';
import type { Responder } from '../respond/responder.js';
import { incidentMatcher, type IncidentFilter, type IncidentPage, type LmdbStore } from '../store/lmdb-store.js';
import { NotFound, type IncidentDetailQuery, type IncidentListQuery, type TimelineQuery } from '../control/backend.js';
import { incidentToJson } from './api-json.js';
import { COMPONENT_WINDOW_SECONDS, componentHealth } from './components.js';
import type { Config } from './config.js';
import type { IncidentWriter } from './incident-writer.js';
import { TIMELINE_CAP, type Postmortems } from './postmortems.js';
import { INCIDENT_STATUSES, computeStats, isOpenStatus, mergeTimeline, runbookToJson, type Engine, type IncidentStatus, type TimelineItem } from '../engine/index.js';

export class IncidentQueries {
  constructor(
    private readonly config: Config,
    private readonly engine: Engine,
    private readonly store: LmdbStore,
    private readonly writer: IncidentWriter,
    private readonly responder: Responder,
    private readonly postmortems: Postmortems,
    private readonly clock: () => number,
  ) {}

  list(query: IncidentListQuery): { incidents: IncidentJson[]; total_matched: number } {
    const filter: IncidentFilter = {
      statuses: query.statuses,
      severities: query.severities,
      types: query.types,
      components: query.components,
      ...(query.sinceMs !== undefined ? { sinceMs: query.sinceMs } : {}),
      limit: query.limit,
    };
    // Open incidents all live in the engine (and are fresher there): `--status active` never scans the history.
    const openOnly = query.statuses.length > 0 && query.statuses.every((status) => status === 'active' || isOpenStatusName(status));
    const page = openOnly ? this.listOpen(filter) : this.store.listIncidents(filter);
    return { incidents: page.incidents.map((incident) => incidentToJson(incident)), total_matched: page.totalMatched };
  }

  /** store.listIncidents' filter over the engine's open incidents, newest first. */
  private listOpen(filter: IncidentFilter): IncidentPage {
    const found = this.engine.findOpenIncidents(incidentMatcher(filter) ?? (() => true), filter.limit ?? 0);
    return { incidents: found.incidents, totalMatched: found.total };
  }

  get(incidentId: string, query: IncidentDetailQuery): IncidentJson | undefined {
    const incident = this.writer.latest(incidentId);
    if (incident === undefined) return undefined;
    const timeline = query.timeline
      ? this.store.timeline(incidentId, query.timelineLimit > 0 ? Math.min(query.timelineLimit, TIMELINE_CAP) : TIMELINE_CAP)
      : undefined;
    const runbook = this.config.remediation.runbooks[incident.incident_type];
    return incidentToJson(incident, {
      ...(timeline ? { timeline } : {}),
      ...(query.postmortem ? { postmortem: this.postmortems.of(incident).markdown } : {}),
      ...(query.audit ? { audit: this.responder.audit(incidentId) } : {}),
      ...(runbook ? { runbook: runbookToJson(runbook) } : {}),
    });
  }

  actions(incidentId: string): ActionListJson {
    const incident = this.writer.latest(incidentId);
    if (incident === undefined) throw new NotFound(`incident ${incidentId} not found`);
    return {
      incident_id: incidentId,
      actions: this.responder.recommendations(incident).map((view) => ({
        action_id: view.action_id,
        description: view.description,
        risk: view.risk,
        effect: view.effect === 'not configured' ? null : view.effect,
        status: view.status,
        recommended: view.recommended,
        approvers: view.approvers,
      })),
      manual_steps: [...this.responder.manualSteps(incident)],
    };
  }

  /** Events, status changes, notes and remediation steps, oldest first (engine/timeline.ts merges them). */
  timeline(query: TimelineQuery): TimelineJson {
    const incident = this.writer.latest(query.incident_id);
    if (incident === undefined) throw new NotFound(`incident ${query.incident_id} not found`);
    const items = mergeTimeline({
      events: this.store.timeline(incident.incident_id, TIMELINE_CAP),
      statusHistory: incident.status_history ?? [],
      notes: incident.notes,
      noteFallbackAt: incident.detected_at,
      audit: this.responder.audit(incident.incident_id),
    });
    const typeFilter = query.event_type.toLowerCase();
    let kept = items.filter(
      (item) =>
        item.kind !== 'event' ||
        ((typeFilter === '' || item.event.event_type.toLowerCase().includes(typeFilter)) && (query.source === '' || item.event.source === query.source)),
    );
    if (query.limit > 0 && kept.length > query.limit) kept = kept.slice(kept.length - query.limit);
    return { incident_id: incident.incident_id, entries: kept.map(timelineEntryJson), total: items.length };
  }

  postmortem(incidentId: string): PostmortemJson {
    const incident = this.writer.latest(incidentId);
    if (incident === undefined) throw new NotFound(`incident ${incidentId} not found`);
    const postmortem = this.postmortems.of(incident);
    return {
      incident_id: incidentId,
      markdown: postmortem.markdown,
      draft: isOpenStatus(incident.status),
      generated_at: isoTime(postmortem.generated_at) ?? '',
    };
  }

  stats(sinceMs: number | undefined): StatsJson {
    const stats = computeStats(this.store.listIncidents(sinceMs === undefined ? {} : { sinceMs }).incidents, {
      now: this.clock(),
      ...(sinceMs !== undefined ? { sinceMs } : {}),
    });
    // Key order: the incident figures, then the outbox's, then `since`.
    const { since, ...figures } = stats;
    return { ...figures, dead_letters: this.store.outbox.deadLetterCount(), since } as StatsJson;
  }

  components(sinceMs: number | undefined): ComponentsJson {
    return componentHealth(
      this.engine.serviceActivity(COMPONENT_WINDOW_SECONDS * 1000),
      this.engine.openIncidents(),
      COMPONENT_WINDOW_SECONDS,
      sinceMs === undefined ? {} : { sinceMs },
    );
  }
}

function isOpenStatusName(status: string): boolean {
  return (INCIDENT_STATUSES as readonly string[]).includes(status) && isOpenStatus(status as IncidentStatus);
}

function timelineEntryJson(item: TimelineItem): TimelineEntryJson {
  const at = isoTime(item.at);
  switch (item.kind) {
    case 'event': {
      const event = item.event;
      return {
        at,
        kind: 'event',
        severity: event.severity,
        source: event.source,
        text: event.message,
        event_type: event.event_type,
        event_id: event.event_id,
        trace_id: event.correlation_id === '' ? null : event.correlation_id,
      };
    }
    case 'status': {
      const change = item.change;
      const step = change.from === null ? change.to : `${change.from} → ${change.to}`;
      return { at, kind: 'status', severity: null, source: change.by, text: `${step}${change.reason ? ` (${change.reason})` : ''}`, event_type: null, event_id: null, trace_id: null };
    }
    case 'note':
      return { at, kind: 'note', severity: null, source: item.by, text: item.text, event_type: null, event_id: null, trace_id: null };
    case 'action': {
      const entry = item.entry;
      return {
        at,
        kind: 'action',
        severity: null,
        source: entry.actor,
        text: `${entry.action_id} ${entry.kind}${entry.approved_by ? ` (approved by ${entry.approved_by})` : ''}: ${entry.detail}`,
        event_type: null,
        event_id: null,
        trace_id: null,
      };
    }
  }
}
