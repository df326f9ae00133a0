// Reads the incident snapshot stored in an outbox item (engine/json.ts IncidentJson, kept as a plain JSON object)
// into the few fields the channels render, and the texts several channels share.
//
//   OutboxItem.incident (JSON) ──viewIncident()──▶ IncidentView ──▶ slack / pagerduty / email renderers
//
// Defensive on purpose: an item may have been stored by an older version, so a missing or mistyped field becomes
// an empty value instead of a crash in the middle of a delivery. Incident text comes from telemetry (service names,
// exception types, messages): every string read here is freed of escape sequences, control characters and bidi
// controls (engine/text.ts stripControls; line breaks stay, for the description), singleLine() folds a text to one
// line, and each renderer escapes the result for its own format.

import { oneLine, stripControls, truncate } from '../common/text.js';
import { type NotificationKind } from '../engine/index.js';

export interface IncidentView {
  id: string;
  type: string;
  severity: string;
  status: string;
  title: string;
  description: string;
  components: string[];
  eventCount: number;
  usersAffected: number;
  /** ISO-8601, '' when unknown. */
  detectedAt: string;
  primaryErrorType: string;
  primarySource: string;
  rootSpan: { service: string; spanName: string; exceptionType: string; statusMessage: string } | null;
  traceIds: string[];
  acknowledgedBy: string;
  resolution: string;
}

export function viewIncident(json: Record<string, unknown>, fallbackId: string): IncidentView {
  const rootCause = record(json.root_cause);
  const span = record(rootCause.root_span);
  const hasSpan = Object.keys(span).length > 0;
  return {
    id: str(json.incident_id) || fallbackId,
    type: str(json.incident_type),
    severity: str(json.severity) || 'info',
    status: str(json.status),
    title: str(json.title),
    description: str(json.description),
    components: strings(json.affected_components),
    eventCount: num(json.event_count),
    usersAffected: num(json.users_affected),
    detectedAt: str(json.detected_at),
    primaryErrorType: str(rootCause.primary_error_type),
    primarySource: str(rootCause.primary_source),
    rootSpan: hasSpan
      ? {
          service: str(span.service),
          spanName: str(span.span_name),
          exceptionType: str(span.exception_type),
          statusMessage: str(span.status_message),
        }
      : null,
    traceIds: strings(json.trace_ids),
    acknowledgedBy: str(json.acknowledged_by),
    resolution: str(json.resolution),
  };
}

/** `[CRITICAL] inc_00003 Service Down - checkout (triggered)`: Slack's fallback text, PagerDuty's summary. */
export function oneLineSummary(view: IncidentView, kind: NotificationKind): string {
  const title = view.title === '' ? view.type : view.title;
  return singleLine(`[${view.severity.toUpperCase()}] ${view.id} ${title} (${kind})`);
}

/** `TimeoutError on checkout`, plus the root span when known; '' when the root cause is not computed yet. */
export function rootCauseText(view: IncidentView): string {
  const parts: string[] = [];
  if (view.primaryErrorType !== '' || view.primarySource !== '') {
    parts.push(
      view.primarySource === '' ? view.primaryErrorType : `${view.primaryErrorType || 'errors'} on ${view.primarySource}`,
    );
  }
  const span = view.rootSpan;
  if (span !== null) {
    const what = [span.exceptionType, span.statusMessage].filter((s) => s !== '').join(': ');
    parts.push(`root span ${span.service} ${span.spanName}${what === '' ? '' : ` (${what})`}`);
  }
  return singleLine(parts.join('; '));
}

/** The CLI command that shows the whole incident. */
export function incidentCommand(view: IncidentView): string {
  return `firewatch incidents get ${view.id}`;
}

/** What happened, for message bodies: `Acknowledged by ana.` / `Resolved: ana: restarted the pool` / ''. */
export function kindDetail(view: IncidentView, kind: NotificationKind): string {
  if (kind === 'acknowledged') return view.acknowledgedBy === '' ? 'Acknowledged.' : `Acknowledged by ${view.acknowledgedBy}.`;
  if (kind === 'resolved') return view.resolution === '' ? 'Resolved.' : `Resolved: ${view.resolution}`;
  if (kind === 'escalated') return `Escalated to ${view.severity}.`;
  return '';
}

/**
 * Cuts to `max` characters counted as UTF-16 units (JavaScript's `length`, how Slack, PagerDuty and mail headers are
 * bounded here), surrogate pairs kept whole, ending with `…` when cut.
 */
export function clip(text: string, max: number): string {
  return truncate(text, max, { unit: 'utf-16' });
}

/** One line for a message: escape sequences, control characters and bidi controls removed, whitespace folded. */
export function singleLine(text: string): string {
  return oneLine(text);
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string {
  return typeof value === 'string' ? stripControls(value) : '';
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string').map(stripControls) : [];
}
