// `firewatch incidents rules list|show`: the detection rules in force.

import type { JsonObject } from '../../control/messages.js';
import type { CommandSpec } from '../args.js';
import { print, printJson, withClient } from '../context.js';
import { renderCsv } from '../render/csv.js';
import { renderTable, terminalWidth } from '../render/table.js';
import { sanitizeLine } from '../render/terminal-text.js';
import { FORMAT_FLAG } from './incidents.js';

export const rulesList: CommandSpec = {
  path: ['incidents', 'rules', 'list'],
  summary: 'List the detection rules in force.',
  positionals: [],
  flags: [{ name: 'enabled', kind: 'boolean', description: 'only enabled rules' }, FORMAT_FLAG],
  examples: ['firewatch incidents rules list', 'firewatch incidents rules list --enabled --format json'],
  async run(args) {
    const rules = await withClient(args, (client) => client.listRules(Boolean(args.flags.enabled)));
    const format = (args.flags.format as string | undefined) ?? 'table';
    if (format === 'json') printJson(rules);
    else if (format === 'csv') {
      print(
        renderCsv(
          ['rule_id', 'name', 'incident_type', 'severity', 'error_threshold', 'time_window_seconds', 'check_interval_seconds', 'enabled'],
          rules.map((r) => [r.rule_id, r.name, r.incident_type, r.severity, r.error_threshold, r.time_window_seconds, r.check_interval_seconds, r.enabled]),
        ),
      );
    } else {
      print(
        renderTable(
          [
            { header: 'Rule ID', minWidth: 10 },
            { header: 'Name', flexible: true },
            { header: 'Severity' },
            { header: 'Threshold', align: 'right' },
            { header: 'Window', align: 'right' },
            { header: 'Enabled' },
          ],
          rules.map((r) => [r.rule_id, r.name, String(r.severity).toUpperCase(), r.error_threshold, `${r.time_window_seconds}s`, r.enabled ? '✓' : '✗']),
          terminalWidth(),
        ),
      );
    }
    return 0;
  },
};

export const rulesShow: CommandSpec = {
  path: ['incidents', 'rules', 'show'],
  summary: 'Show one detection rule.',
  positionals: [{ name: 'rule_id', required: true, description: 'the rule, e.g. error_burst' }],
  flags: [FORMAT_FLAG],
  examples: ['firewatch incidents rules show error_burst', 'firewatch incidents rules show error_burst --format json'],
  async run(args) {
    const rule = await withClient(args, (client) => client.getRule(args.positionals[0]!));
    const format = (args.flags.format as string | undefined) ?? 'table';
    if (format === 'json') printJson(rule);
    else if (format === 'csv') print(renderCsv(Object.keys(rule), [Object.values(rule)]));
    else print(renderRuleDetail(rule));
    return 0;
  },
};

function renderRuleDetail(rule: JsonObject): string {
  const match = (rule.match ?? {}) as JsonObject;
  const field = (label: string, value: unknown) => `  ${label.padEnd(22)}${sanitizeLine(value)}`;
  return [
    `${sanitizeLine(rule.rule_id)}  ${sanitizeLine(rule.name)}${rule.builtin ? '' : ' (custom)'}`,
    field('description', rule.description),
    field('incident type', rule.incident_type),
    field('severity', String(rule.severity).toUpperCase()),
    field('threshold', `${rule.error_threshold} events within ${rule.time_window_seconds}s`),
    field('check interval', `${rule.check_interval_seconds}s`),
    field('matches event types', (((match.event_types ?? []) as string[]).join(', ') || 'any') + (match.other_errors ? ', and error-level events of types no rule names' : '')),
    ...(match.min_severity ? [field('minimum severity', String(match.min_severity).toUpperCase())] : []),
    ...(match.source_pattern ? [field('sources matching', match.source_pattern)] : []),
    ...(match.attributes ? [field('attributes equal', JSON.stringify(match.attributes))] : []),
    field('grouped by', rule.group_by),
    field('require consecutive', rule.require_consecutive ? 'yes' : 'no'),
    field('min components', rule.min_components_affected),
    field('enabled', rule.enabled ? 'yes' : 'no'),
  ].join('\n');
}
