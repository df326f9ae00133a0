// The daemon's side of the control API: a grpc-js server on a unix socket (mode 0600) that answers from a
// ControlBackend. The backend (daemon/serve.ts) owns the engine and the store; this module only speaks gRPC.

import * as grpc from '@grpc/grpc-js';
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { loadControlService, unixAddress } from './control-proto.js';
import { eventJsonToMessage, incidentJsonToMessage, ruleJsonToMessage, type JsonObject } from './messages.js';

export interface ListIncidentsQuery {
  statuses: string[];
  severities: string[];
  types: string[];
  components: string[];
  /** epoch ms, or undefined for no bound */
  sinceMs: number | undefined;
  limit: number;
}

export interface ControlBackend {
  status(): JsonObject;
  listIncidents(query: ListIncidentsQuery): { incidents: JsonObject[]; totalMatched: number };
  getIncident(incidentId: string, timeline: boolean, timelineLimit: number): JsonObject | undefined;
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
class BadRequest extends Error {}

function unary<Req, Res>(handler: (request: Req) => Res): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    try {
      callback(null, handler(call.request));
    } catch (error) {
      const code = error instanceof BadRequest ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL;
      callback({ code, details: (error as Error).message } as grpc.ServiceError);
    }
  };
}

function notFound(what: string): grpc.ServiceError {
  return { code: grpc.status.NOT_FOUND, details: `${what} not found` } as grpc.ServiceError;
}

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
  server.addService(service, {
    GetStatus: unary(() => backend.status()),
    ListIncidents: unary((request: JsonObject) => {
      const since = String(request.since ?? '');
      const sinceMs = since === '' ? undefined : Date.parse(since);
      if (sinceMs !== undefined && Number.isNaN(sinceMs)) throw new BadRequest(`since: not an ISO-8601 time: ${since}`);
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
    GetIncident: (call: grpc.ServerUnaryCall<JsonObject, JsonObject>, callback: grpc.sendUnaryData<JsonObject>) => {
      try {
        const id = String(call.request.incident_id ?? '');
        const found = backend.getIncident(id, Boolean(call.request.timeline), Number(call.request.timeline_limit ?? 0));
        if (!found) return callback(notFound(`incident ${id}`));
        callback(null, incidentJsonToMessage(found));
      } catch (error) {
        callback({ code: grpc.status.INTERNAL, details: (error as Error).message } as grpc.ServiceError);
      }
    },
    GetTrace: (call: grpc.ServerUnaryCall<JsonObject, JsonObject>, callback: grpc.sendUnaryData<JsonObject>) => {
      const id = String(call.request.trace_id ?? '').toLowerCase();
      if (!/^[0-9a-f]{32}$/.test(id)) {
        return callback({ code: grpc.status.INVALID_ARGUMENT, details: `trace ID must be 32 hex characters, got ${JSON.stringify(id.slice(0, 64))}` } as grpc.ServiceError);
      }
      try {
        const trace = backend.getTrace(id);
        if (!trace) return callback(notFound(`trace ${id}`));
        callback(null, { ...trace, events: ((trace.events ?? []) as JsonObject[]).map(eventJsonToMessage) });
      } catch (error) {
        callback({ code: grpc.status.INTERNAL, details: (error as Error).message } as grpc.ServiceError);
      }
    },
    ListRules: unary((request: JsonObject) => ({
      rules: backend.listRules(Boolean(request.enabled_only)).map(ruleJsonToMessage),
    })),
    GetRule: (call: grpc.ServerUnaryCall<JsonObject, JsonObject>, callback: grpc.sendUnaryData<JsonObject>) => {
      const id = String(call.request.rule_id ?? '');
      const rule = backend.getRule(id);
      if (!rule) return callback(notFound(`rule ${id}`));
      callback(null, ruleJsonToMessage(rule));
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
