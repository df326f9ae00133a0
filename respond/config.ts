// The `remediation` section of otel-config.yaml.
//
//   raw YAML value ──parseRemediationConfig()──▶ RemediationConfig (built-in catalogue merged with the file's actions)
//
// Every key is checked and a problem names its full path (`remediation.actions[2].command[0]`). Actions are merged
// by id over the built-in catalogue: the file's fields override, the rest keep the built-in values. An action the
// file adds must say its risk: defaulting to `safe` would let a typo run something automatically.
// ${env:VAR} has been expanded by the daemon before this sees the value.

import { ConfigError, describeValue } from '../daemon/config-error.js';
import { INCIDENT_TYPES, RISKS, isIncidentType, type IncidentType, type Risk } from '../engine/types.js';
import { ACTION_DEFAULTS, DEFAULT_RECOMMENDATIONS, builtinActions } from './catalog.js';
import { PLACEHOLDERS, hasPlaceholder, placeholderProblems } from './placeholders.js';
import { HTTP_METHODS, type ActionDefinition, type HttpEffect, type HttpMethod } from './types.js';

export interface ApproversConfig {
  /** Who may approve medium-risk actions. Default [] (any named person). */
  medium: string[];
  /** Who may approve high-risk actions. Default [] (any named person). */
  high: string[];
}

export interface RemediationConfig {
  /** Run safe recommended actions automatically in containment. Default true. */
  auto_remediate: boolean;
  /** A pending approval request expires after this many seconds. Default 1800. */
  approval_ttl_seconds: number;
  /** Default approvers per risk; an action's own `approvers` overrides. Default: anyone named. */
  approvers: ApproversConfig;
  /** The built-in catalogue (catalog.ts) with the file's actions merged over it by id, built-ins first. */
  actions: ActionDefinition[];
  /** Action ids recommended per incident type, in run order. Default: the seed's table (catalog.ts). */
  recommendations: Record<IncidentType, string[]>;
}

export const DEFAULT_APPROVAL_TTL_SECONDS = 1800;

export function createDefaultRemediationConfig(): RemediationConfig {
  const actions = builtinActions();
  return {
    auto_remediate: true,
    approval_ttl_seconds: DEFAULT_APPROVAL_TTL_SECONDS,
    approvers: { medium: [], high: [] },
    actions,
    recommendations: defaultRecommendations(actions),
  };
}

// ---- limits --------------------------------------------------------------------------------------------------

const DAY_SECONDS = 86_400;
const MAX_TIMEOUT_SECONDS = DAY_SECONDS;
const MAX_PERIOD_SECONDS = 30 * DAY_SECONDS;
const MAX_AUTO_RUNS = 1000;
const MAX_BACKOFF_MULTIPLIER = 100;
const MAX_FAILURE_THRESHOLD = 1000;
const MAX_ARGV_ELEMENTS = 1000;
const MAX_NAME_LENGTH = 100;
const ACTION_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const RESERVED_ENV_PREFIX = 'FIREWATCH_';

// ---- parsing -------------------------------------------------------------------------------------------------

const TOP_KEYS = ['auto_remediate', 'approval_ttl_seconds', 'approvers', 'actions', 'recommendations'] as const;
const ACTION_KEYS = [
  'id',
  'description',
  'risk',
  'applies_to',
  'command',
  'http',
  'env',
  'timeout_seconds',
  'cooldown_seconds',
  'max_auto_runs',
  'backoff_multiplier',
  'circuit_breaker',
  'approvers',
] as const;

/** Validates the `remediation` section; absent (undefined/null) gives the defaults. Throws ConfigError. */
export function parseRemediationConfig(raw: unknown, path = 'remediation'): RemediationConfig {
  const config = createDefaultRemediationConfig();
  if (raw === undefined || raw === null) return config;
  const section = mapping(raw, path, TOP_KEYS);
  if (section.auto_remediate !== undefined) config.auto_remediate = boolean(section.auto_remediate, `${path}.auto_remediate`);
  if (section.approval_ttl_seconds !== undefined) {
    config.approval_ttl_seconds = positiveNumber(section.approval_ttl_seconds, `${path}.approval_ttl_seconds`, MAX_PERIOD_SECONDS);
  }
  if (section.approvers !== undefined && section.approvers !== null) {
    const approvers = mapping(section.approvers, `${path}.approvers`, ['medium', 'high']);
    if (approvers.medium !== undefined) config.approvers.medium = nameList(approvers.medium, `${path}.approvers.medium`);
    if (approvers.high !== undefined) config.approvers.high = nameList(approvers.high, `${path}.approvers.high`);
  }
  if (section.actions !== undefined && section.actions !== null) {
    config.actions = mergeActions(config.actions, section.actions, `${path}.actions`);
    config.recommendations = defaultRecommendations(config.actions);
  }
  if (section.recommendations !== undefined && section.recommendations !== null) {
    applyRecommendations(config, section.recommendations, `${path}.recommendations`);
  }
  return config;
}

/** The seed's table, keeping only actions that (still) apply to the type after the file's overrides. */
function defaultRecommendations(actions: readonly ActionDefinition[]): Record<IncidentType, string[]> {
  const byId = new Map(actions.map((action) => [action.id, action]));
  const table = {} as Record<IncidentType, string[]>;
  for (const type of INCIDENT_TYPES) {
    table[type] = DEFAULT_RECOMMENDATIONS[type].filter((id) => {
      const action = byId.get(id);
      return action !== undefined && appliesTo(action, type);
    });
  }
  return table;
}

export function appliesTo(action: ActionDefinition, type: IncidentType): boolean {
  return action.applies_to.length === 0 || action.applies_to.includes(type);
}

function mergeActions(builtins: ActionDefinition[], raw: unknown, path: string): ActionDefinition[] {
  const entries: Array<{ value: unknown; path: string; id?: string }> = [];
  if (Array.isArray(raw)) {
    raw.forEach((value, index) => entries.push({ value, path: `${path}[${index}]` }));
  } else if (typeof raw === 'object' && raw !== null) {
    // Also accepted as a map keyed by id, like processors.detect.rules.
    for (const [id, value] of Object.entries(raw)) entries.push({ value, path: `${path}.${id}`, id });
  } else {
    throw new ConfigError(path, `must be a list of actions (or a map keyed by id), got ${describeValue(raw)}`);
  }
  const merged = builtins.map((action) => ({ ...action }));
  const seen = new Set<string>();
  for (const entry of entries) {
    const fields = mapping(entry.value ?? {}, entry.path, ACTION_KEYS);
    let id = entry.id;
    if (fields.id !== undefined) {
      const named = actionId(fields.id, `${entry.path}.id`);
      if (id !== undefined && named !== id) throw new ConfigError(`${entry.path}.id`, `is ${describeValue(named)} but the key says ${describeValue(id)}`);
      id = named;
    }
    if (id === undefined) throw new ConfigError(entry.path, 'needs an id');
    actionId(id, entry.path);
    if (seen.has(id)) throw new ConfigError(entry.path, `duplicate action id ${describeValue(id)}`);
    seen.add(id);
    const index = merged.findIndex((action) => action.id === id);
    const base = index >= 0 ? merged[index]! : undefined;
    const action = parseAction(fields, entry.path, id, base);
    if (index >= 0) merged[index] = action;
    else merged.push(action);
  }
  return merged;
}

function parseAction(fields: Record<string, unknown>, path: string, id: string, base: ActionDefinition | undefined): ActionDefinition {
  if (base === undefined && fields.risk === undefined) {
    throw new ConfigError(`${path}.risk`, `is required for an action that is not built in (${RISKS.join('|')})`);
  }
  const action: ActionDefinition = base
    ? { ...base, env: { ...base.env }, circuit_breaker: { ...base.circuit_breaker } }
    : {
        id,
        description: id,
        risk: 'high',
        applies_to: [],
        command: null,
        http: null,
        env: {},
        timeout_seconds: ACTION_DEFAULTS.timeout_seconds,
        cooldown_seconds: ACTION_DEFAULTS.cooldown_seconds,
        max_auto_runs: ACTION_DEFAULTS.max_auto_runs,
        backoff_multiplier: ACTION_DEFAULTS.backoff_multiplier,
        circuit_breaker: { failure_threshold: ACTION_DEFAULTS.failure_threshold, reset_seconds: ACTION_DEFAULTS.reset_seconds },
        approvers: null,
      };
  if (fields.description !== undefined) action.description = text(fields.description, `${path}.description`);
  if (fields.risk !== undefined) action.risk = risk(fields.risk, `${path}.risk`);
  if (fields.applies_to !== undefined) action.applies_to = incidentTypes(fields.applies_to, `${path}.applies_to`);
  const hasCommand = fields.command !== undefined && fields.command !== null;
  const hasHttp = fields.http !== undefined && fields.http !== null;
  if (hasCommand && hasHttp) throw new ConfigError(path, 'command and http are mutually exclusive: give one');
  if (hasCommand) {
    action.command = command(fields.command, `${path}.command`);
    action.http = null;
  }
  if (hasHttp) {
    action.http = http(fields.http, `${path}.http`);
    action.command = null;
  }
  if (fields.env !== undefined && fields.env !== null) action.env = env(fields.env, `${path}.env`);
  if (fields.timeout_seconds !== undefined) {
    action.timeout_seconds = positiveNumber(fields.timeout_seconds, `${path}.timeout_seconds`, MAX_TIMEOUT_SECONDS);
  }
  if (fields.cooldown_seconds !== undefined) {
    action.cooldown_seconds = nonNegativeNumber(fields.cooldown_seconds, `${path}.cooldown_seconds`, MAX_PERIOD_SECONDS);
  }
  if (fields.max_auto_runs !== undefined) {
    action.max_auto_runs = integer(fields.max_auto_runs, `${path}.max_auto_runs`, 0, MAX_AUTO_RUNS);
  }
  if (fields.backoff_multiplier !== undefined) {
    const value = positiveNumber(fields.backoff_multiplier, `${path}.backoff_multiplier`, MAX_BACKOFF_MULTIPLIER);
    if (value < 1) throw new ConfigError(`${path}.backoff_multiplier`, `must be at least 1, got ${value}`);
    action.backoff_multiplier = value;
  }
  if (fields.circuit_breaker !== undefined && fields.circuit_breaker !== null) {
    const breaker = mapping(fields.circuit_breaker, `${path}.circuit_breaker`, ['failure_threshold', 'reset_seconds']);
    if (breaker.failure_threshold !== undefined) {
      action.circuit_breaker.failure_threshold = integer(
        breaker.failure_threshold,
        `${path}.circuit_breaker.failure_threshold`,
        1,
        MAX_FAILURE_THRESHOLD,
      );
    }
    if (breaker.reset_seconds !== undefined) {
      action.circuit_breaker.reset_seconds = positiveNumber(breaker.reset_seconds, `${path}.circuit_breaker.reset_seconds`, MAX_PERIOD_SECONDS);
    }
  }
  if (fields.approvers !== undefined && fields.approvers !== null) action.approvers = nameList(fields.approvers, `${path}.approvers`);
  return action;
}

function applyRecommendations(config: RemediationConfig, raw: unknown, path: string): void {
  const table = mapping(raw, path, INCIDENT_TYPES);
  const byId = new Map(config.actions.map((action) => [action.id, action]));
  for (const [key, value] of Object.entries(table)) {
    const type = key as IncidentType;
    const listPath = `${path}.${key}`;
    if (value === null || value === undefined) {
      config.recommendations[type] = [];
      continue;
    }
    if (!Array.isArray(value)) throw new ConfigError(listPath, `must be a list of action ids, got ${describeValue(value)}`);
    const ids: string[] = [];
    value.forEach((item, index) => {
      const itemPath = `${listPath}[${index}]`;
      const id = actionId(item, itemPath);
      const action = byId.get(id);
      if (action === undefined) {
        throw new ConfigError(itemPath, `unknown action ${describeValue(id)} (known: ${[...byId.keys()].join(', ')})`);
      }
      if (!appliesTo(action, type)) {
        throw new ConfigError(itemPath, `${id} does not apply to ${type} (its applies_to: ${action.applies_to.join(', ')})`);
      }
      if (ids.includes(id)) throw new ConfigError(itemPath, `${id} is listed twice`);
      ids.push(id);
    });
    config.recommendations[type] = ids;
  }
}

// ---- value checks ----------------------------------------------------------------------------------------------

function mapping(raw: unknown, path: string, known: readonly string[]): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(path, `must be a mapping, got ${describeValue(raw)}`);
  }
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) throw new ConfigError(path ? `${path}.${key}` : key, `unknown key (known here: ${known.join(', ')})`);
  }
  return raw as Record<string, unknown>;
}

function boolean(raw: unknown, path: string): boolean {
  if (typeof raw !== 'boolean') throw new ConfigError(path, `must be true or false, got ${describeValue(raw)}`);
  return raw;
}

function positiveNumber(raw: unknown, path: string, max: number): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw <= 0 || raw > max) {
    throw new ConfigError(path, `must be a number above 0 and at most ${max}, got ${describeValue(raw)}`);
  }
  return raw;
}

function nonNegativeNumber(raw: unknown, path: string, max: number): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0 || raw > max) {
    throw new ConfigError(path, `must be a number from 0 to ${max}, got ${describeValue(raw)}`);
  }
  return raw;
}

function integer(raw: unknown, path: string, min: number, max: number): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
    throw new ConfigError(path, `must be a whole number from ${min} to ${max}, got ${describeValue(raw)}`);
  }
  return raw;
}

function text(raw: unknown, path: string): string {
  if (typeof raw !== 'string') throw new ConfigError(path, `must be a string, got ${describeValue(raw)}`);
  if (raw.includes('\u0000')) throw new ConfigError(path, 'must not contain NUL characters');
  return raw;
}

function actionId(raw: unknown, path: string): string {
  if (typeof raw !== 'string' || !ACTION_ID.test(raw)) {
    throw new ConfigError(path, `must be an action id (letters, digits, _ . -; at most 64), got ${describeValue(raw)}`);
  }
  return raw;
}

function risk(raw: unknown, path: string): Risk {
  const value = typeof raw === 'string' ? raw.toLowerCase() : raw;
  if (typeof value !== 'string' || !(RISKS as readonly string[]).includes(value)) {
    throw new ConfigError(path, `must be one of ${RISKS.join('|')}, got ${describeValue(raw)}`);
  }
  return value as Risk;
}

function incidentTypes(raw: unknown, path: string): IncidentType[] {
  if (!Array.isArray(raw)) throw new ConfigError(path, `must be a list of incident types (or ['*']), got ${describeValue(raw)}`);
  if (raw.includes('*')) {
    if (raw.length !== 1) throw new ConfigError(path, "'*' (every type) cannot be combined with other types");
    return [];
  }
  const types: IncidentType[] = [];
  raw.forEach((item, index) => {
    const value = typeof item === 'string' ? item.toLowerCase() : item;
    if (typeof value !== 'string' || !isIncidentType(value)) {
      throw new ConfigError(`${path}[${index}]`, `must be an incident type (${INCIDENT_TYPES.join(', ')}), got ${describeValue(item)}`);
    }
    if (!types.includes(value)) types.push(value);
  });
  return types;
}

function nameList(raw: unknown, path: string): string[] {
  if (!Array.isArray(raw)) throw new ConfigError(path, `must be a list of names, got ${describeValue(raw)}`);
  const names: string[] = [];
  raw.forEach((item, index) => {
    const name = typeof item === 'string' ? item.trim() : '';
    if (name === '' || name.length > MAX_NAME_LENGTH || CONTROL.test(name)) {
      throw new ConfigError(`${path}[${index}]`, `must be a name (1–${MAX_NAME_LENGTH} printable characters), got ${describeValue(item)}`);
    }
    if (!names.includes(name)) names.push(name);
  });
  return names;
}

function command(raw: unknown, path: string): string[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_ARGV_ELEMENTS) {
    throw new ConfigError(
      path,
      `must be a non-empty argv list (program, then arguments; no shell), got ${typeof raw === 'string' ? `the string ${describeValue(raw)}: write it as a list` : describeValue(raw)}`,
    );
  }
  return raw.map((item, index) => {
    const itemPath = `${path}[${index}]`;
    if (typeof item !== 'string' && typeof item !== 'number') {
      throw new ConfigError(itemPath, `must be a string, got ${describeValue(item)}`);
    }
    const element = String(item);
    if (element.includes('\u0000')) throw new ConfigError(itemPath, 'must not contain NUL characters');
    if (index === 0) {
      if (element.trim() === '') throw new ConfigError(itemPath, 'the program must be named');
      if (hasPlaceholder(element)) {
        throw new ConfigError(itemPath, 'the program cannot contain placeholders (incident text must never choose what runs)');
      }
    }
    const problems = placeholderProblems(element);
    if (problems.length > 0) throw new ConfigError(itemPath, problems[0]!);
    return element;
  });
}

function http(raw: unknown, path: string): HttpEffect {
  const fields = mapping(raw, path, ['url', 'method', 'headers']);
  if (typeof fields.url !== 'string' || fields.url.trim() === '') {
    throw new ConfigError(`${path}.url`, `must be an http(s) URL, got ${describeValue(fields.url)}`);
  }
  let url: URL;
  try {
    url = new URL(fields.url);
  } catch {
    // The value may carry a token: do not echo it.
    throw new ConfigError(`${path}.url`, 'must be an absolute http(s) URL (it does not parse)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${path}.url`, `must use http or https, got ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(`${path}.url`, 'must not carry credentials (user:password@): send them in http.headers (e.g. Authorization)');
  }
  if (fields.url.includes('{{')) {
    throw new ConfigError(`${path}.url`, 'placeholders are not substituted in URLs: the request body carries the incident');
  }
  let method: HttpMethod = 'POST';
  if (fields.method !== undefined) {
    const value = typeof fields.method === 'string' ? fields.method.toUpperCase() : fields.method;
    if (typeof value !== 'string' || !(HTTP_METHODS as readonly string[]).includes(value)) {
      throw new ConfigError(`${path}.method`, `must be one of ${HTTP_METHODS.join('|')}, got ${describeValue(fields.method)}`);
    }
    method = value as HttpMethod;
  }
  const headers: Record<string, string> = {};
  if (fields.headers !== undefined && fields.headers !== null) {
    if (typeof fields.headers !== 'object' || Array.isArray(fields.headers)) {
      throw new ConfigError(`${path}.headers`, `must be a mapping of header names to values, got ${describeValue(fields.headers)}`);
    }
    for (const [name, value] of Object.entries(fields.headers)) {
      const headerPath = `${path}.headers.${name}`;
      if (!HEADER_NAME.test(name)) throw new ConfigError(headerPath, 'is not a valid header name');
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new ConfigError(headerPath, `must be a string, got ${describeValue(value)}`);
      }
      // Header values often hold credentials: never echo them.
      if (/[\r\n\u0000]/.test(String(value))) throw new ConfigError(headerPath, 'must not contain line breaks or NUL');
      headers[name] = String(value);
    }
  }
  return { url: fields.url, method, headers };
}

function env(raw: unknown, path: string): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(path, `must be a mapping of variable names to values, got ${describeValue(raw)}`);
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const varPath = `${path}.${name}`;
    if (!ENV_NAME.test(name)) throw new ConfigError(varPath, 'is not a valid environment variable name');
    if (name.toUpperCase().startsWith(RESERVED_ENV_PREFIX)) {
      throw new ConfigError(varPath, `${RESERVED_ENV_PREFIX}* variables are set by firewatch`);
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigError(varPath, `must be a string, got ${describeValue(value)}`);
    }
    const textValue = String(value);
    if (textValue.includes('\u0000')) throw new ConfigError(varPath, 'must not contain NUL characters');
    if (hasPlaceholder(textValue)) {
      throw new ConfigError(
        varPath,
        `placeholders are substituted only in command arguments; the command gets ${PLACEHOLDERS.length} FIREWATCH_* variables (FIREWATCH_INCIDENT_ID…)`,
      );
    }
    out[name] = textValue;
  }
  return out;
}
