// The domain vocabulary shared by the receiver, the engine, the store, the daemon and the CLI.
//
//   receiver ──EventDraft[]──▶ engine.ingest() ──IngestResult──▶ store (one LMDB transaction)
//
// Field names of IncidentEvent, Incident and DetectionRule are the JSON contract of DESIGN.md (snake_case), so
// the JSON mapping in engine/json.ts only has to turn epoch-millisecond numbers into ISO-8601 strings.
// Times inside the engine are epoch milliseconds (numbers): cheap to compare in the hot path.

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Numeric rank of a severity, for comparisons (`info` 0 … `critical` 4). */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  info: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/** The seed's incident types (its severity matrix lists fifteen). */
export const INCIDENT_TYPES = [
  'error_burst',
  'service_down',
  'quality_drop',
  'workflow_failure_spike',
  'memory_exhaustion',
  'performance_degradation',
  'disk_space_low',
  'database_connection_failure',
  'api_rate_limit',
  'cache_failure',
  'network_partition',
  'deadlock_detected',
  'resource_leak',
  'security_breach',
  'data_corruption',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

export function isIncidentType(value: string): value is IncidentType {
  return (INCIDENT_TYPES as readonly string[]).includes(value);
}

export const INCIDENT_STATUSES = [
  'detected',
  'assessing',
  'containing',
  'investigating',
  'remediating',
  'recovering',
  'resolved',
  'closed',
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Statuses in which an incident still absorbs matching events. */
export function isOpenStatus(status: IncidentStatus): boolean {
  return status !== 'resolved' && status !== 'closed';
}

export type MetadataValue = string | number | boolean;
export type Metadata = Record<string, MetadataValue>;

/**
 * One event as the receiver produces it from a span, log record or metric point, before the engine numbers it.
 * `timestamp` is the telemetry's own time (epoch ms); the engine clamps it to arrival time when it lies in the future.
 */
export interface EventDraft {
  timestamp: number;
  event_type: string;
  /** `service.name` of the resource (or the unreachable peer for `service_unavailable`). */
  source: string;
  severity: Severity;
  message: string;
  metadata: Metadata;
  /** Trace ID as 32 lowercase hex characters; '' when the telemetry carried none. */
  correlation_id: string;
  /** Span ID as 16 lowercase hex characters; '' when none. */
  span_id: string;
}

/** An event the engine has accepted: numbered, clamped, and (maybe) attached to an incident. */
export interface IncidentEvent extends EventDraft {
  /** Engine-assigned, strictly increasing across restarts; the store's key. */
  seq: number;
  /** `evt_<seq>`: the contract's id. */
  event_id: string;
  /** Arrival time (epoch ms) by the engine's clock. */
  received_at: number;
  /** The incident this event belongs to; '' while it belongs to none. */
  incident_id: string;
}

/** What a rule matches. Empty lists match everything. */
export interface RuleMatch {
  /** Event types this rule counts. */
  event_types: string[];
  /** Minimum event severity counted. */
  min_severity?: Severity;
}

export interface DetectionRule {
  rule_id: string;
  name: string;
  description: string;
  incident_type: IncidentType;
  severity: Severity;
  /** Fire when this many matching events fall within `time_window_seconds` of event time. */
  error_threshold: number;
  time_window_seconds: number;
  /** Paces only time-based work (silence, recovery); thresholds are checked as events arrive. */
  check_interval_seconds: number;
  require_consecutive: boolean;
  min_components_affected: number;
  enabled: boolean;
  match: RuleMatch;
  /** Event field the windows are grouped by; default `source`. */
  group_by: string;
  /** True for the seed's seven rules (possibly overridden), false for custom rules. */
  builtin: boolean;
}

export interface RootSpan {
  service: string;
  span_name: string;
  span_id: string;
  trace_id: string;
  status_message: string;
  exception_type: string;
}

export interface RootCause {
  primary_error_type: string;
  primary_source: string;
  error_distribution: Record<string, number>;
  source_distribution: Record<string, number>;
  root_span?: RootSpan;
}

export interface IncidentAction {
  action_id: string;
  status: string;
  result: string;
  approved_by: string | null;
  /** epoch ms */
  at: number;
}

export interface Incident {
  incident_id: string;
  incident_type: IncidentType;
  severity: Severity;
  status: IncidentStatus;
  title: string;
  description: string;
  /** The rule that raised it ('' for incidents created by hand). */
  rule_id: string;
  /** The rule's group key value (e.g. the service name) this incident owns. */
  group_key: string;
  /** epoch ms of detection (engine clock) */
  detected_at: number;
  /** epoch ms of the earliest event in the incident (event time) */
  first_event_at: number;
  /** epoch ms of the latest event in the incident (event time) */
  last_event_at: number;
  acknowledged_at: number | null;
  resolved_at: number | null;
  closed_at: number | null;
  /** Distinct sources, in order of first appearance (bounded). */
  affected_components: string[];
  event_count: number;
  assigned_to: string | null;
  /** seconds from first event to detection */
  mttd: number;
  /** seconds from first event to resolution; null while unresolved */
  mttr: number | null;
  root_cause: RootCause;
  /** Distinct trace IDs of its events, in order of first appearance (bounded). */
  trace_ids: string[];
  notes: string[];
  actions: IncidentAction[];
  /** epoch ms of the last change, for watchers and ordering */
  updated_at: number;
}

/** What one `ingest` call changed; the store writes it in one transaction before the export is acknowledged. */
export interface IngestResult {
  /** Newly accepted events, numbered, in arrival order. */
  events: IncidentEvent[];
  /**
   * Events (new or earlier) whose `incident_id` was set by this call: the events of a window that just fired, and
   * events absorbed by an open incident. A new event can appear in both lists.
   */
  linked: IncidentEvent[];
  /** Incidents created or changed by this call (each once, in its final state). */
  incidents: Incident[];
}
