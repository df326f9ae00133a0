// The session's resume logic against a scripted daemon: what a front end sees when the stream drops and comes back,
// resumed or resynced. (The real transport across a kill -9 is test/e2e/watch-resume.test.ts.)

import { describe, expect, it } from 'vitest';
import type { ControlClient, WatchHandle } from '../api/client.js';
import { ControlError } from '../api/errors.js';
import type { IncidentJson } from '../api/incident.js';
import { incidentJson } from '../test/fixtures/incident-json.js';
import type { IncidentUpdate, WatchMessage, WatchRequest } from '../api/update.js';
import { createSession, type SessionChange } from './session.js';

/** The shared fixture, last changed at the start of the test's day (updates below move it on). */
const incident = (id: string, overrides: Partial<IncidentJson> = {}): IncidentJson =>
  incidentJson(id, { updated_at: '2026-01-01T00:00:01.000Z', ...overrides });

/** A daemon the test drives by hand: each watch() call is one stream the test feeds and ends. */
class ScriptedDaemon {
  readonly streams: Array<{ request: WatchRequest; send: (m: WatchMessage) => void; fail: (e: Error) => void; cancelled: boolean }> = [];
  readonly stored = new Map<string, IncidentJson>();
  readonly client: ControlClient;

  constructor() {
    const notCalled = () => Promise.reject(new Error('not used by the session'));
    this.client = {
      address: 'unix:/test.sock',
      status: notCalled,
      listIncidents: notCalled,
      getIncident: async (id) => {
        const found = this.stored.get(id);
        if (!found) throw new ControlError(`incident ${id} not found`, 'not_found');
        return found;
      },
      createIncident: notCalled,
      updateIncident: notCalled,
      resolveIncident: notCalled,
      closeIncident: notCalled,
      listActions: notCalled,
      mitigate: notCalled,
      timeline: notCalled,
      postmortem: notCalled,
      getTrace: notCalled,
      listRules: notCalled,
      getRule: notCalled,
      setRulesEnabled: notCalled,
      updateRule: notCalled,
      createRule: notCalled,
      resetRules: notCalled,
      testRule: notCalled,
      stats: notCalled,
      components: notCalled,
      watch: (request, onMessage): WatchHandle => {
        let settle!: { resolve: () => void; reject: (e: Error) => void };
        const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
        const stream = {
          request,
          send: onMessage,
          fail: (error: Error) => settle.reject(error),
          cancelled: false,
        };
        this.streams.push(stream);
        return {
          cancel: () => {
            stream.cancelled = true;
            settle.resolve();
          },
          done,
        };
      },
      close: () => undefined,
    };
  }

  get current() {
    return this.streams[this.streams.length - 1]!;
  }
}

function update(daemonId: string, seq: number, incidentJson: IncidentJson, kind: IncidentUpdate['kind'] = 'changed'): WatchMessage {
  return { type: 'update', update: { daemon_id: daemonId, seq, kind, at: incidentJson.updated_at, incident: incidentJson, summary: 's' } };
}

/** Timers the test fires by hand. */
function manualTimers() {
  const queue: Array<() => void> = [];
  return {
    timers: { setTimeout: (fn: () => void) => queue.push(fn), clearTimeout: () => undefined },
    fire: () => queue.splice(0).forEach((fn) => fn()),
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('session', () => {
  it('starts from a snapshot, applies updates in order and drops ones already seen', async () => {
    const daemon = new ScriptedDaemon();
    const changes: SessionChange[] = [];
    const session = createSession(daemon.client, { onChange: (c) => changes.push(c) });
    session.start();
    expect(daemon.current.request).toMatchObject({ snapshot: true });
    expect(daemon.current.request.resume).toBeUndefined();

    daemon.current.send({ type: 'sync', sync: { daemon_id: 'd1', seq: 5, resumed: false, snapshot: [incident('inc_00001')], reason: '' } });
    await flush();
    const resynced = changes.find((c) => c.type === 'resynced');
    expect(resynced).toMatchObject({ type: 'resynced', initial: true, daemon_id: 'd1' });

    daemon.current.send(update('d1', 6, incident('inc_00001', { event_count: 12, updated_at: '2026-01-01T00:00:02.000Z' })));
    daemon.current.send(update('d1', 6, incident('inc_00001', { event_count: 12, updated_at: '2026-01-01T00:00:02.000Z' })));
    daemon.current.send(update('d1', 4, incident('inc_00001')));
    expect(changes.filter((c) => c.type === 'update')).toHaveLength(1);
    expect(session.seq).toBe(6);
  });

  it('resumes after a drop from the last seq it saw, and reports reconnecting meanwhile', async () => {
    const daemon = new ScriptedDaemon();
    const { timers, fire } = manualTimers();
    const changes: SessionChange[] = [];
    const session = createSession(daemon.client, { onChange: (c) => changes.push(c), timers, random: () => 0.5 });
    session.start();
    daemon.current.send({ type: 'sync', sync: { daemon_id: 'd1', seq: 1, resumed: false, snapshot: [], reason: '' } });
    daemon.current.send(update('d1', 2, incident('inc_00001'), 'opened'));
    daemon.current.fail(new ControlError('no firewatch daemon is answering', 'unavailable'));
    await flush();
    expect(changes.at(-1)).toMatchObject({ type: 'reconnecting', attempt: 1, delay_ms: 250, daemon_id: 'd1' });

    fire();
    expect(daemon.streams).toHaveLength(2);
    expect(daemon.current.request.resume).toEqual({ daemon_id: 'd1', seq: 2 });
    daemon.current.send({ type: 'sync', sync: { daemon_id: 'd1', seq: 2, resumed: true, snapshot: null, reason: '' } });
    daemon.current.send(update('d1', 3, incident('inc_00001', { status: 'remediating', updated_at: '2026-01-01T00:00:05.000Z' })));
    expect(changes.filter((c) => c.type === 'connected').at(-1)).toMatchObject({ resumed: true });
    expect(changes.filter((c) => c.type === 'update').map((c) => (c as { update: IncidentUpdate }).update.seq)).toEqual([2, 3]);
  });

  it('backs off exponentially up to the cap while the daemon stays away', async () => {
    const daemon = new ScriptedDaemon();
    const { timers, fire } = manualTimers();
    const delays: number[] = [];
    const session = createSession(daemon.client, {
      onChange: (c) => c.type === 'reconnecting' && delays.push(c.delay_ms),
      timers,
      random: () => 0.5,
      initialDelayMs: 100,
      maxDelayMs: 1_000,
    });
    session.start();
    for (let i = 0; i < 6; i++) {
      daemon.current.fail(new ControlError('down', 'unavailable'));
      await flush();
      fire();
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('resyncs without repeating what it saw: only incidents that changed while away become updates', async () => {
    const daemon = new ScriptedDaemon();
    const { timers, fire } = manualTimers();
    const changes: SessionChange[] = [];
    const session = createSession(daemon.client, { onChange: (c) => changes.push(c), timers });
    session.start();
    const steady = incident('inc_00001');
    const moving = incident('inc_00002');
    const ending = incident('inc_00003');
    daemon.current.send({ type: 'sync', sync: { daemon_id: 'd1', seq: 10, resumed: false, snapshot: [steady, moving, ending], reason: '' } });
    await flush();
    daemon.current.fail(new ControlError('down', 'unavailable'));
    await flush();
    fire();

    // Back, but our seq fell out of the daemon's replay buffer: it sends a snapshot instead.
    const moved = incident('inc_00002', { event_count: 30, updated_at: '2026-01-01T00:01:00.000Z' });
    const ended = incident('inc_00003', { status: 'resolved', resolved_at: '2026-01-01T00:02:00.000Z', updated_at: '2026-01-01T00:02:00.000Z' });
    const fresh = incident('inc_00004');
    daemon.stored.set('inc_00003', ended);
    changes.length = 0;
    daemon.current.send({
      type: 'sync',
      sync: { daemon_id: 'd1', seq: 40, resumed: false, snapshot: [steady, moved, fresh], reason: 'seq 10 is older than the replay buffer' },
    });
    // An update in flight while the session fetches inc_00003 waits its turn.
    daemon.current.send(update('d1', 41, incident('inc_00004', { event_count: 11, updated_at: '2026-01-01T00:03:00.000Z' })));
    await flush();
    await flush();

    const resynced = changes.find((c) => c.type === 'resynced') as Extract<SessionChange, { type: 'resynced' }>;
    expect(resynced.initial).toBe(false);
    expect(resynced.reason).toContain('replay buffer');
    expect(resynced.changes.map((u) => [u.incident.incident_id, u.kind]).sort()).toEqual([
      ['inc_00002', 'changed'],
      ['inc_00003', 'resolved'],
      ['inc_00004', 'opened'],
    ]);
    const after = changes.slice(changes.indexOf(resynced) + 1);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ type: 'update', update: { seq: 41 } });
    expect(session.incidents().map((i) => i.incident_id)).toEqual(['inc_00004', 'inc_00003', 'inc_00002', 'inc_00001']);
  });

  it('forgets what it knew of another daemon (a new store) and starts over from its snapshot', async () => {
    const daemon = new ScriptedDaemon();
    const { timers, fire } = manualTimers();
    const changes: SessionChange[] = [];
    const session = createSession(daemon.client, { onChange: (c) => changes.push(c), timers });
    session.start();
    daemon.current.send({ type: 'sync', sync: { daemon_id: 'd1', seq: 99, resumed: false, snapshot: [incident('inc_00001')], reason: '' } });
    await flush();
    daemon.current.fail(new ControlError('down', 'unavailable'));
    await flush();
    fire();
    daemon.current.send({ type: 'sync', sync: { daemon_id: 'd2', seq: 3, resumed: false, snapshot: [incident('inc_00001')], reason: 'another daemon' } });
    await flush();
    daemon.current.send(update('d2', 4, incident('inc_00001', { event_count: 11, updated_at: '2026-01-01T00:09:00.000Z' })));
    expect(session.daemonId).toBe('d2');
    expect(session.seq).toBe(4); // numbered from the new daemon's start, not compared with d1's 99
    const resynced = changes.filter((c) => c.type === 'resynced').at(-1) as Extract<SessionChange, { type: 'resynced' }>;
    expect(resynced.changes.map((u) => u.kind)).toEqual(['opened']);
  });

  it('close() cancels the stream and stops reconnecting', async () => {
    const daemon = new ScriptedDaemon();
    const { timers, fire } = manualTimers();
    const session = createSession(daemon.client, { onChange: () => undefined, timers });
    session.start();
    await session.close();
    expect(daemon.current.cancelled).toBe(true);
    fire();
    expect(daemon.streams).toHaveLength(1);
  });
});
