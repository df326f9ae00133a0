// The client side of the control API, used by the CLI (and later the terminal UI). Every reply is turned into the
// contract JSON of DESIGN.md; every failure into a ControlError with one clear sentence.

import * as grpc from '@grpc/grpc-js';
import { ControlError } from './control-error.js';
import { loadControlService, unixAddress } from './control-proto.js';
import type { RuleUpdateInput } from './server.js';
import {
  auditMessageToJson,
  eventMessageToJson,
  incidentMessageToJson,
  ruleJsonToMessage,
  ruleMessageToJson,
  statsMessageToJson,
  type JsonObject,
} from './messages.js';

const DEFAULT_DEADLINE_MS = 10_000;
/** Largest reply the CLI accepts (a whole incident history as JSON); requests stay small. */
const MAX_REPLY_BYTES = 512 * 1024 * 1024;

export { ControlError } from './control-error.js';

export interface ListIncidentsRequest {
  status?: string[];
  severity?: string[];
  incident_type?: string[];
  component?: string[];
  since?: string;
  limit?: number;
}

export interface GetIncidentRequestOptions {
  timeline?: boolean;
  timelineLimit?: number;
  postmortem?: boolean;
  audit?: boolean;
}

export interface CreateIncidentRequest {
  incident_type: string;
  severity?: string;
  title?: string;
  description?: string;
  components?: string[];
  assigned_to?: string;
  actor: string;
}

export interface UpdateIncidentRequest {
  incident_id: string;
  actor: string;
  status?: string;
  severity?: string;
  notes?: string;
  assigned_to?: string;
  unassign?: boolean;
  acknowledge?: boolean;
}

export interface MitigateRequest {
  incident_id: string;
  action_id: string;
  actor: string;
  approved_by?: string;
  dry_run?: boolean;
}

export interface TimelineRequest {
  incident_id: string;
  event_type?: string;
  source?: string;
  limit?: number;
}

/** The fields `rules update` may change (the server's own type). */
export type RuleUpdateRequest = RuleUpdateInput;

export interface TestRuleReply {
  rule_id: string;
  would_fire: boolean;
  fired_at: string | null;
  matched_events: number;
  events_evaluated: number;
  reason: string;
  dry_run: boolean;
  incident_ids: string[];
}

/** A live WatchIncidents stream. */
export interface IncidentWatch {
  /** Stops watching (the stream ends; `done` resolves). */
  cancel(): void;
  /** Resolves when the stream ends: cancelled, or the daemon went away (rejects with a ControlError then). */
  done: Promise<void>;
}

export interface ControlClient {
  status(): Promise<JsonObject>;
  listIncidents(request: ListIncidentsRequest): Promise<{ incidents: JsonObject[]; totalMatched: number }>;
  getIncident(incidentId: string, options?: GetIncidentRequestOptions): Promise<JsonObject>;
  createIncident(request: CreateIncidentRequest): Promise<JsonObject>;
  updateIncident(request: UpdateIncidentRequest): Promise<JsonObject>;
  resolveIncident(incidentId: string, actor: string, notes?: string): Promise<JsonObject>;
  closeIncident(incidentId: string, actor: string, notes?: string): Promise<JsonObject>;
  listActions(incidentId: string): Promise<{ incident_id: string; actions: JsonObject[]; manual_steps: string[] }>;
  mitigate(request: MitigateRequest): Promise<{ summary: string; outcome: string; audit: JsonObject[]; incident: JsonObject }>;
  timeline(request: TimelineRequest): Promise<{ incident_id: string; entries: JsonObject[]; total: number }>;
  postmortem(incidentId: string): Promise<{ incident_id: string; markdown: string; draft: boolean; generated_at: string }>;
  setRulesEnabled(ruleIds: string[], enabled: boolean, actor: string): Promise<JsonObject[]>;
  updateRule(ruleId: string, update: RuleUpdateRequest, actor: string): Promise<JsonObject>;
  createRule(rule: JsonObject, actor: string): Promise<JsonObject>;
  resetRules(ruleIds: string[], actor: string): Promise<JsonObject[]>;
  testRule(ruleId: string, options: { eventsJson?: string; dryRun: boolean; actor: string }): Promise<TestRuleReply>;
  stats(since?: string): Promise<JsonObject>;
  /** Calls `onUpdate` with { kind, at, incident, summary } for each change until cancelled. */
  watchIncidents(filter: { incident_id?: string; severity?: string[] }, onUpdate: (update: JsonObject) => void): IncidentWatch;
  getTrace(traceId: string): Promise<JsonObject>;
  listRules(enabledOnly?: boolean): Promise<JsonObject[]>;
  getRule(ruleId: string): Promise<JsonObject>;
  close(): void;
}

type Callback = (error: grpc.ServiceError | null, response: JsonObject) => void;
type UnaryMethod = (request: JsonObject, options: grpc.CallOptions, callback: Callback) => void;

export function connectControl(socketPath: string, deadlineMs = DEFAULT_DEADLINE_MS): ControlClient {
  const Control = loadControlService();
  // `incidents list --limit 0` over a long history can exceed grpc-js's default 4 MiB reply limit.
  const client = new Control(unixAddress(socketPath), grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_REPLY_BYTES,
  }) as unknown as grpc.Client &
    Record<string, UnaryMethod>;

  function call(method: string, request: JsonObject): Promise<JsonObject> {
    return new Promise((resolve, reject) => {
      const fn = client[method]!.bind(client);
      fn(request, { deadline: Date.now() + deadlineMs }, (error, response) => {
        if (error) reject(describeError(error, socketPath));
        else resolve(response);
      });
    });
  }

  return {
    status: () => call('GetStatus', {}),
    async listIncidents(request) {
      const reply = await call('ListIncidents', { ...request });
      const incidents = ((reply.incidents ?? []) as JsonObject[]).map(incidentMessageToJson);
      return { incidents, totalMatched: Number(reply.total_matched ?? incidents.length) };
    },
    async getIncident(incidentId, options = {}) {
      const reply = await call('GetIncident', {
        incident_id: incidentId,
        timeline: options.timeline ?? false,
        timeline_limit: options.timelineLimit ?? 0,
        postmortem: options.postmortem ?? false,
        audit: options.audit ?? false,
      });
      return incidentMessageToJson(reply);
    },
    async createIncident(request) {
      return incidentMessageToJson(await call('CreateIncident', { ...request }));
    },
    async updateIncident(request) {
      return incidentMessageToJson(await call('UpdateIncident', { ...request }));
    },
    async resolveIncident(incidentId, actor, notes = '') {
      return incidentMessageToJson(await call('ResolveIncident', { incident_id: incidentId, actor, notes }));
    },
    async closeIncident(incidentId, actor, notes = '') {
      return incidentMessageToJson(await call('CloseIncident', { incident_id: incidentId, actor, notes }));
    },
    async listActions(incidentId) {
      const reply = await call('ListActions', { incident_id: incidentId });
      return {
        incident_id: String(reply.incident_id ?? incidentId),
        actions: ((reply.actions ?? []) as JsonObject[]).map((action) => ({
          action_id: action.action_id,
          description: action.description ?? '',
          risk: action.risk,
          effect: action.effect || null,
          status: action.status,
          recommended: Boolean(action.recommended),
          approvers: action.approvers ?? [],
        })),
        manual_steps: (reply.manual_steps ?? []) as string[],
      };
    },
    async mitigate(request) {
      const reply = await call('Mitigate', { ...request });
      return {
        summary: String(reply.summary ?? ''),
        outcome: String(reply.outcome ?? ''),
        audit: ((reply.audit ?? []) as JsonObject[]).map(auditMessageToJson),
        incident: incidentMessageToJson((reply.incident ?? {}) as JsonObject),
      };
    },
    async timeline(request) {
      const reply = await call('GetTimeline', { ...request });
      return {
        incident_id: String(reply.incident_id ?? request.incident_id),
        entries: ((reply.entries ?? []) as JsonObject[]).map((entry) => ({
          at: entry.at || null,
          kind: entry.kind,
          severity: entry.severity || null,
          source: entry.source ?? '',
          text: entry.text ?? '',
          event_type: entry.event_type || null,
          event_id: entry.event_id || null,
          trace_id: entry.trace_id || null,
        })),
        total: Number(reply.total ?? 0),
      };
    },
    async setRulesEnabled(ruleIds, enabled, actor) {
      const reply = await call('SetRulesEnabled', { rule_ids: ruleIds, enabled, actor });
      return ((reply.rules ?? []) as JsonObject[]).map(ruleMessageToJson);
    },
    async updateRule(ruleId, update, actor) {
      return ruleMessageToJson(await call('UpdateRule', { rule_id: ruleId, actor, ...update }));
    },
    async createRule(rule, actor) {
      return ruleMessageToJson(await call('CreateRule', { rule: ruleJsonToMessage({ builtin: false, ...rule }), actor }));
    },
    async resetRules(ruleIds, actor) {
      const reply = await call('ResetRules', { rule_ids: ruleIds, actor });
      return ((reply.rules ?? []) as JsonObject[]).map(ruleMessageToJson);
    },
    async testRule(ruleId, options) {
      const reply = await call('TestRule', { rule_id: ruleId, events_json: options.eventsJson ?? '', dry_run: options.dryRun, actor: options.actor });
      return {
        rule_id: String(reply.rule_id ?? ruleId),
        would_fire: Boolean(reply.would_fire),
        fired_at: reply.fired_at ? String(reply.fired_at) : null,
        matched_events: Number(reply.matched_events ?? 0),
        events_evaluated: Number(reply.events_evaluated ?? 0),
        reason: String(reply.reason ?? ''),
        dry_run: Boolean(reply.dry_run),
        incident_ids: (reply.incident_ids ?? []) as string[],
      };
    },
    async stats(since) {
      return statsMessageToJson(await call('GetStats', { since: since ?? '' }));
    },
    watchIncidents(filter, onUpdate) {
      const stream = (client as unknown as Record<string, (request: JsonObject) => grpc.ClientReadableStream<JsonObject>>)
        .WatchIncidents!.call(client, { incident_id: filter.incident_id ?? '', severity: filter.severity ?? [] });
      let cancelled = false;
      const done = new Promise<void>((resolve, reject) => {
        stream.on('data', (update: JsonObject) =>
          onUpdate({ ...update, incident: incidentMessageToJson((update.incident ?? {}) as JsonObject) }),
        );
        stream.on('end', () => resolve());
        stream.on('error', (error: grpc.ServiceError) => {
          if (cancelled || error.code === grpc.status.CANCELLED) resolve();
          else reject(describeError(error, socketPath));
        });
      });
      return {
        cancel() {
          cancelled = true;
          stream.cancel();
        },
        done,
      };
    },
    async postmortem(incidentId) {
      const reply = await call('GetPostmortem', { incident_id: incidentId });
      return {
        incident_id: String(reply.incident_id ?? incidentId),
        markdown: String(reply.markdown ?? ''),
        draft: Boolean(reply.draft),
        generated_at: String(reply.generated_at ?? ''),
      };
    },
    async getTrace(traceId) {
      const reply = await call('GetTrace', { trace_id: traceId });
      return {
        trace_id: reply.trace_id,
        services: reply.services ?? [],
        incident_ids: reply.incident_ids ?? [],
        spans: reply.spans ?? [],
        events: ((reply.events ?? []) as JsonObject[]).map(eventMessageToJson),
      };
    },
    async listRules(enabledOnly = false) {
      const reply = await call('ListRules', { enabled_only: enabledOnly });
      return ((reply.rules ?? []) as JsonObject[]).map(ruleMessageToJson);
    },
    async getRule(ruleId) {
      return ruleMessageToJson(await call('GetRule', { rule_id: ruleId }));
    },
    close: () => client.close(),
  };
}

function describeError(error: grpc.ServiceError, socketPath: string): ControlError {
  switch (error.code) {
    case grpc.status.UNAVAILABLE:
      return new ControlError(
        `no firewatch daemon is answering at ${socketPath} (start one with \`firewatch serve\`, or pass --socket)`,
        error.code,
      );
    case grpc.status.DEADLINE_EXCEEDED:
      return new ControlError(`the firewatch daemon at ${socketPath} did not answer in time`, error.code);
    default:
      return new ControlError(error.details || error.message, error.code);
  }
}
