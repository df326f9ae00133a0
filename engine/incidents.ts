// Open incidents: creation from a fired window, absorption of further matching events, incremental root cause.
//
//   detector ──fire(rule, group key, window events)──▶ IncidentBook.create ──▶ IncidentState (engine-owned)
//   detector ──absorb(state, event)───────────────────▶ IncidentBook.absorb   (same rule + group key, still open,
//   correlation ──absorb(state, event) + alias(rule, key)─▶                    or a shared trace: correlation.ts)
//   attach(event) ──▶ IncidentHooks.traceAttached / eventAttached   (correlation, escalation, stronger readings:
//                                                                    engine.ts wires them)
//   retype.ts ──reanchor(state, rule, group key)──▶ the incident's own group moves; the former one stays aliased
//   ChangeSet ──snapshot()──▶ IngestResult.incidents   (copies: nothing outside the engine holds its state)
//
// Everything that grows with traffic is bounded: affected_components, trace_ids, group aliases, the root-cause
// distributions (distinct keys beyond the cap are counted under `other`) and the distinct-user counter (users.ts).

import { keepLast } from '../common/keep-last.js';
import type { ChangeSet, Touchable } from './change-set.js';
import { ComponentIndex } from './component-index.js';
import { formatDuration } from './escalation.js';
import { defaultSeverity, incidentTypeLabel } from './severity-matrix.js';
import { isOpenStatus, SYSTEM_ACTOR } from './types.js';
import type { DetectionRule, Incident, IncidentEvent, IncidentType, RootCause, Severity } from './types.js';
import type { GroupWindow } from './sliding-window.js';
import { DEFAULT_EXACT_USERS, DistinctCounter, eventUser } from './users.js';
import { describeCause } from './root-cause.js';
import type { StrongerReading } from './retype.js';
import { trackFromIncident } from './shared-dependency.js';
import type { DependencyTrack } from './shared-dependency.js';
import { appendEngineNote, applyTransition, recordStatus } from './workflow.js';

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
  /** Distinct users counted exactly before users_affected becomes an estimate; default 1,000. */
  maxExactUsers: number;
}

export const DEFAULT_INCIDENT_LIMITS: Readonly<IncidentLimits> = {
  maxComponents: 100,
  maxTraceIds: 1000,
  maxDistributionKeys: 50,
  maxExactUsers: DEFAULT_EXACT_USERS,
};

/** What the engine does when an event joins an incident (correlation, escalation); called from attach. */
export interface IncidentHooks {
  /** The incident got an event carrying `traceId` (every time, not only the first). */
  traceAttached(state: IncidentState, traceId: string, changes: ChangeSet<IncidentState>): void;
  /** The event was folded into the incident's counts; `changes.now` is the time of the call. */
  eventAttached(state: IncidentState, event: IncidentEvent, changes: ChangeSet<IncidentState>): void;
  /** A rule opened the incident with its window's events (all attached, detection recorded). */
  incidentOpened(state: IncidentState, events: readonly IncidentEvent[], changes: ChangeSet<IncidentState>): void;
}

const NO_HOOKS: IncidentHooks = { traceAttached() {}, eventAttached() {}, incidentOpened() {} };

interface JoinRun {
  count: number;
  /** Event time of the run's first join. */
  since: number;
}

/** Groups whose joins an incident counts, as a multiple of its components cap. */
const JOIN_TRACKING_FACTOR = 4;

/** Separator of rule_id and group key in Incident.group_aliases (rule ids never contain a space). */
const ALIAS_SEPARATOR = ' ';

export function aliasKey(ruleId: string, groupKey: string): string {
  return ruleId + ALIAS_SEPARATOR + groupKey;
}

function splitAlias(alias: string): [string, string] | undefined {
  const at = alias.indexOf(ALIAS_SEPARATOR);
  return at <= 0 ? undefined : [alias.slice(0, at), alias.slice(at + 1)];
}

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

const MS_PER_MINUTE = 60_000;

/** A minute's title time: an incident opening formats it several times. */
const titleMinute = keepLast((minute) => new Date(minute * MS_PER_MINUTE).toISOString().slice(0, 16).replace('T', ' '));

/** `2025-02-05 10:30` (UTC). */
export function formatTitleTime(ms: number): string {
  return titleMinute(Math.floor(ms / MS_PER_MINUTE));
}

/** `Error Burst - checkout - 2025-02-05 10:30` (the part naming the group is left out when it is empty). */
export function incidentTitle(type: IncidentType, subject: string, at: number): string {
  const label = incidentTypeLabel(type);
  const shown = subject.length > MAX_TITLE_KEY_LENGTH ? `${subject.slice(0, MAX_TITLE_KEY_LENGTH)}…` : subject;
  return shown === '' ? `${label} - ${formatTitleTime(at)}` : `${label} - ${shown} - ${formatTitleTime(at)}`;
}

/** Span kinds whose events name the calling service in `metadata.caller` (the receiver's service_unavailable). */
const CALLING_KINDS: ReadonlySet<unknown> = new Set(['client', 'producer']);

/**
 * The service that made the call an event reports, when its source is the peer called (a refused client span: its
 * source is the unreachable peer, its caller the span's own service); '' otherwise. Only events of client and
 * producer spans: a log's own `caller` attribute (a logger's file:line) names no service.
 */
export function callerOf(event: IncidentEvent): string {
  const metadata = event.metadata;
  const caller = metadata['caller'];
  if (typeof caller !== 'string' || caller === event.source || !CALLING_KINDS.has(metadata['kind'])) return '';
  return caller;
}

/** Keys added to and deleted from a count record at birth (never seen outside: countRecord deletes them). */
const DICTIONARY_MODE_KEYS = ['\u0000firewatch.a', '\u0000firewatch.b'] as const;

/**
 * An empty record for counts keyed by names from telemetry (an incident's sources and error types), in V8's
 * dictionary mode from the start. A plain `{}` takes a new hidden class for each key name it is given, kept in a
 * tree shared by every `{}` of the process: thousands of incidents, each with services of their own, grew that tree
 * without bound and made every new key cost microseconds (bench/engine.bench.ts, an incident opened by every batch).
 * Deleting a property that is not the last one added is what turns an object into a dictionary.
 */
export function countRecord(): Record<string, number> {
  const record: Record<string, number> = {};
  for (const key of DICTIONARY_MODE_KEYS) record[key] = 0;
  for (const key of DICTIONARY_MODE_KEYS) delete record[key];
  return record;
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
  // For copies made outside snapshots (an incident taken back or loaded; snapshots build theirs from the counters,
  // Distribution.toRecord): a count record again, like the original. setCount keeps a key named `__proto__` a key.
  const copy = countRecord();
  for (const key of Object.keys(record)) setCount(copy, key, record[key] as number);
  return copy;
}

/**
 * A deep copy of an incident. `distributions`: fresh copies of its root cause's error and source distributions, when
 * the caller has them (IncidentState builds them from its counters, much faster than copying the records).
 * `traceIds`: a frozen copy of its trace IDs to share (IncidentState.snapshot), else they are copied.
 */
export function cloneIncident(
  incident: Incident,
  distributions?: readonly [errors: Record<string, number>, sources: Record<string, number>],
  traceIds?: string[],
): Incident {
  const rc = incident.root_cause;
  const rootCause: RootCause = {
    primary_error_type: rc.primary_error_type,
    primary_source: rc.primary_source,
    error_distribution: distributions?.[0] ?? copyRecord(rc.error_distribution),
    source_distribution: distributions?.[1] ?? copyRecord(rc.source_distribution),
  };
  if (rc.root_span !== undefined) rootCause.root_span = { ...rc.root_span };
  const copy: Incident = {
    ...incident,
    affected_components: [...incident.affected_components],
    root_cause: rootCause,
    // Incidents stored before these fields existed lack them.
    users_affected: incident.users_affected ?? 0,
    similar_incidents: (incident.similar_incidents ?? []).map((similar) => ({ ...similar })),
    trace_ids: traceIds ?? [...incident.trace_ids],
    notes: [...incident.notes],
    actions: incident.actions.map((action) => ({ ...action })),
    status_history: (incident.status_history ?? []).map((change) => ({ ...change })),
    acknowledged_by: incident.acknowledged_by ?? null,
    auto_resolved: incident.auto_resolved ?? false,
    resolution: incident.resolution ?? '',
    peak_error_rate: incident.peak_error_rate ?? null,
  };
  if (incident.group_aliases !== undefined) copy.group_aliases = [...incident.group_aliases];
  if (incident.related_incidents !== undefined) copy.related_incidents = [...incident.related_incidents];
  return copy;
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
  /** How many keys come before the overflow count in the record (-1: no overflow yet). */
  private overflowAt = -1;

  constructor(
    private readonly record: Record<string, number>,
    private readonly maxKeys: number,
    /** The incident's current primary key, if any: it keeps winning ties after a restore. */
    currentPrimary: string,
  ) {
    for (const key of Object.keys(record)) {
      if (key === OVERFLOW_KEY) {
        this.overflowAt = this.entries.size;
        continue;
      }
      const count = record[key];
      if (typeof count !== 'number' || !(count > 0)) {
        // Nothing counted (a record stored by hand or damaged): out of the record too, so that it and toRecord()
        // agree. `delete` only removes an own key, also one named `__proto__`.
        delete record[key];
        continue;
      }
      const entry = { count, order: key === currentPrimary ? -1 : this.nextOrder++ };
      this.entries.set(key, entry);
      this.consider(key, entry);
    }
  }

  add(key: string): void {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      if (key === OVERFLOW_KEY || this.entries.size >= this.maxKeys) {
        if (this.overflowAt === -1) this.overflowAt = this.entries.size;
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

  /**
   * The counts as a new record, equal to the one written through (keys in first-seen order, the overflow count where
   * it first came).
   * Copying that record instead cost ~13 µs at 50 keys (it is a dictionary-mode object by then, and spreading one is
   * slow), against ~2 µs for this; a snapshot of an incident took two (bench/engine.bench.ts, "100 events → decision").
   */
  toRecord(): Record<string, number> {
    const record = countRecord();
    const overflowAt = this.overflowAt;
    let index = 0;
    for (const [key, entry] of this.entries) {
      if (index++ === overflowAt) setCount(record, OVERFLOW_KEY, this.record[OVERFLOW_KEY]!);
      setCount(record, key, entry.count);
    }
    if (overflowAt >= index) setCount(record, OVERFLOW_KEY, this.record[OVERFLOW_KEY]!);
    return record;
  }

  private consider(key: string, entry: DistributionEntry): void {
    if (entry.count > this.primaryCount || (entry.count === this.primaryCount && entry.order < this.primaryOrder)) {
      this.primary = key;
      this.primaryCount = entry.count;
      this.primaryOrder = entry.order;
    }
  }
}

/**
 * A stable reference to whichever IncidentState currently stands for an incident (updateIncident replaces the state
 * object), or null once the incident is no longer open. Small on purpose: indexes that outlive an incident (the
 * correlator's trace owners) keep only this, never the state with all its data.
 */
export interface IncidentHandle {
  state: IncidentState | null;
}

/** What a new incident's snapshots share until it lists a trace. */
const NO_TRACE_IDS: string[] = Object.freeze([]) as unknown as string[];

/** The engine's working state of one open incident. */
export class IncidentState implements Touchable {
  touchedBy = 0;
  pendingBy = 0;
  /** False once the incident left the book (resolved, closed, replaced by updateIncident, restore). */
  open = true;
  /** Its place in the book's order (IncidentBook.index), for the component index's answers. */
  bookOrder = 0;
  /** The book's index by component while the incident is in the book (addComponent keeps it current), else null. */
  componentIndex: ComponentIndex<IncidentState> | null = null;
  /** Shared with the states that replace this one (IncidentBook.load). */
  handle: IncidentHandle = { state: this };
  /** Its traces gained traces or spans since the root span was last looked for (engine.ts). */
  rootDirty = false;
  /** The fingerprint it is indexed under in the recurrence index ('' before the first time). */
  fingerprint = '';
  /** The recurrence index version its similar_incidents were computed at (-1: never). */
  similarVersion = -1;
  /** Id of the last ChangeSet whose end-of-call error-rate check looked at it (engine.ts checkRate: once a call). */
  rateCheckedBy = 0;
  readonly components: Set<string>;
  readonly traces: Set<string>;
  readonly errors: Distribution;
  readonly sources: Distribution;
  readonly users: DistinctCounter;
  /** Other detection groups it absorbs (aliasKey form), mirrored in incident.group_aliases. */
  readonly aliases: Set<string>;
  /** The first trace_ids (root cause reads only those), rebuilt when their number changes (at most `limit` times). */
  private leadingTraces: Set<string> | null = null;
  /**
   * A frozen copy of trace_ids shared by the snapshots taken while it has not grown: the list only ever grows (attach)
   * and holds up to 1,000 IDs, and an incident that absorbs a burst is snapshotted at every ingest call (copying it
   * each time was a tenth of the bytes the receiver and the engine allocate per span: 560 → 501 B in
   * bench/engine-trace.bench.ts). Frozen: a snapshot's reader that tried to change it would change the others.
   */
  private sharedTraceIds: string[] = NO_TRACE_IDS;
  /** Per other group (aliasKey form): its recent run of events joined through traces (bounded; not persisted). */
  private joins: Map<string, JoinRun> | null = null;
  /** True while IncidentBook.create attaches the window's events: a re-type waits until the detection is recorded. */
  opening = false;
  /** Opened by a rule in this call; the end of the call records the root cause it found (`assessing`). */
  assessDue = false;
  /**
   * Per group of a rule that outranks the incident's (aliasKey form): its events, windowed by that rule (retype.ts);
   * null for a group that has an incident of its own (no longer counted). Bounded; not persisted (rebuilt on restore).
   */
  readings: Map<string, GroupWindow<null> | null> | null = null;
  /** The strongest reading crossed and not yet taken (retype.ts). */
  pendingReading: StrongerReading | null = null;
  /** The dependency its failures lie at, and who calls it (shared-dependency.ts); null when it opened on none. */
  dependency: DependencyTrack | null;
  /** The cause last written to the status history or the notes (type, source): a change is noted once. */
  private recordedErrorType: string;
  private recordedSource: string;
  /** What the title was last made from (retitle): unchanged, no title is formatted. */
  private titledType = '';
  private titledSubject = '';

  constructor(
    readonly incident: Incident,
    private readonly limits: IncidentLimits,
    private readonly hooks: IncidentHooks = NO_HOOKS,
  ) {
    this.components = new Set(incident.affected_components);
    this.traces = new Set(incident.trace_ids);
    const rc = incident.root_cause;
    this.errors = new Distribution(rc.error_distribution, limits.maxDistributionKeys, rc.primary_error_type);
    this.sources = new Distribution(rc.source_distribution, limits.maxDistributionKeys, rc.primary_source);
    this.users = DistinctCounter.decode(incident.users_sketch, limits.maxExactUsers);
    this.aliases = new Set(incident.group_aliases ?? []);
    // A restored incident's cause was recorded when it was last persisted.
    this.recordedErrorType = rc.primary_error_type;
    this.recordedSource = rc.primary_source;
    this.dependency = trackFromIncident(incident);
  }

  /** The window counting (`ruleId`, `groupKey`) for a stronger reading, created on first use; undefined when that group
   * is not counted (it has an incident of its own, or too many groups are counted already). */
  readingWindow(ruleId: string, groupKey: string, create: () => GroupWindow<null>): GroupWindow<null> | undefined {
    const readings = (this.readings ??= new Map());
    const key = aliasKey(ruleId, groupKey);
    const window = readings.get(key);
    if (window !== undefined) return window ?? undefined;
    if (readings.size >= JOIN_TRACKING_FACTOR * this.limits.maxComponents) return undefined;
    const created = create();
    readings.set(key, created);
    return created;
  }

  /**
   * Takes the unpersisted counts of the state this one replaces (a workflow update of the same incident): the joins
   * toward aliases and the stronger readings, so a status change between two events does not start them over.
   */
  carryOver(previous: IncidentState): void {
    this.joins = previous.joins;
    this.readings = previous.readings;
    this.pendingReading = previous.pendingReading;
    // The live track (or its absence) stands: reading it back from the root cause is for restarts only.
    this.dependency = previous.dependency;
  }

  /** Stops counting (`ruleId`, `groupKey`): that group has an open incident of its own. */
  blockReading(ruleId: string, groupKey: string): void {
    (this.readings ??= new Map()).set(aliasKey(ruleId, groupKey), null);
  }

  /** Records the root cause computed at detection: detected → assessing, with the cause in the reason. */
  assess(now: number): void {
    this.assessDue = false;
    const rc = this.incident.root_cause;
    this.recordedErrorType = rc.primary_error_type;
    this.recordedSource = rc.primary_source;
    applyTransition(this.incident, 'assessing', {
      at: now,
      by: SYSTEM_ACTOR,
      reason: rc.primary_source === '' ? 'root cause computed' : `root cause computed: ${describeCause(rc.primary_error_type, rc.primary_source)}`,
    });
  }

  /**
   * Notes a root cause that moved since it was last recorded (a deeper root span arrived, the incident was re-typed),
   * so the incident's record always ends with the cause `incidents get` shows; true when it wrote a note.
   */
  noteCauseChange(): boolean {
    const rc = this.incident.root_cause;
    if (rc.primary_source === '') return false;
    if (rc.primary_error_type === this.recordedErrorType && rc.primary_source === this.recordedSource) return false;
    const was = describeCause(this.recordedErrorType, this.recordedSource);
    this.recordedErrorType = rc.primary_error_type;
    this.recordedSource = rc.primary_source;
    appendEngineNote(this.incident, `root cause revised: ${describeCause(rc.primary_error_type, rc.primary_source)} (was ${was})`);
    return true;
  }

  /**
   * Titles it after its type and where it failed: once a root span is known, for rules grouped by source, the root
   * cause's source (so the title, primary_source and root_span.service agree whichever group fired first); else its
   * group key (the anchor: without spans the most frequent source is only a count). Its detection time stays. True
   * when the title changed.
   */
  retitle(groupedBySource: boolean): boolean {
    const incident = this.incident;
    const rc = incident.root_cause;
    const subject = groupedBySource && rc.root_span !== undefined && rc.primary_source !== '' ? rc.primary_source : incident.group_key;
    if (incident.incident_type === this.titledType && subject === this.titledSubject) return false;
    this.titledType = incident.incident_type;
    this.titledSubject = subject;
    const title = incidentTitle(incident.incident_type, subject, incident.detected_at);
    if (title === incident.title) return false;
    incident.title = title;
    return true;
  }

  /**
   * Counts one event of (`ruleId`, `groupKey`), at event time `timestamp`, joined through a trace; returns how many of
   * the group's joins fall in the current run, a run being joins no more than `windowMs` apart from its first one
   * (an approximation of the rule's sliding window: evidence must be as dense as a firing).
   */
  countJoin(ruleId: string, groupKey: string, timestamp: number, windowMs: number): number {
    const joins = (this.joins ??= new Map());
    const key = aliasKey(ruleId, groupKey);
    let run = joins.get(key);
    if (run === undefined) {
      // Bounded like the aliases themselves (a few times the components cap); groups beyond it are not tracked.
      if (joins.size >= JOIN_TRACKING_FACTOR * this.limits.maxComponents) return 1;
      run = { count: 0, since: timestamp };
      joins.set(key, run);
    }
    if (Math.abs(timestamp - run.since) > windowMs) {
      run.count = 0;
      run.since = timestamp;
    }
    return ++run.count;
  }

  /** Whether `traceId` is one of the incident's first `limit` traces (those root cause analysis reads). */
  isLeadingTrace(traceId: string, limit: number): boolean {
    const ids = this.incident.trace_ids;
    const count = Math.min(ids.length, limit);
    if (this.leadingTraces === null || this.leadingTraces.size !== count) {
      this.leadingTraces = new Set(ids.slice(0, count));
    }
    return this.leadingTraces.has(traceId);
  }

  /** Adds a user identity (blast radius); true when the counter changed. */
  addUser(user: string): boolean {
    return this.users.add(user);
  }

  /** Writes the user counter into the incident (users_affected, users_sketch) when it changed. */
  syncUsers(): void {
    const incident = this.incident;
    const count = this.users.count;
    if (incident.users_affected !== count) incident.users_affected = count;
    if (this.users.dirty) {
      const sketch = this.users.encode();
      if (sketch === '') delete incident.users_sketch;
      else incident.users_sketch = sketch;
    }
  }

  /** Links `event` to this incident and folds it into counts, times, components, traces and root cause. */
  attach(event: IncidentEvent, changes: ChangeSet<IncidentState>): void {
    const incident = this.incident;
    event.incident_id = incident.incident_id;
    changes.linked.push(event);
    incident.event_count++;
    const ts = event.timestamp;
    if (ts < incident.first_event_at) incident.first_event_at = ts;
    if (ts > incident.last_event_at) incident.last_event_at = ts;
    const source = event.source;
    this.addComponent(source);
    const caller = callerOf(event);
    if (caller !== '') this.addComponent(caller);
    const traceId = event.correlation_id;
    if (traceId !== '') {
      if (this.traces.size < this.limits.maxTraceIds && !this.traces.has(traceId)) {
        this.traces.add(traceId);
        incident.trace_ids.push(traceId);
      }
      this.hooks.traceAttached(this, traceId, changes);
    }
    const user = eventUser(event.metadata);
    if (user !== '') this.users.add(user);
    this.errors.add(event.event_type);
    this.sources.add(source);
    const rc = incident.root_cause;
    // Once a root span is known, its event names the cause (root-cause.ts); the distributions keep counting. An
    // incident placed at a shared dependency stays there (shared-dependency.ts).
    if (rc.root_span === undefined) {
      rc.primary_error_type = this.errors.primary;
      rc.primary_source = this.dependency?.anchored === true ? this.dependency.peer : this.sources.primary;
    }
    this.hooks.eventAttached(this, event, changes);
  }

  /** Lists `name` among the affected components (in order of first appearance, bounded). */
  addComponent(name: string): void {
    if (name === '' || this.components.size >= this.limits.maxComponents || this.components.has(name)) return;
    this.components.add(name);
    this.incident.affected_components.push(name);
    this.componentIndex?.add(this, name);
  }

  /** Recomputes mttd (seconds from the first event to detection, never negative) and stamps the change. */
  finish(now: number): void {
    const incident = this.incident;
    incident.mttd = Math.max(0, (incident.detected_at - incident.first_event_at) / 1000);
    incident.updated_at = now;
  }

  snapshot(): Incident {
    this.syncUsers();
    const traceIds = this.incident.trace_ids;
    if (this.sharedTraceIds.length !== traceIds.length) this.sharedTraceIds = Object.freeze(traceIds.slice()) as string[];
    return cloneIncident(this.incident, [this.errors.toRecord(), this.sources.toRecord()], this.sharedTraceIds);
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
  /** Who opened it (recorded in status_history); default `firewatch`. */
  created_by?: string;
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
    root_cause: { primary_error_type: '', primary_source: '', error_distribution: countRecord(), source_distribution: countRecord() },
    users_affected: 0,
    similar_incidents: [],
    trace_ids: [],
    notes: [],
    actions: [],
    updated_at: now,
    status_history: [],
    acknowledged_by: null,
    auto_resolved: false,
    resolution: '',
    peak_error_rate: null,
    last_joined_at: now,
  };
}

/**
 * A rule opened `incident` from `count` window events: its first step, `detected`. The second, `assessing` with the
 * root cause, is recorded at the end of the call (IncidentState.assess), once the root span of the spans that came
 * with the events is known: the history's first cause is then the one the incident is reported with.
 */
function recordDetection(incident: Incident, rule: DetectionRule, count: number, now: number): void {
  const window = formatDuration(rule.time_window_seconds * 1000);
  recordStatus(incident, null, 'detected', {
    at: now,
    by: SYSTEM_ACTOR,
    reason: `rule ${rule.rule_id}: ${count} matching event${count === 1 ? '' : 's'} within ${window}`,
  });
}

/**
 * The open incidents, by id and by (rule_id, group key) — their own group, and the groups aliased to them through
 * shared traces. `version` changes whenever the (rule, group) → incident map changes other than through `create`
 * (restore, update, alias, silence), so the detector's per-group caches know to look again.
 */
export class IncidentBook {
  private readonly open = new Map<string, IncidentState>();
  private readonly byRule = new Map<string, Map<string, IncidentState>>();
  private readonly byComponent = new ComponentIndex<IncidentState>();
  /** The next IncidentState.bookOrder: the order of `open`'s entries. */
  private nextBookOrder = 0;
  version = 0;
  /** The next incident number; never reused. */
  nextSeq = 1;
  /** Set by the engine before use; every state created from now on calls them. */
  hooks: IncidentHooks = NO_HOOKS;

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

  /** Open incidents in creation order, without copying (do not add or remove incidents while iterating). */
  values(): IterableIterator<IncidentState> {
    return this.open.values();
  }

  /** The other open incidents that share an affected component with `state`, in creation order (as values()). */
  sharingComponents(state: IncidentState): IncidentState[] {
    return this.byComponent.sharing(state);
  }

  /**
   * Makes `state` the open incident of (`ruleId`, `groupKey`) as well, unless that group has an open incident of its
   * own (or `state` already has as many aliases as it may have components). Returns whether the group now maps to
   * `state`.
   */
  alias(ruleId: string, groupKey: string, state: IncidentState): boolean {
    let groups = this.byRule.get(ruleId);
    const current = groups?.get(groupKey);
    if (current === state) return true;
    if (current !== undefined && current.open) return false;
    if (state.aliases.size >= this.limits.maxComponents) return false;
    if (groups === undefined) {
      groups = new Map();
      this.byRule.set(ruleId, groups);
    }
    groups.set(groupKey, state);
    const key = aliasKey(ruleId, groupKey);
    state.aliases.add(key);
    (state.incident.group_aliases ??= []).push(key);
    this.version++;
    return true;
  }

  /**
   * Makes (`ruleId`, `groupKey`) the incident's own group (a re-typed incident, retype.ts). Its former own group stays
   * aliased to it, so that group's events keep joining it instead of opening another incident.
   */
  reanchor(state: IncidentState, ruleId: string, groupKey: string): void {
    const incident = state.incident;
    const formerRule = incident.rule_id;
    const formerGroup = incident.group_key;
    const former = this.byRule.get(formerRule);
    if (former !== undefined && former.get(formerGroup) === state) former.delete(formerGroup);
    const key = aliasKey(ruleId, groupKey);
    if (state.aliases.delete(key)) {
      const kept = (incident.group_aliases ?? []).filter((alias) => alias !== key);
      if (kept.length > 0) incident.group_aliases = kept;
      else delete incident.group_aliases;
    }
    incident.rule_id = ruleId;
    incident.group_key = groupKey;
    this.index(state);
    if (formerRule !== '') this.alias(formerRule, formerGroup, state);
    this.version++;
  }

  /** Tells the detector caches to look again (an incident was opened outside a window). */
  invalidate(): void {
    this.version++;
  }

  /**
   * Opens an incident for a fired window; `events` are the window's, oldest first (at least one). Its status history
   * starts with `detected` (recordDetection; `assessing` follows at the end of the call). Once it is recorded, a
   * stronger reading its events already support is taken (hooks.incidentOpened: retype.ts).
   */
  create(
    rule: DetectionRule,
    groupKey: string,
    events: readonly IncidentEvent[],
    now: number,
    changes: ChangeSet<IncidentState>,
  ): IncidentState {
    const incident = emptyIncident(formatIncidentId(this.nextSeq++), rule.incident_type, rule.severity, now);
    incident.title = incidentTitle(rule.incident_type, groupKey, now);
    incident.description = rule.description;
    incident.rule_id = rule.rule_id;
    incident.group_key = groupKey;
    incident.first_event_at = Number.POSITIVE_INFINITY;
    incident.last_event_at = Number.NEGATIVE_INFINITY;
    const state = new IncidentState(incident, this.limits, this.hooks);
    // Indexed first, so that what attach() sets off (correlation) finds it open.
    this.index(state);
    state.opening = true;
    for (let i = 0; i < events.length; i++) state.attach(events[i] as IncidentEvent, changes);
    state.opening = false;
    state.finish(now);
    recordDetection(incident, rule, events.length, now);
    state.assessDue = true;
    changes.touch(state);
    changes.markPending(state);
    this.hooks.incidentOpened(state, events, changes);
    return state;
  }

  /** Adds a further matching event to an open incident. */
  absorb(state: IncidentState, event: IncidentEvent, now: number, changes: ChangeSet<IncidentState>): void {
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
    incident.status_history.push({ at: now, from: null, to: 'detected', by: input.created_by ?? SYSTEM_ACTOR, reason: 'opened by hand' });
    const state = new IncidentState(incident, this.limits, this.hooks);
    this.index(state);
    return state;
  }

  /**
   * Takes (a copy of) an incident from outside: restored from the store, or changed by the workflow. An incident
   * that is no longer open leaves the book. Returns the new state, or undefined when it is not open.
   */
  load(incident: Incident): IncidentState | undefined {
    const previous = this.open.get(incident.incident_id);
    this.remove(incident.incident_id);
    const seq = parseIncidentSeq(incident.incident_id);
    if (seq !== undefined && seq >= this.nextSeq) this.nextSeq = seq + 1;
    if (!isOpenStatus(incident.status)) return undefined;
    const state = new IncidentState(cloneIncident(incident), this.limits, this.hooks);
    if (previous !== undefined) {
      state.handle = previous.handle; // whoever held the old state's handle now reaches this one
      state.handle.state = state;
      state.carryOver(previous);
    }
    this.index(state);
    // Its aliases come back unless their group meanwhile has an open incident of its own.
    const aliases = [...state.aliases];
    state.aliases.clear();
    state.incident.group_aliases = [];
    for (const alias of aliases) {
      const parts = splitAlias(alias);
      if (parts !== undefined) this.alias(parts[0], parts[1], state);
    }
    if (state.incident.group_aliases.length === 0) delete state.incident.group_aliases;
    this.version++;
    return state;
  }

  remove(incidentId: string): boolean {
    const state = this.open.get(incidentId);
    if (state === undefined) return false;
    this.open.delete(incidentId);
    state.open = false;
    state.handle.state = null;
    this.byComponent.remove(state);
    state.componentIndex = null;
    const { rule_id: ruleId, group_key: groupKey } = state.incident;
    const groups = this.byRule.get(ruleId);
    if (groups !== undefined && groups.get(groupKey) === state) {
      groups.delete(groupKey);
      // Another open incident of the same rule and group (only possible with odd restored data) takes over.
      for (const other of this.open.values()) {
        if (other.incident.rule_id === ruleId && other.incident.group_key === groupKey) groups.set(groupKey, other);
      }
    }
    for (const alias of state.aliases) {
      const parts = splitAlias(alias);
      if (parts === undefined) continue;
      const aliased = this.byRule.get(parts[0]);
      if (aliased !== undefined && aliased.get(parts[1]) === state) aliased.delete(parts[1]);
    }
    this.version++;
    return true;
  }

  clear(): void {
    for (const state of this.open.values()) {
      state.open = false;
      state.handle.state = null;
      state.componentIndex = null;
    }
    this.open.clear();
    this.byRule.clear();
    this.byComponent.clear();
    this.version++;
  }

  private index(state: IncidentState): void {
    const incident = state.incident;
    if (state.componentIndex === null) {
      // Entering the book (not a re-index after reanchor): last in the book's order, listed under its components.
      state.bookOrder = this.nextBookOrder++;
      state.componentIndex = this.byComponent;
      for (const component of state.components) this.byComponent.add(state, component);
    }
    this.open.set(incident.incident_id, state);
    if (incident.rule_id === '') return;
    let groups = this.byRule.get(incident.rule_id);
    if (groups === undefined) {
      groups = new Map();
      this.byRule.set(incident.rule_id, groups);
    }
    // Its own group wins over an alias another incident holds for it.
    groups.set(incident.group_key, state);
  }
}
