// Post-mortems: the seed's "Post-Mortem Generation" template filled from what firewatch recorded, nothing else.
//
//   Incident ─┐
//   events ───┼─▶ renderPostmortem(input) ──▶ Markdown: Summary · Impact · Timeline · Root Cause · Resolution ·
//   audit ────┤                                         Remediation Actions · Follow-Up Items · Runbook · Metrics ·
//   runbook ──┘                                         Generated At
//
// Decisions:
// - Only recorded data: a figure firewatch did not measure says "not measured" instead of a guess, and follow-up
//   items are derived from the incident (its type, primary error and source, failed actions, recurrence), not
//   boilerplate beyond the seed's "Schedule review meeting".
// - Untrusted text (messages, service names, notes, audit details: telemetry and operators) never leaves this
//   module raw. markdownCell() strips escape sequences and control characters, folds it to one line, bounds it
//   (engine/text.ts oneLine and truncate) and escapes what Markdown would act on (table pipes, links, HTML, emphasis,
//   code spans, a leading block marker), so a hostile message stays inside its table cell and renders as the text
//   it is. Raw Markdown is what the CLI prints, so intraword underscores (`error_burst`) and other harmless
//   characters are left unescaped.
// - Deterministic: every time comes from the input (`generatedAt` for "as of"), ties sort by a stable key.
// - Timeline: events (event time), status transitions and audit entries (engine clock) merged in time order; when
//   there are more than MAX_TIMELINE_ROWS entries the first and last ones stay and one row counts the rest.
// - Remediation actions come from the audit log, one row per action with its final outcome; when the log is empty
//   but the incident lists actions (`incident.actions`), those are shown instead of claiming nothing ran.

import { isoTime } from '../common/time.js';
import { mergeTimeline } from './timeline.js';
import type { Runbook } from './runbook.js';
import { incidentTypeLabel } from './severity-matrix.js';
import { oneLine, truncate } from '../common/text.js';
import { DEFAULT_EXACT_USERS } from './users.js';
import { isOpenStatus, NOTIFICATION_AUDIT_KINDS, SYSTEM_ACTOR } from './types.js';
import type { AuditEntry, AuditKind, Incident, IncidentEvent, StatusChange } from './types.js';

export interface PostmortemInput {
  incident: Incident;
  /** The incident's events, oldest first; possibly only the first of them (see timelineTotal). */
  timeline: readonly IncidentEvent[];
  /** How many events the incident has in the store; more than timeline.length when the caller capped it. */
  timelineTotal: number;
  /** The incident's remediation audit entries (any order: sorted here by time, then seq). */
  audit: readonly AuditEntry[];
  /** The configured runbook for the incident's type, if any. */
  runbook?: Runbook;
  /** epoch ms: the "Generated At" time, and "now" for an incident still open. */
  generatedAt: number;
  /** The incident is not resolved yet: say so at the top. */
  draft?: boolean;
}

/** Most timeline rows printed (entries, not counting date rows); the rest collapse into one "… N more" row. */
export const MAX_TIMELINE_ROWS = 50;
/** Of those, how many come from the start; the others (but the "more" row) from the end. */
const TIMELINE_HEAD_ROWS = 25;
/** Longest untrusted text in a table cell or list item, in characters. */
export const MAX_CELL_LENGTH = 200;
const MAX_DESCRIPTION_LENGTH = 1000;
const MAX_NOTE_LENGTH = 500;
const MAX_NOTES = 30;
/** Distribution entries listed before "+N more". */
const MAX_DISTRIBUTION_ENTRIES = 5;
const MAX_COMPONENTS_LISTED = 20;
const NONE = '—';

// ─── Markdown text ──────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Characters Markdown (CommonMark + GFM) acts on anywhere in a line: backslash (so our escapes cannot be undone),
 * code spans, emphasis `*`, links and images `[ ]`, HTML and autolinks `<`, table cells `|`, strikethrough `~`.
 */
const INLINE_SPECIAL = /[\\`*[\]<|~]/g;
/** `_` emphasises only at a word boundary; intraword (`error_burst`) it is literal and left alone for readability. */
const BOUNDARY_UNDERSCORE = /(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu;
/** `&amp;`, `&#27;`: an entity would render as the character it names (a control character, even). */
const ENTITY_START = /&(?=#|[A-Za-z][A-Za-z0-9]*;)/g;
/** What would open a block at the start of a line: heading, quote, list, rule, setext underline, ordered list. */
const LEADING_BLOCK_MARKER = /^(?:([#>+\-=])|(\d{1,9})([.)]))/;

/**
 * Untrusted text made safe for one Markdown table cell, list item or inline position: escape sequences and control
 * characters removed, line breaks folded into spaces, at most `maxLength` characters (`…` when cut), and every
 * character Markdown would act on escaped, including `|`, so the text cannot end its cell or its row. '' stays ''.
 */
export function markdownCell(text: unknown, maxLength = MAX_CELL_LENGTH): string {
  const plain = truncate(oneLine(String(text ?? '')), maxLength);
  return plain
    .replace(INLINE_SPECIAL, '\\$&')
    .replace(BOUNDARY_UNDERSCORE, '\\_')
    .replace(ENTITY_START, '\\&')
    .replace(LEADING_BLOCK_MARKER, (_all, marker: string | undefined, digits: string, punct: string) =>
      marker !== undefined ? `\\${marker}` : `${digits}\\${punct}`,
    );
}

/** markdownCell, or an em dash for nothing (an empty cell reads as a rendering fault). */
function cellOrNone(text: unknown, maxLength = MAX_CELL_LENGTH): string {
  const cell = markdownCell(text, maxLength);
  return cell === '' ? NONE : cell;
}

function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** `|------|-------|`: the seed template's style, as wide as the padded header cells. */
function separatorRow(header: readonly string[]): string {
  return `|${header.map((h) => '-'.repeat(h.length + 2)).join('|')}|`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [tableRow(header), separatorRow(header), ...rows.map(tableRow)];
}

// ─── Numbers and times ──────────────────────────────────────────────────────────────────────────────────────────

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

const DURATION_UNITS = [
  { seconds: 86_400, word: 'day', short: 'd' },
  { seconds: 3600, word: 'hour', short: 'h' },
  { seconds: 60, word: 'minute', short: 'm' },
  { seconds: 1, word: 'second', short: 's' },
] as const;

/** The two largest units of a whole number of seconds (the second one left out when it is zero). */
function durationParts(seconds: number): { amount: number; unit: (typeof DURATION_UNITS)[number] }[] {
  let rest = Math.round(seconds);
  const first = DURATION_UNITS.findIndex((u) => rest >= u.seconds);
  const parts: { amount: number; unit: (typeof DURATION_UNITS)[number] }[] = [];
  for (let i = first; i >= 0 && i < DURATION_UNITS.length && i <= first + 1; i++) {
    const unit = DURATION_UNITS[i] as (typeof DURATION_UNITS)[number];
    const amount = Math.floor(rest / unit.seconds);
    rest -= amount * unit.seconds;
    if (amount > 0) parts.push({ amount, unit });
  }
  return parts;
}

/** `45 minutes`, `1 hour 5 minutes`, `2 minutes 30 seconds`, `less than a second`. */
export function formatDurationWords(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown';
  if (seconds < 0.5) return seconds === 0 ? '0 seconds' : 'less than a second';
  return durationParts(seconds)
    .map((p) => plural(p.amount, p.unit.word))
    .join(' ');
}

/** `2m`, `45m`, `1h 5m`, `2m 30s`, `2.5s` (one decimal below ten seconds). */
export function formatDurationShort(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown';
  if (seconds < 10 && !Number.isInteger(seconds)) return `${Math.round(seconds * 10) / 10}s`;
  if (Math.round(seconds) === 0) return '0s';
  return durationParts(seconds)
    .map((p) => `${p.amount}${p.unit.short}`)
    .join(' ');
}

/** Seconds as a plain number, to the millisecond: `120`, `2.5`. */
function seconds(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

function iso(ms: number | null | undefined): string {
  return isoTime(ms) ?? 'unknown';
}

/** `10:25:00` (UTC). */
function clock(ms: number): string {
  return isoTime(ms)?.slice(11, 19) ?? '--:--:--';
}

/** `2025-02-05` (UTC). */
function day(ms: number): string {
  return isoTime(ms)?.slice(0, 10) ?? 'unknown date';
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

/** Code-point order: the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ─── Audit log ──────────────────────────────────────────────────────────────────────────────────────────────────

/** The Remediation Actions table's Status for an action whose final entry is of this kind. */
const OUTCOME_LABEL: Readonly<Record<AuditKind, string>> = {
  recommended: 'Recommended (not run)',
  approval_requested: 'Awaiting approval',
  approved: 'Approved (not run yet)',
  refused: 'Refused',
  expired: 'Expired',
  dry_run: 'Dry run',
  started: 'Started (no result recorded)',
  succeeded: 'Success',
  failed: 'Failed',
  timed_out: 'Timed out',
  skipped: 'Skipped',
  retried: 'Notification retried',
  dropped: 'Notification dropped',
};

/** The timeline's wording of an audit entry: `Action clear_cache <verb>`. */
const TIMELINE_VERB: Readonly<Record<AuditKind, string>> = {
  recommended: 'recommended',
  approval_requested: 'awaiting approval',
  approved: 'approved',
  refused: 'refused',
  expired: 'approval expired',
  dry_run: 'dry run',
  started: 'started',
  succeeded: 'succeeded',
  failed: 'failed',
  timed_out: 'timed out',
  skipped: 'skipped',
  retried: 'retried',
  dropped: 'dropped',
};

/** Kinds of an action's run (request, approval, execution): the latest of them is the action's outcome. */
const RUN_KINDS: ReadonlySet<AuditKind> = new Set<AuditKind>([
  'approval_requested',
  'approved',
  'started',
  'succeeded',
  'failed',
  'timed_out',
  'expired',
  'dry_run',
]);
/** Run results: how many times an action actually ran. */
const RESULT_KINDS: ReadonlySet<AuditKind> = new Set<AuditKind>(['succeeded', 'failed', 'timed_out']);
/** Final outcomes worth a follow-up item: the action did not do its job, or nobody decided. */
const REVISIT_KINDS: ReadonlySet<AuditKind> = new Set<AuditKind>([
  'failed',
  'timed_out',
  'expired',
  'refused',
  'approval_requested',
  'started',
]);

function byAuditTime(a: AuditEntry, b: AuditEntry): number {
  return a.at - b.at || a.seq - b.seq;
}

interface ActionSummary {
  actionId: string;
  /** The entry that decides the Status column. */
  outcome: AuditEntry;
  runs: number;
  approvedBy: string | null;
}

/**
 * One summary per action, in order of first appearance. The outcome is the action's latest run entry (requested,
 * approved, ran, expired, dry run); refusals and skips count only when the action never got that far, so a refused
 * second attempt during a cooldown does not hide that the first run succeeded.
 */
function summariseActions(audit: readonly AuditEntry[]): ActionSummary[] {
  const byAction = new Map<string, AuditEntry[]>();
  for (const entry of audit) {
    let list = byAction.get(entry.action_id);
    if (list === undefined) byAction.set(entry.action_id, (list = []));
    list.push(entry);
  }
  const summaries: ActionSummary[] = [];
  for (const [actionId, entries] of byAction) {
    const lastOf = (test: (kind: AuditKind) => boolean): AuditEntry | undefined =>
      entries.findLast((e) => test(e.kind));
    const outcome =
      lastOf((k) => RUN_KINDS.has(k)) ??
      lastOf((k) => k === 'refused' || k === 'skipped') ??
      (entries[entries.length - 1] as AuditEntry);
    const approvedBy = outcome.approved_by ?? lastOf((k) => k === 'approved')?.approved_by ?? null;
    summaries.push({
      actionId,
      outcome,
      runs: entries.filter((e) => RESULT_KINDS.has(e.kind)).length,
      approvedBy,
    });
  }
  return summaries;
}

// ─── Timeline ───────────────────────────────────────────────────────────────────────────────────────────────────

type EntryKind = 'event' | 'status' | 'action';
const KIND_NOUN: Readonly<Record<EntryKind, [string, string]>> = {
  event: ['event', 'events'],
  status: ['status change', 'status changes'],
  action: ['action entry', 'action entries'],
};

interface TimelineEntry {
  at: number;
  kind: EntryKind;
  /** Markdown cells, already escaped. */
  text: string;
  source: string;
}

function eventEntry(event: IncidentEvent): TimelineEntry {
  const type = markdownCell(event.event_type, 80);
  const message = markdownCell(event.message);
  return {
    at: event.timestamp,
    kind: 'event',
    text: `**${markdownCell(event.severity.toUpperCase(), 20)}** ${type}${message === '' ? '' : `: ${message}`}`,
    source: cellOrNone(event.source, 80),
  };
}

function statusEntry(change: StatusChange): TimelineEntry {
  const by = markdownCell(change.by, 80);
  const reason = markdownCell(change.reason);
  return {
    at: change.at,
    kind: 'status',
    text: `Status → ${change.to} (by ${by || 'unknown'}${reason === '' ? '' : `: ${reason}`})`,
    source: SYSTEM_ACTOR,
  };
}

function auditEntry(entry: AuditEntry): TimelineEntry {
  let verb = TIMELINE_VERB[entry.kind];
  if (entry.kind === 'approved' && entry.approved_by !== null) verb += ` by ${markdownCell(entry.approved_by, 80)}`;
  else if (entry.actor !== SYSTEM_ACTOR && entry.actor !== '') verb += ` (by ${markdownCell(entry.actor, 80)})`;
  const detail = markdownCell(entry.detail);
  const what = NOTIFICATION_AUDIT_KINDS.has(entry.kind) ? 'Notification' : 'Action';
  return {
    at: entry.at,
    kind: 'action',
    text: `${what} ${markdownCell(entry.action_id, 80)} ${verb}${detail === '' ? '' : `: ${detail}`}`,
    source: SYSTEM_ACTOR,
  };
}

function timelineEntries(input: PostmortemInput): TimelineEntry[] {
  const items = mergeTimeline({
    events: input.timeline,
    statusHistory: input.incident.status_history ?? [],
    // `started` is left out: the result entry that follows says more, and says it once.
    audit: input.audit.filter((entry) => entry.kind !== 'started'),
  });
  return items.map((item) => {
    switch (item.kind) {
      case 'event':
        return eventEntry(item.event);
      case 'status':
        return statusEntry(item.change);
      case 'action':
        return auditEntry(item.entry);
      case 'note':
        throw new Error('notes are not part of the post-mortem timeline'); // none are passed in
    }
  });
}

function moreRow(omitted: readonly TimelineEntry[]): string {
  const counts: Record<EntryKind, number> = { event: 0, status: 0, action: 0 };
  for (const entry of omitted) counts[entry.kind]++;
  // `… 68 more events, 2 status changes`: "more" goes after the first count only.
  const parts = (Object.keys(counts) as EntryKind[])
    .filter((kind) => counts[kind] > 0)
    .map((kind, i) => `${counts[kind]}${i === 0 ? ' more' : ''} ${KIND_NOUN[kind][counts[kind] === 1 ? 0 : 1]}`);
  return tableRow(['…', `… ${parts.join(', ')}`, '…']);
}

function renderTimeline(input: PostmortemInput): string[] {
  const entries = timelineEntries(input);
  const lines: string[] = ['## Timeline', ''];
  const total = Math.max(input.timelineTotal, input.timeline.length);
  if (total > input.timeline.length) {
    // The command goes in a code span, where escapes would show literally: only for an id that needs none.
    const id = input.incident.incident_id;
    const hint = /^[A-Za-z0-9_-]{1,40}$/.test(id) ? ` (\`firewatch incidents timeline ${id}\` lists them)` : '';
    lines.push(`Only ${plural(input.timeline.length, 'event')} of the incident's ${total} are included here${hint}.`, '');
  }
  if (entries.length === 0) {
    const count = input.incident.event_count;
    lines.push(count > 0 ? `None of the incident's ${plural(count, 'event')} were available.` : 'No events were recorded.');
    return lines;
  }
  const firstDay = day((entries[0] as TimelineEntry).at);
  const lastDay = day((entries[entries.length - 1] as TimelineEntry).at);
  const spansDays = firstDay !== lastDay;
  lines.push(
    spansDays
      ? `All times are UTC; the incident spans ${firstDay} to ${lastDay}, and a date row opens each day.`
      : `All times are UTC, on ${firstDay}.`,
    '',
  );

  let head = entries;
  let tail: TimelineEntry[] = [];
  let omitted: TimelineEntry[] = [];
  if (entries.length > MAX_TIMELINE_ROWS) {
    head = entries.slice(0, TIMELINE_HEAD_ROWS);
    const tailRows = MAX_TIMELINE_ROWS - TIMELINE_HEAD_ROWS - 1; // one row says how many were left out
    tail = entries.slice(entries.length - tailRows);
    omitted = entries.slice(TIMELINE_HEAD_ROWS, entries.length - tailRows);
  }
  const rows: string[] = [];
  let shownDay = '';
  const push = (entry: TimelineEntry): void => {
    const entryDay = day(entry.at);
    if (spansDays && entryDay !== shownDay) rows.push(tableRow([`**${entryDay}**`, '', '']));
    shownDay = entryDay;
    rows.push(tableRow([clock(entry.at), entry.text, entry.source]));
  };
  head.forEach(push);
  if (omitted.length > 0) rows.push(moreRow(omitted));
  tail.forEach(push);
  const header = ['Time', 'Event', 'Source'];
  lines.push(tableRow(header), separatorRow(header), ...rows);
  return lines;
}

// ─── Sections ───────────────────────────────────────────────────────────────────────────────────────────────────

function isResolved(incident: Incident): boolean {
  return !isOpenStatus(incident.status);
}

/** The transition into `resolved` (the latest one: an incident can be reopened and resolved again). */
function resolvedChange(incident: Incident): StatusChange | undefined {
  return (incident.status_history ?? []).findLast((change) => change.to === 'resolved');
}

function listOf(items: readonly string[], max: number, maxLength = 80): string {
  const shown = items.slice(0, max).map((item) => cellOrNone(item, maxLength));
  const rest = items.length - shown.length;
  return shown.length === 0 ? NONE : `${shown.join(', ')}${rest > 0 ? `, +${rest} more` : ''}`;
}

function distribution(record: Readonly<Record<string, number>>): string {
  const entries = Object.entries(record).sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
  const shown = entries.slice(0, MAX_DISTRIBUTION_ENTRIES).map(([key, count]) => `${cellOrNone(key, 80)} ${count}`);
  const rest = entries.length - shown.length;
  return shown.length === 0 ? NONE : `${shown.join(', ')}${rest > 0 ? `, +${rest} more` : ''}`;
}

function renderSummary(input: PostmortemInput): string[] {
  const { incident } = input;
  const label = incidentTypeLabel(incident.incident_type);
  const lines = [
    '## Summary',
    '',
    `**${cellOrNone(incident.title)}** — ${label} (${incident.incident_type}), severity ` +
      `**${incident.severity.toUpperCase()}**, status **${incident.status.toUpperCase()}**.`,
    '',
  ];
  // The description (a person's, or the rule's) first, then what the data says, which every incident has.
  const description = markdownCell(incident.description, MAX_DESCRIPTION_LENGTH);
  if (description !== '') lines.push(description, '');
  const where = incident.root_cause.primary_source || incident.affected_components[0] || '';
  lines.push(
    `${label}${where === '' ? '' : ` on ${markdownCell(where, 80)}`}: ${plural(incident.event_count, 'event')} from ` +
      `${plural(incident.affected_components.length, 'component')} between ${iso(incident.first_event_at)} and ` +
      `${iso(incident.last_event_at)}, detected at ${iso(incident.detected_at)}.`,
  );
  if (incident.assigned_to !== null && incident.assigned_to !== '') {
    lines.push('', `Assigned to ${markdownCell(incident.assigned_to, 80)}.`);
  }
  return lines;
}

function renderImpact(input: PostmortemInput): string[] {
  const { incident } = input;
  const mttr = incident.mttr === null ? 'not resolved yet' : formatDurationShort(incident.mttr);
  const timing = `(MTTD: ${formatDurationShort(incident.mttd)}, MTTR: ${mttr})`;
  const end = incident.resolved_at ?? incident.closed_at;
  const duration =
    isResolved(incident) && end !== null
      ? `${formatDurationWords((end - incident.detected_at) / 1000)} ${timing}`
      : `ongoing, ${formatDurationWords((input.generatedAt - incident.detected_at) / 1000)} since detection ` +
        `as of ${iso(input.generatedAt)} ${timing}`;
  const users = incident.users_affected ?? 0;
  const usersText =
    users === 0
      ? 'not measured (its telemetry carried no user identities)'
      : users > DEFAULT_EXACT_USERS
        ? `~${users} (estimated)`
        : String(users);
  const lines = [
    '## Impact',
    '',
    `- **Affected Components**: ${listOf(incident.affected_components, MAX_COMPONENTS_LISTED)}`,
    `- **Event Count**: ${plural(incident.event_count, 'event')}`,
    `- **Duration**: ${duration}`,
    `- **Users Impacted**: ${usersText}`,
  ];
  const similar = incident.similar_incidents ?? [];
  if (similar.length > 0) {
    const shown = similar.map((s) => `${cellOrNone(s.incident_id, 40)} (${cellOrNone(s.resolution)})`);
    lines.push(`- **Similar Earlier Incidents**: ${shown.join('; ')}`);
  }
  const related = incident.related_incidents ?? [];
  if (related.length > 0) {
    // Part of the same outage: read their post-mortems with this one.
    lines.push(`- **Related Incidents**: ${related.map((id) => cellOrNone(id, 40)).join(', ')} (open on the same components at the same time)`);
  }
  return lines;
}

function renderRootCause(input: PostmortemInput): string[] {
  const rc = input.incident.root_cause;
  const lines = ['## Root Cause', ''];
  if (rc.primary_error_type === '' && rc.primary_source === '') {
    lines.push('No root cause was determined.');
  } else {
    lines.push(
      `- **Primary Error Type**: ${cellOrNone(rc.primary_error_type, 80)}`,
      `- **Primary Source**: ${cellOrNone(rc.primary_source, 80)}`,
      `- **Errors by Type**: ${distribution(rc.error_distribution)}`,
      `- **Events by Source**: ${distribution(rc.source_distribution)}`,
    );
  }
  lines.push('');
  const span = rc.root_span;
  if (span === undefined) {
    lines.push('No root span was identified: no failing span of its traces was available to analyse.');
    return lines;
  }
  lines.push(
    'Root span (where the failure started: the deepest failing span of its traces):',
    '',
    ...table(
      ['Field', 'Value'],
      [
        ['Service', cellOrNone(span.service, 80)],
        ['Span', cellOrNone(span.span_name)],
        ['Status message', cellOrNone(span.status_message)],
        ['Exception type', cellOrNone(span.exception_type)],
        ['Trace ID', cellOrNone(span.trace_id, 40)],
        ['Span ID', cellOrNone(span.span_id, 40)],
      ],
    ),
  );
  return lines;
}

function renderResolution(input: PostmortemInput, audit: readonly AuditEntry[]): string[] {
  const { incident } = input;
  const lines = ['## Resolution', ''];
  const change = resolvedChange(incident);
  if (!isResolved(incident)) {
    lines.push(`Not resolved yet: the incident is ${incident.status}.`);
  } else {
    // The transition names who resolved it; older incidents without a history have `<who>: <notes>` at best.
    const resolution = incident.resolution ?? '';
    const named = resolution.includes(': ') ? (resolution.split(': ')[0] as string) : '';
    const by = change?.by ?? (incident.auto_resolved ? SYSTEM_ACTOR : named);
    const how = incident.auto_resolved
      ? `automatically${change !== undefined && change.reason !== '' ? `: ${markdownCell(change.reason)}` : ''}`
      : 'manually';
    lines.push(`- **Resolved By**: ${cellOrNone(by, 80)} (${how})`);
    lines.push(`- **Resolved At**: ${iso(incident.resolved_at ?? change?.at)}`);
    let notes = resolution;
    if (by !== '' && notes.startsWith(`${by}: `)) notes = notes.slice(by.length + 2);
    if (notes !== '') lines.push(`- **Resolution Notes**: ${markdownCell(notes, MAX_NOTE_LENGTH)}`);
    if (incident.closed_at !== null) lines.push(`- **Closed At**: ${iso(incident.closed_at)}`);
  }
  const notes = incident.notes.filter((note) => note.trim() !== '');
  if (notes.length > 0) {
    lines.push('', 'Notes:');
    for (const note of notes.slice(0, MAX_NOTES)) lines.push(`- ${markdownCell(note, MAX_NOTE_LENGTH)}`);
    if (notes.length > MAX_NOTES) lines.push(`- … ${notes.length - MAX_NOTES} more`);
  }
  lines.push('');
  const succeeded = audit.filter((entry) => entry.kind === 'succeeded');
  if (succeeded.length === 0) {
    lines.push('Actions taken: none succeeded according to the remediation audit log.');
    return lines;
  }
  lines.push('Actions taken:');
  succeeded.forEach((entry, i) => {
    const approved = entry.approved_by === null ? '' : ` (approved by ${markdownCell(entry.approved_by, 80)})`;
    const detail = markdownCell(entry.detail);
    const what = `${markdownCell(entry.action_id, 80)}${approved} at ${clock(entry.at)}`;
    lines.push(`${i + 1}. ${what}${detail === '' ? '' : ` — ${detail}`}`);
  });
  return lines;
}

function renderActions(input: PostmortemInput, summaries: readonly ActionSummary[]): string[] {
  const lines = ['## Remediation Actions', ''];
  if (summaries.length === 0) {
    const recorded = input.incident.actions;
    if (recorded.length === 0) {
      lines.push('No remediation actions were run.');
      return lines;
    }
    // No audit entries reached us, but the incident lists actions: show those rather than claim nothing ran.
    lines.push(
      ...table(
        ['Action', 'Status', 'Result'],
        recorded.map((a) => [
          cellOrNone(a.action_id, 80),
          cellOrNone(Object.hasOwn(OUTCOME_LABEL, a.status) ? OUTCOME_LABEL[a.status as AuditKind] : a.status, 40),
          cellOrNone(a.approved_by === null ? a.result : `${a.result} (approved by ${a.approved_by})`),
        ]),
      ),
    );
    return lines;
  }
  lines.push(
    ...table(
      ['Action', 'Status', 'Result'],
      summaries.map((s) => {
        const extras: string[] = [];
        if (s.approvedBy !== null) extras.push(`approved by ${markdownCell(s.approvedBy, 80)}`);
        if (s.runs > 1) extras.push(`${s.runs} runs`);
        const detail = markdownCell(s.outcome.detail);
        const result = [detail, extras.length > 0 ? `(${extras.join(', ')})` : ''].filter((p) => p !== '').join(' ');
        return [cellOrNone(s.actionId, 80), OUTCOME_LABEL[s.outcome.kind], result === '' ? NONE : result];
      }),
    ),
  );
  return lines;
}

/** Stage 3's investigation checklist, reduced to the items this incident's data points at. */
function investigationItems(incident: Incident): string[] {
  const rc = incident.root_cause;
  const items: string[] = [];
  const components = listOf(incident.affected_components, 5);
  const errorTypes = Object.keys(rc.error_distribution);
  if (incident.affected_components.length > 0) {
    items.push(`Review deployments to ${components} before ${iso(incident.first_event_at)}`);
  }
  if (
    incident.incident_type === 'database_connection_failure' ||
    errorTypes.some((type) => /database|\bdb\b|_db|db_|sql|connection_pool/i.test(type))
  ) {
    items.push('Analyze database performance (connections, pool size, slow queries) around the first event');
  }
  if (
    incident.incident_type === 'memory_exhaustion' ||
    incident.incident_type === 'resource_leak' ||
    incident.incident_type === 'disk_space_low'
  ) {
    const host = rc.primary_source || incident.affected_components[0];
    items.push(`Check system metrics (CPU, memory, disk) of ${cellOrNone(host, 80)}`);
  }
  if (
    incident.incident_type === 'network_partition' ||
    incident.incident_type === 'service_down' ||
    errorTypes.includes('service_unavailable')
  ) {
    items.push(`Check network connectivity and external dependencies of ${components}`);
  }
  if (incident.incident_type === 'api_rate_limit') {
    items.push(`Review rate limiting status of ${cellOrNone(rc.primary_source, 80)}`);
  }
  return items;
}

function renderFollowUps(input: PostmortemInput, summaries: readonly ActionSummary[]): string[] {
  const { incident, runbook } = input;
  const rc = incident.root_cause;
  const items: string[] = [];
  if (rc.primary_error_type !== '') {
    const on = rc.primary_source === '' ? '' : ` on ${markdownCell(rc.primary_source, 80)}`;
    items.push(`Add monitoring for ${markdownCell(rc.primary_error_type, 80)}${on}`);
  }
  const span = rc.root_span;
  if (span !== undefined) {
    const what = span.exception_type || span.status_message;
    items.push(
      `Fix the failure in span ${cellOrNone(span.span_name, 80)} of ${cellOrNone(span.service, 80)}` +
        `${what === '' ? '' : ` (${markdownCell(what, 120)})`}`,
    );
  }
  items.push(...investigationItems(incident));
  for (const s of summaries) {
    if (!REVISIT_KINDS.has(s.outcome.kind)) continue;
    const detail = markdownCell(s.outcome.detail, 120);
    items.push(
      `Revisit action ${markdownCell(s.actionId, 80)}: ${OUTCOME_LABEL[s.outcome.kind].toLowerCase()}` +
        `${detail === '' ? '' : ` (${detail})`}`,
    );
  }
  const similar = incident.similar_incidents ?? [];
  if (similar.length > 0) {
    const ids = similar.map((s) => cellOrNone(s.incident_id, 40)).join(', ');
    items.push(`Find why it recurs: ${plural(similar.length, 'earlier similar incident')} (${ids})`);
  }
  items.push(
    runbook !== undefined
      ? `Update the ${incidentTypeLabel(incident.incident_type)} runbook with lessons learned`
      : `Write a runbook for ${incident.incident_type} incidents`,
  );
  items.push('Schedule review meeting');
  return ['## Follow-Up Items', '', ...items.map((item, i) => `${i + 1}. [ ] ${item}`)];
}

/** `[title](<url>)` for an http(s) URL; anything else is printed as text, never as a link. */
function runbookLink(title: string, url: string): string {
  const text = cellOrNone(title, 200);
  let href: string | undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') href = parsed.href;
  } catch {
    href = undefined;
  }
  // WHATWG serialisation percent-encodes spaces, `<`, `>` and controls, so `<href>` cannot end early.
  return href === undefined ? `${text}: ${markdownCell(url, 300)}` : `[${text}](<${href}>)`;
}

function renderRunbook(runbook: Runbook): string[] {
  const lines = ['## Runbook', ''];
  if (runbook.steps.length > 0) runbook.steps.forEach((step, i) => lines.push(`${i + 1}. ${cellOrNone(step, 500)}`));
  if (runbook.links.length > 0) {
    if (runbook.steps.length > 0) lines.push('');
    lines.push('Links:');
    for (const link of runbook.links) lines.push(`- ${runbookLink(link.title, link.url)}`);
  }
  return lines;
}

function renderMetrics(incident: Incident): string[] {
  const peak = incident.peak_error_rate ?? null; // incidents stored before the field existed lack it
  const mttr =
    incident.mttr === null
      ? 'not resolved yet'
      : `${seconds(incident.mttr)} seconds (${formatDurationWords(incident.mttr)})`;
  return [
    '## Metrics',
    '',
    `- **MTTD**: ${seconds(incident.mttd)} seconds`,
    `- **MTTR**: ${mttr}`,
    `- **Total Events**: ${incident.event_count}`,
    `- **Peak Error Rate**: ${peak === null ? 'not measured' : percent(peak)}`,
  ];
}

/** The post-mortem of `input.incident` as Markdown (ends with a line break). Pure and deterministic. */
export function renderPostmortem(input: PostmortemInput): string {
  const { incident } = input;
  // Notification entries (retried, dropped) are in the timeline; the action tables are about remediation.
  const audit = input.audit.filter((entry) => !NOTIFICATION_AUDIT_KINDS.has(entry.kind)).sort(byAuditTime);
  const summaries = summariseActions(audit);
  const header = [`# Incident Post-Mortem: ${markdownCell(incident.incident_id, 40)}`];
  if (input.draft === true) {
    const asOf = `Figures are as of ${iso(input.generatedAt)} and will change.`;
    header.push('', `**Draft — the incident is still ${incident.status}.** ${asOf}`);
  }
  const sections: string[][] = [
    renderSummary(input),
    renderImpact(input),
    renderTimeline(input),
    renderRootCause(input),
    renderResolution(input, audit),
    renderActions(input, summaries),
    renderFollowUps(input, summaries),
  ];
  if (input.runbook !== undefined) sections.push(renderRunbook(input.runbook));
  sections.push(renderMetrics(incident), ['## Generated At', '', iso(input.generatedAt)]);
  return `${[header, ...sections].map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
