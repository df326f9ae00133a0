import { describe, expect, it } from 'vitest';
import { incidentJson } from '../test/fixtures/incident-json.js';
import { EMPTY_FILTER } from './filters.js';
import { incidentList } from './incident-list.js';
import { INITIAL_INCIDENTS_STATE, reduceIncidents } from './incidents-state.js';

describe('incidentList', () => {
  it('lists open before ended, most severe first, newest first, and only what passes the filter', () => {
    const state = reduceIncidents(INITIAL_INCIDENTS_STATE, {
      type: 'loaded',
      member: 0,
      daemon_id: 'd',
      incidents: [
        incidentJson('inc_1', { severity: 'high', detected_at: '2026-01-01T10:00:00Z' }),
        incidentJson('inc_2', { severity: 'critical', status: 'resolved', detected_at: '2026-01-01T11:00:00Z' }),
        incidentJson('inc_3', { severity: 'high', detected_at: '2026-01-01T10:30:00Z' }),
        incidentJson('inc_4', { severity: 'critical', detected_at: '2026-01-01T09:00:00Z' }),
      ],
    });
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(incidentList(state, EMPTY_FILTER, now).map((entry) => entry.incident.incident_id)).toEqual(['inc_4', 'inc_3', 'inc_1', 'inc_2']);
    expect(incidentList(state, { ...EMPTY_FILTER, status: ['active'] }, now).map((entry) => entry.incident.incident_id)).toEqual(['inc_4', 'inc_3', 'inc_1']);
  });
});
