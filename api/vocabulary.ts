// The contract's enumerations: the values a client may see in incident, rule and component JSON, and may send back
// in filters. They mirror the engine's own lists (engine/types.ts); daemon/api-vocabulary.test.ts fails when the
// two drift apart, because api/ may import nothing (the web page loads it as it is).

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Numeric rank of a severity for comparisons (`info` 0 … `critical` 4). */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export const INCIDENT_STATUSES = [
  'detected',
  'assessing',
  'containing',
  'investigating',
  'remediating',
  'recovering',
  'resolved',
  'closed',
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Statuses in which an incident is still open (absorbs events, can be worked). */
export const OPEN_STATUSES: readonly IncidentStatus[] = INCIDENT_STATUSES.filter((s) => s !== 'resolved' && s !== 'closed');

/** `--status active` and `:status active` stand for every open status. */
export const ACTIVE_STATUS = 'active';

export function isOpenStatus(status: string): boolean {
  return status !== 'resolved' && status !== 'closed';
}

/** The seed's incident types (its severity matrix lists fifteen). */
export const INCIDENT_TYPES = [
  'error_burst',
  'service_down',
  'quality_drop',
  'workflow_failure_spike',
  'memory_exhaustion',
  'performance_degradation',
  'disk_space_low',
  'database_connection_failure',
  'api_rate_limit',
  'cache_failure',
  'network_partition',
  'deadlock_detected',
  'resource_leak',
  'security_breach',
  'data_corruption',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

export function isIncidentStatus(value: string): value is IncidentStatus {
  return (INCIDENT_STATUSES as readonly string[]).includes(value);
}

export function isIncidentType(value: string): value is IncidentType {
  return (INCIDENT_TYPES as readonly string[]).includes(value);
}

/** Remediation risk: safe actions run by themselves; medium and high need a named approver. */
export const RISKS = ['safe', 'medium', 'high'] as const;
export type Risk = (typeof RISKS)[number];

/** Component health, worst last (components.ts in daemon/ defines when each applies; the README documents it). */
export const COMPONENT_STATUSES = ['healthy', 'warning', 'degraded', 'down'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** What a token on a remote control door may do: `viewer` reads and watches; `operator` also acts. */
export const ROLES = ['viewer', 'operator'] as const;
export type Role = (typeof ROLES)[number];
