// The `remediation` section of otel-config.yaml.
//
//   raw YAML value ──parseRemediationConfig()──▶ RemediationConfig (built-in catalogue merged with the file's actions,
//                                                 runbooks per incident type)
//
// Every key is checked and a problem names its full path (`remediation.actions[2].command[0]`). Actions are merged
// by id over the built-in catalogue: the file's fields override, the rest keep the built-in values. An action the
// file adds must say its risk: defaulting to `safe` would let a typo run something automatically.
// ${env:VAR} has been expanded by the daemon before this sees the value.

import {
  boolean,
  ConfigError,
  describeValue,
  headerMap,
  httpUrl,
  mapping,
  nonEmptyString,
  plainMapping,
  positiveNumber,
  setOwn,
  wholeNumber,
} from '../common/config-checks.js';
import { ACTION_DEFAULTS, DEFAULT_RECOMMENDATIONS, builtinActions } from './catalog.js';
import { PLACEHOLDERS, hasPlaceholder, placeholderProblems } from './placeholders.js';
import { HTTP_METHODS, type ActionDefinition, type HttpEffect, type HttpMethod } from './types.js';
import { INCIDENT_TYPES, RISKS, isIncidentType, type IncidentType, type Risk, type Runbook, type RunbookLink } from '../engine/index.js';

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
  /**
   * Action ids recommended per incident type, in run order. Default: the file's actions with a command or http that
   * name the type in applies_to (file order), then the seed's table (catalog.ts).
   */
  recommendations: Record<IncidentType, string[]>;
  /** Steps and links per incident type, shown by `incidents get` and in the post-mortem. Default none. */
  runbooks: Partial<Record<IncidentType, Runbook>>;
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
    runbooks: {},
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
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const RESERVED_ENV_PREFIX = 'FIREWATCH_';

// ---- parsing -------------------------------------------------------------------------------------------------

const TOP_KEYS = ['auto_remediate', 'approval_ttl_seconds', 'approvers', 'actions', 'recommendations', 'runbooks'] as const;
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
    const merged = mergeActions(config.actions, section.actions, `${path}.actions`);
    config.actions = merged.actions;
    config.recommendations = defaultRecommendations(merged.actions, merged.fileOrder);
  }
  if (section.recommendations !== undefined && section.recommendations !== null) {
    applyRecommendations(config, section.recommendations, `${path}.recommendations`);
  }
  config.runbooks = parseRunbooksConfig(section.runbooks, `${path}.runbooks`);
  return config;
}

/**
 * The recommendation table when the file gives none for a type: first the file's actions that have an effect and
 * name the type in applies_to (in file order: an operator who configures a command for a type expects it to run),
 * then the seed's table, keeping only actions that (still) apply to the type after the file's overrides.
 * An action for every type (applies_to '*' or absent) is not recommended by default: running or requesting
 * approval for it on every incident is a choice `remediation.recommendations` makes explicitly.
 */
function defaultRecommendations(actions: readonly ActionDefinition[], fileOrder: readonly string[] = []): Record<IncidentType, string[]> {
  const byId = new Map(actions.map((action) => [action.id, action]));
  const configured = fileOrder.map((id) => byId.get(id)!).filter((action) => action.command !== null || action.http !== null);
  const table = {} as Record<IncidentType, string[]>;
  for (const type of INCIDENT_TYPES) {
    const ids = configured.filter((action) => action.applies_to.includes(type)).map((action) => action.id);
    for (const id of DEFAULT_RECOMMENDATIONS[type]) {
      const action = byId.get(id);
      if (action !== undefined && appliesTo(action, type) && !ids.includes(id)) ids.push(id);
    }
    table[type] = ids;
  }
  return table;
}

export function appliesTo(action: ActionDefinition, type: IncidentType): boolean {
  return action.applies_to.length === 0 || action.applies_to.includes(type);
}

/** The catalogue with the file's actions merged over it by id, and the ids the file names, in file order. */
function mergeActions(builtins: ActionDefinition[], raw: unknown, path: string): { actions: ActionDefinition[]; fileOrder: string[] } {
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
  return { actions: merged, fileOrder: [...seen] };
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
    action.max_auto_runs = wholeNumber(fields.max_auto_runs, `${path}.max_auto_runs`, 0, MAX_AUTO_RUNS);
  }
  if (fields.backoff_multiplier !== undefined) {
    const value = positiveNumber(fields.backoff_multiplier, `${path}.backoff_multiplier`, MAX_BACKOFF_MULTIPLIER);
    if (value < 1) throw new ConfigError(`${path}.backoff_multiplier`, `must be at least 1, got ${value}`);
    action.backoff_multiplier = value;
  }
  if (fields.circuit_breaker !== undefined && fields.circuit_breaker !== null) {
    const breaker = mapping(fields.circuit_breaker, `${path}.circuit_breaker`, ['failure_threshold', 'reset_seconds']);
    if (breaker.failure_threshold !== undefined) {
      action.circuit_breaker.failure_threshold = wholeNumber(
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

// ---- runbooks -------------------------------------------------------------------------------------------------
//
//   remediation.runbooks.<incident_type>: { steps: [..], links: [{ title, url }] }
//        └─ parseRunbooksConfig(raw) ──▶ Partial<Record<IncidentType, Runbook>> ──▶ renderPostmortem({ runbook })
//
// The configuration is trusted more than telemetry, but runbook text is still printed on terminals and rendered as
// Markdown, so control characters are refused here (the renderer escapes Markdown on its own) and links must be
// http(s) URLs without credentials: a post-mortem is shared widely, a password in a link would travel with it.

/** Most steps one runbook may have. */
export const MAX_RUNBOOK_STEPS = 50;
/** Longest step, in characters. */
export const MAX_RUNBOOK_STEP_LENGTH = 500;
/** Most links one runbook may have. */
export const MAX_RUNBOOK_LINKS = 20;
/** Longest link title, in characters. */
export const MAX_RUNBOOK_LINK_TITLE_LENGTH = 200;
/** Longest link URL, in characters. */
export const MAX_RUNBOOK_URL_LENGTH = 2048;

const RUNBOOK_KEYS = ['steps', 'links'] as const;
const LINK_KEYS = ['title', 'url'] as const;
/** C0 and C1 controls (tab and line breaks included: steps and titles are one line), DEL, bidi overrides. */
const RUNBOOK_CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Validates the `remediation.runbooks` section: a mapping from incident type to `{ steps, links }`. An absent or
 * empty section is no runbooks. `steps` is a list of one-line strings (≤ 500 characters, ≤ 50 of them); `links` a
 * list of `{ title, url }` with http(s) URLs; a runbook needs at least one of either. Unknown keys and bad values
 * throw ConfigError naming the key's path.
 */
export function parseRunbooksConfig(raw: unknown, path = 'remediation.runbooks'): Partial<Record<IncidentType, Runbook>> {
  const runbooks: Partial<Record<IncidentType, Runbook>> = {};
  if (raw === null || raw === undefined) return runbooks;
  const table = plainMapping(raw, path, 'a mapping from incident type to a runbook');
  for (const [key, value] of Object.entries(table)) {
    const keyPath = `${path}.${key}`;
    if (!isIncidentType(key)) {
      throw new ConfigError(keyPath, `unknown incident type (known: ${INCIDENT_TYPES.join(', ')})`);
    }
    runbooks[key] = parseRunbook(value, keyPath);
  }
  return runbooks;
}

function parseRunbook(raw: unknown, path: string): Runbook {
  const fields = mapping(raw, path, RUNBOOK_KEYS, 'a mapping { steps, links }');
  const steps = fields.steps === undefined || fields.steps === null ? [] : runbookSteps(fields.steps, `${path}.steps`);
  const links = fields.links === undefined || fields.links === null ? [] : runbookLinks(fields.links, `${path}.links`);
  if (steps.length === 0 && links.length === 0) {
    throw new ConfigError(path, 'needs at least one step or one link');
  }
  return { steps, links };
}

function runbookSteps(raw: unknown, path: string): string[] {
  if (!Array.isArray(raw)) throw new ConfigError(path, `must be a list of strings, got ${describeValue(raw)}`);
  if (raw.length > MAX_RUNBOOK_STEPS) {
    throw new ConfigError(path, `must have at most ${MAX_RUNBOOK_STEPS} steps, got ${raw.length}`);
  }
  return raw.map((step, i) => oneLine(step, MAX_RUNBOOK_STEP_LENGTH, `${path}[${i}]`));
}

function runbookLinks(raw: unknown, path: string): RunbookLink[] {
  if (!Array.isArray(raw)) {
    throw new ConfigError(path, `must be a list of { title, url } mappings, got ${describeValue(raw)}`);
  }
  if (raw.length > MAX_RUNBOOK_LINKS) {
    throw new ConfigError(path, `must have at most ${MAX_RUNBOOK_LINKS} links, got ${raw.length}`);
  }
  return raw.map((item, i) => {
    const itemPath = `${path}[${i}]`;
    const fields = mapping(item, itemPath, LINK_KEYS, 'a mapping { title, url }');
    return {
      title: oneLine(fields.title, MAX_RUNBOOK_LINK_TITLE_LENGTH, `${itemPath}.title`),
      url: runbookUrl(fields.url, `${itemPath}.url`),
    };
  });
}

/**
 * One line of text: trimmed (YAML block scalars end with a line break), non-empty, at most `max` characters, with no
 * control characters.
 */
function oneLine(raw: unknown, max: number, path: string): string {
  const line = nonEmptyString(raw, path).trim();
  if (line.length > max) throw new ConfigError(path, `must be at most ${max} characters, got ${line.length}`);
  if (RUNBOOK_CONTROL_CHARACTER.test(line)) {
    throw new ConfigError(path, 'must be one line without control characters (tabs, line breaks, escapes)');
  }
  return line;
}

/** An http(s) URL without credentials, as WHATWG `URL.href` normalises it. */
function runbookUrl(raw: unknown, path: string): string {
  const checked = httpUrl(typeof raw === 'string' ? raw.trim() : raw, path, 'post-mortems are shared');
  if (checked.length > MAX_RUNBOOK_URL_LENGTH) {
    throw new ConfigError(path, `must be at most ${MAX_RUNBOOK_URL_LENGTH} characters, got ${checked.length}`);
  }
  return new URL(checked).href;
}

// ---- value checks ----------------------------------------------------------------------------------------------

function nonNegativeNumber(raw: unknown, path: string, max: number): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0 || raw > max) {
    throw new ConfigError(path, `must be a number from 0 to ${max}, got ${describeValue(raw)}`);
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
  const url = httpUrl(fields.url, `${path}.url`, 'send them in http.headers (e.g. Authorization)');
  if (url.includes('{{')) {
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
  const headers = fields.headers === undefined || fields.headers === null ? {} : headerMap(fields.headers, `${path}.headers`, { numbers: true });
  return { url, method, headers };
}

function env(raw: unknown, path: string): Record<string, string> {
  const fields = plainMapping(raw, path, 'a mapping of variable names to values');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
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
    setOwn(out, name, textValue);
  }
  return out;
}
