// The dashboard's JSON API: one route per thing the page asks, each a ControlClient call (or one per daemon), named by
// the control call it makes so the viewer/operator rules of control/access.ts apply to the page exactly as to the CLI.
//
//   GET  /api/incidents?status=&severity=&type=&component=&since=&limit=   per daemon: {member, daemon_id, incidents}
//   GET  /api/incidents/ID[?timeline=1&postmortem=1&audit=1]                 one incident (ID as listed: d2/inc_… in a
//   GET  /api/incidents/ID/actions | /postmortem                             fleet, URL-encoded)
//   GET  /api/incidents/ID/postmortem.md | /incident.json                    downloads
//   POST /api/incidents/ID/acknowledge | assign | notes | mitigate | resolve | close        JSON bodies, actor added
//   GET  /api/traces/TRACE_ID   GET /api/stats?since=   GET /api/components?since=   GET /api/rules
//   POST /api/rules/ID/enable | disable
//   GET  /api/silences[?all=1]   POST /api/silences {component, incident_type?, duration_seconds | until, comment}
//   POST /api/silences/ID/expire
//   GET  /api/notifications[?dead=1&channel=C]   POST /api/notifications/retry {notification_id | all_dead}
//   POST /api/notifications/ID/drop
//
// Ids and text from the page are bounded here; everything else is the daemon's to judge.

import type { ControlClient, IncidentQuery } from '../../api/client.js';
import type { NotificationQuery } from '../../api/notification.js';
import type { CreateSilenceRequest } from '../../api/silence.js';
import type { IncidentType } from '../../api/vocabulary.js';
import { ControlError } from '../../api/errors.js';
import type { LiveRelay } from './live-relay.js';

export interface ApiContext {
  /** Every daemon as one (control/fleet-client.ts): ids as listed, actions to the owner. */
  client: ControlClient;
  /** Each daemon on its own, in --connect order (list calls answer per daemon: the page keys state by daemon). */
  members: readonly ControlClient[];
  relay: LiveRelay;
}

export interface ApiRequest {
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  body: Readonly<Record<string, unknown>>;
  /** Who acts: the token's name on a token-protected page, else the name the page gives. '' for reads. */
  actor: string;
}

export type ApiReply = { json: unknown } | { download: { filename: string; type: string; body: string } };

export interface ApiRoute {
  method: 'GET' | 'POST';
  /** Matched against the URL's path, still percent-encoded; named groups become params (decoded). */
  pattern: RegExp;
  /** The control call it makes (access.ts judges it): a viewer may make only the reads. */
  call: string;
  /** Changes something: needs an actor and a same-origin JSON request. */
  mutates: boolean;
  handle(context: ApiContext, request: ApiRequest): Promise<ApiReply>;
}

/** An incident id as listed (`inc_00001`, `d2/inc_00001`). */
const INCIDENT_ID = /^(?:d\d{1,3}\/)?[A-Za-z0-9_.-]{1,64}$/;
const RULE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const TRACE_ID = /^[0-9a-fA-F]{32}$/;
/** A silence or notification id as listed (`sil_00001`, `d2/ntf_inc_00001_triggered_1`). */
const OUTBOX_ID = /^(?:d\d{1,3}\/)?[A-Za-z0-9_.:-]{1,160}$/;
const MAX_COMMENT = 1_000;
const MAX_NOTES = 4_000;
const MAX_NAME = 100;
const MAX_LIST_LIMIT = 2_000;
const DEFAULT_LIST_LIMIT = 500;

function badRequest(message: string): ControlError {
  return new ControlError(message, 'bad_request');
}

function incidentId(request: ApiRequest): string {
  const id = request.params.id ?? '';
  if (!INCIDENT_ID.test(id)) throw badRequest(`not an incident id: ${JSON.stringify(id.slice(0, 80))}`);
  return id;
}

/** A string field of the body: trimmed, at most `max` characters; '' when absent unless required. */
function text(request: ApiRequest, field: string, max: number, required = false): string {
  const value = request.body[field];
  if (value === undefined || value === null) {
    if (required) throw badRequest(`${field} is required`);
    return '';
  }
  if (typeof value !== 'string') throw badRequest(`${field} must be text`);
  const trimmed = value.trim();
  if (trimmed.length > max) throw badRequest(`${field} is longer than ${max} characters`);
  if (required && trimmed === '') throw badRequest(`${field} is required`);
  return trimmed;
}

function listedId(request: ApiRequest, what: string): string {
  const id = request.params.id ?? '';
  if (!OUTBOX_ID.test(id)) throw badRequest(`not a ${what} id: ${JSON.stringify(id.slice(0, 80))}`);
  return id;
}

/** The body of POST /api/silences as the contract's request: how long is a number of seconds or an instant, one of them. */
function silenceRequest(request: ApiRequest): CreateSilenceRequest {
  const type = text(request, 'incident_type', 64);
  const until = text(request, 'until', 64);
  const seconds = request.body.duration_seconds;
  if (seconds !== undefined && seconds !== null && (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0)) {
    throw badRequest('duration_seconds must be a number above 0');
  }
  const hasDuration = typeof seconds === 'number';
  if (hasDuration === (until !== '')) throw badRequest('give duration_seconds or until, one of them');
  return {
    actor: request.actor,
    component: text(request, 'component', MAX_NAME * 2, true),
    ...(type !== '' ? { incident_type: type as IncidentType } : {}),
    ...(hasDuration ? { duration_seconds: seconds } : { until }),
    comment: text(request, 'comment', MAX_COMMENT, true),
  };
}

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === '1' || value === 'true';
}

function list(query: URLSearchParams, name: string): string[] | undefined {
  const values = query
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '')
    .slice(0, 50)
    .map((value) => value.slice(0, 200));
  return values.length === 0 ? undefined : values;
}

function since(query: URLSearchParams): string | undefined {
  const value = query.get('since');
  return value === null || value === '' ? undefined : value.slice(0, 64);
}

/** `inc_00001`, `d2-inc_00001`: a file name that says which incident, with nothing a browser would act on. */
function fileStem(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '-');
}

/** A failure of one daemon, in the per-daemon answers. */
function memberError(error: unknown): { error: string; kind: string } {
  return error instanceof ControlError ? { error: error.message, kind: error.kind } : { error: String((error as Error)?.message ?? error), kind: 'internal' };
}

/**
 * `call` on every daemon whose id is known, in parallel: one entry per daemon, with its answer or its failure. The
 * page needs the daemon's id with each answer to key what it learns (view/incidents-state.ts).
 */
async function perMember<T>(context: ApiContext, call: (client: ControlClient) => Promise<T>, field: string): Promise<{ members: unknown[] }> {
  const states = context.relay.memberStates();
  const answers = await Promise.all(
    context.members.map(async (client, member) => {
      const daemonId = states[member]?.daemon_id ?? null;
      if (daemonId === null) return { member, daemon_id: null, error: `not connected to ${client.address} yet`, kind: 'unavailable' };
      try {
        return { member, daemon_id: daemonId, [field]: await call(client) };
      } catch (error) {
        return { member, daemon_id: daemonId, ...memberError(error) };
      }
    }),
  );
  return { members: answers };
}

const ID = '(?<id>[^/]+)';

export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: 'GET',
    pattern: /^\/api\/incidents$/,
    call: 'ListIncidents',
    mutates: false,
    async handle(context, request) {
      const limitText = request.query.get('limit');
      const limit = limitText === null ? DEFAULT_LIST_LIMIT : Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(Number(limitText)) || DEFAULT_LIST_LIMIT));
      const query: IncidentQuery = { limit };
      const status = list(request.query, 'status');
      const severity = list(request.query, 'severity');
      const type = list(request.query, 'type');
      const component = list(request.query, 'component');
      const from = since(request.query);
      if (status) query.status = status;
      if (severity) query.severity = severity;
      if (type) query.incident_type = type;
      if (component) query.component = component;
      if (from) query.since = from;
      return { json: await perMember(context, (client) => client.listIncidents(query), 'page') };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/incidents/${ID}$`),
    call: 'GetIncident',
    mutates: false,
    async handle(context, request) {
      const options = {
        timeline: flag(request.query, 'timeline'),
        postmortem: flag(request.query, 'postmortem'),
        audit: flag(request.query, 'audit'),
        timeline_limit: 500,
      };
      return { json: await context.client.getIncident(incidentId(request), options) };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/incidents/${ID}/actions$`),
    call: 'ListActions',
    mutates: false,
    handle: async (context, request) => ({ json: await context.client.listActions(incidentId(request)) }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/incidents/${ID}/postmortem$`),
    call: 'GetPostmortem',
    mutates: false,
    handle: async (context, request) => ({ json: await context.client.postmortem(incidentId(request)) }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/incidents/${ID}/postmortem\\.md$`),
    call: 'GetPostmortem',
    mutates: false,
    async handle(context, request) {
      const id = incidentId(request);
      const postmortem = await context.client.postmortem(id);
      return { download: { filename: `${fileStem(id)}-postmortem${postmortem.draft ? '-draft' : ''}.md`, type: 'text/markdown; charset=utf-8', body: postmortem.markdown } };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/incidents/${ID}/incident\\.json$`),
    call: 'GetIncident',
    mutates: false,
    async handle(context, request) {
      const id = incidentId(request);
      const incident = await context.client.getIncident(id, { timeline: true, postmortem: true, audit: true });
      // As `incidents get --full --format json` prints it: a post-mortem not written yet is null, not absent.
      const full = { ...incident, postmortem: incident.postmortem ?? null };
      return { download: { filename: `${fileStem(id)}.json`, type: 'application/json; charset=utf-8', body: `${JSON.stringify(full, null, 2)}\n` } };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/api/incidents/${ID}/acknowledge$`),
    call: 'UpdateIncident',
    mutates: true,
    handle: async (context, request) => ({
      json: await context.client.updateIncident({ incident_id: incidentId(request), acknowledge: true, actor: request.actor }),
    }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/api/incidents/${ID}/assign$`),
    call: 'UpdateIncident',
    mutates: true,
    async handle(context, request) {
      const assignee = text(request, 'assignee', MAX_NAME);
      const change = assignee === '' ? { unassign: true } : { assigned_to: assignee };
      return { json: await context.client.updateIncident({ incident_id: incidentId(request), ...change, actor: request.actor }) };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/api/incidents/${ID}/notes$`),
    call: 'UpdateIncident',
    mutates: true,
    handle: async (context, request) => ({
      json: await context.client.updateIncident({ incident_id: incidentId(request), notes: text(request, 'notes', MAX_NOTES, true), actor: request.actor }),
    }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/api/incidents/${ID}/mitigate$`),
    call: 'Mitigate',
    mutates: true,
    async handle(context, request) {
      const approvedBy = text(request, 'approved_by', MAX_NAME);
      return {
        json: await context.client.mitigate({
          incident_id: incidentId(request),
          action_id: text(request, 'action_id', 128, true),
          ...(approvedBy !== '' ? { approved_by: approvedBy } : {}),
          dry_run: request.body.dry_run === true,
          actor: request.actor,
        }),
      };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/api/incidents/${ID}/resolve$`),
    call: 'ResolveIncident',
    mutates: true,
    async handle(context, request) {
      const notes = text(request, 'notes', MAX_NOTES);
      return { json: await context.client.resolveIncident({ incident_id: incidentId(request), ...(notes !== '' ? { notes } : {}), actor: request.actor }) };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/api/incidents/${ID}/close$`),
    call: 'CloseIncident',
    mutates: true,
    async handle(context, request) {
      const notes = text(request, 'notes', MAX_NOTES);
      return { json: await context.client.closeIncident({ incident_id: incidentId(request), ...(notes !== '' ? { notes } : {}), actor: request.actor }) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/traces\/(?<trace>[^/]+)$/,
    call: 'GetTrace',
    mutates: false,
    async handle(context, request) {
      const traceId = request.params.trace ?? '';
      if (!TRACE_ID.test(traceId)) throw badRequest('a trace id is 32 hex characters');
      return { json: await context.client.getTrace(traceId.toLowerCase()) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/stats$/,
    call: 'GetStats',
    mutates: false,
    handle: async (context, request) => {
      const from = since(request.query);
      return { json: await perMember(context, (client) => client.stats(from ? { since: from } : {}), 'stats') };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/components$/,
    call: 'ListComponents',
    mutates: false,
    handle: async (context, request) => {
      const from = since(request.query);
      return { json: await perMember(context, (client) => client.components(from ? { since: from } : {}), 'components') };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/rules$/,
    call: 'ListRules',
    mutates: false,
    handle: async (context) => ({ json: await context.client.listRules() }),
  },
  {
    method: 'POST',
    pattern: /^\/api\/rules\/(?<rule>[^/]+)\/(?<verb>enable|disable)$/,
    call: 'SetRulesEnabled',
    mutates: true,
    async handle(context, request) {
      const ruleId = request.params.rule ?? '';
      if (!RULE_ID.test(ruleId)) throw badRequest(`not a rule id: ${JSON.stringify(ruleId.slice(0, 80))}`);
      return { json: await context.client.setRulesEnabled({ rule_ids: [ruleId], enabled: request.params.verb === 'enable', actor: request.actor }) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/silences$/,
    call: 'ListSilences',
    mutates: false,
    handle: async (context, request) => ({ json: await context.client.listSilences({ all: flag(request.query, 'all'), limit: DEFAULT_LIST_LIMIT }) }),
  },
  {
    method: 'POST',
    pattern: /^\/api\/silences$/,
    call: 'CreateSilence',
    mutates: true,
    handle: async (context, request) => ({ json: await context.client.createSilence(silenceRequest(request)) }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/api/silences/${ID}/expire$`),
    call: 'ExpireSilence',
    mutates: true,
    handle: async (context, request) => ({ json: await context.client.expireSilence({ silence_id: listedId(request, 'silence'), actor: request.actor }) }),
  },
  {
    method: 'GET',
    pattern: /^\/api\/notifications$/,
    call: 'ListNotifications',
    mutates: false,
    async handle(context, request) {
      const query: NotificationQuery = { dead: flag(request.query, 'dead'), limit: DEFAULT_LIST_LIMIT };
      const channel = request.query.get('channel');
      if (channel !== null && channel !== '') query.channel = channel.slice(0, MAX_NAME * 2);
      return { json: await context.client.listNotifications(query) };
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/notifications\/retry$/,
    call: 'RetryNotifications',
    mutates: true,
    async handle(context, request) {
      if (request.body.all_dead === true) return { json: await context.client.retryNotifications({ all_dead: true, actor: request.actor }) };
      const id = text(request, 'notification_id', 200, true);
      if (!OUTBOX_ID.test(id)) throw badRequest(`not a notification id: ${JSON.stringify(id.slice(0, 80))}`);
      return { json: await context.client.retryNotifications({ notification_ids: [id], actor: request.actor }) };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/api/notifications/${ID}/drop$`),
    call: 'DropNotification',
    mutates: true,
    handle: async (context, request) => ({ json: await context.client.dropNotification({ notification_id: listedId(request, 'notification'), actor: request.actor }) }),
  },
];

export type RouteMatch = { route: ApiRoute; params: Record<string, string> };

/** The route for a request: a match, 'method' when the path exists under another method, undefined when none. */
export function matchApiRoute(method: string, pathname: string): RouteMatch | 'method' | undefined {
  let pathMatched = false;
  for (const route of API_ROUTES) {
    const match = route.pattern.exec(pathname);
    if (match === null) continue;
    if (route.method !== method) {
      pathMatched = true;
      continue;
    }
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(match.groups ?? {})) {
      try {
        params[name] = decodeURIComponent(value);
      } catch {
        throw badRequest('the address is not valid percent-encoding');
      }
    }
    return { route, params };
  }
  return pathMatched ? 'method' : undefined;
}
