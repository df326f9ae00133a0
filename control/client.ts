// The client side of the control API, used by the CLI (and later the terminal UI). Every reply is turned into the
// contract JSON of DESIGN.md; every failure into a ControlError with one clear sentence.

import * as grpc from '@grpc/grpc-js';
import { loadControlService, unixAddress } from './control-proto.js';
import { eventMessageToJson, incidentMessageToJson, ruleMessageToJson, type JsonObject } from './messages.js';

const DEFAULT_DEADLINE_MS = 10_000;

export class ControlError extends Error {
  constructor(
    message: string,
    readonly code: grpc.status | undefined,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export interface ListIncidentsRequest {
  status?: string[];
  severity?: string[];
  incident_type?: string[];
  component?: string[];
  since?: string;
  limit?: number;
}

export interface ControlClient {
  status(): Promise<JsonObject>;
  listIncidents(request: ListIncidentsRequest): Promise<{ incidents: JsonObject[]; totalMatched: number }>;
  getIncident(incidentId: string, options?: { timeline?: boolean; timelineLimit?: number }): Promise<JsonObject>;
  getTrace(traceId: string): Promise<JsonObject>;
  listRules(enabledOnly?: boolean): Promise<JsonObject[]>;
  getRule(ruleId: string): Promise<JsonObject>;
  close(): void;
}

type Callback = (error: grpc.ServiceError | null, response: JsonObject) => void;
type UnaryMethod = (request: JsonObject, options: grpc.CallOptions, callback: Callback) => void;

export function connectControl(socketPath: string, deadlineMs = DEFAULT_DEADLINE_MS): ControlClient {
  const Control = loadControlService();
  const client = new Control(unixAddress(socketPath), grpc.credentials.createInsecure()) as unknown as grpc.Client &
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
      });
      return incidentMessageToJson(reply);
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
