// Runbooks: per incident type, the steps a responder follows and the pages worth opening. They come from the
// configuration and end up in post-mortems (engine/postmortem.ts) and, through runbookToJson, in the control API.
//
//   otel-config.yaml  remediation.runbooks.<incident_type>: { steps: [..], links: [{ title, url }] }
//        └─ parseRunbooksConfig(raw) ──▶ Partial<Record<IncidentType, Runbook>> ──▶ renderPostmortem({ runbook })
//
// The configuration is trusted more than telemetry, but its text is still printed on terminals and rendered as
// Markdown, so control characters are refused here (the renderer escapes Markdown on its own) and links must be
// http(s) URLs without credentials: a post-mortem is shared widely, a password in a link would travel with it.

import { ConfigError, describeValue } from '../daemon/config-error.js';
import { INCIDENT_TYPES, isIncidentType } from './types.js';
import type { IncidentType } from './types.js';

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

export interface RunbookLink {
  title: string;
  /** An absolute http: or https: URL, as WHATWG `URL.href` normalises it. */
  url: string;
}

export interface Runbook {
  /** What to do, in order; one line each. */
  steps: string[];
  links: RunbookLink[];
}

/** The JSON shape (control API, `--format json`); the same fields, copied. */
export type RunbookJson = {
  steps: string[];
  links: { title: string; url: string }[];
};

const RUNBOOK_KEYS = ['steps', 'links'] as const;
const LINK_KEYS = ['title', 'url'] as const;
/** C0 and C1 controls (tab and line breaks included: steps and titles are one line), DEL, bidi overrides. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function isMapping(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}

function checkKeys(raw: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) throw new ConfigError(`${path}.${key}`, `unknown key (known here: ${known.join(', ')})`);
  }
}

/**
 * One line of text: trimmed (YAML block scalars end with a line break), non-empty, at most `max` characters, with no
 * control characters.
 */
function oneLine(raw: unknown, max: number, path: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ConfigError(path, `must be a non-empty string, got ${describeValue(raw)}`);
  }
  const text = raw.trim();
  if (text.length > max) throw new ConfigError(path, `must be at most ${max} characters, got ${text.length}`);
  if (CONTROL_CHARACTER.test(text)) {
    throw new ConfigError(path, 'must be one line without control characters (tabs, line breaks, escapes)');
  }
  return text;
}

function parseUrl(raw: unknown, path: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ConfigError(path, `must be an http(s) URL, got ${describeValue(raw)}`);
  }
  const text = raw.trim();
  if (text.length > MAX_RUNBOOK_URL_LENGTH) {
    throw new ConfigError(path, `must be at most ${MAX_RUNBOOK_URL_LENGTH} characters, got ${text.length}`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(path, `must be an absolute http(s) URL, got ${describeValue(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(path, `must be an http(s) URL, got scheme ${JSON.stringify(url.protocol.slice(0, -1))}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(path, 'must not carry credentials (user:password@): post-mortems are shared');
  }
  return url.href;
}

function parseSteps(raw: unknown, path: string): string[] {
  if (!Array.isArray(raw)) throw new ConfigError(path, `must be a list of strings, got ${describeValue(raw)}`);
  if (raw.length > MAX_RUNBOOK_STEPS) {
    throw new ConfigError(path, `must have at most ${MAX_RUNBOOK_STEPS} steps, got ${raw.length}`);
  }
  return raw.map((step, i) => oneLine(step, MAX_RUNBOOK_STEP_LENGTH, `${path}[${i}]`));
}

function parseLinks(raw: unknown, path: string): RunbookLink[] {
  if (!Array.isArray(raw)) {
    throw new ConfigError(path, `must be a list of { title, url } mappings, got ${describeValue(raw)}`);
  }
  if (raw.length > MAX_RUNBOOK_LINKS) {
    throw new ConfigError(path, `must have at most ${MAX_RUNBOOK_LINKS} links, got ${raw.length}`);
  }
  return raw.map((item, i) => {
    const itemPath = `${path}[${i}]`;
    if (!isMapping(item)) {
      throw new ConfigError(itemPath, `must be a mapping { title, url }, got ${describeValue(item)}`);
    }
    checkKeys(item, LINK_KEYS, itemPath);
    return {
      title: oneLine(item.title, MAX_RUNBOOK_LINK_TITLE_LENGTH, `${itemPath}.title`),
      url: parseUrl(item.url, `${itemPath}.url`),
    };
  });
}

function parseRunbook(raw: unknown, path: string): Runbook {
  if (!isMapping(raw)) throw new ConfigError(path, `must be a mapping { steps, links }, got ${describeValue(raw)}`);
  checkKeys(raw, RUNBOOK_KEYS, path);
  const steps = raw.steps === undefined || raw.steps === null ? [] : parseSteps(raw.steps, `${path}.steps`);
  const links = raw.links === undefined || raw.links === null ? [] : parseLinks(raw.links, `${path}.links`);
  if (steps.length === 0 && links.length === 0) {
    throw new ConfigError(path, 'needs at least one step or one link');
  }
  return { steps, links };
}

/**
 * Validates the `remediation.runbooks` section: a mapping from incident type to `{ steps, links }`. An absent or
 * empty section is no runbooks. `steps` is a list of one-line strings (≤ 500 characters, ≤ 50 of them); `links` a
 * list of `{ title, url }` with http(s) URLs; a runbook needs at least one of either. Unknown keys and bad values
 * throw ConfigError naming the key's path.
 */
export function parseRunbooksConfig(
  raw: unknown,
  path = 'remediation.runbooks',
): Partial<Record<IncidentType, Runbook>> {
  const runbooks: Partial<Record<IncidentType, Runbook>> = {};
  if (raw === null || raw === undefined) return runbooks;
  if (!isMapping(raw)) {
    throw new ConfigError(path, `must be a mapping from incident type to a runbook, got ${describeValue(raw)}`);
  }
  for (const [key, value] of Object.entries(raw)) {
    const keyPath = `${path}.${key}`;
    if (!isIncidentType(key)) {
      throw new ConfigError(keyPath, `unknown incident type (known: ${INCIDENT_TYPES.join(', ')})`);
    }
    runbooks[key] = parseRunbook(value, keyPath);
  }
  return runbooks;
}

export function runbookToJson(runbook: Runbook): RunbookJson {
  return {
    steps: [...runbook.steps],
    links: runbook.links.map((link) => ({ title: link.title, url: link.url })),
  };
}
