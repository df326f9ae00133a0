import { describe, expect, it } from 'vitest';
import type { ControlClient, IncidentQuery } from '../api/client.js';
import type { ComponentsJson } from '../api/component.js';
import type { FleetChange } from '../api/session.js';
import type { StatsJson } from '../api/stats.js';
import { incidentJson } from '../test/fixtures/incident-json.js';
import { manualTimers } from '../test/helpers/manual-timers.js';
import { FLUSH_INTERVAL_MS, REFRESH_DEBOUNCE_MS, REFRESH_INTERVAL_MS, createLiveStore } from './live-store.js';

const STATS: StatsJson = {
  total_incidents: 1,
  active_incidents: 1,
  resolved_incidents: 0,
  by_severity: { critical: 0, high: 1, medium: 0, low: 0, info: 0 },
  by_type: { error_burst: 1 },
  avg_mttd_seconds: 10,
  avg_mttr_seconds: null,
  p90_mttd_seconds: 10,
  p90_mttr_seconds: null,
  auto_resolved: 0,
  manual_resolution: 0,
  recurrence_rate: 0,
  since: null,
};
const COMPONENTS: ComponentsJson = { window_seconds: 300, components: [] };

/** The three read calls the store makes, answering at once and counting. */
function readingClient() {
  const calls = { list: [] as IncidentQuery[], components: 0, stats: 0 };
  const client = {
    address: 'unix:/test.sock',
    listIncidents: async (query: IncidentQuery) => {
      calls.list.push(query);
      return { incidents: [incidentJson('inc_0', { status: 'resolved', resolved_at: '2026-01-01T10:10:00Z' })], total_matched: 1 };
    },
    components: async () => {
      calls.components++;
      return COMPONENTS;
    },
    stats: async () => {
      calls.stats++;
      return STATS;
    },
  } as unknown as ControlClient;
  return { client, calls };
}

function setup() {
  const timers = manualTimers(Date.parse('2026-01-01T12:00:00Z'));
  const { client, calls } = readingClient();
  let push: (change: FleetChange) => void = () => undefined;
  const store = createLiveStore([client], {
    timers,
    now: timers.now,
    createFleet: (_clients, onChange) => {
      push = onChange;
      return { start: () => undefined, close: async () => undefined };
    },
  });
  let flushes = 0;
  store.subscribe(() => flushes++);
  store.start();
  const update = (id: string, seq: number): FleetChange => ({
    member: 0,
    change: { type: 'update', update: { daemon_id: 'd1', seq, kind: 'changed', at: null, incident: incidentJson(id), summary: '' } },
  });
  return { timers, calls, store, push: (change: FleetChange) => push(change), update, flushes: () => flushes };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('live store', () => {
  it('reduces a burst of updates in one flush, and the next burst no sooner than the interval', () => {
    const { timers, store, push, update, flushes } = setup();
    for (let seq = 1; seq <= 50; seq++) push(update(`inc_${seq % 5}`, seq));
    expect(flushes()).toBe(0);
    timers.advance(0);
    expect(flushes()).toBe(1);
    expect(store.getState().entries.size).toBe(5);
    push(update('inc_9', 51));
    timers.advance(FLUSH_INTERVAL_MS - 1);
    expect(flushes()).toBe(1);
    timers.advance(1);
    expect(flushes()).toBe(2);
    expect(store.getState().entries.size).toBe(6);
  });

  it('does nothing while nothing arrives: no flush, no timer but the slow refresh', () => {
    const { timers, flushes } = setup();
    expect(timers.pending()).toBe(1);
    timers.advance(REFRESH_INTERVAL_MS - 1);
    expect(flushes()).toBe(0);
  });

  it('loads what a member resolved lately, its components and stats, when it connects; refreshes after changes', async () => {
    const { timers, calls, store, push, update } = setup();
    push({ member: 0, change: { type: 'connected', address: 'unix:/test.sock', daemon_id: 'd1', resumed: false } });
    timers.advance(0);
    await settle();
    expect(calls.list).toEqual([{ status: ['resolved', 'closed'], since: expect.any(String), limit: 500 }]);
    expect(store.getState().entries.has('d1/inc_0')).toBe(true);
    expect(store.getState().stats[0]).toEqual(STATS);
    expect(calls.components).toBe(1);
    push(update('inc_1', 1));
    timers.advance(FLUSH_INTERVAL_MS);
    timers.advance(REFRESH_DEBOUNCE_MS);
    await settle();
    expect(calls.components).toBe(2);
  });

  it('dispatches nothing when a refresh brings the same figures', async () => {
    const { timers, push, flushes } = setup();
    push({ member: 0, change: { type: 'connected', address: 'unix:/test.sock', daemon_id: 'd1', resumed: false } });
    timers.advance(0);
    await settle();
    const before = flushes();
    timers.advance(REFRESH_INTERVAL_MS);
    await settle();
    expect(flushes()).toBe(before);
  });

  it('stops every timer on close', async () => {
    const { timers, store, push, update } = setup();
    push(update('inc_1', 1));
    await store.close();
    expect(timers.pending()).toBe(0);
  });
});
