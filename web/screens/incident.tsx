// One incident: summary (its fields, root cause and root span, users affected, similar incidents, runbook, notes), then
// tabs for the timeline, actions and audit, and the post-mortem rendered from its Markdown; the action buttons above.
// It reads the full incident from the daemon and reads it again whenever the live stream says it changed.

import { useEffect, useState } from 'react';
import type { IncidentJson, PostmortemJson } from '../../api/incident.js';
import { isOpenStatus } from '../../api/vocabulary.js';
import { auditLine, describeRootSpan, incidentFields, statusHistoryLines } from '../../view/incident-text.js';
import { displayId, type IncidentEntry } from '../../view/incidents-state.js';
import { formatClock, label } from '../../view/format.js';
import { cleanLine } from '../../view/text.js';
import { PageLink, useDashboard, useScreenCommands } from '../dashboard-context.js';
import { describeFailure, gateway, GatewayError } from '../gateway-client.js';
import { renderMarkdown, safeHref } from '../markdown.js';
import { INCIDENT_TABS, incidentHref, traceHref, type IncidentTab } from '../routes.js';
import { ErrorNote, FieldList, SeverityBadge } from '../widgets/basics.js';
import { IncidentActions, type ActionPanel } from '../widgets/incident-actions.js';
import { useOpenings } from '../widgets/openings.js';
import { INCIDENT_ACTIONS, type IncidentAction } from './incident-keys.js';

const TAB_LABELS: Record<IncidentTab, string> = { summary: 'Summary', timeline: 'Timeline', actions: 'Actions and audit', postmortem: 'Post-mortem' };
/** Live changes come in bursts (an incident absorbing events): read the detail again at most this often. */
const REFRESH_MS = 500;

function newer(a: IncidentJson | undefined, b: IncidentJson | undefined): IncidentJson | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(b.updated_at ?? '') > Date.parse(a.updated_at ?? '') ? b : a;
}

export function IncidentScreen({ id, tab }: { id: string; tab: IncidentTab }) {
  const dashboard = useDashboard();
  const { state, now, search, navigate } = dashboard;
  const entry: IncidentEntry | undefined = [...state.entries.values()].find((candidate) => displayId(state, candidate) === id);
  const [detail, setDetail] = useState<IncidentJson | undefined>();
  const [error, setError] = useState<{ text: string; missing: boolean } | undefined>();
  const panels = useOpenings<ActionPanel>();
  const [acknowledgeRequest, setAcknowledgeRequest] = useState(0);
  const liveVersion = entry?.incident.updated_at ?? '';

  useEffect(() => {
    setDetail(undefined);
    setError(undefined);
    panels.close();
  }, [id]);

  // The full incident (timeline, audit): now, and again shortly after every live change.
  useEffect(() => {
    let current = true;
    const timer = setTimeout(
      () =>
        gateway.incident(id).then(
          (incident) => {
            if (!current) return;
            setDetail((before) => newer(before, incident));
            setError(undefined);
          },
          (failure: unknown) => current && setError({ text: describeFailure(failure), missing: failure instanceof GatewayError && failure.status === 404 }),
        ),
      detail === undefined ? 0 : REFRESH_MS,
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [id, liveVersion]);

  // `?do=assign` (a key pressed on a list): open that action once, then drop it from the address.
  useEffect(() => {
    const action = new URLSearchParams(search).get('do') as IncidentAction | null;
    if (action === null || !(INCIDENT_ACTIONS as readonly string[]).includes(action)) return;
    runAction(action);
    navigate(incidentHref(id, tab), { replace: true });
  }, [search]);

  const incident = newer(detail, entry?.incident);
  const rootSpan = incident?.root_cause.root_span;
  const traceId = rootSpan?.trace_id ?? incident?.trace_ids[0];

  function runAction(action: IncidentAction): void {
    if (action === 'acknowledge') setAcknowledgeRequest((n) => n + 1);
    else if (action === 'export') document.querySelector<HTMLAnchorElement>('a[data-export="postmortem"]')?.click();
    else panels.open(action);
  }

  useScreenCommands({
    trace: () => traceId !== undefined && navigate(traceHref(traceId, id)),
    acknowledge: () => runAction('acknowledge'),
    assign: () => runAction('assign'),
    mitigate: () => runAction('mitigate'),
    resolve: () => runAction('resolve'),
    close: () => runAction('close'),
    export: () => runAction('export'),
  });

  if (incident === undefined) {
    return (
      <div className="incident">
        <h1>{id}</h1>
        {error !== undefined ? <ErrorNote>{error.missing ? `No incident ${id} on the daemon(s).` : error.text}</ErrorNote> : <p>Loading…</p>}
      </div>
    );
  }

  return (
    <article className="incident" aria-labelledby="incident-title">
      <header className="incident-head">
        <p className="crumbs">
          <PageLink href="/incidents">Incidents</PageLink> /
        </p>
        <h1 id="incident-title">
          <span className="incident-id">{id}</span> {cleanLine(incident.title)}
        </h1>
        <p className="incident-state">
          <SeverityBadge severity={incident.severity} /> <span className="status">{label(incident.status)}</span>
          {incident.acknowledged_by !== null && (incident.acknowledged || !isOpenStatus(incident.status)) ? (
            <span className="tag">acknowledged by {cleanLine(incident.acknowledged_by)}</span>
          ) : isOpenStatus(incident.status) ? (
            <span className="tag tag-warn">not acknowledged</span>
          ) : null}
          {incident.assigned_to ? <span className="tag">assigned to {cleanLine(incident.assigned_to)}</span> : null}
          {(incident.silenced_by ?? null) !== null ? (
            <span className="tag tag-silenced" data-testid="silenced-by">
              silenced by <PageLink href="/silences">{cleanLine(incident.silenced_by)}</PageLink>
            </span>
          ) : null}
        </p>
      </header>
      {error !== undefined ? <ErrorNote>{error.text}</ErrorNote> : null}
      <IncidentActions id={id} incident={incident} onChanged={(changed) => setDetail((before) => newer(before, changed))} panels={panels} acknowledgeRequest={acknowledgeRequest} />

      <nav className="tabs" aria-label="Incident sections">
        {INCIDENT_TABS.map((name) => (
          <PageLink key={name} href={incidentHref(id, name)} className={name === tab ? 'tab current' : 'tab'}>
            <span aria-current={name === tab ? 'page' : undefined}>{TAB_LABELS[name]}</span>
          </PageLink>
        ))}
      </nav>

      {tab === 'summary' ? <Summary id={id} incident={incident} now={now} /> : null}
      {tab === 'timeline' ? <Timeline incident={incident} /> : null}
      {tab === 'actions' ? <ActionsAndAudit incident={incident} /> : null}
      {tab === 'postmortem' ? <Postmortem id={id} version={incident.updated_at ?? ''} /> : null}
    </article>
  );
}

function Summary({ id, incident, now }: { id: string; incident: IncidentJson; now: number }) {
  const rootSpan = incident.root_cause.root_span;
  return (
    <div className="summary-grid">
      <section aria-labelledby="summary-title" className="panel">
        <h2 id="summary-title">Summary</h2>
        <FieldList fields={incidentFields(incident, now).filter((field) => field.label !== 'notes' && field.label !== '' && field.label !== 'related')} />
      </section>
      <section aria-labelledby="cause-title" className="panel">
        <h2 id="cause-title">Root cause</h2>
        <p>
          {cleanLine(incident.root_cause.primary_error_type) || '-'} on <strong>{cleanLine(incident.root_cause.primary_source) || '-'}</strong>
        </p>
        {rootSpan !== undefined ? (
          <p className="root-span">
            Root span: {describeRootSpan(rootSpan)}{' '}
            <PageLink href={traceHref(rootSpan.trace_id, id)} className="button">
              Open trace
            </PageLink>
          </p>
        ) : (
          <p className="empty">No failing span identified yet.</p>
        )}
        <p>
          Users affected: <strong>{incident.users_affected === 0 ? 'none recorded' : incident.users_affected}</strong>
        </p>
        {incident.trace_ids.length > 0 ? (
          <>
            <h3>Traces ({incident.trace_ids.length})</h3>
            <ul className="trace-list">
              {incident.trace_ids.slice(0, 5).map((trace) => (
                <li key={trace}>
                  <PageLink href={traceHref(trace, id)}>
                    <span className="mono">{cleanLine(trace)}</span>
                  </PageLink>
                </li>
              ))}
            </ul>
            {incident.trace_ids.length > 5 ? <p className="hint">On a trace, ] and [ step through all {incident.trace_ids.length}.</p> : null}
          </>
        ) : null}
      </section>
      <section aria-labelledby="similar-title" className="panel">
        <h2 id="similar-title">Similar incidents</h2>
        {incident.similar_incidents.length === 0 ? (
          <p className="empty">None seen before.</p>
        ) : (
          <ul>
            {incident.similar_incidents.map((similar) => (
              <li key={similar.incident_id}>
                <PageLink href={incidentHref(similar.incident_id)}>{cleanLine(similar.incident_id)}</PageLink>: {cleanLine(similar.resolution)}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="related-title" className="panel">
        <h2 id="related-title">Related incidents</h2>
        {(incident.related_incidents ?? []).length === 0 ? (
          <p className="empty">None: no other incident was open on its components.</p>
        ) : (
          <ul data-testid="related-incidents">
            {incident.related_incidents.map((related) => (
              <li key={related}>
                <PageLink href={incidentHref(related)}>{cleanLine(related)}</PageLink>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="runbook-title" className="panel">
        <h2 id="runbook-title">Runbook</h2>
        {incident.runbook === undefined || (incident.runbook.steps.length === 0 && incident.runbook.links.length === 0) ? (
          <p className="empty">No runbook configured for {incident.incident_type}.</p>
        ) : (
          <>
            <ol>
              {incident.runbook.steps.map((step, index) => (
                <li key={index}>{cleanLine(step)}</li>
              ))}
            </ol>
            <ul>
              {incident.runbook.links.map((link, index) => {
                const href = safeHref(link.url);
                return (
                  <li key={index}>
                    {href !== undefined ? (
                      <a href={href} rel="noopener noreferrer nofollow" target="_blank">
                        {cleanLine(link.title)}
                      </a>
                    ) : (
                      <span>
                        {cleanLine(link.title)}: {cleanLine(link.url)} (not an http(s) link)
                      </span>
                    )}
                  </li>
                );
              })}
            </ul>
          </>
        )}
      </section>
      <section aria-labelledby="notes-title" className="panel">
        <h2 id="notes-title">Notes</h2>
        {incident.notes.length === 0 ? (
          <p className="empty">No notes.</p>
        ) : (
          <ul className="notes">
            {incident.notes.map((note, index) => (
              <li key={index}>{cleanLine(note)}</li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function Timeline({ incident }: { incident: IncidentJson }) {
  const events = incident.timeline ?? [];
  return (
    <div className="timeline">
      <section className="panel" aria-labelledby="history-title">
        <h2 id="history-title">Status history</h2>
        <ol className="lines">
          {statusHistoryLines(incident).map((line, index) => (
            <li key={index}>{line}</li>
          ))}
        </ol>
      </section>
      <section className="panel" aria-labelledby="events-title">
        <h2 id="events-title">
          Events ({events.length} of {incident.event_count})
        </h2>
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">Events of the incident, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Severity</th>
                <th scope="col">Source</th>
                <th scope="col">Type</th>
                <th scope="col">Message</th>
                <th scope="col">Trace</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.event_id}>
                  <td>{formatClock(event.timestamp)}</td>
                  <td>
                    <SeverityBadge severity={event.severity} />
                  </td>
                  <td>{cleanLine(event.source)}</td>
                  <td>{cleanLine(event.event_type)}</td>
                  <td className="message">{cleanLine(event.message)}</td>
                  <td>{event.correlation_id ? <PageLink href={traceHref(event.correlation_id, incident.incident_id)}>{cleanLine(event.correlation_id).slice(0, 8)}…</PageLink> : '-'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

function ActionsAndAudit({ incident }: { incident: IncidentJson }) {
  const audit = incident.audit ?? [];
  return (
    <div className="actions-audit">
      <section className="panel" aria-labelledby="actions-title">
        <h2 id="actions-title">Actions</h2>
        {incident.actions.length === 0 ? (
          <p className="empty">No remediation action has run.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Action</th>
                  <th scope="col">Status</th>
                  <th scope="col">Approved by</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {incident.actions.map((action, index) => (
                  <tr key={index}>
                    <td>{formatClock(action.at)}</td>
                    <td>{cleanLine(action.action_id)}</td>
                    <td>{cleanLine(action.status)}</td>
                    <td>{cleanLine(action.approved_by ?? '-')}</td>
                    <td>{cleanLine(action.result)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="panel" aria-labelledby="audit-title">
        <h2 id="audit-title">Audit log ({audit.length})</h2>
        {audit.length === 0 ? (
          <p className="empty">Empty.</p>
        ) : (
          <ol className="lines audit">
            {audit.map((entry) => (
              <li key={entry.seq}>{auditLine(entry)}</li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}

function Postmortem({ id, version }: { id: string; version: string }) {
  const [postmortem, setPostmortem] = useState<PostmortemJson | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let current = true;
    gateway.postmortem(id).then(
      (result) => {
        if (!current) return;
        setPostmortem(result);
        setError(undefined);
      },
      (failure: unknown) => current && setError(describeFailure(failure)),
    );
    return () => {
      current = false;
    };
  }, [id, version]);
  return (
    <section className="panel postmortem" aria-labelledby="postmortem-title">
      <h2 id="postmortem-title" className="visually-hidden">
        Post-mortem
      </h2>
      {error !== undefined ? <ErrorNote>{error}</ErrorNote> : null}
      {postmortem === undefined && error === undefined ? <p>Loading…</p> : null}
      {postmortem !== undefined ? (
        <>
          {postmortem.draft ? <p className="tag tag-warn">Draft: the incident is not resolved yet; this is rendered now and not stored.</p> : null}
          <div className="markdown">{renderMarkdown(postmortem.markdown)}</div>
        </>
      ) : null}
    </section>
  );
}
