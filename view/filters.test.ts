import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INCIDENT_STATUSES, SEVERITIES } from '../api/vocabulary.js';
import { incidentJson } from '../test/fixtures/incident-json.js';
import {
  EMPTY_FILTER,
  applyFilterCommand,
  compileFilter,
  describeFilter,
  filterFromQueryParams,
  filterToQuery,
  filterToQueryParams,
  matchesFilter,
  setFilterText,
  type IncidentFilter,
} from './filters.js';

const NOW = Date.parse('2026-01-01T12:00:00.000Z');

function apply(filter: IncidentFilter, command: string): IncidentFilter {
  const result = applyFilterCommand(filter, command, NOW);
  if (!result.ok) throw new Error(result.error);
  return result.filter;
}

describe('filter commands (the TUI’s `:`)', () => {
  it('sets each of the seed’s dashboard filters, any case, and clears them', () => {
    let filter = apply(EMPTY_FILTER, ':severity CRITICAL,high');
    filter = apply(filter, ':status active');
    filter = apply(filter, ':component api');
    filter = apply(filter, ':since 1h');
    filter = apply(filter, ':type error_burst');
    expect(filter).toEqual({ severity: ['critical', 'high'], status: ['active'], component: ['api'], since: '1h', type: ['error_burst'], text: '' });
    expect(describeFilter(filter)).toBe('severity=critical,high status=active component=api since=1h type=error_burst');
    expect(apply(filter, ':clear severity').severity).toEqual([]);
    expect(apply(filter, ':clear')).toEqual(EMPTY_FILTER);
  });

  it('refuses what it does not know, saying what it takes', () => {
    expect(applyFilterCommand(EMPTY_FILTER, ':severity urgent', NOW)).toEqual({ ok: false, error: expect.stringContaining('unknown severity "urgent"') });
    expect(applyFilterCommand(EMPTY_FILTER, ':status open', NOW)).toEqual({ ok: false, error: expect.stringContaining('active') });
    expect(applyFilterCommand(EMPTY_FILTER, ':since yesterday', NOW)).toEqual({ ok: false, error: expect.stringContaining('since needs an age') });
    expect(applyFilterCommand(EMPTY_FILTER, ':frobnicate', NOW)).toEqual({ ok: false, error: expect.stringContaining(':severity') });
    expect(applyFilterCommand(EMPTY_FILTER, ':severity', NOW)).toEqual({ ok: false, error: expect.stringContaining(':severity critical') });
  });
});

describe('matching', () => {
  const checkout = incidentJson('inc_00001', { severity: 'critical', affected_components: ['api-gateway', 'checkout'] });
  const resolved = incidentJson('inc_00002', { status: 'resolved', detected_at: '2026-01-01T08:00:00.000Z', incident_type: 'service_down', title: 'Service Down - payments-db' });

  it('applies every field', () => {
    const match = (filter: IncidentFilter, incident = checkout) => compileFilter(filter, NOW)(incident);
    expect(match(apply(EMPTY_FILTER, ':status active'))).toBe(true);
    expect(match(apply(EMPTY_FILTER, ':status active'), resolved)).toBe(false);
    expect(match(apply(EMPTY_FILTER, ':status resolved'), resolved)).toBe(true);
    expect(match(apply(EMPTY_FILTER, ':component api'))).toBe(true); // a part of the name, as the seed's ?component=api
    expect(match(apply(EMPTY_FILTER, ':component payments'))).toBe(false);
    expect(match(apply(EMPTY_FILTER, ':since 1h'), resolved)).toBe(false);
    expect(match(apply(EMPTY_FILTER, ':since 5h'), resolved)).toBe(true);
    expect(match(apply(EMPTY_FILTER, ':type service_down'), resolved)).toBe(true);
    expect(match(setFilterText(EMPTY_FILTER, 'PAYMENTS-db service'), resolved)).toBe(true);
    expect(match(setFilterText(EMPTY_FILTER, 'payments gateway'), resolved)).toBe(false);
  });

  it('never lets through an incident that fails a field (property)', () => {
    const arbitraryIncident = fc.record({
      severity: fc.constantFrom(...SEVERITIES),
      status: fc.constantFrom(...INCIDENT_STATUSES),
      components: fc.array(fc.constantFrom('api', 'checkout', 'payments-db', 'cache'), { maxLength: 3 }),
      hoursAgo: fc.integer({ min: 0, max: 48 }),
    });
    const arbitraryFilter = fc.record({
      severity: fc.subarray([...SEVERITIES]),
      status: fc.subarray(['active', ...INCIDENT_STATUSES]),
      component: fc.subarray(['api', 'pay', 'cache']),
      since: fc.constantFrom('', '1h', '12h', '2d'),
    });
    fc.assert(
      fc.property(arbitraryIncident, arbitraryFilter, (i, f) => {
        const incident = incidentJson('inc_00009', {
          severity: i.severity,
          status: i.status,
          affected_components: i.components,
          detected_at: new Date(NOW - i.hoursAgo * 3_600_000).toISOString(),
        });
        const filter: IncidentFilter = { ...EMPTY_FILTER, severity: f.severity, status: f.status, component: f.component, since: f.since };
        if (!compileFilter(filter, NOW)(incident)) return;
        if (f.severity.length > 0) expect(f.severity).toContain(i.severity);
        if (f.status.length > 0) {
          const open = i.status !== 'resolved' && i.status !== 'closed';
          expect(f.status.includes(i.status) || (open && f.status.includes('active'))).toBe(true);
        }
        if (f.component.length > 0) expect(i.components.some((c) => f.component.some((w) => c.includes(w)))).toBe(true);
        if (f.since === '1h') expect(i.hoursAgo).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('the filter elsewhere', () => {
  it('round-trips through URL query parameters (a bookmarked view)', () => {
    const filter = setFilterText(apply(apply(EMPTY_FILTER, ':severity critical'), ':since 1h'), 'db');
    const params = filterToQueryParams(filter);
    expect(params).toEqual([['severity', 'critical'], ['since', '1h'], ['q', 'db']]);
    expect(filterFromQueryParams(params, NOW)).toEqual({ filter, errors: [] });
  });

  it('reports bad query parameters and keeps the good ones', () => {
    const { filter, errors } = filterFromQueryParams([['severity', 'critical'], ['severity', 'high'], ['status', 'bogus']], NOW);
    expect(filter.severity).toEqual(['critical', 'high']);
    expect(errors).toEqual([expect.stringContaining('status: unknown status "bogus"')]);
  });

  it('asks the daemon for no fewer incidents than it matches: components (named exactly by the daemon) stay client-side', () => {
    const filter = apply(apply(EMPTY_FILTER, ':component api'), ':severity high');
    const query = filterToQuery(filter, NOW, 10);
    expect(query).toEqual({ limit: 10, severity: ['high'] });
    expect(matchesFilter(incidentJson('inc_00001', { affected_components: ['Payments-API'] }), filter, NOW)).toBe(true);
  });

  it('becomes a ListIncidents request, the since as an instant', () => {
    const filter = apply(apply(EMPTY_FILTER, ':status active'), ':since 2h');
    expect(filterToQuery(filter, NOW, 50)).toEqual({ limit: 50, status: ['active'], since: '2026-01-01T10:00:00.000Z' });
  });
});
