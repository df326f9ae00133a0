// The recent-event ring with its trace-ID index.
//
//   push(event) ──▶ RingBuffer ──evicted──▶ TraceChains.link unindexes it   (same call: the index never outgrows
//                                            └─ indexes the new event        the ring)
//
// The index is trace-chains.ts (shared with the span ring). bench/engine.bench.ts ("engine.ingest", ring 100k vs 1k)
// measures what the ring costs.

import { RingBuffer } from './ring-buffer.js';
import { TraceChains } from './trace-chains.js';
import type { IncidentEvent } from './types.js';

export class EventRing {
  private readonly ring: RingBuffer<IncidentEvent>;
  private readonly chains: TraceChains;

  constructor(capacity: number) {
    this.ring = new RingBuffer<IncidentEvent>(capacity);
    this.chains = new TraceChains(capacity);
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
    this.chains.linkText(pushNumber % this.ring.capacity, pushNumber, event.correlation_id, evicted !== undefined);
    return evicted;
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
  }
}

export function createEventRing(capacity: number): EventRing {
  return new EventRing(capacity);
}
