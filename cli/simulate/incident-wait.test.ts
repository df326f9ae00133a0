// Recognising the incidents a run caused, and the polling loop with an injected clock.

import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../control/messages.js';
import { causationOf, causedIncidents, type IncidentExpectation, openIncidentsCovering, uncoveredSources, waitForIncidents } from './incident-wait.js';

const START = Date.parse('2026-03-01T12:00:00Z');

function incident(overrides: JsonObject): JsonObject {
  return {
    incident_id: 'inc_00001',
    incident_type: 'error_burst',
    status: 'investigating',
    affected_components: ['api', 'worker'],
    event_count: 24,
    detected_at: new Date(START + 500).toISOString(),
    trace_ids: [],
    ...overrides,
  };
}

function expectation(overrides: Partial<IncidentExpectation> = {}): IncidentExpectation {
  return {
    incidentTypes: ['error_burst'],
    sources: ['api', 'worker'],
    traceIds: new Set(['t-ours']),
    startedAtMs: START,
    openBefore: new Map(),
    ...overrides,
  };
}

describe('causationOf', () => {
  it('counts an incident detected after the send began, or holding one of the run\'s traces, as new', () => {
    expect(causationOf(incident({}), expectation())).toBe('new');
    expect(causationOf(incident({ detected_at: new Date(START - 60_000).toISOString(), trace_ids: ['t-ours'] }), expectation())).toBe('new');
  });

  it('ignores incidents of other types, other components, or from before without the run\'s traces', () => {
    expect(causationOf(incident({ incident_type: 'service_down' }), expectation())).toBeNull();
    expect(causationOf(incident({ affected_components: ['billing'] }), expectation())).toBeNull();
    expect(causationOf(incident({ detected_at: new Date(START - 1).toISOString() }), expectation())).toBeNull();
    expect(causationOf(incident({ detected_at: null }), expectation())).toBeNull();
  });

  it('matches any type when none is expected (the demo)', () => {
    expect(causationOf(incident({ incident_type: 'memory_exhaustion' }), expectation({ incidentTypes: [] }))).toBe('new');
  });

  it('counts an incident open before as joined only when it grew or holds the run\'s traces', () => {
    const openBefore = new Map([['inc_00001', 24]]);
    const old = { detected_at: new Date(START - 60_000).toISOString() };
    expect(causationOf(incident({ ...old, event_count: 24 }), expectation({ openBefore }))).toBeNull();
    expect(causationOf(incident({ ...old, event_count: 30 }), expectation({ openBefore }))).toBe('joined');
    expect(causationOf(incident({ ...old, trace_ids: ['t-ours'] }), expectation({ openBefore }))).toBe('joined');
  });
});

describe('openIncidentsCovering', () => {
  it('keeps open incidents of the types that cover a source, with their event counts', () => {
    const found = openIncidentsCovering(
      [
        incident({ incident_id: 'inc_00001' }),
        incident({ incident_id: 'inc_00002', status: 'resolved' }),
        incident({ incident_id: 'inc_00003', incident_type: 'quality_drop' }),
        incident({ incident_id: 'inc_00004', affected_components: ['worker'], event_count: 3 }),
        incident({ incident_id: 'inc_00005', affected_components: ['billing'] }),
      ],
      { incidentTypes: ['error_burst'], sources: ['api', 'worker'] },
    );
    expect([...found]).toEqual([
      ['inc_00001', 24],
      ['inc_00004', 3],
    ]);
  });
});

describe('causedIncidents and uncoveredSources', () => {
  it('orders oldest first and tells which sources no caused incident covers', () => {
    const caused = causedIncidents(
      [incident({ incident_id: 'inc_00002', affected_components: ['worker'] }), incident({ incident_id: 'inc_00001', affected_components: ['api'] })],
      expectation({ sources: ['api', 'worker', 'db'] }),
    );
    expect(caused.map((c) => c.incident.incident_id)).toEqual(['inc_00001', 'inc_00002']);
    expect(uncoveredSources(caused, ['api', 'worker', 'db'])).toEqual(['db']);
  });
});

describe('waitForIncidents', () => {
  function fakeClock() {
    let now = 0;
    return { now: () => now, sleep: async (ms: number) => void (now += ms) };
  }

  it('returns as soon as every source is covered', async () => {
    const clock = fakeClock();
    const answers = [[], [incident({ affected_components: ['api'] })], [incident({})]];
    let polls = 0;
    const found = await waitForIncidents(async () => answers[Math.min(polls++, answers.length - 1)]!, expectation(), {
      timeoutMs: 10_000,
      ...clock,
    });
    expect(polls).toBe(3);
    expect(found.map((c) => c.incident.affected_components)).toEqual([['api', 'worker']]);
  });

  it('gives back what it found by the deadline, possibly nothing, and reports the time left', async () => {
    const clock = fakeClock();
    const remaining: number[] = [];
    const none = await waitForIncidents(async () => [], expectation(), { timeoutMs: 1000, intervalMs: 400, ...clock, onPoll: (ms) => remaining.push(ms) });
    expect(none).toEqual([]);
    expect(remaining).toEqual([1000, 600, 200, 0]);

    const partial = await waitForIncidents(async () => [incident({ affected_components: ['api'] })], expectation(), { timeoutMs: 1000, ...fakeClock() });
    expect(partial).toHaveLength(1);
  });

  it('stops when a custom completion test is met', async () => {
    let polls = 0;
    const found = await waitForIncidents(
      async () => {
        polls++;
        return [incident({ affected_components: ['api'] })];
      },
      expectation(),
      { timeoutMs: 10_000, ...fakeClock(), isComplete: (caused) => caused.length === 1 },
    );
    expect(polls).toBe(1);
    expect(found).toHaveLength(1);
  });
});
