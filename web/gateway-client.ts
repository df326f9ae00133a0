// The page's side of the gateway's JSON API (control/gateway/api-routes.ts): one function per call, typed with the
// client contract (api/). Requests go to the page's own origin only (the CSP allows nothing else); changes are JSON
// POSTs, which the browser sends with an Origin header the gateway checks, and carry the name of who acts (the
// gateway replaces it with the token's name on a token-protected dashboard).

import type { IncidentPage, IncidentQuery } from '../api/client.js';
import type { ComponentsJson } from '../api/component.js';
import type { ActionListJson, IncidentJson, MitigateResultJson, PostmortemJson } from '../api/incident.js';
import type { NotificationJson, RetriedNotificationJson } from '../api/notification.js';
import type { RuleJson } from '../api/rule.js';
import type { CreateSilenceRequest, SilenceJson } from '../api/silence.js';
import type { StatsJson } from '../api/stats.js';
import type { TraceJson } from '../api/trace.js';
import type { Role } from '../api/vocabulary.js';

export class GatewayError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the gateway did not answer at all. */
    readonly status: number,
    /** The ControlError kind (api/errors.ts) the gateway named. */
    readonly kind: string,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

export type SessionInfo = { login_required: boolean; authenticated: boolean; name: string | null; role: Role | null };

/** One daemon's answer to a list call (the page keys what it learns by daemon). */
export type MemberAnswer<T> = { member: number; daemon_id: string | null } & ({ error: string; kind: string } | T);

async function call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new GatewayError('the dashboard server does not answer', 0, 'unavailable');
  }
  const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
  const data: unknown = isJson ? await response.json().catch(() => undefined) : undefined;
  if (!response.ok) {
    const error = data as { error?: unknown; kind?: unknown } | undefined;
    throw new GatewayError(
      typeof error?.error === 'string' ? error.error : `the dashboard answered ${response.status}`,
      response.status,
      typeof error?.kind === 'string' ? error.kind : 'internal',
    );
  }
  return data as T;
}

const incidentPath = (id: string) => `/api/incidents/${encodeURIComponent(id)}`;

function queryString(query: IncidentQuery): string {
  const params = new URLSearchParams();
  if (query.status?.length) params.set('status', query.status.join(','));
  if (query.severity?.length) params.set('severity', query.severity.join(','));
  if (query.incident_type?.length) params.set('type', query.incident_type.join(','));
  if (query.component?.length) params.set('component', query.component.join(','));
  if (query.since) params.set('since', query.since);
  if (query.limit) params.set('limit', String(query.limit));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export const gateway = {
  session: () => call<SessionInfo>('GET', '/api/session'),
  login: (token: string) => call<SessionInfo>('POST', '/api/session', { token }),
  logout: () => call<SessionInfo>('DELETE', '/api/session'),

  listIncidents: (query: IncidentQuery) => call<{ members: Array<MemberAnswer<{ page: IncidentPage }>> }>('GET', `/api/incidents${queryString(query)}`),
  incident: (id: string) => call<IncidentJson>('GET', `${incidentPath(id)}?timeline=1&audit=1`),
  actions: (id: string) => call<ActionListJson>('GET', `${incidentPath(id)}/actions`),
  postmortem: (id: string) => call<PostmortemJson>('GET', `${incidentPath(id)}/postmortem`),
  postmortemHref: (id: string) => `${incidentPath(id)}/postmortem.md`,
  exportHref: (id: string) => `${incidentPath(id)}/incident.json`,

  acknowledge: (id: string, actor: string) => call<IncidentJson>('POST', `${incidentPath(id)}/acknowledge`, { actor }),
  assign: (id: string, assignee: string, actor: string) => call<IncidentJson>('POST', `${incidentPath(id)}/assign`, { assignee, actor }),
  addNote: (id: string, notes: string, actor: string) => call<IncidentJson>('POST', `${incidentPath(id)}/notes`, { notes, actor }),
  mitigate: (id: string, request: { action_id: string; approved_by?: string; dry_run?: boolean }, actor: string) =>
    call<MitigateResultJson>('POST', `${incidentPath(id)}/mitigate`, { ...request, actor }),
  resolve: (id: string, notes: string, actor: string) => call<IncidentJson>('POST', `${incidentPath(id)}/resolve`, { notes, actor }),
  close: (id: string, notes: string, actor: string) => call<IncidentJson>('POST', `${incidentPath(id)}/close`, { notes, actor }),

  trace: (traceId: string) => call<TraceJson>('GET', `/api/traces/${encodeURIComponent(traceId)}`),
  stats: (since?: string) =>
    call<{ members: Array<MemberAnswer<{ stats: StatsJson }>> }>('GET', `/api/stats${since ? `?since=${encodeURIComponent(since)}` : ''}`),
  components: () => call<{ members: Array<MemberAnswer<{ components: ComponentsJson }>> }>('GET', '/api/components'),
  rules: () => call<RuleJson[]>('GET', '/api/rules'),
  setRuleEnabled: (ruleId: string, enabled: boolean, actor: string) =>
    call<RuleJson[]>('POST', `/api/rules/${encodeURIComponent(ruleId)}/${enabled ? 'enable' : 'disable'}`, { actor }),

  silences: (all: boolean) => call<SilenceJson[]>('GET', `/api/silences${all ? '?all=1' : ''}`),
  createSilence: (request: CreateSilenceRequest) => call<SilenceJson>('POST', '/api/silences', request),
  expireSilence: (silenceId: string, actor: string) => call<SilenceJson>('POST', `/api/silences/${encodeURIComponent(silenceId)}/expire`, { actor }),
  notifications: () => call<NotificationJson[]>('GET', '/api/notifications'),
  retryNotification: (notificationId: string, actor: string) =>
    call<RetriedNotificationJson[]>('POST', '/api/notifications/retry', { notification_id: notificationId, actor }),
  retryAllDead: (actor: string) => call<RetriedNotificationJson[]>('POST', '/api/notifications/retry', { all_dead: true, actor }),
  dropNotification: (notificationId: string, actor: string) =>
    call<NotificationJson>('POST', `/api/notifications/${encodeURIComponent(notificationId)}/drop`, { actor }),
};

/** The message to show for a failed call. */
export function describeFailure(error: unknown): string {
  if (error instanceof GatewayError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
