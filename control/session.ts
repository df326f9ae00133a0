// A session with one daemon: list → watch → on a drop, reconnect with backoff and resume where it left off.
//
//   start ──watch{snapshot, resume?}──▶ sync ──resumed──────────────▶ 'connected' (the updates after our seq follow)
//                                          └─not resumed (snapshot)─▶ diff against what we knew ──▶ 'resynced'
//   update (seq > ours) ──▶ known state ──▶ 'update'          (seq ≤ ours: already seen, dropped)
//   stream ends or fails ──▶ 'reconnecting' (attempt, delay) ──backoff──▶ watch{resume: {daemon_id, seq}}
//
// Front ends read changes, never the transport: the CLI's `incidents watch` prints them, the TUI and the web page
// reduce them into their state (view/). A resync never repeats an update and never skips one: an incident whose state
// differs from the last one we saw becomes one synthesised update; one that is unchanged stays silent; an open
// incident that left the snapshot (resolved or closed while we were away) is fetched to learn how it ended.
// The session never gives up: a daemon that is away is retried until close().

import type { ControlClient, WatchHandle } from '../api/client.js';
import { ControlError, isControlError } from '../api/errors.js';
import type { IncidentJson } from '../api/incident.js';
import type { SessionChange } from '../api/session.js';
import type { IncidentUpdate, UpdateKind, WatchMessage, WatchSync } from '../api/update.js';
import { isOpenStatus } from '../api/vocabulary.js';

export type { SessionChange } from '../api/session.js';

export interface SessionOptions {
  /** Only this incident / these severities (as `incidents watch` filters). */
  filter?: { incident_id?: string; severity?: string[] };
  onChange: (change: SessionChange) => void;
  /** First reconnect delay; doubles up to maxDelayMs, with ±20 % jitter. Default 250 ms. */
  initialDelayMs?: number;
  /** Default 5 s. */
  maxDelayMs?: number;
  /** Incidents remembered for resync diffs; the oldest resolved ones go first. Default 10,000. */
  maxIncidents?: number;
  /** Injected for tests. */
  timers?: { setTimeout: (fn: () => void, ms: number) => unknown; clearTimeout: (handle: unknown) => void };
  random?: () => number;
  now?: () => number;
}

export interface Session {
  start(): void;
  /** Stops watching and reconnecting; resolves once the stream is closed. Does not close the client. */
  close(): Promise<void>;
  readonly daemonId: string | null;
  /** The seq of the last update applied (0 before any). */
  readonly seq: number;
  /** What the session knows, newest change first. */
  incidents(): IncidentJson[];
}

const DEFAULT_INITIAL_DELAY_MS = 250;
const DEFAULT_MAX_DELAY_MS = 5_000;
const DEFAULT_MAX_INCIDENTS = 10_000;
const JITTER = 0.2;

export function createSession(client: ControlClient, options: SessionOptions): Session {
  const timers = options.timers ?? {
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const initialDelay = options.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS;
  const maxDelay = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const maxIncidents = options.maxIncidents ?? DEFAULT_MAX_INCIDENTS;
  const filter = options.filter ?? {};

  const known = new Map<string, IncidentJson>();
  let daemonId: string | null = null;
  let seq = 0;
  let synced = false; // a sync arrived on the current stream
  let everSynced = false;
  let attempt = 0;
  let closed = false;
  let handle: WatchHandle | undefined;
  let retryTimer: unknown;
  /** Updates that arrive while a resync fetches incidents that left the snapshot: applied after it. */
  let pending: IncidentUpdate[] | undefined;
  let generation = 0; // bumps per stream, so late callbacks of an old stream are ignored

  function emit(change: SessionChange): void {
    options.onChange(change);
  }

  function open(): void {
    if (closed) return;
    const stream = ++generation;
    synced = false;
    pending = undefined;
    const request = {
      ...(filter.incident_id ? { incident_id: filter.incident_id } : {}),
      ...(filter.severity && filter.severity.length > 0 ? { severity: filter.severity } : {}),
      snapshot: true,
      ...(daemonId !== null ? { resume: { daemon_id: daemonId, seq } } : {}),
    };
    let watch: WatchHandle;
    try {
      watch = client.watch(request, (message) => {
        if (stream === generation && !closed) onMessage(message, stream);
      });
    } catch (error) {
      scheduleRetry(error);
      return;
    }
    handle = watch;
    watch.done.then(
      () => {
        if (stream === generation && !closed) scheduleRetry(new ControlError('the daemon ended the watch stream', 'unavailable'));
      },
      (error: unknown) => {
        if (stream === generation && !closed) scheduleRetry(error);
      },
    );
  }

  function scheduleRetry(error: unknown): void {
    if (closed) return;
    handle = undefined;
    generation++;
    attempt++;
    const base = Math.min(maxDelay, initialDelay * 2 ** Math.min(attempt - 1, 20));
    const delay = Math.max(0, Math.round(base * (1 - JITTER + 2 * JITTER * random())));
    emit({
      type: 'reconnecting',
      address: client.address,
      daemon_id: daemonId,
      attempt,
      delay_ms: delay,
      error: isControlError(error) ? error.message : String((error as Error)?.message ?? error),
    });
    retryTimer = timers.setTimeout(() => {
      retryTimer = undefined;
      open();
    }, delay);
  }

  function onMessage(message: WatchMessage, stream: number): void {
    if (message.type === 'sync') {
      void onSync(message.sync, stream);
      return;
    }
    if (!synced) return; // the daemon always syncs first; anything before it is not ours to trust
    if (pending !== undefined) pending.push(message.update);
    else applyUpdate(message.update);
  }

  async function onSync(sync: WatchSync, stream: number): Promise<void> {
    synced = true;
    attempt = 0;
    const sameDaemon = daemonId === sync.daemon_id;
    if (sync.resumed && sameDaemon) {
      emit({ type: 'connected', address: client.address, daemon_id: sync.daemon_id, resumed: true });
      return;
    }
    const initial = !everSynced;
    everSynced = true;
    // Another daemon (a new store) numbers from its own start: what we knew of the old one is not comparable.
    if (!sameDaemon && daemonId !== null) known.clear();
    daemonId = sync.daemon_id;
    seq = sync.seq;
    emit({ type: 'connected', address: client.address, daemon_id: sync.daemon_id, resumed: false });

    const snapshot = sync.snapshot ?? [];
    const changes: IncidentUpdate[] = [];
    const inSnapshot = new Set<string>();
    for (const incident of snapshot) {
      inSnapshot.add(incident.incident_id);
      const before = known.get(incident.incident_id);
      if (before === undefined || differs(before, incident)) changes.push(synthesise(before, incident, sync));
    }
    // Open incidents we knew that are no longer open: fetch how they ended (updates meanwhile wait in `pending`).
    const gone = [...known.values()].filter((incident) => !inSnapshot.has(incident.incident_id) && isOpenStatus(incident.status));
    if (gone.length > 0) {
      pending = [];
      const fetched = await Promise.all(
        gone.map((incident) =>
          client.getIncident(incident.incident_id).then(
            (latest) => ({ before: incident, latest }),
            (error: unknown) => ({ before: incident, latest: undefined, error }),
          ),
        ),
      );
      if (stream !== generation || closed) return;
      for (const { before, latest } of fetched) {
        if (latest === undefined) known.delete(before.incident_id); // gone from the store (or unreachable: re-learned later)
        else if (differs(before, latest)) changes.push(synthesise(before, latest, sync));
      }
    }
    for (const change of changes) remember(change.incident);
    emit({
      type: 'resynced',
      address: client.address,
      daemon_id: sync.daemon_id,
      seq: sync.seq,
      initial,
      reason: sync.reason,
      changes,
      incidents: incidents(),
    });
    const waiting = pending ?? [];
    pending = undefined;
    for (const update of waiting) applyUpdate(update);
  }

  function applyUpdate(update: IncidentUpdate): void {
    if (update.daemon_id !== daemonId || update.seq <= seq) return; // another daemon's, or already seen
    seq = update.seq;
    const before = known.get(update.incident.incident_id);
    // A resync may have fetched a newer state than an update that was already in flight: never step back.
    if (before !== undefined && isNewer(before, update.incident)) return;
    remember(update.incident);
    emit({ type: 'update', update });
  }

  function remember(incident: IncidentJson): void {
    known.delete(incident.incident_id); // re-insert: Map order is the order of the latest change
    known.set(incident.incident_id, incident);
    if (known.size <= maxIncidents) return;
    for (const [id, candidate] of known) {
      if (!isOpenStatus(candidate.status)) {
        known.delete(id);
        return;
      }
    }
    known.delete(known.keys().next().value as string); // all open: drop the least recently changed
  }

  function incidents(): IncidentJson[] {
    return [...known.values()].reverse();
  }

  function synthesise(before: IncidentJson | undefined, incident: IncidentJson, sync: WatchSync): IncidentUpdate {
    return {
      daemon_id: sync.daemon_id,
      seq: sync.seq,
      kind: kindOf(before, incident),
      at: incident.updated_at ?? new Date(now()).toISOString(),
      incident,
      summary: before === undefined ? 'seen on resync' : `changed while away: ${describeChange(before, incident)}`,
    };
  }

  return {
    start() {
      if (handle === undefined && retryTimer === undefined && !closed) open();
    },
    async close() {
      closed = true;
      if (retryTimer !== undefined) timers.clearTimeout(retryTimer);
      retryTimer = undefined;
      const current = handle;
      handle = undefined;
      if (current) {
        current.cancel();
        await current.done.catch(() => undefined);
      }
    },
    get daemonId() {
      return daemonId;
    },
    get seq() {
      return seq;
    },
    incidents,
  };
}

/** The fields whose change a watcher cares about; `updated_at` moves with every persisted change. */
function differs(a: IncidentJson, b: IncidentJson): boolean {
  return (
    a.updated_at !== b.updated_at ||
    a.status !== b.status ||
    a.severity !== b.severity ||
    a.event_count !== b.event_count ||
    a.acknowledged !== b.acknowledged ||
    a.assigned_to !== b.assigned_to
  );
}

function isNewer(a: IncidentJson, b: IncidentJson): boolean {
  const at = Date.parse(a.updated_at ?? '');
  const bt = Date.parse(b.updated_at ?? '');
  return Number.isFinite(at) && Number.isFinite(bt) && at > bt;
}

function kindOf(before: IncidentJson | undefined, incident: IncidentJson): UpdateKind {
  if (incident.status === 'closed') return 'closed';
  if (incident.status === 'resolved') return before?.status === 'resolved' ? 'changed' : 'resolved';
  return before === undefined ? 'opened' : 'changed';
}

function describeChange(before: IncidentJson, after: IncidentJson): string {
  const parts: string[] = [];
  if (before.status !== after.status) parts.push(`status ${before.status} → ${after.status}`);
  if (before.severity !== after.severity) parts.push(`severity ${before.severity} → ${after.severity}`);
  if (after.event_count > before.event_count) parts.push(`${after.event_count - before.event_count} new events`);
  if (before.acknowledged !== after.acknowledged) parts.push(after.acknowledged ? 'acknowledged' : 'acknowledgement ended');
  if (before.assigned_to !== after.assigned_to) parts.push(after.assigned_to ? `assigned to ${after.assigned_to}` : 'unassigned');
  return parts.length > 0 ? parts.join(', ') : 'updated';
}
