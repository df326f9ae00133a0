// Contract JSON (DESIGN.md) ⇄ control API messages (proto/firewatch/control/v1/control.proto).
//
// The messages mirror the JSON contract field for field, so the mapping is small: JSON `null` becomes an unset
// proto3 `optional`, event `metadata` travels as `metadata_json`, and a timeline is marked by `has_timeline`.

export type JsonObject = Record<string, unknown>;

/** Fields of the Incident message that are proto3 `optional` (null in JSON when unset). */
const NULLABLE_INCIDENT_FIELDS = ['acknowledged_at', 'resolved_at', 'closed_at', 'assigned_to', 'mttr'] as const;

export function eventJsonToMessage(event: JsonObject): JsonObject {
  const message: JsonObject = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === 'metadata') message.metadata_json = JSON.stringify(value ?? {});
    else if (value !== null && value !== undefined) message[key] = value;
  }
  return message;
}

export function eventMessageToJson(message: JsonObject): JsonObject {
  const { metadata_json: metadataJson, ...rest } = message;
  let metadata: unknown = {};
  try {
    metadata = typeof metadataJson === 'string' && metadataJson !== '' ? JSON.parse(metadataJson) : {};
  } catch {
    metadata = {};
  }
  return {
    event_id: rest.event_id,
    timestamp: rest.timestamp,
    event_type: rest.event_type,
    source: rest.source,
    severity: rest.severity,
    message: rest.message,
    metadata,
    correlation_id: rest.correlation_id || null,
    span_id: rest.span_id || null,
    incident_id: rest.incident_id || null,
  };
}

/** Contract JSON of an incident (from engine/json.ts) → Incident message. */
export function incidentJsonToMessage(incident: JsonObject): JsonObject {
  const message: JsonObject = {};
  for (const [key, value] of Object.entries(incident)) {
    if (value === null || value === undefined) continue; // unset optional
    if (key === 'timeline') {
      message.timeline = (value as JsonObject[]).map(eventJsonToMessage);
      message.has_timeline = true;
      continue;
    }
    if (key === 'root_cause') {
      const rootCause = { ...(value as JsonObject) };
      if (rootCause.root_span === null) delete rootCause.root_span;
      message.root_cause = rootCause;
      continue;
    }
    if (key === 'status_history') {
      message.status_history = (value as JsonObject[]).map((change) => ({ ...change, from: change.from ?? '' }));
      continue;
    }
    if (key === 'audit') {
      message.audit = (value as JsonObject[]).map(auditJsonToMessage);
      message.has_audit = true;
      continue;
    }
    if (key === 'actions') {
      message.actions = (value as JsonObject[]).map((action) => {
        const copy = { ...action };
        if (copy.approved_by === null) delete copy.approved_by;
        return copy;
      });
      continue;
    }
    message[key] = value;
  }
  return message;
}

/** RootSpan message → contract JSON: its fields, `caller` only when set (not the decoder's `_caller` oneof name). */
function rootSpanJson(span: JsonObject): JsonObject {
  const { _caller: _oneof, caller, ...fields } = span;
  return typeof caller === 'string' ? { ...fields, caller } : fields;
}

/** Incident message (as proto-loader gives it) → contract JSON, in engine/json.ts's key order (DESIGN.md). */
export function incidentMessageToJson(message: JsonObject): JsonObject {
  const nullable = (key: (typeof NULLABLE_INCIDENT_FIELDS)[number]) => {
    const value = message[key];
    return value === undefined || value === null || value === '' ? null : value;
  };
  const rootCause = (message.root_cause ?? {}) as JsonObject;
  const json: JsonObject = {
    incident_id: message.incident_id,
    incident_type: message.incident_type,
    severity: message.severity,
    status: message.status,
    title: message.title,
    description: message.description,
    detected_at: message.detected_at || null,
    first_event_at: message.first_event_at || null,
    acknowledged_at: nullable('acknowledged_at'),
    resolved_at: nullable('resolved_at'),
    closed_at: nullable('closed_at'),
    affected_components: message.affected_components ?? [],
    event_count: Number(message.event_count ?? 0),
    assigned_to: nullable('assigned_to'),
    mttd: message.mttd ?? null,
    mttr: nullable('mttr'),
    root_cause: {
      primary_error_type: rootCause.primary_error_type ?? '',
      primary_source: rootCause.primary_source ?? '',
      error_distribution: sortedCounts(rootCause.error_distribution),
      source_distribution: sortedCounts(rootCause.source_distribution),
      ...(rootCause.root_span ? { root_span: rootSpanJson(rootCause.root_span as JsonObject) } : {}),
    },
    users_affected: Number(message.users_affected ?? 0),
    similar_incidents: ((message.similar_incidents ?? []) as JsonObject[]).map((similar) => ({
      incident_id: similar.incident_id,
      resolution: similar.resolution,
    })),
    trace_ids: message.trace_ids ?? [],
  };
  if (message.has_timeline) json.timeline = ((message.timeline ?? []) as JsonObject[]).map(eventMessageToJson);
  if (typeof message.postmortem === 'string') json.postmortem = message.postmortem;
  json.notes = message.notes ?? [];
  json.actions = ((message.actions ?? []) as JsonObject[]).map((action) => ({
    action_id: action.action_id,
    status: action.status,
    result: action.result,
    approved_by: action.approved_by ?? null,
    at: action.at,
  }));
  json.rule_id = message.rule_id || null;
  json.last_event_at = message.last_event_at || null;
  json.updated_at = message.updated_at || null;
  json.status_history = ((message.status_history ?? []) as JsonObject[]).map((change) => ({
    at: change.at || null,
    from: change.from || null,
    to: change.to,
    by: change.by,
    reason: change.reason,
  }));
  json.acknowledged_by = message.acknowledged_by ?? null;
  json.acknowledged = Boolean(message.acknowledged);
  json.auto_resolved = Boolean(message.auto_resolved);
  json.resolution = message.resolution || null;
  json.peak_error_rate = message.peak_error_rate ?? null;
  if (message.has_audit) json.audit = ((message.audit ?? []) as JsonObject[]).map(auditMessageToJson);
  if (message.runbook) {
    const runbook = message.runbook as JsonObject;
    json.runbook = { steps: runbook.steps ?? [], links: runbook.links ?? [] };
  }
  return json;
}

export function auditJsonToMessage(entry: JsonObject): JsonObject {
  const message = { ...entry };
  if (message.approved_by === null) delete message.approved_by;
  return message;
}

export function auditMessageToJson(message: JsonObject): JsonObject {
  return {
    seq: Number(message.seq ?? 0),
    at: message.at || null,
    incident_id: message.incident_id,
    action_id: message.action_id,
    kind: message.kind,
    actor: message.actor,
    risk: message.risk,
    approved_by: message.approved_by ?? null,
    detail: message.detail,
  };
}

/** Map fields arrive in no particular order; show the biggest counts first. */
function sortedCounts(raw: unknown): Record<string, number> {
  const entries = Object.entries((raw ?? {}) as Record<string, number>).map(([k, v]) => [k, Number(v)] as const);
  entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return Object.fromEntries(entries);
}

export function ruleMessageToJson(message: JsonObject): JsonObject {
  const match = (message.match ?? {}) as JsonObject;
  return {
    rule_id: message.rule_id,
    name: message.name,
    description: message.description,
    incident_type: message.incident_type,
    severity: message.severity,
    error_threshold: message.error_threshold,
    time_window_seconds: message.time_window_seconds,
    check_interval_seconds: message.check_interval_seconds,
    require_consecutive: message.require_consecutive,
    min_components_affected: message.min_components_affected,
    enabled: message.enabled,
    match: {
      event_types: match.event_types ?? [],
      ...(match.min_severity ? { min_severity: match.min_severity } : {}),
      ...(match.source_pattern ? { source_pattern: match.source_pattern } : {}),
      ...(match.other_errors !== undefined && match.other_errors !== null ? { other_errors: match.other_errors } : {}),
      ...(match.attributes_json ? { attributes: JSON.parse(String(match.attributes_json)) as unknown } : {}),
    },
    group_by: message.group_by,
    builtin: message.builtin,
    ...(Array.isArray(message.history) && message.history.length > 0
      ? {
          history: (message.history as JsonObject[]).map((change) => ({
            seq: Number(change.seq ?? 0),
            at: change.at,
            actor: change.actor,
            kind: change.kind,
            detail: change.detail,
          })),
        }
      : {}),
  };
}

/** Stats message → the contract JSON of `incidents stats` (DESIGN.md), severities in rank order. */
export function statsMessageToJson(message: JsonObject): JsonObject {
  const optionalNumber = (value: unknown) => (value === undefined || value === null ? null : Number(value));
  const counts = (raw: unknown) =>
    Object.fromEntries(Object.entries((raw ?? {}) as Record<string, unknown>).map(([key, value]) => [key, Number(value)]));
  const bySeverity = counts(message.by_severity);
  return {
    total_incidents: Number(message.total_incidents ?? 0),
    active_incidents: Number(message.active_incidents ?? 0),
    resolved_incidents: Number(message.resolved_incidents ?? 0),
    by_severity: Object.fromEntries(['critical', 'high', 'medium', 'low', 'info'].map((severity) => [severity, bySeverity[severity] ?? 0])),
    by_type: sortedCounts(message.by_type),
    avg_mttd_seconds: optionalNumber(message.avg_mttd_seconds),
    avg_mttr_seconds: optionalNumber(message.avg_mttr_seconds),
    p90_mttd_seconds: optionalNumber(message.p90_mttd_seconds),
    p90_mttr_seconds: optionalNumber(message.p90_mttr_seconds),
    auto_resolved: Number(message.auto_resolved ?? 0),
    manual_resolution: Number(message.manual_resolution ?? 0),
    recurrence_rate: Number(message.recurrence_rate ?? 0),
    since: message.since || null,
  };
}

/** Stats JSON (engine/stats.ts) → Stats message: nulls become unset optionals. */
export function statsJsonToMessage(stats: JsonObject): JsonObject {
  const message: JsonObject = {};
  for (const [key, value] of Object.entries(stats)) if (value !== null && value !== undefined) message[key] = value;
  return message;
}

export function ruleJsonToMessage(rule: JsonObject): JsonObject {
  if (rule.match === undefined || rule.match === null) {
    const { match: _match, ...rest } = rule;
    return rest; // no match: left unset (CreateRule inherits the built-in rule's)
  }
  const { attributes, ...match } = { ...(rule.match as JsonObject) };
  if (match.min_severity === undefined || match.min_severity === null) delete match.min_severity;
  if (match.source_pattern === undefined || match.source_pattern === null) delete match.source_pattern;
  if (attributes !== undefined && attributes !== null) match.attributes_json = JSON.stringify(attributes);
  return { ...rule, match };
}
