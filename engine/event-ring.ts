// The recent-event ring with its indexes: by trace ID, and the untraced events by identity (the same telemetry sent
// again, event-identity.ts).
//
//   push(event) ──▶ RingBuffer ──evicted──▶ TraceChains.link unindexes it   (same call: the indexes never outgrow
//                                            └─ indexes the new event        the ring)
//   findRepeat(event) ── trace ID? ──▶ the newest events of its trace ─┐
//                     └─ none ──▶ identity hash ──▶ the events with it ─┴▶ the first one sameIdentity accepts, among
//                                                                         those pushed before a given push and
//                                                                         arrived by a given time
//
// Both indexes are trace-chains.ts (shared with the span ring). An event with a trace ID can only repeat an event of
// its trace, which the trace index already lists, so only untraced events (metric points, logs without trace context)
// are keyed by their identity hash (as four words): a second index over every event cost a tenth of engine.ingest
// (bench/engine.bench.ts). A retried export is recognised while its first copy is still among the ring's events (and
// among the newest MAX_TRACE_EVENTS_COMPARED of its trace), and after a restart as well: the daemon refills the ring
// with the events it stored. bench/engine.bench.ts ("engine.ingest", ring 100k vs 1k) measures what the ring costs.
//
// Per event, the engine calls findRepeat then push: the trace ID is parsed into words once for both, and a repeat's
// candidates are first compared by event time from a column (`times`), so the usual answer, no repeat, touches no
// older event object (with 100,000 of them, each one a likely cache miss). bench/engine.bench.ts, "100 events →
// decision" (CPU profile).

import { identityWords, sameIdentity } from './event-identity.js';
import { RingBuffer } from './ring-buffer.js';
import { TraceChains, traceIdWords } from './trace-chains.js';
import type { IncidentEvent } from './types.js';

/** Events of one trace compared with a possible repeat, the newest first. */
export const MAX_TRACE_EVENTS_COMPARED = 256;

export class EventRing {
  private readonly ring: RingBuffer<IncidentEvent>;
  private readonly chains: TraceChains;
  /** Untraced events by identity hash; traced ones hold no key here (their slot is cleared on push). */
  private readonly identities: TraceChains;
  /** The identity hash of the untraced event being looked up or pushed (valid until the next call). */
  private readonly identityFast = new Uint32Array(4);
  /** The event identityFast holds the hash of: findRepeat then push of the same event hashes it once. */
  private hashed: IncidentEvent | null = null;
  /** The trace ID words of `parsed` (valid until the next call), when its trace ID is 32 lowercase hex. */
  private readonly traceWordsFast = new Uint32Array(4);
  /** The event traceWordsFast holds the trace ID words of: findRepeat then push parse them once. */
  private parsed: IncidentEvent | null = null;
  /** Per slot: the event time of the event in it (a repeat has the same time: compared before the event itself). */
  private readonly times: Float64Array;

  constructor(capacity: number) {
    this.ring = new RingBuffer<IncidentEvent>(capacity);
    this.chains = new TraceChains(capacity);
    this.identities = new TraceChains(capacity);
    this.times = new Float64Array(capacity);
  }

  get capacity(): number {
    return this.ring.capacity;
  }

  get size(): number {
    return this.ring.size;
  }

  /** Number of distinct trace IDs indexed. */
  get traceCount(): number {
    return this.chains.size;
  }

  /** Appends `event` and indexes it; returns the evicted event (already unindexed), if any. */
  push(event: IncidentEvent): IncidentEvent | undefined {
    const pushNumber = this.ring.pushed;
    const evicted = this.ring.push(event);
    const slot = pushNumber % this.ring.capacity;
    const evicting = evicted !== undefined;
    const traceId = event.correlation_id;
    this.times[slot] = event.timestamp;
    if (this.parsed === event) {
      const t = this.traceWordsFast;
      this.chains.linkWords(slot, pushNumber, t[0] as number, t[1] as number, t[2] as number, t[3] as number, evicting);
    } else {
      this.chains.linkText(slot, pushNumber, traceId, evicting);
    }
    this.parsed = null;
    if (traceId !== '') {
      this.identities.linkText(slot, pushNumber, '', evicting); // no key: only frees the slot's previous one
    } else {
      const w = this.identityFast;
      if (this.hashed !== event) identityWords(event, w);
      this.identities.linkWords(slot, pushNumber, w[0] as number, w[1] as number, w[2] as number, w[3] as number, evicting);
    }
    this.hashed = null;
    return evicted;
  }

  /**
   * Writes the trace ID words of the event pushed as number `pushNumber` into `out` (parsed when it was pushed: no
   * string is read); false when that event is no longer in the ring or its trace ID is not 32 lowercase hex.
   */
  traceWordsOf(pushNumber: number, out: Uint32Array): boolean {
    const ring = this.ring;
    if (pushNumber < ring.pushed - ring.size || pushNumber >= ring.pushed) return false;
    return this.chains.wordsAt(pushNumber % ring.capacity, out);
  }

  /** Number of pushes so far (see RingBuffer.pushed): findRepeat's `pushedBefore` is one of these. */
  get pushed(): number {
    return this.ring.pushed;
  }

  /**
   * An event in the ring that is the same telemetry as `event` (event-identity.ts), pushed before push number
   * `pushedBefore` and arrived (received_at) at or before `arrivedBy`; undefined when none. Allocation-free.
   */
  findRepeat(event: IncidentEvent, pushedBefore: number, arrivedBy: number): IncidentEvent | undefined {
    const traceId = event.correlation_id;
    let index: TraceChains;
    let pushNumber: number;
    if (traceId !== '') {
      index = this.chains;
      const t = this.traceWordsFast;
      this.parsed = null; // a failed parse may leave t half written
      if (traceIdWords(traceId, t)) {
        this.parsed = event;
        pushNumber = index.newestPushOfWords(t[0] as number, t[1] as number, t[2] as number, t[3] as number);
      } else {
        pushNumber = index.newestPush(traceId);
      }
    } else {
      const w = this.identityFast;
      identityWords(event, w);
      this.hashed = event;
      index = this.identities;
      pushNumber = index.newestPushOfWords(w[0] as number, w[1] as number, w[2] as number, w[3] as number);
    }
    const ring = this.ring;
    const oldest = ring.pushed - ring.size;
    const capacity = ring.capacity;
    const times = this.times;
    const timestamp = event.timestamp;
    for (let compared = 0; pushNumber >= oldest && compared < MAX_TRACE_EVENTS_COMPARED; pushNumber = index.previousPush(pushNumber)) {
      if (pushNumber >= pushedBefore) continue;
      compared++;
      if (times[pushNumber % capacity] !== timestamp) continue; // not the same telemetry (sameIdentity's first test)
      const candidate = ring.at(pushNumber - oldest) as IncidentEvent;
      if (candidate.received_at <= arrivedBy && sameIdentity(candidate, event)) return candidate;
    }
    return undefined;
  }

  /**
   * Events of one trace still in the ring, in arrival order (a copy); with `limit`, only the newest `limit` of them
   * (correlation bounds its lookups that way).
   */
  eventsForTrace(traceId: string, limit = Number.POSITIVE_INFINITY): IncidentEvent[] {
    const ring = this.ring;
    const oldest = ring.pushed - ring.size;
    const pushes = this.chains.pushNumbers(traceId, oldest, limit);
    const events = new Array<IncidentEvent>(pushes.length);
    for (let i = 0; i < pushes.length; i++) {
      events[pushes.length - 1 - i] = ring.at((pushes[i] as number) - oldest) as IncidentEvent;
    }
    return events;
  }

  /** All events in the ring, oldest first (a copy). */
  toArray(): IncidentEvent[] {
    return this.ring.toArray();
  }

  /** Trace IDs currently indexed (for tests and diagnostics). */
  traceIds(): string[] {
    return this.chains.traceIds();
  }

  clear(): void {
    this.hashed = null;
    this.parsed = null;
    this.ring.clear();
    this.chains.clear();
    this.identities.clear();
  }
}

export function createEventRing(capacity: number): EventRing {
  return new EventRing(capacity);
}
