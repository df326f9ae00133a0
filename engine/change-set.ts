// What one engine call changed, collected as it happens and turned into an IngestResult at the end.
//
// Incidents are deduplicated with a stamp instead of a Set: each ChangeSet has a unique id, and an incident is
// recorded the first time its `touchedBy` differs from it.

import type { Incident, IncidentEvent, IngestResult } from './types.js';

/** What the change set needs from an incident's engine-side state. */
export interface Touchable {
  /** Id of the last ChangeSet that recorded this incident. */
  touchedBy: number;
  /** A snapshot of the incident as it is now. */
  snapshot(): Incident;
}

let nextChangeSetId = 1;

export class ChangeSet {
  readonly id = nextChangeSetId++;
  /** Events whose incident_id was set during this call. */
  readonly linked: IncidentEvent[] = [];
  private readonly touched: Touchable[] = [];

  /** Records that `incident` was created or changed (once per change set). */
  touch(incident: Touchable): void {
    if (incident.touchedBy === this.id) return;
    incident.touchedBy = this.id;
    this.touched.push(incident);
  }

  /** The result, with each touched incident snapshotted in its final state. */
  result(events: IncidentEvent[]): IngestResult {
    const incidents = new Array<Incident>(this.touched.length);
    for (let i = 0; i < this.touched.length; i++) incidents[i] = (this.touched[i] as Touchable).snapshot();
    return { events, linked: this.linked, incidents };
  }
}
