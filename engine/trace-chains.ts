// The trace-ID index shared by the rings (event-ring.ts, trace-ring.ts): which slots of a FIFO ring hold the items
// of one trace.
//
//   ring push n into slot n % capacity ──▶ link(slot, n, traceId) ── evicts slot's old item from the index first
//                                          traces: Map<traceId, slot of its newest item>
//                                          per slot: push number, push number of the previous item of its trace
//
// Each trace's items form a chain through the ring's slots (newest → previous → …), followed only while a link names
// an item still in the ring (push number ≥ pushed − size). Per-slot data lives in typed arrays, so evicting an item
// never dereferences it (with 100,000 old items that is a cache miss per push): the slot says whether it held its
// trace's newest item, and only then is the trace's Map entry deleted. Eviction and indexing happen in the same call,
// so the index never outgrows the ring.

const NO_PREVIOUS = -1;

export class TraceChains {
  readonly capacity: number;
  /** Trace ID → slot of the trace's newest item. */
  private readonly traces = new Map<string, number>();
  /** Per slot: push number of the item in it. */
  private readonly slotPush: Float64Array;
  /** Per slot: push number of the previous item of the same trace, or NO_PREVIOUS. */
  private readonly previousInTrace: Float64Array;
  /** Per slot: 1 when the item in it is its trace's newest (the one the Map points at). */
  private readonly newestOfTrace: Uint8Array;
  /** Per slot: the item's trace ID ('' for none), to delete the Map entry without touching the item. */
  private readonly slotTraceId: string[];

  constructor(capacity: number) {
    this.capacity = capacity;
    this.slotPush = new Float64Array(capacity);
    this.previousInTrace = new Float64Array(capacity);
    this.newestOfTrace = new Uint8Array(capacity);
    this.slotTraceId = new Array<string>(capacity).fill('');
  }

  /** Number of distinct trace IDs indexed. */
  get size(): number {
    return this.traces.size;
  }

  /**
   * Indexes the item pushed as number `pushNumber` into `slot` under `traceId` ('' for none). When `evicting`, the
   * slot's previous item is dropped from the index first. Returns the trace ID that left the index with the evicted
   * item (its last item in the ring), or ''. `canonical` receives the trace ID string the index keeps for this trace
   * (the first one it saw), so owners can drop duplicate copies of the same ID.
   */
  link(slot: number, pushNumber: number, traceId: string, evicting: boolean): string {
    let left = '';
    if (evicting && this.newestOfTrace[slot] === 1) {
      // The trace's newest item leaves, so all its older ones already have: drop the trace.
      left = this.slotTraceId[slot] as string;
      this.traces.delete(left);
    }
    this.slotPush[slot] = pushNumber;
    if (traceId === '') {
      this.slotTraceId[slot] = '';
      this.newestOfTrace[slot] = 0;
      return left;
    }
    const previousSlot = this.traces.get(traceId);
    if (previousSlot === undefined) {
      this.previousInTrace[slot] = NO_PREVIOUS;
      this.slotTraceId[slot] = traceId;
    } else {
      this.previousInTrace[slot] = this.slotPush[previousSlot] as number;
      this.newestOfTrace[previousSlot] = 0;
      this.slotTraceId[slot] = this.slotTraceId[previousSlot] as string; // one string per trace, not per item
    }
    this.traces.set(traceId, slot);
    this.newestOfTrace[slot] = 1;
    return left;
  }

  /** The trace ID string kept for the item in `slot` ('' for none). */
  traceIdAt(slot: number): string {
    return this.slotTraceId[slot] as string;
  }

  has(traceId: string): boolean {
    return this.traces.has(traceId);
  }

  /**
   * Push numbers of the trace's items still in the ring (those ≥ `oldestPush`), newest first, at most `limit`.
   */
  pushNumbers(traceId: string, oldestPush: number, limit: number): number[] {
    const slot = this.traces.get(traceId);
    const out: number[] = [];
    if (slot === undefined) return out;
    const capacity = this.capacity;
    for (let pushNumber = this.slotPush[slot] as number; pushNumber >= oldestPush && out.length < limit; ) {
      out.push(pushNumber);
      pushNumber = this.previousInTrace[pushNumber % capacity] as number;
    }
    return out;
  }

  /** Trace IDs currently indexed. */
  traceIds(): string[] {
    return [...this.traces.keys()];
  }

  clear(): void {
    this.traces.clear();
    this.newestOfTrace.fill(0);
    this.slotTraceId.fill('');
  }
}
