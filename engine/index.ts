// The engine's public surface: what the daemon, CLI and TUI may import. Everything else in engine/ is internal
// (detector, windows, rings, incident book) and may change without notice.

export { createEngine, DEFAULT_EVENT_RING_CAPACITY } from './engine.js';
export { DEFAULT_MAX_GROUPS_PER_RULE } from './detector.js';
export type { Engine, EngineCounters, EngineOptions, EngineSizes, NewIncident, RestoreState } from './engine.js';
export { builtinRule, builtinRules, cloneRule, DEFAULT_GROUP_BY } from './builtin-rules.js';
export {
  CUSTOM_RULE_DEFAULTS,
  GROUP_BY_FIELDS,
  REQUIRED_CUSTOM_RULE_FIELDS,
  isValidGroupBy,
  mergeRules,
  validateRule,
  validateRules,
} from './rule-config.js';
export type { MergeRulesResult, RuleOverride } from './rule-config.js';
export { SEVERITY_MATRIX, defaultSeverity, incidentTypeLabel } from './severity-matrix.js';
export type { SeverityMatrixEntry } from './severity-matrix.js';
export { eventToJson, incidentToJson, isoTime, ruleToJson } from './json.js';
export type { EventJson, IncidentActionJson, IncidentJson, IncidentJsonOptions, RuleJson } from './json.js';
export { formatIncidentId, parseIncidentSeq } from './incidents.js';
export * from './types.js';
