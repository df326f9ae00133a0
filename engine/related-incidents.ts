// Related incidents: an incident that opens on a component that already has an open incident (the demo's memory
// incident on payments during payments' error burst) is linked with it both ways, `related_incidents` on each and a
// line in each timeline, so one outage reads as one story. Pure: the engine calls it when an incident opens.
//
// Only at opening: incidents that come to share a component later (an incident's components grow) were already
// apart when people started on them, and correlation.ts joins those whose traces show they are one failure.

import { SYSTEM_ACTOR, isOpenStatus, type Incident } from './types.js';
import { addNote } from './workflow.js';

/** Relations kept per incident: a component with a storm of incidents must not grow one without bound. */
export const MAX_RELATED_INCIDENTS = 20;

/**
 * Links `opened` with every other open incident in `others` that shares one of its components (and is not linked
 * yet), within MAX_RELATED_INCIDENTS on each side. Returns the others that changed (they must be written too).
 */
export function relateOnOpen<T extends { incident: Incident }>(opened: Incident, others: Iterable<T>, at: number): T[] {
  const changed: T[] = [];
  const components = new Set(opened.affected_components);
  if (components.size === 0) return changed;
  const note = { at, by: SYSTEM_ACTOR };
  for (const holder of others) {
    const other = holder.incident;
    if (other.incident_id === opened.incident_id || !isOpenStatus(other.status)) continue;
    const shared = other.affected_components.find((component) => components.has(component));
    if (shared === undefined) continue;
    const mine = (opened.related_incidents ??= []);
    const theirs = (other.related_incidents ??= []);
    if (mine.includes(other.incident_id) || mine.length >= MAX_RELATED_INCIDENTS || theirs.length >= MAX_RELATED_INCIDENTS) continue;
    mine.push(other.incident_id);
    theirs.push(opened.incident_id);
    addNote(opened, `related: ${other.incident_id} (${other.incident_type}) was already open on ${shared}`, note);
    addNote(other, `related: ${opened.incident_id} (${opened.incident_type}) opened on ${shared} while this was open`, note);
    changed.push(holder);
  }
  return changed;
}
