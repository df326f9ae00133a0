// The daemon's side of the watch stream (api/update.ts): numbers incident updates, keeps the recent ones for clients
// that come back, and answers each watcher with a sync, then the updates that match its filter.
//
//   persist() ── committed (before, after) pairs ──▶ offer() ── diff ──▶ minor (only more events)? ──held ≤ 2 s──┐
//                                                                        └──────────────── publish ◀────────────┘
//   publish: seq = boot·2³² + n ──▶ replay ring (bounded) ──▶ current state of open incidents ──▶ each watcher
//   subscribe({resume: {daemon_id, seq}}) ── in the ring? ──▶ sync{resumed} + the updates after seq
//                                          └─ no ─────────▶ sync{snapshot: open incidents as published, reason}
//
// Sequence numbers carry the boot count of the store (store/lmdb-store.ts startBoot) in their high bits, so they keep
// increasing across restarts without writing a counter per update; a client resuming across a restart finds its seq
// outside the (new, empty) ring and resyncs from the snapshot. Coalescing happens here, once for every watcher, so
// all watchers see the same sequence and a replay is exact. The snapshot is the state as published (not as written),
// so snapshot + the updates after its seq is never a repeat.

import type { IncidentJson } from '../api/incident.js';
import type { IncidentUpdate, UpdateKind, WatchMessage } from '../api/update.js';
import { isoTime } from '../common/time.js';
import { describeDiff, diffIncidents, isOpenStatus, type Incident } from '../engine/index.js';

/** An incident whose only change is more events is published at most this often. */
export const DEFAULT_COALESCE_MS = 2_000;
/** Updates kept for clients that come back. */
export const DEFAULT_REPLAY_CAPACITY = 10_000;
const SEQ_PER_BOOT = 2 ** 32;

export interface WatchHubOptions {
  daemonId: string;
  /** The store's boot count: the high part of every seq. */
  boot: number;
  clock: () => number;
  toJson: (incident: Incident) => IncidentJson;
  coalesceMs?: number;
  replayCapacity?: number;
  timers?: { setTimeout: (fn: () => void, ms: number) => unknown; clearTimeout: (handle: unknown) => void };
}

export interface WatchSubscription {
  incident_id: string;
  /** Lowercase severities; empty: all. */
  severities: string[];
  snapshot: boolean;
  resume: { daemon_id: string; seq: number } | null;
}

interface Held {
  before: Incident | undefined;
  after: Incident;
}

interface Subscriber {
  matches: (incident: IncidentJson) => boolean;
  send: (message: WatchMessage) => void;
}

export class WatchHub {
  readonly daemonId: string;
  private readonly clock: () => number;
  private readonly toJson: (incident: Incident) => IncidentJson;
  private readonly coalesceMs: number;
  private readonly capacity: number;
  private readonly timers: NonNullable<WatchHubOptions['timers']>;
  private seq: number;
  /** The replay ring: the last `capacity` updates, oldest first from `ringStart`. */
  private readonly ring: IncidentUpdate[] = [];
  /** Open incidents as last published: the snapshot. */
  private readonly published = new Map<string, IncidentJson>();
  /** Last time each incident was published (for coalescing). */
  private readonly lastPublishedAt = new Map<string, number>();
  private readonly held = new Map<string, Held>();
  private heldTimer: unknown;
  private readonly subscribers = new Set<Subscriber>();

  constructor(options: WatchHubOptions) {
    this.daemonId = options.daemonId;
    this.clock = options.clock;
    this.toJson = options.toJson;
    this.coalesceMs = options.coalesceMs ?? DEFAULT_COALESCE_MS;
    this.capacity = options.replayCapacity ?? DEFAULT_REPLAY_CAPACITY;
    this.timers = options.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    };
    this.seq = options.boot * SEQ_PER_BOOT;
  }

  /** The seq of the latest published update (the boot's base before any). */
  currentSeq(): number {
    return this.seq;
  }

  /** The open incidents restored at start: in the snapshot from the first watch on, without an update of their own. */
  seed(openIncidents: Iterable<Incident>): void {
    for (const incident of openIncidents) {
      if (isOpenStatus(incident.status)) this.published.set(incident.incident_id, this.toJson(incident));
    }
  }

  /** Changes now on disk, in commit order. Minor ones (only more events) may wait up to coalesceMs. */
  offer(changes: readonly Held[]): void {
    const now = this.clock();
    for (const change of changes) {
      const id = change.after.incident_id;
      const pending = this.held.get(id);
      const before = pending?.before ?? change.before;
      const diff = diffIncidents(before, change.after);
      if (diff.minor && now - (this.lastPublishedAt.get(id) ?? Number.NEGATIVE_INFINITY) < this.coalesceMs) {
        this.held.set(id, { before, after: change.after });
        this.heldTimer ??= this.timers.setTimeout(() => this.flushHeld(), this.coalesceMs);
        continue;
      }
      this.held.delete(id);
      this.publish(before, change.after, now);
    }
  }

  /** Publishes what waits (shutdown, tests). */
  flushHeld(): void {
    if (this.heldTimer !== undefined) this.timers.clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    const now = this.clock();
    const waiting = [...this.held.values()];
    this.held.clear();
    for (const { before, after } of waiting) this.publish(before, after, now);
  }

  private publish(before: Incident | undefined, after: Incident, now: number): void {
    const diff = diffIncidents(before, after);
    const kind: UpdateKind = diff.opened ? 'opened' : after.status === 'closed' ? 'closed' : diff.resolved ? 'resolved' : 'changed';
    const incident = this.toJson(after);
    const update: IncidentUpdate = {
      daemon_id: this.daemonId,
      seq: ++this.seq,
      kind,
      at: isoTime(now),
      incident,
      summary: describeDiff(diff, after),
    };
    this.ring.push(update);
    if (this.ring.length > this.capacity) {
      this.ring.shift();
    }
    const id = after.incident_id;
    this.lastPublishedAt.set(id, now);
    if (isOpenStatus(after.status)) this.published.set(id, incident);
    else {
      this.published.delete(id);
      this.lastPublishedAt.delete(id);
    }
    const message: WatchMessage = { type: 'update', update };
    for (const subscriber of this.subscribers) if (subscriber.matches(incident)) subscriber.send(message);
  }

  /** Starts a watcher: its sync goes out at once, then every matching update until the returned function is called. */
  subscribe(request: WatchSubscription, send: (message: WatchMessage) => void): () => void {
    const severities = new Set(request.severities);
    const matches = (incident: IncidentJson) =>
      (request.incident_id === '' || incident.incident_id === request.incident_id) && (severities.size === 0 || severities.has(incident.severity));
    const resumed = this.replayFrom(request.resume);
    if (resumed.ok) {
      send({ type: 'sync', sync: { daemon_id: this.daemonId, seq: request.resume!.seq, resumed: true, snapshot: null, reason: '' } });
      for (const update of resumed.updates) if (matches(update.incident)) send({ type: 'update', update });
    } else {
      const snapshot = request.snapshot ? [...this.published.values()].filter(matches) : null;
      send({ type: 'sync', sync: { daemon_id: this.daemonId, seq: this.seq, resumed: false, snapshot, reason: resumed.reason } });
    }
    const subscriber: Subscriber = { matches, send };
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  private replayFrom(resume: WatchSubscription['resume']): { ok: true; updates: IncidentUpdate[] } | { ok: false; reason: string } {
    if (resume === null) return { ok: false, reason: '' };
    if (resume.daemon_id !== this.daemonId) {
      return { ok: false, reason: `daemon ${resume.daemon_id} is not this one (${this.daemonId}): starting over` };
    }
    if (resume.seq === this.seq) return { ok: true, updates: [] };
    const first = this.ring[0]?.seq;
    if (resume.seq > this.seq || first === undefined || resume.seq < first - 1) {
      return { ok: false, reason: `seq ${resume.seq} is no longer in the replay buffer (it holds ${first ?? this.seq + 1}…${this.seq}): starting over` };
    }
    return { ok: true, updates: this.ring.slice(resume.seq - first + 1) };
  }

  get watcherCount(): number {
    return this.subscribers.size;
  }

  close(): void {
    if (this.heldTimer !== undefined) this.timers.clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    this.subscribers.clear();
  }
}
