// A shared dependency failing under several callers is one incident, anchored on the dependency.
//
//   window of (rule R, group G) about to fire, no trace of it owned ──▶ dependencyOf(window): the peer P that at least
//     half of its failing requests called and failed on ──▶ an open incident I of rule R whose opening window also
//     failed on P, with failures on P within R's window of these ──▶ the window's events join I, G is aliased to I
//   event attached to I that is a failed call to P ──▶ I's callers of P; a second caller ──▶ I is anchored on P:
//     P among the components, primary_source and root_span.service P (root_span.caller the calling service), a note
//
// Why: a database or an uninstrumented API has no spans of its own, so the traces of its callers share nothing and
// trace correlation cannot join them; each caller's error burst would open an incident of its own, all three naming
// the same dependency. Failures of one caller alone stay placed at the caller (a bad query or its own pool: the
// receiver sources a failing query at the service that made it); from the second caller on, the dependency is the
// common factor and the incident moves there, as a refused peer's is placed at the peer.
//
// What keeps unrelated failures apart:
//   - each caller crosses its own rule's threshold before it is folded in: one stray failed query pulls in nothing;
//   - the failures must lie at the dependency: a failed call (CLIENT or PRODUCER kind, error level) naming it in at
//     least half of the window's failing requests (traces); calls to it that succeed are no evidence at all, so two
//     services failing on their own bugs while talking to a healthy database stay two incidents;
//   - the open incident must have opened on failures at the same dependency, under the same rule;
//   - bounded in time: the two runs of failures must lie within the rule's window of each other (event time), so the
//     same database failing for one service twenty minutes ago and for another now are two occurrences;
//   - a trace the window shares with an open incident wins (the stronger evidence: correlation.ts).
//
// Bounds: the index holds the open incidents that opened on a dependency (handles, cleaned as they close); an
// incident counts at most its components cap of callers. The track is not persisted as such: after a restart it is
// read back from the root cause (root_span.peer: the dependency; primary_source equal to it: anchored).

import { appendEngineNote } from './workflow.js';
import type { ChangeSet } from './change-set.js';
import type { IncidentHandle, IncidentState } from './incidents.js';
import { SEVERITY_RANK } from './types.js';
import type { Incident, IncidentEvent } from './types.js';

/** What an incident knows of the dependency its failures lie at. */
export interface DependencyTrack {
  /** The dependency, as the calls name it (`pg-main`, `orders-db:5432`). */
  peer: string;
  /** Event time of the first and the last failed call to it that the incident holds. */
  firstAt: number;
  lastAt: number;
  /** Services whose failed calls to it the incident holds (bounded). */
  callers: Set<string>;
  /** Two callers or more: the incident is placed at the dependency. */
  anchored: boolean;
}

const CALL_KINDS: ReadonlySet<unknown> = new Set(['client', 'producer']);
/** Most callers named in the anchoring note. */
const MAX_CALLERS_NAMED = 5;

/**
 * The dependency an event's failure lies at: the peer of a failed call (an error-level event of a CLIENT or PRODUCER
 * span naming its peer), '' otherwise. Events already placed at their peer (a refused call: source = peer) are not
 * counted: their source groups them already.
 */
export function failedCallPeer(event: IncidentEvent): string {
  if (SEVERITY_RANK[event.severity] < SEVERITY_RANK.high) return '';
  const metadata = event.metadata;
  const peer = metadata['peer'];
  if (typeof peer !== 'string' || peer === '' || peer === event.source || !CALL_KINDS.has(metadata['kind'])) return '';
  return peer;
}

/**
 * The dependency a window's failures lie at: the peer that failed calls name in the most of its failing requests (a
 * trace is one request; an event without a trace is one), when that is at least half of them; else ''.
 */
export function dependencyOf(events: readonly IncidentEvent[]): string {
  const peerOfRequest = new Map<string, string>();
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as IncidentEvent;
    const request = event.correlation_id !== '' ? event.correlation_id : event.event_id;
    const peer = failedCallPeer(event);
    if (!peerOfRequest.has(request) || (peer !== '' && peerOfRequest.get(request) === '')) peerOfRequest.set(request, peer);
  }
  const counts = new Map<string, number>();
  let best = '';
  let bestCount = 0;
  for (const peer of peerOfRequest.values()) {
    if (peer === '') continue;
    const count = (counts.get(peer) ?? 0) + 1;
    counts.set(peer, count);
    if (count > bestCount) {
      best = peer;
      bestCount = count;
    }
  }
  return bestCount * 2 >= peerOfRequest.size ? best : '';
}

/** The track of a restored incident, read back from its root cause (see the top of the file); null when it has none. */
export function trackFromIncident(incident: Incident): DependencyTrack | null {
  const rootSpan = incident.root_cause.root_span;
  const peer = rootSpan?.peer;
  if (rootSpan === undefined || peer === undefined || peer === '') return null;
  const anchored = incident.root_cause.primary_source === peer;
  return {
    peer,
    firstAt: incident.first_event_at,
    lastAt: incident.last_event_at,
    callers: new Set(anchored ? [] : [rootSpan.caller ?? rootSpan.service]),
    anchored,
  };
}

export class SharedDependencies {
  /** Dependency → handles of the open incidents that opened on failures at it (few; cleaned as they close). */
  private readonly byPeer = new Map<string, IncidentHandle[]>();

  constructor(
    /** Most callers counted per incident (the components cap). */
    private readonly maxCallers: number,
  ) {}

  /** Dependencies indexed. */
  get size(): number {
    return this.byPeer.size;
  }

  /** Indexes an incident with a track (opened, restored, or its state replaced by a workflow update). */
  register(state: IncidentState): void {
    const track = state.dependency;
    if (track === null) return;
    let handles = this.byPeer.get(track.peer);
    if (handles === undefined) this.byPeer.set(track.peer, (handles = []));
    if (!handles.includes(state.handle)) handles.push(state.handle);
  }

  /**
   * A rule opened `state` with `events`: when they fail at one dependency, the incident tracks it (and is anchored at
   * once if they come from two callers already).
   */
  opened(state: IncidentState, events: readonly IncidentEvent[], changes: ChangeSet<IncidentState>): void {
    const peer = dependencyOf(events);
    if (peer === '') return;
    state.dependency = { peer, firstAt: Number.POSITIVE_INFINITY, lastAt: Number.NEGATIVE_INFINITY, callers: new Set(), anchored: false };
    for (let i = 0; i < events.length; i++) this.observe(state, events[i] as IncidentEvent, changes);
    this.register(state);
  }

  /** An event joined `state`: a failed call to its dependency counts its caller; the second caller anchors it. */
  observe(state: IncidentState, event: IncidentEvent, changes: ChangeSet<IncidentState>): void {
    const track = state.dependency;
    if (track === null || failedCallPeer(event) !== track.peer) return;
    if (event.timestamp < track.firstAt) track.firstAt = event.timestamp;
    if (event.timestamp > track.lastAt) track.lastAt = event.timestamp;
    if (track.callers.size < this.maxCallers) track.callers.add(event.source);
    if (!track.anchored && track.callers.size >= 2) this.anchor(state, track, changes);
  }

  /**
   * For a window of (`ruleId`, `groupKey`) about to fire: the open incident of the same rule whose failures lie at
   * the dependency the window's failures lie at, within `windowMs` of them (event time); undefined when none.
   */
  ownerOfWindow(ruleId: string, groupKey: string, events: readonly IncidentEvent[], windowMs: number): IncidentState | undefined {
    if (this.byPeer.size === 0 || events.length === 0) return undefined;
    const peer = dependencyOf(events);
    if (peer === '') return undefined;
    const handles = this.byPeer.get(peer);
    if (handles === undefined) return undefined;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < events.length; i++) {
      const at = (events[i] as IncidentEvent).timestamp;
      if (at < first) first = at;
      if (at > last) last = at;
    }
    let found: IncidentState | undefined;
    for (let i = handles.length - 1; i >= 0; i--) {
      const state = (handles[i] as IncidentHandle).state;
      const track = state?.dependency ?? null;
      if (state === null || !state.open || track === null || track.peer !== peer) {
        handles.splice(i, 1); // closed, or replaced by a state without this track
        continue;
      }
      const incident = state.incident;
      if (incident.rule_id !== ruleId || incident.group_key === groupKey) continue;
      if (first > track.lastAt + windowMs || last < track.firstAt - windowMs) continue;
      found = state; // the earliest registered wins (the walk goes backwards)
    }
    if (handles.length === 0) this.byPeer.delete(peer);
    return found;
  }

  clear(): void {
    this.byPeer.clear();
  }

  /** Places the incident at its dependency: a component, the primary source, the root span (engine.ts), a note. */
  private anchor(state: IncidentState, track: DependencyTrack, changes: ChangeSet<IncidentState>): void {
    track.anchored = true;
    state.addComponent(track.peer);
    const rc = state.incident.root_cause;
    if (rc.root_span === undefined) rc.primary_source = track.peer;
    // The root span is looked for again at the end of the call: a call to the dependency is then placed there.
    state.rootDirty = true;
    changes.markPending(state);
    const callers = [...track.callers];
    const named = callers.length > MAX_CALLERS_NAMED ? `${callers.slice(0, MAX_CALLERS_NAMED).join(', ')}, …` : callers.join(', ');
    appendEngineNote(state.incident, `shared dependency: calls to ${track.peer} fail under ${named}; placed at ${track.peer}`);
    changes.touch(state);
  }
}
