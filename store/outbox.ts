// The notification outbox in LMDB: notifications are written in the same transaction as the incident change that
// causes them, and leave only once delivered or given up on. What makes them "never lost".
//
//   daemon: incident puts + outbox.stage(item) in one synchronous block ──▶ one LMDB transaction
//   worker: due() ──▶ deliver ──▶ markDelivered() | reschedule() | deadLetter()   (each awaits `flushed`)
//   people: requeue(dead letters) ──▶ back in the outbox, in their place in their stream · drop(dead letter)
//
// Databases (sub-databases of the store's root environment):
//   outbox        id (string) → OutboxItem    pending notifications
//   dead_letters  id (string) → DeadLetter    given up on: a final error, too many attempts, channel removed
//
// Due order. Items are delivered in order per stream (one channel × one incident), since PagerDuty must see the
// trigger before the resolve: only the head of each stream is eligible. The heads are kept in memory, sorted by
// (next_attempt_at, id), so due(now, limit) walks from the front and reads at most `limit` items (plus heads it
// skips: in flight, or not committed yet), stage/markDelivered/reschedule cost a binary search and an array splice
// (a memmove: for tens of thousands of pending items cheaper than a heap's allocations), and nextDueAt() is O(1).
// Rebuilding the index costs one scan of `outbox` when the Outbox is constructed (20,000 items: ~0.7 s, measured
// once by hand; the time goes to decoding the incident snapshots, not the index). A secondary LMDB index would cost
// a third database (the environment's maxDbs is shared with the store) and a write per reschedule, and would still
// need the per-stream order.
// This assumes one writer: the daemon's single Outbox instance; other processes may read (counts, dead letters).
//
// Visibility: stage() is a plain asynchronous put, visible to reads only once its transaction commits. due() reads
// each head from the database and skips one not committed yet, so nothing is delivered before the incident change
// that caused it is durable. If that transaction fails, the put's rejection takes the item out of memory again.

import type { Database, RootDatabase } from 'lmdb';
import { NOTIFICATION_KINDS, type DeadLetter, type OutboxItem } from '../engine/index.js';

interface Entry {
  id: string;
  stream: string;
  /** next_attempt_at of the item as last written. */
  at: number;
  /** Its place in the stream (deliveryOrder): creation time, then the kind's natural order, then the id. */
  created_at: number;
  kind: OutboxItem['kind'];
}

/** A dead letter put back, or looked for and not found. */
export type RequeueResult = { id: string; item: OutboxItem } | { id: string; missing: true };

const KIND_ORDER = new Map(NOTIFICATION_KINDS.map((kind, index) => [kind, index]));

export class Outbox {
  private readonly items: Database<OutboxItem, string>;
  private readonly dead: Database<DeadLetter, string>;
  /** id → entry, for every pending item (staged, maybe not yet committed). */
  private readonly entries = new Map<string, Entry>();
  /** stream key → its pending entries in delivery order; the first is the stream's head. */
  private readonly streams = new Map<string, Entry[]>();
  /** The heads of all streams, sorted by (at, id). */
  private readonly heads: Entry[] = [];

  constructor(private readonly root: RootDatabase) {
    this.items = root.openDB<OutboxItem, string>({ name: 'outbox' });
    this.dead = root.openDB<DeadLetter, string>({ name: 'dead_letters' });
    this.rebuild();
  }

  /**
   * Queues an item: a put without await, so the caller can issue it in the same synchronous block as its incident
   * puts (one transaction); the caller awaits `root.flushed` as it does for those. A second stage() of the same id
   * replaces the item.
   */
  stage(item: OutboxItem): void {
    const existing = this.entries.get(item.id);
    if (existing !== undefined) {
      this.setAt(existing, item.next_attempt_at);
    } else {
      const entry = entryOf(item);
      this.entries.set(entry.id, entry);
      this.append(entry);
    }
    this.items.put(item.id, item).then(
      (written) => {
        if (!written) this.forget(item.id);
      },
      () => this.forget(item.id),
    );
  }

  /**
   * Up to `limit` items whose next attempt is due at `now`, by next_attempt_at then id; only the first pending item
   * of each channel × incident, and none in `skip` (the worker's attempts in flight).
   */
  due(now: number, limit: number, skip?: ReadonlySet<string>): OutboxItem[] {
    const found: OutboxItem[] = [];
    for (const entry of this.heads) {
      if (entry.at > now || found.length >= limit) break;
      if (skip?.has(entry.id)) continue;
      const item = this.items.get(entry.id);
      if (item !== undefined) found.push(item); // undefined: staged, transaction not committed yet
    }
    return found;
  }

  /** When the earliest eligible item (not in `skip`) is due; undefined when none is pending. */
  nextDueAt(skip?: ReadonlySet<string>): number | undefined {
    for (const entry of this.heads) {
      if (!skip?.has(entry.id)) return entry.at;
    }
    return undefined;
  }

  get(id: string): OutboxItem | undefined {
    return this.items.get(id);
  }

  /** Removes a delivered item; resolves once that is on disk. */
  async markDelivered(id: string): Promise<void> {
    this.forget(id);
    void this.items.remove(id);
    await this.root.flushed;
  }

  /** Writes the item's new attempts / next_attempt_at / last_error; resolves once on disk. */
  async reschedule(item: OutboxItem): Promise<void> {
    const entry = this.entries.get(item.id);
    if (entry === undefined) return; // delivered or dead-lettered meanwhile: nothing to reschedule
    this.setAt(entry, item.next_attempt_at);
    void this.items.put(item.id, item);
    await this.root.flushed;
  }

  /** Moves the item to dead_letters (one transaction); resolves once on disk. */
  async deadLetter(item: OutboxItem, reason: string, now: number): Promise<void> {
    this.forget(item.id);
    const letter: DeadLetter = { ...item, failed_at: now, reason };
    void this.dead.put(item.id, letter);
    void this.items.remove(item.id);
    await this.root.flushed;
  }

  /** Items waiting for delivery (including ones staged but not yet committed). */
  pendingCount(): number {
    return this.entries.size;
  }

  deadLetterCount(): number {
    return (this.dead.getStats() as { entryCount: number }).entryCount;
  }

  /**
   * Dead letters, most recently failed first; at most `limit` (0: all); only `channel`'s when given. Scans them all:
   * meant for the CLI.
   */
  deadLetters(limit = 100, channel?: string): DeadLetter[] {
    const letters: DeadLetter[] = [];
    for (const { value } of this.dead.getRange()) if (channel === undefined || value.channel === channel) letters.push(value);
    letters.sort((a, b) => b.failed_at - a.failed_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return limit > 0 ? letters.slice(0, limit) : letters;
  }

  getDeadLetter(id: string): DeadLetter | undefined {
    return this.dead.get(id);
  }

  /**
   * Items waiting for delivery (committed ones), soonest attempt first; at most `limit` (0: all); only `channel`'s when
   * given. Reads every pending item: meant for the CLI.
   */
  pending(limit = 100, channel?: string): OutboxItem[] {
    const found: OutboxItem[] = [];
    for (const entry of this.entries.values()) {
      const item = this.items.get(entry.id);
      if (item !== undefined && (channel === undefined || item.channel === channel)) found.push(item);
    }
    found.sort((a, b) => a.next_attempt_at - b.next_attempt_at || deliveryOrder(a, b));
    return limit > 0 ? found.slice(0, limit) : found;
  }

  /**
   * Puts dead letters back in the outbox (one transaction), attempts reset and due at `now`; resolves once on disk.
   * Each goes to its place in its stream (channel × incident), by creation time and kind, not to the end: a trigger
   * put back goes out before the acknowledgement or resolution of the same incident still waiting behind it. Ids
   * without a dead letter come back as `missing`.
   */
  async requeue(ids: readonly string[], now: number): Promise<RequeueResult[]> {
    const results: RequeueResult[] = [];
    const requeued: OutboxItem[] = [];
    // One synchronous block: lmdb-js commits the moves as one transaction.
    for (const id of new Set(ids)) {
      const letter = this.dead.get(id);
      if (letter === undefined || this.entries.has(id)) {
        results.push({ id, missing: true });
        continue;
      }
      const { failed_at: _failedAt, reason: _reason, ...rest } = letter;
      const item: OutboxItem = { ...rest, attempts: 0, next_attempt_at: now, last_error: null };
      const entry = entryOf(item);
      this.entries.set(id, entry);
      this.insertInOrder(entry);
      void this.dead.remove(id);
      this.items.put(id, item).then(
        (written) => {
          if (!written) this.forget(id);
        },
        () => this.forget(id),
      );
      requeued.push(item);
      results.push({ id, item });
    }
    if (requeued.length > 0) await this.root.flushed;
    return results;
  }

  /** Deletes a dead letter; resolves with it once that is on disk (undefined when there was none). */
  async drop(id: string): Promise<DeadLetter | undefined> {
    const letter = this.dead.get(id);
    if (letter === undefined) return undefined;
    void this.dead.remove(id);
    await this.root.flushed;
    return letter;
  }

  // ---- the in-memory index ------------------------------------------------------------------------------------

  private rebuild(): void {
    const items: OutboxItem[] = [];
    for (const { value } of this.items.getRange()) items.push(value);
    items.sort(deliveryOrder);
    for (const item of items) {
      const entry = entryOf(item);
      this.entries.set(entry.id, entry);
      this.append(entry);
    }
  }

  private append(entry: Entry): void {
    const stream = this.streams.get(entry.stream);
    if (stream === undefined) {
      this.streams.set(entry.stream, [entry]);
      this.insertHead(entry);
    } else {
      stream.push(entry);
    }
  }

  /** Inserts at the entry's place in its stream (deliveryOrder); a new first place makes it the stream's head. */
  private insertInOrder(entry: Entry): void {
    const stream = this.streams.get(entry.stream);
    if (stream === undefined) {
      this.append(entry);
      return;
    }
    let index = stream.findIndex((other) => deliveryOrder(entry, other) < 0);
    if (index === -1) index = stream.length;
    stream.splice(index, 0, entry);
    if (index !== 0) return;
    // A delivery of the previous head may be in flight: it finishes, and what follows waits for the new head.
    this.removeHead(stream[1]!);
    this.insertHead(entry);
  }

  private forget(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    const stream = this.streams.get(entry.stream)!;
    const index = stream.indexOf(entry);
    stream.splice(index, 1);
    if (index !== 0) return;
    this.removeHead(entry);
    const next = stream[0];
    if (next === undefined) this.streams.delete(entry.stream);
    else this.insertHead(next);
  }

  private setAt(entry: Entry, at: number): void {
    if (entry.at === at) return;
    const isHead = this.streams.get(entry.stream)?.[0] === entry;
    if (isHead) this.removeHead(entry);
    entry.at = at;
    if (isHead) this.insertHead(entry);
  }

  private insertHead(entry: Entry): void {
    this.heads.splice(this.position(entry), 0, entry);
  }

  private removeHead(entry: Entry): void {
    const index = this.position(entry);
    if (this.heads[index] === entry) this.heads.splice(index, 1);
  }

  /** First index whose entry does not sort before `entry`. */
  private position(entry: Entry): number {
    let low = 0;
    let high = this.heads.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = this.heads[mid]!;
      if (other.at < entry.at || (other.at === entry.at && other.id < entry.id)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

function streamKey(item: OutboxItem): string {
  return `${item.channel}\u0000${item.incident_id}`;
}

function entryOf(item: OutboxItem): Entry {
  return { id: item.id, stream: streamKey(item), at: item.next_attempt_at, created_at: item.created_at, kind: item.kind };
}

/** Order within a stream (after a restart, for a retried dead letter): creation time, kinds' natural order, id. */
function deliveryOrder(a: Pick<OutboxItem, 'created_at' | 'kind' | 'id'>, b: Pick<OutboxItem, 'created_at' | 'kind' | 'id'>): number {
  return (
    a.created_at - b.created_at ||
    (KIND_ORDER.get(a.kind) ?? 0) - (KIND_ORDER.get(b.kind) ?? 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
