import { describe, expect, it } from 'vitest';

import { formatIncidentId } from './incidents.js';
import { RecurrenceIndex, fingerprintOf, pastIncidentOf, resolutionOf } from './recurrence.js';
import type { PastIncident } from './recurrence.js';
import { MINUTE, SECOND, T0, burst, testEngine } from '../test/helpers/engine-fixtures.js';
import type { Engine } from './engine.js';
import type { Incident } from './types.js';

function past(seq: number, overrides: Partial<PastIncident> = {}): PastIncident {
  return {
    incident_id: formatIncidentId(seq),
    incident_type: 'error_burst',
    status: 'resolved',
    resolved_at: T0 + seq * MINUTE,
    closed_at: null,
    notes: [],
    root_cause: { primary_source: 'checkout', primary_error_type: 'api_error' },
    ...overrides,
  };
}

/** Opens an error burst on `source` (distinct traces per call) and resolves it with `notes`. */
function burstAndResolve(engine: Engine, source: string, firstTrace: number, notes: string[], resolvedAt: number): Incident {
  const [incident] = engine.ingest(burst(10, T0, SECOND, { source }, firstTrace)).incidents;
  engine.updateIncident({ ...incident!, status: 'resolved', resolved_at: resolvedAt, notes });
  return incident!;
}

describe('resolutionOf', () => {
  it.each([
    [past(1, { status: 'detected', resolved_at: null }), 'unresolved'],
    [past(1, { status: 'investigating', resolved_at: null }), 'unresolved'],
    [past(1), 'resolved 2025-02-05T10:31:00.000Z'],
    [past(1, { notes: ['Fixed by restarting database service', 'later note'] }), 'resolved 2025-02-05T10:31:00.000Z: Fixed by restarting database service'],
    [past(1, { notes: ['severity high → critical: 63% of checkout requests failed (threshold 50%)', 'rolled back'] }), 'resolved 2025-02-05T10:31:00.000Z: rolled back'],
    [past(1, { status: 'closed', resolved_at: null, closed_at: T0 }), 'closed 2025-02-05T10:30:00.000Z'],
    [past(1, { notes: ['x'.repeat(200)] }), `resolved 2025-02-05T10:31:00.000Z: ${'x'.repeat(120)}…`],
  ])('%#: %s', (incident, resolution) => {
    expect(resolutionOf(incident)).toBe(resolution);
  });
});

describe('RecurrenceIndex', () => {
  it('lists earlier incidents with the same fingerprint, most recent first, at most 5', () => {
    const index = new RecurrenceIndex();
    for (const seq of [3, 1, 7, 2, 5, 6, 4]) index.observe(past(seq));
    index.observe(past(8, { root_cause: { primary_source: 'payments', primary_error_type: 'api_error' } }));
    const current = past(9, { status: 'detected', resolved_at: null });
    index.observe(current);
    expect(index.similarTo(current)!.map((s) => s.incident_id)).toEqual(['inc_00007', 'inc_00006', 'inc_00005', 'inc_00004', 'inc_00003']);
    expect(index.similarTo(past(3))!.map((s) => s.incident_id)).toEqual(['inc_00002', 'inc_00001']);
    expect(index.similarTo(past(42))).toBeUndefined(); // never observed
  });

  it('moves an incident whose fingerprint changed, and updates resolutions', () => {
    const index = new RecurrenceIndex();
    index.observe(past(1, { status: 'detected', resolved_at: null }));
    const later = past(2, { status: 'detected', resolved_at: null });
    index.observe(later);
    expect(index.similarTo(later)).toEqual([{ incident_id: 'inc_00001', resolution: 'unresolved' }]);
    index.observe(past(1, { notes: ['done'] }));
    expect(index.similarTo(later)).toEqual([{ incident_id: 'inc_00001', resolution: 'resolved 2025-02-05T10:31:00.000Z: done' }]);
    index.observe(past(1, { root_cause: { primary_source: 'db', primary_error_type: 'api_error' } }));
    expect(index.similarTo(later)).toEqual([]);
  });

  it('is bounded: fingerprints beyond the cap are forgotten, oldest updated first', () => {
    const index = new RecurrenceIndex(5, 2);
    index.observe(past(1, { root_cause: { primary_source: 'a', primary_error_type: 'e' } }));
    index.observe(past(2, { root_cause: { primary_source: 'b', primary_error_type: 'e' } }));
    index.observe(past(3, { root_cause: { primary_source: 'c', primary_error_type: 'e' } }));
    expect(index.fingerprints).toBe(2);
    const a = past(4, { root_cause: { primary_source: 'a', primary_error_type: 'e' } });
    index.observe(a);
    expect(index.similarTo(a)).toEqual([]);
  });

  it('the fingerprint is type + primary source + primary error type', () => {
    expect(fingerprintOf(past(1))).toBe(fingerprintOf(past(2, { status: 'closed' })));
    expect(fingerprintOf(past(1))).not.toBe(fingerprintOf(past(1, { incident_type: 'service_down' })));
  });
});

describe('similar_incidents in the engine', () => {
  it('a recurring failure lists the earlier ones, most recent first, with their resolutions', () => {
    // prepare: checkout failed three times before; payments once
    const { engine } = testEngine();
    burstAndResolve(engine, 'checkout', 0, ['Fixed by restarting database service'], T0 + 1 * MINUTE);
    burstAndResolve(engine, 'payments', 100, [], T0 + 2 * MINUTE);
    burstAndResolve(engine, 'checkout', 200, [], T0 + 3 * MINUTE);
    const [third] = engine.ingest(burst(10, T0, SECOND, { source: 'checkout' }, 300)).incidents;

    // act
    const [fourthOpen] = engine.ingest(burst(10, T0, SECOND, { source: 'checkout', event_type: 'api_error' }, 400)).incidents;
    engine.updateIncident({ ...third!, status: 'resolved', resolved_at: T0 + 4 * MINUTE });
    const [fifth] = engine.ingest(burst(10, T0, SECOND, { source: 'search' }, 500)).incidents;

    // verify
    expect(third!.similar_incidents).toEqual([
      { incident_id: 'inc_00003', resolution: 'resolved 2025-02-05T10:33:00.000Z' },
      { incident_id: 'inc_00001', resolution: 'resolved 2025-02-05T10:31:00.000Z: Fixed by restarting database service' },
    ]);
    // the fourth burst came while inc_00004 was open: absorbed by it (same rule and group), no new incident
    expect(fourthOpen!.incident_id).toBe('inc_00004');
    expect(fifth!.similar_incidents).toEqual([]);
  });

  it('an open earlier incident is listed as unresolved', () => {
    const { engine } = testEngine();
    const first = engine.createIncident({ incident_type: 'security_breach' });
    const second = engine.createIncident({ incident_type: 'security_breach' });
    expect(first.similar_incidents).toEqual([]);
    expect(second.similar_incidents).toEqual([{ incident_id: first.incident_id, resolution: 'unresolved' }]);
  });

  it('after a restart, past incidents passed to restore (whole or as summaries) are listed', () => {
    // prepare
    const { engine } = testEngine();
    const resolved = burstAndResolve(engine, 'checkout', 0, ['rolled back'], T0 + MINUTE);
    const stored: Incident = { ...resolved, status: 'resolved', resolved_at: T0 + MINUTE, notes: ['rolled back'] };
    const { engine: restarted } = testEngine();
    restarted.restore({
      ...engine.counters(),
      openIncidents: [],
      recentEvents: [],
      // a summary with another primary error type: another fingerprint, not listed
      pastIncidents: [stored, past(0, { incident_id: 'inc_00000', resolved_at: T0 })],
    });

    // act
    const [again] = restarted.ingest(burst(10, T0 + 5 * MINUTE, SECOND, { source: 'checkout' }, 900)).incidents;

    // verify
    expect(again!.similar_incidents).toEqual([{ incident_id: 'inc_00001', resolution: 'resolved 2025-02-05T10:31:00.000Z: rolled back' }]);
    expect(pastIncidentOf(stored)).toEqual({
      incident_id: 'inc_00001',
      incident_type: 'error_burst',
      status: 'resolved',
      resolved_at: T0 + MINUTE,
      closed_at: null,
      notes: ['rolled back'],
      root_cause: { primary_source: 'checkout', primary_error_type: 'error' },
    });
  });
});
