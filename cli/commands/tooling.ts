// `firewatch incidents test-rule|stats|watch`: rehearse rules, measure the response, follow incidents live.

import { readFileSync } from 'node:fs';
import type { StatsJson } from '../../api/stats.js';
import type { IncidentUpdate } from '../../api/update.js';
import { SEVERITIES } from '../../api/vocabulary.js';
import { createFleet } from '../../control/fleet.js';
import { memberLabel } from '../../control/fleet-client.js';
import { updateLine } from '../../view/incident-text.js';
import { UsageError, type CommandSpec } from '../args.js';
import { connectMembers, print, printJson, printJsonLine, withClient } from '../context.js';
import { ACTOR_FLAG, FORMAT_FLAG, actorOf, formatOf, sinceOf } from '../flags.js';
import { renderCsv } from '../render/csv.js';
import { renderTable, terminalWidth } from '../render/table.js';
import { cleanLine } from '../../view/text.js';
import { formatDuration } from '../../view/format.js';
import { listenForStop } from '../../common/stop-signal.js';

/** Largest events file test-rule sends (the control API's message limit is 4 MiB by default; keep well under). */
const MAX_EVENTS_FILE_BYTES = 3 * 1024 * 1024;

export const incidentsTestRule: CommandSpec = {
  path: ['incidents', 'test-rule'],
  summary: 'Would a rule fire on these events (or on sample events)? When, and why — on event time.',
  positionals: [{ name: 'rule_id', required: true, description: 'the rule, e.g. error_burst' }],
  flags: [
    { name: 'events', kind: 'string', placeholder: 'FILE', description: 'a JSON array of IncidentEvents, or OTLP/JSON Export requests (one, a list, or one per line)' },
    { name: 'dry-run', kind: 'boolean', description: 'evaluate only, create nothing (the default with --events; --dry-run=false feeds them to the engine)' },
    ACTOR_FLAG,
    FORMAT_FLAG,
  ],
  examples: [
    'firewatch incidents test-rule error_burst --dry-run',
    'firewatch incidents test-rule error_burst --events sample_events.json',
    'firewatch incidents test-rule error_burst --events otlp-traces.jsonl --format json',
    'firewatch incidents test-rule error_burst',
  ],
  async run(args) {
    const file = args.flags.events as string | undefined;
    let eventsJson: string | undefined;
    if (file !== undefined) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (error) {
        throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      if (bytes.length > MAX_EVENTS_FILE_BYTES) throw new Error(`${file} is larger than ${MAX_EVENTS_FILE_BYTES / 1024 / 1024} MiB; split it`);
      eventsJson = bytes.toString('utf8');
    }
    // A file is evaluated only unless asked otherwise; without one, sample events go through the engine, as the
    // seed's `test-rule error_burst` does, so the whole response path can be rehearsed.
    const dryRun = args.flags['dry-run'] === undefined ? file !== undefined : Boolean(args.flags['dry-run']);
    const reply = await withClient(args, (client) =>
      client.testRule({ rule_id: args.positionals[0]!, ...(eventsJson !== undefined ? { events_json: eventsJson } : {}), dry_run: dryRun, actor: actorOf(args) }),
    );
    const format = formatOf(args);
    if (format === 'json') {
      printJson(reply);
    } else if (format === 'csv') {
      print(renderCsv(['rule_id', 'would_fire', 'fired_at', 'matched_events', 'events_evaluated', 'reason', 'dry_run', 'incident_ids'],
        [[reply.rule_id, reply.would_fire, reply.fired_at, reply.matched_events, reply.events_evaluated, reply.reason, reply.dry_run, reply.incident_ids]]));
    } else {
      print(`${cleanLine(reply.rule_id)} ${reply.would_fire ? `would fire at ${cleanLine(reply.fired_at)}` : 'would not fire'}` +
        ` (${reply.matched_events} of ${reply.events_evaluated} events match)`);
      print(`  ${cleanLine(reply.reason)}`);
      if (reply.dry_run) print('  dry run: nothing was created');
      else if (reply.incident_ids.length > 0) print(`  fed to the engine: ${reply.incident_ids.map(cleanLine).join(', ')}`);
      else print('  fed to the engine: no incident opened or changed');
    }
    return 0;
  },
};

export const incidentsStats: CommandSpec = {
  path: ['incidents', 'stats'],
  summary: 'Incident statistics: totals, by severity and type, MTTD/MTTR (average and p90), auto vs manual, recurrence.',
  positionals: [],
  flags: [
    { name: 'since', kind: 'string', placeholder: 'AGE|TIME', description: 'incidents detected within this age (24h, 7d) or since an ISO-8601 time' },
    { name: 'by-type', kind: 'boolean', description: 'break down by incident type' },
    { name: 'by-severity', kind: 'boolean', description: 'break down by severity' },
    FORMAT_FLAG,
  ],
  examples: ['firewatch incidents stats', 'firewatch incidents stats --since 24h', 'firewatch incidents stats --since 7d --by-type', 'firewatch incidents stats --by-severity --format json'],
  async run(args) {
    const since = sinceOf(args, incidentsStats);
    const stats = await withClient(args, (client) => client.stats(since === undefined ? {} : { since }));
    const format = formatOf(args);
    const bySeverity = Boolean(args.flags['by-severity']);
    const byType = Boolean(args.flags['by-type']);
    if (format === 'json') printJson(stats);
    else if (format === 'csv') print(renderCsv(['metric', 'value'], flatten(stats)));
    else print(renderStats(stats, args.flags.since === undefined ? undefined : String(args.flags.since), bySeverity || !byType, byType || !bySeverity));
    return 0;
  },
};

function flatten(stats: StatsJson): unknown[][] {
  const rows: unknown[][] = [];
  for (const [key, value] of Object.entries(stats)) {
    if (value !== null && typeof value === 'object') {
      for (const [inner, count] of Object.entries(value as Record<string, unknown>)) rows.push([`${key}.${inner}`, count]);
    } else rows.push([key, value]);
  }
  return rows;
}

export function renderStats(stats: StatsJson, sinceLabel: string | undefined, bySeverity: boolean, byType: boolean): string {
  const minutes = (value: number | null) => formatDuration(value);
  const rows: unknown[][] = [
    ['Total Incidents', stats.total_incidents],
    ['Active Incidents', stats.active_incidents],
    ['Resolved Incidents', stats.resolved_incidents],
    ['  auto-resolved', stats.auto_resolved],
    ['  resolved by hand', stats.manual_resolution],
  ];
  if (bySeverity) {
    rows.push(['By Severity:', '']);
    for (const [severity, count] of Object.entries(stats.by_severity)) rows.push([`  ${severity.toUpperCase()}`, count]);
  }
  if (byType) {
    rows.push(['By Type:', '']);
    const types = Object.entries(stats.by_type);
    if (types.length === 0) rows.push(['  (none)', '']);
    for (const [type, count] of types) rows.push([`  ${type}`, count]);
  }
  rows.push(
    ['Avg MTTD', minutes(stats.avg_mttd_seconds)],
    ['p90 MTTD', minutes(stats.p90_mttd_seconds)],
    ['Avg MTTR', minutes(stats.avg_mttr_seconds)],
    ['p90 MTTR', minutes(stats.p90_mttr_seconds)],
    ['Recurrence rate', `${(stats.recurrence_rate * 100).toFixed(1)}%`],
    ['Dead letters', stats.dead_letters],
  );
  const title = sinceLabel === undefined ? 'Incident Statistics (all time):' : `Incident Statistics (since ${cleanLine(sinceLabel)}):`;
  return `${title}\n${renderTable([{ header: 'Metric', minWidth: 18 }, { header: 'Value', align: 'right' }], rows, terminalWidth())}`;
}

export const incidentsWatch: CommandSpec = {
  path: ['incidents', 'watch'],
  summary: 'Follow incidents live: one line as each opens, changes and resolves, until Ctrl-C.',
  positionals: [{ name: 'incident_id', required: false, description: 'only this incident' }],
  flags: [
    { name: 'severity', kind: 'list', choices: SEVERITIES, placeholder: 'SEVERITY[,…]', description: 'only incidents of these severities' },
    { name: 'format', kind: 'string', choices: ['table', 'json'], description: 'table: one line per change (default); json: one JSON object per line' },
  ],
  examples: ['firewatch incidents watch', 'firewatch incidents watch inc_00123', 'firewatch incidents watch --severity critical'],
  async run(args) {
    const connected = await connectMembers(args);
    const json = args.flags.format === 'json';
    const many = connected.length > 1;
    // `watch d2/inc_00007` in a fleet follows that incident on d2 alone.
    const qualified = many ? /^d(\d+)\/(.+)$/.exec(args.positionals[0] ?? '') : null;
    const only = qualified === null ? undefined : Number(qualified[1]) - 1;
    if (only !== undefined && (only < 0 || only >= connected.length)) {
      connected.forEach((client) => client.close());
      throw new UsageError(`${args.positionals[0]}: there is no daemon d${only + 1} (--connect names ${connected.length})`, incidentsWatch);
    }
    const members = connected.filter((_, member) => only === undefined || member === only);
    const memberOf = (index: number) => (only ?? index);
    // Fail fast with the usual message when no daemon answers, before settling into the stream; in a fleet, name the
    // ones that do not answer and watch the others (they are retried like any daemon that goes away).
    const reachable = await Promise.allSettled(members.map((client) => client.status()));
    if (reachable.every((result) => result.status === 'rejected')) {
      connected.forEach((client) => client.close());
      throw (reachable[0] as PromiseRejectedResult).reason;
    }
    const note = (line: string) => process.stderr.write(`${line}\n`);
    const label = (member: number) => (many ? `${memberLabel(memberOf(member))} ` : '');
    reachable.forEach((result, member) => {
      if (result.status === 'rejected') note(`firewatch: ${label(member)}${(result.reason as Error).message}; will keep trying`);
    });
    const show = (member: number, update: IncidentUpdate) => {
      // In a fleet an incident is named as `incidents list --connect` lists it: d2/inc_00007.
      const named = many ? { ...update, incident: { ...update.incident, incident_id: `${memberLabel(memberOf(member))}/${update.incident.incident_id}` } } : update;
      if (json) printJsonLine(named);
      else print(updateLine(named));
    };
    const away = new Set<number>();
    let announced = false;
    // Each session resumes after its daemon restarts (or drops the socket): what changed meanwhile is printed once,
    // as updates; nothing already printed is printed again.
    const fleet = createFleet(members, {
      filter: {
        ...(args.positionals[0] ? { incident_id: qualified?.[2] ?? args.positionals[0] } : {}),
        ...(args.flags.severity ? { severity: args.flags.severity as string[] } : {}),
      },
      onChange({ member, change }) {
        switch (change.type) {
          case 'update':
            show(member, change.update);
            break;
          case 'reconnecting':
            if (!away.has(member)) note(`firewatch: lost ${many ? `daemon ${memberLabel(memberOf(member))}` : 'the daemon'} (${change.error}); reconnecting…`);
            away.add(member);
            break;
          case 'connected':
            if (away.has(member)) note(`firewatch: reconnected to ${change.address}${change.resumed ? '' : ', catching up'}`);
            away.delete(member);
            break;
          case 'resynced':
            if (!change.initial) for (const update of change.changes) show(member, update);
            // Said once the first subscription is live, not before: what changes from here on is printed.
            else if (!announced && process.stderr.isTTY) {
              announced = true;
              note('watching for incident changes… (Ctrl-C to stop)');
            }
            break;
        }
      },
    });
    const stop = listenForStop();
    fleet.start();
    await stop.requested;
    await fleet.close();
    connected.forEach((client) => client.close());
    return 0;
  },
};
