import { describe, expect, it } from 'vitest';
import { incidentJson } from '../test/fixtures/incident-json.js';
import type { IncidentActionJson } from '../api/incident.js';
import { countPendingApprovals, pendingApprovals } from './approvals.js';

const step = (action_id: string, status: string, at: string): IncidentActionJson => ({ action_id, status, result: '', approved_by: null, at });

describe('pendingApprovals', () => {
  it('counts an action whose latest step is an approval request, and stops when a later step follows', () => {
    const incident = incidentJson('inc_1', {
      actions: [
        step('restart_service', 'approval_requested', '2026-01-01T10:00:00Z'),
        step('scale_up', 'approval_requested', '2026-01-01T10:00:01Z'),
        step('restart_service', 'succeeded', '2026-01-01T10:01:00Z'),
        step('clear_cache', 'succeeded', '2026-01-01T10:01:00Z'),
      ],
    });
    expect(pendingApprovals(incident).map((action) => action.action_id)).toEqual(['scale_up']);
    expect(countPendingApprovals([incident, incident])).toBe(2);
  });

  it('counts nothing on an ended incident', () => {
    const incident = incidentJson('inc_1', { status: 'resolved', actions: [step('scale_up', 'approval_requested', '2026-01-01T10:00:01Z')] });
    expect(pendingApprovals(incident)).toEqual([]);
  });
});
