import { describe, expect, it } from 'vitest';

import { builtinRule } from '../engine/builtin-rules.js';
import { eventToJson, incidentToJson, ruleToJson } from './api-json.js';
import { MINUTE, SECOND, T0, burst, cascadeTrace, ingestExports, testEngine, traceId } from '../test/helpers/engine-fixtures.js';

function openedIncident() {
  const { engine } = testEngine();
  const result = engine.ingest(burst(10, T0, SECOND, { metadata: { status_code: 500 }, span_id: 'ab'.repeat(8) }));
  return { incident: result.incidents[0]!, events: result.events };
}


describe('eventToJson', () => {
  it('uses the contract keys in order, ISO time, and null for unknown trace/span', () => {
    // prepare
    const { engine } = testEngine();
    const [linked] = engine.ingest(burst(10, T0, SECOND)).events;
    const [plain] = engine.ingest([{ ...burst(1, T0, SECOND)[0]!, correlation_id: '', event_type: 'span_ok', severity: 'info' }]).events;

    // act
    const json = eventToJson(plain!);

    // verify
    expect(Object.keys(json)).toEqual([
      'event_id',
      'timestamp',
      'event_type',
      'source',
      'severity',
      'message',
      'metadata',
      'correlation_id',
      'span_id',
      'incident_id',
    ]);
    expect(json).toMatchObject({ event_id: 'evt_11', timestamp: '2025-02-05T10:30:00.000Z', correlation_id: null });
    expect(json.span_id).toBeNull();
    expect(json.incident_id).toBeNull();
    expect(eventToJson(linked!)).toMatchObject({ correlation_id: traceId(0), incident_id: 'inc_00001' });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe('incidentToJson', () => {
  it('maps times to ISO strings, keeps null, and orders keys as DESIGN.md lists them', () => {
    // prepare
    const { incident } = openedIncident();

    // act
    const json = incidentToJson(incident);

    // verify
    expect(Object.keys(json)).toEqual([
      'incident_id',
      'incident_type',
      'severity',
      'status',
      'title',
      'description',
      'detected_at',
      'first_event_at',
      'acknowledged_at',
      'resolved_at',
      'closed_at',
      'affected_components',
      'event_count',
      'assigned_to',
      'mttd',
      'mttr',
      'root_cause',
      'users_affected',
      'similar_incidents',
      'trace_ids',
      'notes',
      'actions',
      'rule_id',
      'last_event_at',
      'updated_at',
      'status_history',
      'acknowledged_by',
      'acknowledged',
      'auto_resolved',
      'resolution',
      'peak_error_rate',
      'silenced_by',
      'related_incidents',
    ]);
    expect(json).toMatchObject({
      incident_id: 'inc_00001',
      incident_type: 'error_burst',
      severity: 'high',
      status: 'assessing',
      detected_at: new Date(T0 + 10 * MINUTE).toISOString(),
      first_event_at: '2025-02-05T10:30:00.000Z',
      last_event_at: '2025-02-05T10:30:09.000Z',
      acknowledged_at: null,
      resolved_at: null,
      closed_at: null,
      mttr: null,
      rule_id: 'error_burst',
    });
    expect(json).not.toHaveProperty('group_key');
    expect(json).not.toHaveProperty('timeline');
    expect(json.root_cause).toEqual({
      primary_error_type: 'error',
      primary_source: 'checkout',
      error_distribution: { error: 10 },
      source_distribution: { checkout: 10 },
    });
  });

  it('puts timeline (oldest first) and postmortem between trace_ids and notes when asked', () => {
    const { incident, events } = openedIncident();
    const json = incidentToJson(
      { ...incident, actions: [{ action_id: 'clear_cache', status: 'done', result: 'ok', approved_by: null, at: T0 }] },
      { timeline: [...events].reverse(), postmortem: '# Post-mortem' },
    );
    const keys = Object.keys(json);
    expect(keys.slice(keys.indexOf('trace_ids'), keys.indexOf('notes') + 1)).toEqual([
      'trace_ids',
      'timeline',
      'postmortem',
      'notes',
    ]);
    expect(json.timeline!.map((e) => e.event_id)).toEqual(events.map((e) => e.event_id));
    expect(json.actions).toEqual([
      { action_id: 'clear_cache', status: 'done', result: 'ok', approved_by: null, at: '2025-02-05T10:30:00.000Z' },
    ]);
  });

  it('hand-made incidents have rule_id null', () => {
    const { engine } = testEngine();
    expect(incidentToJson(engine.createIncident({ incident_type: 'security_breach' })).rule_id).toBeNull();
  });
});

describe('ruleToJson', () => {
  it('writes every rule field in DESIGN.md order', () => {
    const json = ruleToJson(builtinRule('service_down')!);
    expect(json).toEqual({
      rule_id: 'service_down',
      name: 'Service Down Detection',
      description: 'Detect when services become unavailable',
      incident_type: 'service_down',
      severity: 'critical',
      error_threshold: 5,
      time_window_seconds: 60,
      check_interval_seconds: 30,
      require_consecutive: false,
      min_components_affected: 1,
      enabled: true,
      match: { event_types: ['service_unavailable', 'health_check_failed'] },
      group_by: 'source',
      builtin: true,
    });
    expect(Object.keys(json)).toEqual(Object.keys(builtinRule('service_down')!));
  });
});

describe('incidentToJson: blast radius, recurrence, root span', () => {
  it('writes users_affected and similar_incidents after root_cause, root_span when known, and no internal fields', () => {
    // prepare: a cascade (root span known, users counted, groups aliased) that recurs
    const { engine } = testEngine();
    const traces = Array.from({ length: 10 }, (_, n) => cascadeTrace(n));
    const first = ingestExports(engine, traces.flatMap((t) => [t.frontend, t.checkout, t.payments])).incidents.at(-1)!;
    engine.updateIncident({ ...first, status: 'resolved', resolved_at: T0 + MINUTE, notes: ['raised the processor timeout'] });
    const again = ingestExports(
      engine,
      Array.from({ length: 10 }, (_, n) => cascadeTrace(n + 50)).flatMap((t) => [t.frontend, t.checkout, t.payments]),
    ).incidents.at(-1)!;

    // act
    const json = incidentToJson(again);

    // verify
    const keys = Object.keys(json);
    expect(keys.slice(keys.indexOf('root_cause'), keys.indexOf('trace_ids') + 1)).toEqual([
      'root_cause',
      'users_affected',
      'similar_incidents',
      'trace_ids',
    ]);
    expect(json.users_affected).toBe(10);
    expect(json.similar_incidents).toEqual([
      { incident_id: 'inc_00001', resolution: 'resolved 2025-02-05T10:31:00.000Z: raised the processor timeout' },
    ]);
    expect(json.root_cause.root_span).toEqual({
      service: 'payments',
      span_name: 'POST /charge',
      span_id: cascadeTrace(50).payments.spans[0]!.span_id,
      trace_id: traceId(50),
      status_message: 'card processor timed out',
      exception_type: 'ProcessorTimeout',
    });
    expect(Object.keys(json.root_cause)).toEqual([
      'primary_error_type',
      'primary_source',
      'error_distribution',
      'source_distribution',
      'root_span',
    ]);
    expect(again.group_aliases?.length).toBeGreaterThan(0);
    expect(json).not.toHaveProperty('group_aliases');
    expect(json).not.toHaveProperty('users_sketch');
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});
