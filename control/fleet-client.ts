// Several daemons behind one ControlClient, for the CLI's `--connect a,b,c` (DESIGN.md "Growing past one machine").
//
//   list / stats / components ──▶ every member at once ──▶ merged (incidents newest first; api/merge.ts)
//   get / update / mitigate … ──▶ the member that owns the incident: `d2/inc_00007` as listed, or the one that has it
//   trace ──▶ every member, the first that knows it     rules changes ──▶ every member (a fleet runs one rule set)
//   watch ──▶ every member's stream, interleaved (a sync per member; updates carry their daemon_id)
//
// Incidents of a fleet are named `dN/inc_…` (N: the member's place in --connect), so ids from one daemon never
// collide with another's and can be given back as listed. A member that does not answer is reported through
// `onMemberError` (the CLI names it on stderr) and the others' answers stand; only when none answers does a call fail.

import type { ControlClient, IncidentPage, WatchHandle } from '../api/client.js';
import { ControlError, isControlError } from '../api/errors.js';
import type { IncidentJson } from '../api/incident.js';
import { mergeComponents, mergeStats } from '../api/merge.js';
import type { TraceJson } from '../api/trace.js';

export interface FleetClientOptions {
  /** Told of each member that failed a call whose answer the others still give. */
  onMemberError?: (address: string, error: ControlError) => void;
}

const QUALIFIED_ID = /^d(\d{1,3})\/(.+)$/;

export function memberLabel(index: number): string {
  return `d${index + 1}`;
}

export function createFleetClient(members: readonly ControlClient[], options: FleetClientOptions = {}): ControlClient {
  if (members.length === 0) throw new Error('a fleet needs at least one daemon');
  const many = members.length > 1;
  const qualify = (index: number, id: string) => (many ? `${memberLabel(index)}/${id}` : id);
  const qualifyIncident = (index: number, incident: IncidentJson): IncidentJson =>
    many
      ? {
          ...incident,
          incident_id: qualify(index, incident.incident_id),
          similar_incidents: incident.similar_incidents.map((similar) => ({ ...similar, incident_id: qualify(index, similar.incident_id) })),
          related_incidents: incident.related_incidents.map((id) => qualify(index, id)),
        }
      : incident;
  const report = (index: number, error: unknown) => options.onMemberError?.(members[index]!.address, asControlError(error));

  /** Every member's answer; the failures reported; throws the first failure when no member answered. */
  async function everyMember<T>(call: (client: ControlClient, index: number) => Promise<T>): Promise<Array<{ index: number; value: T }>> {
    const settled = await Promise.allSettled(members.map((client, index) => call(client, index)));
    const answers: Array<{ index: number; value: T }> = [];
    let firstError: unknown;
    settled.forEach((result, index) => {
      if (result.status === 'fulfilled') answers.push({ index, value: result.value });
      else {
        firstError ??= result.reason;
        if (many) report(index, result.reason);
      }
    });
    if (answers.length === 0) throw asControlError(firstError);
    return answers;
  }

  /** The member that owns `id` and the daemon's own id for it. */
  async function owner(id: string): Promise<{ index: number; local: string }> {
    const qualified = QUALIFIED_ID.exec(id);
    if (qualified !== null) {
      const index = Number(qualified[1]) - 1;
      if (index < 0 || index >= members.length) {
        throw new ControlError(`${id}: there is no daemon ${memberLabel(index)} (--connect names ${members.length})`, 'bad_request');
      }
      return { index, local: qualified[2]! };
    }
    if (!many) return { index: 0, local: id };
    const found = await Promise.allSettled(members.map((client) => client.getIncident(id)));
    const holders = found.flatMap((result, index) => (result.status === 'fulfilled' ? [index] : []));
    if (holders.length === 1) return { index: holders[0]!, local: id };
    if (holders.length > 1) {
      throw new ControlError(`${id} is on ${holders.map(memberLabel).join(' and ')}: say which, e.g. ${qualify(holders[0]!, id)}`, 'bad_request');
    }
    const unreachable = found.find((result) => result.status === 'rejected' && !(isControlError(result.reason) && result.reason.kind === 'not_found'));
    if (unreachable !== undefined && unreachable.status === 'rejected') throw asControlError(unreachable.reason);
    throw new ControlError(`incident ${id} not found on any daemon`, 'not_found');
  }

  async function onOwner<T>(id: string, call: (client: ControlClient, local: string, index: number) => Promise<T>): Promise<T> {
    const { index, local } = await owner(id);
    return call(members[index]!, local, index);
  }

  return {
    address: members.map((client) => client.address).join(','),
    async status() {
      const answers = await everyMember((client) => client.status());
      const first = answers[0]!.value;
      if (!many) return first;
      const sum = (pick: (status: typeof first) => number) => answers.reduce((total, { value }) => total + pick(value), 0);
      return {
        ...first,
        daemon_id: answers.map(({ value }) => value.daemon_id).join(','),
        open_incidents: sum((s) => s.open_incidents),
        incidents_total: sum((s) => s.incidents_total),
        spans_received: sum((s) => s.spans_received),
        spans_rejected: sum((s) => s.spans_rejected),
        log_records_received: sum((s) => s.log_records_received),
        metric_points_received: sum((s) => s.metric_points_received),
        events_accepted: sum((s) => s.events_accepted),
        bad_requests: sum((s) => s.bad_requests),
      };
    },
    async listIncidents(query) {
      const answers = await everyMember((client) => client.listIncidents(query));
      const all = answers.flatMap(({ index, value }) => value.incidents.map((incident) => qualifyIncident(index, incident)));
      // Newest first across daemons; each daemon's own order (newest first) breaks ties.
      all.sort((a, b) => Date.parse(b.detected_at ?? '') - Date.parse(a.detected_at ?? '') || 0);
      const limit = query.limit ?? 0;
      const page: IncidentPage = {
        incidents: limit > 0 ? all.slice(0, limit) : all,
        total_matched: answers.reduce((total, { value }) => total + value.total_matched, 0),
      };
      return page;
    },
    getIncident: (id, detail) => onOwner(id, async (client, local, index) => qualifyIncident(index, await client.getIncident(local, detail))),
    // A new incident has no owner yet: it opens on the first daemon named.
    createIncident: async (request) => qualifyIncident(0, await members[0]!.createIncident(request)),
    updateIncident: (request) =>
      onOwner(request.incident_id, async (client, local, index) => qualifyIncident(index, await client.updateIncident({ ...request, incident_id: local }))),
    resolveIncident: (request) =>
      onOwner(request.incident_id, async (client, local, index) => qualifyIncident(index, await client.resolveIncident({ ...request, incident_id: local }))),
    closeIncident: (request) =>
      onOwner(request.incident_id, async (client, local, index) => qualifyIncident(index, await client.closeIncident({ ...request, incident_id: local }))),
    listActions: (id) => onOwner(id, async (client, local, index) => ({ ...(await client.listActions(local)), incident_id: qualify(index, local) })),
    mitigate: (request) =>
      onOwner(request.incident_id, async (client, local, index) => {
        const result = await client.mitigate({ ...request, incident_id: local });
        return { ...result, incident: qualifyIncident(index, result.incident) };
      }),
    timeline: (request) =>
      onOwner(request.incident_id, async (client, local, index) => ({ ...(await client.timeline({ ...request, incident_id: local })), incident_id: qualify(index, local) })),
    postmortem: (id) => onOwner(id, async (client, local, index) => ({ ...(await client.postmortem(local)), incident_id: qualify(index, local) })),
    async getTrace(traceId) {
      const found = await Promise.allSettled(members.map((client) => client.getTrace(traceId)));
      const traces: Array<{ index: number; trace: TraceJson }> = [];
      found.forEach((result, index) => {
        if (result.status === 'fulfilled') traces.push({ index, trace: result.value });
        else if (!(isControlError(result.reason) && result.reason.kind === 'not_found') && many) report(index, result.reason);
      });
      if (traces.length === 0) {
        const failure = found.find((result) => result.status === 'rejected');
        throw failure?.status === 'rejected' ? asControlError(failure.reason) : new ControlError(`trace ${traceId} not found`, 'not_found');
      }
      // `load_balancing` by traceID keeps a trace whole; routed by service it can span daemons: merge what each has.
      const [first, ...rest] = traces;
      const merged: TraceJson = { ...first!.trace, incident_ids: first!.trace.incident_ids.map((id) => qualify(first!.index, id)) };
      for (const { index, trace } of rest) {
        merged.spans = [...merged.spans, ...trace.spans];
        merged.events = [...merged.events, ...trace.events].sort((a, b) => Date.parse(a.timestamp ?? '') - Date.parse(b.timestamp ?? ''));
        merged.services = [...new Set([...merged.services, ...trace.services])];
        merged.incident_ids = [...merged.incident_ids, ...trace.incident_ids.map((id) => qualify(index, id))];
      }
      return merged;
    },
    listRules: async (request) => (await everyMember((client) => client.listRules(request)))[0]!.value,
    getRule: async (ruleId) => (await everyMember((client) => client.getRule(ruleId)))[0]!.value,
    // A fleet runs one rule set: a change goes to every daemon, and fails unless every daemon took it.
    setRulesEnabled: (request) => onEvery((client) => client.setRulesEnabled(request)),
    updateRule: (request) => onEvery((client) => client.updateRule(request)),
    createRule: (request) => onEvery((client) => client.createRule(request)),
    resetRules: (request) => onEvery((client) => client.resetRules(request)),
    testRule: (request) => members[0]!.testRule(request),
    stats: async (query) => mergeStats((await everyMember((client) => client.stats(query))).map(({ value }) => value))!,
    components: async (query) => mergeComponents((await everyMember((client) => client.components(query))).map(({ value }) => value)),
    // Silences and dead letters belong to one daemon: listed from all (ids qualified like incidents'), changed on one.
    createSilence: async (request) => onlyMember('create a silence').createSilence(request),
    listSilences: async (options) =>
      (await everyMember((client) => client.listSilences(options))).flatMap(({ index, value }) =>
        value.map((silence) => ({ ...silence, silence_id: qualify(index, silence.silence_id) })),
      ),
    expireSilence: async (request) => onlyMember('expire a silence').expireSilence(request),
    listNotifications: async (query) =>
      (await everyMember((client) => client.listNotifications(query))).flatMap(({ index, value }) =>
        value.map((item) => ({ ...item, notification_id: qualify(index, item.notification_id), incident_id: qualify(index, item.incident_id) })),
      ),
    retryNotifications: async (request) => onlyMember('retry notifications').retryNotifications(request),
    dropNotification: async (request) => onlyMember('drop a notification').dropNotification(request),
    watch(request, onMessage): WatchHandle {
      const handles = members.map((client) => client.watch(request, onMessage));
      return {
        cancel: () => handles.forEach((handle) => handle.cancel()),
        done: Promise.all(handles.map((handle) => handle.done)).then(() => undefined),
      };
    },
    close: () => members.forEach((client) => client.close()),
  };

  /** The one daemon of a one-daemon fleet; with several, a refusal saying to name one. */
  function onlyMember(what: string): ControlClient {
    if (!many) return members[0]!;
    throw new ControlError(`to ${what}, connect to one daemon (--connect names ${members.length})`, 'bad_request');
  }

  /** Every member must take the change: the first refusal is the answer (the others may have taken it). */
  async function onEvery<T>(call: (client: ControlClient) => Promise<T>): Promise<T> {
    const results = await Promise.allSettled(members.map((client) => call(client)));
    const failed = results.findIndex((result) => result.status === 'rejected');
    if (failed >= 0) {
      const reason = (results[failed] as PromiseRejectedResult).reason;
      const error = asControlError(reason);
      throw many ? new ControlError(`${members[failed]!.address}: ${error.message}`, error.kind, error.code) : error;
    }
    return (results[0] as PromiseFulfilledResult<T>).value;
  }
}

function asControlError(error: unknown): ControlError {
  return isControlError(error) ? error : new ControlError(String((error as Error)?.message ?? error), 'internal');
}
