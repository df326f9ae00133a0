// The control contract: one typed method per control call. The gRPC client (control/client.ts) implements it over the
// daemon's socket, the in-process client (daemon/) over the daemon's own backend, and front ends (cli/, tui/, web/)
// see nothing else. Every method rejects with a ControlError (errors.ts).

import type {
  ActionListJson,
  IncidentJson,
  MitigateResultJson,
  PostmortemJson,
  TimelineJson,
} from './incident.js';
import type { ComponentsJson } from './component.js';
import type { NotificationJson, NotificationQuery, RetriedNotificationJson } from './notification.js';
import type { CreateSilenceRequest, SilenceJson } from './silence.js';
import type { RuleDraft, RuleJson, RuleUpdate, TestRuleResult } from './rule.js';
import type { StatsJson } from './stats.js';
import type { DaemonStatusJson } from './status.js';
import type { TraceJson } from './trace.js';
import type { WatchMessage, WatchRequest } from './update.js';
import type { IncidentType, Severity } from './vocabulary.js';

export type IncidentQuery = {
  /** Status values, or `active` for every open status. Empty: all. */
  status?: string[];
  severity?: string[];
  incident_type?: string[];
  /** Keep incidents that affect any of these components. */
  component?: string[];
  /** ISO-8601: detected at or after this instant. */
  since?: string;
  /** At most this many, newest first; 0: all. */
  limit?: number;
};

export type IncidentPage = {
  incidents: IncidentJson[];
  /** Matches before the limit was applied. */
  total_matched: number;
};

export type IncidentDetailOptions = {
  /** Include its events, oldest first. */
  timeline?: boolean;
  /** At most this many timeline events; 0: the daemon's cap. */
  timeline_limit?: number;
  /** Include the post-mortem (a draft while unresolved). */
  postmortem?: boolean;
  /** Include the remediation audit log. */
  audit?: boolean;
};

/** Who asks: the CLI's --as, $FIREWATCH_USER, or the login name; a token's name on a remote door. */
export type Actor = { actor: string };

export type CreateIncidentRequest = Actor & {
  incident_type: IncidentType;
  /** Default: the severity matrix's for the type. */
  severity?: Severity;
  title?: string;
  description?: string;
  components?: string[];
  assigned_to?: string;
};

/** Applied together or not at all; absent fields are left as they are. */
export type UpdateIncidentRequest = Actor & {
  incident_id: string;
  status?: string;
  severity?: Severity;
  notes?: string;
  assigned_to?: string;
  unassign?: boolean;
  acknowledge?: boolean;
};

export type MitigateRequest = Actor & {
  incident_id: string;
  action_id: string;
  /** Required for medium and high risk actions. */
  approved_by?: string;
  /** Show what would run; run nothing. */
  dry_run?: boolean;
};

export type TimelineRequest = {
  incident_id: string;
  /** Keep events whose type contains this text (status changes, notes and actions are always kept). */
  event_type?: string;
  source?: string;
  /** The newest N entries; 0: all (up to the daemon's cap). */
  limit?: number;
};

export type TestRuleRequest = Actor & {
  rule_id: string;
  /** A JSON array of IncidentEvents or OTLP/JSON export request(s); absent: sample events built from the rule. */
  events_json?: string;
  /** Evaluate only; false also feeds the events to the engine. */
  dry_run: boolean;
};

/** A live watch stream. */
export interface WatchHandle {
  /** Stops watching; `done` resolves. */
  cancel(): void;
  /** Resolves when the stream ends (cancelled, or the daemon ended it); rejects with a ControlError on failure. */
  readonly done: Promise<void>;
}

export interface ControlClient {
  /** Where it connects, for messages (`unix:/…/control.sock`, `host:port`). */
  readonly address: string;
  status(): Promise<DaemonStatusJson>;
  listIncidents(query: IncidentQuery): Promise<IncidentPage>;
  getIncident(incidentId: string, options?: IncidentDetailOptions): Promise<IncidentJson>;
  createIncident(request: CreateIncidentRequest): Promise<IncidentJson>;
  updateIncident(request: UpdateIncidentRequest): Promise<IncidentJson>;
  resolveIncident(request: Actor & { incident_id: string; notes?: string }): Promise<IncidentJson>;
  closeIncident(request: Actor & { incident_id: string; notes?: string }): Promise<IncidentJson>;
  listActions(incidentId: string): Promise<ActionListJson>;
  mitigate(request: MitigateRequest): Promise<MitigateResultJson>;
  timeline(request: TimelineRequest): Promise<TimelineJson>;
  postmortem(incidentId: string): Promise<PostmortemJson>;
  getTrace(traceId: string): Promise<TraceJson>;
  listRules(options?: { enabled_only?: boolean }): Promise<RuleJson[]>;
  getRule(ruleId: string): Promise<RuleJson>;
  setRulesEnabled(request: Actor & { rule_ids: string[]; enabled: boolean }): Promise<RuleJson[]>;
  updateRule(request: Actor & { rule_id: string; update: RuleUpdate }): Promise<RuleJson>;
  createRule(request: Actor & { rule: RuleDraft }): Promise<RuleJson>;
  resetRules(request: Actor & { rule_ids: string[] }): Promise<RuleJson[]>;
  testRule(request: TestRuleRequest): Promise<TestRuleResult>;
  stats(options?: { since?: string }): Promise<StatsJson>;
  /** Health per component over a recent window; `since` limits it to components seen since then. */
  components(options?: { since?: string }): Promise<ComponentsJson>;
  createSilence(request: CreateSilenceRequest): Promise<SilenceJson>;
  /** Silences in force, newest first; with `all`, ended and expired ones too. */
  listSilences(options?: { all?: boolean; limit?: number }): Promise<SilenceJson[]>;
  expireSilence(request: Actor & { silence_id: string }): Promise<SilenceJson>;
  /** Pending notifications then dead letters (only dead letters with `dead`), newest dead letters first. */
  listNotifications(query?: NotificationQuery): Promise<NotificationJson[]>;
  /** Puts dead letters back in the outbox: those named, or every one with `all_dead`. */
  retryNotifications(request: Actor & { notification_ids?: string[]; all_dead?: boolean }): Promise<RetriedNotificationJson[]>;
  /** Deletes a dead letter. */
  dropNotification(request: Actor & { notification_id: string }): Promise<NotificationJson>;
  /** Follows incidents: a sync message first, then updates, until cancelled or the stream fails. */
  watch(request: WatchRequest, onMessage: (message: WatchMessage) => void): WatchHandle;
  /** Releases the connection; pending calls fail. */
  close(): void;
}
