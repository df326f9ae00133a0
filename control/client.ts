// The gRPC side of the ControlClient contract (api/client.ts): one call per method over the daemon's control socket,
// replies turned into contract JSON (messages.ts), failures into ControlErrors with one clear sentence.

import * as grpc from '@grpc/grpc-js';
import type { ControlClient, WatchHandle } from '../api/client.js';
import { ControlError, type ControlErrorKind } from '../api/errors.js';
import { loadControlService, unixAddress } from './control-proto.js';
import {
  actionsFromWire,
  incidentFromWire,
  mitigateFromWire,
  postmortemFromWire,
  ruleFromWire,
  ruleToWire,
  statsFromWire,
  statusFromWire,
  componentsFromWire,
  notificationFromWire,
  silenceFromWire,
  testRuleFromWire,
  timelineFromWire,
  traceFromWire,
  watchMessageFromWire,
  type Wire,
} from './messages.js';

const DEFAULT_DEADLINE_MS = 10_000;
/** Largest reply a client accepts (a whole incident history as JSON); requests stay small. */
const MAX_REPLY_BYTES = 512 * 1024 * 1024;

type Callback = (error: grpc.ServiceError | null, response: Wire) => void;
type UnaryMethod = (request: Wire, options: grpc.CallOptions, callback: Callback) => void;
type StreamMethod = (request: Wire, options: grpc.CallOptions) => grpc.ClientReadableStream<Wire>;

export interface ConnectOptions {
  /** Per-call deadline; default 10 s. */
  deadlineMs?: number;
}

/** Where a daemon's control API is: its local socket, or a remote door (TLS, bearer token). */
export type ControlTarget = { socket: string } | RemoteTarget;

export interface RemoteTarget {
  /** host:port of the daemon's `service.control.endpoint`. */
  address: string;
  token: string;
  /** PEM of the CA that signed the daemon's certificate; default: the system's. */
  ca?: Buffer;
}

/** A client of the daemon at `target` (a socket path alone means the local socket). */
export function connectControl(target: string | ControlTarget, options: ConnectOptions = {}): ControlClient {
  const Control = loadControlService();
  const resolved: ControlTarget = typeof target === 'string' ? { socket: target } : target;
  const remote = 'address' in resolved ? resolved : undefined;
  const address = remote ? remote.address : unixAddress((resolved as { socket: string }).socket);
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  // `incidents list --limit 0` over a long history can exceed grpc-js's default 4 MiB reply limit.
  const client = new Control(address, remote ? remoteCredentials(remote) : grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_REPLY_BYTES,
  }) as unknown as grpc.Client & Record<string, unknown>;
  const where = remote ? remote.address : (resolved as { socket: string }).socket;

  function call(method: string, request: Wire): Promise<Wire> {
    return new Promise((resolve, reject) => {
      (client[method] as UnaryMethod).call(client, request, { deadline: Date.now() + deadlineMs }, (error, response) => {
        if (error) reject(describeError(error, where, remote === undefined));
        else resolve(response);
      });
    });
  }

  return {
    address,
    status: async () => statusFromWire(await call('GetStatus', {})),
    async listIncidents(query) {
      const reply = await call('ListIncidents', { ...query });
      const incidents = ((reply.incidents ?? []) as Wire[]).map(incidentFromWire);
      return { incidents, total_matched: Number(reply.total_matched ?? incidents.length) };
    },
    async getIncident(incidentId, options = {}) {
      return incidentFromWire(
        await call('GetIncident', {
          incident_id: incidentId,
          timeline: options.timeline ?? false,
          timeline_limit: options.timeline_limit ?? 0,
          postmortem: options.postmortem ?? false,
          audit: options.audit ?? false,
        }),
      );
    },
    createIncident: async (request) => incidentFromWire(await call('CreateIncident', { ...request })),
    updateIncident: async (request) => incidentFromWire(await call('UpdateIncident', { ...request })),
    resolveIncident: async (request) => incidentFromWire(await call('ResolveIncident', { ...request })),
    closeIncident: async (request) => incidentFromWire(await call('CloseIncident', { ...request })),
    listActions: async (incidentId) => actionsFromWire(await call('ListActions', { incident_id: incidentId }), incidentId),
    mitigate: async (request) => mitigateFromWire(await call('Mitigate', { ...request })),
    timeline: async (request) => timelineFromWire(await call('GetTimeline', { ...request }), request.incident_id),
    postmortem: async (incidentId) => postmortemFromWire(await call('GetPostmortem', { incident_id: incidentId }), incidentId),
    getTrace: async (traceId) => traceFromWire(await call('GetTrace', { trace_id: traceId })),
    async listRules(options = {}) {
      const reply = await call('ListRules', { enabled_only: options.enabled_only ?? false });
      return ((reply.rules ?? []) as Wire[]).map(ruleFromWire);
    },
    getRule: async (ruleId) => ruleFromWire(await call('GetRule', { rule_id: ruleId })),
    async setRulesEnabled(request) {
      const reply = await call('SetRulesEnabled', { ...request });
      return ((reply.rules ?? []) as Wire[]).map(ruleFromWire);
    },
    updateRule: async ({ rule_id, actor, update }) => ruleFromWire(await call('UpdateRule', { rule_id, actor, ...update })),
    createRule: async ({ rule, actor }) => ruleFromWire(await call('CreateRule', { rule: ruleToWire(rule), actor })),
    async resetRules(request) {
      const reply = await call('ResetRules', { ...request });
      return ((reply.rules ?? []) as Wire[]).map(ruleFromWire);
    },
    testRule: async (request) =>
      testRuleFromWire(
        await call('TestRule', { rule_id: request.rule_id, events_json: request.events_json ?? '', dry_run: request.dry_run, actor: request.actor }),
        request.rule_id,
      ),
    stats: async (options = {}) => statsFromWire(await call('GetStats', { since: options.since ?? '' })),
    components: async (options = {}) => componentsFromWire(await call('ListComponents', { since: options.since ?? '' })),
    createSilence: async (request) =>
      silenceFromWire(
        await call('CreateSilence', {
          actor: request.actor,
          component: request.component,
          incident_type: request.incident_type ?? '',
          duration_seconds: request.duration_seconds ?? 0,
          until: request.until ?? '',
          comment: request.comment,
        }),
      ),
    async listSilences(options = {}) {
      const reply = await call('ListSilences', { all: options.all ?? false, limit: options.limit ?? 0 });
      return ((reply.silences ?? []) as Wire[]).map(silenceFromWire);
    },
    expireSilence: async (request) => silenceFromWire(await call('ExpireSilence', { ...request })),
    async listNotifications(query = {}) {
      const reply = await call('ListNotifications', { dead: query.dead ?? false, channel: query.channel ?? '', limit: query.limit ?? 0 });
      return ((reply.notifications ?? []) as Wire[]).map(notificationFromWire);
    },
    async retryNotifications(request) {
      const reply = await call('RetryNotifications', { actor: request.actor, notification_ids: request.notification_ids ?? [], all_dead: request.all_dead ?? false });
      return ((reply.results ?? []) as Wire[]).map((result) => ({
        notification_id: String(result.notification_id ?? ''),
        retried: Boolean(result.retried),
        detail: String(result.detail ?? ''),
      }));
    },
    dropNotification: async (request) => notificationFromWire(await call('DropNotification', { ...request })),
    watch(request, onMessage): WatchHandle {
      const stream = (client.WatchIncidents as StreamMethod).call(
        client,
        {
          incident_id: request.incident_id ?? '',
          severity: request.severity ?? [],
          snapshot: request.snapshot ?? false,
          resume_daemon_id: request.resume?.daemon_id ?? '',
          resume_seq: request.resume?.seq ?? 0,
        },
        {},
      );
      let cancelled = false;
      const done = new Promise<void>((resolve, reject) => {
        stream.on('data', (wire: Wire) => {
          const message = watchMessageFromWire(wire);
          if (message !== undefined) onMessage(message);
        });
        stream.on('end', () => resolve());
        stream.on('error', (error: grpc.ServiceError) => {
          if (cancelled || error.code === grpc.status.CANCELLED) resolve();
          else reject(describeError(error, where, remote === undefined));
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
    close: () => client.close(),
  };
}

/** TLS, checked against `ca` (else the system's CAs), and the token on every call. */
function remoteCredentials(target: RemoteTarget): grpc.ChannelCredentials {
  const token = target.token;
  const bearer = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    callback(null, metadata);
  });
  return grpc.credentials.combineChannelCredentials(grpc.credentials.createSsl(target.ca ?? null), bearer);
}

const KIND_OF_STATUS: Partial<Record<grpc.status, ControlErrorKind>> = {
  [grpc.status.UNAVAILABLE]: 'unavailable',
  [grpc.status.DEADLINE_EXCEEDED]: 'timeout',
  [grpc.status.NOT_FOUND]: 'not_found',
  [grpc.status.INVALID_ARGUMENT]: 'bad_request',
  [grpc.status.FAILED_PRECONDITION]: 'refused',
  [grpc.status.UNAUTHENTICATED]: 'unauthenticated',
  [grpc.status.PERMISSION_DENIED]: 'forbidden',
  [grpc.status.RESOURCE_EXHAUSTED]: 'exhausted',
};

function describeError(error: grpc.ServiceError, where: string, local: boolean): ControlError {
  const kind = KIND_OF_STATUS[error.code] ?? 'internal';
  switch (kind) {
    case 'unavailable':
      if (/certificate|self.signed|SSL|TLS/i.test(error.details ?? '')) {
        return new ControlError(`cannot verify the TLS certificate of the firewatch daemon at ${where} (pass --ca FILE with the CA that signed it)`, kind, error.code);
      }
      return new ControlError(`no firewatch daemon is answering at ${where}${local ? ' (start one with `firewatch serve`, or pass --socket)' : ''}`, kind, error.code);
    case 'timeout':
      return new ControlError(`the firewatch daemon at ${where} did not answer in time`, kind, error.code);
    default:
      return new ControlError(error.details || error.message, kind, error.code);
  }
}
