// Shared builders for the engine's tests (not part of the engine; imported only by *.test.ts).

import { builtinRules } from './builtin-rules.js';
import { createEngine } from './engine.js';
import type { Engine, EngineOptions } from './engine.js';
import type { DetectionRule, EventDraft } from './types.js';

/** 2025-02-05 10:30:00 UTC: the seed's example time. */
export const T0 = Date.UTC(2025, 1, 5, 10, 30, 0);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

export function draft(overrides: Partial<EventDraft> = {}): EventDraft {
  return {
    timestamp: T0,
    event_type: 'error',
    source: 'checkout',
    severity: 'high',
    message: 'POST /api/orders returned 500',
    metadata: {},
    correlation_id: '',
    span_id: '',
    ...overrides,
  };
}

/** `count` drafts `spacingMs` apart starting at `start`, each with a distinct trace ID. */
export function burst(count: number, start: number, spacingMs: number, overrides: Partial<EventDraft> = {}): EventDraft[] {
  return Array.from({ length: count }, (_, i) =>
    draft({ timestamp: start + i * spacingMs, correlation_id: traceId(i), ...overrides }),
  );
}

export function traceId(n: number): string {
  return n.toString(16).padStart(32, '0');
}

export interface TestClock {
  now: number;
  (): number;
}

export function testClock(start: number): TestClock {
  const clock = (() => clock.now) as TestClock;
  clock.now = start;
  return clock;
}

export function testEngine(
  options: Partial<EngineOptions> & { rules?: readonly DetectionRule[] } = {},
  clock: TestClock = testClock(T0 + 10 * MINUTE),
): { engine: Engine; clock: TestClock } {
  const engine = createEngine({ ...options, rules: options.rules ?? builtinRules(), clock });
  return { engine, clock };
}

export function customRule(overrides: Partial<DetectionRule> = {}): DetectionRule {
  return {
    rule_id: 'custom',
    name: 'Custom',
    description: 'A custom rule',
    incident_type: 'error_burst',
    severity: 'high',
    error_threshold: 3,
    time_window_seconds: 60,
    check_interval_seconds: 60,
    require_consecutive: false,
    min_components_affected: 1,
    enabled: true,
    match: { event_types: ['error'] },
    group_by: 'source',
    builtin: false,
    ...overrides,
  };
}
