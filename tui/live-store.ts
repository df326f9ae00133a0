// The live incident state of the terminal UI: the fleet's changes reduced into view/'s IncidentsState, at most once
// per FLUSH_INTERVAL_MS, and nothing at all while nothing arrives (no timer runs when idle, apart from the slow
// components/stats refresh). Coalescing happens here, before React: React reconciles once per flush however many
// updates a burst brought (Ink's maxFps throttles output, not React's work; TUI-NOTES.md).
//
//   fleet ──FleetChange──▶ pending[] ──(≤ 10/s)──▶ reduceIncidents({changes}) ──▶ listeners (controller → frame)
//   member connected ──▶ load incidents resolved lately (the overview's "resolved today") + components + stats
//   every REFRESH_INTERVAL_MS, and REFRESH_DEBOUNCE_MS after incident changes ──▶ components + stats (24 h)
//
// A member that is away is not asked; what it last said stays on screen, marked by its connection state.

import type { ControlClient } from '../api/client.js';
import type { FleetChange } from '../api/session.js';
import { createFleet, type Fleet } from '../control/fleet.js';
import { INITIAL_INCIDENTS_STATE, reduceIncidents, type IncidentsAction, type IncidentsState } from '../view/incidents-state.js';
import { startOfDay } from '../view/overview.js';
import type { Timers } from './input.js';

export const FLUSH_INTERVAL_MS = 100;
export const REFRESH_INTERVAL_MS = 10_000;
export const REFRESH_DEBOUNCE_MS = 1_000;
/** "Resolved today" counts incidents resolved since midnight; they were detected up to this long before it. */
const RESOLVED_LOOKBACK_MS = 2 * 24 * 3_600_000;
const RESOLVED_LIMIT = 500;
const STATS_WINDOW_MS = 24 * 3_600_000;

export interface LiveStore {
  start(): void;
  /** Stops the fleet (its watch streams) and every timer. Does not close the clients. */
  close(): Promise<void>;
  getState(): IncidentsState;
  /** `listener` runs after each flush that changed the state; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** Components and stats again soon (after a change this client made). */
  refreshSoon(): void;
  /** Changes are waiting for their flush (tests wait for it to pass). */
  busy(): boolean;
}

export type LiveStoreOptions = {
  timers?: Timers;
  now?: () => number;
  /** The fleet of sessions; tests hand a scripted one. */
  createFleet?: (clients: readonly ControlClient[], onChange: (change: FleetChange) => void) => Pick<Fleet, 'start' | 'close'>;
};

const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function createLiveStore(clients: readonly ControlClient[], options: LiveStoreOptions = {}): LiveStore {
  const timers = options.timers ?? REAL_TIMERS;
  const now = options.now ?? Date.now;
  const listeners = new Set<() => void>();
  let state = reduceIncidents(INITIAL_INCIDENTS_STATE, { type: 'members', addresses: clients.map((client) => client.address) });
  let pending: FleetChange[] = [];
  let flushTimer: unknown;
  let lastFlush = Number.NEGATIVE_INFINITY;
  let refreshTimer: unknown;
  let debounceTimer: unknown;
  let closed = false;
  const connected = new Map<number, string>(); // member → daemon_id, while connected

  const fleet = (options.createFleet ?? ((list, onChange) => createFleet(list, { onChange })))(clients, (change) => {
    if (closed) return;
    pending.push(change);
    scheduleFlush();
  });

  function dispatch(action: IncidentsAction): void {
    const next = reduceIncidents(state, action);
    if (next === state) return;
    state = next;
    for (const listener of [...listeners]) listener();
  }

  function scheduleFlush(): void {
    if (flushTimer !== undefined) return;
    const wait = Math.max(0, lastFlush + FLUSH_INTERVAL_MS - now());
    flushTimer = timers.setTimeout(flush, wait);
  }

  function flush(): void {
    flushTimer = undefined;
    if (closed || pending.length === 0) return;
    const changes = pending;
    pending = [];
    lastFlush = now();
    let incidentsChanged = false;
    for (const { member, change } of changes) {
      if (change.type === 'connected') {
        const first = !connected.has(member);
        connected.set(member, change.daemon_id);
        if (first || !change.resumed) void loadMember(member, change.daemon_id);
      } else if (change.type === 'reconnecting') {
        connected.delete(member);
      } else {
        incidentsChanged = true;
      }
    }
    dispatch({ type: 'changes', changes });
    if (incidentsChanged) debounceRefresh();
  }

  /** What a member knows beyond the watch: incidents resolved lately, components, stats. */
  async function loadMember(member: number, daemonId: string): Promise<void> {
    const client = clients[member]!;
    const since = new Date(startOfDay(now()) - RESOLVED_LOOKBACK_MS).toISOString();
    try {
      const page = await client.listIncidents({ status: ['resolved', 'closed'], since, limit: RESOLVED_LIMIT });
      if (!closed && connected.get(member) === daemonId) dispatch({ type: 'loaded', member, daemon_id: daemonId, incidents: page.incidents });
    } catch {
      // away again: the next connection loads it
    }
    await refreshMember(member);
  }

  async function refreshMember(member: number): Promise<void> {
    if (closed || !connected.has(member)) return;
    const client = clients[member]!;
    const since = new Date(now() - STATS_WINDOW_MS).toISOString();
    const [components, stats] = await Promise.allSettled([client.components(), client.stats({ since })]);
    if (closed) return;
    if (components.status === 'fulfilled' && !sameJson(state.components[member], components.value)) {
      dispatch({ type: 'components', member, components: components.value });
    }
    if (stats.status === 'fulfilled' && !sameJson(state.stats[member], stats.value)) dispatch({ type: 'stats', member, stats: stats.value });
  }

  function refreshAll(): void {
    for (const member of connected.keys()) void refreshMember(member);
  }

  function debounceRefresh(): void {
    if (closed) return;
    if (debounceTimer !== undefined) timers.clearTimeout(debounceTimer);
    debounceTimer = timers.setTimeout(() => {
      debounceTimer = undefined;
      refreshAll();
    }, REFRESH_DEBOUNCE_MS);
  }

  function schedulePeriodicRefresh(): void {
    refreshTimer = timers.setTimeout(() => {
      if (closed) return;
      refreshAll();
      schedulePeriodicRefresh();
    }, REFRESH_INTERVAL_MS);
  }

  return {
    start() {
      fleet.start();
      schedulePeriodicRefresh();
    },
    async close() {
      closed = true;
      for (const timer of [flushTimer, refreshTimer, debounceTimer]) if (timer !== undefined) timers.clearTimeout(timer);
      flushTimer = refreshTimer = debounceTimer = undefined;
      listeners.clear();
      await fleet.close();
    },
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refreshSoon: debounceRefresh,
    busy: () => pending.length > 0 || flushTimer !== undefined,
  };
}

/** Unchanged data dispatches nothing: no render, no bytes (a component's figures are often the same as 10 s ago). */
function sameJson(a: unknown, b: unknown): boolean {
  return a !== null && a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
