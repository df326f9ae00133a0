// The engine's public surface: what the daemon, CLI and TUI may import. Everything else in engine/ is internal
// (detector, windows, rings, incident book) and may change without notice.

export {
  createEngine,
  DEFAULT_EVENT_RING_CAPACITY,
  DEFAULT_ROOT_CAUSE_MAX_SPANS_PER_TRACE,
  DEFAULT_ROOT_CAUSE_MAX_TRACES,
  DEFAULT_UNCOUNTED_JOIN_MIN_SEVERITY,
} from './engine.js';
export { DEFAULT_MAX_GROUPS_PER_RULE } from './detector.js';
export type {
  Engine,
  EngineCounters,
  EngineOptions,
  EngineSizes,
  NewIncident,
  PastIncident,
  RestoreState,
  ServiceActivity,
} from './engine.js';
export { DEFAULT_TRACE_RING_CAPACITY } from './trace-ring.js';
export { MAX_KEPT_ATTRIBUTE_BYTES, spanAttributeLog } from './span-attribute-log.js';
export {
  DEFAULT_MAX_EVENTS_PER_TRACE,
  DEFAULT_MAX_INCIDENT_TRACES,
  DEFAULT_MAX_SPANS_PER_TRACE,
} from './correlation.js';
export { createDefaultEscalationOptions, validateEscalationOptions, PROLONGED_TYPES } from './escalation.js';
export type { EscalationOptions } from './escalation.js';
export {
  createDefaultSilenceOptions,
  validateSilenceOptions,
  MIN_EXPECTED_INTERVAL_SECONDS,
} from './silence.js';
export type { SilenceOptions } from './silence.js';
export { DEFAULT_MAX_FINGERPRINTS, DEFAULT_MAX_SIMILAR, fingerprintOf, pastIncidentOf, resolutionOf } from './recurrence.js';
export { DEFAULT_EXACT_USERS } from './users.js';
export { builtinRule, builtinRules, cloneRule, DEFAULT_GROUP_BY } from './builtin-rules.js';
export {
  CUSTOM_RULE_DEFAULTS,
  GROUP_BY_FIELDS,
  REQUIRED_CUSTOM_RULE_FIELDS,
  compileSourcePattern,
  isValidGroupBy,
  mergeRules,
  validateRule,
  validateRules,
} from './rule-config.js';
export type { MergeRulesResult, RuleOverride } from './rule-config.js';
export { SEVERITY_MATRIX, defaultSeverity, incidentTypeLabel } from './severity-matrix.js';
export type { SeverityMatrixEntry } from './severity-matrix.js';
export { formatIncidentId, parseIncidentSeq } from './incidents.js';
export {
  MAX_SILENCE_COMMENT_LENGTH,
  MAX_SILENCE_COMPONENT_LENGTH,
  MAX_SILENCE_SECONDS,
  applySilence,
  formatSilenceId,
  holdingSilence,
  isSilenceActive,
  parseSilenceSeq,
  silenceEnd,
  silenceMatches,
} from './maintenance-windows.js';
export type { Silence, SilenceContext } from './maintenance-windows.js';
export * from './types.js';
// What the daemon's workflow, queries and tests build on (engine/incident-diff, timeline, workflow, postmortem, …).
export { CompiledRule } from './detector.js';
export { describeDiff, diffIncidents } from './incident-diff.js';
export type { IncidentDiff } from './incident-diff.js';
export { cloneIncident } from './incidents.js';
export { PACKED_ID_WORDS, PackedSpanRecord } from './packed-span-record.js';
export { renderPostmortem } from './postmortem.js';
export { runbookToJson } from './runbook.js';
export type { Runbook, RunbookLink } from './runbook.js';
export { computeStats } from './stats.js';
export { mergeTimeline } from './timeline.js';
export type { TimelineItem } from './timeline.js';
export { WorkflowError, acknowledge, addNote, applyTransition, assign, checkedActor, isAcknowledged, setSeverity } from './workflow.js';
