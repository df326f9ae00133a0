// The client-side state of incidents, for every front end: what the session (or fleet) told us, keyed by
// (daemon, incident), plus each daemon's connection, components and statistics. A pure reducer; the TUI feeds it
// through useReducer at most ten times a second (coalesced batches), the web page from its event stream.
//
//   FleetChange[] ──{type:'changes'}──▶ entries (upsert / replace on resync) + connections
//   list results  ──{type:'loaded'}───▶ entries (only where newer)
//   components / stats per member ───▶ merged by selectors (overview.ts)
//
// Memory is bounded: open incidents are always kept; of the ended ones, the most recently changed MAX_ENDED.

import type { ComponentsJson } from '../api/component.js';
import type { IncidentJson } from '../api/incident.js';
import type { FleetChange } from '../api/session.js';
import type { StatsJson } from '../api/stats.js';
import { isOpenStatus } from '../api/vocabulary.js';

export type IncidentEntry = {
  /** `daemon_id/incident_id`: unique across a fleet. */
  key: string;
  /** The daemon's position in the fleet's list of addresses. */
  member: number;
  daemon_id: string;
  incident: IncidentJson;
};

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

export type Connection = {
  member: number;
  address: string;
  daemon_id: string | null;
  state: ConnectionState;
  /** The last failure while reconnecting; '' when connected. */
  error: string;
  attempt: number;
};

export type IncidentsState = {
  entries: ReadonlyMap<string, IncidentEntry>;
  connections: readonly Connection[];
  components: ReadonlyArray<ComponentsJson | null>;
  stats: ReadonlyArray<StatsJson | null>;
  /** Bumps on every change a screen could show (a render key; unchanged state keeps its version). */
  version: number;
};

export type IncidentsAction =
  /** The fleet's addresses, in order (once, at start). */
  | { type: 'members'; addresses: readonly string[] }
  /** What sessions reported since the last dispatch, in order. */
  | { type: 'changes'; changes: readonly FleetChange[] }
  /** Incidents read with a list call (e.g. those resolved today); kept only where newer than what we have. */
  | { type: 'loaded'; member: number; daemon_id: string; incidents: readonly IncidentJson[] }
  | { type: 'components'; member: number; components: ComponentsJson }
  | { type: 'stats'; member: number; stats: StatsJson };

/** Ended incidents kept for "resolved today" and the lists; open ones are always kept. */
export const MAX_ENDED_INCIDENTS = 2_000;

export const INITIAL_INCIDENTS_STATE: IncidentsState = {
  entries: new Map(),
  connections: [],
  components: [],
  stats: [],
  version: 0,
};

export function entryKey(daemonId: string, incidentId: string): string {
  return `${daemonId}/${incidentId}`;
}

export function reduceIncidents(state: IncidentsState, action: IncidentsAction): IncidentsState {
  switch (action.type) {
    case 'members':
      return {
        ...state,
        connections: action.addresses.map((address, member) => ({ member, address, daemon_id: null, state: 'connecting', error: '', attempt: 0 })),
        components: keptFor(state, action.addresses, state.components),
        stats: keptFor(state, action.addresses, state.stats),
        version: state.version + 1,
      };
    case 'changes':
      return applyChanges(state, action.changes);
    case 'loaded': {
      if (action.incidents.length === 0) return state;
      const entries = new Map(state.entries);
      let changed = false;
      for (const incident of action.incidents) {
        const key = entryKey(action.daemon_id, incident.incident_id);
        const existing = entries.get(key);
        if (existing !== undefined && !isNewer(incident, existing.incident)) continue;
        entries.set(key, { key, member: action.member, daemon_id: action.daemon_id, incident });
        changed = true;
      }
      return changed ? { ...state, entries: bound(entries), version: state.version + 1 } : state;
    }
    case 'components':
      return { ...state, components: replaceAt(state.components, action.member, action.components), version: state.version + 1 };
    case 'stats':
      return { ...state, stats: replaceAt(state.stats, action.member, action.stats), version: state.version + 1 };
  }
}

function applyChanges(state: IncidentsState, changes: readonly FleetChange[]): IncidentsState {
  if (changes.length === 0) return state;
  let entries: Map<string, IncidentEntry> | undefined;
  let connections: Connection[] | undefined;
  const writable = () => (entries ??= new Map(state.entries));
  const connection = (member: number): Connection => {
    connections ??= [...state.connections];
    const current = connections[member] ?? { member, address: '', daemon_id: null, state: 'connecting', error: '', attempt: 0 };
    const copy = { ...current };
    connections[member] = copy;
    return copy;
  };
  for (const { member, change } of changes) {
    switch (change.type) {
      case 'connected': {
        const target = connection(member);
        target.address = change.address;
        target.daemon_id = change.daemon_id;
        target.state = 'connected';
        target.error = '';
        target.attempt = 0;
        break;
      }
      case 'reconnecting': {
        const target = connection(member);
        target.address = change.address;
        target.state = 'reconnecting';
        target.error = change.error;
        target.attempt = change.attempt;
        break;
      }
      case 'resynced': {
        // The session's picture of that daemon replaces ours for open incidents (one it no longer lists has ended and
        // comes back in `incidents` with its end, or is gone); ended ones read by list calls stay. Another daemon on
        // that address (a new store) replaces everything.
        const map = writable();
        const known = new Set(change.incidents.map((incident) => incident.incident_id));
        for (const [key, entry] of map) {
          if (entry.member !== member) continue;
          if (entry.daemon_id !== change.daemon_id || (isOpenStatus(entry.incident.status) && !known.has(entry.incident.incident_id))) {
            map.delete(key);
          }
        }
        for (const incident of change.incidents) {
          const key = entryKey(change.daemon_id, incident.incident_id);
          map.set(key, { key, member, daemon_id: change.daemon_id, incident });
        }
        break;
      }
      case 'update': {
        const map = writable();
        const key = entryKey(change.update.daemon_id, change.update.incident.incident_id);
        map.set(key, { key, member, daemon_id: change.update.daemon_id, incident: change.update.incident });
        break;
      }
    }
  }
  return {
    ...state,
    entries: entries === undefined ? state.entries : bound(entries),
    connections: connections ?? state.connections,
    version: state.version + 1,
  };
}

/**
 * What was read for each member that keeps its address. Before the first list every member counts as kept: a front end
 * may read components or stats before the list of daemons reaches it, and clearing them then would show an empty table
 * until the next read.
 */
function keptFor<T>(state: IncidentsState, addresses: readonly string[], list: ReadonlyArray<T | null>): Array<T | null> {
  const first = state.connections.length === 0;
  return addresses.map((address, member) => (first || state.connections[member]?.address === address ? (list[member] ?? null) : null));
}

function replaceAt<T>(list: ReadonlyArray<T | null>, index: number, value: T): ReadonlyArray<T | null> {
  const copy = [...list];
  while (copy.length <= index) copy.push(null);
  copy[index] = value;
  return copy;
}

function updatedMs(incident: IncidentJson): number {
  const ms = Date.parse(incident.updated_at ?? '');
  return Number.isFinite(ms) ? ms : 0;
}

function isNewer(a: IncidentJson, b: IncidentJson): boolean {
  return updatedMs(a) >= updatedMs(b);
}

/** Keeps every open incident and the MAX_ENDED_INCIDENTS most recently changed ended ones. */
function bound(entries: Map<string, IncidentEntry>): Map<string, IncidentEntry> {
  let ended = 0;
  for (const entry of entries.values()) if (!isOpenStatus(entry.incident.status)) ended++;
  if (ended <= MAX_ENDED_INCIDENTS) return entries;
  const endedEntries = [...entries.values()].filter((entry) => !isOpenStatus(entry.incident.status));
  endedEntries.sort((a, b) => updatedMs(a.incident) - updatedMs(b.incident));
  for (const entry of endedEntries.slice(0, ended - MAX_ENDED_INCIDENTS)) entries.delete(entry.key);
  return entries;
}

/** True when the state spans more than one daemon: lists then show which daemon each incident is on. */
export function isFleet(state: IncidentsState): boolean {
  return state.connections.length > 1;
}

/** `d2/inc_00007` in a fleet, `inc_00007` alone: how an incident is named on screens, and accepted back. */
export function displayId(state: IncidentsState, entry: IncidentEntry): string {
  return isFleet(state) ? `d${entry.member + 1}/${entry.incident.incident_id}` : entry.incident.incident_id;
}
