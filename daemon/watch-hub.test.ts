// The watch hub on real engine incidents: numbering, coalescing, snapshots and resume points.

import { describe, expect, it } from 'vitest';
import type { WatchMessage } from '../api/update.js';
import type { Incident } from '../engine/types.js';
import { SECOND, T0, burst, testEngine } from '../test/helpers/engine-fixtures.js';
import { incidentToJson } from './api-json.js';
import { WatchHub } from './watch-hub.js';

function setup(options: { coalesceMs?: number; replayCapacity?: number; boot?: number } = {}) {
  let now = T0;
  const timers: Array<() => void> = [];
  const hub = new WatchHub({
    daemonId: 'd1',
    boot: options.boot ?? 3,
    clock: () => now,
    toJson: (incident) => incidentToJson(incident),
    coalesceMs: options.coalesceMs ?? 2_000,
    replayCapacity: options.replayCapacity ?? 100,
    timers: { setTimeout: (fn) => timers.push(fn), clearTimeout: () => undefined },
  });
  const { engine } = testEngine();
  const opened = engine.ingest(burst(10, T0, SECOND)).incidents[0]!;
  return {
    hub,
    opened,
    advance: (ms: number) => (now += ms),
    fireTimers: () => timers.splice(0).forEach((fn) => fn()),
  };
}

function changed(incident: Incident, overrides: Partial<Incident>): Incident {
  return { ...structuredClone(incident), ...overrides };
}

function collect(hub: WatchHub, query: Parameters<WatchHub['subscribe']>[0]): WatchMessage[] {
  const messages: WatchMessage[] = [];
  hub.subscribe(query, (message) => messages.push(message));
  return messages;
}

const ALL = { incident_id: '', severities: [], snapshot: true, resume: null };

describe('WatchHub', () => {
  it('numbers updates within the boot, starting each boot above the last', () => {
    const { hub, opened } = setup({ boot: 3 });
    expect(hub.currentSeq()).toBe(3 * 2 ** 32);
    const messages = collect(hub, ALL);
    hub.offer([{ before: undefined, after: opened }]);
    hub.offer([{ before: opened, after: changed(opened, { status: 'investigating' }) }]);
    const seqs = messages.filter((m) => m.type === 'update').map((m) => (m.type === 'update' ? m.update.seq : 0));
    expect(seqs).toEqual([3 * 2 ** 32 + 1, 3 * 2 ** 32 + 2]);
    expect(messages[1]).toMatchObject({ type: 'update', update: { kind: 'opened', daemon_id: 'd1' } });
    expect(messages[2]).toMatchObject({ type: 'update', update: { kind: 'changed', summary: expect.stringContaining('status') } });
    const next = setup({ boot: 4 }).hub;
    expect(next.currentSeq()).toBeGreaterThan(hub.currentSeq());
  });

  it('holds a change of only more events for the coalescing interval, once for every watcher', () => {
    const { hub, opened, advance, fireTimers } = setup();
    const first = collect(hub, ALL);
    const second = collect(hub, ALL);
    hub.offer([{ before: undefined, after: opened }]);
    advance(100);
    const more = changed(opened, { event_count: 15 });
    hub.offer([{ before: opened, after: more }]);
    hub.offer([{ before: more, after: changed(opened, { event_count: 20 }) }]);
    expect(first.filter((m) => m.type === 'update')).toHaveLength(1);
    fireTimers();
    const updates = first.filter((m) => m.type === 'update');
    expect(updates).toHaveLength(2);
    expect(updates[1]).toMatchObject({ update: { incident: { event_count: 20 }, summary: '+10 events (20)' } });
    expect(second).toEqual(first); // every watcher sees the same sequence
  });

  it('starts a watch with the open incidents as published, then the updates after that point', () => {
    const { hub, opened } = setup();
    hub.offer([{ before: undefined, after: opened }]);
    const messages = collect(hub, ALL);
    expect(messages[0]).toEqual({
      type: 'sync',
      sync: { daemon_id: 'd1', seq: hub.currentSeq(), resumed: false, snapshot: [incidentToJson(opened)], reason: '' },
    });
    const resolved = changed(opened, { status: 'resolved' });
    hub.offer([{ before: opened, after: resolved }]);
    expect(messages[1]).toMatchObject({ type: 'update', update: { kind: 'resolved', seq: hub.currentSeq() } });
    expect(collect(hub, ALL)[0]).toMatchObject({ type: 'sync', sync: { snapshot: [] } }); // no longer open
  });

  it('resumes from a seq in the replay buffer with exactly the updates after it', () => {
    const { hub, opened } = setup();
    hub.offer([{ before: undefined, after: opened }]);
    const at = hub.currentSeq();
    const steps = ['investigating', 'remediating', 'recovering'] as const;
    let before = opened;
    for (const status of steps) {
      const after = changed(opened, { status });
      hub.offer([{ before, after }]);
      before = after;
    }
    const messages = collect(hub, { ...ALL, resume: { daemon_id: 'd1', seq: at } });
    expect(messages[0]).toEqual({ type: 'sync', sync: { daemon_id: 'd1', seq: at, resumed: true, snapshot: null, reason: '' } });
    expect(messages.slice(1).map((m) => (m.type === 'update' ? m.update.incident.status : ''))).toEqual([...steps]);
    expect(collect(hub, { ...ALL, resume: { daemon_id: 'd1', seq: hub.currentSeq() } })).toHaveLength(1); // nothing missed
  });

  it('sends a snapshot and says why when the resume point is gone or belongs to another daemon', () => {
    const { hub, opened } = setup({ replayCapacity: 2 });
    hub.offer([{ before: undefined, after: opened }]);
    const early = hub.currentSeq();
    let before = opened;
    for (let i = 0; i < 3; i++) {
      const after = changed(opened, { severity: i % 2 === 0 ? 'critical' : 'high' });
      hub.offer([{ before, after }]);
      before = after;
    }
    expect(collect(hub, { ...ALL, resume: { daemon_id: 'd1', seq: early } })[0]).toMatchObject({
      type: 'sync',
      sync: { resumed: false, snapshot: [expect.objectContaining({ incident_id: opened.incident_id })], reason: expect.stringContaining('no longer in the replay buffer') },
    });
    expect(collect(hub, { ...ALL, resume: { daemon_id: 'd0', seq: hub.currentSeq() } })[0]).toMatchObject({
      type: 'sync',
      sync: { resumed: false, reason: expect.stringContaining('not this one') },
    });
  });

  it('filters by incident and severity, snapshot and updates alike', () => {
    const { hub, opened } = setup();
    hub.offer([{ before: undefined, after: opened }]);
    const critical = collect(hub, { ...ALL, severities: ['critical'] });
    const other = collect(hub, { ...ALL, incident_id: 'inc_99999' });
    hub.offer([{ before: opened, after: changed(opened, { severity: 'critical' }) }]);
    expect(critical[0]).toMatchObject({ sync: { snapshot: [] } });
    expect(critical[1]).toMatchObject({ update: { incident: { severity: 'critical' } } });
    expect(other).toHaveLength(1);
  });
});
