// Engine → contract (api/): the JSON of DESIGN.md ("Events and incidents", "Rules") that `--format json`, the control
// API, the web page and the webhooks carry. Internal values are epoch-ms numbers; here every time becomes an
// ISO-8601 UTC string (`2025-02-05T10:30:00.000Z`; null stays null) and keys come out in DESIGN.md's order.
//
// Decisions on fields beyond DESIGN.md's lists:
// - events: `seq` and `received_at` are internal (storage key, arrival clock) and left out; `incident_id` is kept
//   (null when the event belongs to none): `firewatch trace` uses it to point at the incident. Empty
//   `correlation_id` / `span_id` become null ("when known").
// - incidents: `group_key` is internal (the window key; usually equals the first affected component) and left out,
//   as are `users_sketch` (the distinct-user counter behind users_affected) and `group_aliases` (correlation's
//   detection groups); `users_affected` and `similar_incidents` follow `root_cause` (the control API's order);
//   `root_cause.root_span` appears once a root span is known, with `caller` when the failure lies at its span's peer
//   and `peer` when the span is a call (what it called);
//   `rule_id` (null for hand-made incidents), `last_event_at` and `updated_at` are kept, after the contract's keys.
//   `timeline` and `postmortem` appear only when asked for (`--timeline`, `--postmortem`, `--full`).
// - rules: all fields, including `builtin`.
// Enum values (severity, status, incident_type) are lowercase already; they are written as they are.

import type {
  AuditEntryJson,
  EventJson,
  IncidentActionJson,
  IncidentJson,
  RootCauseJson,
  RuleJson,
} from '../api/index.js';
import { isoTime } from '../common/time.js';
import type {
  AuditEntry,
  DetectionRule,
  Incident,
  IncidentAction,
  IncidentEvent,
  MetadataValue,
  RootCause,
  RootSpan,
} from '../engine/index.js';
import { isAcknowledged } from '../engine/index.js';

export interface IncidentJsonOptions {
  /** The incident's events; printed oldest first (by event time, then seq). */
  timeline?: readonly IncidentEvent[];
  /** The post-mortem markdown (null when none was generated yet). */
  postmortem?: string | null;
  /** The remediation audit log entries of the incident. */
  audit?: readonly AuditEntry[];
  runbook?: { steps: string[]; links: { title: string; url: string }[] };
}

function orNull(value: string): string | null {
  return value === '' ? null : value;
}

export function eventToJson(event: IncidentEvent): EventJson {
  return {
    event_id: event.event_id,
    timestamp: isoTime(event.timestamp),
    event_type: event.event_type,
    source: event.source,
    severity: event.severity,
    message: event.message,
    metadata: { ...event.metadata },
    correlation_id: orNull(event.correlation_id),
    span_id: orNull(event.span_id),
    incident_id: orNull(event.incident_id),
  };
}

function copyCounts(record: Record<string, number>): Record<string, number> {
  // defineProperty: a key named `__proto__` (untrusted telemetry) must stay a key, not become a prototype.
  const copy: Record<string, number> = {};
  for (const key of Object.keys(record)) {
    Object.defineProperty(copy, key, { value: record[key], enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

function rootCauseToJson(rootCause: RootCause): RootCauseJson {
  const json: RootCauseJson = {
    primary_error_type: rootCause.primary_error_type,
    primary_source: rootCause.primary_source,
    error_distribution: copyCounts(rootCause.error_distribution),
    source_distribution: copyCounts(rootCause.source_distribution),
  };
  if (rootCause.root_span !== undefined) {
    const span: RootSpan = rootCause.root_span;
    json.root_span = {
      service: span.service,
      span_name: span.span_name,
      span_id: span.span_id,
      trace_id: span.trace_id,
      status_message: span.status_message,
      exception_type: span.exception_type,
    };
    if (span.caller !== undefined) json.root_span.caller = span.caller;
    if (span.peer !== undefined) json.root_span.peer = span.peer;
  }
  return json;
}

function actionToJson(action: IncidentAction): IncidentActionJson {
  return {
    action_id: action.action_id,
    status: action.status,
    result: action.result,
    approved_by: action.approved_by,
    at: isoTime(action.at),
  };
}

function byEventTime(a: IncidentEvent, b: IncidentEvent): number {
  return a.timestamp - b.timestamp || a.seq - b.seq;
}

export function incidentToJson(incident: Incident, options: IncidentJsonOptions = {}): IncidentJson {
  // Optional keys sit between trace_ids and notes, DESIGN.md's order; spreading keeps that order.
  const optional: Pick<IncidentJson, 'timeline' | 'postmortem'> = {};
  if (options.timeline !== undefined) optional.timeline = [...options.timeline].sort(byEventTime).map(eventToJson);
  if (options.postmortem !== undefined) optional.postmortem = options.postmortem;
  return {
    incident_id: incident.incident_id,
    incident_type: incident.incident_type,
    severity: incident.severity,
    status: incident.status,
    title: incident.title,
    description: incident.description,
    detected_at: isoTime(incident.detected_at),
    first_event_at: isoTime(incident.first_event_at),
    acknowledged_at: isoTime(incident.acknowledged_at),
    resolved_at: isoTime(incident.resolved_at),
    closed_at: isoTime(incident.closed_at),
    affected_components: [...incident.affected_components],
    event_count: incident.event_count,
    assigned_to: incident.assigned_to,
    mttd: incident.mttd,
    mttr: incident.mttr,
    root_cause: rootCauseToJson(incident.root_cause),
    users_affected: incident.users_affected ?? 0, // incidents stored before the field existed lack it
    similar_incidents: (incident.similar_incidents ?? []).map((similar) => ({
      incident_id: similar.incident_id,
      resolution: similar.resolution,
    })),
    trace_ids: [...incident.trace_ids],
    ...optional,
    notes: [...incident.notes],
    actions: incident.actions.map(actionToJson),
    rule_id: orNull(incident.rule_id),
    last_event_at: isoTime(incident.last_event_at),
    updated_at: isoTime(incident.updated_at),
    status_history: (incident.status_history ?? []).map((change) => ({
      at: isoTime(change.at),
      from: change.from,
      to: change.to,
      by: change.by,
      reason: change.reason,
    })),
    acknowledged_by: incident.acknowledged_by ?? null,
    acknowledged: isAcknowledged(incident),
    auto_resolved: incident.auto_resolved ?? false,
    resolution: orNull(incident.resolution ?? ''),
    peak_error_rate: incident.peak_error_rate ?? null,
    silenced_by: incident.silenced_by ?? null, // incidents stored before silences existed lack it
    related_incidents: [...(incident.related_incidents ?? [])],
    ...(options.audit !== undefined ? { audit: options.audit.map(auditEntryToJson) } : {}),
    ...(options.runbook !== undefined ? { runbook: { steps: [...options.runbook.steps], links: options.runbook.links.map((l) => ({ ...l })) } } : {}),
  };
}

export function auditEntryToJson(entry: AuditEntry): AuditEntryJson {
  return {
    seq: entry.seq,
    at: isoTime(entry.at),
    incident_id: entry.incident_id,
    action_id: entry.action_id,
    kind: entry.kind,
    actor: entry.actor,
    risk: entry.risk,
    approved_by: entry.approved_by,
    detail: entry.detail,
  };
}

export function ruleToJson(rule: DetectionRule): RuleJson {
  const match: RuleJson['match'] = { event_types: [...rule.match.event_types] };
  if (rule.match.min_severity !== undefined) match.min_severity = rule.match.min_severity;
  if (rule.match.source_pattern !== undefined) match.source_pattern = rule.match.source_pattern;
  if (rule.match.other_errors !== undefined) match.other_errors = rule.match.other_errors;
  if (rule.match.attributes !== undefined) {
    const attributes: Record<string, MetadataValue> = {};
    for (const [key, value] of Object.entries(rule.match.attributes)) {
      Object.defineProperty(attributes, key, { value, enumerable: true, writable: true, configurable: true });
    }
    match.attributes = attributes;
  }
  return {
    rule_id: rule.rule_id,
    name: rule.name,
    description: rule.description,
    incident_type: rule.incident_type,
    severity: rule.severity,
    error_threshold: rule.error_threshold,
    time_window_seconds: rule.time_window_seconds,
    check_interval_seconds: rule.check_interval_seconds,
    require_consecutive: rule.require_consecutive,
    min_components_affected: rule.min_components_affected,
    enabled: rule.enabled,
    match,
    group_by: rule.group_by,
    builtin: rule.builtin,
  };
}
