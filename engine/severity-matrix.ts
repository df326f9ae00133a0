// The seed's "Severity Assignment Matrix" as data: one row per incident type (all fifteen).
//
// Rule-raised incidents take their rule's severity; incidents created by hand (or by anything that is not a rule)
// take `default_severity` from here. `escalates_to` / `escalation_condition` are the seed's "Can Escalate To"
// column, kept verbatim so the escalation logic and the docs/CLI read the same text.

import type { IncidentType, Severity } from './types.js';

export interface SeverityMatrixEntry {
  /** Display name, as the seed's matrix writes it ("Error Burst"); also the start of generated titles. */
  label: string;
  default_severity: Severity;
  /** The severity it may escalate to; null where the seed says "-". */
  escalates_to: Severity | null;
  /** The seed's condition text for escalating ("if > 50% errors"); null where it cannot escalate. */
  escalation_condition: string | null;
}

export const SEVERITY_MATRIX: Readonly<Record<IncidentType, Readonly<SeverityMatrixEntry>>> = {
  error_burst: {
    label: 'Error Burst',
    default_severity: 'high',
    escalates_to: 'critical',
    escalation_condition: 'if > 50% errors',
  },
  service_down: { label: 'Service Down', default_severity: 'critical', escalates_to: null, escalation_condition: null },
  quality_drop: {
    label: 'Quality Drop',
    default_severity: 'medium',
    escalates_to: 'high',
    escalation_condition: 'if < 50% coverage',
  },
  workflow_failure_spike: {
    label: 'Workflow Failure Spike',
    default_severity: 'high',
    escalates_to: 'critical',
    escalation_condition: 'if critical workflows',
  },
  memory_exhaustion: {
    label: 'Memory Exhaustion',
    default_severity: 'critical',
    escalates_to: null,
    escalation_condition: null,
  },
  performance_degradation: {
    label: 'Performance Degradation',
    default_severity: 'medium',
    escalates_to: 'high',
    escalation_condition: 'if > 5x slowdown',
  },
  disk_space_low: {
    label: 'Disk Space Low',
    default_severity: 'high',
    escalates_to: 'critical',
    escalation_condition: 'if < 5% free',
  },
  database_connection_failure: {
    label: 'Database Connection Fail',
    default_severity: 'critical',
    escalates_to: null,
    escalation_condition: null,
  },
  api_rate_limit: {
    label: 'API Rate Limit',
    default_severity: 'medium',
    escalates_to: 'high',
    escalation_condition: 'if prolonged',
  },
  cache_failure: {
    label: 'Cache Failure',
    default_severity: 'low',
    escalates_to: 'medium',
    escalation_condition: 'if prolonged',
  },
  network_partition: {
    label: 'Network Partition',
    default_severity: 'high',
    escalates_to: 'critical',
    escalation_condition: 'if complete',
  },
  deadlock_detected: {
    label: 'Deadlock Detected',
    default_severity: 'high',
    escalates_to: 'critical',
    escalation_condition: 'if critical resources',
  },
  resource_leak: {
    label: 'Resource Leak',
    default_severity: 'medium',
    escalates_to: 'high',
    escalation_condition: 'if prolonged',
  },
  security_breach: {
    label: 'Security Breach',
    default_severity: 'critical',
    escalates_to: null,
    escalation_condition: null,
  },
  data_corruption: {
    label: 'Data Corruption',
    default_severity: 'critical',
    escalates_to: null,
    escalation_condition: null,
  },
};

export function defaultSeverity(type: IncidentType): Severity {
  return SEVERITY_MATRIX[type].default_severity;
}

export function incidentTypeLabel(type: IncidentType): string {
  return SEVERITY_MATRIX[type].label;
}
