// Several daemons' answers as one (DESIGN.md "Growing past one machine"): statistics summed, components merged by
// name. Pure and import-free beside the contract's types, so the fleet client (control/) and the view model (view/)
// merge the same way.

import type { ComponentJson, ComponentsJson } from './component.js';
import type { StatsJson } from './stats.js';
import { COMPONENT_STATUSES, SEVERITIES, SEVERITY_RANK } from './vocabulary.js';

/** Statistics summed over daemons (averages weighted by their counts; a p90 is the worst daemon's); null for none. */
export function mergeStats(all: readonly StatsJson[]): StatsJson | null {
  if (all.length === 0) return null;
  if (all.length === 1) return all[0]!;
  const sum = (pick: (stats: StatsJson) => number) => all.reduce((total, stats) => total + pick(stats), 0);
  const weighted = (value: (s: StatsJson) => number | null, weight: (s: StatsJson) => number) => {
    let total = 0;
    let weights = 0;
    for (const stats of all) {
      const v = value(stats);
      if (v === null) continue;
      total += v * weight(stats);
      weights += weight(stats);
    }
    return weights === 0 ? null : total / weights;
  };
  const bySeverity = Object.fromEntries([...SEVERITIES].reverse().map((severity) => [severity, sum((s) => s.by_severity[severity] ?? 0)])) as StatsJson['by_severity'];
  const byType: Record<string, number> = {};
  for (const stats of all) for (const [type, count] of Object.entries(stats.by_type)) byType[type] = (byType[type] ?? 0) + count;
  const total = sum((s) => s.total_incidents);
  return {
    total_incidents: total,
    active_incidents: sum((s) => s.active_incidents),
    resolved_incidents: sum((s) => s.resolved_incidents),
    by_severity: bySeverity,
    by_type: Object.fromEntries(Object.entries(byType).sort((a, b) => b[1] - a[1])),
    avg_mttd_seconds: weighted((s) => s.avg_mttd_seconds, (s) => s.total_incidents),
    avg_mttr_seconds: weighted((s) => s.avg_mttr_seconds, (s) => s.resolved_incidents),
    // A percentile does not sum: the worst daemon's p90 is an upper bound an operator can act on.
    p90_mttd_seconds: maxOf(all.map((s) => s.p90_mttd_seconds)),
    p90_mttr_seconds: maxOf(all.map((s) => s.p90_mttr_seconds)),
    auto_resolved: sum((s) => s.auto_resolved),
    manual_resolution: sum((s) => s.manual_resolution),
    recurrence_rate: total === 0 ? 0 : Math.round((sum((s) => s.recurrence_rate * s.total_incidents) / total) * 1000) / 1000,
    dead_letters: sum((s) => s.dead_letters ?? 0),
    since: all[0]!.since,
  };
}

function maxOf(values: Array<number | null>): number | null {
  const known = values.filter((value): value is number => value !== null);
  return known.length === 0 ? null : Math.max(...known);
}

/**
 * Components over daemons: one row per name (a service routed to one daemon appears once; should two daemons report
 * it, the worse status wins and counts add up), worst first, then by name.
 */
export function mergeComponents(all: readonly ComponentsJson[]): ComponentsJson {
  const byName = new Map<string, ComponentJson>();
  for (const list of all) {
    for (const component of list.components) {
      const seen = byName.get(component.component);
      byName.set(component.component, seen === undefined ? component : combine(seen, component));
    }
  }
  const components = [...byName.values()].sort(
    (a, b) => statusRank(b.status) - statusRank(a.status) || a.health_percent - b.health_percent || a.component.localeCompare(b.component),
  );
  return { window_seconds: Math.max(0, ...all.map((list) => list.window_seconds)), components };
}

function statusRank(status: ComponentJson['status']): number {
  return COMPONENT_STATUSES.indexOf(status);
}

function combine(a: ComponentJson, b: ComponentJson): ComponentJson {
  const worse = statusRank(b.status) > statusRank(a.status) ? b : a;
  const requests = a.requests_per_minute + b.requests_per_minute;
  const errorRate =
    a.error_rate === null ? b.error_rate : b.error_rate === null ? a.error_rate
      : requests === 0 ? Math.max(a.error_rate, b.error_rate)
        : (a.error_rate * a.requests_per_minute + b.error_rate * b.requests_per_minute) / requests;
  const worstSeverity =
    a.worst_severity === null ? b.worst_severity : b.worst_severity === null ? a.worst_severity
      : SEVERITY_RANK[a.worst_severity] >= SEVERITY_RANK[b.worst_severity] ? a.worst_severity : b.worst_severity;
  const seen = (component: ComponentJson) => (component.last_seen === null ? Number.NEGATIVE_INFINITY : Date.parse(component.last_seen));
  return {
    component: a.component,
    status: worse.status,
    reason: worse.reason,
    open_incidents: a.open_incidents + b.open_incidents,
    worst_severity: worstSeverity,
    health_percent: Math.min(a.health_percent, b.health_percent),
    error_rate: errorRate,
    requests_per_minute: requests,
    last_seen: seen(a) >= seen(b) ? a.last_seen : b.last_seen,
  };
}
