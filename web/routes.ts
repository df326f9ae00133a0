// The page's addresses: every screen has one, so any view can be bookmarked, shared and reloaded. Filters are the
// seed's URL query (`?severity=critical&status=active&component=api&since=1h&type=error_burst`, plus `q` for text).
//
//   /                                overview (filters apply to its incident panels)
//   /incidents?…                     the filterable list
//   /incidents/inc_00007[?tab=…]     one incident (d2/inc_00007 in a fleet); tab: summary, timeline, actions, postmortem
//   /traces/TRACE_ID[?incident=…]    a trace's waterfall
//   /components   /rules   /silences   /notifications   /help

import type { Screen } from '../view/keymap.js';

export const INCIDENT_TABS = ['summary', 'timeline', 'actions', 'postmortem'] as const;
export type IncidentTab = (typeof INCIDENT_TABS)[number];

export type Route =
  | { screen: 'overview' }
  | { screen: 'incidents' }
  | { screen: 'incident'; id: string; tab: IncidentTab }
  | { screen: 'trace'; traceId: string; incidentId: string | null }
  | { screen: 'components' }
  | { screen: 'rules' }
  | { screen: 'silences' }
  | { screen: 'notifications' }
  | { screen: 'help' }
  | { screen: 'not_found' };

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The screen a path and query show. */
export function parseRoute(pathname: string, search: string): Route {
  const params = new URLSearchParams(search);
  if (pathname === '/' || pathname === '') return { screen: 'overview' };
  if (pathname === '/incidents') return { screen: 'incidents' };
  if (pathname === '/components') return { screen: 'components' };
  if (pathname === '/rules') return { screen: 'rules' };
  if (pathname === '/silences') return { screen: 'silences' };
  if (pathname === '/notifications') return { screen: 'notifications' };
  if (pathname === '/help') return { screen: 'help' };
  const incident = /^\/incidents\/(.+)$/.exec(pathname);
  if (incident !== null) {
    const id = decode(incident[1]!);
    if (id === undefined || id === '') return { screen: 'not_found' };
    const tab = params.get('tab') ?? 'summary';
    return { screen: 'incident', id, tab: (INCIDENT_TABS as readonly string[]).includes(tab) ? (tab as IncidentTab) : 'summary' };
  }
  const trace = /^\/traces\/([^/]+)$/.exec(pathname);
  if (trace !== null) {
    const traceId = decode(trace[1]!);
    if (traceId === undefined) return { screen: 'not_found' };
    return { screen: 'trace', traceId, incidentId: params.get('incident') };
  }
  return { screen: 'not_found' };
}

/** The key map's screen for a route (the help screen for an address that is none). */
export function keymapScreen(route: Route): Screen {
  return route.screen === 'not_found' ? 'help' : route.screen;
}

/** `/incidents/d2%2Finc_00007`-style ids keep their slash readable: `/incidents/d2/inc_00007`. */
export function incidentHref(id: string, tab: IncidentTab = 'summary'): string {
  const path = `/incidents/${id.split('/').map(encodeURIComponent).join('/')}`;
  return tab === 'summary' ? path : `${path}?tab=${tab}`;
}

export function traceHref(traceId: string, incidentId?: string | null): string {
  return `/traces/${encodeURIComponent(traceId)}${incidentId ? `?incident=${encodeURIComponent(incidentId)}` : ''}`;
}

/** A path with the filter's query parameters (view/filters.ts filterToQueryParams). */
export function withQuery(path: string, params: ReadonlyArray<[string, string]>): string {
  const search = new URLSearchParams(params as Array<[string, string]>).toString();
  return search === '' ? path : `${path}?${search}`;
}
