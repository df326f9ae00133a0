import { describe, expect, it } from 'vitest';

import { createEngine } from './engine.js';
import { builtinRules } from './builtin-rules.js';
import { MINUTE, SECOND, T0, burst, testClock } from '../test/helpers/engine-fixtures.js';
import type { TestClock } from '../test/helpers/engine-fixtures.js';
import type { EngineOptions } from './engine.js';

function silenceEngine(options: Partial<EngineOptions> = {}): { engine: ReturnType<typeof createEngine>; clock: TestClock } {
  const clock = testClock(T0);
  return { engine: createEngine({ rules: builtinRules(), clock, ...options }), clock };
}

/** Telemetry from `service` once a minute for `minutes` minutes, ending at the clock's time. */
function regular(engine: ReturnType<typeof createEngine>, clock: TestClock, service: string, minutes: number): number {
  for (let i = 0; i < minutes; i++) {
    if (i > 0) clock.now += MINUTE;
    engine.observeServices([service], clock.now);
  }
  return clock.now;
}

describe('silence detection (arrival time, established cadence, once per silence)', () => {
  it('a service with a cadence that falls silent for longer than 5 minutes opens a service_down incident, once', () => {
    // prepare: checkout reports every minute for 15 minutes
    const { engine, clock } = silenceEngine();
    const lastSeen = regular(engine, clock, 'checkout', 15);

    // act
    clock.now = lastSeen + 5 * MINUTE;
    const atLimit = engine.tick();
    clock.now = lastSeen + 6 * MINUTE;
    const fired = engine.tick();
    clock.now = lastSeen + 20 * MINUTE;
    const later = engine.tick();

    // verify
    expect(atLimit).toEqual({ events: [], linked: [], incidents: [], traceSpans: [] });
    expect(fired.events).toHaveLength(1);
    expect(fired.events[0]).toMatchObject({
      event_type: 'service_unavailable',
      source: 'checkout',
      severity: 'critical',
      message: 'no telemetry from checkout for 6m (expected every ≤ 5m)',
      metadata: { silent_for_seconds: 360, expected_seconds: 300, last_seen: new Date(lastSeen).toISOString() },
      timestamp: clock.now - 14 * MINUTE,
      incident_id: 'inc_00001',
    });
    expect(fired.incidents).toHaveLength(1);
    expect(fired.incidents[0]).toMatchObject({
      incident_id: 'inc_00001',
      incident_type: 'service_down',
      severity: 'critical',
      rule_id: 'service_down',
      affected_components: ['checkout'],
      event_count: 1,
    });
    expect(fired.linked).toEqual(fired.events);
    expect(later.events).toEqual([]);
  });

  it('an outage found by silence does not recover while the service stays silent, and does once it is back', () => {
    const { engine, clock } = silenceEngine({ recovery: { quietPeriodSeconds: 300 } });
    const lastSeen = regular(engine, clock, 'checkout', 15);
    clock.now = lastSeen + 6 * MINUTE;
    expect(engine.tick().incidents).toHaveLength(1);

    for (let minute = 7; minute <= 60; minute++) {
      clock.now = lastSeen + minute * MINUTE;
      expect(engine.tick().incidents, `minute ${minute}`).toEqual([]);
    }
    expect(engine.openIncidents()[0]!.status).toBe('assessing');

    engine.observeServices(['checkout'], clock.now);
    clock.now += MINUTE;
    expect(engine.tick().incidents.map((i) => i.status)).toEqual(['recovering']);
    clock.now += 5 * MINUTE;
    expect(engine.tick().incidents.map((i) => i.status)).toEqual(['resolved']);
  });

  it('resumed telemetry does not repeat the report; a new silence later joins the open incident', () => {
    const { engine, clock } = silenceEngine();
    regular(engine, clock, 'checkout', 15);
    clock.now += 6 * MINUTE;
    expect(engine.tick().events).toHaveLength(1);

    // resumes
    clock.now += 30 * SECOND;
    engine.observeServices(['checkout']);
    expect(engine.tick().events).toEqual([]);
    clock.now += 4 * MINUTE;
    expect(engine.tick().events).toEqual([]);

    // silent again: a second silence, same incident
    clock.now += 2 * MINUTE;
    const second = engine.tick();
    expect(second.events).toHaveLength(1);
    expect(second.incidents.map((i) => [i.incident_id, i.event_count])).toEqual([['inc_00001', 2]]);
  });

  it('one-off telemetry never looks like an outage', () => {
    const { engine, clock } = silenceEngine();
    engine.observeServices(['batch-job']);
    for (let i = 0; i < 24; i++) {
      clock.now += 60 * MINUTE;
      expect(engine.tick().events).toEqual([]);
    }
  });

  it('replayed telemetry (a burst of arrivals) never looks like an outage', () => {
    // prepare: a collector replays an hour of queued telemetry within 90 seconds of arrival time
    const { engine, clock } = silenceEngine();
    for (let i = 0; i < 300; i++) {
      clock.now += 300;
      engine.ingest(burst(1, T0 - 60 * MINUTE + i * 12 * SECOND, 0, { event_type: 'span_ok', severity: 'info', source: 'replayed' }), {
        serviceTotals: new Map([['replayed', { requests: 100, failedRequests: 0 }]]),
      });
    }

    // act + verify
    clock.now += 10 * MINUTE;
    expect(engine.tick().events).toEqual([]);
  });

  it('needs telemetry in at least 10 distinct minutes of the last 30', () => {
    const nine = silenceEngine();
    regular(nine.engine, nine.clock, 'svc', 9);
    nine.clock.now += 10 * MINUTE;
    expect(nine.engine.tick().events).toEqual([]);

    const ten = silenceEngine();
    regular(ten.engine, ten.clock, 'svc', 10);
    ten.clock.now += 10 * MINUTE;
    expect(ten.engine.tick().events).toHaveLength(1);

    // minutes older than the history window do not count
    const old = silenceEngine();
    regular(old.engine, old.clock, 'svc', 9);
    old.clock.now += 40 * MINUTE;
    old.engine.observeServices(['svc']);
    old.clock.now += 10 * MINUTE;
    expect(old.engine.tick().events).toEqual([]);
  });

  it('serviceTotals in ingest count as telemetry arriving at the clock time', () => {
    const { engine, clock } = silenceEngine();
    for (let i = 0; i < 12; i++) {
      clock.now += MINUTE;
      engine.ingest([], { serviceTotals: new Map([['payments', { requests: 10, failedRequests: 0 }]]) });
    }
    clock.now += 5 * MINUTE + SECOND;
    expect(engine.tick().events.map((e) => e.source)).toEqual(['payments']);
  });

  it('per-service expectations override the default; none may be below 60 s', () => {
    const { engine, clock } = silenceEngine({ silence: { expectedIntervalByService: { fast: 60 }, expectedIntervalSeconds: 600 } });
    for (let i = 0; i < 12; i++) {
      clock.now += MINUTE;
      engine.observeServices(['fast', 'slow']);
    }
    clock.now += 2 * MINUTE;
    expect(engine.tick().events.map((e) => [e.source, e.message])).toEqual([
      ['fast', 'no telemetry from fast for 2m (expected every ≤ 1m)'],
    ]);
    expect(() => createEngine({ rules: [], clock, silence: { expectedIntervalByService: { fast: 10 } } })).toThrow(
      /silence\.expectedIntervalByService\.fast: must be a number of seconds ≥ 60/,
    );
    expect(() => createEngine({ rules: [], clock, silence: { expectedIntervalSeconds: 30 } })).toThrow(
      /silence\.expectedIntervalSeconds/,
    );
    expect(() => createEngine({ rules: [], clock, silence: { minActiveMinutes: 40 } })).toThrow(
      /silence\.minActiveMinutes: 40 can never be met/,
    );
  });

  it('joins an open service_down incident of the same service', () => {
    const { engine, clock } = silenceEngine();
    regular(engine, clock, 'auth', 15);
    const down = engine.ingest(burst(5, clock.now, SECOND, { event_type: 'service_unavailable', source: 'auth' }));
    expect(down.incidents).toHaveLength(1);
    clock.now += 6 * MINUTE;
    const result = engine.tick();
    expect(result.incidents.map((i) => [i.incident_id, i.event_count])).toEqual([['inc_00001', 6]]);
  });

  it('can be turned off', () => {
    const { engine, clock } = silenceEngine({ silence: { enabled: false } });
    regular(engine, clock, 'checkout', 15);
    clock.now += 60 * MINUTE;
    expect(engine.tick().events).toEqual([]);
    expect(engine.sizes().servicesWatched).toBe(0);
  });

  it('tracks a bounded number of services', () => {
    const { engine } = silenceEngine({ silence: { maxServices: 3 } });
    engine.observeServices(['a', 'b', 'c', 'd', 'e']);
    expect(engine.sizes().servicesWatched).toBe(3);
  });
});
