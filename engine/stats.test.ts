import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeStats, nearestRank } from './stats.js';
import { INCIDENT_STATUSES, INCIDENT_TYPES, isOpenStatus, SEVERITIES } from './types.js';
import type { Incident, IncidentStatus, IncidentType, Severity } from './types.js';

const T0 = Date.UTC(2025, 1, 5, 10, 30, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = T0 + 24 * HOUR;

function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    incident_id: 'inc_00001',
    incident_type: 'error_burst',
    severity: 'high',
    status: 'detected',
    title: 'Error Burst - checkout - 2025-02-05 10:30',
    description: '',
    rule_id: 'error_burst',
    group_key: 'checkout',
    detected_at: T0,
    first_event_at: T0 - 2 * MINUTE,
    last_event_at: T0,
    acknowledged_at: null,
    resolved_at: null,
    closed_at: null,
    affected_components: ['checkout'],
    event_count: 10,
    assigned_to: null,
    mttd: 120,
    mttr: null,
    root_cause: { primary_error_type: 'error', primary_source: 'checkout', error_distribution: {}, source_distribution: {} },
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

function resolved(overrides: Partial<Incident> = {}): Incident {
  return incident({ status: 'resolved', resolved_at: T0 + 45 * MINUTE, mttr: 2820, ...overrides });
}

describe('computeStats', () => {
  it('gives zeros, nulls and every severity key for no incidents', () => {
    expect(computeStats([], { now: NOW })).toEqual({
      total_incidents: 0,
      active_incidents: 0,
      resolved_incidents: 0,
      by_severity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      by_type: {},
      avg_mttd_seconds: null,
      avg_mttr_seconds: null,
      p90_mttd_seconds: null,
      p90_mttr_seconds: null,
      auto_resolved: 0,
      manual_resolution: 0,
      recurrence_rate: 0,
      since: null,
    });
  });

  it('counts statuses, severities, types, resolutions and recurrence', () => {
    // prepare
    const incidents = [
      incident({ severity: 'critical', incident_type: 'service_down', mttd: 30 }),
      incident({ status: 'investigating', mttd: 90 }),
      resolved({ auto_resolved: true, mttd: 60, mttr: 600 }),
      resolved({ status: 'closed', closed_at: T0 + HOUR, mttd: 240, mttr: 1800 }),
      resolved({
        severity: 'medium',
        incident_type: 'quality_drop',
        mttd: 180,
        mttr: 3000,
        similar_incidents: [{ incident_id: 'inc_00003', resolution: 'resolved' }],
      }),
    ];

    // act
    const stats = computeStats(incidents, { now: NOW });

    // verify
    expect(stats).toMatchObject({
      total_incidents: 5,
      active_incidents: 2,
      resolved_incidents: 3,
      by_severity: { critical: 1, high: 3, medium: 1, low: 0, info: 0 },
      by_type: { service_down: 1, error_burst: 3, quality_drop: 1 },
      avg_mttd_seconds: 120,
      avg_mttr_seconds: 1800,
      p90_mttd_seconds: 240,
      p90_mttr_seconds: 3000,
      auto_resolved: 1,
      manual_resolution: 2,
      recurrence_rate: 0.2,
      since: null,
    });
    expect(Object.keys(stats.by_type)).toEqual(['service_down', 'error_burst', 'quality_drop']);
  });

  it('averages MTTR only over resolved and closed incidents, to the millisecond', () => {
    const stats = computeStats(
      [
        incident({ mttr: 99_999 }), // an open incident's stale value is ignored
        resolved({ mttr: 1 }),
        resolved({ mttr: 2 }),
        resolved({ mttr: 2 }),
        resolved({ mttr: null }), // resolved without a first event time: no MTTR to count
      ],
      { now: NOW },
    );
    expect(stats.avg_mttr_seconds).toBe(1.667);
    expect(stats.p90_mttr_seconds).toBe(2);
  });

  it('counts only incidents detected in [since, now] and reports since as ISO', () => {
    const incidents = [
      incident({ detected_at: T0 - 1 }),
      incident({ detected_at: T0 }),
      resolved({ detected_at: T0 + HOUR }),
      incident({ detected_at: NOW + 1 }), // after "now": not yet
    ];
    const stats = computeStats(incidents, { now: NOW, sinceMs: T0 });
    expect(stats.total_incidents).toBe(2);
    expect(stats.resolved_incidents).toBe(1);
    expect(stats.since).toBe('2025-02-05T10:30:00.000Z');
  });

  it('reads incidents stored before similar_incidents existed', () => {
    const old = incident();
    delete (old as Partial<Incident>).similar_incidents;
    expect(computeStats([old], { now: NOW }).recurrence_rate).toBe(0);
  });

  it('rounds the recurrence rate to 3 decimals', () => {
    const similar = [{ incident_id: 'inc_00001', resolution: 'unresolved' }];
    const stats = computeStats([incident({ similar_incidents: similar }), incident(), incident()], { now: NOW });
    expect(stats.recurrence_rate).toBe(0.333);
  });

  it('keeps its counts consistent for any incidents (property)', () => {
    const arbitraryIncident = fc
      .record({
        status: fc.constantFrom<IncidentStatus>(...INCIDENT_STATUSES),
        severity: fc.constantFrom<Severity>(...SEVERITIES),
        type: fc.constantFrom<IncidentType>(...INCIDENT_TYPES),
        detectedOffset: fc.integer({ min: -48 * HOUR, max: 2 * HOUR }),
        mttd: fc.double({ min: 0, max: 86_400, noNaN: true }),
        mttr: fc.option(fc.double({ min: 0, max: 86_400, noNaN: true })),
        auto: fc.boolean(),
        similar: fc.boolean(),
      })
      .map((r) =>
        incident({
          status: r.status,
          severity: r.severity,
          incident_type: r.type,
          detected_at: NOW + r.detectedOffset,
          mttd: r.mttd,
          mttr: r.mttr,
          auto_resolved: r.auto && !isOpenStatus(r.status),
          similar_incidents: r.similar ? [{ incident_id: 'inc_00001', resolution: 'unresolved' }] : [],
        }),
      );
    fc.assert(
      fc.property(fc.array(arbitraryIncident, { maxLength: 60 }), fc.option(fc.integer({ min: -30 * HOUR, max: 0 })), (incidents, sinceOffset) => {
        const stats = computeStats(incidents, { now: NOW, ...(sinceOffset === null ? {} : { sinceMs: NOW + sinceOffset }) });
        const counted = incidents.filter(
          (i) => i.detected_at <= NOW && (sinceOffset === null || i.detected_at >= NOW + sinceOffset),
        );
        expect(stats.total_incidents).toBe(counted.length);
        expect(stats.active_incidents + stats.resolved_incidents).toBe(stats.total_incidents);
        expect(stats.auto_resolved + stats.manual_resolution).toBe(stats.resolved_incidents);
        expect(Object.values(stats.by_severity).reduce((a, b) => a + b, 0)).toBe(stats.total_incidents);
        expect(Object.keys(stats.by_severity).sort()).toEqual([...SEVERITIES].sort());
        expect(Object.values(stats.by_type).reduce((a, b) => a + (b ?? 0), 0)).toBe(stats.total_incidents);
        expect(stats.recurrence_rate).toBeGreaterThanOrEqual(0);
        expect(stats.recurrence_rate).toBeLessThanOrEqual(1);
        if (stats.total_incidents === 0) expect(stats.avg_mttd_seconds).toBeNull();
        if (stats.p90_mttd_seconds !== null) {
          expect(stats.p90_mttd_seconds).toBeGreaterThanOrEqual(Math.min(...counted.map((i) => i.mttd)));
          expect(stats.p90_mttd_seconds).toBeLessThanOrEqual(Math.max(...counted.map((i) => i.mttd)));
        }
      }),
    );
  });
});

describe('nearestRank (p90)', () => {
  it.each<[number[], number | null]>([
    [[], null],
    [[7], 7],
    [[1, 2, 3, 4, 5], 5], // ⌈4.5⌉ = 5: with fewer than ten values p90 is the largest
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 9], // ⌈9⌉ = 9
    [Array.from({ length: 20 }, (_, i) => i + 1), 18], // ⌈18⌉ = 18
    [Array.from({ length: 11 }, (_, i) => i + 1), 10], // ⌈9.9⌉ = 10
  ])('p90 of %j is %j', (values, expected) => {
    expect(nearestRank(values, 0.9)).toBe(expected);
  });

  it('takes p90 over unsorted input in computeStats', () => {
    const mttds = [50, 10, 40, 30, 20, 100, 90, 80, 70, 60];
    const stats = computeStats(
      mttds.map((mttd) => incident({ mttd })),
      { now: NOW },
    );
    expect(stats.p90_mttd_seconds).toBe(90);
  });
});

