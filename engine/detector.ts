// Threshold detection: rules compiled once, then every event checked the moment it arrives.
//
//   observe(event)
//     └─ rulesByType.get(event_type)
//          ├─ trace owned by an open incident and a rule counts the event? ──▶ join it (correlation.ts)
//          └─ for each rule (config order):
//               min_severity? source_pattern? attributes? ─▶ group key ─▶ GroupTable (LRU, capped)
//                 ├─ open incident of (rule, group)? ──▶ IncidentBook.absorb       (no window, no second incident)
//                 └─ window.insert(event) ─▶ size ≥ error_threshold? ─▶ fire: window events →
//                        their traces owned by an open incident? join it : IncidentBook.create
//     └─ require_consecutive rules the event does NOT match: clear that group's window
//     └─ traces incidents gained meanwhile: Correlator.drain (their waiting events join)
//
// Hot path (measured by bench/engine.bench.ts): one Map lookup for an event no rule counts; per counted event one
// group lookup, an in-order append and a few compares. No closures or per-event objects: rule matching is compiled
// into a Map from event type to the rules that count it, group keys into a small switch.
//
// An event belongs to at most one incident: once a rule links it, later rules skip it, and a window drops
// entries another rule linked meanwhile before it fires.

import type { ChangeSet } from './change-set.js';
import type { CorrelationRule, Correlator, RuleMatcher } from './correlation.js';
import type { IncidentBook, IncidentState } from './incidents.js';
import type { SharedDependencies } from './shared-dependency.js';
import { METADATA_GROUP_PREFIX, compileSourcePattern } from './rule-config.js';
import { GroupTable } from './sliding-window.js';
import type { GroupWindow } from './sliding-window.js';
import { SEVERITY_RANK } from './types.js';
import type { DetectionRule, IncidentEvent, MetadataValue } from './types.js';

/** Default cap on groups (windows) per rule; the least recently updated group is evicted beyond it. */
export const DEFAULT_MAX_GROUPS_PER_RULE = 10_000;

// Group-key extraction, as small integers for a switch (no per-rule closures).
const GROUP_SOURCE = 0;
const GROUP_EVENT_TYPE = 1;
const GROUP_SEVERITY = 2;
const GROUP_CORRELATION_ID = 3;
const GROUP_SPAN_ID = 4;
const GROUP_METADATA = 5;
const GROUP_ALL = 6;
const GROUP_MESSAGE = 7;

function groupKind(groupBy: string): number {
  switch (groupBy) {
    case 'source':
      return GROUP_SOURCE;
    case 'event_type':
      return GROUP_EVENT_TYPE;
    case 'severity':
      return GROUP_SEVERITY;
    case 'correlation_id':
      return GROUP_CORRELATION_ID;
    case 'span_id':
      return GROUP_SPAN_ID;
    case 'message':
      return GROUP_MESSAGE;
    case '':
      return GROUP_ALL;
    default:
      if (groupBy.startsWith(METADATA_GROUP_PREFIX)) return GROUP_METADATA;
      throw new Error(`unsupported group_by ${JSON.stringify(groupBy)}`);
  }
}

/** A rule prepared for the hot path. */
export class CompiledRule implements CorrelationRule {
  readonly rule: DetectionRule;
  readonly ruleId: string;
  readonly threshold: number;
  readonly windowMs: number;
  readonly minSeverityRank: number;
  readonly matchesAllTypes: boolean;
  readonly eventTypes: ReadonlySet<string>;
  readonly groupKind: number;
  readonly metadataKey: string;
  readonly consecutive: boolean;
  readonly minComponents: number;
  /** Window size bound while min_components_affected is unmet. */
  readonly maxWindowSize: number;
  /** Events of a group joined to an incident through traces before the group is aliased to it (correlation.ts). */
  readonly aliasAfter: number;
  /** Its place in the order of readings (retype.ts): higher outranks lower. */
  readonly rank: number;
  readonly groups: GroupTable<IncidentState>;
  /** True when source_pattern or attributes narrow the match (checked after type and severity). */
  readonly hasFilters: boolean;
  private readonly sourcePattern: RegExp | null;
  /** match.other_errors: also count high/critical events of types no enabled rule names. */
  readonly otherErrors: boolean;
  /** Event types some enabled rule names (set by the Detector once all rules are compiled). */
  claimedTypes: ReadonlySet<string> = new Set();
  private readonly attributeKeys: readonly string[];
  private readonly attributeValues: readonly MetadataValue[];

  constructor(rule: DetectionRule, maxGroups: number, rank = 0) {
    this.rule = rule;
    this.rank = rank;
    this.ruleId = rule.rule_id;
    this.threshold = rule.error_threshold;
    this.windowMs = rule.time_window_seconds * 1000;
    this.minSeverityRank = rule.match.min_severity === undefined ? 0 : SEVERITY_RANK[rule.match.min_severity];
    this.matchesAllTypes = rule.match.event_types.length === 0;
    this.eventTypes = new Set(rule.match.event_types);
    this.otherErrors = rule.match.other_errors === true;
    this.groupKind = groupKind(rule.group_by);
    this.metadataKey = this.groupKind === GROUP_METADATA ? rule.group_by.slice(METADATA_GROUP_PREFIX.length) : '';
    this.consecutive = rule.require_consecutive;
    this.minComponents = rule.min_components_affected;
    this.maxWindowSize = rule.error_threshold + rule.min_components_affected;
    this.aliasAfter = Math.ceil(rule.error_threshold / 2);
    this.groups = new GroupTable<IncidentState>(maxGroups);
    const pattern = rule.match.source_pattern;
    this.sourcePattern = pattern === undefined ? null : compileSourcePattern(pattern);
    const attributes = rule.match.attributes ?? {};
    this.attributeKeys = Object.keys(attributes);
    this.attributeValues = this.attributeKeys.map((key) => attributes[key] as MetadataValue);
    this.hasFilters = this.sourcePattern !== null || this.attributeKeys.length > 0;
  }

  /** Whether this rule counts `event` (type, severity, source pattern, attributes). */
  matches(event: IncidentEvent): boolean {
    return (
      (this.matchesAllTypes ||
        this.eventTypes.has(event.event_type) ||
        (this.otherErrors && SEVERITY_RANK[event.severity] >= SEVERITY_RANK.high && !this.claimedTypes.has(event.event_type))) &&
      (this.minSeverityRank === 0 || SEVERITY_RANK[event.severity] >= this.minSeverityRank) &&
      (!this.hasFilters || this.matchesFilters(event))
    );
  }

  /** source_pattern and attributes (metadata equality, same type). */
  matchesFilters(event: IncidentEvent): boolean {
    if (this.sourcePattern !== null && !this.sourcePattern.test(event.source)) return false;
    const keys = this.attributeKeys;
    if (keys.length === 0) return true;
    const metadata = event.metadata;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (!Object.hasOwn(metadata, key) || metadata[key] !== this.attributeValues[i]) return false;
    }
    return true;
  }

  groupKeyOf(event: IncidentEvent): string {
    switch (this.groupKind) {
      case GROUP_SOURCE:
        return event.source;
      case GROUP_EVENT_TYPE:
        return event.event_type;
      case GROUP_SEVERITY:
        return event.severity;
      case GROUP_CORRELATION_ID:
        return event.correlation_id;
      case GROUP_SPAN_ID:
        return event.span_id;
      case GROUP_MESSAGE:
        return event.message;
      case GROUP_METADATA: {
        const value = event.metadata[this.metadataKey];
        return typeof value === 'string' ? value : value === undefined ? '' : String(value);
      }
      default:
        return '';
    }
  }
}

export interface DetectorOptions {
  /** Most groups (windows) per rule; default 10,000. */
  maxGroupsPerRule: number;
}

export class Detector implements RuleMatcher {
  /** Enabled rules, in configuration order. */
  readonly compiled: readonly CompiledRule[];
  /** Event type → enabled rules that count it (with the match-everything rules merged in, in config order). */
  private readonly rulesByType = new Map<string, CompiledRule[]>();
  /** Rules with an empty `match.event_types`: what an event type no rule names gets. */
  private readonly matchAllRules: CompiledRule[];
  /** What an error-level (high, critical) event of a type no rule names gets: match-all and other_errors rules. */
  private readonly otherErrorRules: CompiledRule[];
  private readonly consecutiveRules: CompiledRule[];
  /**
   * Correlator.generation at which the current batch's events were all checked for trace joins (engine.ts runs that
   * pass first); observe() repeats the check only when an incident gained a trace since. -1: not checked.
   */
  joinsCheckedAt = -1;
  /** Rank of every configured rule, enabled or not (ruleRank), by rule_id. */
  private readonly ranks = new Map<string, number>();
  /** The highest rank of an enabled rule: an incident of that rule has no stronger reading. */
  readonly topRank: number;

  constructor(
    rules: readonly DetectionRule[],
    options: DetectorOptions,
    private readonly book: IncidentBook,
    /** Trace correlation; null runs detection alone (benchmarks, tests of windows). */
    private readonly correlator: Correlator | null = null,
    /** Incidents by the dependency they fail at (a window failing at it joins one); null: no folding. */
    private readonly dependencies: SharedDependencies | null = null,
  ) {
    rules.forEach((rule, index) => this.ranks.set(rule.rule_id, ruleRank(rule, index, rules.length)));
    this.compiled = rules
      .filter((r) => r.enabled)
      .map((r) => new CompiledRule(r, options.maxGroupsPerRule, this.ranks.get(r.rule_id) as number));
    this.topRank = this.compiled.reduce((top, c) => Math.max(top, c.rank), Number.NEGATIVE_INFINITY);
    this.matchAllRules = this.compiled.filter((c) => c.matchesAllTypes);
    this.consecutiveRules = this.compiled.filter((c) => c.consecutive);
    // Types any rule names, enabled or not: disabling quality_drop must not turn quality failures into error bursts.
    const claimed = new Set(rules.flatMap((r) => r.match.event_types));
    for (const compiled of this.compiled) compiled.claimedTypes = claimed;
    this.otherErrorRules = this.compiled.filter((c) => c.matchesAllTypes || c.otherErrors);
    for (const type of claimed) {
      this.rulesByType.set(
        type,
        this.compiled.filter((c) => c.matchesAllTypes || c.eventTypes.has(type)),
      );
    }
  }

  /**
   * Checks one event against every rule. `replay` (restore, rule changes) rebuilds windows only: an event that was
   * not absorbed when it first arrived predates its group's open incident, so it is not absorbed now either (nor
   * joined through its trace).
   */
  observe(event: IncidentEvent, now: number, changes: ChangeSet<IncidentState>, replay: boolean): void {
    const rules = this.rulesFor(event);
    if (
      !replay &&
      event.incident_id === '' &&
      this.correlator !== null &&
      this.correlator.generation !== this.joinsCheckedAt
    ) {
      this.joinByTrace(event, now, changes, rules);
    }
    for (let i = 0; i < rules.length; i++) {
      if (event.incident_id !== '') break;
      this.offer(rules[i] as CompiledRule, event, now, changes, replay);
    }
    const consecutive = this.consecutiveRules;
    for (let i = 0; i < consecutive.length; i++) {
      const rule = consecutive[i] as CompiledRule;
      if (!rule.matches(event)) rule.groups.get(rule.groupKeyOf(event))?.clear();
    }
    const correlator = this.correlator;
    if (correlator !== null && correlator.hasQueued) correlator.drain(now, changes);
  }

  /**
   * Joins `event` to the open incident that owns its trace, when a rule counts it (or it is severe enough to join
   * uncounted: correlation.ts); true when it did. The engine calls this for a whole batch before observing it, so an
   * event's place in its batch does not decide whether it joins.
   */
  joinByTrace(
    event: IncidentEvent,
    now: number,
    changes: ChangeSet<IncidentState>,
    rules: readonly CompiledRule[] | undefined = this.rulesFor(event),
  ): boolean {
    const correlator = this.correlator;
    if (correlator === null || correlator.size === 0 || event.correlation_id === '') return false;
    const owner = correlator.openOwner(event.correlation_id);
    if (owner === undefined) return false;
    const rule = firstMatch(rules, event) ?? null;
    if (rule === null && !correlator.joinsUncounted(event)) return false;
    correlator.join(owner, event, rule, now, changes);
    if (correlator.hasQueued) correlator.drain(now, changes);
    return true;
  }

  /** The enabled rules that may count `event`: by its type; for a type no rule names, match-all rules (and, for an
   * error-level event, other_errors rules). */
  rulesFor(event: IncidentEvent): readonly CompiledRule[] {
    return (
      this.rulesByType.get(event.event_type) ??
      (SEVERITY_RANK[event.severity] >= SEVERITY_RANK.high ? this.otherErrorRules : this.matchAllRules)
    );
  }

  /**
   * The rank of the rule `ruleId` (enabled or not); +Infinity for a rule no longer configured: nothing is known to
   * outrank it, so its incidents keep their type.
   */
  rankOf(ruleId: string): number {
    return this.ranks.get(ruleId) ?? Number.POSITIVE_INFINITY;
  }

  /** The first enabled rule (configuration order) that counts `event`, or undefined (RuleMatcher). */
  matchingRule(event: IncidentEvent): CompiledRule | undefined {
    return firstMatch(this.rulesFor(event), event);
  }

  /** Takes `event` out of the windows of every rule that counts it (RuleMatcher). */
  release(event: IncidentEvent): void {
    const rules = this.rulesFor(event);
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as CompiledRule;
      if (rule.matches(event)) rule.groups.get(rule.groupKeyOf(event))?.remove(event);
    }
  }

  /** Total windows and the events they hold, for diagnostics. */
  sizes(): { groups: number; windowEvents: number; groupEvictions: number } {
    let groups = 0;
    let windowEvents = 0;
    let groupEvictions = 0;
    for (const rule of this.compiled) {
      groups += rule.groups.size;
      windowEvents += rule.groups.eventCount();
      groupEvictions += rule.groups.evictions;
    }
    return { groups, windowEvents, groupEvictions };
  }

  private offer(
    rule: CompiledRule,
    event: IncidentEvent,
    now: number,
    changes: ChangeSet<IncidentState>,
    replay: boolean,
  ): void {
    if (rule.minSeverityRank !== 0 && SEVERITY_RANK[event.severity] < rule.minSeverityRank) return;
    if (rule.hasFilters && !rule.matchesFilters(event)) return;
    const key = rule.groupKeyOf(event);
    const groups = rule.groups;
    let group = groups.get(key);
    if (group === undefined) group = groups.create(key);
    else groups.touch(group);

    const book = this.book;
    if (group.incidentVersion !== book.version) {
      group.incident = book.openFor(rule.ruleId, key) ?? null;
      group.incidentVersion = book.version;
    }
    if (group.incident !== null) {
      if (!replay) book.absorb(group.incident, event, now, changes);
      return;
    }
    if (!group.insert(event, rule.windowMs)) return;
    if (group.size >= rule.threshold) this.tryFire(rule, group, now, changes);
  }

  private tryFire(
    rule: CompiledRule,
    group: GroupWindow<IncidentState>,
    now: number,
    changes: ChangeSet<IncidentState>,
  ): void {
    if (group.dropLinked() > 0 && group.size < rule.threshold) return;
    if (rule.minComponents > 1 && group.distinctSources() < rule.minComponents) {
      group.trimTo(rule.maxWindowSize);
      return;
    }
    const events = group.take();
    // The window's failure is (part of) an open incident's: one it shares traces with, else one failing at the same
    // dependency (shared-dependency.ts). Its events join that one instead of opening another.
    const correlator = this.correlator;
    let owner = correlator?.ownerOfWindow(events);
    if (owner === undefined && correlator !== null && this.dependencies !== null) {
      owner = this.dependencies.ownerOfWindow(rule.ruleId, group.key, events, rule.windowMs);
    }
    if (owner !== undefined && correlator !== null) {
      for (let i = 0; i < events.length; i++) correlator.join(owner, events[i] as IncidentEvent, rule, now, changes);
      group.incident = this.book.openFor(rule.ruleId, group.key) ?? null;
    } else {
      group.incident = this.book.create(rule.rule, group.key, events, now, changes);
    }
    group.incidentVersion = this.book.version;
  }
}

/**
 * The order of readings (retype.ts): a more severe rule outranks a less severe one; of two equally severe rules, the
 * one listed first. A total order over the configured rules, so which one an incident ends as does not depend on
 * which fired first.
 */
export function ruleRank(rule: DetectionRule, index: number, ruleCount: number): number {
  return SEVERITY_RANK[rule.severity] * (ruleCount + 1) + (ruleCount - index);
}

function firstMatch(rules: readonly CompiledRule[], event: IncidentEvent): CompiledRule | undefined {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as CompiledRule;
    if (rule.matches(event)) return rule;
  }
  return undefined;
}
