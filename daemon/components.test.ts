import { describe, expect, it } from 'vitest';
import type { ServiceActivity } from '../engine/engine.js';
import type { Incident } from '../engine/types.js';
import { SECOND, T0, burst, testEngine } from '../test/helpers/engine-fixtures.js';
import { componentHealth } from './components.js';

function activity(service: string, requests: number, errors: number, overrides: Partial<ServiceActivity> = {}): ServiceActivity {
  return { service, requests, errors, lastSeenMs: T0, silent: false, ...overrides };
}

function openIncident(overrides: Partial<Incident> = {}): Incident {
  const { engine } = testEngine();
  const incident = engine.ingest(burst(10, T0, SECOND, { source: 'checkout' })).incidents[0]!;
  return { ...incident, ...overrides };
}

describe('component health', () => {
  it('applies the documented statuses, worst first', () => {
    const health = componentHealth(
      [
        activity('healthy-api', 600, 0),
        activity('flaky', 100, 10),
        activity('failing', 100, 40),
        activity('quiet', 0, 0, { silent: true, lastSeenMs: T0 - 600_000 }),
      ],
      [],
      300,
    );
    expect(health.components.map((c) => [c.component, c.status, c.health_percent])).toEqual([
      ['quiet', 'down', 0],
      ['failing', 'degraded', 60],
      ['flaky', 'warning', 90],
      ['healthy-api', 'healthy', 100],
    ]);
    expect(health.components[3]).toMatchObject({ requests_per_minute: 120, error_rate: 0, open_incidents: 0, reason: '600 requests, 0 failed' });
    expect(health.components[0]!.last_seen).toBe(new Date(T0 - 600_000).toISOString());
  });

  it('counts open incidents per affected component; high or critical ones degrade it, an unreachable peer is down', () => {
    const high = openIncident({ affected_components: ['checkout', 'payments'] });
    const medium = openIncident({ incident_id: 'inc_00002', severity: 'medium', affected_components: ['search'] });
    const down = openIncident({
      incident_id: 'inc_00003',
      incident_type: 'service_down',
      severity: 'critical',
      affected_components: ['inventory:8081', 'frontend'],
      root_cause: { ...high.root_cause, primary_source: 'inventory:8081' },
    });
    const health = componentHealth([activity('checkout', 50, 0), activity('search', 50, 0)], [high, medium, down], 300);
    const byName = Object.fromEntries(health.components.map((c) => [c.component, c]));
    expect(byName.checkout).toMatchObject({ status: 'degraded', open_incidents: 1, worst_severity: 'high', health_percent: 100 });
    expect(byName.payments).toMatchObject({ status: 'degraded', last_seen: null, error_rate: null });
    expect(byName.search).toMatchObject({ status: 'warning', worst_severity: 'medium' });
    expect(byName['inventory:8081']).toMatchObject({ status: 'down', health_percent: 0 });
    expect(byName.frontend).toMatchObject({ status: 'degraded', worst_severity: 'critical' });
  });

  it('says nothing of an error rate from a handful of requests', () => {
    const [one] = componentHealth([activity('cron', 2, 2)], [], 300).components;
    expect(one).toMatchObject({ status: 'healthy', error_rate: 1, health_percent: 100 });
  });

  it('keeps only components seen since a time (and those with open incidents)', () => {
    const health = componentHealth([activity('old', 0, 0, { lastSeenMs: T0 - 3_600_000 }), activity('new', 10, 0)], [], 300, { sinceMs: T0 - 60_000 });
    expect(health.components.map((c) => c.component)).toEqual(['new']);
  });
});
