// The seed's "Component Health" from what the engine already knows (pure): each service's requests and failures over a
// recent window, whether silence detection finds it silent, and the open incidents that affect it.
//
//   down      silent now (its telemetry stopped past its expected interval), or the primary source of an open
//             service_down incident (the unreachable peer)
//   degraded  an open high or critical incident affects it, or ≥ 25 % of its requests failed in the window
//   warning   an open low or medium incident affects it, or ≥ 5 % of its requests failed in the window
//   healthy   none of the above
//
// health_percent is the share of its requests that succeeded in the window, 0 when down, and 100 when it served fewer
// requests than make a rate (MIN_REQUESTS_FOR_RATE); the README's "Component health" section says the same.

import type { ComponentJson, ComponentsJson } from '../api/component.js';
import { isoTime } from '../common/time.js';
import { SEVERITY_RANK, type Incident, type ServiceActivity, type Severity } from '../engine/index.js';

export const COMPONENT_WINDOW_SECONDS = 300;
export const DEGRADED_ERROR_RATE = 0.25;
export const WARNING_ERROR_RATE = 0.05;
/** Fewer requests than this in the window say nothing about an error rate. */
export const MIN_REQUESTS_FOR_RATE = 5;
/** At most this many components listed (the engine's own bounds keep it far below in practice). */
const MAX_COMPONENTS = 10_000;

interface IncidentLoad {
  open: number;
  worst: Severity | null;
  /** The primary source of an open service_down incident. */
  down: boolean;
}

export function componentHealth(
  activity: readonly ServiceActivity[],
  openIncidents: readonly Incident[],
  windowSeconds: number,
  options: { sinceMs?: number } = {},
): ComponentsJson {
  const load = new Map<string, IncidentLoad>();
  const loadOf = (component: string) => {
    let entry = load.get(component);
    if (entry === undefined) load.set(component, (entry = { open: 0, worst: null, down: false }));
    return entry;
  };
  for (const incident of openIncidents) {
    for (const component of incident.affected_components) {
      const entry = loadOf(component);
      entry.open++;
      if (entry.worst === null || SEVERITY_RANK[incident.severity] > SEVERITY_RANK[entry.worst]) entry.worst = incident.severity;
    }
    if (incident.incident_type === 'service_down' && incident.root_cause.primary_source !== '') loadOf(incident.root_cause.primary_source).down = true;
  }
  const seen = new Map<string, ServiceActivity>();
  for (const service of activity) seen.set(service.service, service);
  const names = new Set<string>([...seen.keys(), ...load.keys()]);
  const components: ComponentJson[] = [];
  for (const name of names) {
    const service = seen.get(name);
    if (options.sinceMs !== undefined && !((service?.lastSeenMs ?? Number.NEGATIVE_INFINITY) >= options.sinceMs) && !load.has(name)) continue;
    components.push(describe(name, service, load.get(name), windowSeconds));
    if (components.length >= MAX_COMPONENTS) break;
  }
  const rank = { down: 3, degraded: 2, warning: 1, healthy: 0 } as const;
  components.sort((a, b) => rank[b.status] - rank[a.status] || a.health_percent - b.health_percent || a.component.localeCompare(b.component));
  return { window_seconds: windowSeconds, components };
}

function describe(name: string, service: ServiceActivity | undefined, load: IncidentLoad | undefined, windowSeconds: number): ComponentJson {
  const requests = service?.requests ?? 0;
  const errors = service?.errors ?? 0;
  const rate = requests >= MIN_REQUESTS_FOR_RATE ? errors / requests : null;
  const open = load?.open ?? 0;
  const worst = load?.worst ?? null;
  const worstRank = worst === null ? -1 : SEVERITY_RANK[worst];
  let status: ComponentJson['status'] = 'healthy';
  let reason = requests > 0 ? `${requests} requests, ${errors} failed` : 'no requests seen in the window';
  if (service?.silent) {
    status = 'down';
    reason = 'silent past its expected interval';
  } else if (load?.down) {
    status = 'down';
    reason = 'unreachable (an open service_down incident)';
  } else if (worstRank >= SEVERITY_RANK.high || (rate !== null && rate >= DEGRADED_ERROR_RATE)) {
    status = 'degraded';
    reason = worstRank >= SEVERITY_RANK.high ? `${open} open incident${open === 1 ? '' : 's'}, worst ${worst}` : `${percent(rate!)} of requests failed`;
  } else if (worstRank >= SEVERITY_RANK.low || (rate !== null && rate >= WARNING_ERROR_RATE)) {
    status = 'warning';
    reason = worstRank >= SEVERITY_RANK.low ? `${open} open incident${open === 1 ? '' : 's'}, worst ${worst}` : `${percent(rate!)} of requests failed`;
  }
  const success = rate === null ? 100 : (1 - rate) * 100;
  return {
    component: name,
    status,
    reason,
    open_incidents: open,
    worst_severity: worst,
    health_percent: status === 'down' ? 0 : Math.round(success * 10) / 10,
    error_rate: requests === 0 ? null : Math.round((errors / requests) * 1000) / 1000,
    requests_per_minute: Math.round((requests / (windowSeconds / 60)) * 10) / 10,
    last_seen: service?.lastSeenMs === null || service === undefined ? null : isoTime(service.lastSeenMs),
  };
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}
