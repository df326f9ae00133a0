// A trace as a waterfall (view/waterfall.ts): one row per span in tree order, indented by depth, a bar placed and sized
// within the whole trace, failing spans marked with ✗ and the word "failed" (never by colour alone), the incident's
// root-cause span marked; the selected span's fields and the events (errors, logs) it produced below.

import { useEffect, useMemo, useState, type CSSProperties } from 'react';
import type { TraceJson } from '../../api/trace.js';
import { buildWaterfall, spanMarker, spanProblem, visibleWindow } from '../../view/waterfall.js';
import { displayId } from '../../view/incidents-state.js';
import { formatClock, formatSpanDuration } from '../../view/format.js';
import { cleanLine } from '../../view/text.js';
import { PageLink, useDashboard, useScreenCommands } from '../dashboard-context.js';
import { describeFailure, gateway, GatewayError } from '../gateway-client.js';
import { incidentHref, traceHref } from '../routes.js';
import { movementCommands, useSelection } from '../use-selection.js';
import { ErrorNote, FieldList, SeverityBadge } from '../widgets/basics.js';

/** Rows drawn at once; a bigger trace shows the window around the selected span. */
const WINDOW_ROWS = 400;

export function TraceScreen({ traceId, incidentId }: { traceId: string; incidentId: string | null }) {
  const dashboard = useDashboard();
  const { state, navigate } = dashboard;
  const [trace, setTrace] = useState<TraceJson | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [top, setTop] = useState(0);

  useEffect(() => {
    let current = true;
    setTrace(undefined);
    setError(undefined);
    setCollapsed(new Set());
    gateway.trace(traceId).then(
      (result) => current && setTrace(result),
      (failure: unknown) =>
        current &&
        setError(
          failure instanceof GatewayError && failure.status === 404
            ? `No spans kept for trace ${traceId}: it was not part of an incident and has left the in-memory ring.`
            : describeFailure(failure),
        ),
    );
    return () => {
      current = false;
    };
  }, [traceId]);

  const incidentEntry = incidentId === null ? undefined : [...state.entries.values()].find((entry) => displayId(state, entry) === incidentId);
  const rootSpanId = incidentEntry?.incident.root_cause.root_span?.span_id;
  const traces = incidentEntry?.incident.trace_ids ?? [];
  const waterfall = useMemo(() => (trace === undefined ? undefined : buildWaterfall(trace, { collapsed, ...(rootSpanId ? { rootSpanId } : {}) })), [trace, collapsed, rootSpanId]);
  const rows = waterfall?.rows ?? [];
  const selection = useSelection(rows.map((row) => row.span.span_id));
  const selectedRow = selection.index >= 0 ? rows[selection.index] : undefined;
  // Open on the span that matters: the root cause (known once the incident is), else the first failure; until the
  // person picks a span.
  const [picked, setPicked] = useState(false);
  useEffect(() => {
    if (waterfall === undefined || picked) return;
    const first = waterfall.rows.findIndex((row) => row.isRootCause);
    const failing = waterfall.rows.findIndex((row) => row.span.failed);
    selection.select(first >= 0 ? first : Math.max(0, failing));
  }, [waterfall, picked]);
  const pick = (index: number) => {
    setPicked(true);
    selection.select(index);
  };

  const windowed = visibleWindow(rows.length, Math.max(0, selection.index), top, WINDOW_ROWS);
  useEffect(() => setTop(windowed.top), [windowed.top]);

  const toggle = (spanId: string) => {
    setPicked(true); // the selection stays where the person left it
    const next = new Set(collapsed);
    if (next.has(spanId)) next.delete(spanId);
    else next.add(spanId);
    setCollapsed(next);
  };
  const step = (by: number) => {
    const at = traces.indexOf(traceId);
    const next = traces[(at + by + traces.length) % traces.length];
    if (next !== undefined && next !== traceId) navigate(traceHref(next, incidentId));
  };
  const moves = movementCommands(selection);
  const picking = (move: () => void) => () => {
    setPicked(true);
    move();
  };
  useScreenCommands({
    down: picking(moves.down),
    up: picking(moves.up),
    top: picking(moves.top),
    bottom: picking(moves.bottom),
    page_down: picking(moves.page_down),
    page_up: picking(moves.page_up),
    toggle: () => selectedRow?.hasChildren && toggle(selectedRow.span.span_id),
    next_trace: () => step(1),
    previous_trace: () => step(-1),
  });

  const spanEvents = trace?.events.filter((event) => event.span_id !== null && event.span_id === selectedRow?.span.span_id) ?? [];
  return (
    <div className="trace">
      <p className="crumbs">
        {incidentId !== null ? (
          <>
            <PageLink href={incidentHref(incidentId)}>{incidentId}</PageLink> /
          </>
        ) : null}
      </p>
      <h1>
        Trace <span className="mono">{cleanLine(traceId)}</span>
      </h1>
      {error !== undefined ? <ErrorNote>{error}</ErrorNote> : null}
      {trace === undefined && error === undefined ? <p>Loading…</p> : null}
      {trace !== undefined && waterfall !== undefined ? (
        <>
          <p className="trace-summary">
            {waterfall.spanCount} spans · {trace.services.length} services ({trace.services.map(cleanLine).join(', ')}) · {formatSpanDuration(waterfall.durationMs)} ·{' '}
            <strong>{waterfall.failedCount} failed</strong>
            {trace.incident_ids.length > 0 ? (
              <>
                {' '}
                · incident{' '}
                {trace.incident_ids.map((id, index) => (
                  <span key={id}>
                    {index > 0 ? ', ' : ''}
                    <PageLink href={incidentHref(id)}>{cleanLine(id)}</PageLink>
                  </span>
                ))}
              </>
            ) : null}
            {traces.length > 1 ? (
              <>
                {' '}
                · trace {traces.indexOf(traceId) + 1} of {traces.length}{' '}
                <button type="button" onClick={() => step(-1)} aria-keyshortcuts="[">
                  previous
                </button>{' '}
                <button type="button" onClick={() => step(1)} aria-keyshortcuts="]">
                  next
                </button>
              </>
            ) : null}
          </p>
          <div className="table-scroll">
            <table className="waterfall">
              <caption className="visually-hidden">Spans of the trace in tree order; failing spans are marked failed</caption>
              <thead>
                <tr>
                  <th scope="col">Span</th>
                  <th scope="col" className="bar-head">
                    Timeline (0 – {formatSpanDuration(waterfall.durationMs)})
                  </th>
                  <th scope="col" className="num">
                    Duration
                  </th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {windowed.top > 0 ? (
                  <tr>
                    <td colSpan={4} className="empty">
                      {windowed.top} spans above
                    </td>
                  </tr>
                ) : null}
                {rows.slice(windowed.top, windowed.end).map((row, offset) => {
                  const index = windowed.top + offset;
                  const span = row.span;
                  const problem = spanProblem(span);
                  return (
                    <tr
                      key={span.span_id}
                      aria-selected={index === selection.index}
                      className={[span.failed ? 'failed' : '', row.isRootCause ? 'root-cause' : '', index === selection.index ? 'selected' : ''].filter(Boolean).join(' ') || undefined}
                      onClick={() => pick(index)}
                    >
                      <th scope="row" className="span-name" style={{ '--depth': Math.min(row.depth, 20) } as CSSProperties}>
                        {row.hasChildren ? (
                          <button
                            type="button"
                            className="fold"
                            aria-expanded={!row.collapsed}
                            aria-label={`${row.collapsed ? 'Expand' : 'Collapse'} ${cleanLine(span.name)}`}
                            onClick={(event) => {
                              event.stopPropagation();
                              toggle(span.span_id);
                            }}
                          >
                            {row.collapsed ? '▸' : '▾'}
                          </button>
                        ) : (
                          <span className="fold-space" />
                        )}
                        <span className="marker" aria-hidden="true">
                          {spanMarker(span)}
                        </span>{' '}
                        <span className="service">{cleanLine(span.service)}</span> <span className="name">{cleanLine(span.name)}</span>
                        {row.isRootCause ? <span className="tag tag-warn">root cause</span> : null}
                        {row.collapsed ? <span className="tag">+{row.hiddenCount} hidden</span> : null}
                      </th>
                      <td className="bar-cell">
                        <div className="bar-track">
                          <div className={span.failed ? 'bar bar-failed' : 'bar'} style={{ left: `${row.offset * 100}%`, width: `${Math.max(0.3, row.width * 100)}%` }} />
                        </div>
                      </td>
                      <td className="num">{formatSpanDuration(span.duration_ms)}</td>
                      <td className="span-status">{span.failed ? <strong className="failed-word">✗ failed{problem ? `: ${cleanLine(problem)}` : ''}</strong> : span.status === 'ok' ? '✓ ok' : '· unset'}</td>
                    </tr>
                  );
                })}
                {windowed.end < rows.length ? (
                  <tr>
                    <td colSpan={4} className="empty">
                      {rows.length - windowed.end} spans below
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
          {selectedRow !== undefined ? (
            <section className="panel span-details" aria-labelledby="span-title">
              <h2 id="span-title">
                Span <span className="mono">{cleanLine(selectedRow.span.name)}</span>
              </h2>
              <FieldList
                fields={[
                  { label: 'service', value: cleanLine(selectedRow.span.service) },
                  { label: 'kind', value: selectedRow.span.kind },
                  { label: 'status', value: `${selectedRow.span.failed ? 'failed' : selectedRow.span.status}${selectedRow.span.status_message ? `: ${cleanLine(selectedRow.span.status_message)}` : ''}` },
                  { label: 'started', value: selectedRow.span.start ?? '-' },
                  { label: 'duration', value: formatSpanDuration(selectedRow.span.duration_ms) },
                  ...(selectedRow.span.http_status ? [{ label: 'http status', value: String(selectedRow.span.http_status) }] : []),
                  ...(selectedRow.span.peer ? [{ label: 'peer', value: cleanLine(selectedRow.span.peer) }] : []),
                  ...(selectedRow.span.exception_type ? [{ label: 'exception', value: `${cleanLine(selectedRow.span.exception_type)}: ${cleanLine(selectedRow.span.exception_message)}` }] : []),
                  { label: 'span id', value: cleanLine(selectedRow.span.span_id) },
                  { label: 'parent', value: cleanLine(selectedRow.span.parent_span_id || '(root)') },
                ]}
              />
              <h3>
                Attributes ({selectedRow.span.attributes.length})
                {selectedRow.span.attributes_dropped > 0 ? <span className="hint"> · {selectedRow.span.attributes_dropped} more not kept</span> : null}
              </h3>
              {selectedRow.span.attributes.length === 0 ? (
                <p className="empty">None kept.</p>
              ) : (
                <dl className="attributes span-attributes">
                  {selectedRow.span.attributes.map((attribute, index) => (
                    <div key={index}>
                      <dt>{cleanLine(attribute.key)}</dt>
                      <dd>{cleanLine(attribute.value)}</dd>
                    </div>
                  ))}
                </dl>
              )}
              <h3>Events and logs of this span ({spanEvents.length})</h3>
              {spanEvents.length === 0 ? (
                <p className="empty">None.</p>
              ) : (
                <ul className="span-events">
                  {spanEvents.map((event) => (
                    <li key={event.event_id}>
                      <p>
                        {formatClock(event.timestamp)} <SeverityBadge severity={event.severity} /> {cleanLine(event.event_type)}: {cleanLine(event.message)}
                      </p>
                      {Object.keys(event.metadata).length > 0 ? (
                        <dl className="attributes">
                          {Object.entries(event.metadata)
                            .slice(0, 50)
                            .map(([key, value]) => (
                              <div key={key}>
                                <dt>{cleanLine(key)}</dt>
                                <dd>{cleanLine(String(value))}</dd>
                              </div>
                            ))}
                        </dl>
                      ) : null}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
