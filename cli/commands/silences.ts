// `firewatch silences create|list|expire`: maintenance windows. While one matches an incident (its component, and its
// type when given) the incident opens and is recorded as usual, marked `silenced_by`, but nobody is notified and no
// action runs by itself; when it ends (or is expired), an incident still open is notified as usual.

import type { SilenceJson } from '../../api/silence.js';
import { INCIDENT_TYPES, type IncidentType } from '../../api/vocabulary.js';
import { parseAgeMs } from '../../common/time.js';
import { UsageError, type CommandSpec, type ParsedArgs } from '../args.js';
import { print, printJson, withClient } from '../context.js';
import { ACTOR_FLAG, FORMAT_FLAG, actorOf, formatOf } from '../flags.js';
import { renderCsv } from '../render/csv.js';
import { renderTable, terminalWidth } from '../render/table.js';
import { cleanLine } from '../../view/text.js';

const SILENCE_COLUMNS = [
  { header: 'Silence', minWidth: 9 },
  { header: 'Component' },
  { header: 'Type' },
  { header: 'Ends' },
  { header: 'State' },
  { header: 'By' },
  { header: 'Comment', flexible: true },
];
const CSV_COLUMNS = ['silence_id', 'component', 'incident_type', 'starts_at', 'ends_at', 'comment', 'created_by', 'created_at', 'expired_at', 'expired_by', 'active'] as const;

function state(silence: SilenceJson): string {
  if (silence.expired_at !== null) return `expired by ${silence.expired_by ?? '?'}`;
  return silence.active ? 'active' : 'ended';
}

function printSilences(args: ParsedArgs, silences: SilenceJson[], single: boolean): void {
  const format = formatOf(args);
  if (format === 'json') printJson(single ? silences[0] : silences);
  else if (format === 'csv') print(renderCsv([...CSV_COLUMNS], silences.map((silence) => CSV_COLUMNS.map((key) => silence[key]))));
  else if (silences.length === 0) print('No silences in force.');
  else {
    const rows = silences.map((s) => [s.silence_id, s.component, s.incident_type ?? 'any', s.ends_at, state(s), s.created_by, s.comment]);
    print(renderTable(SILENCE_COLUMNS, rows, terminalWidth()));
  }
}

export const silencesCreate: CommandSpec = {
  path: ['silences', 'create'],
  summary: 'Silence a component for a while (a maintenance window): incidents still open, nobody is notified, no action runs by itself.',
  positionals: [],
  flags: [
    { name: 'component', kind: 'string', placeholder: 'SERVICE', description: 'the component (service) to silence (required)' },
    { name: 'type', kind: 'string', choices: INCIDENT_TYPES, placeholder: 'TYPE', description: 'only incidents of this type (default: every type)' },
    { name: 'duration', kind: 'string', placeholder: 'AGE', description: 'how long: 30m, 2h, 1d (or give --until)' },
    { name: 'until', kind: 'string', placeholder: 'TIME', description: 'when it ends: an ISO-8601 time (UTC when no zone is given)' },
    { name: 'comment', kind: 'string', placeholder: 'TEXT', description: 'why: a change ticket, what is being done (required)' },
    ACTOR_FLAG,
    FORMAT_FLAG,
  ],
  examples: [
    'firewatch silences create --component payments --duration 2h --comment "CHG-1234 database upgrade"',
    'firewatch silences create --component checkout --type memory_exhaustion --until 2026-12-08T06:00:00Z --comment "load test"',
  ],
  async run(args) {
    const component = args.flags.component;
    if (typeof component !== 'string' || component.trim() === '') throw new UsageError('--component is required', silencesCreate);
    const comment = args.flags.comment;
    if (typeof comment !== 'string' || comment.trim() === '') throw new UsageError('--comment is required: say why (a change ticket, what is being done)', silencesCreate);
    const duration = args.flags.duration;
    const until = args.flags.until;
    if ((duration === undefined) === (until === undefined)) throw new UsageError('give --duration (2h) or --until (an ISO-8601 time), one of them', silencesCreate);
    let durationSeconds: number | undefined;
    if (duration !== undefined) {
      const ms = parseAgeMs(String(duration));
      if (ms === undefined || !(ms > 0)) throw new UsageError(`--duration needs a positive age (30m, 2h, 1d), got ${JSON.stringify(duration)}`, silencesCreate);
      durationSeconds = ms / 1000;
    }
    const silence = await withClient(args, (client) =>
      client.createSilence({
        actor: actorOf(args),
        component: component.trim(),
        ...(args.flags.type !== undefined ? { incident_type: String(args.flags.type) as IncidentType } : {}),
        ...(durationSeconds !== undefined ? { duration_seconds: durationSeconds } : { until: String(until) }),
        comment,
      }),
    );
    if (formatOf(args) === 'table') {
      print(cleanLine(`${silence.silence_id}: ${silence.component} (${silence.incident_type ?? 'any type'}) silenced until ${silence.ends_at} by ${silence.created_by}`));
    } else printSilences(args, [silence], true);
    return 0;
  },
};

export const silencesList: CommandSpec = {
  path: ['silences', 'list'],
  summary: 'List the silences in force (with --all, ended and expired ones too).',
  positionals: [],
  flags: [
    { name: 'all', kind: 'boolean', description: 'ended and expired silences too, newest first' },
    { name: 'limit', kind: 'number', placeholder: 'N', description: 'at most N (default 100)' },
    FORMAT_FLAG,
  ],
  examples: ['firewatch silences list', 'firewatch silences list --all --format json'],
  async run(args) {
    const limit = args.flags.limit as number | undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError(`--limit needs a whole number above 0, got ${limit}`, silencesList);
    const silences = await withClient(args, (client) => client.listSilences({ all: Boolean(args.flags.all), ...(limit !== undefined ? { limit } : {}) }));
    printSilences(args, silences, false);
    return 0;
  },
};

export const silencesExpire: CommandSpec = {
  path: ['silences', 'expire'],
  summary: 'End a silence now: incidents it held that are still open are notified as usual.',
  positionals: [{ name: 'silence_id', required: true, description: 'the silence, e.g. sil_00001' }],
  flags: [ACTOR_FLAG, FORMAT_FLAG],
  examples: ['firewatch silences expire sil_00001'],
  async run(args) {
    const silence = await withClient(args, (client) => client.expireSilence({ silence_id: args.positionals[0]!, actor: actorOf(args) }));
    if (formatOf(args) === 'table') print(cleanLine(`${silence.silence_id} expired by ${silence.expired_by ?? '?'}`));
    else printSilences(args, [silence], true);
    return 0;
  },
};
