// `firewatch notifications list|retry|drop`: the notification outbox. What waits for its channel, and the dead letters
// (given up on: a final refusal, or too many attempts), which stay until someone retries them (back in the outbox, in
// their place) or drops them. Retries and drops are audited under the notification's incident.

import type { NotificationJson } from '../../api/notification.js';
import { UsageError, type CommandSpec } from '../args.js';
import { print, printJson, withClient } from '../context.js';
import { ACTOR_FLAG, FORMAT_FLAG, actorOf, formatOf } from '../flags.js';
import { renderCsv } from '../render/csv.js';
import { naturalWidth, renderTable, terminalWidth } from '../render/table.js';
import { fitColumns } from '../../view/incident-text.js';
import { notificationError } from '../../view/outbox-text.js';
import { cleanLine } from '../../view/text.js';

// Ids and channels are what `retry` and `--channel` take: never cut (the error column gives the room). The id names
// the incident and the kind (ntf_<incident>_<kind>_<n>), so those columns go first where the terminal is narrow:
// cut to "inc_000…" and "tri…" they told nothing.
const NOTIFICATION_COLUMNS = [
  { header: 'Notification', minWidth: 48, cell: (item: NotificationJson) => item.notification_id },
  { header: 'Channel', minWidth: 24, cell: (item: NotificationJson) => item.channel },
  { header: 'Kind', cell: (item: NotificationJson) => item.kind },
  { header: 'Incident', cell: (item: NotificationJson) => item.incident_id },
  { header: 'State', cell: (item: NotificationJson) => item.state },
  { header: 'Attempts', align: 'right' as const, cell: (item: NotificationJson) => String(item.attempts) },
  {
    header: 'Error',
    flexible: true,
    cell: (item: NotificationJson) => notificationError(item) ?? '',
  },
];
type NotificationColumn = (typeof NOTIFICATION_COLUMNS)[number];
const OPTIONAL_NOTIFICATION_COLUMNS = ['Incident', 'Kind'];
const CSV_COLUMNS = ['notification_id', 'channel', 'kind', 'incident_id', 'state', 'created_at', 'attempts', 'next_attempt_at', 'last_error', 'failed_at', 'reason'] as const;

function renderNotificationTable(items: readonly NotificationJson[], width: number): string {
  const rowsOf = (columns: readonly NotificationColumn[]) => items.map((item) => columns.map((column) => column.cell(item)));
  const columns = fitColumns(NOTIFICATION_COLUMNS, (column) => column.header, OPTIONAL_NOTIFICATION_COLUMNS, width, (candidate) =>
    naturalWidth(candidate, rowsOf(candidate)),
  );
  return renderTable(columns, rowsOf(columns), width);
}

export const notificationsList: CommandSpec = {
  path: ['notifications', 'list'],
  summary: 'List notifications waiting in the outbox and the dead letters (with --dead, dead letters only).',
  positionals: [],
  flags: [
    { name: 'dead', kind: 'boolean', description: 'dead letters only (newest first)' },
    { name: 'channel', kind: 'string', placeholder: 'CHANNEL', description: 'only this channel: slack, pagerduty, email, webhook:NAME' },
    { name: 'limit', kind: 'number', placeholder: 'N', description: 'at most N (default 100)' },
    FORMAT_FLAG,
  ],
  examples: ['firewatch notifications list', 'firewatch notifications list --dead', 'firewatch notifications list --dead --channel webhook:ops --format json'],
  async run(args) {
    const limit = args.flags.limit as number | undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError(`--limit needs a whole number above 0, got ${limit}`, notificationsList);
    const items = await withClient(args, (client) =>
      client.listNotifications({
        dead: Boolean(args.flags.dead),
        ...(args.flags.channel !== undefined ? { channel: String(args.flags.channel) } : {}),
        ...(limit !== undefined ? { limit } : {}),
      }),
    );
    const format = formatOf(args);
    if (format === 'json') printJson(items);
    else if (format === 'csv') print(renderCsv([...CSV_COLUMNS], items.map((item) => CSV_COLUMNS.map((key) => item[key]))));
    else if (items.length === 0) print(args.flags.dead ? 'No dead letters.' : 'Nothing waiting and no dead letters.');
    else print(renderNotificationTable(items, terminalWidth()));
    return 0;
  },
};

export const notificationsRetry: CommandSpec = {
  path: ['notifications', 'retry'],
  summary: 'Put dead letters back in the outbox (attempts reset, due now), in their place before what followed them.',
  positionals: [{ name: 'notification_id...', required: false, description: 'the dead letters to retry (or --all-dead)' }],
  flags: [{ name: 'all-dead', kind: 'boolean', description: 'every dead letter' }, ACTOR_FLAG, FORMAT_FLAG],
  examples: ['firewatch notifications retry ntf_inc_00001_triggered_1a2b', 'firewatch notifications retry --all-dead'],
  async run(args) {
    const allDead = Boolean(args.flags['all-dead']);
    if (allDead === args.positionals.length > 0) throw new UsageError('name the dead letters to retry, or give --all-dead (one of them)', notificationsRetry);
    const results = await withClient(args, (client) =>
      client.retryNotifications({ actor: actorOf(args), ...(allDead ? { all_dead: true } : { notification_ids: args.positionals }) }),
    );
    const format = formatOf(args);
    if (format === 'json') printJson(results);
    else if (format === 'csv') print(renderCsv(['notification_id', 'retried', 'detail'], results.map((r) => [r.notification_id, r.retried, r.detail])));
    else if (results.length === 0) print('No dead letters.');
    else for (const result of results) print(cleanLine(`${result.notification_id}: ${result.retried ? 'retried' : 'not retried'}, ${result.detail}`));
    return results.every((result) => result.retried) ? 0 : 1;
  },
};

export const notificationsDrop: CommandSpec = {
  path: ['notifications', 'drop'],
  summary: 'Delete a dead letter (audited): its channel will not be told.',
  positionals: [{ name: 'notification_id', required: true, description: 'the dead letter, as `notifications list --dead` shows it' }],
  flags: [ACTOR_FLAG, FORMAT_FLAG],
  examples: ['firewatch notifications drop ntf_inc_00001_triggered_1a2b'],
  async run(args) {
    const dropped = await withClient(args, (client) => client.dropNotification({ notification_id: args.positionals[0]!, actor: actorOf(args) }));
    if (formatOf(args) === 'json') printJson(dropped);
    else print(cleanLine(`${dropped.notification_id} dropped (${dropped.kind} to ${dropped.channel} for ${dropped.incident_id})`));
    return 0;
  },
};
