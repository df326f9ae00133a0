// The incident list every front end shows (the TUI's Incidents screen, the web page's table): the incidents of a
// state that pass a filter, in one order — open before ended, most severe first, newest first — so the same
// incident is in the same place everywhere. Pure; the filter is compiled once per call.

import { SEVERITY_RANK, isOpenStatus } from '../api/vocabulary.js';
import { compileFilter, type IncidentFilter } from './filters.js';
import { parseIsoMs } from './format.js';
import type { IncidentEntry, IncidentsState } from './incidents-state.js';

export function compareIncidentEntries(a: IncidentEntry, b: IncidentEntry): number {
  const openA = isOpenStatus(a.incident.status);
  const openB = isOpenStatus(b.incident.status);
  if (openA !== openB) return openA ? -1 : 1;
  return (
    SEVERITY_RANK[b.incident.severity] - SEVERITY_RANK[a.incident.severity] ||
    (parseIsoMs(b.incident.detected_at) ?? 0) - (parseIsoMs(a.incident.detected_at) ?? 0) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

/** The entries passing `filter` at `now`, in list order. */
export function incidentList(state: IncidentsState, filter: IncidentFilter, now: number): IncidentEntry[] {
  const matches = compileFilter(filter, now);
  const rows: IncidentEntry[] = [];
  for (const entry of state.entries.values()) if (matches(entry.incident)) rows.push(entry);
  return rows.sort(compareIncidentEntries);
}
