// Approval requests still waiting for a person, read from what every incident already carries: its remediation steps
// (IncidentJson.actions, oldest first). An action whose latest step is `approval_requested` waits; any later step of
// the same action (approved, refused, expired, started, succeeded…) ends the wait. The daemon records an expiry as
// such a step within a tick of it (daemon/containment.ts); the actions list (ListActions) is the authority on one
// incident, this is the cheap count for lists and headers.

import type { IncidentActionJson, IncidentJson } from '../api/incident.js';
import { isOpenStatus } from '../api/vocabulary.js';

export const APPROVAL_REQUESTED = 'approval_requested';

/** The actions of an open incident waiting for approval, in the order they were requested. */
export function pendingApprovals(incident: IncidentJson): IncidentActionJson[] {
  if (!isOpenStatus(incident.status)) return [];
  const latest = new Map<string, IncidentActionJson>();
  for (const action of incident.actions) {
    latest.delete(action.action_id); // re-insert: the map keeps the order of each action's latest step
    latest.set(action.action_id, action);
  }
  return [...latest.values()].filter((action) => action.status === APPROVAL_REQUESTED);
}

/** Approval requests waiting across incidents (the header's count). */
export function countPendingApprovals(incidents: Iterable<IncidentJson>): number {
  let count = 0;
  for (const incident of incidents) count += pendingApprovals(incident).length;
  return count;
}
