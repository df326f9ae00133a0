import { describe, expect, it } from 'vitest';
import type { ComponentJson } from '../api/component.js';
import type { StatsJson } from '../api/stats.js';
import { incidentJson } from '../test/fixtures/incident-json.js';
import { INITIAL_INCIDENTS_STATE, reduceIncidents, type IncidentsState } from './incidents-state.js';
import { activeIncidents, deadLetters, healthBar, mergedComponents, mergedStats, metricRows, overviewNumbers, recentActivity, startOfDay } from './overview.js';

const NOW = new Date(2026, 0, 1, 15, 0, 0).getTime(); // local time: "today" is the viewer's day

function component(name: string, overrides: Partial<ComponentJson> = {}): ComponentJson {
  return {
    component: name,
    status: 'healthy',
    reason: '',
    open_incidents: 0,
    worst_severity: null,
    health_percent: 100,
    error_rate: 0,
    requests_per_minute: 60,
    last_seen: new Date(NOW).toISOString(),
    ...overrides,
  };
}

function stats(overrides: Partial<StatsJson> = {}): StatsJson {
  return {
    total_incidents: 2,
    active_incidents: 1,
    resolved_incidents: 1,
    by_severity: { critical: 1, high: 1, medium: 0, low: 0, info: 0 },
    by_type: { error_burst: 2 },
    avg_mttd_seconds: 10,
    avg_mttr_seconds: 600,
    p90_mttd_seconds: 10,
    p90_mttr_seconds: 600,
    auto_resolved: 1,
    manual_resolution: 0,
    recurrence_rate: 0.5,
    dead_letters: 0,
    since: null,
    ...overrides,
  };
}

function stateWith(): IncidentsState {
  let state = reduceIncidents(INITIAL_INCIDENTS_STATE, { type: 'members', addresses: ['a', 'b'] });
  const iso = (hour: number, minute = 0) => new Date(2026, 0, 1, hour, minute).toISOString();
  state = reduceIncidents(state, {
    type: 'loaded',
    member: 0,
    daemon_id: 'da',
    incidents: [
      incidentJson('inc_00001', { severity: 'medium', detected_at: iso(14) }),
      incidentJson('inc_00002', { severity: 'critical', detected_at: iso(14, 30), acknowledged: true }),
      incidentJson('inc_00003', { status: 'resolved', resolved_at: iso(9), mttr: 1200, detected_at: iso(8, 40) }),
      incidentJson('inc_00004', { status: 'closed', resolved_at: iso(11), mttr: 600, detected_at: iso(10, 50) }),
      incidentJson('inc_00005', { status: 'resolved', resolved_at: new Date(2025, 11, 31, 23, 0).toISOString(), mttr: 99999 }),
    ],
  });
  state = reduceIncidents(state, { type: 'components', member: 0, components: { window_seconds: 300, components: [component('api', { status: 'degraded', health_percent: 50, error_rate: 0.5 }), component('db')] } });
  state = reduceIncidents(state, { type: 'components', member: 1, components: { window_seconds: 300, components: [component('cache', { status: 'down', health_percent: 0 })] } });
  return state;
}

describe('overview', () => {
  it('counts active, resolved today (since local midnight) and their average MTTR, and system health', () => {
    expect(overviewNumbers(stateWith(), NOW)).toEqual({
      system_health: 50,
      active_incidents: 2,
      resolved_today: 2,
      avg_mttr_seconds: 900,
      unacknowledged: 1,
    });
    expect(startOfDay(NOW)).toBe(new Date(2026, 0, 1).getTime());
  });

  it('lists active incidents most severe first', () => {
    expect(activeIncidents(stateWith()).map((e) => e.incident.incident_id)).toEqual(['inc_00002', 'inc_00001']);
  });

  it('lists recent activity across incidents, newest first, from their histories and actions', () => {
    let state = stateWith();
    state = reduceIncidents(state, {
      type: 'loaded',
      member: 0,
      daemon_id: 'da',
      incidents: [
        incidentJson('inc_00002', {
          severity: 'critical',
          updated_at: '2026-06-01T00:00:00.000Z',
          actions: [{ action_id: 'restart_service', status: 'succeeded', result: 'exit 0', approved_by: 'alice', at: new Date(NOW - 1000).toISOString() }],
        }),
      ],
    });
    const activity = recentActivity(state, 3);
    expect(activity[0]).toMatchObject({ incident_id: 'inc_00002', severity: 'critical', text: 'restart_service succeeded (approved by alice)' });
    expect(activity).toHaveLength(3);
    // only the incidents a filter keeps (the dashboard's `?severity=…` narrows the panel, not its length)
    const narrowed = recentActivity(state, 3, (entry) => entry.incident.incident_id === 'inc_00001');
    expect(narrowed.map((item) => item.incident_id)).toEqual(['inc_00001', 'inc_00001']);
    expect(activeIncidents(state, (entry) => entry.incident.severity === 'critical').map((e) => e.incident.incident_id)).toEqual(['inc_00002']);
  });

  it('merges components over daemons, worst first, and draws a health bar', () => {
    expect(mergedComponents(stateWith()).map((c) => `${c.component}:${c.status}`)).toEqual(['cache:down', 'api:degraded', 'db:healthy']);
    expect(healthBar(75, 8)).toBe('██████░░');
    expect(healthBar(75, 8, true)).toBe('######..');
    expect(healthBar(null, 4, true)).toBe('....');
  });

  it('sums statistics over daemons and lays out the seed’s metrics table', () => {
    let state = stateWith();
    state = reduceIncidents(state, { type: 'stats', member: 0, stats: stats() });
    state = reduceIncidents(state, { type: 'stats', member: 1, stats: stats({ total_incidents: 2, resolved_incidents: 1, avg_mttr_seconds: 1800, p90_mttr_seconds: 1800 }) });
    const merged = mergedStats(state)!;
    expect(merged.total_incidents).toBe(4);
    expect(merged.avg_mttr_seconds).toBe(1200);
    expect(merged.p90_mttr_seconds).toBe(1800);
    expect(metricRows(merged).map((row) => `${row.label}=${row.value}`)).toEqual([
      'Total Incidents=4',
      'By Severity:=',
      'CRITICAL=2',
      'HIGH=2',
      'MEDIUM=0',
      'LOW=0',
      'MTTD (avg)=10s',
      'MTTR (avg)=20m',
      'Auto-Resolved=2',
      'Manual Resolution=0',
    ]);
  });

  it('counts dead letters over daemons: null before any stats, a daemon without the figure counts none', () => {
    let state = stateWith();
    expect(deadLetters(state)).toBeNull();
    state = reduceIncidents(state, { type: 'stats', member: 0, stats: stats({ dead_letters: 2 }) });
    const older = stats();
    delete (older as Partial<StatsJson>).dead_letters;
    state = reduceIncidents(state, { type: 'stats', member: 1, stats: older });
    expect(deadLetters(state)).toBe(2);
  });
});
