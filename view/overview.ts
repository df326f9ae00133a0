// The seed's dashboard panels as data: the overview numbers (system health, active incidents, resolved today,
// average MTTR), active incidents with their duration, recent activity across incidents, the last 24 h metrics and
// component health, merged over every daemon the state spans. Pure selectors of IncidentsState and `now`.

import type { ComponentJson, ComponentsJson } from '../api/component.js';
import { mergeComponents, mergeStats } from '../api/merge.js';
import type { StatsJson } from '../api/stats.js';
import { SEVERITY_RANK, isOpenStatus, type Severity } from '../api/vocabulary.js';
import { formatDuration, label, parseIsoMs, secondsSince } from './format.js';
import type { IncidentEntry, IncidentsState } from './incidents-state.js';

export type OverviewNumbers = {
  /** Average health_percent of the components (0–100); null before any component is known. */
  system_health: number | null;
  active_incidents: number;
  /** Resolved since local midnight. */
  resolved_today: number;
  /** Mean MTTR (seconds) of the incidents resolved today; null when none. */
  avg_mttr_seconds: number | null;
  /** Incidents waiting for a person: open, unacknowledged. */
  unacknowledged: number;
};

/** Epoch ms of the last local midnight at or before `now` (the viewer's day, as "today" means to a person). */
export function startOfDay(now: number): number {
  const day = new Date(now);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

export function overviewNumbers(state: IncidentsState, now: number): OverviewNumbers {
  const midnight = startOfDay(now);
  let active = 0;
  let unacknowledged = 0;
  let resolvedToday = 0;
  let mttrSum = 0;
  let mttrCount = 0;
  for (const { incident } of state.entries.values()) {
    if (isOpenStatus(incident.status)) {
      active++;
      if (!incident.acknowledged) unacknowledged++;
      continue;
    }
    const resolvedAt = parseIsoMs(incident.resolved_at);
    if (resolvedAt === undefined || resolvedAt < midnight) continue;
    resolvedToday++;
    if (incident.mttr !== null && Number.isFinite(incident.mttr)) {
      mttrSum += incident.mttr;
      mttrCount++;
    }
  }
  const components = mergedComponents(state);
  const health =
    components.length === 0 ? null : components.reduce((sum, component) => sum + component.health_percent, 0) / components.length;
  return {
    system_health: health === null ? null : Math.round(health * 10) / 10,
    active_incidents: active,
    resolved_today: resolvedToday,
    avg_mttr_seconds: mttrCount === 0 ? null : mttrSum / mttrCount,
    unacknowledged,
  };
}

/**
 * Open incidents (those `include` keeps, when given), most severe first, then the longest running: the overview's
 * "Active Incidents" table. Detection times are read once per incident, not per comparison (bench/web.bench.ts: with
 * 1,000 open incidents, Date.parse in the comparator was most of an update's cost in the browser).
 */
export function activeIncidents(state: IncidentsState, include?: (entry: IncidentEntry) => boolean): IncidentEntry[] {
  const open: Array<{ entry: IncidentEntry; detected: number }> = [];
  for (const entry of state.entries.values()) {
    if (!isOpenStatus(entry.incident.status) || (include !== undefined && !include(entry))) continue;
    open.push({ entry, detected: parseIsoMs(entry.incident.detected_at) ?? 0 });
  }
  open.sort(
    (a, b) =>
      SEVERITY_RANK[b.entry.incident.severity] - SEVERITY_RANK[a.entry.incident.severity] ||
      a.detected - b.detected ||
      a.entry.key.localeCompare(b.entry.key),
  );
  return open.map((item) => item.entry);
}

export type ActivityItem = {
  /** ISO time of the step. */
  at: string;
  key: string;
  incident_id: string;
  /** The incident's severity (what the seed's "[CRITICAL]" column shows). */
  severity: Severity;
  /** `Error Burst detected`, `investigating → remediating by alice`, `restart_service succeeded`. */
  text: string;
};

/**
 * The newest steps across incidents (status changes with who and why, remediation actions), newest first: the
 * seed's "Recent Activity". At most `limit`, of the incidents `include` keeps when given; derived from the incidents
 * themselves, so it is the same after a resync. Each step's time is parsed once (see activeIncidents).
 */
export function recentActivity(state: IncidentsState, limit: number, include?: (entry: IncidentEntry) => boolean): ActivityItem[] {
  const items: Array<{ item: ActivityItem; atMs: number }> = [];
  for (const entry of state.entries.values()) {
    if (include !== undefined && !include(entry)) continue;
    const { incident } = entry;
    for (const change of incident.status_history) {
      if (change.at === null) continue;
      const text =
        change.from === null
          ? `${incident.title} ${change.by === 'firewatch' ? 'detected' : `opened by ${change.by}`}`
          : `${change.from} → ${change.to}${change.by === 'firewatch' ? '' : ` by ${change.by}`}${change.reason ? ` (${change.reason})` : ''}`;
      items.push({ item: { at: change.at, key: entry.key, incident_id: incident.incident_id, severity: incident.severity, text }, atMs: parseIsoMs(change.at) ?? 0 });
    }
    for (const action of incident.actions) {
      if (action.at === null) continue;
      items.push({
        item: {
          at: action.at,
          key: entry.key,
          incident_id: incident.incident_id,
          severity: incident.severity,
          text: `${action.action_id} ${action.status}${action.approved_by ? ` (approved by ${action.approved_by})` : ''}`,
        },
        atMs: parseIsoMs(action.at) ?? 0,
      });
    }
  }
  items.sort((a, b) => b.atMs - a.atMs || a.item.key.localeCompare(b.item.key));
  return items.slice(0, Math.max(0, limit)).map(({ item }) => item);
}

/** Statistics summed over the daemons (api/merge.ts); null before any arrived. */
export function mergedStats(state: IncidentsState): StatsJson | null {
  return mergeStats(state.stats.filter((stats): stats is StatsJson => stats !== null));
}

/** Notifications given up on, over every daemon (`notifications list --dead`); null before any stats arrived. */
export function deadLetters(state: IncidentsState): number | null {
  const stats = mergedStats(state);
  return stats === null ? null : (stats.dead_letters ?? 0); // a daemon older than dead-letter counts sends none
}

export type MetricRow = { label: string; value: string; indent?: boolean };

/** The seed's "Incident Metrics (Last 24h)" table. */
export function metricRows(stats: StatsJson | null): MetricRow[] {
  if (stats === null) return [{ label: 'Total Incidents', value: '-' }];
  return [
    { label: 'Total Incidents', value: String(stats.total_incidents) },
    { label: 'By Severity:', value: '' },
    ...(['critical', 'high', 'medium', 'low'] as const).map((severity) => ({
      label: label(severity),
      value: String(stats.by_severity[severity] ?? 0),
      indent: true,
    })),
    { label: 'MTTD (avg)', value: formatDuration(stats.avg_mttd_seconds) },
    { label: 'MTTR (avg)', value: formatDuration(stats.avg_mttr_seconds) },
    { label: 'Auto-Resolved', value: String(stats.auto_resolved) },
    { label: 'Manual Resolution', value: String(stats.manual_resolution) },
  ];
}

/** Components over every daemon (api/merge.ts), worst first. */
export function mergedComponents(state: IncidentsState): ComponentJson[] {
  return mergeComponents(state.components.filter((list): list is ComponentsJson => list !== null)).components;
}

/** A health bar of `cells` cells for 0–100 (`████░░░░░`; `#####.....` in ASCII). */
export function healthBar(percent: number | null, cells: number, ascii = false): string {
  const full = ascii ? '#' : '█';
  const empty = ascii ? '.' : '░';
  if (percent === null || !Number.isFinite(percent)) return empty.repeat(cells);
  const filled = Math.max(0, Math.min(cells, Math.round((percent / 100) * cells)));
  return full.repeat(filled) + empty.repeat(cells - filled);
}

/** Seconds an open incident has been running, as `15m` (the overview's Duration column). */
export function formatIncidentAge(entry: IncidentEntry, now: number): string {
  return formatDuration(secondsSince(entry.incident.detected_at, now));
}
