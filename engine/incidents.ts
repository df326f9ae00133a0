// Open incidents: creation from a fired window, absorption of further matching events, incremental root cause.
//
//   detector ──fire(rule, group key, window events)──▶ IncidentBook.create ──▶ IncidentState (engine-owned)
//   detector ──absorb(state, event)───────────────────▶ IncidentBook.absorb   (same rule + group key, still open)
//   ChangeSet ──snapshot()──▶ IngestResult.incidents   (copies: nothing outside the engine holds its state)
//
// Everything that grows with traffic is bounded: affected_components, trace_ids and the root-cause distributions
// (distinct keys beyond the cap are counted under `other`).

import type { ChangeSet, Touchable } from './change-set.js';
import { defaultSeverity, incidentTypeLabel } from './severity-matrix.js';
import { isOpenStatus } from './types.js';
import type { DetectionRule, Incident, IncidentEvent, IncidentType, RootCause, Severity } from './types.js';

export const INCIDENT_ID_PREFIX = 'inc_';
const INCIDENT_ID_DIGITS = 5;
/** Distribution bucket for keys beyond the cap (a literal `other` key lands there too). */
export const OVERFLOW_KEY = 'other';
/** Longest group key quoted in a generated title. */
const MAX_TITLE_KEY_LENGTH = 100;

export interface IncidentLimits {
  /** Most entries in `affected_components`; default 100. */
  maxComponents: number;
  /** Most entries in `trace_ids`; default 1000. */
  maxTraceIds: number;
  /** Most distinct keys per root-cause distribution before `other`; default 50. */
  maxDistributionKeys: number;
}

export const DEFAULT_INCIDENT_LIMITS: Readonly<IncidentLimits> = {
  maxComponents: 100,
  maxTraceIds: 1000,
  maxDistributionKeys: 50,
};

/** `inc_00001` for 1; more digits once past 99999. */
export function formatIncidentId(seq: number): string {
  return INCIDENT_ID_PREFIX + String(seq).padStart(INCIDENT_ID_DIGITS, '0');
}

/** The sequence number of an `inc_NNNNN` id, or undefined for any other id. */
export function parseIncidentSeq(incidentId: string): number | undefined {
  if (!incidentId.startsWith(INCIDENT_ID_PREFIX)) return undefined;
  const digits = incidentId.slice(INCIDENT_ID_PREFIX.length);
  if (!/^\d+$/.test(digits)) return undefined;
  const seq = Number(digits);
  return Number.isSafeInteger(seq) ? seq : undefined;
}

/** `2025-02-05 10:30` (UTC). */
export function formatTitleTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** `Error Burst - checkout - 2025-02-05 10:30` (the part naming the group is left out when it is empty). */
export function incidentTitle(type: IncidentType, subject: string, at: number): string {
  const label = incidentTypeLabel(type);
  const shown = subject.length > MAX_TITLE_KEY_LENGTH ? `${subject.slice(0, MAX_TITLE_KEY_LENGTH)}…` : subject;
  return shown === '' ? `${label} - ${formatTitleTime(at)}` : `${label} - ${shown} - ${formatTitleTime(at)}`;
}

/** Sets `record[key]`, also for the key `__proto__` (which plain assignment would treat as the prototype). */
function setCount(record: Record<string, number>, key: string, value: number): void {
  if (key === '__proto__') {
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    record[key] = value;
  }
}

function copyRecord(record: Record<string, number>): Record<string, number> {
  const copy: Record<string, number> = {};
  for (const key of Object.keys(record)) setCount(copy, key, record[key] as number);
  return copy;
}

/** A deep copy of an incident. */
export function cloneIncident(incident: Incident): Incident {
  const rc = incident.root_cause;
  const rootCause: RootCause = {
    primary_error_type: rc.primary_error_type,
    primary_source: rc.primary_source,
    error_distribution: copyRecord(rc.error_distribution),
    source_distribution: copyRecord(rc.source_distribution),
  };
  if (rc.root_span !== undefined) rootCause.root_span = { ...rc.root_span };
  return {
    ...incident,
    affected_components: [...incident.affected_components],
    root_cause: rootCause,
    trace_ids: [...incident.trace_ids],
    notes: [...incident.notes],
    actions: incident.actions.map((action) => ({ ...action })),
  };
}

interface DistributionEntry {
  count: number;
  /** First-seen order, for ties. */
  order: number;
}

/**
 * Counts per key, written through to the incident's record, with the most frequent key maintained incrementally
 * (ties go to the key seen first).
 */
export class Distribution {
  private readonly entries = new Map<string, DistributionEntry>();
  private nextOrder = 0;
  primary = '';
  private primaryCount = 0;
  private primaryOrder = Number.MAX_SAFE_INTEGER;

  constructor(
    private readonly record: Record<string, number>,
    private readonly maxKeys: number,
    /** The incident's current primary key, if any: it keeps winning ties after a restore. */
    currentPrimary: string,
  ) {
    for (const key of Object.keys(record)) {
      if (key === OVERFLOW_KEY) continue;
      const count = record[key];
      if (typeof count !== 'number' || !(count > 0)) continue;
      const entry = { count, order: key === currentPrimary ? -1 : this.nextOrder++ };
      this.entries.set(key, entry);
      this.consider(key, entry);
    }
  }

  add(key: string): void {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      if (key === OVERFLOW_KEY || this.entries.size >= this.maxKeys) {
        setCount(this.record, OVERFLOW_KEY, (this.record[OVERFLOW_KEY] ?? 0) + 1);
        return;
      }
      entry = { count: 0, order: this.nextOrder++ };
      this.entries.set(key, entry);
    }
    entry.count++;
    setCount(this.record, key, entry.count);
    this.consider(key, entry);
  }

  private consider(key: string, entry: DistributionEntry): void {
    if (entry.count > this.primaryCount || (entry.count === this.primaryCount && entry.order < this.primaryOrder)) {
      this.primary = key;
      this.primaryCount = entry.count;
      this.primaryOrder = entry.order;
    }
  }
}

/** The engine's working state of one open incident. */
export class IncidentState implements Touchable {
  touchedBy = 0;
  readonly components: Set<string>;
  readonly traces: Set<string>;
  readonly errors: Distribution;
  readonly sources: Distribution;

  constructor(
    readonly incident: Incident,
    private readonly limits: IncidentLimits,
  ) {
    this.components = new Set(incident.affected_components);
    this.traces = new Set(incident.trace_ids);
    const rc = incident.root_cause;
    this.errors = new Distribution(rc.error_distribution, limits.maxDistributionKeys, rc.primary_error_type);
    this.sources = new Distribution(rc.source_distribution, limits.maxDistributionKeys, rc.primary_source);
  }

  /** Links `event` to this incident and folds it into counts, times, components, traces and root cause. */
  attach(event: IncidentEvent, changes: ChangeSet): void {
    const incident = this.incident;
    event.incident_id = incident.incident_id;
    changes.linked.push(event);
    incident.event_count++;
    const ts = event.timestamp;
    if (ts < incident.first_event_at) incident.first_event_at = ts;
    if (ts > incident.last_event_at) incident.last_event_at = ts;
    const source = event.source;
    if (source !== '' && this.components.size < this.limits.maxComponents && !this.components.has(source)) {
      this.components.add(source);
      incident.affected_components.push(source);
    }
    const traceId = event.correlation_id;
    if (traceId !== '' && this.traces.size < this.limits.maxTraceIds && !this.traces.has(traceId)) {
      this.traces.add(traceId);
      incident.trace_ids.push(traceId);
    }
    this.errors.add(event.event_type);
    this.sources.add(source);
    incident.root_cause.primary_error_type = this.errors.primary;
    incident.root_cause.primary_source = this.sources.primary;
  }

  /** Recomputes mttd (seconds from the first event to detection, never negative) and stamps the change. */
  finish(now: number): void {
    const incident = this.incident;
    incident.mttd = Math.max(0, (incident.detected_at - incident.first_event_at) / 1000);
    incident.updated_at = now;
  }

  snapshot(): Incident {
    return cloneIncident(this.incident);
  }
}

/** Input of a hand-made incident (`incidents create`); what is left out comes from the severity matrix. */
export interface NewIncident {
  incident_type: IncidentType;
  /** default: the matrix's default severity for the type */
  severity?: Severity;
  /** default: `<Type label> - <components> - <time>` */
  title?: string;
  /** default '' */
  description?: string;
  /** default [] */
  affected_components?: string[];
  /** default null */
  assigned_to?: string | null;
}

function emptyIncident(incidentId: string, type: IncidentType, severity: Severity, now: number): Incident {
  return {
    incident_id: incidentId,
    incident_type: type,
    severity,
    status: 'detected',
    title: '',
    description: '',
    rule_id: '',
    group_key: '',
    detected_at: now,
    first_event_at: now,
    last_event_at: now,
    acknowledged_at: null,
    resolved_at: null,
    closed_at: null,
    affected_components: [],
    event_count: 0,
    assigned_to: null,
    mttd: 0,
    mttr: null,
    root_cause: { primary_error_type: '', primary_source: '', error_distribution: {}, source_distribution: {} },
    trace_ids: [],
    notes: [],
    actions: [],
    updated_at: now,
  };
}

/**
 * The open incidents, by id and by (rule_id, group key). `version` changes whenever an incident enters or leaves
 * the book other than through `create` (restore, update), so the detector's per-group caches know to look again.
 */
export class IncidentBook {
  private readonly open = new Map<string, IncidentState>();
  private readonly byRule = new Map<string, Map<string, IncidentState>>();
  version = 0;
  /** The next incident number; never reused. */
  nextSeq = 1;

  constructor(private readonly limits: IncidentLimits) {}

  get size(): number {
    return this.open.size;
  }

  /** The open incident raised by `ruleId` for `groupKey`, if any. */
  openFor(ruleId: string, groupKey: string): IncidentState | undefined {
    return this.byRule.get(ruleId)?.get(groupKey);
  }

  get(incidentId: string): IncidentState | undefined {
    return this.open.get(incidentId);
  }

  /** Open incidents in creation order. */
  states(): IncidentState[] {
    return [...this.open.values()];
  }

  /** Opens an incident for a fired window; `events` are the window's, oldest first (at least one). */
  create(
    rule: DetectionRule,
    groupKey: string,
    events: readonly IncidentEvent[],
    now: number,
    changes: ChangeSet,
  ): IncidentState {
    const incident = emptyIncident(formatIncidentId(this.nextSeq++), rule.incident_type, rule.severity, now);
    incident.title = incidentTitle(rule.incident_type, groupKey, now);
    incident.description = rule.description;
    incident.rule_id = rule.rule_id;
    incident.group_key = groupKey;
    incident.first_event_at = Number.POSITIVE_INFINITY;
    incident.last_event_at = Number.NEGATIVE_INFINITY;
    const state = new IncidentState(incident, this.limits);
    for (let i = 0; i < events.length; i++) state.attach(events[i] as IncidentEvent, changes);
    state.finish(now);
    this.index(state);
    changes.touch(state);
    return state;
  }

  /** Adds a further matching event to an open incident. */
  absorb(state: IncidentState, event: IncidentEvent, now: number, changes: ChangeSet): void {
    state.attach(event, changes);
    state.finish(now);
    changes.touch(state);
  }

  /** Opens an incident by hand (no rule, no events). */
  createManual(input: NewIncident, now: number): IncidentState {
    const type = input.incident_type;
    const incident = emptyIncident(
      formatIncidentId(this.nextSeq++),
      type,
      input.severity ?? defaultSeverity(type),
      now,
    );
    const components = [...new Set(input.affected_components ?? [])].slice(0, this.limits.maxComponents);
    incident.affected_components = components;
    incident.title = input.title ?? incidentTitle(type, components.join(', '), now);
    incident.description = input.description ?? '';
    incident.assigned_to = input.assigned_to ?? null;
    const state = new IncidentState(incident, this.limits);
    this.index(state);
    return state;
  }

  /**
   * Takes (a copy of) an incident from outside: restored from the store, or changed by the workflow. An incident
   * that is no longer open leaves the book. Returns the new state, or undefined when it is not open.
   */
  load(incident: Incident): IncidentState | undefined {
    this.remove(incident.incident_id);
    const seq = parseIncidentSeq(incident.incident_id);
    if (seq !== undefined && seq >= this.nextSeq) this.nextSeq = seq + 1;
    if (!isOpenStatus(incident.status)) return undefined;
    const state = new IncidentState(cloneIncident(incident), this.limits);
    this.index(state);
    this.version++;
    return state;
  }

  remove(incidentId: string): boolean {
    const state = this.open.get(incidentId);
    if (state === undefined) return false;
    this.open.delete(incidentId);
    const { rule_id: ruleId, group_key: groupKey } = state.incident;
    const groups = this.byRule.get(ruleId);
    if (groups !== undefined && groups.get(groupKey) === state) {
      groups.delete(groupKey);
      // Another open incident of the same rule and group (only possible with odd restored data) takes over.
      for (const other of this.open.values()) {
        if (other.incident.rule_id === ruleId && other.incident.group_key === groupKey) groups.set(groupKey, other);
      }
    }
    this.version++;
    return true;
  }

  clear(): void {
    this.open.clear();
    this.byRule.clear();
    this.version++;
  }

  private index(state: IncidentState): void {
    const incident = state.incident;
    this.open.set(incident.incident_id, state);
    if (incident.rule_id === '') return;
    let groups = this.byRule.get(incident.rule_id);
    if (groups === undefined) {
      groups = new Map();
      this.byRule.set(incident.rule_id, groups);
    }
    groups.set(incident.group_key, state);
  }
}
