import { describe, expect, it } from 'vitest';

import { SEVERITY_MATRIX, defaultSeverity } from './severity-matrix.js';
import { INCIDENT_TYPES } from './types.js';

describe('severity matrix', () => {
  it('covers all fifteen incident types', () => {
    expect(Object.keys(SEVERITY_MATRIX).sort()).toEqual([...INCIDENT_TYPES].sort());
  });

  it.each([
    ['error_burst', 'high', 'critical', 'if > 50% errors'],
    ['service_down', 'critical', null, null],
    ['quality_drop', 'medium', 'high', 'if < 50% coverage'],
    ['workflow_failure_spike', 'high', 'critical', 'if critical workflows'],
    ['memory_exhaustion', 'critical', null, null],
    ['performance_degradation', 'medium', 'high', 'if > 5x slowdown'],
    ['disk_space_low', 'high', 'critical', 'if < 5% free'],
    ['database_connection_failure', 'critical', null, null],
    ['api_rate_limit', 'medium', 'high', 'if prolonged'],
    ['cache_failure', 'low', 'medium', 'if prolonged'],
    ['network_partition', 'high', 'critical', 'if complete'],
    ['deadlock_detected', 'high', 'critical', 'if critical resources'],
    ['resource_leak', 'medium', 'high', 'if prolonged'],
    ['security_breach', 'critical', null, null],
    ['data_corruption', 'critical', null, null],
  ] as const)('%s: %s, escalates to %s %s', (type, severity, escalatesTo, condition) => {
    expect(SEVERITY_MATRIX[type]).toMatchObject({
      default_severity: severity,
      escalates_to: escalatesTo,
      escalation_condition: condition,
    });
    expect(defaultSeverity(type)).toBe(severity);
  });
});
