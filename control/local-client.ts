// The ControlClient contract over a backend in the same process: what `firewatch` with no command hands its terminal
// UI, so the TUI talks to the daemon it started exactly as it talks to one over a socket (same types, same errors,
// same watch sync), minus the serialisation. Replies are the backend's own objects: callers must not change them.

import type { ControlClient, WatchHandle } from '../api/client.js';
import { ControlError, isControlError } from '../api/errors.js';
import { NotFound, type ControlBackend } from './backend.js';
import { checkedTraceId, sinceMsOf } from './request-checks.js';

/** Runs `work` as a call would: asynchronously, every failure a ControlError. */
async function call<T>(work: () => T | Promise<T>): Promise<T> {
  await Promise.resolve();
  try {
    return await work();
  } catch (error) {
    if (isControlError(error)) throw error;
    throw new ControlError((error as Error).message, 'internal');
  }
}

function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new NotFound(`${what} not found`);
  return value;
}

export function createLocalClient(backend: ControlBackend, address = 'in-process'): ControlClient {
  let closed = false;
  const open = <T>(work: () => T | Promise<T>): Promise<T> =>
    closed ? Promise.reject(new ControlError('the client is closed', 'unavailable')) : call(work);
  return {
    address,
    status: () => open(() => backend.status()),
    listIncidents: (query) =>
      open(() =>
        backend.listIncidents({
          statuses: query.status ?? [],
          severities: query.severity ?? [],
          types: query.incident_type ?? [],
          components: query.component ?? [],
          sinceMs: sinceMsOf(query.since),
          limit: query.limit ?? 0,
        }),
      ),
    getIncident: (incidentId, options = {}) =>
      open(() =>
        found(
          backend.getIncident(incidentId, {
            timeline: options.timeline ?? false,
            timelineLimit: options.timeline_limit ?? 0,
            postmortem: options.postmortem ?? false,
            audit: options.audit ?? false,
          }),
          `incident ${incidentId}`,
        ),
      ),
    createIncident: (request) =>
      open(() =>
        backend.createIncident({
          incident_type: request.incident_type,
          severity: request.severity ?? '',
          title: request.title ?? '',
          description: request.description ?? '',
          components: request.components ?? [],
          assigned_to: request.assigned_to ?? '',
          actor: request.actor,
        }),
      ),
    updateIncident: (request) =>
      open(() =>
        backend.updateIncident({
          incident_id: request.incident_id,
          actor: request.actor,
          status: request.status ?? '',
          severity: request.severity ?? '',
          notes: request.notes ?? '',
          assigned_to: request.assigned_to ?? '',
          unassign: request.unassign ?? false,
          acknowledge: request.acknowledge ?? false,
        }),
      ),
    resolveIncident: (request) => open(() => backend.resolveIncident(request.incident_id, request.actor, request.notes ?? '')),
    closeIncident: (request) => open(() => backend.closeIncident(request.incident_id, request.actor, request.notes ?? '')),
    listActions: (incidentId) => open(() => backend.listActions(incidentId)),
    mitigate: (request) =>
      open(() =>
        backend.mitigate({
          incident_id: request.incident_id,
          action_id: request.action_id,
          actor: request.actor,
          approved_by: request.approved_by ?? '',
          dry_run: request.dry_run ?? false,
        }),
      ),
    timeline: (request) =>
      open(() =>
        backend.timeline({
          incident_id: request.incident_id,
          event_type: request.event_type ?? '',
          source: request.source ?? '',
          limit: request.limit ?? 0,
        }),
      ),
    postmortem: (incidentId) => open(() => backend.postmortem(incidentId)),
    getTrace: (traceId) =>
      open(() => {
        const id = checkedTraceId(traceId);
        return found(backend.getTrace(id), `trace ${id}`);
      }),
    listRules: (options = {}) => open(() => backend.listRules(options.enabled_only ?? false)),
    getRule: (ruleId) => open(() => found(backend.getRule(ruleId), `rule ${ruleId}`)),
    setRulesEnabled: (request) => open(() => backend.setRulesEnabled(request.rule_ids, request.enabled, request.actor)),
    updateRule: (request) => open(() => backend.updateRule(request.rule_id, request.update, request.actor)),
    createRule: (request) => open(() => backend.createRule(request.rule, request.actor)),
    resetRules: (request) => open(() => backend.resetRules(request.rule_ids, request.actor)),
    testRule: (request) => open(() => backend.testRule(request.rule_id, request.events_json ?? '', request.dry_run, request.actor)),
    stats: (options = {}) => open(() => backend.stats(sinceMsOf(options.since))),
    components: (options = {}) => open(() => backend.components(sinceMsOf(options.since))),
    createSilence: (request) =>
      open(() =>
        backend.createSilence({
          actor: request.actor,
          component: request.component,
          incident_type: request.incident_type ?? '',
          duration_seconds: request.duration_seconds ?? 0,
          until: request.until ?? '',
          comment: request.comment,
        }),
      ),
    listSilences: (options = {}) => open(() => backend.listSilences(options.all ?? false, options.limit ?? 0)),
    expireSilence: (request) => open(() => backend.expireSilence(request.silence_id, request.actor)),
    listNotifications: (query = {}) => open(() => backend.listNotifications({ dead: query.dead ?? false, channel: query.channel ?? '', limit: query.limit ?? 0 })),
    retryNotifications: (request) => open(() => backend.retryNotifications(request.notification_ids ?? [], request.all_dead ?? false, request.actor)),
    dropNotification: (request) => open(() => backend.dropNotification(request.notification_id, request.actor)),
    watch(request, onMessage): WatchHandle {
      let finish: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (finish = resolve));
      if (closed) {
        finish();
        return { cancel: () => undefined, done: Promise.reject(new ControlError('the client is closed', 'unavailable')) };
      }
      let active = true;
      // Deliver asynchronously, as a socket would: a handler may cancel from inside without re-entering the backend.
      const stop = backend.watch(
        {
          incident_id: request.incident_id ?? '',
          severities: (request.severity ?? []).map((severity) => severity.toLowerCase()),
          snapshot: request.snapshot ?? false,
          resume: request.resume ?? null,
        },
        (message) => queueMicrotask(() => active && onMessage(message)),
      );
      return {
        cancel() {
          if (!active) return;
          active = false;
          stop();
          finish();
        },
        done,
      };
    },
    close() {
      closed = true;
    },
  };
}
