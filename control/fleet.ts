// Several daemons seen as one: a session per daemon, their incidents merged under (daemon_id, incident_id).
//
//   client a ──session──┐
//   client b ──session──┼──▶ FleetChange {member, change} ──▶ front end's reducer (view/), keyed by entryKey()
//   client c ──session──┘
//
// Each session resumes on its own: one daemon going away shows as that member reconnecting while the others go on.
// With one daemon the fleet is just its session; nothing here assumes there is only one.

import type { ControlClient } from '../api/client.js';
import type { FleetChange } from '../api/session.js';
import { createSession, type Session, type SessionOptions } from './session.js';

export type { FleetChange } from '../api/session.js';

export type MemberState = 'connecting' | 'connected' | 'reconnecting';

export interface FleetMember {
  /** Position in the list of addresses the fleet was given. */
  index: number;
  address: string;
  daemon_id: string | null;
  state: MemberState;
  /** The last failure while reconnecting; '' when connected. */
  error: string;
}

export interface FleetOptions extends Omit<SessionOptions, 'onChange'> {
  onChange: (change: FleetChange) => void;
}

export interface Fleet {
  start(): void;
  close(): Promise<void>;
  members(): FleetMember[];
}

export function createFleet(clients: readonly ControlClient[], options: FleetOptions): Fleet {
  const members: FleetMember[] = clients.map((client, index) => ({
    index,
    address: client.address,
    daemon_id: null,
    state: 'connecting',
    error: '',
  }));
  const sessions: Session[] = clients.map((client, index) =>
    createSession(client, {
      ...options,
      onChange(change) {
        const member = members[index]!;
        if (change.type === 'connected') {
          member.state = 'connected';
          member.daemon_id = change.daemon_id;
          member.error = '';
        } else if (change.type === 'reconnecting') {
          member.state = 'reconnecting';
          member.error = change.error;
        }
        options.onChange({ member: index, change });
      },
    }),
  );
  return {
    start() {
      for (const session of sessions) session.start();
    },
    async close() {
      await Promise.all(sessions.map((session) => session.close()));
    },
    members: () => members.map((member) => ({ ...member })),
  };
}
