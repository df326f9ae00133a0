// The plans `incidents simulate` sends, checked as data: per type the right mechanism (span kind, status, attributes,
// log severity, gauge values), the event count per component, every event time inside the requested span, spans
// nested inside their parents, and the simulation ID everywhere. sender.test.ts runs the same plans through the
// real receiver and converters.

import { describe, expect, it } from 'vitest';
import {
  chainSpans,
  checkComponents,
  defaultEventsPerComponent,
  defaultTimeSpanSeconds,
  HEALTH_CHECKER_SERVICE,
  planSimulation,
  SIMULATED_TYPES,
  SIMULATION_ID_ATTRIBUTE,
  SIMULATION_PROFILES,
  type SimulatedType,
  type SimulationPlan,
} from './simulations.js';
import { countTelemetry, flattenSpans, type SpanPlan, spreadTimes } from './telemetry-plan.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const SIM = 'sim-0123456789ab';
const SLOW_THRESHOLD_MS = 1000;
const MEMORY_THRESHOLD = 0.9;

function plan(type: SimulatedType, overrides: Partial<Parameters<typeof planSimulation>[0]> = {}): SimulationPlan {
  return planSimulation({ type, simulationId: SIM, components: ['api', 'worker'], eventsPerComponent: 6, timeSpanMs: 30_000, nowMs: NOW, ...overrides });
}

interface PlannedEvent {
  source: string;
  timeMs: number;
  traceIndex: number;
}

/** The events the plan is meant to yield, read the way DESIGN.md's conversion rules read telemetry. */
function plannedEvents(p: SimulationPlan): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  p.traces.forEach((root, traceIndex) => {
    for (const span of flattenSpans(root)) {
      const end = span.startMs + span.durationMs;
      const refused = span.kind === 'client' && span.error !== undefined && /ECONNREFUSED/.test(span.error.message);
      if (refused) events.push({ source: String(span.attributes['peer.service']), timeMs: end, traceIndex });
      else if (span.error !== undefined || span.durationMs > SLOW_THRESHOLD_MS || span.attributes['firewatch.event_type'] !== undefined) {
        events.push({ source: span.service, timeMs: end, traceIndex });
      }
      for (const log of span.logs ?? []) if (log.severity === 'ERROR' || log.severity === 'FATAL') events.push({ source: span.service, timeMs: log.timeMs, traceIndex });
    }
  });
  for (const collection of p.metrics) {
    for (const reading of collection.readings) {
      if (reading.value >= MEMORY_THRESHOLD) events.push({ source: collection.service, timeMs: collection.timeMs, traceIndex: -1 });
    }
  }
  return events;
}

function allSpans(p: SimulationPlan): SpanPlan[] {
  return p.traces.flatMap(flattenSpans);
}

describe('planSimulation', () => {
  describe.each(SIMULATED_TYPES)('%s', (type) => {
    it('yields the requested events per component, all inside the time span', () => {
      const p = plan(type);
      expect(p.eventType).toBe(SIMULATION_PROFILES[type].eventType);
      expect(p.expectedEvents).toEqual({ api: 6, worker: 6 });
      expect(p.eventsTotal).toBe(12);
      const events = plannedEvents(p);
      const bySource: Record<string, number> = {};
      for (const e of events) bySource[e.source] = (bySource[e.source] ?? 0) + 1;
      expect(bySource).toEqual(p.expectedEvents);
      for (const e of events) {
        expect(e.timeMs).toBeGreaterThanOrEqual(NOW - 30_000);
        expect(e.timeMs).toBeLessThanOrEqual(NOW);
      }
      // Spread out, not bunched: the oldest and the newest event are most of the span apart.
      const times = events.map((e) => e.timeMs);
      expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(29_000);
    });

    it('marks every resource-level item with the simulation ID', () => {
      const p = plan(type);
      for (const span of allSpans(p)) {
        expect(span.attributes[SIMULATION_ID_ATTRIBUTE]).toBe(SIM);
        for (const log of span.logs ?? []) expect(log.attributes[SIMULATION_ID_ATTRIBUTE]).toBe(SIM);
      }
      for (const collection of p.metrics) for (const r of collection.readings) expect(r.attributes[SIMULATION_ID_ATTRIBUTE]).toBe(SIM);
    });

    it('nests every span inside its parent', () => {
      const check = (span: SpanPlan) => {
        expect(span.durationMs).toBeGreaterThanOrEqual(0);
        for (const child of span.children ?? []) {
          expect(child.startMs).toBeGreaterThanOrEqual(span.startMs);
          expect(child.startMs + child.durationMs).toBeLessThanOrEqual(span.startMs + span.durationMs);
          check(child);
        }
        for (const log of span.logs ?? []) {
          expect(log.timeMs).toBeGreaterThanOrEqual(span.startMs);
          expect(log.timeMs).toBeLessThanOrEqual(span.startMs + span.durationMs);
        }
      };
      for (const root of plan(type, { components: Array.from({ length: 16 }, (_, i) => `svc-${i}`) }).traces) check(root);
    });

    it('puts the events of one operation of every component in one trace, when spans carry them', () => {
      const p = plan(type);
      const events = plannedEvents(p);
      if (!SIMULATION_PROFILES[type].sharesTraces) {
        expect(p.traces).toEqual([]);
        return;
      }
      const perTrace = new Map<number, Set<string>>();
      for (const e of events) perTrace.set(e.traceIndex, (perTrace.get(e.traceIndex) ?? new Set()).add(e.source));
      expect(perTrace.size).toBe(6);
      for (const sources of perTrace.values()) expect([...sources].sort()).toEqual(['api', 'worker']);
    });

    it('is deterministic for one simulation ID', () => {
      expect(plan(type)).toEqual(plan(type));
    });
  });

  it('error_burst: failed 500 server spans among twice as many successful ones', () => {
    const spans = allSpans(plan('error_burst'));
    const failed = spans.filter((s) => s.error !== undefined);
    const ok = spans.filter((s) => s.error === undefined);
    expect(failed).toHaveLength(12);
    expect(ok).toHaveLength(24);
    for (const s of failed) expect(s).toMatchObject({ kind: 'server', attributes: { 'http.response.status_code': 500 } });
    for (const s of ok) expect(s).toMatchObject({ kind: 'server', attributes: { 'http.response.status_code': 200 } });
    for (const s of spans) expect(s.durationMs).toBeLessThan(SLOW_THRESHOLD_MS);
    // Nothing the converter would read as another event type.
    for (const s of spans) expect(s.attributes['db.system']).toBeUndefined();
  });

  it('service_down: refused client probes from the health checker, naming each component as peer', () => {
    const p = plan('service_down');
    for (const root of p.traces) {
      expect(root).toMatchObject({ service: HEALTH_CHECKER_SERVICE, kind: 'internal' });
      expect(root.error).toBeUndefined();
      expect(root.children!.map((c) => c.attributes['peer.service'])).toEqual(['api', 'worker']);
      for (const probe of root.children!) {
        expect(probe).toMatchObject({ service: HEALTH_CHECKER_SERVICE, kind: 'client', attributes: { 'error.type': 'ECONNREFUSED' } });
        expect(probe.error!.message).toMatch(/ECONNREFUSED/);
      }
    }
  });

  it('quality_drop: ERROR logs typed quality_check_failed, with coverage the engine does not escalate', () => {
    const spans = allSpans(plan('quality_drop'));
    for (const span of spans) {
      expect(span.error).toBeUndefined();
      expect(span.durationMs).toBeLessThan(SLOW_THRESHOLD_MS);
      expect(span.logs).toHaveLength(1);
      const log = span.logs![0]!;
      expect(log).toMatchObject({ severity: 'ERROR', attributes: { 'firewatch.event_type': 'quality_check_failed', metric: 'coverage', threshold: 80 } });
      expect(log.attributes.value).toBeGreaterThanOrEqual(50);
      expect(log.attributes.value).toBeLessThan(80);
    }
  });

  it('workflow_failure_spike: failed spans typed workflow_failed, none slow', () => {
    for (const span of allSpans(plan('workflow_failure_spike'))) {
      expect(span.attributes['firewatch.event_type']).toBe('workflow_failed');
      expect(span.error).toBeDefined();
      expect(span.durationMs).toBeLessThan(SLOW_THRESHOLD_MS);
    }
  });

  it('performance_degradation: successful server spans over the slow threshold at every hop', () => {
    for (const span of allSpans(plan('performance_degradation'))) {
      expect(span).toMatchObject({ kind: 'server', attributes: { 'http.response.status_code': 200 } });
      expect(span.error).toBeUndefined();
      expect(span.durationMs).toBeGreaterThan(SLOW_THRESHOLD_MS);
    }
  });

  it('memory_exhaustion: used memory climbing over 90 % per component, free memory reported beside it', () => {
    const p = plan('memory_exhaustion');
    expect(p.metrics).toHaveLength(12);
    const api = p.metrics.filter((c) => c.service === 'api');
    expect(api.map((c) => c.timeMs)).toEqual(spreadTimes(6, NOW - 30_000, NOW));
    const used = api.map((c) => c.readings.find((r) => r.attributes['system.memory.state'] === 'used')!.value);
    expect(used[0]).toBeGreaterThanOrEqual(0.9);
    expect(used).toEqual([...used].sort((a, b) => a - b));
    for (const c of p.metrics) {
      const free = c.readings.find((r) => r.attributes['system.memory.state'] === 'free')!;
      expect(free).toMatchObject({ metric: 'system.memory.utilization', unit: '1' });
      expect(free.value).toBeLessThan(0.1);
    }
  });

  it('disk_space_low: filesystem utilization over 90 % but with more than 5 % free (no escalation)', () => {
    for (const c of plan('disk_space_low').metrics) {
      expect(c.readings).toHaveLength(1);
      const [reading] = c.readings;
      expect(reading!.metric).toBe('system.filesystem.utilization');
      expect(reading!.value).toBeGreaterThanOrEqual(0.9);
      expect(reading!.value).toBeLessThanOrEqual(0.95);
    }
  });

  it('with a zero time span puts every operation at the same instant', () => {
    const p = plan('error_burst', { timeSpanMs: 0, eventsPerComponent: 3 });
    expect(new Set(p.traces.map((t) => t.startMs + t.durationMs))).toEqual(new Set([NOW]));
  });

  it('counts what it sends', () => {
    expect(countTelemetry(plan('quality_drop'))).toEqual({ spans: 12, logs: 12, points: 0 });
    expect(countTelemetry(plan('disk_space_low'))).toEqual({ spans: 0, logs: 0, points: 12 });
  });

  it('refuses what the command should have refused', () => {
    expect(() => plan('error_burst', { components: [] })).toThrow(/components/);
    expect(() => plan('error_burst', { eventsPerComponent: 0 })).toThrow(/eventsPerComponent/);
    expect(() => plan('error_burst', { eventsPerComponent: 2.5 })).toThrow(/eventsPerComponent/);
    expect(() => plan('error_burst', { timeSpanMs: -1 })).toThrow(/timeSpanMs/);
  });
});

describe('defaults', () => {
  it('sends the threshold plus two, over half the window (at most a minute)', () => {
    expect(defaultEventsPerComponent(10)).toBe(12);
    expect(defaultTimeSpanSeconds(300)).toBe(60);
    expect(defaultTimeSpanSeconds(60)).toBe(30);
    expect(defaultTimeSpanSeconds(1)).toBe(1);
  });

  it('uses a pair of components for span and log types and one for metric types', () => {
    expect(SIMULATION_PROFILES.error_burst.defaultComponents).toEqual(['api', 'worker']);
    expect(SIMULATION_PROFILES.memory_exhaustion.defaultComponents).toEqual(['worker']);
  });
});

describe('checkComponents', () => {
  it.each([
    [[], /at least one/],
    [['a', 'a'], /named twice/],
    [['a b'], /letters, digits/],
    [['\u001b[31mred'], /letters, digits/],
    [[HEALTH_CHECKER_SERVICE], /simulator's own/],
    [['x'.repeat(101)], /at most 100/],
    [Array.from({ length: 17 }, (_, i) => `s${i}`), /at most 16/],
  ])('refuses %j', (components, message) => {
    expect(checkComponents(components)).toMatch(message);
  });

  it('accepts service-like names', () => {
    expect(checkComponents(['api', 'payments-v2', 'db.primary', 'ns/worker', 'zürich_1'])).toBeNull();
  });
});

describe('chainSpans', () => {
  it('makes each component the child of the one before, ending 1 ms before it', () => {
    const root = chainSpans(['a', 'b', 'c'], 10_000, (service) => ({ service, name: service, kind: 'server', durationMs: 100, attributes: {} }));
    const spans = flattenSpans(root);
    expect(spans.map((s) => s.service)).toEqual(['a', 'b', 'c']);
    expect(spans.map((s) => s.startMs + s.durationMs)).toEqual([10_000, 9_999, 9_998]);
  });
});

describe('spreadTimes', () => {
  it('spreads evenly, oldest first, ending at the upper bound', () => {
    expect(spreadTimes(5, 0, 100)).toEqual([0, 25, 50, 75, 100]);
    expect(spreadTimes(1, 0, 100)).toEqual([100]);
    expect(spreadTimes(0, 0, 100)).toEqual([]);
  });
});
