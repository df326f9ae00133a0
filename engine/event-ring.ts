// The recent-event ring with its two indexes: by trace ID, and by identity (the same telemetry sent again).
//
//   push(event) ──▶ RingBuffer ──evicted──▶ TraceChains.link unindexes it   (same call: the indexes never outgrow
//                                            └─ indexes the new event        the ring)
//   findRepeat(event) ── identity hash ──▶ the chain of ring events with that hash ──▶ the first one sameIdentity
//                                          accepts (event-identity.ts) among those pushed before a given push and
//                                          arrived by a given time
//
// Both indexes are trace-chains.ts (shared with the span ring): the identity index keys each event by its identity
// hash as four words. So a retried export is recognised while its first copy is still among the ring's events, and
// after a restart as well: the daemon refills the ring with the events it stored. bench/engine.bench.ts
// ("engine.ingest", ring 100k vs 1k) measures what the ring costs.

import { identityWords, sameIdentity } from './event-identity.js';
import { RingBuffer } from './ring-buffer.js';
import { TraceChains } from './trace-chains.js';
import type { IncidentEvent } from './types.js';

export class EventRing {
  private readonly ring: RingBuffer<IncidentEvent>;
  private readonly chains: TraceChains;
  private readonly identities: TraceChains;
  /** The identity hash of the event being looked up or pushed (valid until the next call). */
  private readonly identityFast = new Uint32Array(4);
  /** The event identityFast holds the hash of: findRepeat then push of the same event hashes it once. */
  private hashed: IncidentEvent | null = null;

  constructor(capacity: number) {
    this.ring = new RingBuffer<IncidentEvent>(capacity);
    this.chains = new TraceChains(capacity);
    this.identities = new TraceChains(capacity);
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

  /** Appends `event` and indexes it by trace ID; returns the evicted event (already unindexed), if any. */
  push(event: IncidentEvent): IncidentEvent | undefined {
    const pushNumber = this.ring.pushed;
    const evicted = this.ring.push(event);
    const slot = pushNumber % this.ring.capacity;
    const evicting = evicted !== undefined;
    this.chains.linkText(slot, pushNumber, event.correlation_id, evicting);
    const w = this.identityFast;
    if (this.hashed !== event) identityWords(event, w);
    this.hashed = null;
    this.identities.linkWords(slot, pushNumber, w[0] as number, w[1] as number, w[2] as number, w[3] as number, evicting);
    return evicted;
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
    const w = this.identityFast;
    identityWords(event, w);
    this.hashed = event;
    const identities = this.identities;
    const ring = this.ring;
    const oldest = ring.pushed - ring.size;
    for (
      let pushNumber = identities.newestPushOfWords(w[0] as number, w[1] as number, w[2] as number, w[3] as number);
      pushNumber >= oldest;
      pushNumber = identities.previousPush(pushNumber)
    ) {
      if (pushNumber >= pushedBefore) continue;
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
    this.ring.clear();
    this.chains.clear();
    this.identities.clear();
  }
}

export function createEventRing(capacity: number): EventRing {
  return new EventRing(capacity);
}
