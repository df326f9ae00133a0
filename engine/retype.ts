// An open incident takes on the stronger reading of its events, so what an outage becomes does not depend on which
// exporter flushed first.
//
//   event attached to incident I (its own rule absorbed it, or it joined through a shared trace)
//     └─ each enabled rule that counts it and outranks I's rule ──▶ I's window for (rule, the rule's group of the event)
//          └─ the rule's threshold within its window (and its min_components_affected)? ──▶ re-type I as that rule:
//               incident_type, description, severity (never lowered), anchor = that group (I's former group stays
//               aliased to I), and notes saying why; the title and the root cause follow at the end of the call
//
// Rank (detector.ts ruleRank): the more severe rule first; of two equally severe rules, the one listed first. It is a
// total order, so whichever rule fires first, an incident ends as the highest-ranked reading its events support.
// The case this exists for, a frontend whose calls to inventory are refused:
//   refused calls first: service_down opens for inventory; the frontend's api_errors join it through their traces;
//     error_burst ranks lower, nothing changes.
//   api_errors first: error_burst opens for the frontend; the refused calls (service_unavailable, sourced at
//     inventory) join it through their traces and count here for service_down / inventory; at 5 within 60 s the
//     incident becomes service_down / inventory, critical, which pages like a new critical incident would (a severity
//     rise notifies: notify/routing.ts).
// Either way: one service_down incident, critical, anchored at inventory, the frontend's error_burst group aliased
// to it. The other design, opening the other rule's incident beside this one and correlating the two, would report
// one outage twice and page for its second half only.
//
// Only rules that outrank the incident's are counted, so an incident of the highest-ranked rule does no work here.
// A reading whose group has an open incident of its own is not taken (that failure has its incident already) and its
// counting stops. Bounds: per incident at most 4 × the components cap of groups, each window cut at its rule's
// window. The windows are not persisted: restore and rule changes rebuild them from the recent events linked to open
// incidents (engine.ts replay).

import type { ChangeSet } from './change-set.js';
import type { CompiledRule, Detector } from './detector.js';
import { escalate, formatDuration } from './escalation.js';
import type { IncidentBook, IncidentState } from './incidents.js';
import { GroupWindow } from './sliding-window.js';
import type { IncidentEvent } from './types.js';
import { appendEngineNote } from './workflow.js';

/** A rule's threshold crossed by an incident's events (IncidentState.pendingReading). */
export interface StrongerReading {
  rule: CompiledRule;
  groupKey: string;
  /** The window's events when it crossed (for the note). */
  events: readonly IncidentEvent[];
}

/** Most event types named in a re-type note. */
const MAX_TYPES_NAMED = 3;

export class Retyper {
  /** The detector whose rules and ranks are read; set (again) whenever it is rebuilt. */
  detector: Detector | null = null;

  constructor(private readonly book: IncidentBook) {}

  /**
   * Counts `event`, just attached to `state`, for the rules that outrank the incident's; takes the strongest reading
   * crossed at once, unless the incident is being opened (IncidentBook.create takes it once detection is recorded).
   */
  observe(state: IncidentState, event: IncidentEvent, changes: ChangeSet<IncidentState>): void {
    const detector = this.detector;
    const incident = state.incident;
    if (detector === null || incident.rule_id === '') return;
    const own = detector.rankOf(incident.rule_id);
    if (own >= detector.topRank) return;
    const rules = detector.rulesFor(event);
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as CompiledRule;
      if (rule.rank <= own || !rule.matches(event)) continue;
      const groupKey = rule.groupKeyOf(event);
      const window = state.readingWindow(rule.ruleId, groupKey, newWindow);
      if (window === undefined || !window.insert(event, rule.windowMs)) continue;
      if (window.size < rule.threshold) continue;
      if (rule.minComponents > 1 && window.distinctSources() < rule.minComponents) continue;
      const pending = state.pendingReading;
      if (pending === null || rule.rank > pending.rule.rank) state.pendingReading = { rule, groupKey, events: window.toArray() };
    }
    if (state.pendingReading !== null && !state.opening) this.settle(state, changes);
  }

  /** Takes the incident's pending reading, if it still outranks the incident and its group is free. */
  settle(state: IncidentState, changes: ChangeSet<IncidentState>): void {
    const reading = state.pendingReading;
    const detector = this.detector;
    if (reading === null || detector === null) return;
    state.pendingReading = null;
    const incident = state.incident;
    if (!state.open || reading.rule.rank <= detector.rankOf(incident.rule_id)) return;
    const { rule, groupKey } = reading;
    const holder = this.book.openFor(rule.ruleId, groupKey);
    if (holder !== undefined && holder !== state && holder.incident.rule_id === rule.ruleId && holder.incident.group_key === groupKey) {
      state.blockReading(rule.ruleId, groupKey);
      return;
    }
    const from = incident.incident_type;
    this.book.reanchor(state, rule.ruleId, groupKey);
    incident.incident_type = rule.rule.incident_type;
    incident.description = rule.rule.description;
    appendEngineNote(incident, `type ${from} → ${incident.incident_type}: ${readingReason(rule, groupKey, reading.events)}`);
    escalate(incident, rule.rule.severity, `re-typed ${incident.incident_type} (rule ${rule.ruleId})`);
    // Readings no stronger than the new one are moot now.
    const readings = state.readings;
    if (readings !== null) {
      for (const key of readings.keys()) {
        const ruleId = key.slice(0, key.indexOf(' '));
        if (detector.rankOf(ruleId) <= rule.rank) readings.delete(key);
      }
    }
    state.finish(changes.now);
    changes.touch(state);
  }
}

function newWindow(): GroupWindow<null> {
  return new GroupWindow<null>('');
}

/** `rule service_down: 5 service_unavailable events from inventory within 1m`. */
function readingReason(rule: CompiledRule, groupKey: string, events: readonly IncidentEvent[]): string {
  const types = [...new Set(events.map((event) => event.event_type))];
  const named = types.length > MAX_TYPES_NAMED ? `${types.slice(0, MAX_TYPES_NAMED).join('/')}/…` : types.join('/');
  const group = rule.rule.group_by;
  const where = groupKey === '' ? '' : group === 'source' ? ` from ${groupKey}` : ` with ${group} ${groupKey}`;
  const count = events.length;
  return `rule ${rule.ruleId}: ${count} ${named} event${count === 1 ? '' : 's'}${where} within ${formatDuration(rule.windowMs)}`;
}
