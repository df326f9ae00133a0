// What a front end hears from a session with one daemon (control/session.ts) or a fleet of them (control/fleet.ts):
// connection changes and incident changes, already put in order (no update twice, none skipped).

import type { IncidentJson } from './incident.js';
import type { IncidentUpdate } from './update.js';

export type SessionChange =
  /** The watch is live. `resumed`: it continued after our last update, nothing missed. */
  | { type: 'connected'; address: string; daemon_id: string; resumed: boolean }
  /** The daemon went away (or refused us); the next attempt starts after `delay_ms`. */
  | { type: 'reconnecting'; address: string; daemon_id: string | null; attempt: number; delay_ms: number; error: string }
  /**
   * We (re)started from a snapshot. `initial`: the first one of this session (every incident is new to us).
   * `changes`: what differs from what we knew, as updates (none for an unchanged incident). `incidents`: everything the
   * session knows now. `seq`: the daemon's sequence number the snapshot is as of (updates that follow are newer), so
   * a relay (the web gateway) can number what it passes on.
   */
  | {
      type: 'resynced';
      address: string;
      daemon_id: string;
      seq: number;
      initial: boolean;
      reason: string;
      changes: IncidentUpdate[];
      incidents: IncidentJson[];
    }
  | { type: 'update'; update: IncidentUpdate };

/** A session change of one member of a fleet (`member`: its position in the list of addresses). */
export type FleetChange = { member: number; change: SessionChange };
