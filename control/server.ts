// The daemon's side of the control API: a grpc-js server on a unix socket (mode 0600) that answers from a
// ControlBackend. The backend (daemon/serve.ts) owns the engine and the store; this module only speaks gRPC.

import { parseIsoInstant } from '../common/time.js';
import * as grpc from '@grpc/grpc-js';
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { loadControlService, unixAddress } from './control-proto.js';

import {
  auditJsonToMessage,
  eventJsonToMessage,
  incidentJsonToMessage,
  ruleJsonToMessage,
  ruleMessageToJson,
  statsJsonToMessage,
  type JsonObject,
} from './messages.js';

export interface ListIncidentsQuery {
  statuses: string[];
  severities: string[];
  types: string[];
  components: string[];
  /** epoch ms, or undefined for no bound */
  sinceMs: number | undefined;
  limit: number;
}

export interface GetIncidentOptions {
  timeline: boolean;
  /** 0: the server's cap */
  timelineLimit: number;
  postmortem: boolean;
  audit: boolean;
}

export interface CreateIncidentInput {
  incident_type: string;
  severity: string;
  title: string;
  description: string;
  components: string[];
  assigned_to: string;
  actor: string;
}

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
  approved_by: string;
  dry_run: boolean;
}

export interface TimelineQuery {
  incident_id: string;
  event_type: string;
  source: string;
  limit: number;
}

export interface RuleUpdateInput {
  error_threshold?: number;
  time_window_seconds?: number;
  check_interval_seconds?: number;
  severity?: string;
}

export interface WatchFilter {
  incident_id: string;
  severities: string[];
}

/** One message of the WatchIncidents stream: { kind, at, incident (contract JSON), summary }. */
export type IncidentUpdateJson = JsonObject;

/**
 * What the daemon answers with. Methods throw RequestRefused (FAILED_PRECONDITION), NotFound or BadRequest
 * (INVALID_ARGUMENT) with one clear line; anything else is INTERNAL.
 */
export interface ControlBackend {
  status(): JsonObject;
  listIncidents(query: ListIncidentsQuery): { incidents: JsonObject[]; totalMatched: number };
  getIncident(incidentId: string, options: GetIncidentOptions): JsonObject | undefined;
  createIncident(input: CreateIncidentInput): Promise<JsonObject>;
  updateIncident(input: UpdateIncidentInput): Promise<JsonObject>;
  resolveIncident(incidentId: string, actor: string, notes: string): Promise<JsonObject>;
  closeIncident(incidentId: string, actor: string, notes: string): Promise<JsonObject>;
  listActions(incidentId: string): { actions: JsonObject[]; manual_steps: string[] };
  /** { summary, outcome, audit: AuditEntryJson[], incident: IncidentJson } */
  mitigate(input: MitigateInput): Promise<JsonObject>;
  /** { entries, total } */
  timeline(query: TimelineQuery): JsonObject;
  /** { markdown, draft, generated_at } */
  postmortem(incidentId: string): JsonObject;
  setRulesEnabled(ruleIds: string[], enabled: boolean, actor: string): Promise<JsonObject[]>;
  updateRule(ruleId: string, update: RuleUpdateInput, actor: string): Promise<JsonObject>;
  createRule(rule: JsonObject, actor: string): Promise<JsonObject>;
  /** The rules named as they are after the reset (rules created at runtime are gone). */
  resetRules(ruleIds: string[], actor: string): Promise<JsonObject[]>;
  /** { rule_id, would_fire, fired_at, matched_events, events_evaluated, reason, dry_run, incident_ids } */
  testRule(ruleId: string, eventsJson: string, dryRun: boolean, actor: string): Promise<JsonObject>;
  /** The contract JSON of `incidents stats`. */
  stats(sinceMs: number | undefined): JsonObject;
  /** Calls `send` with every update matching the filter until the returned function is called. */
  watch(filter: WatchFilter, send: (update: IncidentUpdateJson) => void): () => void;
  /** The trace as contract JSON ({trace_id, spans, events, services, incident_ids}); undefined when unknown. */
  getTrace(traceId: string): JsonObject | undefined;
  listRules(enabledOnly: boolean): JsonObject[];
  getRule(ruleId: string): JsonObject | undefined;
}

export interface ControlServer {
  readonly socketPath: string;
  stop(): Promise<void>;
}

/** A request the client got wrong: answered with INVALID_ARGUMENT. */
export class BadRequest extends Error {}
/** A change the workflow refuses (state machine, approvals, cooldowns…): FAILED_PRECONDITION. */
export class RequestRefused extends Error {}
/** An id that does not exist: NOT_FOUND. */
export class NotFound extends Error {}

function statusOf(error: unknown): grpc.status {
  if (error instanceof BadRequest) return grpc.status.INVALID_ARGUMENT;
  if (error instanceof RequestRefused) return grpc.status.FAILED_PRECONDITION;
  if (error instanceof NotFound) return grpc.status.NOT_FOUND;
  return grpc.status.INTERNAL;
}

function unary<Req, Res>(handler: (request: Req) => Res | Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(call.request))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback({ code: statusOf(error), details: (error as Error).message } as grpc.ServiceError),
      );
  };
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** A request's `since` (ISO-8601) as epoch ms; undefined when empty. */
function sinceOf(request: JsonObject): number | undefined {
  const since = text(request.since);
  if (since === '') return undefined;
  const ms = parseIsoInstant(since);
  if (ms === undefined) throw new BadRequest(`since: not an ISO-8601 time: ${since}`);
  return ms;
}

/** Bytes a WatchIncidents stream may have queued for a client that does not read before it is cut off. */
const MAX_WATCH_BUFFER_BYTES = 16 * 1024 * 1024;

/** True when something accepts connections on the socket (a live daemon), false for a stale file. */
function socketIsLive(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

export async function startControlServer(socketPath: string, backend: ControlBackend): Promise<ControlServer> {
  if (existsSync(socketPath)) {
    if (await socketIsLive(socketPath)) {
      throw new Error(`another firewatch daemon is already listening on ${socketPath}`);
    }
    unlinkSync(socketPath); // left behind by a daemon that was killed
  }
  const service = loadControlService().service;
  const server = new grpc.Server();
  /** Open WatchIncidents streams: ended on stop, so shutdown does not wait for watchers to hang up. */
  const watchers = new Set<grpc.ServerWritableStream<JsonObject, JsonObject>>();
  server.addService(service, {
    GetStatus: unary(() => backend.status()),
    ListIncidents: unary((request: JsonObject) => {
      const sinceMs = sinceOf(request);
      const page = backend.listIncidents({
        statuses: (request.status as string[]) ?? [],
        severities: (request.severity as string[]) ?? [],
        types: (request.incident_type as string[]) ?? [],
        components: (request.component as string[]) ?? [],
        sinceMs,
        limit: Number(request.limit ?? 0),
      });
      return { incidents: page.incidents.map(incidentJsonToMessage), total_matched: page.totalMatched };
    }),
    GetIncident: unary((request: JsonObject) => {
      const id = text(request.incident_id);
      const found = backend.getIncident(id, {
        timeline: Boolean(request.timeline),
        timelineLimit: Number(request.timeline_limit ?? 0),
        postmortem: Boolean(request.postmortem),
        audit: Boolean(request.audit),
      });
      if (!found) throw new NotFound(`incident ${id} not found`);
      return incidentJsonToMessage(found);
    }),
    GetTrace: unary((request: JsonObject) => {
      const id = text(request.trace_id).toLowerCase();
      if (!/^[0-9a-f]{32}$/.test(id)) throw new BadRequest(`trace ID must be 32 hex characters, got ${JSON.stringify(id.slice(0, 64))}`);
      const trace = backend.getTrace(id);
      if (!trace) throw new NotFound(`trace ${id} not found`);
      return { ...trace, events: ((trace.events ?? []) as JsonObject[]).map(eventJsonToMessage) };
    }),
    ListRules: unary((request: JsonObject) => ({
      rules: backend.listRules(Boolean(request.enabled_only)).map(ruleJsonToMessage),
    })),
    GetRule: unary((request: JsonObject) => {
      const id = text(request.rule_id);
      const rule = backend.getRule(id);
      if (!rule) throw new NotFound(`rule ${id} not found`);
      return ruleJsonToMessage(rule);
    }),
    CreateIncident: unary(async (request: JsonObject) =>
      incidentJsonToMessage(
        await backend.createIncident({
          incident_type: text(request.incident_type),
          severity: text(request.severity),
          title: text(request.title),
          description: text(request.description),
          components: ((request.components ?? []) as string[]).map(String),
          assigned_to: text(request.assigned_to),
          actor: text(request.actor),
        }),
      ),
    ),
    UpdateIncident: unary(async (request: JsonObject) =>
      incidentJsonToMessage(
        await backend.updateIncident({
          incident_id: text(request.incident_id),
          actor: text(request.actor),
          status: text(request.status),
          severity: text(request.severity),
          notes: text(request.notes),
          assigned_to: text(request.assigned_to),
          unassign: Boolean(request.unassign),
          acknowledge: Boolean(request.acknowledge),
        }),
      ),
    ),
    ResolveIncident: unary(async (request: JsonObject) =>
      incidentJsonToMessage(await backend.resolveIncident(text(request.incident_id), text(request.actor), text(request.notes))),
    ),
    CloseIncident: unary(async (request: JsonObject) =>
      incidentJsonToMessage(await backend.closeIncident(text(request.incident_id), text(request.actor), text(request.notes))),
    ),
    ListActions: unary((request: JsonObject) => {
      const id = text(request.incident_id);
      return { incident_id: id, ...backend.listActions(id) };
    }),
    Mitigate: unary(async (request: JsonObject) => {
      const reply = await backend.mitigate({
        incident_id: text(request.incident_id),
        action_id: text(request.action_id),
        actor: text(request.actor),
        approved_by: text(request.approved_by),
        dry_run: Boolean(request.dry_run),
      });
      return {
        ...reply,
        audit: ((reply.audit ?? []) as JsonObject[]).map(auditJsonToMessage),
        incident: incidentJsonToMessage(reply.incident as JsonObject),
      };
    }),
    GetTimeline: unary((request: JsonObject) => {
      const id = text(request.incident_id);
      return {
        incident_id: id,
        ...backend.timeline({ incident_id: id, event_type: text(request.event_type), source: text(request.source), limit: Number(request.limit ?? 0) }),
      };
    }),
    GetPostmortem: unary((request: JsonObject) => {
      const id = text(request.incident_id);
      return { incident_id: id, ...backend.postmortem(id) };
    }),
    SetRulesEnabled: unary(async (request: JsonObject) => ({
      rules: (
        await backend.setRulesEnabled(((request.rule_ids ?? []) as string[]).map(String), Boolean(request.enabled), text(request.actor))
      ).map(ruleJsonToMessage),
    })),
    UpdateRule: unary(async (request: JsonObject) => {
      const update: RuleUpdateInput = {};
      if (request.error_threshold !== undefined && request.error_threshold !== null) update.error_threshold = Number(request.error_threshold);
      if (request.time_window_seconds !== undefined && request.time_window_seconds !== null) update.time_window_seconds = Number(request.time_window_seconds);
      if (request.check_interval_seconds !== undefined && request.check_interval_seconds !== null) update.check_interval_seconds = Number(request.check_interval_seconds);
      if (typeof request.severity === 'string') update.severity = request.severity;
      return ruleJsonToMessage(await backend.updateRule(text(request.rule_id), update, text(request.actor)));
    }),
    CreateRule: unary(async (request: JsonObject) => {
      const message = (request.rule ?? {}) as JsonObject;
      const rule = ruleMessageToJson(message);
      delete rule.builtin;
      delete rule.history;
      // No match given: the rule inherits the match of the built-in rule of its incident type (rule-config.ts).
      if (message.match === undefined || message.match === null) delete rule.match;
      return ruleJsonToMessage(await backend.createRule(rule, text(request.actor)));
    }),
    ResetRules: unary(async (request: JsonObject) => ({
      rules: (await backend.resetRules(((request.rule_ids ?? []) as string[]).map(String), text(request.actor))).map(ruleJsonToMessage),
    })),
    TestRule: unary(async (request: JsonObject) =>
      backend.testRule(text(request.rule_id), text(request.events_json), Boolean(request.dry_run), text(request.actor)),
    ),
    GetStats: unary((request: JsonObject) => statsJsonToMessage(backend.stats(sinceOf(request)))),
    WatchIncidents: (call: grpc.ServerWritableStream<JsonObject, JsonObject>) => {
      const stop = backend.watch(
        { incident_id: text(call.request.incident_id), severities: ((call.request.severity ?? []) as string[]).map((s) => String(s).toLowerCase()) },
        (update) => {
          if (call.cancelled || call.destroyed) return;
          // A watcher that stopped reading (a paused pager, a hung client) must not grow the daemon's memory.
          if (call.writableLength > MAX_WATCH_BUFFER_BYTES) {
            end();
            call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: 'watch stream fell too far behind; reconnect' });
            return;
          }
          call.write({ ...update, incident: incidentJsonToMessage(update.incident as JsonObject) });
        },
      );
      watchers.add(call);
      function end(): void {
        watchers.delete(call);
        stop();
      }
      call.on('cancelled', end);
      call.on('close', end);
      call.on('error', end);
    },
  });

  // The socket must never be reachable by other users, not even for the instant between bind and chmod.
  const previousUmask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(unixAddress(socketPath), grpc.ServerCredentials.createInsecure(), (error) =>
        error ? reject(new Error(`cannot listen on control socket ${socketPath}: ${error.message}`)) : resolve(),
      );
    });
  } finally {
    process.umask(previousUmask);
  }
  chmodSync(socketPath, 0o600);

  return {
    socketPath,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const call of watchers) call.end();
        watchers.clear();
        const force = setTimeout(() => server.forceShutdown(), 2_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          try {
            if (existsSync(socketPath)) unlinkSync(socketPath);
          } catch {
            // already gone
          }
          resolve();
        });
      }),
  };
}
