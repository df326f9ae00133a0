// The engine: a pure, synchronous core fed one batch at a time. No I/O, no timers; the clock is injected.
//
//   receiver ──EventDraft[]──▶ ingest() ── number, clamp ──▶ EventRing (+ trace index)
//                                              └──────────▶ Detector ──▶ IncidentBook
//                                                               └──▶ IngestResult ──▶ store (one transaction)
//
//   after a restart:  restore({ counters, open incidents, recent events }) ── replays unlinked events into windows
//
// Ownership: the engine keeps its own incident objects and hands out copies (IngestResult.incidents,
// openIncidents(), incident()); changes made elsewhere (workflow, CLI) come back through updateIncident(). Events are
// shared, not copied (the hot path): after ingest returns them, the engine only ever changes their `incident_id`,
// and reports each such change in a later IngestResult's `linked`.

import { ChangeSet } from './change-set.js';
import { DEFAULT_MAX_GROUPS_PER_RULE, Detector } from './detector.js';
import { EventRing } from './event-ring.js';
import { cloneRule } from './builtin-rules.js';
import { DEFAULT_INCIDENT_LIMITS, IncidentBook } from './incidents.js';
import type { IncidentLimits, NewIncident } from './incidents.js';
import { validateRules } from './rule-config.js';
import type { DetectionRule, EventDraft, Incident, IncidentEvent, IngestResult } from './types.js';

export type { NewIncident } from './incidents.js';

/** Default capacity of the recent-event ring. */
export const DEFAULT_EVENT_RING_CAPACITY = 100_000;

export interface EngineOptions {
  /** The detection rules (typically mergeRules(…) over builtinRules()); validated, throws when invalid. */
  rules: readonly DetectionRule[];
  /** Current time, epoch ms. Arrival time of each batch, detection time of incidents. */
  clock: () => number;
  /** Recent events kept for trace drill-down and window rebuilds; default 100,000. */
  eventRingCapacity?: number;
  /** Windows (group keys) kept per rule; the least recently updated is evicted beyond it; default 10,000. */
  maxGroupsPerRule?: number;
  /** Most `affected_components` per incident; default 100. */
  maxComponentsPerIncident?: number;
  /** Most `trace_ids` per incident; default 1000. */
  maxTraceIdsPerIncident?: number;
  /** Most distinct keys per root-cause distribution (the rest count as `other`); default 50. */
  maxDistributionKeys?: number;
}

/** The engine's counters: the next numbers it will hand out. Persist them; never reuse a number. */
export interface EngineCounters {
  nextEventSeq: number;
  nextIncidentSeq: number;
}

/** What the store hands back after a restart. */
export interface RestoreState extends EngineCounters {
  /** Incidents whose status is open; they absorb matching events again. Others are ignored. */
  openIncidents: readonly Incident[];
  /**
   * Recent events, oldest first (at least those within maxWindowSeconds() of now, by event time). All go into the
   * event ring; those with incident_id '' are replayed into the windows.
   */
  recentEvents: readonly IncidentEvent[];
}

/** Sizes of the engine's bounded structures, for /metrics and memory checks. */
export interface EngineSizes {
  ringEvents: number;
  ringCapacity: number;
  traces: number;
  groups: number;
  windowEvents: number;
  groupEvictions: number;
  openIncidents: number;
}

export interface Engine {
  /**
   * Numbers, clamps and detects one batch (one export request). Event time is the draft's timestamp, replaced by
   * the arrival time (clock()) when it is ≤ 0, not a number, or in the future.
   */
  ingest(drafts: readonly EventDraft[]): IngestResult;
  /**
   * Replaces all state with what the store kept: counters (raised past any restored id if needed), open incidents,
   * recent events. Returns what replaying the unlinked events fired (`events` is empty).
   */
  restore(state: RestoreState): IngestResult;
  /** All rules (enabled or not), in configuration order; copies. */
  rules(): DetectionRule[];
  rule(ruleId: string): DetectionRule | undefined;
  /**
   * Replaces the rules (runtime enable/disable/update/create; validated, throws when invalid). Windows are rebuilt
   * by replaying the ring's unlinked events of the last maxWindowSeconds(); returns what that fired.
   */
  setRules(rules: readonly DetectionRule[]): IngestResult;
  /** Open incidents, in creation order; copies. */
  openIncidents(): Incident[];
  /** One open incident (a copy), or undefined. */
  incident(incidentId: string): Incident | undefined;
  /**
   * Takes a changed open incident back (status, severity, notes…). One that is no longer open stops absorbing.
   * Returns false when the engine does not hold an open incident with that id.
   */
  updateIncident(incident: Incident): boolean;
  /** Opens an incident by hand, with defaults from the severity matrix; returns it (a copy). */
  createIncident(input: NewIncident): Incident;
  /** Events of one trace still in the ring, in arrival order. */
  eventsForTrace(traceId: string): IncidentEvent[];
  counters(): EngineCounters;
  /** How far back (event time, seconds) the store must reload events on restore to rebuild the windows. */
  maxWindowSeconds(): number;
  sizes(): EngineSizes;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < 1) {
    throw new RangeError(`${name} must be a positive integer (got ${String(value)})`);
  }
  return chosen;
}

function checkedRules(rules: readonly DetectionRule[]): DetectionRule[] {
  const errors = validateRules(rules, 'rules');
  if (errors.length > 0) throw new Error(`invalid rules:\n${errors.join('\n')}`);
  return rules.map(cloneRule);
}

function emptyResult(): IngestResult {
  return { events: [], linked: [], incidents: [] };
}

class EngineImpl implements Engine {
  private readonly clock: () => number;
  private readonly ring: EventRing;
  private readonly book: IncidentBook;
  private readonly maxGroupsPerRule: number;
  private ruleList: DetectionRule[];
  private detector: Detector;
  private nextEventSeq = 1;

  constructor(options: EngineOptions) {
    this.clock = options.clock;
    this.ring = new EventRing(
      positiveInteger('eventRingCapacity', options.eventRingCapacity, DEFAULT_EVENT_RING_CAPACITY),
    );
    this.maxGroupsPerRule = positiveInteger('maxGroupsPerRule', options.maxGroupsPerRule, DEFAULT_MAX_GROUPS_PER_RULE);
    const limits: IncidentLimits = {
      maxComponents: positiveInteger(
        'maxComponentsPerIncident',
        options.maxComponentsPerIncident,
        DEFAULT_INCIDENT_LIMITS.maxComponents,
      ),
      maxTraceIds: positiveInteger(
        'maxTraceIdsPerIncident',
        options.maxTraceIdsPerIncident,
        DEFAULT_INCIDENT_LIMITS.maxTraceIds,
      ),
      maxDistributionKeys: positiveInteger(
        'maxDistributionKeys',
        options.maxDistributionKeys,
        DEFAULT_INCIDENT_LIMITS.maxDistributionKeys,
      ),
    };
    this.book = new IncidentBook(limits);
    this.ruleList = checkedRules(options.rules);
    this.detector = this.buildDetector();
  }

  ingest(drafts: readonly EventDraft[]): IngestResult {
    const now = this.clock();
    const changes = new ChangeSet();
    const ring = this.ring;
    const detector = this.detector;
    const count = drafts.length;
    const events = new Array<IncidentEvent>(count);
    let seq = this.nextEventSeq;
    for (let i = 0; i < count; i++) {
      const draft = drafts[i] as EventDraft;
      let timestamp = draft.timestamp;
      // `!(x > 0)` also catches NaN. Future times are clamped: they would hold windows open ahead of real time.
      if (!(timestamp > 0) || timestamp > now) timestamp = now;
      // One object literal, fields always in this order: a single hidden class for every event.
      const event: IncidentEvent = {
        event_id: 'evt_' + seq,
        timestamp,
        event_type: draft.event_type,
        source: draft.source,
        severity: draft.severity,
        message: draft.message,
        metadata: draft.metadata,
        correlation_id: draft.correlation_id,
        span_id: draft.span_id,
        seq,
        received_at: now,
        incident_id: '',
      };
      seq++;
      this.nextEventSeq = seq; // kept current so a throw mid-batch never lets a number be reused
      events[i] = event;
      ring.push(event);
      detector.observe(event, now, changes, false);
    }
    return changes.result(events);
  }

  restore(state: RestoreState): IngestResult {
    const nextEventSeq = positiveInteger('nextEventSeq', state.nextEventSeq, 1);
    const nextIncidentSeq = positiveInteger('nextIncidentSeq', state.nextIncidentSeq, 1);
    this.ring.clear();
    this.book.clear();
    this.book.nextSeq = nextIncidentSeq;
    this.nextEventSeq = nextEventSeq;
    for (const incident of state.openIncidents) this.book.load(incident); // also raises nextSeq past its id
    for (const event of state.recentEvents) {
      if (event.seq >= this.nextEventSeq) this.nextEventSeq = event.seq + 1;
      this.ring.push(event);
    }
    this.detector = this.buildDetector();
    return this.replay(state.recentEvents, Number.NEGATIVE_INFINITY);
  }

  rules(): DetectionRule[] {
    return this.ruleList.map(cloneRule);
  }

  rule(ruleId: string): DetectionRule | undefined {
    const rule = this.ruleList.find((r) => r.rule_id === ruleId);
    return rule === undefined ? undefined : cloneRule(rule);
  }

  setRules(rules: readonly DetectionRule[]): IngestResult {
    this.ruleList = checkedRules(rules);
    this.detector = this.buildDetector();
    return this.replay(this.ring.toArray(), this.clock() - this.maxWindowSeconds() * 1000);
  }

  openIncidents(): Incident[] {
    return this.book.states().map((state) => state.snapshot());
  }

  incident(incidentId: string): Incident | undefined {
    return this.book.get(incidentId)?.snapshot();
  }

  updateIncident(incident: Incident): boolean {
    if (this.book.get(incident.incident_id) === undefined) return false;
    this.book.load(incident);
    return true;
  }

  createIncident(input: NewIncident): Incident {
    return this.book.createManual(input, this.clock()).snapshot();
  }

  eventsForTrace(traceId: string): IncidentEvent[] {
    return this.ring.eventsForTrace(traceId);
  }

  counters(): EngineCounters {
    return { nextEventSeq: this.nextEventSeq, nextIncidentSeq: this.book.nextSeq };
  }

  maxWindowSeconds(): number {
    let max = 0;
    for (const rule of this.ruleList) if (rule.enabled && rule.time_window_seconds > max) max = rule.time_window_seconds;
    return max;
  }

  sizes(): EngineSizes {
    return {
      ringEvents: this.ring.size,
      ringCapacity: this.ring.capacity,
      traces: this.ring.traceCount,
      ...this.detector.sizes(),
      openIncidents: this.book.size,
    };
  }

  private buildDetector(): Detector {
    return new Detector(this.ruleList, { maxGroupsPerRule: this.maxGroupsPerRule }, this.book);
  }

  /** Feeds unlinked events (oldest first) with event time ≥ `since` back into fresh windows. */
  private replay(events: readonly IncidentEvent[], since: number): IngestResult {
    if (events.length === 0) return emptyResult();
    const now = this.clock();
    const changes = new ChangeSet();
    for (const event of events) {
      if (event.incident_id === '' && event.timestamp >= since) this.detector.observe(event, now, changes, true);
    }
    return changes.result([]);
  }
}

/** Creates an engine; throws on invalid options or rules (a start-up error, not a runtime one). */
export function createEngine(options: EngineOptions): Engine {
  return new EngineImpl(options);
}
