// The incident as every front end sees it: DESIGN.md's "Events and incidents" JSON, field for field. Times are
// ISO-8601 UTC strings (null when unknown or not yet), enum values lowercase. `--format json` prints exactly these
// shapes; the control client builds them from the wire, the daemon from the engine (daemon/api-json.ts).
// The shapes are type aliases, not interfaces, so they stay assignable to Record<string, unknown>.

import type { IncidentStatus, IncidentType, Risk, Severity } from './vocabulary.js';

export type MetadataValue = string | number | boolean;
export type Metadata = Record<string, MetadataValue>;

export type EventJson = {
  event_id: string;
  timestamp: string | null;
  event_type: string;
  source: string;
  severity: Severity;
  message: string;
  metadata: Metadata;
  /** Trace ID (32 hex); null when the telemetry carried none. */
  correlation_id: string | null;
  span_id: string | null;
  /** The incident the event belongs to; null when none. */
  incident_id: string | null;
};

export type RootSpanJson = {
  /** Where the failure lies: the span's service, or the peer it called that did not answer. */
  service: string;
  span_name: string;
  span_id: string;
  trace_id: string;
  status_message: string;
  exception_type: string;
  /** The span's own service when the failure lies at its peer (`service`); absent otherwise. */
  caller?: string;
  /**
   * What the span called, for a CLIENT or PRODUCER span (`peer.service`, else `server.address:server.port`); absent
   * otherwise. Differs from `service` when a failed call is placed at its caller (a query failing under one service).
   */
  peer?: string;
};

export type RootCauseJson = {
  primary_error_type: string;
  primary_source: string;
  /** Events per type, biggest first. */
  error_distribution: Record<string, number>;
  /** Events per source, biggest first. */
  source_distribution: Record<string, number>;
  /** The failing span where it started, once known. */
  root_span?: RootSpanJson;
};

export type SimilarIncidentJson = {
  incident_id: string;
  /** 'unresolved' while it is open; else e.g. `resolved 2025-02-05T11:15:00.000Z: restarted the pool`. */
  resolution: string;
};

export type IncidentActionJson = {
  action_id: string;
  status: string;
  result: string;
  approved_by: string | null;
  at: string | null;
};

export type StatusChangeJson = {
  at: string | null;
  /** null for the first entry (detected or created). */
  from: IncidentStatus | null;
  to: IncidentStatus;
  /** `firewatch` for the daemon's own steps, else who. */
  by: string;
  reason: string;
};

export const AUDIT_KINDS = [
  'recommended',
  'approval_requested',
  'approved',
  'refused',
  'expired',
  'dry_run',
  'started',
  'succeeded',
  'failed',
  'timed_out',
  'skipped',
  'retried',
  'dropped',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export type AuditEntryJson = {
  seq: number;
  at: string | null;
  incident_id: string;
  action_id: string;
  kind: AuditKind;
  actor: string;
  risk: Risk;
  approved_by: string | null;
  detail: string;
};

export type RunbookJson = { steps: string[]; links: { title: string; url: string }[] };

export type IncidentJson = {
  incident_id: string;
  incident_type: IncidentType;
  severity: Severity;
  status: IncidentStatus;
  title: string;
  description: string;
  detected_at: string | null;
  first_event_at: string | null;
  acknowledged_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  affected_components: string[];
  event_count: number;
  assigned_to: string | null;
  /** Seconds from the first event to detection. */
  mttd: number;
  /** Seconds from the first event to resolution; null while unresolved. */
  mttr: number | null;
  root_cause: RootCauseJson;
  users_affected: number;
  similar_incidents: SimilarIncidentJson[];
  trace_ids: string[];
  /** With --timeline / --full: its events, oldest first. */
  timeline?: EventJson[];
  /** With --postmortem / --full: the post-mortem Markdown (null when none was written yet). */
  postmortem?: string | null;
  notes: string[];
  actions: IncidentActionJson[];
  /** The rule that raised it; null for incidents created by hand. */
  rule_id: string | null;
  last_event_at: string | null;
  updated_at: string | null;
  status_history: StatusChangeJson[];
  acknowledged_by: string | null;
  /** True while acknowledged: the acknowledgement ends when the incident resolves (acknowledged_at stays). */
  acknowledged: boolean;
  auto_resolved: boolean;
  resolution: string | null;
  peak_error_rate: number | null;
  /** The silence (maintenance window, `sil_00001`) holding it: nobody is notified, no action runs by itself. Kept after it resolves, as history; null when none. */
  silenced_by: string | null;
  /** Incidents open on one of its components when it opened, or opened on one while it was open; both ways. */
  related_incidents: string[];
  /** With --full: the remediation audit log, oldest first. */
  audit?: AuditEntryJson[];
  /** The configured runbook for its type, when there is one. */
  runbook?: RunbookJson;
};

/** One line of `incidents timeline`: an event, a status change, a note or a remediation step. */
export const TIMELINE_ENTRY_KINDS = ['event', 'status', 'note', 'action'] as const;
export type TimelineEntryKind = (typeof TIMELINE_ENTRY_KINDS)[number];

export type TimelineEntryJson = {
  at: string | null;
  kind: TimelineEntryKind;
  /** Event severity; null for other kinds. */
  severity: Severity | null;
  /** The event's source, or who made the change. */
  source: string;
  text: string;
  event_type: string | null;
  event_id: string | null;
  trace_id: string | null;
};

export type TimelineJson = {
  incident_id: string;
  entries: TimelineEntryJson[];
  /** Entries before filtering and limiting. */
  total: number;
};

export type PostmortemJson = {
  incident_id: string;
  markdown: string;
  /** True while the incident is unresolved: rendered now, not stored. */
  draft: boolean;
  generated_at: string;
};

/** One row of `mitigate --list-actions`: a remediation action that applies to an incident, and its state. */
export type ActionViewJson = {
  action_id: string;
  description: string;
  risk: Risk;
  /** What it runs, without secrets: the command's name, `HTTP POST host`; null when not configured. */
  effect: string | null;
  /** `available`, `awaiting approval (expires …)`, `cooldown until …`, `running`, `succeeded`… */
  status: string;
  /** Recommended for the incident's type (else it merely applies). */
  recommended: boolean;
  /** Who may approve (empty: anyone named); medium and high only. */
  approvers: string[];
};

export type ActionListJson = {
  incident_id: string;
  actions: ActionViewJson[];
  /** Steps no action automates (the seed's manual steps for the type). */
  manual_steps: string[];
};

export const MITIGATE_OUTCOMES = ['succeeded', 'failed', 'timed_out', 'dry_run', 'skipped'] as const;
export type MitigateOutcome = (typeof MITIGATE_OUTCOMES)[number];

export type MitigateResultJson = {
  /** One line: `succeeded`, `failed with exit 3`, `would run: ./scale-up.sh …`. */
  summary: string;
  outcome: MitigateOutcome;
  /** The audit entries this request added, oldest first. */
  audit: AuditEntryJson[];
  incident: IncidentJson;
};
