// What every open page hears about incidents, from one fleet of sessions the gateway keeps with its daemons
// (control/fleet.ts): pages never watch a daemon themselves, so a hundred wall screens cost the daemons one watch.
//
//   daemons ──session per daemon (list → watch → resume)──▶ FleetChange ──▶ LiveRelay.apply ──▶ every page's stream
//                                                                            │ per daemon: its incidents, the
//                                                                            │ recent updates (a bounded ring)
//   page (re)connects with Last-Event-ID = {daemon: seq,…} ──▶ subscribe ──▶ per daemon: the updates after its seq
//                                                                            from the ring, or, when the ring no
//                                                                            longer reaches back (or the gateway
//                                                                            restarted), that daemon's snapshot
//
// Pages reduce the very FleetChanges the sessions emit (view/incidents-state.ts), so a page and a terminal UI fed by
// the same daemons agree. Each event's id is the page's whole resume vector after it (sse.ts).

import type { IncidentJson } from '../../api/incident.js';
import type { FleetChange, SessionChange } from '../../api/session.js';
import type { IncidentUpdate } from '../../api/update.js';
import { isOpenStatus } from '../../api/vocabulary.js';
import { formatEventId, formatSseFrame, type ResumePoint } from './sse.js';

export interface LiveRelayOptions {
  /** The daemons' addresses, in the order of --connect (a member's index is its place here). */
  addresses: readonly string[];
  /** Updates kept per daemon for pages that come back. Default 2,000. */
  ringSize?: number;
  /** Incidents remembered per daemon for snapshots; the least recently changed ended ones go first. Default 10,000. */
  maxIncidents?: number;
  /** Ended incidents a snapshot carries besides the open ones (the most recently changed). Default 500. */
  snapshotEnded?: number;
}

export type RelayMember = {
  member: number;
  address: string;
  daemon_id: string | null;
  /** The daemon's latest seq the relay has passed on (0 before any). */
  seq: number;
  state: 'connecting' | 'connected' | 'reconnecting';
};

/** Writes one frame to a page; false when the page is too far behind and should be dropped (it will come back). */
export type FrameWriter = (frame: string) => boolean;

type MemberState = {
  address: string;
  daemonId: string | null;
  seq: number;
  /** Updates after `floor`, oldest first: a page at or past `floor` can be brought up to date from here. */
  ring: IncidentUpdate[];
  floor: number;
  incidents: Map<string, IncidentJson>;
  /** The latest connected/reconnecting change, told to every page that joins. */
  connection: SessionChange | undefined;
};

type Subscriber = {
  write: FrameWriter;
  /** Per daemon id: the last seq this page has. */
  seqs: Map<string, number>;
  close: () => void;
};

const DEFAULT_RING_SIZE = 2_000;
const DEFAULT_MAX_INCIDENTS = 10_000;
const DEFAULT_SNAPSHOT_ENDED = 500;

export class LiveRelay {
  private readonly members: MemberState[];
  private readonly subscribers = new Set<Subscriber>();
  private readonly ringSize: number;
  private readonly maxIncidents: number;
  private readonly snapshotEnded: number;

  constructor(options: LiveRelayOptions) {
    this.members = options.addresses.map((address) => ({
      address,
      daemonId: null,
      seq: 0,
      ring: [],
      floor: 0,
      incidents: new Map(),
      connection: undefined,
    }));
    this.ringSize = options.ringSize ?? DEFAULT_RING_SIZE;
    this.maxIncidents = options.maxIncidents ?? DEFAULT_MAX_INCIDENTS;
    this.snapshotEnded = options.snapshotEnded ?? DEFAULT_SNAPSHOT_ENDED;
  }

  /** A change from the fleet: remembered, then passed on to every page. */
  apply(fleetChange: FleetChange): void {
    const state = this.members[fleetChange.member];
    if (state === undefined) return;
    const change = fleetChange.change;
    switch (change.type) {
      case 'connected':
      case 'reconnecting':
        state.connection = change;
        break;
      case 'resynced':
        if (state.daemonId !== change.daemon_id) state.incidents.clear();
        state.daemonId = change.daemon_id;
        state.seq = change.seq;
        state.ring = [];
        state.floor = change.seq;
        for (const incident of change.incidents) this.remember(state, incident);
        break;
      case 'update': {
        const update = change.update;
        if (update.daemon_id !== state.daemonId || update.seq <= state.seq) return; // the session already orders them
        state.seq = update.seq;
        state.ring.push(update);
        if (state.ring.length > this.ringSize) state.floor = state.ring.shift()!.seq;
        this.remember(state, update.incident);
        break;
      }
    }
    for (const subscriber of [...this.subscribers]) {
      if (change.type === 'resynced') subscriber.seqs.set(change.daemon_id, change.seq);
      else if (change.type === 'update') subscriber.seqs.set(change.update.daemon_id, change.update.seq);
      this.send(subscriber, fleetChange, change.type === 'resynced' || change.type === 'update');
    }
  }

  /**
   * A page joins, standing at `resume` (empty for a new page): it is told the members, their connections, and per
   * daemon either what it missed or a snapshot. Returns how to leave. `close` is called if the relay drops the page.
   */
  subscribe(resume: readonly ResumePoint[], write: FrameWriter, close: () => void): () => void {
    const subscriber: Subscriber = { write, seqs: new Map(resume.map((point) => [point.daemon_id, point.seq])), close };
    const members = this.members.map((state, member) => ({ member, address: state.address }));
    if (!write(formatSseFrame({ event: 'members', data: JSON.stringify({ members }) }))) {
      close();
      return () => undefined;
    }
    this.subscribers.add(subscriber);
    for (let member = 0; member < this.members.length && this.subscribers.has(subscriber); member++) {
      const state = this.members[member]!;
      if (state.connection !== undefined) this.send(subscriber, { member, change: state.connection }, false);
      if (state.daemonId === null) continue; // not synced yet: its first resync reaches every page
      const had = subscriber.seqs.get(state.daemonId);
      if (had !== undefined && had >= state.floor && had <= state.seq) {
        for (const update of state.ring) {
          if (update.seq <= had) continue;
          subscriber.seqs.set(state.daemonId, update.seq);
          if (!this.send(subscriber, { member, change: { type: 'update', update } }, true)) break;
        }
        continue;
      }
      subscriber.seqs.set(state.daemonId, state.seq);
      const reason =
        had === undefined
          ? resume.length === 0
            ? 'first view'
            : 'this dashboard did not know where the page stood with this daemon'
          : `the dashboard no longer holds the updates after seq ${had}`;
      this.send(subscriber, { member, change: this.snapshot(state, had === undefined && resume.length === 0, reason) }, true);
    }
    return () => {
      this.subscribers.delete(subscriber);
    };
  }

  /** Each daemon as the relay knows it (for the list endpoints, which need every daemon's id). */
  memberStates(): RelayMember[] {
    return this.members.map((state, member) => ({
      member,
      address: state.address,
      daemon_id: state.daemonId,
      seq: state.seq,
      state: state.connection === undefined ? 'connecting' : state.connection.type === 'connected' ? 'connected' : 'reconnecting',
    }));
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Ends every page's stream (the gateway stops). */
  closeAll(): void {
    for (const subscriber of [...this.subscribers]) this.drop(subscriber);
  }

  private snapshot(state: MemberState, initial: boolean, reason: string): SessionChange {
    const open: IncidentJson[] = [];
    const ended: IncidentJson[] = [];
    for (const incident of state.incidents.values()) (isOpenStatus(incident.status) ? open : ended).push(incident);
    // The map is in order of the latest change: the most recently changed ended incidents are at its end.
    const incidents = [...open, ...ended.slice(Math.max(0, ended.length - this.snapshotEnded))];
    return { type: 'resynced', address: state.address, daemon_id: state.daemonId!, seq: state.seq, initial, reason, changes: [], incidents };
  }

  private send(subscriber: Subscriber, change: FleetChange, withId: boolean): boolean {
    const frame = formatSseFrame({
      event: 'change',
      ...(withId ? { id: this.eventId(subscriber) } : {}),
      data: JSON.stringify(change),
    });
    if (subscriber.write(frame)) return true;
    this.drop(subscriber);
    return false;
  }

  private drop(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber)) return;
    subscriber.close();
  }

  /** The page's vector over the daemons the relay knows now (a daemon replaced at an address leaves it). */
  private eventId(subscriber: Subscriber): string {
    const points: ResumePoint[] = [];
    for (const state of this.members) {
      if (state.daemonId === null) continue;
      const seq = subscriber.seqs.get(state.daemonId);
      if (seq !== undefined) points.push({ daemon_id: state.daemonId, seq });
    }
    return formatEventId(points);
  }

  private remember(state: MemberState, incident: IncidentJson): void {
    const incidents = state.incidents;
    incidents.delete(incident.incident_id); // re-insert: the map's order is the order of the latest change
    incidents.set(incident.incident_id, incident);
    if (incidents.size <= this.maxIncidents) return;
    for (const [id, candidate] of incidents) {
      if (!isOpenStatus(candidate.status)) {
        incidents.delete(id);
        return;
      }
    }
    incidents.delete(incidents.keys().next().value as string);
  }
}
