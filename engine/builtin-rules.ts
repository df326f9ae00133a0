// The seed's seven built-in detection rules, with its exact names, descriptions, severities and thresholds, and
// one of firewatch's own: api_rate_limit, so that the seed's API Rate Limit row of the severity matrix is reached
// from telemetry (a client span answered HTTP 429 is a `rate_limited` event sourced at the API).
//
// The seed leaves out which event types each rule counts; `match.event_types` below is firewatch's choice, aligned
// with the event types the receiver produces (DESIGN.md "Converting telemetry to events").

import type { DetectionRule } from './types.js';

/** Default for `group_by`: windows are kept per event source (`service.name`). */
export const DEFAULT_GROUP_BY = 'source';

const BUILTIN_RULES: readonly Readonly<DetectionRule>[] = [
  {
    rule_id: 'error_burst',
    name: 'Error Burst Detection',
    description: 'Detect sudden bursts of errors',
    incident_type: 'error_burst',
    severity: 'high',
    error_threshold: 10,
    time_window_seconds: 300,
    check_interval_seconds: 60,
    require_consecutive: false,
    min_components_affected: 1,
    enabled: true,
    match: { event_types: ['error', 'api_error', 'database_connection_error', 'exception', 'timeout_error'], other_errors: true },
    group_by: DEFAULT_GROUP_BY,
    builtin: true,
  },
  {
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
    group_by: DEFAULT_GROUP_BY,
    builtin: true,
  },
  {
    rule_id: 'quality_drop',
    name: 'Quality Drop Detection',
    description: 'Detect drops in code quality metrics',
    incident_type: 'quality_drop',
    severity: 'medium',
    error_threshold: 5,
    time_window_seconds: 600,
    check_interval_seconds: 120,
    require_consecutive: false,
    min_components_affected: 1,
    enabled: true,
    match: { event_types: ['quality_check_failed'] },
    group_by: DEFAULT_GROUP_BY,
    builtin: true,
  },
  {
    rule_id: 'workflow_failure_spike',
    name: 'Workflow Failure Spike',
    description: 'Detect spikes in workflow failures',
    incident_type: 'workflow_failure_spike',
    severity: 'high',
    error_threshold: 8,
    time_window_seconds: 300,
    check_interval_seconds: 60,
    require_consecutive: false,
    min_components_affected: 1,
    enabled: true,
    match: { event_types: ['workflow_failed'] },
    group_by: DEFAULT_GROUP_BY,
    builtin: true,
  },
  {
    rule_id: 'memory_exhaustion',
    name: 'Memory Exhaustion Detection',
    description: 'Detect memory exhaustion issues',
    incident_type: 'memory_exhaustion',
    severity: 'critical',
    error_threshold: 3,
    time_window_seconds: 120,
    check_interval_seconds: 30,
    require_consecutive: false,
    min_components_affected: 1,
    enabled: true,
    match: { event_types: ['memory_high', 'out_of_memory'] },
    group_by: DEFAULT_GROUP_BY,
    builtin: true,
  },
  {
    rule_id: 'performance_degradation',
    name: 'Performance Degradation',
    description: 'Detect performance degradation',
    incident_type: 'performance_degradation',
    severity: 'medium',
    error_threshold: 10,
    time_window_seconds: 300,
    check_interval_seconds: 60,
    require_consecutive: false,
    min_components_affected: 1,
    enabled: true,
    match: { event_types: ['slow_request', 'high_latency'] },
    group_by: DEFAULT_GROUP_BY,
    builtin: true,
  },
  {
    rule_id: 'disk_space_low',
    name: 'Low Disk Space',
    description: 'Detect low disk space',
    incident_type: 'disk_space_low',
    severity: 'high',
    error_threshold: 3,
    time_window_seconds: 300,
    check_interval_seconds: 60,
    require_consecutive: false,
    min_components_affected: 1,
    enabled: true,
    match: { event_types: ['disk_space_low'] },
    group_by: DEFAULT_GROUP_BY,
    builtin: true,
  },
  {
    // Not the seed's: its matrix has the type (MEDIUM, HIGH if prolonged) but no rule. Grouped by source, which for
    // `rate_limited` is the API: every caller the API refuses counts toward one incident.
    rule_id: 'api_rate_limit',
    name: 'API Rate Limit Detection',
    description: 'Detect calls refused by a rate-limited API (HTTP 429)',
    incident_type: 'api_rate_limit',
    severity: 'medium',
    error_threshold: 10,
    time_window_seconds: 300,
    check_interval_seconds: 60,
    require_consecutive: false,
    min_components_affected: 1,
    enabled: true,
    match: { event_types: ['rate_limited'] },
    group_by: DEFAULT_GROUP_BY,
    builtin: true,
  },
];

/** A deep copy of one rule (rules are small; callers may mutate what they get). */
export function cloneRule(rule: Readonly<DetectionRule>): DetectionRule {
  const match: DetectionRule['match'] = { event_types: [...rule.match.event_types] };
  if (rule.match.min_severity !== undefined) match.min_severity = rule.match.min_severity;
  if (rule.match.source_pattern !== undefined) match.source_pattern = rule.match.source_pattern;
  if (rule.match.attributes !== undefined) match.attributes = { ...rule.match.attributes };
  if (rule.match.other_errors !== undefined) match.other_errors = rule.match.other_errors;
  return { ...rule, match };
}

/** Fresh copies of the built-in rules: the seed's seven in its order, then firewatch's own. */
export function builtinRules(): DetectionRule[] {
  return BUILTIN_RULES.map(cloneRule);
}

/** The built-in rule with this id (a fresh copy), or undefined. */
export function builtinRule(ruleId: string): DetectionRule | undefined {
  const rule = BUILTIN_RULES.find((r) => r.rule_id === ruleId);
  return rule === undefined ? undefined : cloneRule(rule);
}
