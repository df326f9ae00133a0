// Silences and the notification outbox in words, for the web dashboard's and the terminal UI's Silences and
// Notifications screens: the tables' columns and cells, a silence's state, notifications grouped by channel, and the
// create form's "how long" read as the contract wants it (seconds, or an instant). Every telemetry-borne string goes
// through cleanLine here, so both front ends show the same safe text.

import type { NotificationJson } from '../api/notification.js';
import type { CreateSilenceRequest, SilenceJson } from '../api/silence.js';
import { INCIDENT_TYPES, type IncidentType } from '../api/vocabulary.js';
import { parseAgeMs, parseIsoInstant } from '../common/time.js';
import type { ColumnSpec } from './incident-text.js';
import { formatAgo, formatRemaining, parseIsoMs } from './format.js';
import { cleanLine } from './text.js';

export const SILENCE_COLUMNS: readonly ColumnSpec[] = [
  { header: 'Silence', minWidth: 9 },
  { header: 'State' },
  { header: 'Matcher', minWidth: 20 },
  { header: 'Until' },
  { header: 'By', shrinkFirstTo: 16 },
  { header: 'Comment', flexible: true },
];

/** `active`, `scheduled` (starts later), `ended` (ran out) or `expired` (ended early by hand). */
export function silenceState(silence: SilenceJson, now: number): 'active' | 'scheduled' | 'ended' | 'expired' {
  if (silence.expired_at !== null) return 'expired';
  if (silence.active) return 'active';
  return (parseIsoMs(silence.starts_at) ?? 0) > now ? 'scheduled' : 'ended';
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** `component=payments type=memory_exhaustion`, as Alertmanager writes a matcher. */
export function silenceMatcher(silence: SilenceJson): string {
  return `component=${cleanLine(silence.component)}${silence.incident_type !== null ? ` type=${silence.incident_type}` : ''}`;
}

/**
 * `20:00Z (in 2h)`, `17:30Z (30m ago)`: the time of day (UTC) and how far it is; the date too (`2026-12-10 06:00Z
 * (in 2d)`) only when it is a day or more away. Within a day the countdown says which day, and a silence made at
 * 23:00 for 2 h keeps its countdown in a narrow column instead of losing it to the date.
 */
export function silenceUntil(silence: SilenceJson, now: number): string {
  const end = parseIsoMs(silence.expired_at ?? silence.ends_at);
  if (end === undefined) return '-';
  const iso = new Date(end).toISOString();
  const stamp = Math.abs(end - now) < DAY_MS ? `${iso.slice(11, 16)}Z` : `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
  return end > now ? `${stamp} (in ${formatRemaining((end - now) / 1000)})` : `${stamp} (${formatAgo(iso, now)})`;
}

export function silenceCells(silence: SilenceJson, now: number): string[] {
  const state = silenceState(silence, now);
  return [
    cleanLine(silence.silence_id),
    state === 'expired' && silence.expired_by !== null ? `expired by ${cleanLine(silence.expired_by)}` : state,
    silenceMatcher(silence),
    silenceUntil(silence, now),
    cleanLine(silence.created_by),
    cleanLine(silence.comment),
  ];
}

/** In force first (soonest to end first), then the rest, most recently ended first. */
export function sortSilences(silences: readonly SilenceJson[]): SilenceJson[] {
  const end = (silence: SilenceJson) => parseIsoMs(silence.expired_at ?? silence.ends_at) ?? 0;
  return [...silences].sort((a, b) => (a.active === b.active ? (a.active ? end(a) - end(b) : end(b) - end(a)) : a.active ? -1 : 1));
}

export type SilenceDraft = { component: string; incident_type: string; length: string; comment: string };

/**
 * The create form's fields as the contract's request: `length` is an age (`30m`, `2h`, `1d`) or an ISO-8601 instant
 * (UTC when it names no zone); the type is optional. A message for the first thing wrong otherwise.
 */
export function silenceRequest(draft: SilenceDraft, actor: string): { ok: true; request: CreateSilenceRequest } | { ok: false; error: string } {
  const component = draft.component.trim();
  const type = draft.incident_type.trim();
  const length = draft.length.trim();
  const comment = draft.comment.trim();
  if (component === '') return { ok: false, error: 'name the component to silence' };
  if (type !== '' && !(INCIDENT_TYPES as readonly string[]).includes(type)) return { ok: false, error: `not an incident type: ${cleanLine(type).slice(0, 60)}` };
  if (comment === '') return { ok: false, error: 'say why in the comment (it is kept with the silence)' };
  const base = { actor, component, comment, ...(type !== '' ? { incident_type: type as IncidentType } : {}) };
  const ms = parseAgeMs(length);
  if (ms !== undefined) {
    if (!(ms > 0) || !Number.isFinite(ms)) return { ok: false, error: 'the duration must be above zero' };
    return { ok: true, request: { ...base, duration_seconds: ms / 1000 } };
  }
  const until = parseIsoInstant(length);
  if (until === undefined) return { ok: false, error: 'how long: a duration (30m, 2h, 1d) or an ISO-8601 time' };
  return { ok: true, request: { ...base, until: new Date(until).toISOString() } };
}

export const NOTIFICATION_COLUMNS: readonly ColumnSpec[] = [
  { header: 'Notification', minWidth: 14 },
  { header: 'Kind' },
  { header: 'Incident' },
  { header: 'State' },
  { header: 'Attempts', align: 'right' },
  { header: 'Why', flexible: true },
];

/**
 * Why a dead letter was given up on, or what its last attempt met (null when nothing did), without the channel's
 * name that delivery errors start with (`webhook:ops: HTTP 400 Bad Request`): every view of it shows the channel.
 */
export function notificationError(item: NotificationJson): string | null {
  const error = item.state === 'dead' ? item.reason : item.last_error;
  if (error === null) return null;
  const prefix = `${item.channel}: `;
  return cleanLine(error.startsWith(prefix) ? error.slice(prefix.length) : error);
}

export function notificationCells(item: NotificationJson, now: number): string[] {
  const error = notificationError(item);
  const why =
    item.state === 'dead'
      ? `${error ?? 'given up'}${item.failed_at !== null ? ` (${formatAgo(item.failed_at, now)})` : ''}`
      : `${error !== null ? `${error}; ` : ''}next try ${nextTry(item, now)}`;
  return [cleanLine(item.notification_id), item.kind, cleanLine(item.incident_id), item.state === 'dead' ? 'dead letter' : 'pending', String(item.attempts), why];
}

function nextTry(item: NotificationJson, now: number): string {
  const at = parseIsoMs(item.next_attempt_at);
  if (at === undefined) return '-';
  return at <= now ? 'now' : `in ${formatRemaining((at - now) / 1000)}`;
}

export type ChannelGroup = { channel: string; pending: NotificationJson[]; dead: NotificationJson[] };

/** Per channel (in name order): what waits, then the dead letters, each as listed. */
export function notificationsByChannel(items: readonly NotificationJson[]): ChannelGroup[] {
  const groups = new Map<string, ChannelGroup>();
  for (const item of items) {
    let group = groups.get(item.channel);
    if (group === undefined) groups.set(item.channel, (group = { channel: item.channel, pending: [], dead: [] }));
    (item.state === 'dead' ? group.dead : group.pending).push(item);
  }
  return [...groups.values()].sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0));
}
