// Silences and Notifications: every daemon's silences (in force first, then ended ones) and its outbox (pending, then
// dead letters, by channel), in the shared words of view/outbox-text.ts. The keys (n, x; r, R, d) act on the selected
// row after a y/N (tui/outbox.ts); with --read-only the screens only list. Also what the frame needs of them: the
// reducer's context, the prompt lines and the prompt's footer keys.

import type { NotificationJson } from '../../api/notification.js';
import type { SilenceJson } from '../../api/silence.js';
import { isFleet } from '../../view/incidents-state.js';
import { notificationCells, notificationsByChannel, silenceCells, silenceState, sortSilences } from '../../view/outbox-text.js';
import { plural } from '../../view/format.js';
import { cleanLine } from '../../view/text.js';
import { line, textLine, type Line } from '../lines.js';
import type { OpenOutboxPrompt, OutboxContext } from '../outbox.js';
import { notificationsKey, silencesKey } from '../screen-resources.js';
import type { Theme } from '../theme.js';
import { fittingColumns, heading, note, table, type KeyedColumn, type ScreenInput, type ScreenOutput } from './common.js';

type Listed<T> = { rows: Array<{ key: string; member: number; value: T }>; problems: string[]; loading: boolean };

function listed<T>(input: Pick<ScreenInput, 'incidents' | 'resources'>, keyOf: (member: number) => string, idOf: (value: T) => string): Listed<T> {
  const rows: Listed<T>['rows'] = [];
  const problems: string[] = [];
  let loading = false;
  input.incidents.connections.forEach((connection, member) => {
    const resource = input.resources.get<T[]>(keyOf(member));
    if (resource === undefined || (resource.status === 'loading' && resource.value === undefined)) loading = connection.state === 'connected' || loading;
    if (resource?.status === 'error') problems.push(`${connection.address}: ${resource.error}`);
    for (const value of resource?.value ?? []) rows.push({ key: `${member}/${idOf(value)}`, member, value });
  });
  return { rows, problems, loading };
}

export function silenceRows(input: Pick<ScreenInput, 'incidents' | 'resources'>): Listed<SilenceJson> {
  const all = listed<SilenceJson>(input, silencesKey, (silence) => silence.silence_id);
  const order = sortSilences(all.rows.map((row) => row.value));
  return { ...all, rows: order.map((silence) => all.rows.find((row) => row.value === silence)!) };
}

export function notificationRows(input: Pick<ScreenInput, 'incidents' | 'resources'>): Listed<NotificationJson> {
  const all = listed<NotificationJson>(input, notificationsKey, (item) => item.notification_id);
  // Channel by channel, pending before dead letters, as the page shows them.
  const order = notificationsByChannel(all.rows.map((row) => row.value)).flatMap((group) => [...group.pending, ...group.dead]);
  return { ...all, rows: order.map((item) => all.rows.find((row) => row.value === item)!) };
}

const displayOf = (input: Pick<ScreenInput, 'incidents'>, member: number, id: string) => (isFleet(input.incidents) ? `d${member + 1}/${id}` : id);

function problemLines(input: ScreenInput, what: string, problems: readonly string[]): Line[] {
  return problems.map((problem) => textLine(input.width, input.theme, `could not load the ${what} of ${problem}`, input.theme.error));
}

type SilenceColumnId = 'daemon' | 'silence' | 'matcher' | 'until' | 'by' | 'comment';

const SILENCE_COLUMN: Readonly<Record<SilenceColumnId, KeyedColumn<SilenceColumnId>>> = {
  daemon: { id: 'daemon', header: 'Daemon' },
  silence: { id: 'silence', header: 'Silence', minWidth: 9 },
  matcher: { id: 'matcher', header: 'Matcher', minWidth: 18 },
  // `expired by dave.operator 19:04Z`: the name is cut before what is silenced is.
  until: { id: 'until', header: 'Until', minWidth: 14, shrinkFirstTo: 18 },
  by: { id: 'by', header: 'By', shrinkFirstTo: 12 },
  comment: { id: 'comment', header: 'Comment', flexible: true, minWidth: 12 },
};

/** Who created a silence is what a narrow terminal does without first: what it silences, until when and why stay. */
const SILENCE_COLUMN_SETS: ReadonlyArray<readonly SilenceColumnId[]> = [
  ['silence', 'matcher', 'until', 'by', 'comment'],
  ['silence', 'matcher', 'until', 'comment'],
];

export function buildSilences(input: ScreenInput): ScreenOutput {
  const { rows, problems, loading } = silenceRows(input);
  const active = rows.filter((row) => row.value.active).length;
  const hint = input.readOnly ? '' : ' · n: new · x: expire';
  const lines = [heading(input, 'Silences', `${active} in force, ${rows.length - active} ended${hint}`), ...problemLines(input, 'silences', problems)];
  const keys = rows.map((row) => row.key);
  if (rows.length === 0) {
    lines.push(note(input, loading ? 'loading the silences…' : `No silences.${input.readOnly ? '' : ' Press n to create one (a maintenance window).'}`));
    return { lines, rows: keys, pageSize: 1, paneLines: 0 };
  }
  const fleet = isFleet(input.incidents);
  const cellsOf = (row: (typeof rows)[number]): Record<SilenceColumnId, string> => {
    // The state goes into "Until", words first, no colour needed: one column fewer. The time before the name
    // (`expired 11:55Z by bob`): cut, the name goes first.
    const [id, , matcher, until, by, comment] = silenceCells(row.value, input.now);
    const state = silenceState(row.value, input.now);
    const stamp = until!.replace(/ \(.*\)$/, '');
    const expiredBy = row.value.expired_by !== null ? ` by ${cleanLine(row.value.expired_by)}` : '';
    const when = state === 'active' ? until! : state === 'expired' ? `expired ${stamp}${expiredBy}` : `${state} ${stamp}`;
    return { daemon: `d${row.member + 1}`, silence: id!, matcher: matcher!, until: when, by: by!, comment: comment! };
  };
  const sets = SILENCE_COLUMN_SETS.map((set) => (fleet ? ['daemon' as const, ...set] : set).map((id) => SILENCE_COLUMN[id]));
  const columns = fittingColumns(sets, rows.map(cellsOf), input.width);
  const drawn = table(input, {
    columns,
    rows,
    keys,
    cells: (row) => {
      const cells = cellsOf(row);
      return columns.map((column) => cells[column.id]);
    },
    cellStyle: (row) => (!row.value.active ? input.theme.dim : undefined),
    cursor: input.ui.cursors.silences,
    height: input.height - lines.length,
    width: input.width,
    focused: input.ui.prompt === null || input.ui.prompt.kind === 'expire-silence',
  });
  lines.push(...drawn.lines);
  return { lines, rows: keys, pageSize: drawn.pageSize, paneLines: 0 };
}

type NotificationColumnId = 'daemon' | 'channel' | 'notification' | 'incident' | 'kind' | 'state' | 'why';

const NOTIFICATION_COLUMN: Readonly<Record<NotificationColumnId, KeyedColumn<NotificationColumnId>>> = {
  daemon: { id: 'daemon', header: 'Daemon' },
  channel: { id: 'channel', header: 'Channel' },
  notification: { id: 'notification', header: 'Notification' },
  incident: { id: 'incident', header: 'Incident' },
  kind: { id: 'kind', header: 'Kind' },
  state: { id: 'state', header: 'State' },
  // What went wrong: a narrow terminal drops the kind before it cuts this below 24.
  why: { id: 'why', header: 'Why', flexible: true, minWidth: 24 },
};

/**
 * The notification's id (ntf_inc_00001_triggered_1796664672930000) is 40 cells: where it fits whole beside the others
 * it is shown, and its incident and kind are not (it names them); where not, the incident and the kind stand for it
 * (the confirm of r and d names the id), then the incident alone. Cut, it would tell nothing, and the channel and the
 * reason, which tell what went wrong where, would be cut for it.
 */
const NOTIFICATION_COLUMN_SETS: ReadonlyArray<readonly NotificationColumnId[]> = [
  ['channel', 'notification', 'state', 'why'],
  ['channel', 'incident', 'kind', 'state', 'why'],
  ['channel', 'incident', 'state', 'why'],
];

export function buildNotifications(input: ScreenInput): ScreenOutput {
  const { rows, problems, loading } = notificationRows(input);
  const groups = notificationsByChannel(rows.map((row) => row.value));
  const dead = rows.filter((row) => row.value.state === 'dead').length;
  const hint = input.readOnly ? '' : ' · r: retry · R: retry all · d: drop';
  const lines = [heading(input, 'Notifications', `${rows.length - dead} pending, ${plural(dead, 'dead letter')}${hint}`), ...problemLines(input, 'notifications', problems)];
  if (groups.length > 0) {
    const summary = groups.map((group) => `${cleanLine(group.channel)} ${group.pending.length}/${group.dead.length}`).join('  ');
    lines.push(textLine(input.width, input.theme, `by channel (pending/dead): ${summary}`, input.theme.dim));
  }
  const keys = rows.map((row) => row.key);
  if (rows.length === 0) {
    lines.push(note(input, loading ? 'loading the outbox…' : 'Nothing waiting and no dead letters.'));
    return { lines, rows: keys, pageSize: 1, paneLines: 0 };
  }
  const fleet = isFleet(input.incidents);
  const cellsOf = (row: (typeof rows)[number]): Record<NotificationColumnId, string> => {
    const [id, kind, incident, , attempts, why] = notificationCells(row.value, input.now);
    const state = row.value.state === 'dead' ? 'dead' : `pending (${plural(Number(attempts), 'try', 'tries')})`;
    return { daemon: `d${row.member + 1}`, channel: cleanLine(row.value.channel), notification: id!, incident: incident!, kind: kind!, state, why: why! };
  };
  const sets = NOTIFICATION_COLUMN_SETS.map((set) => (fleet ? ['daemon' as const, ...set] : set).map((id) => NOTIFICATION_COLUMN[id]));
  const columns = fittingColumns(sets, rows.map(cellsOf), input.width);
  const stateColumn = columns.findIndex((column) => column.id === 'state');
  const drawn = table(input, {
    columns,
    rows,
    keys,
    cells: (row) => {
      const cells = cellsOf(row);
      return columns.map((column) => cells[column.id]);
    },
    cellStyle: (row, i) => (i === stateColumn && row.value.state === 'dead' ? input.theme.error : undefined),
    cursor: input.ui.cursors.notifications,
    height: input.height - lines.length,
    width: input.width,
    focused: input.ui.prompt === null || input.ui.prompt.kind === 'notification' || input.ui.prompt.kind === 'retry-all',
  });
  lines.push(...drawn.lines);
  return { lines, rows: keys, pageSize: drawn.pageSize, paneLines: 0 };
}

export function outboxContext(input: Pick<ScreenInput, 'incidents' | 'resources' | 'now'>): OutboxContext {
  // Computed on a key press only (uiContext), never per frame.
  const silences = () => silenceRows(input).rows;
  const notifications = () => notificationRows(input).rows;
  return {
    silence(key) {
      const row = silences().find((candidate) => candidate.key === key);
      return row === undefined ? undefined : { key, member: row.member, silence_id: row.value.silence_id, display: displayOf(input, row.member, row.value.silence_id) };
    },
    expirable(key) {
      const row = silences().find((candidate) => candidate.key === key);
      return row !== undefined && row.value.expired_at === null && silenceState(row.value, input.now) !== 'ended';
    },
    notification(key) {
      const row = notifications().find((candidate) => candidate.key === key);
      return row === undefined
        ? undefined
        : { key, member: row.member, notification_id: row.value.notification_id, display: displayOf(input, row.member, row.value.notification_id), dead: row.value.state === 'dead' };
    },
    get deadLetters() {
      return notifications().filter((row) => row.value.state === 'dead').length;
    },
    members: input.incidents.connections.length,
  };
}

const FIELD_QUESTIONS = {
  component: 'New silence. Component: ',
  incident_type: 'Incident type (empty: every type): ',
  length: 'How long (30m, 2h, 1d) or until (ISO-8601): ',
  comment: 'Comment (why): ',
} as const;

/** The open outbox prompt's lines (above the footer). */
export function outboxPromptLines(width: number, theme: Theme, prompt: OpenOutboxPrompt): Line[] {
  switch (prompt.kind) {
    case 'expire-silence':
      return [textLine(width, theme, ` Expire ${prompt.silence.display}? Incidents it holds are notified. y/N`, theme.bold)];
    case 'notification':
      return [textLine(width, theme, ` ${prompt.verb === 'retry' ? 'Retry' : 'Drop'} ${prompt.notification.display}? y/N`, theme.bold)];
    case 'retry-all':
      return [textLine(width, theme, ` Retry all ${plural(prompt.count, 'dead letter')}? y/N`, theme.bold)];
    case 'new-silence': {
      const out: Line[] = [];
      const { draft } = prompt;
      const sofar = [draft.component && `component=${draft.component}`, prompt.field !== 'component' && prompt.field !== 'incident_type' ? `type=${draft.incident_type || 'any'}` : '', prompt.field === 'comment' ? `for ${draft.length}` : '']
        .filter(Boolean)
        .join(' ');
      if (prompt.error !== '') out.push(textLine(width, theme, ` ${theme.colour ? '' : 'error: '}${prompt.error}`, theme.error));
      else if (sofar !== '' && prompt.field !== 'component') out.push(textLine(width, theme, ` ${cleanLine(sofar)}`, theme.dim));
      const built = line(width, theme).add(` ${FIELD_QUESTIONS[prompt.field]}`, theme.bold).add(cleanLine(prompt.value));
      if (built.room > 0) built.add('_', theme.selected);
      out.push(built.done());
      return out;
    }
  }
}

export function outboxPromptHints(prompt: OpenOutboxPrompt): Array<{ keys: string; hint: string }> {
  if (prompt.kind === 'new-silence') {
    return [
      { keys: 'Enter', hint: prompt.field === 'comment' ? 'create' : 'next' },
      { keys: 'Esc', hint: 'cancel' },
      { keys: 'Ctrl-U', hint: 'clear' },
    ];
  }
  return [
    { keys: 'y', hint: 'yes' },
    { keys: 'n', hint: 'no (default)' },
    { keys: 'Esc', hint: 'cancel' },
  ];
}
