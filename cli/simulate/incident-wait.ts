// Which incidents a run of simulated telemetry caused, and waiting for them through the control API.
//
//   before sending   snapshotOpen(list) ─▶ open incidents that already cover the simulated sources, with their
//                                          event counts (the engine keeps one open incident per rule and source:
//                                          simulated events of such a source join it instead of raising a new one)
//   after sending    waitForIncidents(list) polls until every source is covered by an incident the run caused:
//                      new     detected at or after the start of the send, or holding one of the run's traces
//                      joined  open before, and it grew (holds one of the run's traces, or its event count rose)
//
// Metric events carry no trace, so for them "caused" rests on time and components; span and log events are
// recognised by their trace IDs, which are fresh for every run.

import type { IncidentJson } from '../../api/incident.js';

export interface IncidentExpectation {
  /** Only incidents of these types (all types when empty). */
  incidentTypes: readonly string[];
  /** The simulated sources: components of the incidents expected. */
  sources: readonly string[];
  /** Trace IDs (hex) of the run's telemetry. */
  traceIds: ReadonlySet<string>;
  /** Epoch ms when the send began. */
  startedAtMs: number;
  /** Open incidents covering the sources before the send: incident_id → event_count. */
  openBefore: ReadonlyMap<string, number>;
}

export type Causation = 'new' | 'joined';

export interface CausedIncident {
  incident: IncidentJson;
  causation: Causation;
}

function componentsOf(incident: IncidentJson): string[] {
  return Array.isArray(incident.affected_components) ? (incident.affected_components as string[]) : [];
}

function isOpen(incident: IncidentJson): boolean {
  return incident.status !== 'resolved' && incident.status !== 'closed';
}

/** Open incidents of the expected types that already cover one of the sources: incident_id → event_count. */
export function openIncidentsCovering(incidents: readonly IncidentJson[], expectation: Pick<IncidentExpectation, 'incidentTypes' | 'sources'>): Map<string, number> {
  const sources = new Set(expectation.sources);
  const out = new Map<string, number>();
  for (const incident of incidents) {
    if (!isOpen(incident) || !typeMatches(incident, expectation.incidentTypes)) continue;
    if (componentsOf(incident).some((c) => sources.has(c))) out.set(String(incident.incident_id), Number(incident.event_count ?? 0));
  }
  return out;
}

function typeMatches(incident: IncidentJson, types: readonly string[]): boolean {
  return types.length === 0 || types.includes(String(incident.incident_type));
}

/** Whether the run caused `incident`, and how (null: it did not). */
export function causationOf(incident: IncidentJson, expectation: IncidentExpectation): Causation | null {
  if (!typeMatches(incident, expectation.incidentTypes)) return null;
  const sources = new Set(expectation.sources);
  if (!componentsOf(incident).some((c) => sources.has(c))) return null;
  const id = String(incident.incident_id);
  const traces = Array.isArray(incident.trace_ids) ? (incident.trace_ids as string[]) : [];
  const sharesTrace = traces.some((t) => expectation.traceIds.has(t));
  const countBefore = expectation.openBefore.get(id);
  if (countBefore !== undefined) {
    return sharesTrace || Number(incident.event_count ?? 0) > countBefore ? 'joined' : null;
  }
  const detectedMs = Date.parse(String(incident.detected_at ?? ''));
  return sharesTrace || (Number.isFinite(detectedMs) && detectedMs >= expectation.startedAtMs) ? 'new' : null;
}

/** The incidents the run caused, oldest first (the list comes newest first). */
export function causedIncidents(incidents: readonly IncidentJson[], expectation: IncidentExpectation): CausedIncident[] {
  const out: CausedIncident[] = [];
  for (const incident of incidents) {
    const causation = causationOf(incident, expectation);
    if (causation !== null) out.push({ incident, causation });
  }
  return out.sort((a, b) => String(a.incident.incident_id).localeCompare(String(b.incident.incident_id)));
}

/** Sources not among the components of any caused incident. */
export function uncoveredSources(caused: readonly CausedIncident[], sources: readonly string[]): string[] {
  const covered = new Set(caused.flatMap((c) => componentsOf(c.incident)));
  return sources.filter((s) => !covered.has(s));
}

export interface WaitOptions {
  timeoutMs: number;
  /** Default 200 ms. */
  intervalMs?: number;
  /** Injected for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called before each poll with the time left (progress notes). */
  onPoll?: (remainingMs: number) => void;
  /**
   * Done when this says so (default: every source is covered by a caused incident). Checked after each poll.
   */
  isComplete?: (caused: readonly CausedIncident[]) => boolean;
}

const DEFAULT_INTERVAL_MS = 200;

/**
 * Polls `list` until the caused incidents are complete or the time runs out; returns what was caused by then
 * (possibly nothing). Errors of `list` end the wait (the caller reports them).
 */
export async function waitForIncidents(
  list: () => Promise<IncidentJson[]>,
  expectation: IncidentExpectation,
  options: WaitOptions,
): Promise<CausedIncident[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const interval = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const isComplete = options.isComplete ?? ((caused) => caused.length > 0 && uncoveredSources(caused, expectation.sources).length === 0);
  const deadline = now() + options.timeoutMs;
  for (;;) {
    options.onPoll?.(Math.max(0, deadline - now()));
    const caused = causedIncidents(await list(), expectation);
    if (isComplete(caused) || now() >= deadline) return caused;
    await sleep(Math.min(interval, Math.max(0, deadline - now())));
  }
}
