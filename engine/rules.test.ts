import { describe, expect, it } from 'vitest';

import { builtinRule, builtinRules, cloneRule } from './builtin-rules.js';
import { ruleToJson } from '../daemon/api-json.js';
import { compileSourcePattern, mergeRules, validateRule, validateRules } from './rule-config.js';
import { customRule, draft, testEngine } from '../test/helpers/engine-fixtures.js';
import type { DetectionRule } from './types.js';

describe('built-in rules', () => {
  it.each([
    ['error_burst', 'Error Burst Detection', 'Detect sudden bursts of errors', 'high', 10, 300, 60],
    ['service_down', 'Service Down Detection', 'Detect when services become unavailable', 'critical', 5, 60, 30],
    ['quality_drop', 'Quality Drop Detection', 'Detect drops in code quality metrics', 'medium', 5, 600, 120],
    ['workflow_failure_spike', 'Workflow Failure Spike', 'Detect spikes in workflow failures', 'high', 8, 300, 60],
    ['memory_exhaustion', 'Memory Exhaustion Detection', 'Detect memory exhaustion issues', 'critical', 3, 120, 30],
    ['performance_degradation', 'Performance Degradation', 'Detect performance degradation', 'medium', 10, 300, 60],
    ['disk_space_low', 'Low Disk Space', 'Detect low disk space', 'high', 3, 300, 60],
    // firewatch's own, reaching the seed matrix's API Rate Limit row
    ['api_rate_limit', 'API Rate Limit Detection', 'Detect calls refused by a rate-limited API (HTTP 429)', 'medium', 10, 300, 60],
  ] as const)('%s has the seed fields', (id, name, description, severity, threshold, window, interval) => {
    expect(builtinRule(id)).toMatchObject({
      rule_id: id,
      name,
      description,
      incident_type: id,
      severity,
      error_threshold: threshold,
      time_window_seconds: window,
      check_interval_seconds: interval,
      require_consecutive: false,
      min_components_affected: 1,
      enabled: true,
      group_by: 'source',
      builtin: true,
    });
  });

  it('match the agreed event types, in the seed order', () => {
    expect(builtinRules().map((r) => [r.rule_id, r.match.event_types])).toEqual([
      ['error_burst', ['error', 'api_error', 'database_connection_error', 'exception', 'timeout_error']],
      ['service_down', ['service_unavailable', 'health_check_failed']],
      ['quality_drop', ['quality_check_failed']],
      ['workflow_failure_spike', ['workflow_failed']],
      ['memory_exhaustion', ['memory_high', 'out_of_memory']],
      ['performance_degradation', ['slow_request', 'high_latency']],
      ['disk_space_low', ['disk_space_low']],
      ['api_rate_limit', ['rate_limited']],
    ]);
  });

  it('are valid and handed out as fresh copies', () => {
    const rules = builtinRules();
    expect(validateRules(rules, 'rules')).toEqual([]);
    rules[0]!.match.event_types.push('mutated');
    expect(builtinRules()[0]!.match.event_types).not.toContain('mutated');
  });
});

describe('validateRule', () => {
  const path = 'processors.detect.rules[2]';
  it.each<[string, (rule: Record<string, unknown>) => void, string]>([
    ['threshold 0', (r) => (r['error_threshold'] = 0), `${path}.error_threshold: must be a positive integer (got 0)`],
    ['fractional threshold', (r) => (r['error_threshold'] = 2.5), `${path}.error_threshold: must be a positive integer`],
    ['window 0', (r) => (r['time_window_seconds'] = 0), `${path}.time_window_seconds: must be a positive number`],
    ['string window', (r) => (r['time_window_seconds'] = '300'), `${path}.time_window_seconds: must be a positive number`],
    ['bad severity', (r) => (r['severity'] = 'HIGH'), `${path}.severity: must be one of info, low, medium, high, critical`],
    ['bad type', (r) => (r['incident_type'] = 'outage'), `${path}.incident_type: must be one of error_burst`],
    ['unknown key', (r) => (r['treshold'] = 5), `${path}.treshold: unknown key`],
    ['empty name', (r) => (r['name'] = ''), `${path}.name: must be a non-empty string`],
    ['bad rule_id', (r) => (r['rule_id'] = 'has space'), `${path}.rule_id: must be 1-64 characters`],
    ['bad group_by', (r) => (r['group_by'] = 'host'), `${path}.group_by: must be one of source`],
    ['enabled not boolean', (r) => (r['enabled'] = 'yes'), `${path}.enabled: must be true or false`],
    ['match not object', (r) => (r['match'] = ['error']), `${path}.match: must be an object with event_types`],
    ['bad event type', (r) => (r['match'] = { event_types: ['error', 3] }), `${path}.match.event_types[1]: must be a non-empty string`],
    ['bad min_severity', (r) => (r['match'] = { event_types: [], min_severity: 'loud' }), `${path}.match.min_severity: must be one of`],
    [
      'min components with source grouping',
      (r) => (r['min_components_affected'] = 2),
      `${path}.min_components_affected: 2 can never be met with group_by 'source'`,
    ],
  ])('names the field: %s', (_name, mutate, message) => {
    // prepare
    const rule: Record<string, unknown> = { ...customRule() };
    mutate(rule);

    // act
    const errors = validateRule(rule, path);

    // verify
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
  });

  it('accepts a valid custom rule, metadata grouping and one window for everything', () => {
    expect(validateRule(customRule(), 'r')).toEqual([]);
    expect(validateRule(customRule({ group_by: 'metadata.region', min_components_affected: 2 }), 'r')).toEqual([]);
    expect(validateRule(customRule({ group_by: '' }), 'r')).toEqual([]);
  });

  it('reports duplicate rule ids', () => {
    expect(validateRules([customRule(), customRule()], 'rules')).toEqual([
      'rules[1].rule_id: duplicate rule_id "custom"',
    ]);
  });
});

describe('mergeRules', () => {
  const path = 'processors.detect.rules';

  it('applies partial overrides keyed by rule_id onto the built-ins', () => {
    // act
    const result = mergeRules(
      { error_burst: { error_threshold: 15, match: { min_severity: 'high' } }, disk_space_low: { enabled: false } },
      path,
    );

    // verify
    expect(result.ok).toBe(true);
    const rules = (result as { ok: true; rules: DetectionRule[] }).rules;
    expect(rules.map((r) => r.rule_id)).toEqual(builtinRules().map((r) => r.rule_id));
    expect(rules[0]).toMatchObject({ error_threshold: 15, time_window_seconds: 300, builtin: true });
    expect(rules[0]!.match).toEqual({ event_types: builtinRules()[0]!.match.event_types, other_errors: true, min_severity: 'high' });
    expect(rules[6]!.enabled).toBe(false);
  });

  it('accepts a list form and custom rules with defaults (match inherited from the built-in of the same type)', () => {
    const result = mergeRules(
      [
        { rule_id: 'error_burst', time_window_seconds: 600 },
        {
          rule_id: 'custom_api_latency',
          name: 'Custom API Latency',
          description: 'Detect high API latency',
          incident_type: 'performance_degradation',
          severity: 'high',
          error_threshold: 15,
          time_window_seconds: 180,
          check_interval_seconds: 30,
          require_consecutive: true,
        },
      ],
      path,
    );
    expect(result.ok).toBe(true);
    const rules = (result as { ok: true; rules: DetectionRule[] }).rules;
    expect(rules).toHaveLength(9);
    expect(rules[0]!.time_window_seconds).toBe(600);
    expect(rules[8]).toEqual({
      rule_id: 'custom_api_latency',
      name: 'Custom API Latency',
      description: 'Detect high API latency',
      incident_type: 'performance_degradation',
      severity: 'high',
      error_threshold: 15,
      time_window_seconds: 180,
      check_interval_seconds: 30,
      require_consecutive: true,
      min_components_affected: 1,
      enabled: true,
      match: { event_types: ['slow_request', 'high_latency'] },
      group_by: 'source',
      builtin: false,
    });
  });

  it.each<[string, unknown, string[]]>([
    [
      'bad override value, list form',
      [{ rule_id: 'error_burst' }, { rule_id: 'service_down' }, { rule_id: 'quality_drop', error_threshold: 0 }],
      [`${path}[2].error_threshold: must be a positive integer (got 0)`],
    ],
    ['unknown key', { error_burst: { threshhold: 3 } }, [`${path}.error_burst.threshhold: unknown key`]],
    ['builtin is not configurable', { error_burst: { builtin: false } }, [`${path}.error_burst.builtin: set by firewatch, not configurable`]],
    [
      'custom rule missing fields',
      { mine: { name: 'Mine' } },
      [
        `${path}.mine.incident_type: required for a custom rule`,
        `${path}.mine.severity: required for a custom rule`,
        `${path}.mine.error_threshold: required for a custom rule`,
        `${path}.mine.time_window_seconds: required for a custom rule`,
      ],
    ],
    [
      'custom rule of a type without a built-in needs match',
      { mine: { name: 'M', incident_type: 'cache_failure', severity: 'low', error_threshold: 3, time_window_seconds: 60 } },
      [`${path}.mine.match: required for a custom rule of type "cache_failure" (no built-in rule of that type to inherit from)`],
    ],
    ['list entry without rule_id', [{ error_threshold: 3 }], [`${path}[0].rule_id: required (got undefined)`]],
    ['key and rule_id disagree', { error_burst: { rule_id: 'other' } }, [`${path}.error_burst.rule_id: "other" differs from its key "error_burst"`]],
    ['not a map or list', 'error_burst', [`${path}: must be a map of rule_id to rule, or a list of rules (got "error_burst")`]],
  ])('reports %s with the key path', (_name, input, errors) => {
    expect(mergeRules(input, path)).toEqual({ ok: false, errors });
  });

  it('treats undefined and null as no overrides, and merges onto any base', () => {
    expect(mergeRules(undefined, path)).toEqual({ ok: true, rules: builtinRules() });
    expect(mergeRules(null, path)).toEqual({ ok: true, rules: builtinRules() });
    const base = [customRule()];
    expect(mergeRules({ custom: { error_threshold: 9 } }, path, base)).toEqual({
      ok: true,
      rules: [customRule({ error_threshold: 9 })],
    });
  });
});

describe('mergeRules, custom rule with a mistyped incident_type', () => {
  it('names the incident_type, not only the missing match', () => {
    const result = mergeRules(
      { mine: { name: 'M', incident_type: 'outage', severity: 'low', error_threshold: 3, time_window_seconds: 60 } },
      'rules',
    );
    expect(result.ok).toBe(false);
    const errors = (result as { ok: false; errors: string[] }).errors;
    expect(errors[0]).toMatch(/^rules\.mine\.incident_type: must be one of error_burst, /);
    expect(errors[1]).toMatch(/^rules\.mine\.match: must be an object with event_types/);
  });
});

describe('match.source_pattern and match.attributes', () => {
  const path = 'processors.detect.rules[0]';

  it.each<[string, Record<string, unknown>, string]>([
    ['empty pattern', { event_types: [], source_pattern: '' }, `${path}.match.source_pattern: must be a glob of 1-256 characters`],
    ['pattern not a string', { event_types: [], source_pattern: 5 }, `${path}.match.source_pattern: must be a glob`],
    ['attributes not a map', { event_types: [], attributes: ['a'] }, `${path}.match.attributes: must be a map of metadata key`],
    ['attribute value an object', { event_types: [], attributes: { region: { eu: 1 } } }, `${path}.match.attributes.region: must be a string, a finite number or a boolean`],
    ['attribute value NaN', { event_types: [], attributes: { code: Number.NaN } }, `${path}.match.attributes.code: must be a string, a finite number or a boolean`],
    ['unknown match key', { event_types: [], source: 'x' }, `${path}.match.source: unknown key (expected one of event_types, min_severity, source_pattern, attributes, other_errors)`],
  ])('names the field: %s', (_name, match, message) => {
    const errors = validateRule({ ...customRule(), match }, path);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
  });

  it.each([
    ['checkout-*', 'checkout-eu', true],
    ['checkout-*', 'checkout-', true],
    ['checkout-*', 'checkout', false],
    ['*-db', 'orders-db', true],
    ['svc-?', 'svc-1', true],
    ['svc-?', 'svc-12', false],
    ['a.b(c)+[d]{e}|^$\\/', 'a.b(c)+[d]{e}|^$\\/', true],
    ['a.b', 'axb', false], // '.' is literal
    ['*', '', true],
    ['Checkout', 'checkout', false], // case-sensitive
  ])('glob %s on source %s → %s', (pattern, source, matches) => {
    expect(compileSourcePattern(pattern).test(source)).toBe(matches);
  });

  it('a rule counts only events whose source matches its pattern and whose metadata has its attributes', () => {
    // prepare
    const rule = customRule({
      error_threshold: 2,
      match: { event_types: ['error'], source_pattern: 'checkout-*', attributes: { status_code: 500, 'http.route': '/pay', retried: false } },
    });
    const { engine } = testEngine({ rules: [rule] });
    const metadata = { status_code: 500, 'http.route': '/pay', retried: false, extra: 'ignored' };

    // act
    const result = engine.ingest([
      draft({ source: 'checkout-eu', metadata }),
      draft({ source: 'payments', metadata }), // source does not match
      draft({ source: 'checkout-eu', metadata: { ...metadata, status_code: '500' } }), // a string is not the number
      draft({ source: 'checkout-eu', metadata: { status_code: 500, 'http.route': '/pay' } }), // retried missing
      draft({ source: 'checkout-eu', metadata }),
    ]);

    // verify
    expect(result.incidents.map((i) => [i.group_key, i.event_count])).toEqual([['checkout-eu', 2]]);
    expect(result.events.map((e) => e.incident_id !== '')).toEqual([true, false, false, false, true]);
  });

  it('require_consecutive: an event the pattern excludes counts as not matching and resets the window', () => {
    const rule = customRule({ error_threshold: 2, require_consecutive: true, group_by: '', match: { event_types: ['error'], source_pattern: 'a*' } });
    const { engine } = testEngine({ rules: [rule] });
    const result = engine.ingest([draft({ source: 'a1' }), draft({ source: 'b1' }), draft({ source: 'a2' })]);
    expect(result.incidents).toEqual([]);
    expect(engine.ingest([draft({ source: 'a3' })]).incidents).toHaveLength(1);
  });

  it('group_by message keeps a window per message; ruleToJson and cloneRule carry the new match fields', () => {
    const rule = customRule({ group_by: 'message', error_threshold: 2, match: { event_types: ['error'], attributes: { tier: 'gold' } } });
    expect(validateRule(rule, 'r')).toEqual([]);
    const { engine } = testEngine({ rules: [rule] });
    const result = engine.ingest([
      draft({ message: 'timeout', metadata: { tier: 'gold' } }),
      draft({ message: 'refused', metadata: { tier: 'gold' } }),
      draft({ message: 'timeout', metadata: { tier: 'gold' } }),
    ]);
    expect(result.incidents.map((i) => i.group_key)).toEqual(['timeout']);
    expect(ruleToJson(rule).match).toEqual({ event_types: ['error'], attributes: { tier: 'gold' } });
    const copy = cloneRule(rule);
    copy.match.attributes!['tier'] = 'silver';
    expect(rule.match.attributes).toEqual({ tier: 'gold' });
  });

  it('mergeRules merges match keys one by one', () => {
    const result = mergeRules({ error_burst: { match: { source_pattern: 'checkout*' } } }, 'rules');
    expect(result.ok).toBe(true);
    expect((result as { ok: true; rules: DetectionRule[] }).rules[0]!.match).toEqual({
      event_types: builtinRules()[0]!.match.event_types,
      other_errors: true,
      source_pattern: 'checkout*',
    });
  });
});
