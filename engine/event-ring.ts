// The recent-event ring with its trace-ID index.
//
//   push(event) ──▶ RingBuffer ──evicted──▶ unindex          (same call: the index never outgrows the ring)
//                    └──▶ traces: Map<traceId, slot of its newest event>  + per slot: previous event of its trace
//
// Each trace's events form a chain through the ring's slots (newest → previous → …), followed only while a link
// names an event still in the ring. Per-slot data lives in parallel typed/flat arrays, so evicting an event never
// dereferences it (with 100,000 old events that is a cache miss per push): the slot says whether it held its
// trace's newest event, and only then is the trace's Map entry deleted. bench/engine.bench.ts ("engine.ingest",
// ring 100k vs 1k) measures what the ring costs.

import { RingBuffer } from './ring-buffer.js';
import type { IncidentEvent } from './types.js';

const NO_PREVIOUS = -1;

export class EventRing {
  private readonly ring: RingBuffer<IncidentEvent>;
  /** Trace ID → slot of the trace's newest event in the ring. */
  private readonly traces = new Map<string, number>();
  /** Per slot: push number (RingBuffer.pushed) of the event in it. */
  private readonly slotPush: Float64Array;
  /** Per slot: push number of the previous event of the same trace, or NO_PREVIOUS. */
  private readonly previousInTrace: Float64Array;
  /** Per slot: 1 when the event in it is its trace's newest (the one the Map points at). */
  private readonly newestOfTrace: Uint8Array;
  /** Per slot: the event's trace ID ('' for none), to delete the Map entry without touching the event. */
  private readonly slotTraceId: string[];

  constructor(capacity: number) {
    this.ring = new RingBuffer<IncidentEvent>(capacity);
    this.slotPush = new Float64Array(capacity);
    this.previousInTrace = new Float64Array(capacity);
    this.newestOfTrace = new Uint8Array(capacity);
    this.slotTraceId = new Array<string>(capacity).fill('');
  }

  get capacity(): number {
    return this.ring.capacity;
  }

  get size(): number {
    return this.ring.size;
  }

  /** Number of distinct trace IDs indexed. */
  get traceCount(): number {
    return this.traces.size;
  }

  /** Appends `event` and indexes it by trace ID; returns the evicted event (already unindexed), if any. */
  push(event: IncidentEvent): IncidentEvent | undefined {
    const pushNumber = this.ring.pushed;
    const slot = pushNumber % this.ring.capacity;
    const evicted = this.ring.push(event);
    if (evicted !== undefined && this.newestOfTrace[slot] === 1) {
      // The trace's newest event leaves, so all its older ones already have: drop the trace.
      this.traces.delete(this.slotTraceId[slot] as string);
    }
    this.slotPush[slot] = pushNumber;
    const traceId = event.correlation_id;
    this.slotTraceId[slot] = traceId;
    if (traceId === '') {
      this.newestOfTrace[slot] = 0;
      return evicted;
    }
    const previousSlot = this.traces.get(traceId);
    if (previousSlot === undefined) {
      this.previousInTrace[slot] = NO_PREVIOUS;
    } else {
      this.previousInTrace[slot] = this.slotPush[previousSlot] as number;
      this.newestOfTrace[previousSlot] = 0;
    }
    this.traces.set(traceId, slot);
    this.newestOfTrace[slot] = 1;
    return evicted;
  }

  /** Events of one trace still in the ring, in arrival order (a copy). */
  eventsForTrace(traceId: string): IncidentEvent[] {
    const slot = this.traces.get(traceId);
    if (slot === undefined) return [];
    const ring = this.ring;
    const oldest = ring.pushed - ring.size;
    const events: IncidentEvent[] = [];
    for (let pushNumber = this.slotPush[slot] as number; pushNumber >= oldest; ) {
      events.push(ring.at(pushNumber - oldest) as IncidentEvent);
      pushNumber = this.previousInTrace[pushNumber % ring.capacity] as number;
    }
    return events.reverse();
  }

  /** All events in the ring, oldest first (a copy). */
  toArray(): IncidentEvent[] {
    return this.ring.toArray();
  }

  /** Trace IDs currently indexed (for tests and diagnostics). */
  traceIds(): string[] {
    return [...this.traces.keys()];
  }

  clear(): void {
    this.ring.clear();
    this.traces.clear();
    this.newestOfTrace.fill(0);
    this.slotTraceId.fill('');
  }
}

export function createEventRing(capacity: number): EventRing {
  return new EventRing(capacity);
}
