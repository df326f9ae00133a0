// The daemon's side of the control API: a grpc-js server on a unix socket (mode 0600) that answers from a
// ControlBackend (backend.ts). It only translates: wire messages in and out (messages.ts), ControlErrors to gRPC
// status codes. The backend (daemon/control-backend.ts) owns the engine and the store.

import * as grpc from '@grpc/grpc-js';
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import * as tls from 'node:tls';
import { isControlError, type ControlErrorKind } from '../api/errors.js';
import type { RuleUpdate } from '../api/rule.js';
import { parseHostPort, withPort } from '../common/endpoint.js';
import { authenticate, authorize, type TokenTable } from './access.js';
import { NotFound, type ControlBackend } from './backend.js';
import { checkedTraceId, sinceMsOf } from './request-checks.js';
import type { TlsIdentity } from './door-config.js';
import { loadControlService, unixAddress } from './control-proto.js';
import {
  actionsToWire,
  componentsToWire,
  notificationToWire,
  silenceToWire,
  incidentToWire,
  mitigateToWire,
  ruleDraftFromWire,
  ruleToWire,
  statsToWire,
  timelineToWire,
  traceToWire,
  watchMessageToWire,
  type Wire,
} from './messages.js';

export interface ControlServer {
  readonly socketPath: string;
  stop(): Promise<void>;
}

const STATUS_OF_KIND: Record<ControlErrorKind, grpc.status> = {
  unavailable: grpc.status.UNAVAILABLE,
  timeout: grpc.status.DEADLINE_EXCEEDED,
  not_found: grpc.status.NOT_FOUND,
  bad_request: grpc.status.INVALID_ARGUMENT,
  refused: grpc.status.FAILED_PRECONDITION,
  unauthenticated: grpc.status.UNAUTHENTICATED,
  forbidden: grpc.status.PERMISSION_DENIED,
  exhausted: grpc.status.RESOURCE_EXHAUSTED,
  internal: grpc.status.INTERNAL,
};

function statusOf(error: unknown): grpc.status {
  return isControlError(error) ? STATUS_OF_KIND[error.kind] : grpc.status.INTERNAL;
}

/**
 * The request as the backend should see it after the door's checks: on a door with tokens, the caller must present
 * one whose role allows the call, and what the call records is recorded under the token's name.
 */
function admitted(door: Door, call: string, request: Wire, metadata: grpc.Metadata): Wire {
  if (door.tokens === null) return request;
  const principal = authenticate(door.tokens, metadata.get('authorization')[0]);
  authorize(principal, call, request);
  return 'actor' in request || ACTS.has(call) ? { ...request, actor: principal.name } : request;
}

/** Calls whose request names who acts (`actor`). */
const ACTS: ReadonlySet<string> = new Set([
  'CreateIncident',
  'UpdateIncident',
  'ResolveIncident',
  'CloseIncident',
  'Mitigate',
  'SetRulesEnabled',
  'UpdateRule',
  'CreateRule',
  'ResetRules',
  'TestRule',
]);

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

/** A request's `since` (ISO-8601) as epoch ms; undefined when empty. */
function sinceOf(request: Wire): number | undefined {
  return sinceMsOf(text(request.since));
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

/** A door of the control API: the local socket trusts its caller; a TCP door checks tokens and roles. */
export interface Door {
  tokens: TokenTable | null;
}

/** The service's handlers over a backend, as one door admits calls. Open watch streams are added to `watchers`. */
function controlHandlers(backend: ControlBackend, door: Door, watchers: Set<grpc.ServerWritableStream<Wire, Wire>>): grpc.UntypedServiceImplementation {
  function unary<Res>(name: string, handler: (request: Wire) => Res | Promise<Res>): grpc.handleUnaryCall<Wire, Res> {
    return (call, callback) => {
      Promise.resolve()
        .then(() => handler(admitted(door, name, call.request, call.metadata)))
        .then(
          (response) => callback(null, response),
          (error: unknown) => callback({ code: statusOf(error), details: (error as Error).message } as grpc.ServiceError),
        );
    };
  }
  return {
    GetStatus: unary('GetStatus', () => backend.status()),
    ListIncidents: unary('ListIncidents', (request) => {
      const page = backend.listIncidents({
        statuses: strings(request.status),
        severities: strings(request.severity),
        types: strings(request.incident_type),
        components: strings(request.component),
        sinceMs: sinceOf(request),
        limit: Number(request.limit ?? 0),
      });
      return { incidents: page.incidents.map(incidentToWire), total_matched: page.total_matched };
    }),
    GetIncident: unary('GetIncident', (request) => {
      const id = text(request.incident_id);
      const found = backend.getIncident(id, {
        timeline: Boolean(request.timeline),
        timelineLimit: Number(request.timeline_limit ?? 0),
        postmortem: Boolean(request.postmortem),
        audit: Boolean(request.audit),
      });
      if (!found) throw new NotFound(`incident ${id} not found`);
      return incidentToWire(found);
    }),
    GetTrace: unary('GetTrace', (request) => {
      const id = checkedTraceId(text(request.trace_id));
      const trace = backend.getTrace(id);
      if (!trace) throw new NotFound(`trace ${id} not found`);
      return traceToWire(trace);
    }),
    ListRules: unary('ListRules', (request) => ({ rules: backend.listRules(Boolean(request.enabled_only)).map(ruleToWire) })),
    GetRule: unary('GetRule', (request) => {
      const id = text(request.rule_id);
      const rule = backend.getRule(id);
      if (!rule) throw new NotFound(`rule ${id} not found`);
      return ruleToWire(rule);
    }),
    CreateIncident: unary('CreateIncident', async (request) =>
      incidentToWire(
        await backend.createIncident({
          incident_type: text(request.incident_type),
          severity: text(request.severity),
          title: text(request.title),
          description: text(request.description),
          components: strings(request.components),
          assigned_to: text(request.assigned_to),
          actor: text(request.actor),
        }),
      ),
    ),
    UpdateIncident: unary('UpdateIncident', async (request) =>
      incidentToWire(
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
    ResolveIncident: unary('ResolveIncident', async (request) =>
      incidentToWire(await backend.resolveIncident(text(request.incident_id), text(request.actor), text(request.notes))),
    ),
    CloseIncident: unary('CloseIncident', async (request) =>
      incidentToWire(await backend.closeIncident(text(request.incident_id), text(request.actor), text(request.notes))),
    ),
    ListActions: unary('ListActions', (request) => actionsToWire(backend.listActions(text(request.incident_id)))),
    Mitigate: unary('Mitigate', async (request) =>
      mitigateToWire(
        await backend.mitigate({
          incident_id: text(request.incident_id),
          action_id: text(request.action_id),
          actor: text(request.actor),
          approved_by: text(request.approved_by),
          dry_run: Boolean(request.dry_run),
        }),
      ),
    ),
    GetTimeline: unary('GetTimeline', (request) =>
      timelineToWire(
        backend.timeline({
          incident_id: text(request.incident_id),
          event_type: text(request.event_type),
          source: text(request.source),
          limit: Number(request.limit ?? 0),
        }),
      ),
    ),
    GetPostmortem: unary('GetPostmortem', (request) => backend.postmortem(text(request.incident_id))),
    SetRulesEnabled: unary('SetRulesEnabled', async (request) => ({
      rules: (await backend.setRulesEnabled(strings(request.rule_ids), Boolean(request.enabled), text(request.actor))).map(ruleToWire),
    })),
    UpdateRule: unary('UpdateRule', async (request) => {
      const update: RuleUpdate = {};
      // proto3 `optional`: absent (undefined or null) means "leave as it is".
      if (request.error_threshold !== undefined && request.error_threshold !== null) update.error_threshold = Number(request.error_threshold);
      if (request.time_window_seconds !== undefined && request.time_window_seconds !== null) update.time_window_seconds = Number(request.time_window_seconds);
      if (request.check_interval_seconds !== undefined && request.check_interval_seconds !== null) {
        update.check_interval_seconds = Number(request.check_interval_seconds);
      }
      if (typeof request.severity === 'string') update.severity = request.severity as RuleUpdate['severity'];
      return ruleToWire(await backend.updateRule(text(request.rule_id), update, text(request.actor)));
    }),
    CreateRule: unary('CreateRule', async (request) => ruleToWire(await backend.createRule(ruleDraftFromWire((request.rule ?? {}) as Wire), text(request.actor)))),
    ResetRules: unary('ResetRules', async (request) => ({
      rules: (await backend.resetRules(strings(request.rule_ids), text(request.actor))).map(ruleToWire),
    })),
    TestRule: unary('TestRule', async (request) =>
      backend.testRule(text(request.rule_id), text(request.events_json), Boolean(request.dry_run), text(request.actor)),
    ),
    GetStats: unary('GetStats', (request) => statsToWire(backend.stats(sinceOf(request)))),
    ListComponents: unary('ListComponents', (request) => componentsToWire(backend.components(sinceOf(request)))),
    CreateSilence: unary('CreateSilence', async (request) =>
      silenceToWire(
        await backend.createSilence({
          actor: text(request.actor),
          component: text(request.component),
          incident_type: text(request.incident_type),
          duration_seconds: Number(request.duration_seconds ?? 0),
          until: text(request.until),
          comment: text(request.comment),
        }),
      ),
    ),
    ListSilences: unary('ListSilences', (request) => ({
      silences: backend.listSilences(Boolean(request.all), Number(request.limit ?? 0)).map(silenceToWire),
    })),
    ExpireSilence: unary('ExpireSilence', async (request) => silenceToWire(await backend.expireSilence(text(request.silence_id), text(request.actor)))),
    ListNotifications: unary('ListNotifications', (request) => ({
      notifications: backend
        .listNotifications({ dead: Boolean(request.dead), channel: text(request.channel), limit: Number(request.limit ?? 0) })
        .map(notificationToWire),
    })),
    RetryNotifications: unary('RetryNotifications', async (request) => ({
      results: await backend.retryNotifications(strings(request.notification_ids), Boolean(request.all_dead), text(request.actor)),
    })),
    DropNotification: unary('DropNotification', async (request) =>
      notificationToWire(await backend.dropNotification(text(request.notification_id), text(request.actor))),
    ),
    WatchIncidents: (call: grpc.ServerWritableStream<Wire, Wire>) => {
      let request: Wire;
      try {
        request = admitted(door, 'WatchIncidents', call.request, call.metadata);
      } catch (error) {
        call.emit('error', { code: statusOf(error), details: (error as Error).message });
        return;
      }
      const resumeFrom = text(request.resume_daemon_id);
      let stop: () => void = () => undefined;
      const end = (): void => {
        watchers.delete(call);
        stop();
      };
      watchers.add(call);
      call.on('cancelled', end);
      call.on('close', end);
      call.on('error', end);
      stop = backend.watch(
        {
          incident_id: text(request.incident_id),
          severities: strings(request.severity).map((severity) => severity.toLowerCase()),
          snapshot: Boolean(request.snapshot),
          resume: resumeFrom === '' ? null : { daemon_id: resumeFrom, seq: Number(request.resume_seq ?? 0) },
        },
        (message) => {
          if (call.cancelled || call.destroyed) return;
          // A watcher that stopped reading (a paused pager, a hung client) must not grow the daemon's memory.
          if (call.writableLength > MAX_WATCH_BUFFER_BYTES) {
            end();
            call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: 'watch stream fell too far behind; reconnect' });
            return;
          }
          call.write(watchMessageToWire(message));
        },
      );
    },
  };
}

export async function startControlServer(socketPath: string, backend: ControlBackend): Promise<ControlServer> {
  if (existsSync(socketPath)) {
    if (await socketIsLive(socketPath)) {
      throw new Error(`another firewatch daemon is already listening on ${socketPath}`);
    }
    unlinkSync(socketPath); // left behind by a daemon that was killed
  }
  const server = new grpc.Server();
  /** Open WatchIncidents streams: ended on stop, so shutdown does not wait for watchers to hang up. */
  const watchers = new Set<grpc.ServerWritableStream<Wire, Wire>>();
  server.addService(loadControlService().service, controlHandlers(backend, { tokens: null }, watchers));

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

export interface TcpDoorOptions {
  /** host:port to listen on (port 0: any free port). */
  endpoint: string;
  /** PEM certificate chain and key the door presents. */
  tls: TlsIdentity;
  tokens: TokenTable;
}

export type { TlsIdentity } from './door-config.js';

export interface ControlTcpServer {
  /** host:port actually bound. */
  readonly endpoint: string;
  /** New certificate and key for new connections (SIGHUP); connections already open keep theirs. */
  reloadTls(identity: TlsIdentity): void;
  stop(): Promise<void>;
}

/**
 * The remote door: TLS terminated here (node:tls, so a reload swaps the certificate without dropping connections),
 * HTTP/2 gRPC behind it on a server of its own that demands a token on every call.
 */
export async function startControlTcpServer(options: TcpDoorOptions, backend: ControlBackend): Promise<ControlTcpServer> {
  const parts = parseHostPort(options.endpoint);
  if (parts === null) throw new Error(`control endpoint must be host:port, got ${JSON.stringify(options.endpoint)}`);
  const server = new grpc.Server();
  const watchers = new Set<grpc.ServerWritableStream<Wire, Wire>>();
  server.addService(loadControlService().service, controlHandlers(backend, { tokens: options.tokens }, watchers));
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const secureContext = (identity: TlsIdentity): tls.SecureContextOptions => ({ cert: identity.cert, key: identity.key });
  const door = tls.createServer(
    { ...secureContext(options.tls), ALPNProtocols: ['h2'], minVersion: 'TLSv1.2' },
    (socket) => injector.injectConnection(socket),
  );
  // A failed handshake (a client without our CA, plain text on the TLS port) is the client's problem, not ours.
  door.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    door.once('error', (error) => reject(new Error(`cannot listen on control endpoint ${options.endpoint}: ${error.message}`)));
    door.listen(parts.port, parts.host, () => resolve());
  });
  const address = door.address();
  const port = typeof address === 'object' && address !== null ? address.port : parts.port;
  return {
    endpoint: withPort(options.endpoint, port),
    reloadTls(identity) {
      door.setSecureContext(secureContext(identity));
    },
    stop: () =>
      new Promise<void>((resolve) => {
        door.close();
        for (const call of watchers) call.end();
        watchers.clear();
        injector.drain(1_000);
        const force = setTimeout(() => server.forceShutdown(), 2_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
