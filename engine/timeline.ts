// An incident's story in time order: its events (event time), status changes, notes and remediation steps (engine
// clock), merged once here for everything that tells it (`incidents timeline`, the post-mortem's Timeline section,
// the terminal UI's timeline tab). Pure; the callers word the items.

import type { AuditEntry, IncidentEvent, StatusChange } from './types.js';
import { parseNote } from './workflow.js';

export type TimelineItem =
  | { kind: 'event'; at: number; event: IncidentEvent }
  | { kind: 'status'; at: number; change: StatusChange }
  | { kind: 'note'; at: number; by: string; text: string }
  | { kind: 'action'; at: number; entry: AuditEntry };

export type TimelineKind = TimelineItem['kind'];

/** Tie order at the same millisecond: what happened, how the workflow reacted, what people said, what was done. */
const KIND_ORDER: Readonly<Record<TimelineKind, number>> = { event: 0, status: 1, note: 2, action: 3 };

export interface TimelineInput {
  /** The incident's events (any order). */
  events: readonly IncidentEvent[];
  statusHistory: readonly StatusChange[];
  /** Notes as stored (`formatNote`: time, author, text); a note that does not parse is placed at `noteFallbackAt`. */
  notes?: readonly string[];
  noteFallbackAt?: number;
  audit: readonly AuditEntry[];
}

export function mergeTimeline(input: TimelineInput): TimelineItem[] {
  const items: Array<TimelineItem & { index: number }> = [];
  let index = 0;
  for (const event of input.events) items.push({ kind: 'event', at: event.timestamp, event, index: index++ });
  for (const change of input.statusHistory) items.push({ kind: 'status', at: change.at, change, index: index++ });
  for (const note of input.notes ?? []) {
    const parsed = parseNote(note);
    items.push({ kind: 'note', at: parsed?.at ?? input.noteFallbackAt ?? 0, by: parsed?.by ?? '', text: parsed?.text ?? note, index: index++ });
  }
  for (const entry of input.audit) items.push({ kind: 'action', at: entry.at, entry, index: index++ });
  items.sort((a, b) => a.at - b.at || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.index - b.index);
  return items;
}
