// Rule configuration: validation of complete rules, and merging user overrides / custom rules onto a base set.
//
//   builtinRules() ──┐
//                    ├─ mergeRules(config.processors.detect.rules, 'processors.detect.rules', base) ──▶ rules
//   YAML / CLI ──────┘        (overrides: partial objects keyed by rule_id; unknown ids are custom rules)
//
// Every error names the offending key by its full path, e.g.
// `processors.detect.rules[2].error_threshold: must be a positive integer (got 0)`, so `serve` can fail at start
// with one clear line per problem. Input is `unknown` (it comes from YAML, JSON or the store).

import { builtinRules, cloneRule, DEFAULT_GROUP_BY } from './builtin-rules.js';
import { INCIDENT_TYPES, SEVERITIES, isIncidentType, isSeverity } from './types.js';
import type { DetectionRule, RuleMatch } from './types.js';

/** Event fields a rule may group its windows by; `metadata.<key>` and '' (one window for all events) also work. */
export const GROUP_BY_FIELDS = ['source', 'event_type', 'severity', 'correlation_id', 'span_id', 'message'] as const;

/** Prefix of a `group_by` that names a metadata key. */
export const METADATA_GROUP_PREFIX = 'metadata.';

/** Keys a rule object may carry (DESIGN.md "Rules"), in contract order. */
export const RULE_KEYS = [
  'rule_id',
  'name',
  'description',
  'incident_type',
  'severity',
  'error_threshold',
  'time_window_seconds',
  'check_interval_seconds',
  'require_consecutive',
  'min_components_affected',
  'enabled',
  'match',
  'group_by',
  'builtin',
] as const;

const MATCH_KEYS = ['event_types', 'min_severity', 'source_pattern', 'attributes', 'other_errors'] as const;

/** Largest error_threshold: more is a mistake (and the control API carries it as uint32). */
export const MAX_ERROR_THRESHOLD = 1_000_000;

/** Longest `match.source_pattern` accepted. */
export const MAX_SOURCE_PATTERN_LENGTH = 256;
/** Most keys in `match.attributes`. */
export const MAX_MATCH_ATTRIBUTES = 32;

/**
 * Compiles a source glob once: `*` matches any run of characters (also none), `?` exactly one, everything else
 * itself. Anchored at both ends; case-sensitive (service names are).
 */
export function compileSourcePattern(pattern: string): RegExp {
  let source = '^';
  for (const char of pattern) {
    if (char === '*') source += '[^]*';
    else if (char === '?') source += '[^]';
    else source += char.replace(/[\\^$.|+()[\]{}/]/g, '\\$&');
  }
  return new RegExp(`${source}$`, 'u');
}

/**
 * Fields a custom rule (one whose rule_id is not in the base set) must give. `match` is also required unless a
 * built-in rule raises the same incident type, whose `match` is then inherited.
 */
export const REQUIRED_CUSTOM_RULE_FIELDS = [
  'rule_id',
  'name',
  'incident_type',
  'severity',
  'error_threshold',
  'time_window_seconds',
] as const;

/** Defaults of a custom rule's optional fields. */
export const CUSTOM_RULE_DEFAULTS = {
  /** default '' */
  description: '',
  /** default 60 s, as most of the seed's rules */
  check_interval_seconds: 60,
  /** default false */
  require_consecutive: false,
  /** default 1: no constraint */
  min_components_affected: 1,
  /** default true */
  enabled: true,
  /** default 'source' */
  group_by: DEFAULT_GROUP_BY,
} as const;

const RULE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_VALUE_SHOWN = 40;

/** A partial rule as users write it in config or through `rules update`. */
export type RuleOverride = Partial<Omit<DetectionRule, 'builtin' | 'match'>> & { match?: Partial<RuleMatch> };

export type MergeRulesResult = { ok: true; rules: DetectionRule[] } | { ok: false; errors: string[] };

function show(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_SHOWN ? `${text.slice(0, MAX_VALUE_SHOWN)}…` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isPositiveNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/** True when `groupBy` is a field the detector can group by. */
export function isValidGroupBy(groupBy: string): boolean {
  if (groupBy === '') return true;
  if ((GROUP_BY_FIELDS as readonly string[]).includes(groupBy)) return true;
  return groupBy.startsWith(METADATA_GROUP_PREFIX) && groupBy.length > METADATA_GROUP_PREFIX.length;
}

function validateMatch(match: unknown, path: string, errors: string[]): void {
  if (!isPlainObject(match)) {
    errors.push(`${path}: must be an object with event_types (got ${show(match)})`);
    return;
  }
  for (const key of Object.keys(match)) {
    if (!(MATCH_KEYS as readonly string[]).includes(key)) {
      errors.push(`${path}.${key}: unknown key (expected one of ${MATCH_KEYS.join(', ')})`);
    }
  }
  const types = match['event_types'];
  if (!Array.isArray(types)) {
    errors.push(`${path}.event_types: must be a list of event types (got ${show(types)})`);
  } else {
    types.forEach((type, i) => {
      if (typeof type !== 'string' || type === '') {
        errors.push(`${path}.event_types[${i}]: must be a non-empty string (got ${show(type)})`);
      }
    });
  }
  const minSeverity = match['min_severity'];
  if (minSeverity !== undefined && (typeof minSeverity !== 'string' || !isSeverity(minSeverity))) {
    errors.push(`${path}.min_severity: must be one of ${SEVERITIES.join(', ')} (got ${show(minSeverity)})`);
  }
  const otherErrors = match['other_errors'];
  if (otherErrors !== undefined && typeof otherErrors !== 'boolean') {
    errors.push(`${path}.other_errors: must be true or false (got ${show(otherErrors)})`);
  }
  const pattern = match['source_pattern'];
  if (pattern !== undefined) {
    if (typeof pattern !== 'string' || pattern === '' || pattern.length > MAX_SOURCE_PATTERN_LENGTH) {
      errors.push(
        `${path}.source_pattern: must be a glob of 1-${MAX_SOURCE_PATTERN_LENGTH} characters ('*' any run, '?' one ` +
          `character) (got ${show(pattern)})`,
      );
    } else {
      try {
        compileSourcePattern(pattern);
      } catch {
        errors.push(`${path}.source_pattern: not a usable glob (got ${show(pattern)})`);
      }
    }
  }
  const attributes = match['attributes'];
  if (attributes !== undefined) {
    if (!isPlainObject(attributes)) {
      errors.push(`${path}.attributes: must be a map of metadata key to string, number or boolean (got ${show(attributes)})`);
    } else {
      const keys = Object.keys(attributes);
      if (keys.length > MAX_MATCH_ATTRIBUTES) {
        errors.push(`${path}.attributes: at most ${MAX_MATCH_ATTRIBUTES} keys (got ${keys.length})`);
      }
      for (const key of keys) {
        const value = attributes[key];
        if (key === '') errors.push(`${path}.attributes: keys must be non-empty`);
        else if (
          !(typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))
        ) {
          errors.push(`${path}.attributes.${key}: must be a string, a finite number or a boolean (got ${show(value)})`);
        }
      }
    }
  }
}

/**
 * Validates a complete rule. Returns one message per problem, each starting with the offending key's path
 * (`<path>.<field>`); an empty list means the value is a valid DetectionRule.
 */
export function validateRule(rule: unknown, path: string): string[] {
  const errors: string[] = [];
  if (!isPlainObject(rule)) return [`${path}: must be an object (got ${show(rule)})`];

  for (const key of Object.keys(rule)) {
    if (!(RULE_KEYS as readonly string[]).includes(key)) errors.push(`${path}.${key}: unknown key`);
  }
  const at = (field: string): string => `${path}.${field}`;

  const ruleId = rule['rule_id'];
  if (typeof ruleId !== 'string' || !RULE_ID_PATTERN.test(ruleId)) {
    errors.push(`${at('rule_id')}: must be 1-64 characters of letters, digits, '_', '.', '-' (got ${show(ruleId)})`);
  }
  const name = rule['name'];
  if (typeof name !== 'string' || name.trim() === '') {
    errors.push(`${at('name')}: must be a non-empty string (got ${show(name)})`);
  }
  if (typeof rule['description'] !== 'string') {
    errors.push(`${at('description')}: must be a string (got ${show(rule['description'])})`);
  }
  const incidentType = rule['incident_type'];
  if (typeof incidentType !== 'string' || !isIncidentType(incidentType)) {
    errors.push(`${at('incident_type')}: must be one of ${INCIDENT_TYPES.join(', ')} (got ${show(incidentType)})`);
  }
  const severity = rule['severity'];
  if (typeof severity !== 'string' || !isSeverity(severity)) {
    errors.push(`${at('severity')}: must be one of ${SEVERITIES.join(', ')} (got ${show(severity)})`);
  }
  const threshold = rule['error_threshold'];
  if (!isPositiveInteger(threshold)) {
    errors.push(`${at('error_threshold')}: must be a positive integer (got ${show(threshold)})`);
  } else if (threshold > MAX_ERROR_THRESHOLD) {
    errors.push(`${at('error_threshold')}: must be at most ${MAX_ERROR_THRESHOLD} (got ${show(threshold)})`);
  }
  if (!isPositiveNumber(rule['time_window_seconds'])) {
    errors.push(`${at('time_window_seconds')}: must be a positive number (got ${show(rule['time_window_seconds'])})`);
  }
  if (!isPositiveNumber(rule['check_interval_seconds'])) {
    errors.push(
      `${at('check_interval_seconds')}: must be a positive number (got ${show(rule['check_interval_seconds'])})`,
    );
  }
  for (const flag of ['require_consecutive', 'enabled', 'builtin'] as const) {
    if (typeof rule[flag] !== 'boolean') errors.push(`${at(flag)}: must be true or false (got ${show(rule[flag])})`);
  }
  const groupBy = rule['group_by'];
  const groupByValid = typeof groupBy === 'string' && isValidGroupBy(groupBy);
  if (!groupByValid) {
    errors.push(
      `${at('group_by')}: must be one of ${GROUP_BY_FIELDS.join(', ')}, metadata.<key>, or '' for one window ` +
        `over all events (got ${show(groupBy)})`,
    );
  }
  const minComponents = rule['min_components_affected'];
  if (!isPositiveInteger(minComponents)) {
    errors.push(`${at('min_components_affected')}: must be a positive integer (got ${show(minComponents)})`);
  } else if (minComponents > 1 && groupBy === 'source') {
    // Each window of a rule grouped by source holds one source: the rule could never fire.
    errors.push(
      `${at('min_components_affected')}: ${minComponents} can never be met with group_by 'source' ` +
        `(each window holds one source); group by another field or ''`,
    );
  }
  validateMatch(rule['match'], at('match'), errors);
  return errors;
}

/** Validates a list of complete rules: each rule, and that rule_ids are unique. */
export function validateRules(rules: unknown, path: string): string[] {
  if (!Array.isArray(rules)) return [`${path}: must be a list of rules (got ${show(rules)})`];
  const errors: string[] = [];
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    errors.push(...validateRule(rule, `${path}[${i}]`));
    const id = isPlainObject(rule) ? rule['rule_id'] : undefined;
    if (typeof id === 'string') {
      if (seen.has(id)) errors.push(`${path}[${i}].rule_id: duplicate rule_id ${show(id)}`);
      seen.add(id);
    }
  });
  return errors;
}

function overrideErrors(override: Record<string, unknown>, path: string): string[] {
  const errors: string[] = [];
  for (const key of Object.keys(override)) {
    if (key === 'builtin') errors.push(`${path}.builtin: set by firewatch, not configurable`);
    else if (!(RULE_KEYS as readonly string[]).includes(key)) errors.push(`${path}.${key}: unknown key`);
  }
  const match = override['match'];
  if (match !== undefined && !isPlainObject(match)) {
    errors.push(`${path}.match: must be an object (got ${show(match)})`);
  }
  return errors;
}

function applyOverride(base: DetectionRule, override: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...cloneRule(base) };
  for (const [key, value] of Object.entries(override)) {
    if (key === 'match' && isPlainObject(value)) merged['match'] = { ...base.match, ...value };
    else merged[key] = value;
  }
  return merged;
}

function customRule(override: Record<string, unknown>, path: string, errors: string[]): Record<string, unknown> {
  for (const field of REQUIRED_CUSTOM_RULE_FIELDS) {
    if (override[field] === undefined) errors.push(`${path}.${field}: required for a custom rule`);
  }
  const merged: Record<string, unknown> = { ...CUSTOM_RULE_DEFAULTS, ...override, builtin: false };
  if (merged['match'] === undefined) {
    const type = override['incident_type'];
    const sibling = typeof type === 'string' ? builtinRules().find((r) => r.incident_type === type) : undefined;
    if (sibling !== undefined) merged['match'] = { ...sibling.match };
    else if (typeof type === 'string' && isIncidentType(type)) {
      // (An invalid incident_type is left to validateRule, which names it.)
      errors.push(
        `${path}.match: required for a custom rule of type ${show(type)} (no built-in rule of that type to inherit from)`,
      );
    }
  }
  return merged;
}

function mergeOne(
  rules: DetectionRule[],
  key: string | undefined,
  override: unknown,
  path: string,
  errors: string[],
): void {
  if (!isPlainObject(override)) {
    errors.push(`${path}: must be an object (got ${show(override)})`);
    return;
  }
  const before = errors.length;
  errors.push(...overrideErrors(override, path));
  const givenId = override['rule_id'];
  if (key !== undefined && givenId !== undefined && givenId !== key) {
    errors.push(`${path}.rule_id: ${show(givenId)} differs from its key ${show(key)}`);
  }
  const ruleId = key ?? givenId;
  if (typeof ruleId !== 'string') {
    errors.push(`${path}.rule_id: required (got ${show(ruleId)})`);
    return;
  }
  if (errors.length > before) return;

  const index = rules.findIndex((r) => r.rule_id === ruleId);
  const existing = index >= 0 ? rules[index] : undefined;
  const merged =
    existing !== undefined
      ? applyOverride(existing, override)
      : customRule({ ...override, rule_id: ruleId }, path, errors);
  if (errors.length > before) return;
  const problems = validateRule(merged, path);
  if (problems.length > 0) {
    errors.push(...problems);
    return;
  }
  const rule = merged as unknown as DetectionRule;
  if (existing !== undefined) rules[index] = rule;
  else rules.push(rule);
}

/**
 * Applies `input` (found at `path` in the config) onto copies of `base` (by default the built-in rules). `input` is either a map keyed by rule_id
 * or a list of objects each naming its rule_id; an entry for a known rule_id is a partial override (`match` merges
 * key by key), an entry for an unknown rule_id is a custom rule (see REQUIRED_CUSTOM_RULE_FIELDS). `undefined`
 * and `null` mean "no overrides". Order: base rules first (in base order), then custom rules in input order.
 */
export function mergeRules(
  input: unknown,
  path: string,
  base: readonly DetectionRule[] = builtinRules(),
): MergeRulesResult {
  const rules = base.map(cloneRule);
  const errors: string[] = [];
  if (input === undefined || input === null) return { ok: true, rules };
  if (Array.isArray(input)) {
    input.forEach((entry, i) => mergeOne(rules, undefined, entry, `${path}[${i}]`, errors));
  } else if (isPlainObject(input)) {
    for (const [key, entry] of Object.entries(input)) mergeOne(rules, key, entry, `${path}.${key}`, errors);
  } else {
    errors.push(`${path}: must be a map of rule_id to rule, or a list of rules (got ${show(input)})`);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rules };
}
