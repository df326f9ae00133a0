// Incident statistics: what `firewatch incidents stats` prints (the seed's "Incident Statistics", DESIGN.md's
// `stats` JSON contract), computed from a list of incidents in one pass plus two sorts.
//
//   store.incidents() ──▶ computeStats(incidents, { now, sinceMs: parseSince('24h', now) }) ──▶ IncidentStats (JSON)
//
// Decisions:
// - The window is [sinceMs, now] over `detected_at` (engine clock, the same clock as `now`): "incidents of the last
//   24 hours" means those detected in them. Incidents detected after `now` are left out, so stats taken "as of" a
//   time (simulate, tests) do not count what happened later.
// - `resolved_incidents` counts resolved and closed ones; `active_incidents` every other status; they add up to
//   `total_incidents`. `auto_resolved` + `manual_resolution` = `resolved_incidents` (Incident.auto_resolved).
// - MTTD is averaged over every incident (each has one); MTTR only over resolved or closed incidents with an mttr.
//   Averages and p90 are null when no incident has the value. Averages are rounded to the millisecond (3 decimals).
// - p90 is the nearest-rank percentile: sort ascending, take the value at 1-based rank ⌈0.9 × n⌉. It is always a
//   value that occurred (no interpolation): with n ≤ 9 values it is the largest, n = 10 → rank 9, n = 20 → rank 18.
//   With few incidents p90 is the worst one, which is what an operator asking for it wants to see.
// - `recurrence_rate` is the share of incidents with at least one similar earlier incident, 0–1 with 3 decimals; 0
//   when there are no incidents (nothing recurred), so the field is always a number.

import { isoTime } from '../common/time.js';
import { isOpenStatus, SEVERITIES } from './types.js';
import type { Incident, IncidentType, Severity } from './types.js';

export type IncidentStats = {
  total_incidents: number;
  active_incidents: number;
  /** Resolved plus closed. */
  resolved_incidents: number;
  /** Every severity, zero when none. */
  by_severity: Record<Severity, number>;
  /** Only the types present, in order of first appearance in the input. */
  by_type: Partial<Record<IncidentType, number>>;
  avg_mttd_seconds: number | null;
  avg_mttr_seconds: number | null;
  p90_mttd_seconds: number | null;
  p90_mttr_seconds: number | null;
  /** Resolved or closed, and resolved by the workflow (exit criteria held). */
  auto_resolved: number;
  /** Resolved or closed by a person. */
  manual_resolution: number;
  /** Share (0–1, 3 decimals) of incidents with a non-empty similar_incidents. */
  recurrence_rate: number;
  /** ISO-8601 start of the window; null when all incidents count. */
  since: string | null;
};

export interface StatsOptions {
  /** The time the statistics describe (epoch ms, engine clock): incidents detected later are left out. */
  now: number;
  /** Only incidents detected at or after this time (epoch ms) count; parseSince makes it from `--since`. */
  sinceMs?: number;
}

/** The percentile p90 reports. */
const P90 = 0.9;
/** Nearest-rank percentile of values sorted ascending: the value at 1-based rank ⌈p × n⌉; null when empty. */
export function nearestRank(sortedAscending: readonly number[], p: number): number | null {
  const n = sortedAscending.length;
  if (n === 0) return null;
  const rank = Math.min(n, Math.max(1, Math.ceil(p * n)));
  return sortedAscending[rank - 1] as number;
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

function average(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return roundTo(sum / values.length, 3);
}

function p90(values: number[]): number | null {
  return nearestRank(
    values.sort((a, b) => a - b),
    P90,
  );
}

export function computeStats(incidents: readonly Incident[], options: StatsOptions): IncidentStats {
  const since = options.sinceMs;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byType: Partial<Record<IncidentType, number>> = {};
  const mttds: number[] = [];
  const mttrs: number[] = [];
  let total = 0;
  let active = 0;
  let resolved = 0;
  let auto = 0;
  let recurring = 0;

  for (const incident of incidents) {
    if (since !== undefined && !(incident.detected_at >= since)) continue;
    if (incident.detected_at > options.now) continue;
    total++;
    bySeverity[incident.severity]++;
    byType[incident.incident_type] = (byType[incident.incident_type] ?? 0) + 1;
    if (Number.isFinite(incident.mttd)) mttds.push(incident.mttd);
    if (isOpenStatus(incident.status)) {
      active++;
    } else {
      resolved++;
      if (incident.auto_resolved === true) auto++;
      if (incident.mttr !== null && Number.isFinite(incident.mttr)) mttrs.push(incident.mttr);
    }
    if ((incident.similar_incidents ?? []).length > 0) recurring++; // older stored incidents lack the field
  }

  return {
    total_incidents: total,
    active_incidents: active,
    resolved_incidents: resolved,
    by_severity: bySeverity,
    by_type: byType,
    avg_mttd_seconds: average(mttds),
    avg_mttr_seconds: average(mttrs),
    p90_mttd_seconds: p90(mttds),
    p90_mttr_seconds: p90(mttrs),
    auto_resolved: auto,
    manual_resolution: resolved - auto,
    recurrence_rate: total === 0 ? 0 : roundTo(recurring / total, 3),
    since: since === undefined ? null : isoTime(since),
  };
}
