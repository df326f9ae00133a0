// The engine: a pure, synchronous core fed one batch at a time. No I/O, no timers; the clock is injected.
//
//   receiver ──EventDraft[] + IngestContext{spans, serviceTotals}──▶ ingest()
//      1. spans ──▶ TraceRing (+ trace index) ── span of an incident trace? ──▶ traceSpans, root cause due
//                   └─ successful server spans ──▶ latency baselines (escalation.ts)
//      2. serviceTotals ──▶ per-service request counters (error-rate escalation), silence detector (arrival time)
//      3. drafts ── number, clamp ──▶ EventRing (+ trace index)
//      4. events whose trace an open incident owns ──▶ join it (correlation.ts; the whole batch first)
//      5. events ──▶ Detector ──▶ IncidentBook (create / absorb / join by trace) ──▶ Correlator.drain
//      6. finish: root spans (root-cause.ts), error rates (escalation, peak), recurrence (similar_incidents)
//                                                   └──▶ IngestResult ──▶ store (one transaction)
//   tick() (the daemon calls it every few seconds) ──▶ silent services ──▶ service_unavailable → service_down incident
//                                                  └──▶ prolonged incidents ──▶ one severity step up
//
//   after a restart:  restore({ counters, open incidents, recent events, past incidents }) ── replays unlinked events
//                     into windows; rebuilds incident traces from open incidents' trace_ids
//
// Ownership: the engine keeps its own incident objects and hands out copies (IngestResult.incidents,
// openIncidents(), incident()); changes made elsewhere (workflow, CLI) come back through updateIncident(). Events are
// shared, not copied (the hot path): after ingest returns them, the engine only ever changes their `incident_id`,
// and reports each such change in a later IngestResult's `linked`. Spans are copied into the trace ring's columns;
// the SpanRecords passed in are not kept (those of incident traces are handed back in `traceSpans`).

import { isoTime } from '../common/time.js';
import { ChangeSet } from './change-set.js';
import {
  Correlator,
  DEFAULT_MAX_EVENTS_PER_TRACE,
  DEFAULT_MAX_INCIDENT_TRACES,
  DEFAULT_MAX_SPANS_PER_TRACE,
} from './correlation.js';
import { DEFAULT_MAX_GROUPS_PER_RULE, Detector } from './detector.js';
import {
  Escalator,
  MAX_RATE_COMPONENTS,
  PROLONGED_TYPES,
  createDefaultEscalationOptions,
  formatDuration,
  validateEscalationOptions,
} from './escalation.js';
import type { EscalationOptions } from './escalation.js';
import { RETRY_MIN_DELAY_MS } from './event-identity.js';
import { EventRing } from './event-ring.js';
import { builtinRule, cloneRule } from './builtin-rules.js';
import { DEFAULT_INCIDENT_LIMITS, IncidentBook, parseIncidentSeq } from './incidents.js';
import type { IncidentHooks, IncidentLimits, IncidentState, NewIncident } from './incidents.js';

import { PackedSpanRecord } from './packed-span-record.js';
import {
  DEFAULT_MAX_FINGERPRINTS,
  DEFAULT_MAX_SIMILAR,
  RecurrenceIndex,
  fingerprintOf,
  isEngineNote,
  isEscalationNote,
} from './recurrence.js';
import type { PastIncident } from './recurrence.js';
import {
  createDefaultRecoveryOptions,
  lastJoinedAt,
  lastTransitionTo,
  recoveryStep,
  validateRecoveryOptions,
} from './recovery.js';
import type { RecoveryOptions } from './recovery.js';
import { causeOfSpan, findRootSpan, rootSpanOf, sameRootSpan } from './root-cause.js';
import { Retyper } from './retype.js';
import { relateOnOpen } from './related-incidents.js';
import { SharedDependencies } from './shared-dependency.js';
import { validateRules } from './rule-config.js';
import { SilenceDetector, createDefaultSilenceOptions, validateSilenceOptions } from './silence.js';
import type { SilenceOptions, SilentService } from './silence.js';
import { DEFAULT_TRACE_RING_CAPACITY, TraceRing } from './trace-ring.js';
import { SEVERITIES, SEVERITY_RANK, SPAN_KIND_SERVER, SYSTEM_ACTOR, isSeverity } from './types.js';
import { applyTransition } from './workflow.js';
import type {
  DetectionRule,
  EventDraft,
  Incident,
  IncidentEvent,
  IngestContext,
  IngestResult,
  ServiceTotals,
  Severity,
  SpanRecord,
} from './types.js';
import { DEFAULT_EXACT_USERS } from './users.js';

export type { NewIncident } from './incidents.js';
export type { PastIncident } from './recurrence.js';

/** Default capacity of the recent-event ring. */
export const DEFAULT_EVENT_RING_CAPACITY = 100_000;
/** Default number of an incident's traces searched for its root span. */
export const DEFAULT_ROOT_CAUSE_MAX_TRACES = 20;
/** Default number of spans per trace read when searching for the root span (the newest ones). */
export const DEFAULT_ROOT_CAUSE_MAX_SPANS_PER_TRACE = 1000;
/** Error-rate window of incidents no rule raised (hand-made): the error_burst rule's default. */
const DEFAULT_RATE_WINDOW_SECONDS = 300;

export interface EngineOptions {
  /** The detection rules (typically mergeRules(…) over builtinRules()); validated, throws when invalid. */
  rules: readonly DetectionRule[];
  /** Current time, epoch ms. Arrival time of each batch, detection time of incidents, tick() time. */
  clock: () => number;
  /** Recent events kept for trace drill-down and window rebuilds; default 100,000. */
  eventRingCapacity?: number;
  /** Windows (group keys) kept per rule; the least recently updated is evicted beyond it; default 10,000. */
  maxGroupsPerRule?: number;
  /** Most `affected_components` per incident (and detection groups aliased to it); default 100. */
  maxComponentsPerIncident?: number;
  /** Most `trace_ids` per incident; default 1000. */
  maxTraceIdsPerIncident?: number;
  /** Most distinct keys per root-cause distribution (the rest count as `other`); default 50. */
  maxDistributionKeys?: number;
  /** Spans kept in the trace ring (root cause, drill-down); default 200,000. */
  traceRingCapacity?: number;
  /** Trace IDs remembered as incident traces (correlation, span persistence); oldest first out; default 100,000. */
  maxIncidentTraces?: number;
  /** Events looked at per trace when an incident gains the trace; default 64. */
  maxEventsPerTraceLookup?: number;
  /**
   * Events no rule counts still join the open incident owning their trace when at least this severe (ERROR logs,
   * failed spans typed by their exception); null: only events a rule counts join. Default 'high'.
   */
  uncountedJoinMinSeverity?: Severity | null;
  /** Ring spans persisted when a trace joins an incident (the newest); default 10,000. */
  maxSpansPerTraceJoin?: number;
  /** Traces searched for an incident's root span: its first ones (those still in the trace ring); default 20. */
  rootCauseMaxTraces?: number;
  /** Spans per trace read for the root span (the newest); default 1,000. */
  rootCauseMaxSpansPerTrace?: number;
  /** Distinct users counted exactly per incident before users_affected is estimated; default 1,000. */
  maxExactUsers?: number;
  /** Entries in similar_incidents; default 5. */
  maxSimilarIncidents?: number;
  /** Incident fingerprints remembered for recurrence; default 5,000. */
  maxFingerprints?: number;
  /** Severity escalation thresholds (escalation.ts; defaults per createDefaultEscalationOptions()). */
  escalation?: Partial<EscalationOptions>;
  /** Silence detection (silence.ts; defaults per createDefaultSilenceOptions()). */
  silence?: Partial<SilenceOptions>;
  /** Recovery and automatic resolution (recovery.ts; defaults per createDefaultRecoveryOptions()). */
  recovery?: Partial<RecoveryOptions>;
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
  /**
   * Recent incidents that are no longer open, for similar_incidents (recurrence.ts). The lean option: the daemon
   * passes the newest ones it stored (a few thousand are plenty: the engine keeps 10 per fingerprint), as whole
   * Incidents or as PastIncident summaries; order does not matter. Default: none.
   */
  pastIncidents?: readonly PastIncident[];
}

/** One service as engine.serviceActivity() sees it. */
export interface ServiceActivity {
  service: string;
  /** Requests (SERVER/CONSUMER spans, else local roots) within the window. */
  requests: number;
  /** Of those, failed ones. */
  errors: number;
  /** Arrival time (epoch ms) of its last telemetry; null when only counters know it. */
  lastSeenMs: number | null;
  /** Reported silent by silence detection and not heard from since. */
  silent: boolean;
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
  traceRingSpans: number;
  traceRingCapacity: number;
  traceRingTraces: number;
  incidentTraces: number;
  servicesWatched: number;
  serviceRates: number;
  latencyBaselines: number;
  fingerprints: number;
  /** Drafts dropped as repeats of events already taken in (retried exports), since the engine was created. */
  duplicatesDropped: number;
}

export interface Engine {
  /**
   * Numbers, clamps and detects one batch (one export request). Event time is the draft's timestamp, replaced by
   * the arrival time (clock()) when it is ≤ 0, not a number, or in the future. A draft that repeats an event still in
   * the event ring (the same telemetry sent again: event-identity.ts; see `context.repeatsMayBeDistinct`) is dropped
   * and counted in `duplicates`. `context.spans` go into the trace ring before the drafts are processed; `context.serviceTotals`
   * feed error-rate escalation and silence detection.
   */
  ingest(drafts: readonly EventDraft[], context?: IngestContext): IngestResult;
  /**
   * Time-based work at the clock's current time: silence detection (a silent service opens or joins a service_down
   * incident; the synthetic event is in `events`) and escalation of incidents open too long. Call it every few
   * seconds; what it returns is committed like an ingest result.
   */
  tick(): IngestResult;
  /** Records that telemetry from these services arrived (default: now), for silence detection. */
  observeServices(names: Iterable<string>, arrivalMs?: number): void;
  /**
   * Replaces all state with what the store kept: counters (raised past any restored id if needed), open incidents,
   * recent events, past incidents. Returns what replaying the unlinked events fired (`events` is empty).
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
  /**
   * The newest (highest id) `limit` open incidents `matches` accepts, as copies, and how many it accepts in all. Only
   * those returned are copied: listing a few of thousands of open incidents stays cheap. `limit` 0: all.
   */
  findOpenIncidents(matches: (incident: Readonly<Incident>) => boolean, limit: number): { incidents: Incident[]; total: number };
  /** One open incident (a copy), or undefined. */
  incident(incidentId: string): Incident | undefined;
  /**
   * Takes a changed incident back (status, severity, notes…). One that is no longer open stops absorbing. Fields
   * the engine derives from events (event_count, components, traces, root cause, users, similar incidents…) stay the
   * engine's, and escalation notes the update has not seen are kept (with their severity). Any incident may be
   * passed (also resolved or closed ones the engine no longer holds): recurrence learns its resolution. Returns
   * false when the engine does not hold an open incident with that id.
   */
  updateIncident(incident: Incident): boolean;
  /** Opens an incident by hand, with defaults from the severity matrix; returns it (a copy). */
  createIncident(input: NewIncident): Incident;
  /** Events of one trace still in the ring, in arrival order. */
  eventsForTrace(traceId: string): IncidentEvent[];
  /** Spans of one trace still in the trace ring, in arrival order, with their kept attributes (a trace view). */
  spansForTrace(traceId: string): SpanRecord[];
  counters(): EngineCounters;
  /** How far back (event time, seconds) the store must reload events on restore to rebuild the windows. */
  maxWindowSeconds(): number;
  sizes(): EngineSizes;
  /**
   * What the engine knows of each service's health over the last `windowMs` (arrival time): requests and failed
   * requests counted from span totals, when it was last heard from and whether it is silent now. One entry per
   * service with counters or a silence track (bounded like them).
   */
  serviceActivity(windowMs: number): ServiceActivity[];
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

function checkedOptions<T extends object>(
  defaults: T,
  given: Partial<T> | undefined,
  path: string,
  validate: (options: T, path: string) => string[],
): T {
  const options = { ...defaults, ...given };
  const errors = validate(options, path);
  if (errors.length > 0) throw new RangeError(`invalid options:\n${errors.join('\n')}`);
  return options;
}

/** Default of EngineOptions.uncountedJoinMinSeverity: ERROR-level telemetry (failed spans, ERROR logs). */
export const DEFAULT_UNCOUNTED_JOIN_MIN_SEVERITY: Severity = 'high';

function uncountedMinRank(value: Severity | null | undefined): number {
  if (value === null) return SEVERITY_RANK.critical + 1; // never
  const severity = value ?? DEFAULT_UNCOUNTED_JOIN_MIN_SEVERITY;
  if (!isSeverity(severity)) {
    throw new RangeError(`uncountedJoinMinSeverity must be one of ${SEVERITIES.join(', ')} or null (got ${String(value)})`);
  }
  return SEVERITY_RANK[severity];
}

/** The error-rate window of an incident: its rule's window (ms). */
function ruleWindows(rules: readonly DetectionRule[]): Map<string, number> {
  const windows = new Map<string, number>();
  for (const rule of rules) windows.set(rule.rule_id, rule.time_window_seconds * 1000);
  return windows;
}

/** Ids of the rules that group by the event's source. */
function sourceGroupedRules(rules: readonly DetectionRule[]): Set<string> {
  return new Set(rules.filter((rule) => rule.group_by === 'source').map((rule) => rule.rule_id));
}

/** The longest window of the enabled error_burst rules (ms): what the request counters must cover. */
function rateWindowMs(rules: readonly DetectionRule[]): number {
  let max = DEFAULT_RATE_WINDOW_SECONDS * 1000;
  for (const rule of rules) {
    if (rule.enabled && rule.incident_type === 'error_burst') max = Math.max(max, rule.time_window_seconds * 1000);
  }
  return max;
}

class EngineImpl implements Engine, IncidentHooks {
  private readonly clock: () => number;
  private readonly ring: EventRing;
  private readonly traceRing: TraceRing;
  private readonly book: IncidentBook;
  private readonly correlator: Correlator;
  private readonly retyper: Retyper;
  /** Open incidents by the dependency their failures lie at: several callers of one failing dependency, one incident. */
  private readonly dependencies: SharedDependencies;
  private readonly escalator: Escalator;
  private readonly silence: SilenceDetector;
  private readonly recoveryOptions: RecoveryOptions;
  private readonly recurrence: RecurrenceIndex;
  private readonly maxGroupsPerRule: number;
  private readonly rootCauseMaxTraces: number;
  private readonly rootCauseMaxSpansPerTrace: number;
  /** Events of the root span's trace looked at for the root span's own event. */
  private readonly maxEventsPerTraceLookup: number;
  private ruleList: DetectionRule[];
  private ruleWindowMs: Map<string, number>;
  /** Rules whose group is the event's source, by rule_id: their incidents are titled after their root cause. */
  private sourceGroupedRules: Set<string>;
  private detector: Detector;
  private nextEventSeq = 1;
  /** Drafts dropped as repeats since the engine was created (EngineSizes.duplicatesDropped). */
  private duplicatesDropped = 0;
  /** Scratch for an event's trace ID words in ingest (valid until the next use). */
  private readonly traceWordsFast = new Uint32Array(4);
  /** Open error_burst incidents below critical, by id: watched for their services' error rates. */
  private readonly rateWatch = new Set<string>();

  constructor(options: EngineOptions) {
    this.clock = options.clock;
    this.ring = new EventRing(
      positiveInteger('eventRingCapacity', options.eventRingCapacity, DEFAULT_EVENT_RING_CAPACITY),
    );
    this.traceRing = new TraceRing(
      positiveInteger('traceRingCapacity', options.traceRingCapacity, DEFAULT_TRACE_RING_CAPACITY),
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
      maxExactUsers: positiveInteger('maxExactUsers', options.maxExactUsers, DEFAULT_EXACT_USERS),
    };
    this.book = new IncidentBook(limits);
    this.book.hooks = this;
    this.correlator = new Correlator(
      {
        maxTraces: positiveInteger('maxIncidentTraces', options.maxIncidentTraces, DEFAULT_MAX_INCIDENT_TRACES),
        maxEventsPerTrace: positiveInteger(
          'maxEventsPerTraceLookup',
          options.maxEventsPerTraceLookup,
          DEFAULT_MAX_EVENTS_PER_TRACE,
        ),
        maxSpansPerTrace: positiveInteger('maxSpansPerTraceJoin', options.maxSpansPerTraceJoin, DEFAULT_MAX_SPANS_PER_TRACE),
        rootCauseTraces: positiveInteger('rootCauseMaxTraces', options.rootCauseMaxTraces, DEFAULT_ROOT_CAUSE_MAX_TRACES),
        uncountedMinRank: uncountedMinRank(options.uncountedJoinMinSeverity),
      },
      this.book,
      this.ring,
      this.traceRing,
    );
    this.retyper = new Retyper(this.book);
    this.dependencies = new SharedDependencies(limits.maxComponents);
    this.maxEventsPerTraceLookup = positiveInteger('maxEventsPerTraceLookup', options.maxEventsPerTraceLookup, DEFAULT_MAX_EVENTS_PER_TRACE);
    this.rootCauseMaxTraces = positiveInteger('rootCauseMaxTraces', options.rootCauseMaxTraces, DEFAULT_ROOT_CAUSE_MAX_TRACES);
    this.rootCauseMaxSpansPerTrace = positiveInteger(
      'rootCauseMaxSpansPerTrace',
      options.rootCauseMaxSpansPerTrace,
      DEFAULT_ROOT_CAUSE_MAX_SPANS_PER_TRACE,
    );
    this.recurrence = new RecurrenceIndex(
      positiveInteger('maxSimilarIncidents', options.maxSimilarIncidents, DEFAULT_MAX_SIMILAR),
      positiveInteger('maxFingerprints', options.maxFingerprints, DEFAULT_MAX_FINGERPRINTS),
    );
    this.ruleList = checkedRules(options.rules);
    this.ruleWindowMs = ruleWindows(this.ruleList);
    this.sourceGroupedRules = sourceGroupedRules(this.ruleList);
    this.escalator = new Escalator(
      checkedOptions(createDefaultEscalationOptions(), options.escalation, 'escalation', validateEscalationOptions),
      rateWindowMs(this.ruleList),
    );
    this.silence = new SilenceDetector(
      checkedOptions(createDefaultSilenceOptions(), options.silence, 'silence', validateSilenceOptions),
    );
    this.recoveryOptions = checkedOptions(createDefaultRecoveryOptions(), options.recovery, 'recovery', validateRecoveryOptions);
    this.detector = this.buildDetector();
  }

  ingest(drafts: readonly EventDraft[], context?: IngestContext): IngestResult {
    const now = this.clock();
    const changes = new ChangeSet<IncidentState>(now);
    const spans = context?.spans;
    if (spans !== undefined && spans.length > 0) this.pushSpans(spans, changes);
    const totals = context?.serviceTotals;
    if (totals !== undefined && totals.size > 0) this.takeTotals(totals, now);

    const ring = this.ring;
    const detector = this.detector;
    // A repeat is looked for among the events of earlier calls (a retry is another request: alike events within one
    // batch are taken as sent), and for telemetry without an identity of its own (log records) only among those that
    // came a retry's delay earlier: identical records arriving together were logged twice (event-identity.ts).
    const pushedBefore = ring.pushed;
    const arrivedBy = context?.repeatsMayBeDistinct === true ? now - RETRY_MIN_DELAY_MS : now;
    const events = new Array<IncidentEvent>(drafts.length);
    let count = 0;
    let duplicates = 0;
    let seq = this.nextEventSeq;
    for (let i = 0; i < drafts.length; i++) {
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
      if (ring.findRepeat(event, pushedBefore, arrivedBy) !== undefined) {
        duplicates++; // a retried export: counted (and stored) once, when it first came
        continue;
      }
      seq++;
      this.nextEventSeq = seq; // kept current so a throw mid-batch never lets a number be reused
      events[count++] = event;
      ring.push(event);
    }
    if (duplicates > 0) {
      events.length = count;
      this.duplicatesDropped += duplicates;
    }
    // Joins by trace go first for the whole batch: whether an event joins its trace's incident must not depend on
    // whether it came before or after unrelated events of its own service in the same export.
    const correlator = this.correlator;
    if (correlator.size > 0) {
      const w = this.traceWordsFast;
      for (let i = 0; i < count; i++) {
        const event = events[i] as IncidentEvent;
        if (event.correlation_id === '') continue;
        // events[i] was pushed as number pushedBefore + i: its trace ID words are in the ring, and a clear bit in the
        // owners filter says no incident has the trace, without looking it up.
        if (ring.traceWordsOf(pushedBefore + i, w) && !correlator.mayOwnWords(w[0] as number, w[1] as number, w[2] as number, w[3] as number)) {
          continue;
        }
        detector.joinByTrace(event, now, changes);
      }
      detector.joinsCheckedAt = correlator.generation; // observe() looks again only if owners were added
    }
    try {
      for (let i = 0; i < count; i++) detector.observe(events[i] as IncidentEvent, now, changes, false);
    } finally {
      detector.joinsCheckedAt = -1;
    }
    this.finish(now, changes, totals);
    const result = changes.result(events);
    if (duplicates > 0) result.duplicates = duplicates;
    return result;
  }

  tick(): IngestResult {
    const now = this.clock();
    const changes = new ChangeSet<IncidentState>(now);
    const events: IncidentEvent[] = [];
    for (const silent of this.silence.check(now)) events.push(this.reportSilence(silent, now, changes));
    for (const state of this.book.values()) {
      if (!PROLONGED_TYPES.has(state.incident.incident_type)) continue;
      if (this.escalator.checkProlonged(state.incident, now)) {
        state.finish(now);
        changes.touch(state);
      }
    }
    this.checkRecovery(now, changes);
    this.finish(now, changes, undefined);
    return changes.result(events);
  }

  observeServices(names: Iterable<string>, arrivalMs: number = this.clock()): void {
    for (const name of names) this.silence.observe(name, arrivalMs);
  }

  restore(state: RestoreState): IngestResult {
    const nextEventSeq = positiveInteger('nextEventSeq', state.nextEventSeq, 1);
    const nextIncidentSeq = positiveInteger('nextIncidentSeq', state.nextIncidentSeq, 1);
    this.ring.clear();
    this.traceRing.clear();
    this.book.clear();
    this.correlator.clear();
    this.dependencies.clear();
    this.recurrence.clear();
    this.escalator.rates.clear();
    this.escalator.baselines.clear();
    this.silence.clear();
    this.rateWatch.clear();
    this.book.nextSeq = nextIncidentSeq;
    this.nextEventSeq = nextEventSeq;
    for (const past of state.pastIncidents ?? []) this.recurrence.observe(past);
    for (const incident of state.openIncidents) {
      const loaded = this.book.load(incident); // also raises nextSeq past its id
      if (loaded !== undefined) this.adopt(loaded);
    }
    this.correlator.restore(this.book.values());
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
    this.ruleWindowMs = ruleWindows(this.ruleList);
    this.sourceGroupedRules = sourceGroupedRules(this.ruleList);
    this.escalator.ensureRateWindow(rateWindowMs(this.ruleList));
    this.detector = this.buildDetector();
    // Ranks and groups may have changed: the readings are counted again from the ring (replay).
    for (const state of this.book.values()) {
      state.readings = null;
      state.pendingReading = null;
    }
    return this.replay(this.ring.toArray(), this.clock() - this.maxWindowSeconds() * 1000);
  }

  openIncidents(): Incident[] {
    return this.book.states().map((state) => state.snapshot());
  }

  incident(incidentId: string): Incident | undefined {
    return this.book.get(incidentId)?.snapshot();
  }

  findOpenIncidents(matches: (incident: Readonly<Incident>) => boolean, limit: number): { incidents: Incident[]; total: number } {
    const found = this.book.states().filter((state) => matches(state.incident));
    found.sort((a, b) => incidentSeq(b.incident) - incidentSeq(a.incident));
    const shown = limit > 0 ? found.slice(0, limit) : found;
    return { incidents: shown.map((state) => state.snapshot()), total: found.length };
  }

  updateIncident(incident: Incident): boolean {
    const current = this.book.get(incident.incident_id);
    if (current === undefined) {
      this.recurrence.observe(incident);
      return false;
    }
    const merged = this.mergeUpdate(current, incident);
    const loaded = this.book.load(merged); // takes the incident out of the book when it is no longer open
    if (loaded !== undefined) this.adopt(loaded);
    else this.retire(merged);
    return true;
  }

  createIncident(input: NewIncident): Incident {
    const now = this.clock();
    const state = this.book.createManual(input, now);
    this.adopt(state);
    // The caller writes the incidents it links to as well (their related_incidents and timelines changed).
    relateOnOpen(state.incident, this.book.sharingComponents(state), now);
    return state.snapshot();
  }

  eventsForTrace(traceId: string): IncidentEvent[] {
    return this.ring.eventsForTrace(traceId);
  }

  spansForTrace(traceId: string): SpanRecord[] {
    return this.traceRing.spansForTrace(traceId, Number.POSITIVE_INFINITY, true);
  }

  counters(): EngineCounters {
    return { nextEventSeq: this.nextEventSeq, nextIncidentSeq: this.book.nextSeq };
  }

  maxWindowSeconds(): number {
    let max = 0;
    for (const rule of this.ruleList) if (rule.enabled && rule.time_window_seconds > max) max = rule.time_window_seconds;
    return max;
  }

  serviceActivity(windowMs: number): ServiceActivity[] {
    const now = this.clock();
    const byService = new Map<string, ServiceActivity>();
    for (const { service, lastSeen, silent } of this.silence.services()) {
      byService.set(service, { service, requests: 0, errors: 0, lastSeenMs: lastSeen, silent });
    }
    const rates = this.escalator.rates;
    for (const service of rates.services()) {
      const totals = rates.totals(service, windowMs, now);
      const entry = byService.get(service) ?? { service, requests: 0, errors: 0, lastSeenMs: null, silent: false };
      entry.requests = totals.requests;
      entry.errors = totals.failedRequests;
      byService.set(service, entry);
    }
    return [...byService.values()];
  }

  sizes(): EngineSizes {
    return {
      ringEvents: this.ring.size,
      ringCapacity: this.ring.capacity,
      traces: this.ring.traceCount,
      ...this.detector.sizes(),
      openIncidents: this.book.size,
      traceRingSpans: this.traceRing.size,
      traceRingCapacity: this.traceRing.capacity,
      traceRingTraces: this.traceRing.traceCount,
      incidentTraces: this.correlator.size,
      servicesWatched: this.silence.size,
      serviceRates: this.escalator.rates.size,
      latencyBaselines: this.escalator.baselines.size,
      fingerprints: this.recurrence.fingerprints,
      duplicatesDropped: this.duplicatesDropped,
    };
  }

  // IncidentHooks: called from IncidentState.attach for every event that joins an incident.

  traceAttached(state: IncidentState, traceId: string, changes: ChangeSet<IncidentState>): void {
    this.correlator.traceAttached(state, traceId, changes);
  }

  eventAttached(state: IncidentState, event: IncidentEvent, changes: ChangeSet<IncidentState>): void {
    // The incident is touched (and its updated_at set) by whoever attached the event.
    const incident = state.incident;
    incident.last_joined_at = changes.now;
    if (incident.status === 'recovering') {
      // Back where it was before recovery began (its history says; investigating if it does not).
      applyTransition(incident, lastTransitionTo(incident, 'recovering')?.from ?? 'investigating', {
        at: changes.now,
        by: SYSTEM_ACTOR,
        reason: `new ${event.event_type} event from ${event.source || 'an unnamed source'} during recovery`,
      });
    }
    this.escalator.onEvent(incident, event);
    this.dependencies.observe(state, event, changes);
    this.retyper.observe(state, event, changes);
  }

  incidentOpened(state: IncidentState, events: readonly IncidentEvent[], changes: ChangeSet<IncidentState>): void {
    this.dependencies.opened(state, events, changes);
    this.retyper.settle(state, changes);
    if (state.open) {
      // Only the incidents on its components can be related (the book's index, not a scan of every open incident).
      for (const other of relateOnOpen(state.incident, this.book.sharingComponents(state), this.clock())) changes.touch(other);
    }
  }

  /** The exit criteria (recovery.ts): quiet incidents move to recovering, then resolve themselves. */
  private checkRecovery(now: number, changes: ChangeSet<IncidentState>): void {
    const resolved: IncidentState[] = [];
    for (const state of this.book.values()) {
      const incident = state.incident;
      const step = recoveryStep(incident, this.ruleWindowMs.get(incident.rule_id), this.recoveryOptions, now);
      if (step === undefined) continue;
      if (this.hasSilentComponent(incident)) continue; // still down: no news is not good news
      const quiet = formatDuration(now - lastJoinedAt(incident));
      if (step === 'recover') {
        applyTransition(incident, 'recovering', { at: now, by: SYSTEM_ACTOR, reason: `no matching events for ${quiet}` });
      } else {
        applyTransition(incident, 'resolved', {
          at: now,
          by: SYSTEM_ACTOR,
          reason: `exit criteria held: no matching events for ${quiet}`,
        });
        resolved.push(state);
      }
      changes.touch(state);
    }
    for (const state of resolved) this.retire(state.incident);
  }

  /**
   * An incident that is no longer open (resolved, closed) leaves the engine: out of the book (if still in it) and the
   * error-rate watch; recurrence learns how it ended.
   */
  private retire(incident: Incident): void {
    this.book.remove(incident.incident_id);
    this.rateWatch.delete(incident.incident_id);
    this.recurrence.observe(incident);
  }

  private buildDetector(): Detector {
    const detector = new Detector(
      this.ruleList,
      { maxGroupsPerRule: this.maxGroupsPerRule },
      this.book,
      this.correlator,
      this.dependencies,
    );
    this.correlator.matcher = detector;
    this.retyper.detector = detector;
    const slow = new Set<string>();
    for (const compiled of detector.compiled) {
      if (compiled.rule.incident_type === 'performance_degradation') {
        for (const type of compiled.rule.match.event_types) slow.add(type);
      }
    }
    this.escalator.slowEventTypes = slow;
    return detector;
  }

  /** Trace ring, baselines, and the spans of incident traces (persisted when listed; their incident's root cause is due). */
  private pushSpans(spans: readonly SpanRecord[], changes: ChangeSet<IncidentState>): void {
    const ring = this.traceRing;
    const correlator = this.correlator;
    const baselines = this.escalator.baselines;
    const watching = correlator.size > 0;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i] as SpanRecord;
      ring.append(span);
      if (span.kind === SPAN_KIND_SERVER && !span.failed) baselines.add(span.service, span.end_ms - span.start_ms);
      // mayOwn first: a bit test on the ID words, so spans of other traces never have their trace ID made into text.
      if (watching && correlator.mayOwn(span) && correlator.isIncidentTrace(span.trace_id)) {
        this.incidentSpan(span, ring.pushed - 1, changes);
      }
    }
  }

  private incidentSpan(span: SpanRecord, pushNumber: number, changes: ChangeSet<IncidentState>): void {
    // Persisted when its trace's spans are, an incident listing it (correlation.ts): as a plain record (a
    // PackedSpanRecord's IDs are getters, which serialisers do not see).
    if (this.correlator.persistsSpansOf(span.trace_id)) changes.emitSpan(span instanceof PackedSpanRecord ? span.toRecord() : span, pushNumber);
    const state = this.correlator.openOwner(span.trace_id);
    if (state === undefined) return;
    if (state.isLeadingTrace(span.trace_id, this.rootCauseMaxTraces)) {
      state.rootDirty = true;
      changes.markPending(state);
    }
    if (span.failed && span.user !== '' && state.addUser(span.user)) changes.touch(state);
  }

  private takeTotals(totals: ReadonlyMap<string, ServiceTotals>, now: number): void {
    const rates = this.escalator.rates;
    for (const [service, counts] of totals) {
      rates.add(service, counts, now);
      this.silence.observe(service, now);
    }
  }

  /** Registers an incident (created, restored or updated) with recurrence and the error-rate watch. */
  private adopt(state: IncidentState): void {
    const incident = state.incident;
    this.dependencies.register(state);
    this.recurrence.observe(incident);
    state.fingerprint = fingerprintOf(incident);
    this.refreshSimilar(state);
    if (incident.incident_type === 'error_burst' && incident.severity !== 'critical') {
      this.rateWatch.add(incident.incident_id);
    }
  }

  /**
   * Keeps the recurrence index and similar_incidents current for a changed incident. Cheap when nothing moved: the
   * index is only written when the fingerprint changed, the list only rebuilt when the index changed.
   */
  private updateRecurrence(state: IncidentState): void {
    const incident = state.incident;
    const fingerprint = fingerprintOf(incident);
    if (fingerprint !== state.fingerprint) {
      this.recurrence.observe(incident);
      state.fingerprint = fingerprint;
    }
    if (state.similarVersion !== this.recurrence.version) this.refreshSimilar(state);
  }

  private refreshSimilar(state: IncidentState): void {
    const similar = this.recurrence.similarTo(state.incident);
    if (similar !== undefined) state.incident.similar_incidents = similar;
    state.similarVersion = this.recurrence.version;
  }

  /**
   * End of a call: root spans of incidents whose traces changed, error rates (escalation of error_burst incidents,
   * peak_error_rate of changed ones: one computation serves both), recurrence of every incident that changed. Each at
   * most once per incident per call.
   */
  private finish(
    now: number,
    changes: ChangeSet<IncidentState>,
    totals: ReadonlyMap<string, ServiceTotals> | undefined,
  ): void {
    const pending = changes.pending;
    for (let i = 0; i < pending.length; i++) {
      const state = pending[i] as IncidentState;
      if (state.open && state.rootDirty) this.findRootSpan(state, now, changes);
      // After the root span: detection's cause is the one the incident is reported with.
      if (state.open && state.assessDue) state.assess(now);
    }
    const reported = totals !== undefined && totals.size > 0 ? totals : undefined;
    if (reported !== undefined && this.rateWatch.size > 0) this.checkWatchedRates(reported, now, changes);
    const touched = changes.touched;
    for (let i = 0; i < touched.length; i++) {
      const state = touched[i] as IncidentState;
      if (!state.open) continue;
      const incident = state.incident;
      const watched = isRateWatched(incident);
      if (watched) this.rateWatch.add(incident.incident_id);
      if (state.rateCheckedBy !== changes.id && (watched || (reported !== undefined && hasReported(incident, reported)))) {
        this.checkRate(state, now, changes);
      }
      if (!state.assessDue) state.noteCauseChange();
      if (incident.rule_id !== '') state.retitle(this.sourceGroupedRules.has(incident.rule_id));
      this.updateRecurrence(state);
    }
  }

  private hasSilentComponent(incident: Incident): boolean {
    const components = incident.affected_components;
    for (let i = 0; i < components.length; i++) if (this.silence.isSilent(components[i] as string)) return true;
    return false;
  }

  /** The root span among the incident's first traces (those still in the ring); touches the incident if it moved. */
  private findRootSpan(state: IncidentState, now: number, changes: ChangeSet<IncidentState>): void {
    state.rootDirty = false;
    const ring = this.traceRing;
    const traces: SpanRecord[][] = [];
    const traceIds = state.incident.trace_ids;
    const count = Math.min(traceIds.length, this.rootCauseMaxTraces);
    for (let i = 0; i < count; i++) {
      const traceId = traceIds[i] as string;
      if (ring.has(traceId)) traces.push(ring.spansForTrace(traceId, this.rootCauseMaxSpansPerTrace));
    }
    if (traces.length === 0) return; // no spans known: the distributions' answer stands (or the last root span)
    const finding = findRootSpan(traces);
    if (finding === undefined) return;
    const span = finding.span;
    // The root span's own event says what failed and where (root-cause.ts); without it, the span's service. A call to
    // the shared dependency the incident is placed at is placed there too (shared-dependency.ts).
    const cause = causeOfSpan(span, this.ring.eventsForTrace(span.trace_id, this.maxEventsPerTraceLookup));
    const dependency = state.dependency;
    const source = dependency !== null && dependency.anchored && span.peer === dependency.peer ? dependency.peer : (cause?.source ?? span.service);
    const errorType = cause?.event_type ?? state.errors.primary;
    const rootCause = state.incident.root_cause;
    const rootSpan = rootSpanOf(span, source);
    if (sameRootSpan(rootCause.root_span, rootSpan) && rootCause.primary_source === source && rootCause.primary_error_type === errorType) {
      return;
    }
    rootCause.root_span = rootSpan;
    rootCause.primary_source = source;
    rootCause.primary_error_type = errorType;
    state.finish(now);
    changes.touch(state);
  }

  /** Error rates of the watched incidents (rateWatch) one of whose services reported in this call. */
  private checkWatchedRates(totals: ReadonlyMap<string, ServiceTotals>, now: number, changes: ChangeSet<IncidentState>): void {
    for (const incidentId of this.rateWatch) {
      const state = this.book.get(incidentId);
      if (state === undefined || !isRateWatched(state.incident)) {
        this.rateWatch.delete(incidentId);
        continue;
      }
      if (hasReported(state.incident, totals)) this.checkRate(state, now, changes);
    }
  }

  /**
   * The incident's error rate at the end of this call, computed once (the worst share among its services over its
   * rule's window): escalates an error_burst incident beyond the threshold, and raises peak_error_rate of an incident
   * this call changed (one it did not is left as it is: writing the peak would make it a change of its own).
   */
  private checkRate(state: IncidentState, now: number, changes: ChangeSet<IncidentState>): void {
    state.rateCheckedBy = changes.id;
    const incident = state.incident;
    const windowMs = this.ruleWindowMs.get(incident.rule_id) ?? DEFAULT_RATE_WINDOW_SECONDS * 1000;
    const worst = this.escalator.worstErrorRate(incident, windowMs, now);
    if (worst === undefined) return;
    if (this.escalator.checkErrorRate(incident, worst)) {
      state.finish(now);
      changes.touch(state);
      this.rateWatch.delete(incident.incident_id);
    }
    if (state.touchedBy === changes.id && (incident.peak_error_rate === null || worst.share > incident.peak_error_rate)) {
      incident.peak_error_rate = worst.share;
    }
  }

  /**
   * A silent service: a synthetic service_unavailable event that opens or joins the service_down incident of its
   * group directly. Silence is a confirmed outage signal by construction (a regular sender stopped for minutes), so
   * it does not wait for a window of five; it is numbered and stored like any event.
   */
  private reportSilence(silent: SilentService, now: number, changes: ChangeSet<IncidentState>): IncidentEvent {
    const seq = this.nextEventSeq++;
    const event: IncidentEvent = {
      event_id: 'evt_' + seq,
      timestamp: now,
      event_type: 'service_unavailable',
      source: silent.service,
      severity: 'critical',
      message:
        `no telemetry from ${silent.service} for ${formatDuration(silent.silentForMs)} ` +
        `(expected every ≤ ${formatDuration(silent.expectedMs)})`,
      metadata: {
        silent_for_seconds: Math.floor(silent.silentForMs / 1000),
        expected_seconds: Math.round(silent.expectedMs / 1000),
        last_seen: isoTime(silent.lastSeen) ?? '',
      },
      correlation_id: '',
      span_id: '',
      seq,
      received_at: now,
      incident_id: '',
    };
    this.ring.push(event);
    const compiled = this.detector.compiled.find((c) => c.rule.incident_type === 'service_down');
    const rule = compiled?.rule ?? (builtinRule('service_down') as DetectionRule);
    const groupKey = compiled !== undefined ? compiled.groupKeyOf(event) : event.source;
    const open = this.book.openFor(rule.rule_id, groupKey);
    if (open !== undefined) {
      this.book.absorb(open, event, now, changes);
    } else {
      this.book.create(rule, groupKey, [event], now, changes);
      this.book.invalidate(); // opened outside a window: the group's cached "no incident" is stale
    }
    return event;
  }

  /**
   * An update from the workflow over the engine's current state of an open incident: workflow fields from the
   * update, event-derived fields from the engine; escalation notes the update has not seen are appended (and their
   * severity kept), so a workflow change made on a stale copy does not undo an escalation.
   */
  private mergeUpdate(current: IncidentState, update: Incident): Incident {
    current.syncUsers();
    const engine = current.incident;
    const unseen = engine.notes.filter((note) => isEngineNote(note) && !update.notes.includes(note));
    const severity =
      unseen.some(isEscalationNote) && SEVERITY_RANK[engine.severity] > SEVERITY_RANK[update.severity]
        ? engine.severity
        : update.severity;
    const merged: Incident = {
      ...update,
      incident_type: engine.incident_type,
      // Derived from the rule and the root cause (a re-type or a moved root cause changes them), never set by people.
      title: engine.title,
      description: engine.description,
      severity,
      rule_id: engine.rule_id,
      group_key: engine.group_key,
      detected_at: engine.detected_at,
      first_event_at: engine.first_event_at,
      last_event_at: engine.last_event_at,
      affected_components: engine.affected_components,
      event_count: engine.event_count,
      mttd: engine.mttd,
      root_cause: engine.root_cause,
      users_affected: engine.users_affected,
      similar_incidents: engine.similar_incidents,
      trace_ids: engine.trace_ids,
      notes: unseen.length > 0 ? [...update.notes, ...unseen] : update.notes,
    };
    if (engine.users_sketch !== undefined) merged.users_sketch = engine.users_sketch;
    else delete merged.users_sketch;
    if (engine.group_aliases !== undefined) merged.group_aliases = engine.group_aliases;
    else delete merged.group_aliases;
    // Set by the engine as incidents open: a workflow change made on an older copy must not drop a link.
    if (engine.related_incidents !== undefined) merged.related_incidents = engine.related_incidents;
    return merged;
  }

  /**
   * Feeds unlinked events (oldest first) with event time ≥ `since` back into fresh windows, and the events of open
   * incidents back into their readings (retype.ts: a reading crossed meanwhile is taken).
   */
  private replay(events: readonly IncidentEvent[], since: number): IngestResult {
    const now = this.clock();
    const changes = new ChangeSet<IncidentState>(now);
    for (const event of events) {
      if (event.timestamp < since) continue;
      if (event.incident_id === '') {
        this.detector.observe(event, now, changes, true);
        continue;
      }
      const state = this.book.get(event.incident_id);
      if (state !== undefined) this.retyper.observe(state, event, changes);
    }
    this.finish(now, changes, undefined);
    return changes.result([]);
  }
}

/** Whether the incident's error rate may still escalate it: open error_burst incidents below critical. */
function isRateWatched(incident: Incident): boolean {
  return incident.incident_type === 'error_burst' && SEVERITY_RANK[incident.severity] < SEVERITY_RANK.critical;
}

/** Whether one of the services checked for the incident's error rate (its first MAX_RATE_COMPONENTS) is in `totals`. */
function hasReported(incident: Incident, totals: ReadonlyMap<string, ServiceTotals>): boolean {
  const components = incident.affected_components;
  for (let i = 0; i < components.length && i < MAX_RATE_COMPONENTS; i++) {
    if (totals.has(components[i] as string)) return true;
  }
  return false;
}

/** The incident's number, for ordering; 0 for an id this engine does not hand out. */
function incidentSeq(incident: Incident): number {
  return parseIncidentSeq(incident.incident_id) ?? 0;
}

/** Creates an engine; throws on invalid options or rules (a start-up error, not a runtime one). */
export function createEngine(options: EngineOptions): Engine {
  return new EngineImpl(options);
}
