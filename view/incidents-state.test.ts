import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ComponentsJson } from '../api/component.js';
import type { IncidentJson } from '../api/incident.js';
import type { StatsJson } from '../api/stats.js';
import type { FleetChange } from '../api/session.js';
import { incidentJson } from '../test/fixtures/incident-json.js';
import {
  INITIAL_INCIDENTS_STATE,
  MAX_ENDED_INCIDENTS,
  displayId,
  entryKey,
  reduceIncidents,
  type IncidentsState,
} from './incidents-state.js';

function update(member: number, daemonId: string, seq: number, incident: IncidentJson): FleetChange {
  return { member, change: { type: 'update', update: { daemon_id: daemonId, seq, kind: 'changed', at: incident.updated_at, incident, summary: '' } } };
}

function twoDaemons(): IncidentsState {
  return reduceIncidents(INITIAL_INCIDENTS_STATE, { type: 'members', addresses: ['a:7070', 'b:7070'] });
}

describe('reduceIncidents', () => {
  it('keys incidents by daemon and id, so two daemons’ inc_00001 are two incidents', () => {
    let state = twoDaemons();
    state = reduceIncidents(state, {
      type: 'changes',
      changes: [update(0, 'da', 1, incidentJson('inc_00001')), update(1, 'db', 1, incidentJson('inc_00001', { severity: 'critical' }))],
    });
    expect([...state.entries.keys()]).toEqual(['da/inc_00001', 'db/inc_00001']);
    const second = state.entries.get(entryKey('db', 'inc_00001'))!;
    expect(second.incident.severity).toBe('critical');
    expect(displayId(state, second)).toBe('d2/inc_00001');
  });

  it('tracks each daemon’s connection', () => {
    let state = twoDaemons();
    state = reduceIncidents(state, {
      type: 'changes',
      changes: [
        { member: 0, change: { type: 'connected', address: 'a:7070', daemon_id: 'da', resumed: false } },
        { member: 1, change: { type: 'reconnecting', address: 'b:7070', daemon_id: null, attempt: 3, delay_ms: 1000, error: 'no daemon answers' } },
      ],
    });
    expect(state.connections.map((c) => [c.state, c.error])).toEqual([
      ['connected', ''],
      ['reconnecting', 'no daemon answers'],
    ]);
  });

  it('on resync keeps ended incidents read by list calls and drops open ones the daemon no longer has', () => {
    let state = twoDaemons();
    state = reduceIncidents(state, { type: 'changes', changes: [update(0, 'da', 1, incidentJson('inc_00001')), update(0, 'da', 2, incidentJson('inc_00002'))] });
    state = reduceIncidents(state, { type: 'loaded', member: 0, daemon_id: 'da', incidents: [incidentJson('inc_00000', { status: 'resolved' })] });
    state = reduceIncidents(state, {
      type: 'changes',
      changes: [{ member: 0, change: { type: 'resynced', address: 'a', daemon_id: 'da', seq: 7, initial: false, reason: '', changes: [], incidents: [incidentJson('inc_00002')] } }],
    });
    expect([...state.entries.keys()].sort()).toEqual(['da/inc_00000', 'da/inc_00002']);
  });

  it('keeps a loaded incident only when it is newer than what it has', () => {
    let state = twoDaemons();
    const fresh = incidentJson('inc_00001', { updated_at: '2026-01-01T10:05:00.000Z', event_count: 50 });
    state = reduceIncidents(state, { type: 'changes', changes: [update(0, 'da', 9, fresh)] });
    const stale = reduceIncidents(state, { type: 'loaded', member: 0, daemon_id: 'da', incidents: [incidentJson('inc_00001')] });
    expect(stale).toBe(state); // nothing changed: same object, same version, no re-render
  });

  it('stays bounded: every open incident kept, ended ones capped (property over random streams)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.integer({ min: 1, max: MAX_ENDED_INCIDENTS + 400 }), ended: fc.boolean(), member: fc.integer({ min: 0, max: 1 }) }), {
          minLength: 1,
          maxLength: 300,
        }),
        (steps) => {
          let state = twoDaemons();
          const open = new Set<string>();
          let seq = 0;
          // Many ended incidents first, so the cap is reached.
          state = reduceIncidents(state, {
            type: 'loaded',
            member: 0,
            daemon_id: 'd0',
            incidents: Array.from({ length: MAX_ENDED_INCIDENTS + 10 }, (_, i) =>
              incidentJson(`inc_9${String(i).padStart(5, '0')}`, { status: 'closed', updated_at: new Date(1_000 + i).toISOString() }),
            ),
          });
          for (const step of steps) {
            const id = `inc_${String(step.id).padStart(5, '0')}`;
            const daemon = `d${step.member}`;
            const incident = incidentJson(id, { status: step.ended ? 'resolved' : 'investigating', updated_at: new Date(1e12 + ++seq).toISOString() });
            state = reduceIncidents(state, { type: 'changes', changes: [update(step.member, daemon, seq, incident)] });
            if (step.ended) open.delete(entryKey(daemon, id));
            else open.add(entryKey(daemon, id));
          }
          for (const key of open) expect(state.entries.get(key)?.incident.status).toBe('investigating');
          const ended = [...state.entries.values()].filter((e) => e.incident.status === 'resolved' || e.incident.status === 'closed');
          expect(ended.length).toBeLessThanOrEqual(MAX_ENDED_INCIDENTS);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('keeps components and stats read before the list of daemons arrived, and those of daemons whose address stays', () => {
    const health = (component: string) => ({ window_seconds: 300, components: [{ component } as ComponentsJson['components'][number]] });
    const stats = { total: 7 } as unknown as StatsJson;
    const shown = (state: IncidentsState) => state.components.map((list) => list?.components[0]?.component ?? null);
    // a screen's first reads can answer before the live stream names the daemons
    let state = reduceIncidents(INITIAL_INCIDENTS_STATE, { type: 'components', member: 0, components: health('payments') });
    state = reduceIncidents(state, { type: 'stats', member: 0, stats });
    state = reduceIncidents(state, { type: 'members', addresses: ['a:7070'] });
    expect(shown(state)).toEqual(['payments']);
    expect(state.stats).toEqual([stats]);
    state = reduceIncidents(state, { type: 'components', member: 0, components: health('api') });
    // a second daemon joins: the first keeps what was read from it
    state = reduceIncidents(state, { type: 'members', addresses: ['a:7070', 'b:7070'] });
    expect(shown(state)).toEqual(['api', null]);
    state = reduceIncidents(state, { type: 'components', member: 1, components: health('search') });
    // a daemon that changed address is another daemon: what was read from the old one goes; the other's stays
    state = reduceIncidents(state, { type: 'members', addresses: ['c:7070', 'b:7070'] });
    expect(shown(state)).toEqual([null, 'search']);
    expect(state.stats).toEqual([null, null]);
  });
});
