// Detection rules as clients see them (DESIGN.md "Rules"), and what `test-rule` answers.

import type { IncidentType, Severity } from './vocabulary.js';
import type { MetadataValue } from './incident.js';

export type RuleMatchJson = {
  event_types: string[];
  min_severity?: Severity;
  /** Glob (`*`, `?`) the event source must match. */
  source_pattern?: string;
  /** Event metadata keys and the values they must equal. */
  attributes?: Record<string, MetadataValue>;
  /** Also count error-level events of types no enabled rule names. */
  other_errors?: boolean;
};

export const RULE_CHANGE_KINDS = ['enable', 'disable', 'update', 'create', 'reset'] as const;
export type RuleChangeKind = (typeof RULE_CHANGE_KINDS)[number];

export type RuleChangeJson = {
  seq: number;
  at: string | null;
  actor: string;
  kind: RuleChangeKind;
  detail: string;
};

export type RuleJson = {
  rule_id: string;
  name: string;
  description: string;
  incident_type: IncidentType;
  severity: Severity;
  error_threshold: number;
  time_window_seconds: number;
  check_interval_seconds: number;
  require_consecutive: boolean;
  min_components_affected: number;
  enabled: boolean;
  match: RuleMatchJson;
  group_by: string;
  builtin: boolean;
  /** Runtime changes, newest first (`rules show` only; absent when there are none). */
  history?: RuleChangeJson[];
};

/** The fields `rules update` may change. */
export type RuleUpdate = {
  error_threshold?: number;
  time_window_seconds?: number;
  check_interval_seconds?: number;
  severity?: Severity;
};

/** A rule `rules create` adds: the rule's fields; `match` absent inherits the built-in match of its type. */
export type RuleDraft = Omit<RuleJson, 'builtin' | 'history' | 'match'> & { match?: RuleMatchJson };

/** Would a rule fire on these events, when and why (`incidents test-rule`). */
export type TestRuleResult = {
  rule_id: string;
  would_fire: boolean;
  /** Event time of the event that crossed the threshold; null when it would not fire. */
  fired_at: string | null;
  matched_events: number;
  events_evaluated: number;
  /** One line saying why it fires or not. */
  reason: string;
  /** True when the events were only evaluated, not fed to the engine. */
  dry_run: boolean;
  /** Incidents opened or joined when the events were fed to the engine. */
  incident_ids: string[];
};
