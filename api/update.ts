// The watch stream: how a client follows a daemon's incidents live and picks up where it left off.
//
//   client ──watch({snapshot, resume: {daemon_id, seq}})──▶ daemon
//   daemon ──sync {daemon_id, seq, resumed, snapshot?}──▶ then updates, each {daemon_id, seq, kind, incident, …}
//
// Every daemon numbers its incident updates with one strictly increasing `seq` (kept in its store, so it keeps
// increasing across restarts) and names itself with a stable `daemon_id`. A client that lost the stream asks to
// resume after the last seq it saw: the daemon replays what followed from a bounded buffer (`resumed: true`), or, when
// that seq fell out of the buffer or the daemon is another one, says why and sends the snapshot to start again from.

import type { IncidentJson } from './incident.js';

export const UPDATE_KINDS = ['opened', 'changed', 'resolved', 'closed'] as const;
export type UpdateKind = (typeof UPDATE_KINDS)[number];

export type IncidentUpdate = {
  daemon_id: string;
  /** Strictly increasing per daemon, across restarts. */
  seq: number;
  kind: UpdateKind;
  /** When the change was recorded. */
  at: string | null;
  incident: IncidentJson;
  /** What changed, in a few words (`status investigating → remediating`, `3 new events`…). */
  summary: string;
};

/** The first message of every watch: where the updates that follow start. */
export type WatchSync = {
  daemon_id: string;
  /** Updates that follow have a greater seq than this. */
  seq: number;
  /** The resume point was honoured: the updates after it follow, none missed. */
  resumed: boolean;
  /** When not resumed and a snapshot was asked for: the open incidents matching the filter, as of `seq`. */
  snapshot: IncidentJson[] | null;
  /** Why a resume was not honoured ('' when it was, or none was asked for). */
  reason: string;
};

export type WatchMessage = { type: 'sync'; sync: WatchSync } | { type: 'update'; update: IncidentUpdate };

export type WatchRequest = {
  /** Only this incident. */
  incident_id?: string;
  /** Only these severities. */
  severity?: string[];
  /** Start with the open incidents (when not resuming, or when the resume point cannot be honoured). */
  snapshot?: boolean;
  /** Continue after this update of this daemon. */
  resume?: { daemon_id: string; seq: number };
};
