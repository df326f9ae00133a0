// The seed's dashboard: overview panel (system health, active incidents, resolved today, average MTTR), active
// incidents with their duration, recent activity, the last 24 h metrics, component health. The address's filters
// (`?severity=critical`…) narrow the incident panels; the numbers stay system-wide.

import { useEffect, useMemo } from 'react';
import { describeFilter, filterToQueryParams, isEmptyFilter } from '../../view/filters.js';
import { displayId, type IncidentEntry } from '../../view/incidents-state.js';
import { formatClock, formatDuration, label } from '../../view/format.js';
import { cleanLine } from '../../view/text.js';
import {
  activeIncidents,
  formatIncidentAge,
  mergedComponents,
  deadLetters,
  mergedStats,
  metricRows,
  overviewNumbers,
  recentActivity,
} from '../../view/overview.js';
import { componentStatusLabel } from '../../view/component-text.js';
import { PageLink, useDashboard, useScreenCommands } from '../dashboard-context.js';
import { useAddressFilter } from '../filter-state.js';
import { incidentHref, withQuery } from '../routes.js';
import { movementCommands, useSelection } from '../use-selection.js';
import { DataTable, ErrorNote, Panel, SeverityBadge } from '../widgets/basics.js';
import { incidentKeyCommands } from './incident-keys.js';
import { loadComponents, loadResolvedToday, loadStats } from '../loaders.js';

/** Rows of the active incidents panel; the rest are a link away. */
const ACTIVE_ROWS = 25;
const ACTIVITY_ROWS = 12;

export function OverviewScreen() {
  const dashboard = useDashboard();
  const { state, now, search, dispatch } = dashboard;
  const { filter, errors, matches } = useAddressFilter(search, now);
  // Measured, not pushed: statistics and component health are read again as the clock ticks and daemons connect.
  const connected = state.connections.map((connection) => (connection.state === 'connected' ? connection.daemon_id : '')).join(',');
  useEffect(() => {
    loadStats(dispatch, Date.now()).catch(() => undefined);
    loadComponents(dispatch).catch(() => undefined);
  }, [connected, now]);
  useEffect(() => {
    loadResolvedToday(dispatch, Date.now()).catch(() => undefined);
  }, [connected]);
  const numbers = useMemo(() => overviewNumbers(state, now), [state.entries, state.components, now]);
  const active = useMemo(() => activeIncidents(state, (entry) => matches(entry.incident)), [state.entries, matches]);
  const activity = useMemo(() => recentActivity(state, ACTIVITY_ROWS, (entry) => matches(entry.incident)), [state.entries, matches]);
  const metrics = useMemo(() => metricRows(mergedStats(state)), [state.stats]);
  const dead = useMemo(() => deadLetters(state), [state.stats]);
  const components = useMemo(() => mergedComponents(state), [state.components]);
  const shown = active.slice(0, ACTIVE_ROWS);
  const selection = useSelection(shown.map((entry) => entry.key));
  const selected: IncidentEntry | undefined = selection.key === undefined ? undefined : state.entries.get(selection.key);
  useScreenCommands({ ...movementCommands(selection), ...incidentKeyCommands(dashboard, selected) });

  const health = numbers.system_health;
  return (
    <div className="overview">
      <h1 className="visually-hidden">Overview</h1>
      {errors.length > 0 ? <ErrorNote>Filter ignored: {errors.join('; ')}</ErrorNote> : null}
      <Panel title="Incident dashboard" id="numbers" className="numbers">
        <dl className="big-numbers">
          <div>
            <dt>System health</dt>
            <dd>
              <meter min={0} max={100} low={80} high={95} optimum={100} value={health ?? 0} aria-label="System health">
                {health === null ? '-' : `${health}%`}
              </meter>{' '}
              <span className="big">{health === null ? '-' : `${Math.round(health)}%`}</span>
            </dd>
          </div>
          <div>
            <dt>Active incidents</dt>
            <dd className="big" data-testid="active-count">
              {numbers.active_incidents}
            </dd>
          </div>
          <div>
            <dt>Unacknowledged</dt>
            <dd className="big">{numbers.unacknowledged}</dd>
          </div>
          <div>
            <dt>Resolved today</dt>
            <dd className="big">{numbers.resolved_today}</dd>
          </div>
          <div>
            <dt>Avg MTTR</dt>
            <dd className="big">{formatDuration(numbers.avg_mttr_seconds)}</dd>
          </div>
          <div>
            <dt>Dead letters</dt>
            <dd className={dead !== null && dead > 0 ? 'big dead-letters' : 'big'} data-testid="dead-letters">
              {dead ?? '-'}
            </dd>
          </div>
        </dl>
      </Panel>

      <div className="overview-columns">
        <div className="overview-main">
          <Panel
            title={`Active incidents (${active.length})`}
            id="active"
            className="active"
            actions={
              isEmptyFilter(filter) ? null : (
                <p className="filter-note">
                  Filtered: {describeFilter(filter)} · <PageLink href="/">clear</PageLink>
                </p>
              )
            }
          >
            <DataTable
              caption="Active incidents, most severe first"
              captionHidden
              columns={[{ header: 'ID' }, { header: 'Title' }, { header: 'Severity' }, { header: 'Status' }, { header: 'Duration', align: 'right' }]}
              empty={isEmptyFilter(filter) ? 'No active incidents.' : 'No active incidents match the filter.'}
              rows={shown.map((entry, index) => {
                const id = displayId(state, entry);
                const incident = entry.incident;
                return {
                  key: entry.key,
                  selected: index === selection.index,
                  onSelect: () => selection.select(index),
                  className: incident.acknowledged ? 'acknowledged' : 'unacknowledged',
                  cells: [
                    <PageLink href={incidentHref(id)}>{id}</PageLink>,
                    cleanLine(incident.title),
                    <SeverityBadge severity={incident.severity} />,
                    <>
                      {incident.status}
                      {incident.acknowledged ? <span className="tag"> ack</span> : null}
                    </>,
                    formatIncidentAge(entry, now),
                  ],
                };
              })}
            />
            {active.length > shown.length ? (
              <p className="more">
                <PageLink href={withQuery('/incidents', filterToQueryParams({ ...filter, status: filter.status.length > 0 ? filter.status : ['active'] }))}>
                  All {active.length} active incidents →
                </PageLink>
              </p>
            ) : null}
          </Panel>

          <Panel title="Recent activity" id="activity" className="activity">
            {activity.length === 0 ? (
              <p className="empty">Nothing yet.</p>
            ) : (
              <ol className="activity-list">
                {activity.map((item, index) => {
                  const entry = state.entries.get(item.key)!;
                  return (
                    <li key={`${item.key}-${index}`}>
                      <time dateTime={item.at}>{formatClock(item.at)}</time> <span className={`badge sev-${item.severity}`}>{label(item.severity)}</span>{' '}
                      <PageLink href={incidentHref(displayId(state, entry))}>{displayId(state, entry)}</PageLink>: {cleanLine(item.text)}
                    </li>
                  );
                })}
              </ol>
            )}
          </Panel>

        </div>
        <div className="overview-side">
          <Panel title="Incident metrics (last 24 h)" id="metrics" className="metrics">
            <table className="metric-table">
              <caption className="visually-hidden">Incident metrics over the last 24 hours</caption>
              <tbody>
                {metrics.map((row) => (
                  <tr key={row.label} className={row.indent ? 'indent' : undefined}>
                    <th scope="row">{row.label}</th>
                    <td className="num">{row.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Panel>

          <Panel title="Component health" id="components" className="components-panel" actions={<PageLink href="/components">details →</PageLink>}>
            <DataTable
              caption="Component health"
              captionHidden
              columns={[{ header: 'Component' }, { header: 'Status' }, { header: 'Incidents', align: 'right' }, { header: 'Health', align: 'right' }]}
              empty="No components seen yet."
              rows={components.slice(0, 12).map((component) => ({
                key: component.component,
                cells: [
                  cleanLine(component.component),
                  <span className={`status-${component.status}`}>{componentStatusLabel(component.status)}</span>,
                  String(component.open_incidents),
                  `${Math.round(component.health_percent)}%`,
                ],
              }))}
            />
          </Panel>
        </div>
      </div>
    </div>
  );
}
