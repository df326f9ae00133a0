// What the page reads besides the live stream, put into the same state: statistics and component health per daemon,
// and incidents a filter reaches that the stream does not carry (resolved today, older ones). Each answer is keyed by
// the daemon it came from, as the reducer wants.

import type { IncidentQuery } from '../api/client.js';
import type { Dispatch } from 'react';
import type { IncidentsAction } from '../view/incidents-state.js';
import { startOfDay } from '../view/overview.js';
import { gateway } from './gateway-client.js';

const DAY_MS = 24 * 3600 * 1000;

/** The seed's "last 24 h" metrics, per daemon. */
export async function loadStats(dispatch: Dispatch<IncidentsAction>, now: number): Promise<void> {
  const answer = await gateway.stats(new Date(now - DAY_MS).toISOString());
  for (const member of answer.members) if ('stats' in member) dispatch({ type: 'stats', member: member.member, stats: member.stats });
}

export async function loadComponents(dispatch: Dispatch<IncidentsAction>): Promise<void> {
  const answer = await gateway.components();
  for (const member of answer.members) if ('components' in member) dispatch({ type: 'components', member: member.member, components: member.components });
}

/** Incidents matching `query` on every daemon, into the state (kept where newer than what the stream said). */
export async function loadIncidents(dispatch: Dispatch<IncidentsAction>, query: IncidentQuery): Promise<{ failed: string[] }> {
  const answer = await gateway.listIncidents(query);
  const failed: string[] = [];
  for (const member of answer.members) {
    if ('page' in member && member.daemon_id !== null) {
      dispatch({ type: 'loaded', member: member.member, daemon_id: member.daemon_id, incidents: member.page.incidents });
    } else if ('error' in member) {
      failed.push(member.error);
    }
  }
  return { failed };
}

/** Incidents resolved since local midnight (the overview's "Resolved Today" and average MTTR). */
export function loadResolvedToday(dispatch: Dispatch<IncidentsAction>, now: number): Promise<{ failed: string[] }> {
  return loadIncidents(dispatch, { status: ['resolved', 'closed'], since: new Date(startOfDay(now) - DAY_MS).toISOString(), limit: 1_000 });
}
