// Sliding windows over event time, one per (rule, group key), and the capped, LRU-ordered table that holds them.
//
//   event ──▶ GroupTable.get(key) ──▶ GroupWindow.insert(event, windowMs) ──▶ size ≥ threshold? (detector.ts)
//
// A window keeps its matching events sorted by event time (`timestamp`), so an event that arrives late (batches
// from several exporters) lands in its place and can still complete a window. After each insert, events older
// than newest − window are dropped: every live entry then lies within one window span, and the window's size is
// its count. A window that reaches its threshold fires and is emptied (detector.ts), so at rest it holds fewer
// than `error_threshold` events. Boundaries are inclusive: events exactly `time_window_seconds` apart share a
// window.
//
// Known approximation (the cost of bounded memory): an event older than the group's newest − window is dropped on
// arrival even if, together with other old events now gone, it would have completed an earlier window.

import type { IncidentEvent } from './types.js';

/** Compact a window's arrays once at least this many dropped slots lead them (and they are half the used part). */
const WINDOW_COMPACT_MIN = 8;
/** Leave the LRU queue alone below this many entries beyond the live ones. */
const QUEUE_COMPACT_SLACK = 64;

/**
 * Fills unused event slots so they keep no dead event alive. One shared object: the arrays keep a single elements
 * kind and nothing is allocated.
 */
const NO_EVENT: IncidentEvent = Object.freeze({
  event_id: '',
  timestamp: 0,
  event_type: '',
  source: '',
  severity: 'info',
  message: '',
  metadata: {},
  correlation_id: '',
  span_id: '',
  seq: 0,
  received_at: 0,
  incident_id: '',
}) as IncidentEvent;

/** One group's window. `I` is whatever the detector caches per group (its open incident). */
export class GroupWindow<I> {
  readonly key: string;
  /**
   * Live entries are `[head, end)` of two parallel arrays, sorted by timestamp (ties in arrival order).
   *
   * The timestamps are kept apart (unboxed doubles) so the hot path compares numbers without touching event
   * objects. The arrays never shrink (their length settles near the rule's threshold): shrinking and regrowing
   * them allocated fresh backing stores all the time, which cost more in scavenges than everything else in the
   * detector (bench/engine.bench.ts, "engine.ingest").
   */
  private readonly times: number[] = [];
  private readonly events: IncidentEvent[] = [];
  private head = 0;
  private end = 0;
  /** Position of this group's latest entry in its GroupTable's LRU queue. */
  queuePosition = -1;
  /** The detector's cache of this group's open incident, and the incident book version it was read at. */
  incident: I | null = null;
  incidentVersion = -1;

  constructor(key: string) {
    this.key = key;
  }

  get size(): number {
    return this.end - this.head;
  }

  /**
   * Inserts `event` in event-time order and drops entries older than the newest − `windowMs`. Returns false (and
   * keeps nothing) when the event is itself older than that.
   */
  insert(event: IncidentEvent, windowMs: number): boolean {
    const times = this.times;
    const ts = event.timestamp;
    const end = this.end;
    if (this.head === end) {
      if (end !== 0) this.clear();
      this.append(ts, event);
      return true;
    }
    const newest = times[end - 1] as number;
    if (ts >= newest) {
      // In-order arrival: the common case. Append, then slide the window's start forward.
      this.append(ts, event);
      const cutoff = ts - windowMs;
      let head = this.head;
      while ((times[head] as number) < cutoff) head++;
      if (head !== this.head) this.advance(head);
      return true;
    }
    if (ts < newest - windowMs) return false;
    // Late arrival: binary search for the first entry newer than `ts` (after equal ones), insert there.
    let lo = this.head;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((times[mid] as number) <= ts) lo = mid + 1;
      else hi = mid;
    }
    this.append(0, NO_EVENT); // grow by one, then shift [lo, end) right
    times.copyWithin(lo + 1, lo, end);
    this.events.copyWithin(lo + 1, lo, end);
    times[lo] = ts;
    this.events[lo] = event;
    return true;
  }

  /** Live entries, oldest first (a copy). */
  toArray(): IncidentEvent[] {
    return this.events.slice(this.head, this.end);
  }

  /** Removes and returns all live entries, oldest first. */
  take(): IncidentEvent[] {
    const taken = this.toArray();
    this.clear();
    return taken;
  }

  clear(): void {
    this.events.fill(NO_EVENT, this.head, this.end);
    this.head = 0;
    this.end = 0;
  }

  /** Removes `event` if this window holds it (correlation took it elsewhere); true when it did. */
  remove(event: IncidentEvent): boolean {
    const { times, events } = this;
    const ts = event.timestamp;
    // Binary search for the first entry not older than `ts`, then scan the entries with that time.
    let lo = this.head;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((times[mid] as number) < ts) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.end && (times[i] as number) === ts; i++) {
      if (events[i] !== event) continue;
      times.copyWithin(i, i + 1, this.end);
      events.copyWithin(i, i + 1, this.end);
      events[--this.end] = NO_EVENT;
      return true;
    }
    return false;
  }

  /** Drops entries whose incident_id was set meanwhile (linked by another rule); returns how many. */
  dropLinked(): number {
    const { times, events } = this;
    let write = this.head;
    for (let read = this.head; read < this.end; read++) {
      const event = events[read] as IncidentEvent;
      if (event.incident_id !== '') continue;
      times[write] = times[read] as number;
      events[write++] = event;
    }
    const dropped = this.end - write;
    events.fill(NO_EVENT, write, this.end);
    this.end = write;
    return dropped;
  }

  /** Number of distinct `source` values among live entries. */
  distinctSources(): number {
    const seen = new Set<string>();
    for (let i = this.head; i < this.end; i++) seen.add((this.events[i] as IncidentEvent).source);
    return seen.size;
  }

  /**
   * Shrinks the window to `max` entries, dropping first the oldest entries whose source appears again later (that
   * keeps the window's distinct sources, which `min_components_affected` needs), then the oldest.
   */
  trimTo(max: number): void {
    if (this.size <= max) return;
    const { times, events } = this;
    const counts = new Map<string, number>();
    for (let i = this.head; i < this.end; i++) {
      const source = (events[i] as IncidentEvent).source;
      counts.set(source, (counts.get(source) ?? 0) + 1);
    }
    let i = this.head;
    while (this.size > max && i < this.end) {
      const source = (events[i] as IncidentEvent).source;
      const count = counts.get(source) ?? 0;
      if (count > 1) {
        counts.set(source, count - 1);
        times.copyWithin(i, i + 1, this.end);
        events.copyWithin(i, i + 1, this.end);
        events[--this.end] = NO_EVENT;
      } else {
        i++;
      }
    }
    if (this.size > max) this.advance(this.end - max);
  }

  private append(ts: number, event: IncidentEvent): void {
    const end = this.end;
    if (end === this.times.length) {
      this.times.push(ts);
      this.events.push(event);
    } else {
      this.times[end] = ts;
      this.events[end] = event;
    }
    this.end = end + 1;
  }

  private advance(head: number): void {
    // Plain loops, not fill/copyWithin: the ranges are a few entries and builtin calls cost more than the work
    // (bench/engine.bench.ts, "detection only").
    const { times, events } = this;
    for (let i = this.head; i < head; i++) events[i] = NO_EVENT;
    const end = this.end;
    if (head >= WINDOW_COMPACT_MIN && head * 2 >= end) {
      // Amortised O(1): compaction copies at most as many entries as were dropped since the last one.
      const live = end - head;
      for (let i = 0; i < live; i++) {
        times[i] = times[head + i] as number;
        events[i] = events[head + i] as IncidentEvent;
      }
      for (let i = live; i < end; i++) events[i] = NO_EVENT;
      this.end = live;
      this.head = 0;
    } else {
      this.head = head;
    }
  }
}

/**
 * The windows of one rule, keyed by group key, at most `maxGroups` of them; when full, creating a window evicts
 * the least recently updated one.
 *
 * Recency is an append-only queue of groups, one entry per update, where only a group's latest entry is live
 * (`queuePosition`). Evicting pops stale entries until a live one: exactly the least recently updated group.
 * Compared with a doubly-linked LRU list, an update is one sequential write instead of rewriting two neighbours
 * (two likely cache misses with thousands of groups; bench/engine.bench.ts "detection only"). The queue is
 * compacted in place when stale entries outnumber live ones, so its array stays under 2 × groups + slack and
 * is never reallocated once grown.
 */
export class GroupTable<I> {
  readonly maxGroups: number;
  private readonly groups = new Map<string, GroupWindow<I>>();
  private readonly queue: (GroupWindow<I> | null)[] = [];
  private queueHead = 0;
  private queueEnd = 0;
  /** Groups evicted because the table was full, since creation. */
  evictions = 0;

  constructor(maxGroups: number) {
    if (!Number.isSafeInteger(maxGroups) || maxGroups < 1) {
      throw new RangeError(`maxGroups must be a positive integer (got ${maxGroups})`);
    }
    this.maxGroups = maxGroups;
  }

  get size(): number {
    return this.groups.size;
  }

  get(key: string): GroupWindow<I> | undefined {
    return this.groups.get(key);
  }

  /** Marks `group` as the most recently updated. */
  touch(group: GroupWindow<I>): void {
    const end = this.queueEnd;
    if (group.queuePosition === end - 1 && end > 0) return; // already the newest
    if (end === this.queue.length) this.queue.push(group);
    else this.queue[end] = group;
    group.queuePosition = end;
    this.queueEnd = end + 1;
    if (this.queueEnd > 2 * this.groups.size + QUEUE_COMPACT_SLACK) this.compact();
  }

  /** Creates the window for `key` as the most recently updated, evicting the least recently updated when full. */
  create(key: string): GroupWindow<I> {
    if (this.groups.size >= this.maxGroups) this.evictOldest();
    const group = new GroupWindow<I>(key);
    this.groups.set(key, group);
    this.touch(group);
    return group;
  }

  /** Group keys, least recently updated first. */
  keysByAge(): string[] {
    const keys: string[] = [];
    for (let i = this.queueHead; i < this.queueEnd; i++) {
      const group = this.queue[i];
      if (group != null && group.queuePosition === i) keys.push(group.key);
    }
    return keys;
  }

  /** Total events held by all windows. */
  eventCount(): number {
    let total = 0;
    for (const group of this.groups.values()) total += group.size;
    return total;
  }

  clear(): void {
    this.groups.clear();
    this.queue.length = 0;
    this.queueHead = 0;
    this.queueEnd = 0;
  }

  private evictOldest(): void {
    const queue = this.queue;
    while (this.queueHead < this.queueEnd) {
      const position = this.queueHead++;
      const group = queue[position];
      queue[position] = null;
      if (group == null || group.queuePosition !== position) continue; // stale: updated again later
      this.groups.delete(group.key);
      group.queuePosition = -1;
      this.evictions++;
      return;
    }
  }

  /** Keeps only live entries, in order, at the front of the queue. */
  private compact(): void {
    const queue = this.queue;
    let write = 0;
    for (let read = this.queueHead; read < this.queueEnd; read++) {
      const group = queue[read];
      if (group == null || group.queuePosition !== read) continue;
      group.queuePosition = write;
      queue[write++] = group;
    }
    queue.fill(null, write, this.queueEnd);
    this.queueHead = 0;
    this.queueEnd = write;
  }
}
