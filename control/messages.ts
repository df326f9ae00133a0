// Contract JSON (api/) ⇄ control API messages (proto/firewatch/control/v1/control.proto).
//
// The messages mirror the JSON contract field for field, so the mapping is small: JSON `null` becomes an unset proto3
// `optional` (or an empty string), event `metadata` and rule `match.attributes` travel as JSON text, and a list that
// is present only when asked for (a timeline, an audit log, a snapshot) is marked by a `has_…` flag. Decoding is
// defensive: a field the peer left out gets the contract's empty value, never `undefined`.

import type {
  ActionListJson,
  AuditEntryJson,
  EventJson,
  IncidentJson,
  Metadata,
  MitigateResultJson,
  PostmortemJson,
  RootCauseJson,
  TimelineJson,
} from '../api/incident.js';
import type { ComponentJson, ComponentsJson } from '../api/component.js';
import type { RuleChangeJson, RuleDraft, RuleJson, RuleMatchJson, TestRuleResult } from '../api/rule.js';
import type { NotificationJson } from '../api/notification.js';
import type { SilenceJson } from '../api/silence.js';
import type { StatsJson } from '../api/stats.js';
import type { DaemonStatusJson } from '../api/status.js';
import type { SpanJson, TraceJson } from '../api/trace.js';
import type { IncidentUpdate, WatchMessage } from '../api/update.js';
import { SEVERITIES } from '../api/vocabulary.js';

/** A message as protobufjs reads and writes it (keepCase, longs as numbers, enums as strings, defaults). */
export type Wire = Record<string, unknown>;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const nullableText = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const num = (value: unknown): number => (value === undefined || value === null ? 0 : Number(value));
const nullableNum = (value: unknown): number | null => (value === undefined || value === null ? null : Number(value));
const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
const strings = (value: unknown): string[] => list<unknown>(value).map(String);

/** Keys of a wire map whose values are counts; biggest first (map fields arrive in no particular order). */
function sortedCounts(raw: unknown): Record<string, number> {
  const entries = Object.entries((raw ?? {}) as Record<string, unknown>).map(([key, value]) => [key, Number(value)] as const);
  entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const counts: Record<string, number> = {};
  // defineProperty: a key named `__proto__` (untrusted telemetry) must stay a key.
  for (const [key, value] of entries) Object.defineProperty(counts, key, { value, enumerable: true, writable: true, configurable: true });
  return counts;
}

function parseJsonObject(raw: unknown): Record<string, never> | Metadata {
  if (typeof raw !== 'string' || raw === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Metadata) : {};
  } catch {
    return {};
  }
}

/** Drops null and undefined values: they become unset fields. */
function defined(object: Record<string, unknown>): Wire {
  const wire: Wire = {};
  for (const [key, value] of Object.entries(object)) if (value !== null && value !== undefined) wire[key] = value;
  return wire;
}

// ── events ──────────────────────────────────────────────────────────────────────────────────────────────────────

export function eventToWire(event: EventJson): Wire {
  const { metadata, ...rest } = event;
  return { ...defined(rest), metadata_json: JSON.stringify(metadata ?? {}) };
}

export function eventFromWire(wire: Wire): EventJson {
  return {
    event_id: text(wire.event_id),
    timestamp: nullableText(wire.timestamp),
    event_type: text(wire.event_type),
    source: text(wire.source),
    severity: text(wire.severity) as EventJson['severity'],
    message: text(wire.message),
    metadata: parseJsonObject(wire.metadata_json),
    correlation_id: nullableText(wire.correlation_id),
    span_id: nullableText(wire.span_id),
    incident_id: nullableText(wire.incident_id),
  };
}

// ── incidents ───────────────────────────────────────────────────────────────────────────────────────────────────

export function auditToWire(entry: AuditEntryJson): Wire {
  return defined(entry);
}

export function auditFromWire(wire: Wire): AuditEntryJson {
  return {
    seq: num(wire.seq),
    at: nullableText(wire.at),
    incident_id: text(wire.incident_id),
    action_id: text(wire.action_id),
    kind: text(wire.kind) as AuditEntryJson['kind'],
    actor: text(wire.actor),
    risk: text(wire.risk) as AuditEntryJson['risk'],
    approved_by: nullableText(wire.approved_by),
    detail: text(wire.detail),
  };
}

export function incidentToWire(incident: IncidentJson): Wire {
  const wire: Wire = {};
  for (const [key, value] of Object.entries(incident)) {
    if (value === null || value === undefined) continue; // an unset optional
    switch (key) {
      case 'timeline':
        wire.timeline = (value as EventJson[]).map(eventToWire);
        wire.has_timeline = true;
        break;
      case 'audit':
        wire.audit = (value as AuditEntryJson[]).map(auditToWire);
        wire.has_audit = true;
        break;
      case 'root_cause': {
        const { root_span: rootSpan, ...rest } = value as RootCauseJson;
        wire.root_cause = rootSpan ? { ...rest, root_span: rootSpan } : rest;
        break;
      }
      case 'status_history':
        wire.status_history = (value as IncidentJson['status_history']).map((change) => ({ ...change, from: change.from ?? '', at: change.at ?? '' }));
        break;
      case 'actions':
        wire.actions = (value as IncidentJson['actions']).map((action) => defined(action));
        break;
      default:
        wire[key] = value;
    }
  }
  return wire;
}

/** Incident message → contract JSON, in DESIGN.md's key order. */
export function incidentFromWire(wire: Wire): IncidentJson {
  const rootCause = (wire.root_cause ?? {}) as Wire;
  const rootSpan = rootCause.root_span as Wire | undefined | null;
  const optional: Pick<IncidentJson, 'timeline' | 'postmortem'> = {};
  if (wire.has_timeline) optional.timeline = list<Wire>(wire.timeline).map(eventFromWire);
  if (typeof wire.postmortem === 'string') optional.postmortem = wire.postmortem;
  const json: IncidentJson = {
    incident_id: text(wire.incident_id),
    incident_type: text(wire.incident_type) as IncidentJson['incident_type'],
    severity: text(wire.severity) as IncidentJson['severity'],
    status: text(wire.status) as IncidentJson['status'],
    title: text(wire.title),
    description: text(wire.description),
    detected_at: nullableText(wire.detected_at),
    first_event_at: nullableText(wire.first_event_at),
    acknowledged_at: nullableText(wire.acknowledged_at),
    resolved_at: nullableText(wire.resolved_at),
    closed_at: nullableText(wire.closed_at),
    affected_components: strings(wire.affected_components),
    event_count: num(wire.event_count),
    assigned_to: nullableText(wire.assigned_to),
    mttd: num(wire.mttd),
    mttr: nullableNum(wire.mttr),
    root_cause: {
      primary_error_type: text(rootCause.primary_error_type),
      primary_source: text(rootCause.primary_source),
      error_distribution: sortedCounts(rootCause.error_distribution),
      source_distribution: sortedCounts(rootCause.source_distribution),
      ...(rootSpan
        ? {
            root_span: {
              service: text(rootSpan.service),
              span_name: text(rootSpan.span_name),
              span_id: text(rootSpan.span_id),
              trace_id: text(rootSpan.trace_id),
              status_message: text(rootSpan.status_message),
              exception_type: text(rootSpan.exception_type),
              // proto3 `optional`: set only when the failure lies at the span's peer, and when the span is a call.
              ...(typeof rootSpan.caller === 'string' ? { caller: rootSpan.caller } : {}),
              ...(typeof rootSpan.peer === 'string' ? { peer: rootSpan.peer } : {}),
            },
          }
        : {}),
    },
    users_affected: num(wire.users_affected),
    similar_incidents: list<Wire>(wire.similar_incidents).map((similar) => ({
      incident_id: text(similar.incident_id),
      resolution: text(similar.resolution),
    })),
    trace_ids: strings(wire.trace_ids),
    ...optional, // between trace_ids and notes: DESIGN.md's order
    notes: strings(wire.notes),
    actions: list<Wire>(wire.actions).map((action) => ({
      action_id: text(action.action_id),
      status: text(action.status),
      result: text(action.result),
      approved_by: nullableText(action.approved_by),
      at: nullableText(action.at),
    })),
    rule_id: nullableText(wire.rule_id),
    last_event_at: nullableText(wire.last_event_at),
    updated_at: nullableText(wire.updated_at),
    status_history: list<Wire>(wire.status_history).map((change) => ({
      at: nullableText(change.at),
      from: nullableText(change.from) as IncidentJson['status_history'][number]['from'],
      to: text(change.to) as IncidentJson['status_history'][number]['to'],
      by: text(change.by),
      reason: text(change.reason),
    })),
    acknowledged_by: nullableText(wire.acknowledged_by),
    acknowledged: Boolean(wire.acknowledged),
    auto_resolved: Boolean(wire.auto_resolved),
    resolution: nullableText(wire.resolution),
    peak_error_rate: nullableNum(wire.peak_error_rate),
    silenced_by: nullableText(wire.silenced_by),
    related_incidents: strings(wire.related_incidents),
  };
  if (wire.has_audit) json.audit = list<Wire>(wire.audit).map(auditFromWire);
  if (wire.runbook) {
    const runbook = wire.runbook as Wire;
    json.runbook = {
      steps: strings(runbook.steps),
      links: list<Wire>(runbook.links).map((link) => ({ title: text(link.title), url: text(link.url) })),
    };
  }
  return json;
}

export function timelineFromWire(wire: Wire, incidentId: string): TimelineJson {
  return {
    incident_id: text(wire.incident_id) || incidentId,
    entries: list<Wire>(wire.entries).map((entry) => ({
      at: nullableText(entry.at),
      kind: text(entry.kind) as TimelineJson['entries'][number]['kind'],
      severity: nullableText(entry.severity) as TimelineJson['entries'][number]['severity'],
      source: text(entry.source),
      text: text(entry.text),
      event_type: nullableText(entry.event_type),
      event_id: nullableText(entry.event_id),
      trace_id: nullableText(entry.trace_id),
    })),
    total: num(wire.total),
  };
}

export function timelineToWire(timeline: TimelineJson): Wire {
  return { incident_id: timeline.incident_id, entries: timeline.entries.map((entry) => defined(entry)), total: timeline.total };
}

export function actionsFromWire(wire: Wire, incidentId: string): ActionListJson {
  return {
    incident_id: text(wire.incident_id) || incidentId,
    actions: list<Wire>(wire.actions).map((action) => ({
      action_id: text(action.action_id),
      description: text(action.description),
      risk: text(action.risk) as ActionListJson['actions'][number]['risk'],
      effect: nullableText(action.effect),
      status: text(action.status),
      recommended: Boolean(action.recommended),
      approvers: strings(action.approvers),
    })),
    manual_steps: strings(wire.manual_steps),
  };
}

export function actionsToWire(actions: ActionListJson): Wire {
  return { incident_id: actions.incident_id, actions: actions.actions.map((action) => defined(action)), manual_steps: actions.manual_steps };
}

export function mitigateFromWire(wire: Wire): MitigateResultJson {
  return {
    summary: text(wire.summary),
    outcome: text(wire.outcome) as MitigateResultJson['outcome'],
    audit: list<Wire>(wire.audit).map(auditFromWire),
    incident: incidentFromWire((wire.incident ?? {}) as Wire),
  };
}

export function mitigateToWire(result: MitigateResultJson): Wire {
  return { summary: result.summary, outcome: result.outcome, audit: result.audit.map(auditToWire), incident: incidentToWire(result.incident) };
}

export function postmortemFromWire(wire: Wire, incidentId: string): PostmortemJson {
  return {
    incident_id: text(wire.incident_id) || incidentId,
    markdown: text(wire.markdown),
    draft: Boolean(wire.draft),
    generated_at: text(wire.generated_at),
  };
}

// ── rules ───────────────────────────────────────────────────────────────────────────────────────────────────────

function matchToWire(match: RuleMatchJson): Wire {
  const { attributes, ...rest } = match;
  return { ...defined(rest), ...(attributes !== undefined ? { attributes_json: JSON.stringify(attributes) } : {}) };
}

export function ruleToWire(rule: RuleJson | RuleDraft): Wire {
  const { match, history, ...rest } = rule as RuleJson & { match?: RuleMatchJson };
  return {
    ...defined(rest),
    ...(match !== undefined ? { match: matchToWire(match) } : {}),
    ...(history !== undefined ? { history: history.map((change) => defined(change)) } : {}),
  };
}

export function ruleFromWire(wire: Wire): RuleJson {
  const match = (wire.match ?? {}) as Wire;
  const attributes = parseJsonObject(match.attributes_json);
  const rule: RuleJson = {
    rule_id: text(wire.rule_id),
    name: text(wire.name),
    description: text(wire.description),
    incident_type: text(wire.incident_type) as RuleJson['incident_type'],
    severity: text(wire.severity) as RuleJson['severity'],
    error_threshold: num(wire.error_threshold),
    time_window_seconds: num(wire.time_window_seconds),
    check_interval_seconds: num(wire.check_interval_seconds),
    require_consecutive: Boolean(wire.require_consecutive),
    min_components_affected: num(wire.min_components_affected),
    enabled: Boolean(wire.enabled),
    match: {
      event_types: strings(match.event_types),
      ...(nullableText(match.min_severity) ? { min_severity: text(match.min_severity) as RuleJson['severity'] } : {}),
      ...(nullableText(match.source_pattern) ? { source_pattern: text(match.source_pattern) } : {}),
      ...(match.other_errors !== undefined && match.other_errors !== null ? { other_errors: Boolean(match.other_errors) } : {}),
      ...(match.attributes_json ? { attributes } : {}),
    },
    group_by: text(wire.group_by),
    builtin: Boolean(wire.builtin),
  };
  const history = list<Wire>(wire.history);
  if (history.length > 0) {
    rule.history = history.map(
      (change): RuleChangeJson => ({
        seq: num(change.seq),
        at: nullableText(change.at),
        actor: text(change.actor),
        kind: text(change.kind) as RuleChangeJson['kind'],
        detail: text(change.detail),
      }),
    );
  }
  return rule;
}

/** A CreateRule's rule → a draft: no match given means "inherit the built-in match of the type" (rule-config.ts). */
export function ruleDraftFromWire(wire: Wire): RuleDraft {
  const { builtin: _builtin, history: _history, match, ...rest } = ruleFromWire(wire);
  return wire.match === undefined || wire.match === null ? rest : { ...rest, match };
}

export function testRuleFromWire(wire: Wire, ruleId: string): TestRuleResult {
  return {
    rule_id: text(wire.rule_id) || ruleId,
    would_fire: Boolean(wire.would_fire),
    fired_at: nullableText(wire.fired_at),
    matched_events: num(wire.matched_events),
    events_evaluated: num(wire.events_evaluated),
    reason: text(wire.reason),
    dry_run: Boolean(wire.dry_run),
    incident_ids: strings(wire.incident_ids),
  };
}

// ── stats, components, status, traces ──────────────────────────────────────────────────────────────────────────

export function statsToWire(stats: StatsJson): Wire {
  return defined(stats);
}

export function statsFromWire(wire: Wire): StatsJson {
  const bySeverity = sortedCounts(wire.by_severity);
  return {
    total_incidents: num(wire.total_incidents),
    active_incidents: num(wire.active_incidents),
    resolved_incidents: num(wire.resolved_incidents),
    by_severity: Object.fromEntries([...SEVERITIES].reverse().map((severity) => [severity, bySeverity[severity] ?? 0])) as StatsJson['by_severity'],
    by_type: sortedCounts(wire.by_type),
    avg_mttd_seconds: nullableNum(wire.avg_mttd_seconds),
    avg_mttr_seconds: nullableNum(wire.avg_mttr_seconds),
    p90_mttd_seconds: nullableNum(wire.p90_mttd_seconds),
    p90_mttr_seconds: nullableNum(wire.p90_mttr_seconds),
    auto_resolved: num(wire.auto_resolved),
    manual_resolution: num(wire.manual_resolution),
    recurrence_rate: num(wire.recurrence_rate),
    dead_letters: num(wire.dead_letters),
    since: nullableText(wire.since),
  };
}

export function componentsToWire(components: ComponentsJson): Wire {
  return { window_seconds: components.window_seconds, components: components.components.map((component) => defined(component)) };
}

export function componentsFromWire(wire: Wire): ComponentsJson {
  return {
    window_seconds: num(wire.window_seconds),
    components: list<Wire>(wire.components).map(
      (component): ComponentJson => ({
        component: text(component.component),
        status: text(component.status) as ComponentJson['status'],
        reason: text(component.reason),
        open_incidents: num(component.open_incidents),
        worst_severity: nullableText(component.worst_severity) as ComponentJson['worst_severity'],
        health_percent: num(component.health_percent),
        error_rate: nullableNum(component.error_rate),
        requests_per_minute: num(component.requests_per_minute),
        last_seen: nullableText(component.last_seen),
      }),
    ),
  };
}

export function statusFromWire(wire: Wire): DaemonStatusJson {
  return {
    daemon_id: text(wire.daemon_id),
    version: text(wire.version),
    started_at: text(wire.started_at),
    otlp_grpc_endpoint: text(wire.otlp_grpc_endpoint),
    otlp_http_endpoint: text(wire.otlp_http_endpoint),
    storage_directory: text(wire.storage_directory),
    open_incidents: num(wire.open_incidents),
    incidents_total: num(wire.incidents_total),
    spans_received: num(wire.spans_received),
    spans_rejected: num(wire.spans_rejected),
    log_records_received: num(wire.log_records_received),
    metric_points_received: num(wire.metric_points_received),
    events_accepted: num(wire.events_accepted),
    bad_requests: num(wire.bad_requests),
    seq: num(wire.seq),
  };
}

export function traceToWire(trace: TraceJson): Wire {
  return { ...trace, events: trace.events.map(eventToWire) };
}

export function traceFromWire(wire: Wire): TraceJson {
  return {
    trace_id: text(wire.trace_id),
    services: strings(wire.services),
    incident_ids: strings(wire.incident_ids),
    spans: list<Wire>(wire.spans).map(
      (span): SpanJson => ({
        trace_id: text(span.trace_id),
        span_id: text(span.span_id),
        parent_span_id: text(span.parent_span_id),
        service: text(span.service),
        name: text(span.name),
        kind: (text(span.kind) || 'unspecified') as SpanJson['kind'],
        start: nullableText(span.start),
        end: nullableText(span.end),
        duration_ms: num(span.duration_ms),
        status: (text(span.status) || 'unset') as SpanJson['status'],
        status_message: text(span.status_message),
        exception_type: text(span.exception_type),
        exception_message: text(span.exception_message),
        http_status: num(span.http_status),
        peer: text(span.peer),
        failed: Boolean(span.failed),
        depth: num(span.depth),
        attributes: list<Wire>(span.attributes).map((attribute) => ({ key: text(attribute.key), value: text(attribute.value) })),
        attributes_dropped: num(span.attributes_dropped),
      }),
    ),
    events: list<Wire>(wire.events).map(eventFromWire),
  };
}

// ── the watch stream ────────────────────────────────────────────────────────────────────────────────────────────

function updateToWire(update: IncidentUpdate): Wire {
  return { ...update, at: update.at ?? '', incident: incidentToWire(update.incident) };
}

function updateFromWire(wire: Wire): IncidentUpdate {
  return {
    daemon_id: text(wire.daemon_id),
    seq: num(wire.seq),
    kind: text(wire.kind) as IncidentUpdate['kind'],
    at: nullableText(wire.at),
    incident: incidentFromWire((wire.incident ?? {}) as Wire),
    summary: text(wire.summary),
  };
}

export function watchMessageToWire(message: WatchMessage): Wire {
  if (message.type === 'update') return { update: updateToWire(message.update) };
  const { snapshot, ...sync } = message.sync;
  return {
    sync: {
      ...sync,
      has_snapshot: snapshot !== null,
      snapshot: (snapshot ?? []).map(incidentToWire),
    },
  };
}

/** undefined for a message of a kind this client does not know (a newer daemon): skipped, not fatal. */
export function watchMessageFromWire(wire: Wire): WatchMessage | undefined {
  if (wire.update) return { type: 'update', update: updateFromWire(wire.update as Wire) };
  if (wire.sync) {
    const sync = wire.sync as Wire;
    return {
      type: 'sync',
      sync: {
        daemon_id: text(sync.daemon_id),
        seq: num(sync.seq),
        resumed: Boolean(sync.resumed),
        snapshot: sync.has_snapshot ? list<Wire>(sync.snapshot).map(incidentFromWire) : null,
        reason: text(sync.reason),
      },
    };
  }
  return undefined;
}

// ── silences and notifications ──────────────────────────────────────────────────────────────────────────────────

export function silenceToWire(silence: SilenceJson): Wire {
  return defined(silence);
}

export function silenceFromWire(wire: Wire): SilenceJson {
  return {
    silence_id: text(wire.silence_id),
    component: text(wire.component),
    incident_type: nullableText(wire.incident_type) as SilenceJson['incident_type'],
    starts_at: text(wire.starts_at),
    ends_at: text(wire.ends_at),
    comment: text(wire.comment),
    created_by: text(wire.created_by),
    created_at: text(wire.created_at),
    expired_at: nullableText(wire.expired_at),
    expired_by: nullableText(wire.expired_by),
    active: Boolean(wire.active),
  };
}

export function notificationToWire(notification: NotificationJson): Wire {
  return defined(notification);
}

export function notificationFromWire(wire: Wire): NotificationJson {
  return {
    notification_id: text(wire.notification_id),
    channel: text(wire.channel),
    kind: text(wire.kind) as NotificationJson['kind'],
    incident_id: text(wire.incident_id),
    state: text(wire.state) === 'dead' ? 'dead' : 'pending',
    created_at: text(wire.created_at),
    attempts: num(wire.attempts),
    next_attempt_at: nullableText(wire.next_attempt_at),
    last_error: nullableText(wire.last_error),
    failed_at: nullableText(wire.failed_at),
    reason: nullableText(wire.reason),
  };
}
