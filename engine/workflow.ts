// The response workflow as an explicit state machine over an incident's `status` (pure: time and actor passed in).
//
//   detected ─▶ assessing ─▶ containing ─▶ investigating ─▶ remediating ─▶ recovering ─▶ resolved ─▶ closed
//   (rule fired) (root cause)  (safe actions)                 (operator acts)  (quiet)       (auto or by hand)
//
// Automatic steps: the engine records detected → assessing when it opens an incident and computes its root cause,
// moves quiet incidents to recovering and, after the quiet period, to resolved (recovery.ts); the daemon moves
// assessing → containing → investigating around the containment actions. People may move an open incident to any
// other open status (stepping back from remediating to investigating is normal), resolve it from any open status,
// and close it only once resolved. Closed is final. Acknowledgement and assignment are orthogonal to the status.
//
// Every transition is appended to `status_history` with when, who and why: the incident's own timeline.

import { keepLast } from '../common/keep-last.js';
import { isOpenStatus, SYSTEM_ACTOR } from './types.js';
import type { Incident, IncidentStatus, Severity } from './types.js';

/** status_history entries kept per incident: the first (how it began) and the most recent ones. */
export const MAX_STATUS_HISTORY = 200;
/** Longest note or reason kept (characters). */
export const MAX_NOTE_LENGTH = 2_000;
/** Notes kept per incident: the oldest are dropped first. */
export const MAX_NOTES = 500;
/** Longest person name accepted (assignee, approver, acknowledger). */
export const MAX_ACTOR_LENGTH = 128;

/** A refused change; the message is one line saying why and what would work. */
export class WorkflowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkflowError';
  }
}

export interface ChangeContext {
  /** epoch ms */
  at: number;
  /** `firewatch` for automatic changes, else the person. */
  by: string;
  reason?: string;
}

/** Why `incident` may not move to `to`, or undefined when it may. */
export function transitionRefusal(incident: Incident, to: IncidentStatus): string | undefined {
  const from = incident.status;
  const id = incident.incident_id;
  if (from === to) return `${id} is already ${to}`;
  if (from === 'closed') return `${id} is closed; a closed incident does not change (open a new one instead)`;
  if (to === 'closed' && from !== 'resolved') {
    return `${id} is ${from}: only a resolved incident can be closed (resolve it first: firewatch incidents resolve ${id})`;
  }
  if (from === 'resolved' && to !== 'closed') {
    return `${id} is resolved: a resolved incident can only be closed`;
  }
  return undefined;
}

/** Moves `incident` to `to` (throws WorkflowError when refused) and records the transition. */
export function applyTransition(incident: Incident, to: IncidentStatus, context: ChangeContext): void {
  const refusal = transitionRefusal(incident, to);
  if (refusal !== undefined) throw new WorkflowError(refusal);
  const from = incident.status;
  const at = context.at;
  incident.status = to;
  if (to === 'resolved') {
    incident.resolved_at = at;
    incident.mttr = Math.max(0, (at - incident.first_event_at) / 1000);
    incident.auto_resolved = context.by === SYSTEM_ACTOR;
    const reason = clip(context.reason ?? '');
    incident.resolution = reason === '' ? context.by : `${context.by}: ${reason}`;
  }
  if (to === 'closed') incident.closed_at = at;
  recordStatus(incident, from, to, context);
}

/** Appends one entry to status_history (bounded: keeps the first entry and the newest ones). */
export function recordStatus(incident: Incident, from: IncidentStatus | null, to: IncidentStatus, context: ChangeContext): void {
  const history = (incident.status_history ??= []);
  history.push({ at: context.at, from, to, by: context.by, reason: clip(context.reason ?? '') });
  if (history.length > MAX_STATUS_HISTORY) history.splice(1, history.length - MAX_STATUS_HISTORY);
  incident.updated_at = context.at;
}

/** Records acknowledgement; an open incident only (the acknowledgement ends when it resolves). */
export function acknowledge(incident: Incident, context: ChangeContext): void {
  requireOpen(incident, 'acknowledge');
  if (incident.acknowledged_at !== null && incident.acknowledged_by !== null) {
    throw new WorkflowError(
      `${incident.incident_id} is already acknowledged by ${incident.acknowledged_by}`,
    );
  }
  incident.acknowledged_at = context.at;
  incident.acknowledged_by = checkedActor(context.by, 'acknowledged by');
  incident.updated_at = context.at;
}

/** Assigns (or with null unassigns) an incident that is not closed. */
export function assign(incident: Incident, assignee: string | null, context: ChangeContext): void {
  if (incident.status === 'closed') throw new WorkflowError(`${incident.incident_id} is closed; it cannot be reassigned`);
  const next = assignee === null ? null : checkedActor(assignee, 'assignee');
  if (next === incident.assigned_to) {
    throw new WorkflowError(
      next === null ? `${incident.incident_id} is not assigned` : `${incident.incident_id} is already assigned to ${next}`,
    );
  }
  incident.assigned_to = next;
  incident.updated_at = context.at;
}

/** Appends a note, stamped with time and author (formatNote: `2025-02-05T10:31:00Z john.doe: text`). */
export function addNote(incident: Incident, text: string, context: ChangeContext): void {
  const body = clip(text.replace(/\s+/g, ' ').trim());
  if (body === '') throw new WorkflowError('the note is empty');
  incident.notes.push(formatNote(context.at, context.by, body));
  if (incident.notes.length > MAX_NOTES) incident.notes.splice(0, incident.notes.length - MAX_NOTES);
  incident.updated_at = context.at;
}

/**
 * Appends a note firewatch writes itself (escalations, re-types, root cause revisions: unstamped, recognised by
 * recurrence.ts isEngineNote), within the same bound as people's notes.
 */
export function appendEngineNote(incident: Incident, text: string): void {
  incident.notes.push(clip(text));
  if (incident.notes.length > MAX_NOTES) incident.notes.splice(0, incident.notes.length - MAX_NOTES);
}

/** A note's time: the notes of one engine call share it. */
const noteTime = keepLast((at) => new Date(at).toISOString().replace('.000Z', 'Z'));

/**
 * A stamped note: `<time> <by>: <body>`, the time in ISO-8601 UTC (`2025-02-05T10:31:00Z`, with milliseconds
 * `2025-02-05T10:31:00.250Z` only when there are some), one space, the author, a colon and a space, the text.
 * The author may contain spaces and colons (`webhook:pagerduty`), but not `: ` (parseNote could not tell where the
 * text begins); `by` and `body` are taken as given (addNote folds and clips the body).
 */
export function formatNote(at: number, by: string, body: string): string {
  return `${noteTime(at)} ${by}: ${body}`;
}

/** A note formatNote wrote, taken apart; undefined for any other note (the engine's escalation notes have no stamp). */
export interface ParsedNote {
  /** epoch ms */
  at: number;
  by: string;
  text: string;
}

/** `2025-02-05T10:31:00Z` or `2025-02-05T10:31:00.250Z` followed by one space (what formatNote writes). */
const NOTE_STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z) /;

/**
 * Reads a note formatNote wrote: the stamp, then the author up to the first `: ` after it, then the text (which may
 * contain `: ` itself). Undefined when the note has no stamp, no author or no `: ` (engine notes, hand-edited ones).
 */
export function parseNote(note: string): ParsedNote | undefined {
  const stamp = NOTE_STAMP.exec(note);
  if (stamp === null) return undefined;
  const at = Date.parse(stamp[1] as string);
  if (!Number.isFinite(at)) return undefined;
  const rest = stamp[0].length;
  const colon = note.indexOf(': ', rest);
  if (colon <= rest) return undefined; // no separator, or an empty author
  return { at, by: note.slice(rest, colon), text: note.slice(colon + 2) };
}

/** Sets the severity by hand (any direction), with a note saying who and from what. */
export function setSeverity(incident: Incident, severity: Severity, context: ChangeContext): void {
  if (incident.status === 'closed') throw new WorkflowError(`${incident.incident_id} is closed; its severity is final`);
  if (incident.severity === severity) throw new WorkflowError(`${incident.incident_id} is already ${severity}`);
  const from = incident.severity;
  incident.severity = severity;
  addNote(incident, `severity ${from} → ${severity}${context.reason ? ` (${context.reason})` : ''}`, context);
}

/** On resolution the acknowledgement ends (PagerDuty resolves, the pager stops); acknowledged_at stays as history. */
export function isAcknowledged(incident: Incident): boolean {
  return incident.acknowledged_at !== null && isOpenStatus(incident.status);
}

function requireOpen(incident: Incident, what: string): void {
  if (!isOpenStatus(incident.status)) {
    throw new WorkflowError(`${incident.incident_id} is ${incident.status}; only an open incident can be ${what}d`);
  }
}

/**
 * A person's name as the workflow records it (assignee, acknowledger; callers check who is asking with it too):
 * trimmed, not empty, at most MAX_ACTOR_LENGTH characters, no control characters. Throws WorkflowError naming `role`
 * (`assignee must name someone`) otherwise.
 */
export function checkedActor(name: string, role: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new WorkflowError(`${role} must name someone`);
  if (trimmed.length > MAX_ACTOR_LENGTH) throw new WorkflowError(`${role} is longer than ${MAX_ACTOR_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(trimmed)) throw new WorkflowError(`${role} contains control characters`);
  return trimmed;
}

/** `text` cut to MAX_NOTE_LENGTH UTF-16 units with an ellipsis, never between the two halves of a surrogate pair. */
function clip(text: string): string {
  if (text.length <= MAX_NOTE_LENGTH) return text;
  let end = MAX_NOTE_LENGTH - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate whose low half would be cut off
  return `${text.slice(0, end)}…`;
}
