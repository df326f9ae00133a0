import { describe, expect, it } from 'vitest';

import { builtinRules } from './builtin-rules.js';
import { createEngine } from './engine.js';
import { MINUTE, SECOND, T0, burst, customRule, draft, testClock, testEngine, traceId } from '../test/helpers/engine-fixtures.js';
import type { DetectionRule, IncidentEvent } from './types.js';

describe('built-in rules', () => {
  it.each(builtinRules().map((rule) => [rule.rule_id, rule] as const))(
    '%s fires exactly at its threshold, not one below',
    (_id, rule: DetectionRule) => {
      // prepare
      const { engine } = testEngine();
      const eventType = rule.match.event_types[0] as string;
      const below = burst(rule.error_threshold - 1, T0, SECOND, { event_type: eventType, source: 'svc' });

      // act
      const first = engine.ingest(below);
      const second = engine.ingest([draft({ event_type: eventType, source: 'svc', timestamp: T0 + 30 * SECOND })]);

      // verify
      expect(first.incidents).toEqual([]);
      expect(second.incidents).toHaveLength(1);
      const incident = second.incidents[0]!;
      expect(incident).toMatchObject({
        rule_id: rule.rule_id,
        incident_type: rule.incident_type,
        severity: rule.severity,
        status: 'assessing',
        event_count: rule.error_threshold,
        description: rule.description,
      });
      expect(second.linked).toHaveLength(rule.error_threshold);
    },
  );

  it.each(builtinRules().flatMap((rule) => rule.match.event_types.map((type) => [type, rule.rule_id] as const)))(
    'event type %s counts for %s',
    (eventType, ruleId) => {
      const { engine } = testEngine();
      const threshold = builtinRules().find((r) => r.rule_id === ruleId)!.error_threshold;
      const result = engine.ingest(burst(threshold, T0, SECOND, { event_type: eventType }));
      expect(result.incidents.map((i) => i.rule_id)).toEqual([ruleId]);
    },
  );

  it('ignores event types no rule names below error level', () => {
    const { engine } = testEngine();
    const result = engine.ingest(burst(50, T0, SECOND, { event_type: 'span_ok', severity: 'medium' }));
    expect(result.events).toHaveLength(50);
    expect(result.incidents).toEqual([]);
    expect(engine.sizes().groups).toBe(0);
  });

  it('counts error-level events of types no rule names toward error_burst (match.other_errors)', () => {
    const { engine } = testEngine();
    const result = engine.ingest(burst(10, T0, SECOND, { event_type: 'CardDeclinedError', severity: 'high' }));
    expect(result.incidents.map((i) => [i.incident_type, i.event_count])).toEqual([['error_burst', 10]]);
    expect(result.incidents[0]!.root_cause.primary_error_type).toBe('CardDeclinedError');
  });
});

describe('error_burst scenarios', () => {
  it('12 errors from one service within 5 minutes open one incident with all 12 events', () => {
    // prepare
    const { engine, clock } = testEngine();
    const drafts = burst(12, T0, 20 * SECOND, { source: 'checkout' }); // 12 events over 220 s

    // act
    const result = engine.ingest(drafts);

    // verify
    expect(result.events.map((e) => e.event_id)).toEqual(Array.from({ length: 12 }, (_, i) => `evt_${i + 1}`));
    expect(result.incidents).toHaveLength(1);
    const incident = result.incidents[0]!;
    expect(incident).toMatchObject({
      incident_id: 'inc_00001',
      incident_type: 'error_burst',
      severity: 'high',
      status: 'assessing',
      title: 'Error Burst - checkout - 2025-02-05 10:40',
      description: 'Detect sudden bursts of errors',
      rule_id: 'error_burst',
      group_key: 'checkout',
      event_count: 12,
      affected_components: ['checkout'],
      trace_ids: Array.from({ length: 12 }, (_, i) => traceId(i)),
      detected_at: clock.now,
      first_event_at: T0,
      last_event_at: T0 + 220 * SECOND,
      acknowledged_at: null,
      resolved_at: null,
      closed_at: null,
      assigned_to: null,
      mttr: null,
      notes: [],
      actions: [],
      updated_at: clock.now,
    });
    expect(result.linked).toHaveLength(12);
    expect(result.events.every((e) => e.incident_id === 'inc_00001')).toBe(true);
  });

  it('9 errors open nothing', () => {
    const { engine } = testEngine();
    const result = engine.ingest(burst(9, T0, 20 * SECOND));
    expect(result.incidents).toEqual([]);
    expect(result.linked).toEqual([]);
  });

  it('10 errors spread over 10 minutes of event time open nothing', () => {
    const { engine, clock } = testEngine();
    clock.now = T0 + 20 * MINUTE;
    const result = engine.ingest(burst(10, T0, MINUTE)); // one a minute: at most 6 in any 5 minutes
    expect(result.incidents).toEqual([]);
  });

  it('counts event time, not arrival: 10 events in separate batches but 10 s of event time fire', () => {
    const { engine, clock } = testEngine();
    const drafts = burst(10, T0, SECOND);
    let incidents = 0;
    for (const d of drafts) {
      clock.now += 5 * MINUTE; // batches arrive far apart
      incidents += engine.ingest([d]).incidents.length;
    }
    expect(incidents).toBe(1);
  });

  it('window boundaries are inclusive: events exactly time_window_seconds apart share a window', () => {
    const { engine } = testEngine({ rules: [customRule({ error_threshold: 2, time_window_seconds: 60 })] });
    expect(engine.ingest([draft({ timestamp: T0 }), draft({ timestamp: T0 + 60 * SECOND })]).incidents).toHaveLength(1);
    const other = testEngine({ rules: [customRule({ error_threshold: 2, time_window_seconds: 60 })] }).engine;
    expect(
      other.ingest([draft({ timestamp: T0 }), draft({ timestamp: T0 + 60 * SECOND + 1 })]).incidents,
    ).toHaveLength(0);
  });
});

describe('event time', () => {
  it.each([
    ['in the future', (now: number) => now + 60 * MINUTE],
    ['zero', () => 0],
    ['negative', () => -5],
    ['not a number', () => Number.NaN],
  ])('a timestamp %s becomes the arrival time', (_label, stamp) => {
    // prepare
    const { engine, clock } = testEngine();

    // act
    const [event] = engine.ingest([draft({ timestamp: stamp(clock.now) })]).events;

    // verify
    expect(event!.timestamp).toBe(clock.now);
    expect(event!.received_at).toBe(clock.now);
  });

  it('keeps a past timestamp as it is', () => {
    const { engine, clock } = testEngine();
    const [event] = engine.ingest([draft({ timestamp: T0 })]).events;
    expect(event!.timestamp).toBe(T0);
    expect(event!.received_at).toBe(clock.now);
  });

  it('future-stamped events cannot pile into a window ahead of time', () => {
    // prepare: 10 errors stamped an hour ahead, arriving over 10 minutes of real time
    const { engine, clock } = testEngine();
    let incidents = 0;

    // act
    for (let i = 0; i < 10; i++) {
      clock.now += MINUTE;
      incidents += engine.ingest([draft({ timestamp: clock.now + 60 * MINUTE })]).incidents.length;
    }

    // verify: clamped to arrival, they are a minute apart: no 10 within 5 minutes
    expect(incidents).toBe(0);
  });

  it('an event arriving late can complete a window', () => {
    // prepare: 9 errors at T0+10s…T0+18s, out of order
    const { engine } = testEngine();
    const nine = burst(9, T0 + 10 * SECOND, SECOND).reverse();
    expect(engine.ingest(nine).incidents).toEqual([]);

    // act: the straggler, stamped before all of them
    const result = engine.ingest([draft({ timestamp: T0 + 5 * SECOND, correlation_id: 'late' })]);

    // verify
    expect(result.incidents).toHaveLength(1);
    expect(result.incidents[0]!.first_event_at).toBe(T0 + 5 * SECOND);
    expect(result.incidents[0]!.event_count).toBe(10);
    expect(result.linked).toHaveLength(10);
  });

  it('an event older than the group newest minus the window is not counted', () => {
    const { engine } = testEngine();
    engine.ingest(burst(9, T0 + 400 * SECOND, SECOND));
    const result = engine.ingest([draft({ timestamp: T0 })]);
    expect(result.incidents).toEqual([]);
    expect(result.events[0]!.incident_id).toBe('');
  });
});

describe('incidents', () => {
  it('an open incident absorbs further events; a second service gets its own incident', () => {
    // prepare
    const { engine } = testEngine();
    const opened = engine.ingest(burst(10, T0, SECOND, { source: 'checkout' }));

    // act
    const absorbed = engine.ingest(burst(3, T0 + 20 * SECOND, SECOND, { source: 'checkout', correlation_id: 'abc' }));
    const other = engine.ingest(burst(10, T0, SECOND, { source: 'payments' }, 100)); // no trace shared with checkout

    // verify
    expect(opened.incidents.map((i) => i.incident_id)).toEqual(['inc_00001']);
    expect(absorbed.incidents).toHaveLength(1);
    expect(absorbed.incidents[0]).toMatchObject({
      incident_id: 'inc_00001',
      event_count: 13,
      last_event_at: T0 + 22 * SECOND,
    });
    expect(absorbed.incidents[0]!.trace_ids).toContain('abc');
    expect(absorbed.linked.map((e) => e.incident_id)).toEqual(['inc_00001', 'inc_00001', 'inc_00001']);
    expect(other.incidents.map((i) => [i.incident_id, i.group_key])).toEqual([['inc_00002', 'payments']]);
    expect(engine.openIncidents().map((i) => i.incident_id)).toEqual(['inc_00001', 'inc_00002']);
  });

  it('a refused peer lists its callers among the affected components, after the peer', () => {
    // prepare: what the receiver makes of client spans refused by inventory, from two callers
    const { engine } = testEngine();
    const refused = (caller: string, kind: string) => ({
      event_type: 'service_unavailable',
      source: '127.0.0.1:8081',
      severity: 'critical' as const,
      metadata: { kind, caller, peer: '127.0.0.1:8081' },
    });

    // act
    const result = engine.ingest([
      ...burst(4, T0, SECOND, refused('frontend', 'client')),
      ...burst(2, T0 + 5 * SECOND, SECOND, refused('admin', 'client'), 10),
      // a log's own `caller` attribute (pino's file:line) names no service
      draft({ event_type: 'service_unavailable', source: '127.0.0.1:8081', severity: 'critical', metadata: { caller: 'src/app.js:12' } }),
    ]);

    // verify
    expect(result.incidents).toHaveLength(1);
    expect(result.incidents[0]).toMatchObject({ incident_type: 'service_down', affected_components: ['127.0.0.1:8081', 'frontend', 'admin'] });
  });

  it('reports each changed incident once per call, in its final state', () => {
    const { engine } = testEngine();
    const result = engine.ingest(burst(25, T0, SECOND));
    expect(result.incidents).toHaveLength(1);
    expect(result.incidents[0]!.event_count).toBe(25);
    expect(result.linked).toHaveLength(25);
  });

  it('hands out copies: changing a result does not change the engine', () => {
    const { engine } = testEngine();
    const [incident] = engine.ingest(burst(10, T0, SECOND)).incidents;
    incident!.affected_components.push('mutated');
    incident!.status = 'closed';
    expect(engine.openIncidents()[0]!.affected_components).toEqual(['checkout']);
    expect(engine.incident('inc_00001')!.status).toBe('assessing');
  });

  it('mttd is detection time minus first event time, in seconds, never negative', () => {
    const { engine, clock } = testEngine();
    clock.now = T0 + 45_200;
    const [incident] = engine.ingest(burst(10, T0, SECOND)).incidents;
    expect(incident!.mttd).toBeCloseTo(45.2, 6);

    const late = testEngine({}, testClock(T0)).engine;
    const [clamped] = late.ingest(burst(10, T0, 0)).incidents;
    expect(clamped!.mttd).toBe(0);
  });

  it('root cause: distributions and primaries (most frequent, ties to the first seen)', () => {
    // prepare: one window over all events, so sources and types mix
    const rule = customRule({
      match: { event_types: ['error', 'timeout_error'] },
      error_threshold: 6,
      group_by: '',
    });
    const { engine } = testEngine({ rules: [rule] });
    const drafts = [
      draft({ source: 'api', event_type: 'timeout_error' }),
      draft({ source: 'db', event_type: 'error' }),
      draft({ source: 'db', event_type: 'error' }),
      draft({ source: 'api', event_type: 'timeout_error' }),
      draft({ source: 'worker', event_type: 'error' }),
      draft({ source: 'api', event_type: 'timeout_error' }),
    ].map((d, i) => ({ ...d, timestamp: T0 + i * SECOND }));

    // act
    const [incident] = engine.ingest(drafts).incidents;

    // verify
    expect(incident!.root_cause).toEqual({
      primary_error_type: 'timeout_error', // 3 vs 3: timeout_error was seen first
      primary_source: 'api',
      error_distribution: { timeout_error: 3, error: 3 },
      source_distribution: { api: 3, db: 2, worker: 1 },
    });
    expect(incident!.affected_components).toEqual(['api', 'db', 'worker']);
    expect(incident!.title).toBe('Error Burst - 2025-02-05 10:40');
  });

  it('bounds components, trace IDs and distribution keys', () => {
    const rule = customRule({ error_threshold: 1, group_by: '', match: { event_types: [] } });
    const { engine } = testEngine({
      rules: [rule],
      maxComponentsPerIncident: 3,
      maxTraceIdsPerIncident: 4,
      maxDistributionKeys: 2,
    });
    const drafts = Array.from({ length: 10 }, (_, i) =>
      draft({ source: `svc${i}`, event_type: `type${i}`, correlation_id: traceId(i), timestamp: T0 + i }),
    );
    const [incident] = engine.ingest(drafts).incidents;
    expect(incident!.event_count).toBe(10);
    expect(incident!.affected_components).toEqual(['svc0', 'svc1', 'svc2']);
    expect(incident!.trace_ids).toHaveLength(4);
    expect(incident!.root_cause.error_distribution).toEqual({ type0: 1, type1: 1, other: 8 });
    expect(incident!.root_cause.source_distribution).toEqual({ svc0: 1, svc1: 1, other: 8 });
  });

  it('an incident resolved through updateIncident stops absorbing; new events start a new window', () => {
    // prepare
    const { engine } = testEngine();
    const [incident] = engine.ingest(burst(10, T0, SECOND)).incidents;

    // act
    expect(engine.updateIncident({ ...incident!, status: 'resolved', resolved_at: T0 })).toBe(true);
    const after = engine.ingest(burst(9, T0 + 30 * SECOND, SECOND));
    const unlinkedAfter = after.events.filter((e) => e.incident_id === '').length;
    const tenth = engine.ingest([draft({ timestamp: T0 + 40 * SECOND })]);

    // verify
    expect(engine.incident('inc_00001')).toBeUndefined();
    expect(after.incidents).toEqual([]);
    expect(unlinkedAfter).toBe(9);
    expect(tenth.incidents.map((i) => [i.incident_id, i.event_count])).toEqual([['inc_00002', 10]]);
  });

  it('updateIncident keeps an open incident absorbing with the new fields', () => {
    const { engine } = testEngine();
    const [incident] = engine.ingest(burst(10, T0, SECOND)).incidents;
    expect(engine.updateIncident({ ...incident!, status: 'investigating', assigned_to: 'ana' })).toBe(true);
    const [after] = engine.ingest([draft()]).incidents;
    expect(after).toMatchObject({ incident_id: 'inc_00001', status: 'investigating', assigned_to: 'ana', event_count: 11 });
    expect(engine.updateIncident({ ...incident!, incident_id: 'inc_09999' })).toBe(false);
  });

  it('an event belongs to at most one incident when rules overlap', () => {
    const rules = [customRule({ rule_id: 'a', error_threshold: 3 }), customRule({ rule_id: 'b', error_threshold: 5 })];
    const { engine } = testEngine({ rules });
    const result = engine.ingest(burst(8, T0, SECOND));
    expect(result.incidents.map((i) => [i.rule_id, i.event_count])).toEqual([['a', 8]]);
    expect(new Set(result.linked).size).toBe(result.linked.length);
  });

  it('createIncident takes the next id and the severity matrix defaults', () => {
    const { engine, clock } = testEngine();
    const incident = engine.createIncident({ incident_type: 'cache_failure', affected_components: ['redis'] });
    expect(incident).toMatchObject({
      incident_id: 'inc_00001',
      severity: 'low',
      status: 'detected',
      rule_id: '',
      title: 'Cache Failure - redis - 2025-02-05 10:40',
      detected_at: clock.now,
      mttd: 0,
    });
    expect(engine.ingest(burst(10, T0, SECOND)).incidents[0]!.incident_id).toBe('inc_00002');
  });
});

describe('rule options', () => {
  it('require_consecutive: a non-matching event from the same group resets the count', () => {
    // prepare
    const rule = customRule({ error_threshold: 3, require_consecutive: true });
    const { engine } = testEngine({ rules: [rule] });
    const at = (i: number) => T0 + i * SECOND;

    // act
    const broken = engine.ingest([
      draft({ timestamp: at(0) }),
      draft({ timestamp: at(1) }),
      draft({ timestamp: at(2), event_type: 'span_ok' }), // same source, not matching
      draft({ timestamp: at(3) }),
      draft({ timestamp: at(4), source: 'elsewhere', event_type: 'span_ok' }), // other group: no effect
      draft({ timestamp: at(5) }),
    ]);
    const completed = engine.ingest([draft({ timestamp: at(6) })]);

    // verify
    expect(broken.incidents).toEqual([]);
    expect(completed.incidents.map((i) => i.event_count)).toEqual([3]);
  });

  it('min_components_affected: fires only once enough distinct sources are in the window, with bounded memory', () => {
    // prepare
    const rule = customRule({ error_threshold: 3, min_components_affected: 2, group_by: '' });
    const { engine } = testEngine({ rules: [rule] });

    // act
    const one = engine.ingest(burst(20, T0, 100, { source: 'a' }));
    const windowEvents = engine.sizes().windowEvents;
    const two = engine.ingest([draft({ source: 'b', timestamp: T0 + 3 * SECOND })]);

    // verify
    expect(one.incidents).toEqual([]);
    expect(windowEvents).toBeLessThanOrEqual(rule.error_threshold + rule.min_components_affected);
    expect(two.incidents).toHaveLength(1);
    expect(two.incidents[0]!.affected_components).toEqual(['a', 'b']);
  });

  it('match.min_severity skips less severe events', () => {
    const rule = customRule({ match: { event_types: ['error'], min_severity: 'high' } });
    const { engine } = testEngine({ rules: [rule] });
    expect(engine.ingest(burst(5, T0, SECOND, { severity: 'medium' })).incidents).toEqual([]);
    expect(engine.ingest(burst(3, T0, SECOND, { severity: 'critical' })).incidents).toHaveLength(1);
  });

  it.each([
    ['metadata.region', { region: 'eu' }, { region: 'us' }, 'eu'],
    ['event_type', {}, {}, 'error'],
  ] as const)('group_by %s keeps separate windows per value', (groupBy, metaA, metaB, expectedKey) => {
    const rule = customRule({ group_by: groupBy, error_threshold: 3 });
    const { engine } = testEngine({ rules: [rule] });
    const result = engine.ingest([
      draft({ metadata: { ...metaA }, source: 's1' }),
      draft({ metadata: { ...metaB }, source: 's2', event_type: groupBy === 'event_type' ? 'error' : 'error' }),
      draft({ metadata: { ...metaA }, source: 's3' }),
      draft({ metadata: { ...metaA }, source: 's4' }),
    ]);
    expect(result.incidents.map((i) => i.group_key)).toEqual([expectedKey]);
  });

  it('a disabled rule never fires and does not count toward maxWindowSeconds', () => {
    const rules = builtinRules().map((r) => (r.rule_id === 'quality_drop' ? { ...r, enabled: false } : r));
    const { engine } = testEngine({ rules });
    expect(engine.ingest(burst(10, T0, SECOND, { event_type: 'quality_check_failed' })).incidents).toEqual([]);
    expect(engine.maxWindowSeconds()).toBe(300);
    expect(testEngine().engine.maxWindowSeconds()).toBe(600);
  });

  it('rejects invalid rules at creation', () => {
    expect(() => testEngine({ rules: [customRule({ error_threshold: 0 })] })).toThrow(
      /rules\[0\]\.error_threshold: must be a positive integer/,
    );
  });
});

describe('group cap', () => {
  it('evicts the least recently updated group when a rule has too many', () => {
    // prepare: cap 2; a holds 9 errors, b holds 9, and a was updated last
    const { engine } = testEngine({ maxGroupsPerRule: 2 });
    engine.ingest(burst(8, T0, SECOND, { source: 'a' }));
    engine.ingest(burst(9, T0, SECOND, { source: 'b' }, 100));
    engine.ingest([draft({ source: 'a', timestamp: T0 + 8 * SECOND })]);

    // act: c needs a window: the table is full, so b (least recently updated) goes
    engine.ingest([draft({ source: 'c' })]);
    const a = engine.ingest([draft({ source: 'a', timestamp: T0 + 9 * SECOND })]);
    const b = engine.ingest([draft({ source: 'b', timestamp: T0 + 9 * SECOND })]);

    // verify: b's 9 earlier events left with its window; a's did not
    expect(b.incidents).toEqual([]);
    expect(a.incidents.map((i) => [i.group_key, i.event_count])).toEqual([['a', 10]]);
    expect(engine.sizes().groups).toBe(2);
    expect(engine.sizes().groupEvictions).toBe(2); // b when c came, then c when b came back after a
  });

  it('never holds more groups than the cap', () => {
    const { engine } = testEngine({ maxGroupsPerRule: 100 });
    engine.ingest(Array.from({ length: 5000 }, (_, i) => draft({ source: `svc${i}`, timestamp: T0 + i })));
    expect(engine.sizes().groups).toBe(100);
  });
});

describe('ids, counters and restore', () => {
  it('numbers events and incidents sequentially and continues after restore', () => {
    // prepare
    const { engine } = testEngine();
    const first = engine.ingest(burst(10, T0, SECOND, { source: 'a' }));
    const second = engine.ingest(burst(10, T0, SECOND, { source: 'b' }, 100));
    const counters = engine.counters();
    const stored: IncidentEvent[] = [...first.events, ...second.events];

    // act
    const { engine: restarted } = testEngine();
    const replayed = restarted.restore({ ...counters, openIncidents: [], recentEvents: stored });
    const third = restarted.ingest(burst(10, T0, SECOND, { source: 'c' }, 200));

    // verify
    expect([...first.incidents, ...second.incidents].map((i) => i.incident_id)).toEqual(['inc_00001', 'inc_00002']);
    expect(counters).toEqual({ nextEventSeq: 21, nextIncidentSeq: 3 });
    expect(replayed).toEqual({ events: [], linked: [], incidents: [], traceSpans: [] });
    expect(third.events[0]!.event_id).toBe('evt_21');
    expect(third.incidents[0]!.incident_id).toBe('inc_00003');
  });

  it('never reuses a number even when the stored counters lag behind restored data', () => {
    const { engine } = testEngine();
    const result = engine.ingest(burst(10, T0, SECOND));
    const { engine: restarted } = testEngine();
    restarted.restore({
      nextEventSeq: 1,
      nextIncidentSeq: 1,
      openIncidents: result.incidents,
      recentEvents: result.events,
    });
    expect(restarted.counters()).toEqual({ nextEventSeq: 11, nextIncidentSeq: 2 });
  });

  it('rebuilds windows from stored events: 9 stored + 1 new fires', () => {
    // prepare
    const { engine } = testEngine();
    const nine = engine.ingest(burst(9, T0, SECOND));
    const { engine: restarted } = testEngine();
    restarted.restore({ ...engine.counters(), openIncidents: [], recentEvents: nine.events });

    // act
    const result = restarted.ingest([draft({ timestamp: T0 + 30 * SECOND })]);

    // verify
    expect(result.incidents).toHaveLength(1);
    expect(result.incidents[0]!.event_count).toBe(10);
    expect(result.linked.map((e) => e.event_id)).toEqual([...nine.events.map((e) => e.event_id), 'evt_10']);
  });

  it('restored open incidents absorb again', () => {
    const { engine } = testEngine();
    const opened = engine.ingest(burst(10, T0, SECOND));
    const { engine: restarted } = testEngine();
    restarted.restore({ ...engine.counters(), openIncidents: opened.incidents, recentEvents: opened.events });
    const result = restarted.ingest([draft()]);
    expect(result.incidents.map((i) => [i.incident_id, i.event_count])).toEqual([['inc_00001', 11]]);
  });

  it('restore fires when replayed events cross a threshold lowered in config', () => {
    const { engine } = testEngine();
    const six = engine.ingest(burst(6, T0, SECOND));
    const lowered = builtinRules().map((r) => (r.rule_id === 'error_burst' ? { ...r, error_threshold: 5 } : r));
    const { engine: restarted } = testEngine({ rules: lowered });
    const result = restarted.restore({ ...engine.counters(), openIncidents: [], recentEvents: six.events });
    expect(result.events).toEqual([]);
    expect(result.incidents.map((i) => i.event_count)).toEqual([5]);
    expect(result.linked).toHaveLength(5);
  });

  it('restore does not absorb unlinked events that predate an open incident', () => {
    const { engine } = testEngine();
    const early = engine.ingest([draft({ timestamp: T0 - 10 * MINUTE })]); // too old for the later window
    const opened = engine.ingest(burst(10, T0, SECOND));
    const { engine: restarted } = testEngine();
    const result = restarted.restore({
      ...engine.counters(),
      openIncidents: opened.incidents,
      recentEvents: [...early.events, ...opened.events],
    });
    expect(result.linked).toEqual([]);
    expect(restarted.openIncidents()[0]!.event_count).toBe(10);
  });

  it('setRules replays the ring: lowering a threshold at runtime fires', () => {
    const { engine } = testEngine();
    engine.ingest(burst(4, T0 + 9 * MINUTE, SECOND));
    const lowered = engine.rules().map((r) => (r.rule_id === 'error_burst' ? { ...r, error_threshold: 4 } : r));
    const result = engine.setRules(lowered);
    expect(result.incidents.map((i) => i.event_count)).toEqual([4]);
    expect(engine.rule('error_burst')!.error_threshold).toBe(4);
  });

  it('eventsForTrace answers from the ring', () => {
    const { engine } = testEngine({ eventRingCapacity: 3 });
    engine.ingest([
      draft({ correlation_id: 't1' }),
      draft({ correlation_id: 't2' }),
      draft({ correlation_id: 't1' }),
      draft({ correlation_id: 't1' }),
    ]);
    expect(engine.eventsForTrace('t1').map((e) => e.event_id)).toEqual(['evt_3', 'evt_4']);
    expect(engine.eventsForTrace('t2').map((e) => e.event_id)).toEqual(['evt_2']);
    expect(engine.sizes()).toMatchObject({ ringEvents: 3, ringCapacity: 3, traces: 2 });
  });

  it('rejects bad options', () => {
    expect(() => createEngine({ rules: [], clock: () => T0, eventRingCapacity: 0 })).toThrow(/eventRingCapacity/);
    expect(() => createEngine({ rules: [], clock: () => T0, maxGroupsPerRule: 1.5 })).toThrow(/maxGroupsPerRule/);
  });
});

describe('findOpenIncidents', () => {
  it('returns copies of the newest matches only, with the total', () => {
    const { engine } = testEngine();
    for (let i = 0; i < 5; i++) engine.createIncident({ incident_type: i % 2 === 0 ? 'cache_failure' : 'security_breach' });
    const found = engine.findOpenIncidents((incident) => incident.incident_type === 'cache_failure', 2);
    expect(found.total).toBe(3);
    expect(found.incidents.map((incident) => incident.incident_id)).toEqual(['inc_00005', 'inc_00003']);
    found.incidents[0]!.title = 'changed';
    expect(engine.incident('inc_00005')!.title).not.toBe('changed');
    expect(engine.findOpenIncidents(() => true, 0).total).toBe(5);
  });
});
