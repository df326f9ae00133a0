// The seed's dashboard filters (severity, status, component, since, type) plus free text, as one value that every
// front end edits its own way and applies the same way:
//
//   TUI   `:severity critical`, `:status active`, `:clear`, `/text`  ──applyFilterCommand──┐
//   web   `?severity=critical&status=active&since=1h`              ──filterFromQuery──────┼──▶ IncidentFilter
//   CLI   --severity critical --status active                                              │      │
//                                                                 matchesFilter(incident) ◀┘      └──▶ filterToQuery
//                                                                 (live lists)                        (ListIncidents)

import type { IncidentQuery } from '../api/client.js';
import type { IncidentJson } from '../api/incident.js';
import {
  ACTIVE_STATUS,
  INCIDENT_STATUSES,
  INCIDENT_TYPES,
  SEVERITIES,
  isIncidentStatus,
  isIncidentType,
  isOpenStatus,
  isSeverity,
  type IncidentType,
  type Severity,
} from '../api/vocabulary.js';
import { parseSince } from '../common/time.js';

export type IncidentFilter = {
  severity: Severity[];
  /** Statuses, or `active` for every open one. */
  status: string[];
  /** Keep incidents affecting any of these (a component matches when its name contains the text, any case). */
  component: string[];
  /** As typed: an age (`1h`) or an ISO-8601 time; resolved against `now` when applied. '' for none. */
  since: string;
  type: IncidentType[];
  /** Free text: every word must appear in the id, title, type, components, root cause or assignee. */
  text: string;
};

export const EMPTY_FILTER: IncidentFilter = Object.freeze({
  severity: [],
  status: [],
  component: [],
  since: '',
  type: [],
  text: '',
}) as IncidentFilter;

/** The filter fields a `:` command or a URL query names. */
export const FILTER_FIELDS = ['severity', 'status', 'component', 'since', 'type'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

export type FilterResult = { ok: true; filter: IncidentFilter } | { ok: false; error: string };

const MAX_VALUES = 20;
const MAX_TEXT = 200;

function splitValues(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((value) => value.trim())
    .filter((value) => value !== '')
    .slice(0, MAX_VALUES);
}

/** Sets one field from what a person typed (any case); an empty value clears the field. */
export function setFilterField(filter: IncidentFilter, field: FilterField, raw: string, now: number): FilterResult {
  const values = splitValues(raw);
  switch (field) {
    case 'severity': {
      const lower = values.map((value) => value.toLowerCase());
      const bad = lower.find((value) => !isSeverity(value));
      if (bad !== undefined) return { ok: false, error: `unknown severity ${JSON.stringify(bad)} (one of ${SEVERITIES.join(', ')})` };
      return { ok: true, filter: { ...filter, severity: lower as Severity[] } };
    }
    case 'status': {
      const lower = values.map((value) => value.toLowerCase());
      const bad = lower.find((value) => value !== ACTIVE_STATUS && !isIncidentStatus(value));
      if (bad !== undefined) {
        return { ok: false, error: `unknown status ${JSON.stringify(bad)} (${ACTIVE_STATUS}, ${INCIDENT_STATUSES.join(', ')})` };
      }
      return { ok: true, filter: { ...filter, status: lower } };
    }
    case 'type': {
      const lower = values.map((value) => value.toLowerCase());
      const bad = lower.find((value) => !isIncidentType(value));
      if (bad !== undefined) return { ok: false, error: `unknown incident type ${JSON.stringify(bad)} (e.g. ${INCIDENT_TYPES.slice(0, 3).join(', ')})` };
      return { ok: true, filter: { ...filter, type: lower as IncidentType[] } };
    }
    case 'component':
      return { ok: true, filter: { ...filter, component: values.map((value) => value.slice(0, MAX_TEXT)) } };
    case 'since': {
      const value = raw.trim();
      if (value === '') return { ok: true, filter: { ...filter, since: '' } };
      try {
        parseSince(value, now);
      } catch (error) {
        return { ok: false, error: (error as Error).message.replace('--since', 'since') };
      }
      return { ok: true, filter: { ...filter, since: value } };
    }
  }
}

/**
 * A `:` command of the TUI: `severity critical`, `status active`, `component api`, `since 1h`, `type error_burst`,
 * `clear` (everything), `clear severity` (one field). The leading `:` is optional.
 */
export function applyFilterCommand(filter: IncidentFilter, command: string, now: number): FilterResult {
  const text = command.trim().replace(/^:/, '').trim();
  const [name = '', ...rest] = text.split(/\s+/);
  const verb = name.toLowerCase();
  const argument = rest.join(' ');
  if (verb === 'clear') {
    if (argument === '') return { ok: true, filter: EMPTY_FILTER };
    const field = argument.toLowerCase();
    if (field === 'text') return { ok: true, filter: { ...filter, text: '' } };
    if (!(FILTER_FIELDS as readonly string[]).includes(field)) return { ok: false, error: `clear what? ${FILTER_FIELDS.join(', ')} or text` };
    return setFilterField(filter, field as FilterField, '', now);
  }
  if (!(FILTER_FIELDS as readonly string[]).includes(verb)) {
    return { ok: false, error: `unknown command ${JSON.stringify(verb)}: try ${FILTER_FIELDS.map((f) => `:${f}`).join(', ')}, :clear` };
  }
  if (argument === '') return { ok: false, error: `:${verb} needs a value (e.g. ${EXAMPLES[verb as FilterField]})` };
  return setFilterField(filter, verb as FilterField, argument, now);
}

const EXAMPLES: Record<FilterField, string> = {
  severity: ':severity critical,high',
  status: ':status active',
  component: ':component api',
  since: ':since 1h',
  type: ':type error_burst',
};

export function setFilterText(filter: IncidentFilter, text: string): IncidentFilter {
  return { ...filter, text: text.slice(0, MAX_TEXT) };
}

export function isEmptyFilter(filter: IncidentFilter): boolean {
  return (
    filter.severity.length === 0 &&
    filter.status.length === 0 &&
    filter.component.length === 0 &&
    filter.since === '' &&
    filter.type.length === 0 &&
    filter.text.trim() === ''
  );
}

/** Compiled once per filter change, applied to every row: the predicate of a filter at `now`. */
export function compileFilter(filter: IncidentFilter, now: number): (incident: IncidentJson) => boolean {
  const severities = new Set<string>(filter.severity);
  const active = filter.status.includes(ACTIVE_STATUS);
  const statuses = new Set(filter.status.filter((status) => status !== ACTIVE_STATUS));
  const components = filter.component.map((component) => component.toLowerCase());
  const types = new Set<string>(filter.type);
  let sinceMs: number | undefined;
  if (filter.since !== '') {
    try {
      sinceMs = parseSince(filter.since, now);
    } catch {
      sinceMs = undefined; // refused when it was set; an ISO time now in the future simply matches nothing newer
    }
  }
  const words = filter.text.toLowerCase().split(/\s+/).filter((word) => word !== '');
  return (incident) => {
    if (severities.size > 0 && !severities.has(incident.severity)) return false;
    if ((active || statuses.size > 0) && !((active && isOpenStatus(incident.status)) || statuses.has(incident.status))) return false;
    if (types.size > 0 && !types.has(incident.incident_type)) return false;
    if (components.length > 0) {
      const affected = incident.affected_components.map((component) => component.toLowerCase());
      if (!components.some((wanted) => affected.some((component) => component.includes(wanted)))) return false;
    }
    if (sinceMs !== undefined) {
      const detected = Date.parse(incident.detected_at ?? '');
      if (!(detected >= sinceMs)) return false;
    }
    if (words.length > 0) {
      const haystack = searchText(incident);
      if (!words.every((word) => haystack.includes(word))) return false;
    }
    return true;
  };
}

export function matchesFilter(incident: IncidentJson, filter: IncidentFilter, now: number): boolean {
  return compileFilter(filter, now)(incident);
}

function searchText(incident: IncidentJson): string {
  return [
    incident.incident_id,
    incident.title,
    incident.incident_type,
    incident.status,
    incident.severity,
    incident.assigned_to ?? '',
    incident.root_cause.primary_source,
    incident.root_cause.primary_error_type,
    ...incident.affected_components,
  ]
    .join('\n')
    .toLowerCase();
}

/**
 * The filter as a ListIncidents request, never narrower than the filter itself: free text and components are applied
 * client-side (the daemon matches a component's name exactly; the filter by containment, so `api` finds
 * `payments-api`, and asking the daemon for `api` would leave that one out).
 */
export function filterToQuery(filter: IncidentFilter, now: number, limit = 0): IncidentQuery {
  const query: IncidentQuery = { limit };
  if (filter.status.length > 0) query.status = [...filter.status];
  if (filter.severity.length > 0) query.severity = [...filter.severity];
  if (filter.type.length > 0) query.incident_type = [...filter.type];
  if (filter.since !== '') {
    try {
      query.since = new Date(parseSince(filter.since, now)).toISOString();
    } catch {
      // validated when set
    }
  }
  return query;
}

/** `severity=critical status=active since=1h "db"`: what a header or the page title shows. '' when empty. */
export function describeFilter(filter: IncidentFilter): string {
  const parts: string[] = [];
  for (const field of FILTER_FIELDS) {
    const value = filter[field];
    const text = Array.isArray(value) ? value.join(',') : value;
    if (text !== '') parts.push(`${field}=${text}`);
  }
  if (filter.text.trim() !== '') parts.push(JSON.stringify(filter.text.trim()));
  return parts.join(' ');
}

/** The filter as URL query parameters (`?severity=critical&status=active`), so a view can be bookmarked. */
export function filterToQueryParams(filter: IncidentFilter): Array<[string, string]> {
  const params: Array<[string, string]> = [];
  for (const field of FILTER_FIELDS) {
    const value = filter[field];
    const text = Array.isArray(value) ? value.join(',') : value;
    if (text !== '') params.push([field, text]);
  }
  if (filter.text.trim() !== '') params.push(['q', filter.text.trim()]);
  return params;
}

/** URL query parameters → a filter; bad values are reported, one line each, and left out. */
export function filterFromQueryParams(params: Iterable<[string, string]>, now: number): { filter: IncidentFilter; errors: string[] } {
  let filter: IncidentFilter = EMPTY_FILTER;
  const errors: string[] = [];
  for (const [key, value] of params) {
    if (key === 'q') {
      filter = setFilterText(filter, value);
      continue;
    }
    if (!(FILTER_FIELDS as readonly string[]).includes(key)) continue;
    const field = key as FilterField;
    // Repeated parameters add up (`?severity=critical&severity=high`).
    const current = filter[field];
    const combined = Array.isArray(current) && current.length > 0 ? `${current.join(',')},${value}` : value;
    const result = setFilterField(filter, field, combined, now);
    if (result.ok) filter = result.filter;
    else errors.push(`${field}: ${result.error}`);
  }
  return { filter, errors };
}
