// Shared builders for respond/'s tests (imported only by *.test.ts).

import type { Incident } from '../../engine/types.js';

/** 2025-02-05 10:30:00 UTC: the seed's example time. */
export const T0 = Date.UTC(2025, 1, 5, 10, 30, 0);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

export interface TestClock {
  now: number;
  (): number;
  advance(ms: number): void;
}

export function testClock(start = T0): TestClock {
  const clock = (() => clock.now) as TestClock;
  clock.now = start;
  clock.advance = (ms) => {
    clock.now += ms;
  };
  return clock;
}

export function testIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    incident_id: 'inc_00001',
    incident_type: 'error_burst',
    severity: 'high',
    status: 'containing',
    title: 'Error Burst: checkout',
    description: 'Detect sudden bursts of errors',
    rule_id: 'error_burst',
    group_key: 'checkout',
    detected_at: T0,
    first_event_at: T0 - MINUTE,
    last_event_at: T0,
    acknowledged_at: null,
    resolved_at: null,
    closed_at: null,
    affected_components: ['checkout', 'payments'],
    event_count: 12,
    assigned_to: null,
    mttd: 60,
    mttr: null,
    root_cause: {
      primary_error_type: 'api_error',
      primary_source: 'checkout',
      error_distribution: { api_error: 12 },
      source_distribution: { checkout: 10, payments: 2 },
    },
    users_affected: 0,
    similar_incidents: [],
    trace_ids: [],
    notes: [],
    actions: [],
    updated_at: T0,
    status_history: [],
    acknowledged_by: null,
    auto_resolved: false,
    resolution: '',
    peak_error_rate: null,
    ...overrides,
  };
}
