// What a transport asks of the daemon: the control calls in contract types (api/), answered by daemon/'s control
// backend. Transports only translate: the gRPC server (server.ts) and the in-process client (local-client.ts) that
// `firewatch` with no command hands its terminal UI both call this, so every door behaves the same.
//
// Methods throw ControlErrors (api/errors.ts); the three a backend raises on purpose have names of their own.

import type {
  ActionListJson,
  IncidentJson,
  MitigateResultJson,
  PostmortemJson,
  TimelineJson,
} from '../api/incident.js';
import type { ComponentsJson } from '../api/component.js';
import type { NotificationJson, RetriedNotificationJson } from '../api/notification.js';
import type { SilenceJson } from '../api/silence.js';
import { ControlError } from '../api/errors.js';
import type { RuleDraft, RuleJson, RuleUpdate, TestRuleResult } from '../api/rule.js';
import type { StatsJson } from '../api/stats.js';
import type { DaemonStatusJson } from '../api/status.js';
import type { TraceJson } from '../api/trace.js';
import type { WatchMessage } from '../api/update.js';

/** A request the client got wrong (a bad value): gRPC INVALID_ARGUMENT. */
export class BadRequest extends ControlError {
  constructor(message: string) {
    super(message, 'bad_request');
  }
}

/** A change the workflow refuses (state machine, approvals, cooldowns…): gRPC FAILED_PRECONDITION. */
export class RequestRefused extends ControlError {
  constructor(message: string) {
    super(message, 'refused');
  }
}

/** An id that does not exist: gRPC NOT_FOUND. */
export class NotFound extends ControlError {
  constructor(message: string) {
    super(message, 'not_found');
  }
}

export interface IncidentListQuery {
  statuses: string[];
  severities: string[];
  types: string[];
  components: string[];
  /** epoch ms; undefined: no bound */
  sinceMs: number | undefined;
  /** 0: all */
  limit: number;
}

export interface IncidentDetailQuery {
  timeline: boolean;
  /** 0: the daemon's cap */
  timelineLimit: number;
  postmortem: boolean;
  audit: boolean;
}

export interface CreateIncidentInput {
  incident_type: string;
  /** '' for the severity matrix's default */
  severity: string;
  title: string;
  description: string;
  components: string[];
  assigned_to: string;
  actor: string;
}

/** '' / false: leave as it is. */
export interface UpdateIncidentInput {
  incident_id: string;
  actor: string;
  status: string;
  severity: string;
  notes: string;
  assigned_to: string;
  unassign: boolean;
  acknowledge: boolean;
}

export interface MitigateInput {
  incident_id: string;
  action_id: string;
  actor: string;
  /** '' when none */
  approved_by: string;
  dry_run: boolean;
}

export interface TimelineQuery {
  incident_id: string;
  event_type: string;
  source: string;
  /** 0: all (up to the daemon's cap) */
  limit: number;
}

export interface WatchQuery {
  /** '' for all */
  incident_id: string;
  /** lowercase; empty for all */
  severities: string[];
  snapshot: boolean;
  resume: { daemon_id: string; seq: number } | null;
}

/** '' / 0: not given. Exactly one of duration_seconds and until. */
export interface CreateSilenceInput {
  actor: string;
  component: string;
  incident_type: string;
  duration_seconds: number;
  /** ISO-8601 */
  until: string;
  comment: string;
}

export interface NotificationListQuery {
  dead: boolean;
  /** '' for all */
  channel: string;
  /** 0: the daemon's default */
  limit: number;
}


export interface ControlBackend {
  status(): DaemonStatusJson;
  listIncidents(query: IncidentListQuery): { incidents: IncidentJson[]; total_matched: number };
  getIncident(incidentId: string, query: IncidentDetailQuery): IncidentJson | undefined;
  createIncident(input: CreateIncidentInput): Promise<IncidentJson>;
  updateIncident(input: UpdateIncidentInput): Promise<IncidentJson>;
  resolveIncident(incidentId: string, actor: string, notes: string): Promise<IncidentJson>;
  closeIncident(incidentId: string, actor: string, notes: string): Promise<IncidentJson>;
  listActions(incidentId: string): ActionListJson;
  mitigate(input: MitigateInput): Promise<MitigateResultJson>;
  timeline(query: TimelineQuery): TimelineJson;
  postmortem(incidentId: string): PostmortemJson;
  setRulesEnabled(ruleIds: string[], enabled: boolean, actor: string): Promise<RuleJson[]>;
  updateRule(ruleId: string, update: RuleUpdate, actor: string): Promise<RuleJson>;
  createRule(rule: RuleDraft, actor: string): Promise<RuleJson>;
  /** The rules named as they are after the reset (rules created at runtime are gone). */
  resetRules(ruleIds: string[], actor: string): Promise<RuleJson[]>;
  testRule(ruleId: string, eventsJson: string, dryRun: boolean, actor: string): Promise<TestRuleResult>;
  stats(sinceMs: number | undefined): StatsJson;
  components(sinceMs: number | undefined): ComponentsJson;
  /** Sends a sync, then every matching update, until the returned function is called. */
  watch(query: WatchQuery, send: (message: WatchMessage) => void): () => void;
  getTrace(traceId: string): TraceJson | undefined;
  listRules(enabledOnly: boolean): RuleJson[];
  getRule(ruleId: string): RuleJson | undefined;
  createSilence(input: CreateSilenceInput): Promise<SilenceJson>;
  /** In force only, unless `all`; newest first; 0: the daemon's default limit. */
  listSilences(all: boolean, limit: number): SilenceJson[];
  expireSilence(silenceId: string, actor: string): Promise<SilenceJson>;
  listNotifications(query: NotificationListQuery): NotificationJson[];
  /** The dead letters named (or every one, with `allDead`) back in the outbox, due now. */
  retryNotifications(ids: string[], allDead: boolean, actor: string): Promise<RetriedNotificationJson[]>;
  dropNotification(id: string, actor: string): Promise<NotificationJson>;
}
