// What changed between two persisted states of one incident. One reading of a change, shared by everything that
// reacts to it: notifications (notify/routing.ts: triggered, escalated, acknowledged, resolved) and the watch stream
// (daemon/watch-hub.ts: opened / changed / resolved / closed, a summary, and whether only the event count moved).

import type { Incident, IncidentAction, IncidentStatus, Severity } from './types.js';
import { SEVERITY_RANK, isOpenStatus } from './types.js';

export interface IncidentDiff {
  /** First state seen of an open incident. */
  opened: boolean;
  /** Open before (or first seen) and resolved or closed now. */
  ended: boolean;
  /** The status became `resolved` (from anything else). */
  resolved: boolean;
  /** The status became `closed`. */
  closed: boolean;
  /** Open before: changes to an incident already over notify nobody. */
  wasOpen: boolean;
  status: { from: IncidentStatus; to: IncidentStatus } | null;
  severity: { from: Severity; to: Severity } | null;
  /** The severity rose. */
  escalated: boolean;
  /** Acknowledged by this change. */
  acknowledged: boolean;
  /** The assignee changed (null: unassigned). */
  assignedTo: { to: string | null } | null;
  /** The silence holding it changed (engine/maintenance-windows.ts): the one that holds it now, null when none. */
  silenced: { from: string | null; to: string | null } | null;
  notesAdded: number;
  /** Remediation steps recorded by this change, oldest first. */
  actionsAdded: IncidentAction[];
  eventsAdded: number;
  /** Only the event count (and what follows from more events) moved: a watcher may hear of it later. */
  minor: boolean;
}

export function diffIncidents(before: Incident | undefined, after: Incident): IncidentDiff {
  const isOpen = isOpenStatus(after.status);
  if (before === undefined) {
    return {
      opened: isOpen,
      ended: !isOpen,
      resolved: after.status === 'resolved',
      closed: after.status === 'closed',
      wasOpen: false,
      status: null,
      severity: null,
      escalated: false,
      acknowledged: after.acknowledged_at !== null,
      assignedTo: null,
      silenced: null,
      notesAdded: 0,
      actionsAdded: [],
      eventsAdded: 0,
      minor: false,
    };
  }
  const wasOpen = isOpenStatus(before.status);
  const status = before.status === after.status ? null : { from: before.status, to: after.status };
  const severity = before.severity === after.severity ? null : { from: before.severity, to: after.severity };
  const assignedTo = before.assigned_to === after.assigned_to ? null : { to: after.assigned_to };
  const acknowledged = before.acknowledged_at === null && after.acknowledged_at !== null;
  const silencedFrom = before.silenced_by ?? null;
  const silencedTo = after.silenced_by ?? null;
  const silenced = silencedFrom === silencedTo ? null : { from: silencedFrom, to: silencedTo };
  const notesAdded = Math.max(0, after.notes.length - before.notes.length);
  const actionsAdded = after.actions.length > before.actions.length ? after.actions.slice(before.actions.length) : [];
  const changedBeyondEvents =
    status !== null || severity !== null || assignedTo !== null || silenced !== null || acknowledged || notesAdded > 0 || actionsAdded.length > 0;
  return {
    opened: false,
    ended: wasOpen && !isOpen,
    resolved: status !== null && after.status === 'resolved',
    closed: status !== null && after.status === 'closed',
    wasOpen,
    status,
    severity,
    escalated: severity !== null && SEVERITY_RANK[severity.to] > SEVERITY_RANK[severity.from],
    acknowledged,
    assignedTo,
    silenced,
    notesAdded,
    actionsAdded,
    eventsAdded: Math.max(0, after.event_count - before.event_count),
    minor: !changedBeyondEvents,
  };
}

/** `status investigating → remediating, severity high → critical, +3 events (13)`: a watcher's line. */
export function describeDiff(diff: IncidentDiff, after: Incident): string {
  if (diff.opened) {
    const opener = after.status_history?.[0]?.by;
    return after.event_count === 0 && opener !== undefined && opener !== 'firewatch'
      ? `opened by ${opener}`
      : `${after.event_count} events from ${after.affected_components.join(', ') || 'no component yet'}`;
  }
  const parts: string[] = [];
  if (diff.status) parts.push(`status ${diff.status.from} → ${diff.status.to}`);
  if (diff.severity) parts.push(`severity ${diff.severity.from} → ${diff.severity.to}`);
  if (diff.assignedTo) parts.push(diff.assignedTo.to === null ? 'unassigned' : `assigned to ${diff.assignedTo.to}`);
  if (diff.acknowledged) parts.push(`acknowledged by ${after.acknowledged_by ?? '?'}`);
  if (diff.silenced) parts.push(diff.silenced.to === null ? `silence ${diff.silenced.from} over` : `silenced by ${diff.silenced.to}`);
  // A silence writes its own note: it is the same change.
  if (diff.notesAdded > (diff.silenced ? 1 : 0)) parts.push('note added');
  const action = diff.actionsAdded.at(-1);
  if (action !== undefined) parts.push(`action ${action.action_id} ${action.status}`.trim());
  if (diff.eventsAdded > 0) parts.push(`+${diff.eventsAdded} events (${after.event_count})`);
  return parts.join(', ') || (after.status === 'closed' ? 'closed' : 'updated');
}
