// What one engine call changed, collected as it happens and turned into an IngestResult at the end.
//
// Incidents are deduplicated with a stamp instead of a Set: each ChangeSet has a unique id, and an incident is
// recorded the first time its `touchedBy` differs from it. The same trick lists incidents with work left for the
// end of the call (`pendingBy`: root cause, users). Spans to persist are deduplicated by their trace-ring push
// number, so no span appears twice in one result.

import type { Incident, IncidentEvent, IngestResult, SpanRecord } from './types.js';

/** What the change set needs from an incident's engine-side state. */
export interface Touchable {
  /** Id of the last ChangeSet that recorded this incident. */
  touchedBy: number;
  /** Id of the last ChangeSet that listed this incident as pending. */
  pendingBy: number;
  /** A snapshot of the incident as it is now. */
  snapshot(): Incident;
}

let nextChangeSetId = 1;

export class ChangeSet<T extends Touchable = Touchable> {
  readonly id = nextChangeSetId++;
  /**
   * The clock reading (epoch ms) of the call these changes belong to (ingest, tick, replay): what hooks called per
   * attached event take as "now". Engine calls always pass it; the default 0 is for change sets made outside one.
   */
  readonly now: number;
  /** Events whose incident_id was set during this call. */
  readonly linked: IncidentEvent[] = [];
  /** Incidents created or changed, in the order they were first touched. */
  readonly touched: T[] = [];
  /** Incidents with end-of-call work (root cause, users), in the order they were first listed. */
  readonly pending: T[] = [];
  /** Spans of incident traces to persist. */
  readonly traceSpans: SpanRecord[] = [];
  /** Push numbers of the spans in traceSpans (created on the first span). */
  private emitted: Set<number> | null = null;

  constructor(now = 0) {
    this.now = now;
  }

  /** Records that `incident` was created or changed (once per change set). */
  touch(incident: T): void {
    if (incident.touchedBy === this.id) return;
    incident.touchedBy = this.id;
    this.touched.push(incident);
  }

  /** Lists `incident` for end-of-call work (once per change set). */
  markPending(incident: T): void {
    if (incident.pendingBy === this.id) return;
    incident.pendingBy = this.id;
    this.pending.push(incident);
  }

  /** Adds a span to persist, unless the span with this trace-ring push number is already in. */
  emitSpan(span: SpanRecord, pushNumber: number): void {
    const emitted = (this.emitted ??= new Set());
    if (emitted.has(pushNumber)) return;
    emitted.add(pushNumber);
    this.traceSpans.push(span);
  }

  /** Whether the span with this push number is already in traceSpans. */
  hasEmitted(pushNumber: number): boolean {
    return this.emitted !== null && this.emitted.has(pushNumber);
  }

  /** The result, with each touched incident snapshotted in its final state. */
  result(events: IncidentEvent[]): IngestResult {
    const incidents = new Array<Incident>(this.touched.length);
    for (let i = 0; i < this.touched.length; i++) incidents[i] = (this.touched[i] as T).snapshot();
    return { events, linked: this.linked, incidents, traceSpans: this.traceSpans };
  }
}
