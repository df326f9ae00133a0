import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinRule } from '../engine/builtin-rules.js';
import type { DetectionRule } from '../engine/types.js';
import { createSignalConverters, createSignalRoutes } from '../receiver/export-pipeline.js';
import { evaluateRule, parseTestEvents, sampleEvents, TestInputError } from './rule-test.js';

const routes = createSignalRoutes(createSignalConverters({ spanConverter: {}, logConverter: {}, metricConverter: {} }, 'test'));
const errorBurst = builtinRule('error_burst') as DetectionRule;
const T0 = Date.parse('2025-02-05T10:30:00Z');

describe('test-rule', () => {
  it('sample events fire every built-in rule exactly at its threshold', () => {
    for (const ruleId of ['error_burst', 'service_down', 'quality_drop', 'workflow_failure_spike', 'memory_exhaustion', 'performance_degradation', 'disk_space_low', 'api_rate_limit']) {
      const rule = builtinRule(ruleId) as DetectionRule;
      const events = sampleEvents(rule, T0);
      const result = evaluateRule(rule, events);
      expect(result, ruleId).toMatchObject({ would_fire: true, fired_at: new Date(T0).toISOString(), matched_events: rule.error_threshold });
      expect(evaluateRule(rule, events.slice(1)).would_fire, ruleId).toBe(false);
    }
  });

  it('says why a rule does not fire', () => {
    const events = sampleEvents(errorBurst, T0).map((event, i) => ({ ...event, timestamp: T0 + i * 60_000 }));
    expect(evaluateRule(errorBurst, events).reason).toBe(
      'at most 6 matching events fall within any 300s window, below the threshold of 10; 10 of 10 events match',
    );
    const other = events.map((event) => ({ ...event, event_type: 'cache_miss', severity: 'low' as const }));
    expect(evaluateRule(errorBurst, other).reason).toMatch(/^none of the 10 events match \(it counts event types /);
    expect(evaluateRule({ ...errorBurst, enabled: false }, sampleEvents(errorBurst, T0)).reason).toContain('the rule is disabled');
  });

  it('reads IncidentEvents with ISO or epoch timestamps, and refuses what is not one', () => {
    const drafts = parseTestEvents(
      JSON.stringify([
        { timestamp: '2025-02-05T10:30:00Z', event_type: 'api_error', source: 'api', severity: 'HIGH', message: 'x', metadata: { a: 1, nested: { b: 2 } } },
        { timestamp: T0 + 1, event_type: 'api_error' },
      ]),
      routes,
    );
    expect(drafts[0]).toMatchObject({ timestamp: T0, severity: 'high', metadata: { a: 1 } });
    expect(drafts[0]!.metadata).not.toHaveProperty('nested');
    expect(drafts[1]).toMatchObject({ timestamp: T0 + 1, source: '', severity: 'high' });
    expect(() => parseTestEvents('[{"event_type": 3, "timestamp": 1}]', routes)).toThrow('item 0');
    expect(() => parseTestEvents('', routes)).toThrow('the events file is empty');
    expect(() => parseTestEvents('{"resourceSpans": "nope"}', routes)).toThrow(/not a valid OTLP\/JSON traces request/);
  });

  it('any input either parses or fails with a TestInputError (fuzz)', () => {
    const jsonish = fc.oneof(
      fc.string(),
      fc.json(),
      fc.array(fc.record({ timestamp: fc.oneof(fc.string(), fc.integer()), event_type: fc.string(), severity: fc.string() })).map((v) => JSON.stringify(v)),
      fc.array(fc.json(), { maxLength: 5 }).map((lines) => lines.join('\n')),
    );
    fc.assert(
      fc.property(jsonish, (text) => {
        try {
          parseTestEvents(text, routes);
        } catch (error) {
          expect(error).toBeInstanceOf(TestInputError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('test-rule agrees with the daemon', () => {
  it('other_errors does not count event types another rule owns', () => {
    const quality = Array.from({ length: 12 }, (_, i) => ({
      timestamp: T0 + i * 1000,
      event_type: 'quality_check_failed',
      source: 'etl',
      severity: 'high' as const,
      message: 'row count mismatch',
      metadata: {},
      correlation_id: '',
      span_id: '',
    }));
    expect(evaluateRule(errorBurst, quality, [builtinRule('quality_drop') as DetectionRule]).would_fire).toBe(false);
    expect(evaluateRule(builtinRule('quality_drop') as DetectionRule, quality, [errorBurst]).would_fire).toBe(true);
  });
});
