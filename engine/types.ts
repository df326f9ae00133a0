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
  /** Glob over the event's `source`: `*` any run of characters, `?` one character, the rest literal. */
  source_pattern?: string;
  /** Each key must be present in the event's metadata with exactly this value (same type, `===`). */
  attributes?: Record<string, MetadataValue>;
  /**
   * Also count error-level events (severity high or critical) whose type no enabled rule names: an ERROR log
   * typed by its `exception.type` (`CardDeclinedError`) is still an error. The built-in error_burst sets it.
   */
  other_errors?: boolean;
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
  /** True for the built-in rules (the seed's seven and api_rate_limit; possibly overridden), false for custom rules. */
  builtin: boolean;
}

export interface RootSpan {
  /** Where the failure lies: the span's service, or the peer its event names (a call nobody answered). */
  service: string;
  span_name: string;
  span_id: string;
  trace_id: string;
  status_message: string;
  exception_type: string;
  /** The span's own service when the failure lies at its peer (`service`); absent otherwise. */
  caller?: string;
  /**
   * The peer the span called (a CLIENT or PRODUCER span: `peer.service`, else `server.address:server.port`); absent
   * for other spans. When it differs from `service`, it says what the failing call was to (a database query that
   * failed under one caller is placed at the caller, with the database here).
   */
  peer?: string;
}

export interface RootCause {
  /** The root span's event's type once a root span is known (root-cause.ts), else the most frequent event type. */
  primary_error_type: string;
  /** The root span's event's source (where the failure lies) once a root span is known, else the most frequent source. */
  primary_source: string;
  error_distribution: Record<string, number>;
  source_distribution: Record<string, number>;
  root_span?: RootSpan;
}

/** An earlier incident with the same fingerprint (incident_type + primary_source + primary_error_type). */
export interface SimilarIncident {
  incident_id: string;
  /** 'unresolved' while it is open; else e.g. `resolved 2025-02-05T11:15:00.000Z: restarted the pool`. */
  resolution: string;
}

export interface IncidentAction {
  action_id: string;
  status: string;
  result: string;
  approved_by: string | null;
  /** epoch ms */
  at: number;
}

/** Who made a change that was not made by a person: the daemon's own workflow. */
export const SYSTEM_ACTOR = 'firewatch';

/** One status transition, as the incident's timeline shows it. */
export interface StatusChange {
  /** epoch ms (engine clock) */
  at: number;
  /** null for the first entry (the incident was detected or created). */
  from: IncidentStatus | null;
  to: IncidentStatus;
  /** `firewatch` for automatic transitions, else the operator's name. */
  by: string;
  /** Why, in a few words (`root cause computed`, `no matching events for 5m`, the operator's note…). */
  reason: string;
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
  /**
   * Distinct sources, and the callers of an unreachable peer (incidents.ts callerOf), in order of first appearance
   * (bounded).
   */
  affected_components: string[];
  event_count: number;
  assigned_to: string | null;
  /** seconds from first event to detection */
  mttd: number;
  /** seconds from first event to resolution; null while unresolved */
  mttr: number | null;
  root_cause: RootCause;
  /**
   * Blast radius: distinct user identities (`enduser.id`, `user.id`, `session.id` of its events, and the users of
   * its traces' failing spans). Exact up to 1,000 (up to 32-bit hash collisions), then estimated (users.ts).
   * Incidents stored before this field existed lack it; the engine and json.ts read it as 0.
   */
  users_affected: number;
  /** Recurrence: earlier incidents with the same fingerprint, most recent first, at most 5 (recurrence.ts). */
  similar_incidents: SimilarIncident[];
  /** Distinct trace IDs of its events, in order of first appearance (bounded). */
  trace_ids: string[];
  notes: string[];
  actions: IncidentAction[];
  /** epoch ms of the last change, for watchers and ordering */
  updated_at: number;
  /** Every status transition, oldest first (workflow.ts bounds it). Older stored incidents lack it: read as []. */
  status_history: StatusChange[];
  /** Who acknowledged it (null while unacknowledged; cleared with acknowledged_at when it resolves). */
  acknowledged_by: string | null;
  /** True when the workflow resolved it (exit criteria held), false when a person did or it is unresolved. */
  auto_resolved: boolean;
  /** Who resolved it and the resolution notes, e.g. `john.doe: restarted the pool` ('' while unresolved). */
  resolution: string;
  /**
   * Highest error rate (0–1) seen while open: the highest failed share of requests over its affected components (the
   * first ten, each over the rule's window, from request totals: isRequestSpan), not only the primary source's. Taken at the end of a
   * call that changes the incident when the rates are looked at anyway: totals for one of them came in, or it is an
   * error_burst incident the rates may escalate (engine.ts checkRate). null when unknown (too few requests seen).
   */
  peak_error_rate: number | null;
  /**
   * Internal: engine-clock time (epoch ms) an event last joined it; recovery is judged on it (arrival time, so
   * late or skewed timestamps cannot resolve an incident early). Older stored incidents lack it: read it through
   * recovery.ts lastJoinedAt.
   */
  last_joined_at?: number;
  /**
   * Internal (json.ts leaves it out): the distinct-user counter, persisted with the incident so users_affected keeps
   * counting after a restart. Compact text (users.ts); absent when no user was seen.
   */
  users_sketch?: string;
  /**
   * Internal (json.ts leaves it out): the other detection groups (`<rule_id> <group key>`, separated by one space)
   * this incident absorbs because their events joined it through shared traces (correlation.ts).
   */
  group_aliases?: string[];
  /**
   * The maintenance window (engine/maintenance-windows.ts) holding it: while set, its changes notify nobody but the
   * channels already told of it (acknowledged, resolved) and no action runs by itself. null (or absent, in incidents
   * stored before silences existed) when none holds it. Kept after the incident resolves, as history.
   */
  silenced_by?: string | null;
  /**
   * Incidents that were open on one of its components when it opened, or that opened on one while it was open
   * (engine/related-incidents.ts), both ways, oldest link first. Absent in incidents stored before the field existed.
   */
  related_incidents?: string[];
  /**
   * Internal (json.ts leaves it out), set while `silenced_by` is: the severity its channels were last told of, or null
   * when its opening was never announced (it opened silenced). notify/routing.ts decides from it what the end of the
   * silence announces.
   */
  announced_severity?: Severity | null;
}

/** OTLP span kinds (SpanKind in trace.proto): 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CLIENT = 3;
export const SPAN_KIND_PRODUCER = 4;
export const SPAN_KIND_CONSUMER = 5;

/**
 * OTLP Span.flags bits 8 and 9 (SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK | SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK): both set
 * when the span's parent is known to live in another process.
 */
export const SPAN_FLAGS_PARENT_IS_REMOTE = 0x300;

/**
 * Whether a span stands for one request its service handled, what error-rate escalation counts: a SERVER or
 * CONSUMER span, else a local root (a span without a parent, or whose parent is in another process). The spans
 * inside a request (router and middleware INTERNAL spans, outgoing CLIENT calls) are not requests: counting them
 * would dilute a service failing every request.
 */
export function isRequestSpan(kind: number, hasParent: boolean, parentIsRemote: boolean): boolean {
  return kind === SPAN_KIND_SERVER || kind === SPAN_KIND_CONSUMER || !hasParent || parentIsRemote;
}

/** OTLP status codes: 0 unset, 1 ok, 2 error. */
export const SPAN_STATUS_ERROR = 2;

/**
 * One span as the receiver hands it to the engine (IngestContext.spans): what the trace ring keeps of every recent
 * span, what root cause analysis reads, and what the store persists for spans of incident traces.
 */
export interface SpanRecord {
  /** 32 lowercase hex characters. */
  trace_id: string;
  /** 16 lowercase hex characters. */
  span_id: string;
  /** 16 lowercase hex characters; '' for a root span. */
  parent_span_id: string;
  /** `service.name` of the span's resource. */
  service: string;
  name: string;
  /** OTLP SpanKind, 0–5. */
  kind: number;
  /** epoch ms (may carry a sub-millisecond fraction) */
  start_ms: number;
  /** epoch ms (may carry a sub-millisecond fraction) */
  end_ms: number;
  /** 0 unset, 1 ok, 2 error */
  status_code: number;
  status_message: string;
  /** `exception.type` of the span's exception event, '' when none. */
  exception_type: string;
  exception_message: string;
  /** HTTP response status code, 0 when none. */
  http_status: number;
  /** `peer.service` (else `server.address:server.port`) of a client or producer span; '' when none. */
  peer: string;
  /** The receiver's verdict that the span failed (status ERROR, HTTP ≥ 500 on a server span, …). */
  failed: boolean;
  /** `enduser.id`, else `user.id`, else `session.id`; '' when none. */
  user: string;
  /**
   * The span's first attributes exactly as the OTLP wire carried them (a run of Span.attributes fields, at most
   * MAX_KEPT_ATTRIBUTE_BYTES; span-attribute-log.ts), empty or absent when none were kept. Opaque to the engine and
   * the store: the receiver wrote them and reads them back when a trace is shown (records of older stores lack them).
   */
  attributes_wire?: Uint8Array;
  /** Attributes the span was sent with, kept or not. */
  attributes_sent?: number;
}

/** Per-service request counts of one export batch (IngestContext.serviceTotals); requests per isRequestSpan. */
export interface ServiceTotals {
  /** Requests the service reported. */
  requests: number;
  /** Of those, requests that failed (the request's own span failed; a failing span inside a request does not count). */
  failedRequests: number;
}

/** What comes with a batch of drafts besides the drafts (engine.ingest's second argument). */
export interface IngestContext {
  /** Every span of the export request; they go into the trace ring before the drafts are processed. */
  spans?: readonly SpanRecord[];
  /** Requests and failed requests per service in this batch: error-rate escalation and silence detection. */
  serviceTotals?: ReadonlyMap<string, ServiceTotals>;
  /**
   * Identical events of this batch may be distinct telemetry: log records have no identity of their own, and the same
   * line logged twice in a millisecond converts to two identical events. An event identical to an earlier one is then
   * taken for a retry only when that one arrived at least RETRY_MIN_DELAY_MS earlier (event-identity.ts). Default
   * false: spans are their trace and span IDs, metric points their series and time, so a repeat of an event of an
   * earlier call is a retry (alike events within one batch are always taken as sent).
   */
  repeatsMayBeDistinct?: boolean;
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
  /**
   * Spans the store must persist because their trace belongs to an incident: when a trace joins an incident, all its
   * spans still in the trace ring; afterwards each newly arriving span of such a trace. No span twice in one result
   * (across results a span can come again only after its trace left the engine's bounded incident-trace set, so
   * store spans keyed by trace_id + span_id). Always present in what the engine returns; optional in the type only so
   * that results assembled elsewhere (the store's group committer) stay valid.
   */
  traceSpans?: SpanRecord[];
  /** Drafts dropped as repeats of events an earlier export brought (a retried export); absent when none. */
  duplicates?: number;
}

/** Remediation risk levels: safe actions run automatically; medium and high wait for a named approval. */
export const RISKS = ['safe', 'medium', 'high'] as const;
export type Risk = (typeof RISKS)[number];

/** What the remediation audit log records (append-only, per incident). */
export const AUDIT_KINDS = [
  'recommended', // an action applies to the incident (containment)
  'approval_requested', // a medium/high action waits for an approval (expires_at in detail)
  'approved', // someone approved it (approved_by)
  'refused', // a request was refused: wrong approver, unknown action, incident closed, cooldown, breaker open…
  'expired', // an approval request passed its TTL unanswered
  'dry_run', // what would have run (argv or HTTP request), nothing ran
  'started',
  'succeeded',
  'failed',
  'timed_out',
  'skipped', // an automatic run was held back: cooldown, backoff, max runs, circuit breaker, silence, no effect configured
  // Notification entries (action_id holds the notification id, risk is `safe`: they change nothing outside):
  'retried', // a dead letter was put back in the outbox by someone
  'dropped', // a dead letter was deleted by someone
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** Audit kinds about notifications, not remediation actions (their action_id is a notification id). */
export const NOTIFICATION_AUDIT_KINDS: ReadonlySet<AuditKind> = new Set<AuditKind>(['retried', 'dropped']);

export interface AuditEntry {
  /** Store-assigned, strictly increasing across restarts. */
  seq: number;
  /** epoch ms */
  at: number;
  incident_id: string;
  action_id: string;
  kind: AuditKind;
  /** `firewatch` for automatic steps, else the operator who asked. */
  actor: string;
  risk: Risk;
  /** Who approved (approved/started/succeeded/failed of an approved run), else null. */
  approved_by: string | null;
  /** One line: the reason, the command's exit status and bounded, sanitised output, the HTTP status… */
  detail: string;
}

/** Why a notification is sent. */
export const NOTIFICATION_KINDS = ['triggered', 'escalated', 'acknowledged', 'resolved'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * One notification waiting in the LMDB outbox. Written in the same transaction as the incident change that caused
 * it; the body is built from `incident` (a snapshot) at delivery time, so every retry sends the same content, and
 * `id` is the idempotency key receivers dedup on (webhook-id, email Message-ID…). Secrets are never stored here: they
 * come from the configuration at delivery time.
 */
export interface OutboxItem {
  /** `ntf_<incident id>_<kind>_<n>`: stable across retries and restarts. */
  id: string;
  /** `slack`, `pagerduty`, `email` or `webhook:<name>`. */
  channel: string;
  kind: NotificationKind;
  incident_id: string;
  /** The incident's contract JSON (engine/json.ts incidentToJson) when the change happened. */
  incident: Record<string, unknown>;
  /** epoch ms */
  created_at: number;
  attempts: number;
  /** epoch ms of the next delivery attempt */
  next_attempt_at: number;
  last_error: string | null;
}

/** A notification given up on (a 4xx other than 429, or too many attempts). */
export interface DeadLetter extends OutboxItem {
  /** epoch ms */
  failed_at: number;
  reason: string;
}
