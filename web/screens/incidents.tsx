// Incidents: the list under the seed's filters, which live in the address (`/incidents?severity=critical&status=
// active`), so a filtered view can be bookmarked and shared. The form writes the address; the address is the filter.
// Open incidents arrive live; a filter that reaches further (resolved, older) asks the daemons for the rest.

import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ACTIVE_STATUS, INCIDENT_STATUSES, INCIDENT_TYPES, SEVERITIES } from '../../api/vocabulary.js';
import { EMPTY_FILTER, FILTER_FIELDS, describeFilter, filterToQuery, filterToQueryParams, isEmptyFilter, setFilterField, setFilterText, type FilterField, type IncidentFilter } from '../../view/filters.js';
import { INCIDENT_COLUMNS } from '../../view/incident-text.js';
import { displayId } from '../../view/incidents-state.js';
import { compareIncidentEntries } from '../../view/incident-list.js';
import { PageLink, useDashboard, useScreenCommands } from '../dashboard-context.js';
import { useAddressFilter } from '../filter-state.js';
import { describeFailure } from '../gateway-client.js';
import { loadIncidents } from '../loaders.js';
import { incidentHref, withQuery } from '../routes.js';
import { movementCommands, useSelection } from '../use-selection.js';
import { DataTable, ErrorNote, SeverityBadge } from '../widgets/basics.js';
import { incidentKeyCommands } from './incident-keys.js';

const LIST_LIMIT = 500;
const PAGE_ROWS = 200;

const FIELD_LABELS: Record<FilterField, string> = {
  severity: 'Severity',
  status: 'Status',
  component: 'Component',
  since: 'Since',
  type: 'Type',
};

const SUGGESTIONS: Partial<Record<FilterField, readonly string[]>> = {
  severity: SEVERITIES,
  status: [ACTIVE_STATUS, ...INCIDENT_STATUSES],
  type: INCIDENT_TYPES,
  since: ['15m', '1h', '24h', '7d'],
};

function fieldText(filter: IncidentFilter, field: FilterField): string {
  const value = filter[field];
  return Array.isArray(value) ? value.join(',') : value;
}

export function IncidentsScreen() {
  const dashboard = useDashboard();
  const { state, now, search, navigate, dispatch } = dashboard;
  const { filter, errors, matches } = useAddressFilter(search, now);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [loadError, setLoadError] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [rowsShown, setRowsShown] = useState(PAGE_ROWS);
  const connected = state.connections.map((connection) => connection.daemon_id ?? '').join(',');

  // The form shows the address's filter whenever the address changes (back, forward, a bookmark).
  useEffect(() => {
    setDraft(Object.fromEntries([...FILTER_FIELDS.map((field) => [field, fieldText(filter, field)]), ['q', filter.text]]));
    setFormErrors([]);
    setRowsShown(PAGE_ROWS);
  }, [search]);

  // What the stream does not carry: ask every daemon for the filter's incidents (again when a daemon connects).
  useEffect(() => {
    let current = true;
    setLoading(true);
    loadIncidents(dispatch, filterToQuery(filter, Date.now(), LIST_LIMIT))
      .then(
        ({ failed }) => current && setLoadError(failed.length > 0 ? failed.join('; ') : undefined),
        (error: unknown) => current && setLoadError(describeFailure(error)),
      )
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [search, connected]);

  const rows = useMemo(() => {
    const list = [...state.entries.values()].filter((entry) => matches(entry.incident));
    // The terminal UI's order, so an incident is in the same place in both.
    list.sort(compareIncidentEntries);
    return list;
  }, [state.entries, matches]);
  const shown = rows.slice(0, rowsShown);
  const selection = useSelection(shown.map((entry) => entry.key));
  const selected = selection.key === undefined ? undefined : state.entries.get(selection.key);
  useScreenCommands({
    ...movementCommands(selection),
    ...incidentKeyCommands(dashboard, selected),
    filter: () => document.getElementById('filter-q')?.focus(),
  });

  const apply = (event: FormEvent) => {
    event.preventDefault();
    let next: IncidentFilter = EMPTY_FILTER;
    const problems: string[] = [];
    for (const field of FILTER_FIELDS) {
      const result = setFilterField(next, field, draft[field] ?? '', Date.now());
      if (result.ok) next = result.filter;
      else problems.push(`${FIELD_LABELS[field]}: ${result.error}`);
    }
    next = setFilterText(next, draft.q ?? '');
    setFormErrors(problems);
    if (problems.length === 0) navigate(withQuery('/incidents', filterToQueryParams(next)));
  };

  return (
    <div className="incidents">
      <h1>Incidents</h1>
      <form className="filters" onSubmit={apply} aria-label="Filter incidents" role="search">
        {FILTER_FIELDS.map((field) => (
          <label key={field}>
            <span>{FIELD_LABELS[field]}</span>
            <input
              name={field}
              value={draft[field] ?? ''}
              list={SUGGESTIONS[field] ? `suggest-${field}` : undefined}
              placeholder={field === 'component' ? 'api' : field === 'since' ? '1h' : 'any'}
              autoComplete="off"
              onChange={(event) => setDraft({ ...draft, [field]: event.target.value })}
            />
            {SUGGESTIONS[field] ? (
              <datalist id={`suggest-${field}`}>
                {SUGGESTIONS[field]!.map((value) => (
                  <option key={value} value={value} />
                ))}
              </datalist>
            ) : null}
          </label>
        ))}
        <label>
          <span>Text</span>
          <input id="filter-q" name="q" value={draft.q ?? ''} placeholder="words" autoComplete="off" onChange={(event) => setDraft({ ...draft, q: event.target.value })} />
        </label>
        <div className="filter-buttons">
          <button type="submit">Apply</button>
          {isEmptyFilter(filter) ? null : <PageLink href="/incidents">Clear</PageLink>}
        </div>
      </form>
      {[...errors, ...formErrors].length > 0 ? <ErrorNote>{[...errors, ...formErrors].join('; ')}</ErrorNote> : null}
      {loadError !== undefined ? <ErrorNote>Could not read every daemon: {loadError}</ErrorNote> : null}
      <p className="list-summary" aria-live="polite">
        {rows.length === 1 ? '1 incident' : `${rows.length} incidents`}
        {isEmptyFilter(filter) ? '' : ` matching ${describeFilter(filter)}`}
      </p>
      <div aria-busy={loading || state.connections.some((connection) => connection.state !== 'connected')} className="list">
      <DataTable
        caption="Incidents, newest first"
        captionHidden
        columns={INCIDENT_COLUMNS}
        empty={isEmptyFilter(filter) ? 'No incidents.' : 'No incidents match the filter.'}
        rows={shown.map((entry, index) => {
          const incident = entry.incident;
          const id = displayId(state, entry);
          return {
            key: entry.key,
            selected: index === selection.index,
            onSelect: () => selection.select(index),
            className: `row-${incident.severity}`,
            cells: INCIDENT_COLUMNS.map((column) =>
              column.id === 'id' ? (
                <PageLink href={incidentHref(id)}>{id}</PageLink>
              ) : column.id === 'severity' ? (
                <SeverityBadge severity={incident.severity} />
              ) : (
                column.cell(incident, now)
              ),
            ),
          };
        })}
      />
      </div>
      {rows.length > shown.length ? (
        <p className="more">
          <button type="button" onClick={() => setRowsShown(rowsShown + PAGE_ROWS)}>
            Show {Math.min(PAGE_ROWS, rows.length - shown.length)} more of {rows.length - shown.length}
          </button>
        </p>
      ) : null}
    </div>
  );
}
