import { describe, expect, it } from 'vitest';

import { createEngine } from './engine.js';
import { formatDuration, formatPercent } from './escalation.js';
import { MINUTE, SECOND, T0, burst, draft, span, spanId, testEngine } from '../test/helpers/engine-fixtures.js';
import { builtinRules } from './builtin-rules.js';
import type { EventDraft, Metadata } from './types.js';

const totals = (service: string, requests: number, failedRequests: number) => new Map([[service, { requests, failedRequests }]]);

/** An engine with an open incident of `eventType`'s rule, opened by `count` events with `metadata`. */
function openWith(eventType: string, count: number, metadata: Metadata = {}, source = 'svc') {
  const { engine, clock } = testEngine();
  const result = engine.ingest(burst(count, T0, SECOND, { event_type: eventType, source, metadata }));
  expect(result.incidents).toHaveLength(1);
  return { engine, clock, incident: result.incidents[0]! };
}

function oneMore(eventType: string, metadata: Metadata, source = 'svc'): EventDraft {
  return draft({ event_type: eventType, source, metadata, timestamp: T0 + 30 * SECOND });
}

describe('error_burst → critical when more than 50% of the service’s requests failed in the rule window', () => {
  it.each([
    [1000, 500, false],
    [1000, 501, true],
    [10, 10, true], // at the minimum number of requests
    [9, 9, false], // below it: too few to judge
  ])('%i requests, %i failed → escalates: %s', (spans, errors, escalates) => {
    // prepare
    const { engine, incident } = openWith('error', 10, {}, 'checkout');
    expect(incident.severity).toBe('high');

    // act
    const result = engine.ingest([], { serviceTotals: totals('checkout', spans, errors) });

    // verify
    expect(engine.incident(incident.incident_id)!.severity).toBe(escalates ? 'critical' : 'high');
    if (escalates) {
      expect(result.incidents[0]!.notes).toEqual([
        `severity high → critical: ${formatPercent(errors / spans)} of checkout requests failed (threshold 50%)`,
      ]);
    } else {
      expect(result.incidents).toEqual([]);
    }
  });

  it('counts totals that arrived before the incident opened, within the window only', () => {
    // prepare: 90% failing six minutes ago, 40% failing now
    const { engine, clock } = testEngine();
    clock.now = T0;
    engine.ingest([], { serviceTotals: totals('checkout', 100, 90) });
    clock.now = T0 + 6 * MINUTE;
    engine.ingest([], { serviceTotals: totals('checkout', 100, 40) });

    // act
    const result = engine.ingest(burst(10, T0 + 5 * MINUTE, SECOND, { source: 'checkout' }));

    // verify: only the last 5 minutes count
    expect(result.incidents[0]!.severity).toBe('high');
    engine.ingest([], { serviceTotals: totals('checkout', 100, 80) }); // now 120 of 200 in the window: 60%
    expect(engine.incident('inc_00001')!.severity).toBe('critical');
  });

  it('checks every affected component (a correlated incident’s other services too)', () => {
    const { engine } = testEngine();
    engine.ingest(burst(10, T0, SECOND, { source: 'checkout' }));
    engine.ingest(burst(5, T0, SECOND, { source: 'payments' })); // joins through shared traces
    const result = engine.ingest([], { serviceTotals: new Map([['checkout', { requests: 100, failedRequests: 10 }], ['payments', { requests: 100, failedRequests: 70 }]]) });
    expect(result.incidents[0]!.notes).toEqual(['severity high → critical: 70% of payments requests failed (threshold 50%)']);
  });
});

describe('disk_space_low → critical when free space is below 5% (or usage above 95%)', () => {
  it.each([
    [{ free_ratio: 0.05 }, false],
    [{ free_ratio: 0.0499 }, true],
    [{ usage_percent: 95 }, false],
    [{ usage_percent: 95.01 }, true],
    [{ free_ratio: '0.01' }, true], // attributes may arrive as text
    [{}, false],
  ] as [Metadata, boolean][])('%o → escalates: %s', (metadata, escalates) => {
    const { engine, incident } = openWith('disk_space_low', 3, { usage_percent: 92 });
    expect(incident.severity).toBe('high');
    engine.ingest([oneMore('disk_space_low', metadata)]);
    expect(engine.incident(incident.incident_id)!.severity).toBe(escalates ? 'critical' : 'high');
  });

  it('escalates at detection when a window event already says so, and notes it', () => {
    const { incident } = openWith('disk_space_low', 3, { free_ratio: 0.032 }, 'db-1');
    expect(incident.severity).toBe('critical');
    expect(incident.notes).toEqual(['severity high → critical: 3.2% disk space free on db-1 (threshold 5%)']);
  });
});

describe('performance_degradation → high when a slow request took more than 5× the service’s baseline', () => {
  function withBaseline(samples: number, durationMs: number) {
    const { engine, clock } = testEngine();
    const spans = Array.from({ length: samples }, (_, i) =>
      span({ service: 'search', span_id: spanId(i), kind: 2, start_ms: T0, end_ms: T0 + durationMs }),
    );
    engine.ingest([], { spans });
    const opened = engine.ingest(
      burst(10, T0, SECOND, { event_type: 'slow_request', severity: 'medium', source: 'search', metadata: { duration_ms: 400 } }),
    );
    expect(opened.incidents[0]!.severity).toBe('medium');
    return { engine, clock };
  }

  it.each([
    [500, false],
    [500.01, true],
  ])('baseline 100 ms, slow request of %f ms → escalates: %s', (duration, escalates) => {
    const { engine } = withBaseline(20, 100);
    engine.ingest([oneMore('slow_request', { duration_ms: duration }, 'search')]);
    const incident = engine.incident('inc_00001')!;
    expect(incident.severity).toBe(escalates ? 'high' : 'medium');
    if (escalates) {
      expect(incident.notes).toEqual([
        'severity medium → high: search request took 500 ms, 5× its baseline of 100 ms (threshold 5×)',
      ]);
    }
  });

  it('needs an established baseline (20 samples by default)', () => {
    const { engine } = withBaseline(19, 100);
    engine.ingest([oneMore('slow_request', { duration_ms: 10_000 }, 'search')]);
    expect(engine.incident('inc_00001')!.severity).toBe('medium');
  });

  it('learns only from successful server spans, and slow ones barely move it', () => {
    const { engine } = testEngine();
    const ok = Array.from({ length: 20 }, (_, i) => span({ service: 'search', span_id: spanId(i), end_ms: T0 + 100 }));
    const failed = Array.from({ length: 20 }, (_, i) => span({ service: 'search', span_id: spanId(100 + i), failed: true, end_ms: T0 + 9000 }));
    const client = Array.from({ length: 20 }, (_, i) => span({ service: 'search', span_id: spanId(200 + i), kind: 3, end_ms: T0 + 9000 }));
    const slow = Array.from({ length: 5 }, (_, i) => span({ service: 'search', span_id: spanId(300 + i), end_ms: T0 + 100_000 }));
    engine.ingest([], { spans: [...ok, ...failed, ...client, ...slow] });
    engine.ingest(burst(10, T0, SECOND, { event_type: 'slow_request', severity: 'medium', source: 'search', metadata: { duration_ms: 400 } }));
    // each slow span counts as at most 2 × the baseline: ≈ 100 × 1.05⁵ ≈ 128 ms, and a 1,000 ms request is > 5×
    engine.ingest([oneMore('slow_request', { duration_ms: 1000 }, 'search')]);
    expect(engine.incident('inc_00001')!.severity).toBe('high');
  });
});

describe('quality_drop → high when coverage is below 50%', () => {
  it.each([
    [{ coverage: 50 }, false],
    [{ coverage: 49.9 }, true],
    [{ metric: 'coverage', value: 49 }, true],
    [{ metric: 'coverage', value: 72 }, false],
    [{ coverage: 80, value: 10 }, false], // coverage wins over value
  ] as [Metadata, boolean][])('%o → escalates: %s', (metadata, escalates) => {
    const { engine, incident } = openWith('quality_check_failed', 5, { metric: 'coverage', value: 72 });
    expect(incident.severity).toBe('medium');
    engine.ingest([oneMore('quality_check_failed', metadata)]);
    expect(engine.incident(incident.incident_id)!.severity).toBe(escalates ? 'high' : 'medium');
  });
});

describe('workflow_failure_spike → critical when a critical workflow failed', () => {
  it.each([
    [{ 'workflow.critical': true, 'workflow.name': 'billing' }, true],
    [{ 'workflow.critical': 'true' }, true],
    [{ 'workflow.critical': false }, false],
    [{ critical: true, workflow_id: 'billing' }, true],
    [{ critical: 'true' }, true],
    [{ critical: false }, false],
    [{ critical: 1 }, false],
  ] as [Metadata, boolean][])('%o → escalates: %s', (metadata, escalates) => {
    const { engine, incident } = openWith('workflow_failed', 8);
    engine.ingest([oneMore('workflow_failed', metadata)]);
    const after = engine.incident(incident.incident_id)!;
    expect(after.severity).toBe(escalates ? 'critical' : 'high');
    if (metadata['workflow_id'] === 'billing' || metadata['workflow.name'] === 'billing') {
      expect(after.notes).toEqual(['severity high → critical: critical workflow billing failed']);
    }
  });
});

describe('prolonged: api_rate_limit, cache_failure, resource_leak go one step up after 30 minutes open', () => {
  it.each([
    ['cache_failure', 'low', 'medium'],
    ['api_rate_limit', 'medium', 'high'],
    ['resource_leak', 'medium', 'high'],
  ] as const)('%s: %s → %s only after more than 30 minutes', (type, from, to) => {
    // prepare
    const { engine, clock } = testEngine();
    const incident = engine.createIncident({ incident_type: type, affected_components: ['redis'] });
    expect(incident.severity).toBe(from);

    // act
    clock.now = incident.detected_at + 30 * MINUTE;
    const atLimit = engine.tick();
    clock.now += 1;
    const past = engine.tick();
    const again = engine.tick();

    // verify
    expect(atLimit.incidents).toEqual([]);
    expect(past.incidents.map((i) => [i.severity, i.notes])).toEqual([
      [to, [`severity ${from} → ${to}: open for 30m (threshold 30m)`]],
    ]);
    expect(again.incidents).toEqual([]);
  });

  it('does not escalate other types, and the duration is configurable', () => {
    const clock = Object.assign(() => clock.now, { now: T0 });
    const engine = createEngine({ rules: builtinRules(), clock, escalation: { prolongedAfterSeconds: 60 } });
    const cache = engine.createIncident({ incident_type: 'cache_failure' });
    const burstIncident = engine.createIncident({ incident_type: 'error_burst' });
    clock.now += 61 * SECOND;
    expect(engine.tick().incidents.map((i) => i.incident_id)).toEqual([cache.incident_id]);
    expect(engine.incident(burstIncident.incident_id)!.severity).toBe('high');
  });
});

describe('escalation rules of thumb', () => {
  it('only ever raises: an incident set above the target by hand stays there, without a note', () => {
    const { engine, clock } = testEngine();
    const incident = engine.createIncident({ incident_type: 'cache_failure', severity: 'critical' });
    clock.now += 31 * MINUTE;
    expect(engine.tick().incidents).toEqual([]);
    expect(engine.incident(incident.incident_id)).toMatchObject({ severity: 'critical', notes: [] });
  });

  it('an escalation made while the workflow held a stale copy survives the workflow’s update', () => {
    const { engine, incident } = openWith('disk_space_low', 3, { usage_percent: 92 });
    engine.ingest([oneMore('disk_space_low', { free_ratio: 0.01 })]); // escalates to critical
    expect(engine.updateIncident({ ...incident, status: 'investigating', notes: ['looking at it'] })).toBe(true);
    const after = engine.incident(incident.incident_id)!;
    expect(after).toMatchObject({ status: 'investigating', severity: 'critical', event_count: 4 });
    expect(after.notes).toEqual(['looking at it', 'severity high → critical: 1% disk space free on svc (threshold 5%)']);
  });

  it('rejects bad thresholds with the option’s path', () => {
    const make = (escalation: object) => () => createEngine({ rules: [], clock: () => T0, escalation });
    expect(make({ errorRateThreshold: 1.5 })).toThrow(/escalation\.errorRateThreshold: must be between 0 and 1/);
    expect(make({ slowdownFactor: 1 })).toThrow(/escalation\.slowdownFactor/);
    expect(make({ prolongedAfterSeconds: 0 })).toThrow(/escalation\.prolongedAfterSeconds/);
  });

  it('formats durations and percentages for notes', () => {
    expect([formatDuration(45_000), formatDuration(6 * MINUTE + 59_000), formatDuration(65 * MINUTE), formatDuration(120 * MINUTE)]).toEqual([
      '45s',
      '6m',
      '1h 5m',
      '2h',
    ]);
    expect([formatPercent(0.63), formatPercent(0.501), formatPercent(0.5), formatPercent(0.032)]).toEqual(['63%', '50.1%', '50%', '3.2%']);
  });
});

describe('peak_error_rate: the highest failed share over the incident’s services, from span totals', () => {
  it('is taken at the end of a call that changed the incident, over all its components, and never goes down', () => {
    // prepare: one incident over checkout and payments (shared traces)
    const { engine } = testEngine();
    engine.ingest(burst(10, T0, SECOND, { source: 'checkout' }));
    engine.ingest(burst(5, T0, SECOND, { source: 'payments' }));
    expect(engine.incident('inc_00001')!.peak_error_rate).toBeNull();

    // act + verify: an export with events and totals; the worst service counts, not only the primary source
    const both = new Map([['checkout', { requests: 100, failedRequests: 10 }], ['payments', { requests: 100, failedRequests: 30 }]]);
    engine.ingest([oneMore('error', {}, 'checkout')], { serviceTotals: both });
    expect(engine.incident('inc_00001')!.peak_error_rate).toBe(0.3);

    // lower shares later leave the peak where it was
    engine.ingest([oneMore('error', {}, 'checkout')], { serviceTotals: totals('checkout', 1000, 0) });
    expect(engine.incident('inc_00001')!.peak_error_rate).toBe(0.3);
  });

  it('is noted with the escalation it caused', () => {
    const { engine, incident } = openWith('error', 10, {}, 'checkout');
    const result = engine.ingest([], { serviceTotals: totals('checkout', 100, 80) });
    expect(result.incidents[0]!.severity).toBe('critical');
    expect(result.incidents[0]!.peak_error_rate).toBe(0.8);
    expect(engine.incident(incident.incident_id)!.peak_error_rate).toBe(0.8);
  });

  it('is not taken below the minimum number of requests', () => {
    const { engine } = openWith('error', 10, {}, 'checkout');
    engine.ingest([oneMore('error', {}, 'checkout')], { serviceTotals: totals('checkout', 9, 9) });
    expect(engine.incident('inc_00001')!.peak_error_rate).toBeNull();
  });
});
