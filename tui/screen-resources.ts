// Which control calls the screen on view needs, as data: a key in the resource store, the version to hold (an
// incident's updated_at, so a live change refreshes what is shown), and the call. The controller ensures them after
// every change; screens read the same keys.

import type { ControlClient } from '../api/client.js';
import type { IncidentsState } from '../view/incidents-state.js';
import { currentView, type IncidentRef, type UiState } from './ui-state.js';

export type ResourceRequest = {
  key: string;
  version: string;
  member: number;
  load(client: ControlClient): Promise<unknown>;
};

export const detailKey = (ref: IncidentRef) => `detail:${ref.key}`;
export const timelineKey = (ref: IncidentRef) => `timeline:${ref.key}`;
export const postmortemKey = (ref: IncidentRef) => `postmortem:${ref.key}`;
export const actionsKey = (ref: IncidentRef) => `actions:${ref.key}`;
export const traceKey = (member: number, traceId: string) => `trace:${member}/${traceId}`;
export const rulesKey = (member: number) => `rules:${member}`;
export const silencesKey = (member: number) => `silences:${member}`;
export const notificationsKey = (member: number) => `notifications:${member}`;

/** Silences and the outbox change without an incident changing: read again on each step of the clock while shown. */
const OUTBOX_LIMIT = 500;

/** Timeline entries fetched for the incident screen (the newest; the daemon caps it too). */
export const TIMELINE_LIMIT = 500;

/** The incident's version: its updated_at while the TUI knows it. */
export function incidentVersion(incidents: IncidentsState, ref: IncidentRef): string {
  return incidents.entries.get(ref.key)?.incident.updated_at ?? 'unknown';
}

/** `outboxVersion`: bumps on our own changes and with the clock (the Silences and Notifications screens). */
export function resourceRequests(ui: UiState, incidents: IncidentsState, rulesVersion: number, outboxVersion = ''): ResourceRequest[] {
  const view = currentView(ui);
  const requests: ResourceRequest[] = [];
  // The mitigate prompt loads its own list (an effect): it must not change under the operator's cursor.
  switch (view.screen) {
    case 'incident': {
      const ref = view.target;
      const version = incidentVersion(incidents, ref);
      const id = ref.incident_id;
      requests.push({ key: detailKey(ref), version, member: ref.member, load: (client) => client.getIncident(id, { audit: true }) });
      if (view.tab === 'summary' || view.tab === 'actions') {
        requests.push({ key: actionsKey(ref), version, member: ref.member, load: (client) => client.listActions(id) });
      }
      if (view.tab === 'timeline') {
        requests.push({ key: timelineKey(ref), version, member: ref.member, load: (client) => client.timeline({ incident_id: id, limit: TIMELINE_LIMIT }) });
      }
      if (view.tab === 'postmortem') {
        requests.push({ key: postmortemKey(ref), version, member: ref.member, load: (client) => client.postmortem(id) });
      }
      break;
    }
    case 'trace': {
      const traceId = view.traceIds[view.traceIndex];
      if (traceId === undefined) break;
      const member = view.target?.member ?? 0;
      // New events of the incident may add spans to its traces; a trace on its own does not change.
      const version = view.target === null ? 'static' : String(incidents.entries.get(view.target.key)?.incident.event_count ?? 0);
      requests.push({ key: traceKey(member, traceId), version, member, load: (client) => client.getTrace(traceId) });
      break;
    }
    case 'rules':
      incidents.connections.forEach((connection, member) => {
        if (connection.state !== 'connected') return;
        requests.push({ key: rulesKey(member), version: `${connection.daemon_id}:${rulesVersion}`, member, load: (client) => client.listRules() });
      });
      break;
    case 'silences':
    case 'notifications': {
      const screen = view.screen;
      incidents.connections.forEach((connection, member) => {
        if (connection.state !== 'connected') return;
        const version = `${connection.daemon_id}:${outboxVersion}`;
        if (screen === 'silences') requests.push({ key: silencesKey(member), version, member, load: (client) => client.listSilences({ all: true, limit: OUTBOX_LIMIT }) });
        else requests.push({ key: notificationsKey(member), version, member, load: (client) => client.listNotifications({ limit: OUTBOX_LIMIT }) });
      });
      break;
    }
    default:
      break;
  }
  return requests;
}
