// A fixed-capacity FIFO ring. `push` returns the item it evicted so the owner can drop it from its indexes in the
// same call (see event-ring.ts): nothing else ever removes items, so an index kept that way never outgrows the ring.
//
// Items must not be `undefined` (it is the "nothing evicted" answer). Slots are cleared on eviction so evicted
// items can be collected.

export class RingBuffer<T> {
  readonly capacity: number;
  private readonly slots: (T | undefined)[];
  /** Index of the oldest item. */
  private head = 0;
  private count = 0;
  private pushes = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`ring capacity must be a positive integer (got ${capacity})`);
    }
    this.capacity = capacity;
    // Preallocated holey array; filled lazily so a large, mostly empty ring costs little up front.
    this.slots = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Items pushed since creation (or the last clear). The item pushed as the n-th (0-based) sits in slot
   * `n % capacity` while it is in the ring, and it is in the ring while n ≥ pushed − size: owners keep data per
   * item in parallel arrays indexed that way.
   */
  get pushed(): number {
    return this.pushes;
  }

  /** Appends `item`; when full, evicts and returns the oldest item, else returns undefined. */
  push(item: T): T | undefined {
    this.pushes++;
    const capacity = this.capacity;
    if (this.count < capacity) {
      let tail = this.head + this.count;
      if (tail >= capacity) tail -= capacity;
      this.slots[tail] = item;
      this.count++;
      return undefined;
    }
    const head = this.head;
    const evicted = this.slots[head];
    this.slots[head] = item;
    this.head = head + 1 === capacity ? 0 : head + 1;
    return evicted;
  }

  /** The i-th item, oldest first (0 = oldest); undefined when out of range. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined;
    let slot = this.head + index;
    if (slot >= this.capacity) slot -= this.capacity;
    return this.slots[slot];
  }

  /** The newest item, or undefined when empty. */
  newest(): T | undefined {
    return this.count === 0 ? undefined : this.at(this.count - 1);
  }

  /** Items oldest first (a copy). */
  toArray(): T[] {
    const out = new Array<T>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.at(i) as T;
    return out;
  }

  /** Removes every item; returns them oldest first. */
  clear(): T[] {
    const items = this.toArray();
    this.slots.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.pushes = 0;
    return items;
  }
}

export function createRingBuffer<T>(capacity: number): RingBuffer<T> {
  return new RingBuffer<T>(capacity);
}
