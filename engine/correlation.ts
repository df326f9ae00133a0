// Trace-aware correlation: one failure that ripples through many services becomes one incident.
//
//   incident gains trace T (attach) ──▶ traceAttached: owners[T] = incident ──▶ T listed by it (trace_ids)? spans of
//                                                        │                      T in the trace ring → persist, once
//                                                        └─▶ queue T ──drain()──▶ events of T in the event ring that
//                                                                                  a rule counts and no incident holds
//                                                                                  join the incident (leave windows)
//   event (counted by a rule, or severe), trace owned by an open incident ──▶ joins it (detector.ts, before windows)
//   window fires, some of its traces owned ──▶ the window's events join the owner instead of opening an incident
//   span of an owned trace arrives ──▶ persisted if the trace's spans are (IngestResult.traceSpans), root span looked
//                                      for again (engine.ts)
//
// Which spans are persisted: those of the traces an incident lists (trace_ids: its first 1,000), whoever owns the
// trace. A flood's later traces still join the incident, count and name their users, but their spans stay in the
// ring: persisting them made the store (and the LMDB pages a busy daemon maps) grow by every failing trace.
//
// Aliases: once enough of a detection group's events (group = its first matching rule + its group key) joined an
// incident through shared traces — half the rule's error_threshold, rounded up, within the rule's window of event
// time, i.e. evidence that the group is failing now and with this incident — the group is aliased to the incident
// (unless it has an open incident of its own): its further events are absorbed like the incident's own group's. So a
// cascade whose newer traces reach a service before those traces' other events reach the incident stays one
// incident, while a single shared trace, or a trickle of them over hours, does not pull a whole service in. The
// alias goes with the incident (Incident.group_aliases) and ends when it closes.
//
// Precedence: an owned trace wins over the event's own group (the trace is the stronger evidence). A trace has at
// most one open owner: the first incident to get it. Which events join: those an enabled rule counts, and — failure
// evidence in a failing request — those no rule counts that are at least `uncountedMinSeverity` (default high: ERROR
// logs and failed spans; e.g. a FATAL log typed by its exception, `WorkerCrash`, which no rule names). Less severe
// uncounted events (slow spans no rule counts, info-level custom events) never join. Uncounted events alias nothing.
//
// Bounds: `owners` keeps at most `maxTraces` trace IDs (oldest first out, in batches: bounded-map.ts; the owner of a
// resolved incident stays until then, so late spans of its listed traces are still persisted; `persisted` holds only
// traces `owners` has); each drained trace looks at its newest `maxEventsPerTrace` events in the ring; listing a trace
// persists at most `maxSpansPerTrace` of its ring spans. Restore rebuilds `owners` and `persisted` from the open
// incidents' trace_ids.
//
// Known limit: two open incidents that never share a trace are never merged, even when they turn out to be one
// failure (e.g. a service whose first `error_threshold` failing traces all reach firewatch before any trace it shares
// with an open incident). The alias makes that rare; merging incidents that were already reported is not attempted.

import { makeRoom } from './bounded-map.js';
import type { ChangeSet } from './change-set.js';
import type { EventRing } from './event-ring.js';
import type { IncidentBook, IncidentHandle, IncidentState } from './incidents.js';
import { PackedSpanRecord } from './packed-span-record.js';
import { traceIdWords, traceWordsHash } from './trace-chains.js';
import type { TraceRing } from './trace-ring.js';
import { SEVERITY_RANK } from './types.js';
import type { IncidentEvent, SpanRecord } from './types.js';

/** Default cap on trace IDs remembered as belonging to incidents. */
export const DEFAULT_MAX_INCIDENT_TRACES = 100_000;
/** Default cap on events looked at per trace when an incident gains it. */
export const DEFAULT_MAX_EVENTS_PER_TRACE = 64;
/** Default cap on spans persisted from the ring when an incident lists a trace. */
export const DEFAULT_MAX_SPANS_PER_TRACE = 10_000;

/** What correlation needs to know of a rule: which group an event of it belongs to, and when to alias it. */
export interface CorrelationRule {
  readonly ruleId: string;
  /** Events of one group joined through traces, within `windowMs`, before the group is aliased to the incident. */
  readonly aliasAfter: number;
  /** The rule's window (ms). */
  readonly windowMs: number;
  groupKeyOf(event: IncidentEvent): string;
}

/** The detector, as correlation sees it. */
export interface RuleMatcher {
  /** The first enabled rule (configuration order) that counts `event`, or undefined. */
  matchingRule(event: IncidentEvent): CorrelationRule | undefined;
  /** Takes `event` out of every window holding it. */
  release(event: IncidentEvent): void;
}

export interface CorrelationLimits {
  maxTraces: number;
  maxEventsPerTrace: number;
  maxSpansPerTrace: number;
  /** An incident's first traces that root cause analysis reads: only their spans make it look again. */
  rootCauseTraces: number;
  /** SEVERITY_RANK from which events no rule counts join through their trace; above `critical` for never. */
  uncountedMinRank: number;
}

/** Bits of the owners filter (256 KiB): ~5 % false positives with DEFAULT_MAX_INCIDENT_TRACES traces. */
const OWNER_FILTER_BITS_LOG2 = 21;
const OWNER_FILTER_MASK = (1 << OWNER_FILTER_BITS_LOG2) - 1;

export class Correlator {
  /**
   * One bit per traceWordsHash of every 32-hex trace ID in `owners` (a one-hash Bloom filter; rebuilt when owners
   * evicts). Lets a span whose IDs are words (PackedSpanRecord) skip the owners lookup, and making its trace ID into a
   * string, unless its bit is set: bench/ingest.bench.ts, once incidents exist every span paid for both.
   */
  private readonly ownerBits = new Int32Array(1 << (OWNER_FILTER_BITS_LOG2 - 5));
  private readonly wordsFast = new Uint32Array(4);
  /**
   * Trace ID → handle of the incident that got it first (its state while open, null after); Map order = oldest
   * first. One Map lookup per event answers "which open incident owns this trace".
   */
  private readonly owners = new Map<string, IncidentHandle>();
  /** Owned traces whose spans are persisted (an incident lists them): their late spans are persisted too. */
  private readonly persisted = new Set<string>();
  /** Drops a trace `owners` evicted from `persisted` (which holds only traces `owners` has). */
  private readonly forgetPersisted = (traceId: string): void => {
    this.persisted.delete(traceId);
  };
  /** Traces gained since the last drain, with their incident (flat pairs). */
  private readonly queue: (string | IncidentState)[] = [];
  /** The detector; set (again) whenever it is rebuilt. */
  matcher: RuleMatcher | null = null;
  /** Counts traces that became an open incident's: lets callers skip lookups when none did since they last looked. */
  generation = 0;

  constructor(
    private readonly limits: CorrelationLimits,
    private readonly book: IncidentBook,
    private readonly events: EventRing,
    private readonly spans: TraceRing,
  ) {}

  /** Trace IDs remembered as incident traces. */
  get size(): number {
    return this.owners.size;
  }

  get hasQueued(): boolean {
    return this.queue.length > 0;
  }

  /**
   * False when `span`'s trace is certainly no incident's; true when it may be (then ask isIncidentTrace). Only spans
   * with ID words are filtered; for others this is always true.
   */
  mayOwn(span: SpanRecord): boolean {
    if (!(span instanceof PackedSpanRecord)) return true;
    const w = span.idWords;
    const at = span.idAt;
    return this.mayOwnWords(w[at] as number, w[at + 1] as number, w[at + 2] as number, w[at + 3] as number);
  }

  /**
   * False when the trace with these ID words is certainly no incident's (see mayOwn). The engine asks it for each
   * traced event before openOwner, with the words the event ring parsed: most traces are no incident's, and the
   * owners lookup (up to maxTraces string keys) was a tenth of a decision once incidents existed (bench/engine.bench.ts,
   * "100 events → decision", CPU profile: openOwner).
   */
  mayOwnWords(w0: number, w1: number, w2: number, w3: number): boolean {
    const bit = traceWordsHash(w0, w1, w2, w3) & OWNER_FILTER_MASK;
    return ((this.ownerBits[bit >>> 5] as number) & (1 << (bit & 31))) !== 0;
  }

  private markOwned(traceId: string): void {
    const w = this.wordsFast;
    if (!traceIdWords(traceId, w)) return; // packed spans always have 32-hex IDs: text IDs need no bit
    const bit = traceWordsHash(w[0] as number, w[1] as number, w[2] as number, w[3] as number) & OWNER_FILTER_MASK;
    this.ownerBits[bit >>> 5] = (this.ownerBits[bit >>> 5] as number) | (1 << (bit & 31));
  }

  /** Makes room in owners; when that evicted, rebuilds the filter from the remaining keys (once per batch). */
  private makeRoomForOwner(): void {
    const before = this.owners.size;
    makeRoom(this.owners, this.limits.maxTraces, this.forgetPersisted);
    if (this.owners.size < before) {
      this.ownerBits.fill(0);
      for (const traceId of this.owners.keys()) this.markOwned(traceId);
    }
  }

  /** Whether `traceId` belongs (or belonged) to an incident. */
  isIncidentTrace(traceId: string): boolean {
    return this.owners.has(traceId);
  }

  /** Whether the spans of `traceId` are persisted (an incident lists it), late ones included. */
  persistsSpansOf(traceId: string): boolean {
    return this.persisted.has(traceId);
  }

  /** The open incident that owns `traceId`, if any. */
  openOwner(traceId: string): IncidentState | undefined {
    return this.owners.get(traceId)?.state ?? undefined;
  }

  /**
   * For a window about to fire: the open incident owning the most of its events' traces (ties: the first to get there),
   * or undefined when none is owned.
   */
  ownerOfWindow(events: readonly IncidentEvent[]): IncidentState | undefined {
    if (this.owners.size === 0) return undefined;
    let best: IncidentState | undefined;
    let bestCount = 0;
    let counts: Map<IncidentState, number> | undefined;
    for (const event of events) {
      if (event.correlation_id === '') continue;
      const owner = this.openOwner(event.correlation_id);
      if (owner === undefined) continue;
      counts ??= new Map();
      const count = (counts.get(owner) ?? 0) + 1;
      counts.set(owner, count);
      if (count > bestCount) {
        best = owner;
        bestCount = count;
      }
    }
    return best;
  }

  /**
   * An incident got an event with `traceId` (IncidentHooks.traceAttached). The first time a trace reaches an incident
   * while no open one has it, it becomes that incident's: its failing spans' users are counted and the trace is queued
   * for drain(). Whoever owns it, the first incident that lists it has its ring spans persisted.
   */
  traceAttached(state: IncidentState, traceId: string, changes: ChangeSet<IncidentState>): void {
    const owner = this.owners.get(traceId);
    const takes = owner !== state.handle && (owner === undefined || owner.state === null);
    // The trace list is bounded (trace_ids): a flood's later traces are not listed, and their spans stay in the ring.
    const persist = state.traces.has(traceId) && !this.persisted.has(traceId);
    if (takes) {
      if (owner !== undefined) this.owners.delete(traceId); // re-inserted below as the newest
      else this.makeRoomForOwner();
      this.owners.set(traceId, state.handle);
      this.markOwned(traceId);
      this.generation++;
    }
    if (persist) this.persisted.add(traceId); // after makeRoomForOwner: the trace is in owners (its or another's)

    const ring = this.spans;
    if ((takes || persist) && ring.has(traceId)) {
      const pushes = ring.pushNumbersOf(traceId, this.limits.maxSpansPerTrace);
      for (let i = 0; i < pushes.length; i++) {
        const pushNumber = pushes[i] as number;
        const save = persist && !changes.hasEmitted(pushNumber);
        // Persisted spans keep their attributes (the ring's may be overwritten before anyone looks at the trace).
        const span: SpanRecord = ring.spanAt(pushNumber, traceId, save);
        if (save) changes.emitSpan(span, pushNumber);
        if (takes && span.failed && span.user !== '') state.addUser(span.user);
      }
      if (state.isLeadingTrace(traceId, this.limits.rootCauseTraces)) {
        state.rootDirty = true; // only when there are spans root cause analysis will read
        changes.markPending(state);
      }
    }
    if (takes) this.queue.push(traceId, state);
  }

  /**
   * Joins every event of a queued trace that a rule counts and no incident holds to the trace's incident. Runs until
   * the queue is empty (joining never adds traces: the events carry the trace already queued).
   */
  drain(now: number, changes: ChangeSet<IncidentState>): void {
    const queue = this.queue;
    const matcher = this.matcher;
    for (let i = 0; i < queue.length; i += 2) {
      const traceId = queue[i] as string;
      const state = queue[i + 1] as IncidentState;
      if (!state.open || matcher === null) continue;
      const events = this.events.eventsForTrace(traceId, this.limits.maxEventsPerTrace);
      for (const event of events) {
        if (event.incident_id !== '') continue;
        const rule = matcher.matchingRule(event);
        if (rule === undefined) {
          if (this.joinsUncounted(event)) this.join(state, event, null, now, changes);
          continue;
        }
        matcher.release(event); // it may wait in windows: it leaves them now
        this.join(state, event, rule, now, changes);
      }
    }
    queue.length = 0;
  }

  /** Whether an event no rule counts is severe enough to join through its trace. */
  joinsUncounted(event: IncidentEvent): boolean {
    return SEVERITY_RANK[event.severity] >= this.limits.uncountedMinRank;
  }

  /**
   * Links `event` (counted by `rule`, or by none) to `state`; aliases the event's group to it once the evidence
   * suffices.
   */
  join(
    state: IncidentState,
    event: IncidentEvent,
    rule: CorrelationRule | null,
    now: number,
    changes: ChangeSet<IncidentState>,
  ): void {
    this.book.absorb(state, event, now, changes);
    if (rule === null) return;
    const groupKey = rule.groupKeyOf(event);
    if (this.book.openFor(rule.ruleId, groupKey) === state) return; // its own group, or aliased already
    if (state.countJoin(rule.ruleId, groupKey, event.timestamp, rule.windowMs) >= rule.aliasAfter) {
      this.book.alias(rule.ruleId, groupKey, state);
    }
  }

  /**
   * Registers restored incidents' traces (no spans to persist now: the ring is empty after a restart; their spans were
   * persisted when they were listed, and late ones will be).
   */
  restore(states: Iterable<IncidentState>): void {
    for (const state of states) {
      for (const traceId of state.incident.trace_ids) {
        if (!this.owners.has(traceId)) {
          // first open incident wins
          this.makeRoomForOwner();
          this.owners.set(traceId, state.handle);
          this.markOwned(traceId);
        }
        this.persisted.add(traceId);
      }
    }
    this.generation++;
  }

  clear(): void {
    this.owners.clear();
    this.persisted.clear();
    this.ownerBits.fill(0);
    this.queue.length = 0;
    this.generation++;
  }
}
