// The relay between the gateway's sessions and the pages: a page that comes back gets exactly what it missed from each
// daemon, or that daemon's snapshot when the relay cannot tell (its ring no longer reaches back, it restarted, another
// daemon answers); every event's id is the page's whole resume vector. Fed the FleetChanges sessions emit.

import { describe, expect, it } from 'vitest';
import type { FleetChange } from '../../api/session.js';
import type { IncidentJson } from '../../api/incident.js';
import { incidentJson } from '../../test/fixtures/incident-json.js';
import { LiveRelay } from './live-relay.js';
import { parseEventId } from './sse.js';

type Received = { event: string; id: string | undefined; data: unknown };

/** A page: the frames it received, parsed. */
function page() {
  const frames: Received[] = [];
  let closed = false;
  return {
    frames,
    get closed() {
      return closed;
    },
    write: (frame: string) => {
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? 'message';
      const id = /^id: (.*)$/m.exec(frame)?.[1];
      const data = [...frame.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n');
      frames.push({ event, id, data: JSON.parse(data) });
      return true;
    },
    close: () => {
      closed = true;
    },
    changes: () => frames.filter((f) => f.event === 'change').map((f) => f.data as FleetChange),
    lastId: () => frames.filter((f) => f.id !== undefined).at(-1)?.id,
  };
}

const connected = (member: number, daemon: string): FleetChange => ({ member, change: { type: 'connected', address: `a${member}`, daemon_id: daemon, resumed: false } });
const resynced = (member: number, daemon: string, seq: number, incidents: IncidentJson[]): FleetChange => ({
  member,
  change: { type: 'resynced', address: `a${member}`, daemon_id: daemon, seq, initial: true, reason: '', changes: [], incidents },
});
const update = (member: number, daemon: string, seq: number, incident: IncidentJson): FleetChange => ({
  member,
  change: { type: 'update', update: { daemon_id: daemon, seq, kind: 'changed', at: null, incident, summary: `seq ${seq}` } },
});
const seqs = (changes: FleetChange[]) => changes.flatMap(({ change }) => (change.type === 'update' ? [change.update.seq] : []));

describe('LiveRelay', () => {
  it('gives a new page the members, their connections and a snapshot, then every change live', () => {
    // prepare: one daemon synced at seq 10 with one open and one resolved incident
    const relay = new LiveRelay({ addresses: ['a0'] });
    relay.apply(connected(0, 'd1'));
    relay.apply(resynced(0, 'd1', 10, [incidentJson('inc_00001'), incidentJson('inc_00002', { status: 'resolved' })]));

    // act
    const first = page();
    relay.subscribe([], first.write, first.close);
    relay.apply(update(0, 'd1', 11, incidentJson('inc_00001', { event_count: 11 })));

    // verify
    expect(first.frames[0]).toEqual({ event: 'members', id: undefined, data: { members: [{ member: 0, address: 'a0' }] } });
    const [connection, snapshot, live] = first.changes();
    expect(connection!.change.type).toBe('connected');
    expect(snapshot!.change).toMatchObject({ type: 'resynced', daemon_id: 'd1', seq: 10, initial: true, reason: 'first view' });
    expect((snapshot!.change as { incidents: IncidentJson[] }).incidents.map((i) => i.incident_id)).toEqual(['inc_00001', 'inc_00002']);
    expect(seqs([live!])).toEqual([11]);
    expect(parseEventId(first.lastId())).toEqual([{ daemon_id: 'd1', seq: 11 }]);
  });

  it('brings a returning page up to date with only what it missed', () => {
    const relay = new LiveRelay({ addresses: ['a0'] });
    relay.apply(resynced(0, 'd1', 10, [incidentJson('inc_00001')]));
    for (let seq = 11; seq <= 15; seq++) relay.apply(update(0, 'd1', seq, incidentJson('inc_00001', { event_count: seq })));

    const back = page();
    relay.subscribe(parseEventId('d1:12'), back.write, back.close);

    expect(back.changes().filter(({ change }) => change.type === 'resynced')).toEqual([]);
    expect(seqs(back.changes())).toEqual([13, 14, 15]);
    expect(back.frames.filter((f) => f.event === 'change').map((f) => f.id)).toEqual(['d1:13', 'd1:14', 'd1:15']);
    // a page that missed nothing gets nothing
    const current = page();
    relay.subscribe(parseEventId('d1:15'), current.write, current.close);
    expect(current.changes()).toEqual([]);
  });

  it('sends a snapshot when the ring no longer reaches back, the relay restarted, or another daemon answers', () => {
    const relay = new LiveRelay({ addresses: ['a0'], ringSize: 3 });
    relay.apply(resynced(0, 'd1', 10, [incidentJson('inc_00001')]));
    for (let seq = 11; seq <= 16; seq++) relay.apply(update(0, 'd1', seq, incidentJson('inc_00001', { event_count: seq })));

    const behind = page();
    relay.subscribe(parseEventId('d1:12'), behind.write, behind.close); // 13 fell out of the ring (it keeps 14–16)
    expect(behind.changes().map(({ change }) => change.type)).toEqual(['resynced']);
    expect(behind.changes()[0]!.change).toMatchObject({ seq: 16, initial: false, reason: 'the dashboard no longer holds the updates after seq 12' });
    expect(parseEventId(behind.lastId())).toEqual([{ daemon_id: 'd1', seq: 16 }]);

    // a gateway that restarted knows the daemon only from seq 16 on: a page at 16 is current, one before is not
    const restarted = new LiveRelay({ addresses: ['a0'] });
    restarted.apply(resynced(0, 'd1', 16, [incidentJson('inc_00001')]));
    const current = page();
    restarted.subscribe(parseEventId('d1:16'), current.write, current.close);
    expect(current.changes()).toEqual([]);
    const stale = page();
    restarted.subscribe(parseEventId('d1:15'), stale.write, stale.close);
    expect(stale.changes().map(({ change }) => change.type)).toEqual(['resynced']);

    // another daemon (a new store) at that address
    const other = page();
    restarted.subscribe(parseEventId('d0:99'), other.write, other.close);
    expect(other.changes()[0]!.change).toMatchObject({ type: 'resynced', daemon_id: 'd1', reason: 'this dashboard did not know where the page stood with this daemon' });
  });

  it('resumes each daemon of a fleet on its own, the id carrying both', () => {
    const relay = new LiveRelay({ addresses: ['a0', 'a1'], ringSize: 2 });
    relay.apply(resynced(0, 'dA', 1, []));
    relay.apply(resynced(1, 'dB', 50, []));
    relay.apply(update(0, 'dA', 2, incidentJson('inc_00001')));
    relay.apply(update(1, 'dB', 51, incidentJson('inc_00001')));
    relay.apply(update(1, 'dB', 52, incidentJson('inc_00001', { event_count: 12 })));
    relay.apply(update(1, 'dB', 53, incidentJson('inc_00001', { event_count: 13 })));

    const back = page();
    relay.subscribe(parseEventId('dA:1,dB:50'), back.write, back.close);

    // dA replays from its ring; dB's ring (52, 53) no longer holds 51: a snapshot
    expect(back.changes().map(({ member, change }) => [member, change.type])).toEqual([
      [0, 'update'],
      [1, 'resynced'],
    ]);
    expect(parseEventId(back.lastId())).toEqual([
      { daemon_id: 'dA', seq: 2 },
      { daemon_id: 'dB', seq: 53 },
    ]);
    relay.apply(update(0, 'dA', 3, incidentJson('inc_00002')));
    expect(parseEventId(back.lastId())).toEqual([
      { daemon_id: 'dA', seq: 3 },
      { daemon_id: 'dB', seq: 53 },
    ]);
  });

  it('tells a page about a daemon once it syncs, and passes on reconnections', () => {
    const relay = new LiveRelay({ addresses: ['a0'] });
    const early = page();
    relay.subscribe([], early.write, early.close);
    expect(early.changes()).toEqual([]); // nothing known yet
    relay.apply({ member: 0, change: { type: 'reconnecting', address: 'a0', daemon_id: null, attempt: 1, delay_ms: 250, error: 'no daemon' } });
    relay.apply(resynced(0, 'd1', 4, [incidentJson('inc_00001')]));
    expect(early.changes().map(({ change }) => change.type)).toEqual(['reconnecting', 'resynced']);
    expect(early.frames.find((f) => (f.data as FleetChange).change?.type === 'reconnecting')!.id).toBeUndefined();
    expect(relay.memberStates()).toEqual([{ member: 0, address: 'a0', daemon_id: 'd1', seq: 4, state: 'reconnecting' }]);
  });

  it('drops a page that falls too far behind, and bounds what it remembers', () => {
    const relay = new LiveRelay({ addresses: ['a0'], maxIncidents: 4, snapshotEnded: 1 });
    relay.apply(resynced(0, 'd1', 1, []));
    let writes = 0;
    let closed = false;
    relay.subscribe([], () => ++writes < 2, () => (closed = true));
    relay.apply(update(0, 'd1', 2, incidentJson('inc_00001')));
    expect(closed).toBe(true);
    expect(relay.subscriberCount).toBe(0);

    for (let n = 2; n <= 6; n++) relay.apply(update(0, 'd1', n + 1, incidentJson(`inc_0000${n}`, { status: n % 2 === 0 ? 'resolved' : 'investigating' })));
    const fresh = page();
    relay.subscribe([], fresh.write, fresh.close);
    const snapshot = fresh.changes().find(({ change }) => change.type === 'resynced')!.change as { incidents: IncidentJson[] };
    // at most 4 remembered (ended ones go first: 2, then 4); of the ended, only the latest goes into a snapshot
    expect(snapshot.incidents.map((i) => [i.incident_id, i.status])).toEqual([
      ['inc_00001', 'investigating'],
      ['inc_00003', 'investigating'],
      ['inc_00005', 'investigating'],
      ['inc_00006', 'resolved'],
    ]);
  });
});
