// The seed's built-in remediation actions and its per-type recommendations (its "Auto-Remediation Scenarios").
//
// Built-in actions carry no effect: what "scale up" or "restart" means is the operator's (a script, an HTTP call
// to their orchestrator), configured under `remediation.actions` by id. Until then they are listed and recommended,
// and a run records `skipped: no command or http configured for <id>`.

import type { ActionDefinition } from './types.js';
import { type IncidentType } from '../engine/index.js';

/** Defaults every action starts from (built-in or added by the file). */
export const ACTION_DEFAULTS = {
  timeout_seconds: 60,
  cooldown_seconds: 300,
  max_auto_runs: 3,
  backoff_multiplier: 2,
  failure_threshold: 3,
  reset_seconds: 600,
} as const;

function builtin(
  id: string,
  description: string,
  risk: ActionDefinition['risk'],
  applies_to: IncidentType[],
): ActionDefinition {
  return {
    id,
    description,
    risk,
    applies_to,
    command: null,
    http: null,
    env: {},
    timeout_seconds: ACTION_DEFAULTS.timeout_seconds,
    cooldown_seconds: ACTION_DEFAULTS.cooldown_seconds,
    max_auto_runs: ACTION_DEFAULTS.max_auto_runs,
    backoff_multiplier: ACTION_DEFAULTS.backoff_multiplier,
    circuit_breaker: {
      failure_threshold: ACTION_DEFAULTS.failure_threshold,
      reset_seconds: ACTION_DEFAULTS.reset_seconds,
    },
    approvers: null,
  };
}

/**
 * The seed's actions. Risk levels follow its scenarios: restart_service runs "with approved_by" there (medium),
 * although its strategy table calls a restart low risk; rollback_deployment is medium in the table. applies_to
 * is where the scenarios (and the strategy table's "when to use") put them; rollback applies to any incident.
 */
export function builtinActions(): ActionDefinition[] {
  return [
    builtin('scale_up', 'Scale up resources (memory/CPU, connection pools)', 'safe', [
      'service_down',
      'memory_exhaustion',
      'performance_degradation',
      'database_connection_failure',
      'resource_leak',
    ]),
    builtin('clear_cache', 'Clear application caches', 'safe', ['error_burst', 'performance_degradation', 'cache_failure']),
    builtin('kill_zombie_processes', 'Kill zombie processes', 'safe', ['memory_exhaustion', 'resource_leak']),
    builtin('restart_service', 'Restart the affected service', 'medium', ['service_down', 'error_burst', 'deadlock_detected']),
    builtin('rollback_deployment', 'Roll back the most recent deployment', 'medium', []),
  ];
}

/** Actions recommended per incident type, in the order containment runs them (the seed's ten scenarios). */
export const DEFAULT_RECOMMENDATIONS: Readonly<Record<IncidentType, readonly string[]>> = {
  error_burst: ['clear_cache', 'restart_service'],
  service_down: ['scale_up', 'restart_service'],
  quality_drop: [],
  workflow_failure_spike: [],
  memory_exhaustion: ['scale_up', 'kill_zombie_processes'],
  performance_degradation: ['scale_up', 'clear_cache'],
  disk_space_low: [],
  database_connection_failure: ['scale_up'],
  api_rate_limit: [],
  cache_failure: ['clear_cache'],
  network_partition: [],
  deadlock_detected: [],
  resource_leak: [],
  security_breach: [],
  data_corruption: [],
};

const MANUAL_STEPS: Readonly<Record<IncidentType, readonly string[]>> = {
  error_burst: [],
  service_down: [],
  quality_drop: [],
  workflow_failure_spike: [],
  memory_exhaustion: [],
  performance_degradation: [],
  disk_space_low: ['Clear log files', 'Clear old cache data', 'Compress old data', 'Add storage', 'Archive old data'],
  database_connection_failure: ['Check database status', 'Restart the database if needed'],
  api_rate_limit: ['Implement backoff and retry', 'Increase the rate limit quota', 'Cache API responses'],
  cache_failure: [],
  network_partition: ['Fix network connectivity', 'Restart networking'],
  deadlock_detected: [],
  resource_leak: [],
  security_breach: ['Lock down affected systems', 'Preserve evidence', 'Notify the security team', 'Initiate incident response'],
  data_corruption: [],
};

/** What people must do by hand for this type of incident (the seed's "manual action required"), in order. */
export function manualSteps(type: IncidentType): readonly string[] {
  return MANUAL_STEPS[type];
}
