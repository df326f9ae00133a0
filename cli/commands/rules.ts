// `firewatch incidents rules list|show|enable|disable|update|create`: the detection rules in force, changed at runtime.
// Changes apply to the running engine at once, survive restarts and are audited (shown by `rules show`).

import type { RuleDraft, RuleJson, RuleMatchJson, RuleUpdate } from '../../api/rule.js';
import { INCIDENT_TYPES, SEVERITIES, type IncidentType, type Severity } from '../../api/vocabulary.js';
import { UsageError, type CommandSpec, type ParsedArgs } from '../args.js';
import { print, printJson, withClient } from '../context.js';
import { FORMAT_FLAG, formatOf, ACTOR_FLAG, actorOf } from '../flags.js';
import { renderCsv } from '../render/csv.js';
import { renderTable, terminalWidth } from '../render/table.js';
import { RULE_COLUMNS, renderRuleDetail, ruleCells } from '../../view/rule-text.js';
import { cleanLine } from '../../view/text.js';

export const rulesList: CommandSpec = {
  path: ['incidents', 'rules', 'list'],
  summary: 'List the detection rules in force.',
  positionals: [],
  flags: [{ name: 'enabled', kind: 'boolean', description: 'only enabled rules' }, FORMAT_FLAG],
  examples: ['firewatch incidents rules list', 'firewatch incidents rules list --enabled --format json'],
  async run(args) {
    const rules = await withClient(args, (client) => client.listRules({ enabled_only: Boolean(args.flags.enabled) }));
    const format = formatOf(args);
    if (format === 'json') printJson(rules);
    else if (format === 'csv') {
      print(
        renderCsv(
          ['rule_id', 'name', 'incident_type', 'severity', 'error_threshold', 'time_window_seconds', 'check_interval_seconds', 'enabled'],
          rules.map((r) => [r.rule_id, r.name, r.incident_type, r.severity, r.error_threshold, r.time_window_seconds, r.check_interval_seconds, r.enabled]),
        ),
      );
    } else {
      print(renderTable(RULE_COLUMNS, rules.map((rule) => ruleCells(rule)), terminalWidth()));
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
    const format = formatOf(args);
    if (format === 'json') printJson(rule);
    else if (format === 'csv') print(renderCsv(Object.keys(rule), [Object.values(rule)]));
    else print(renderRuleDetail(rule));
    return 0;
  },
};

function printRules(args: ParsedArgs, rules: RuleJson[], summary: string): void {
  const format = formatOf(args);
  if (format === 'json') printJson(rules.length === 1 && args.positionals.length <= 1 ? rules[0] : rules);
  else if (format === 'csv') {
    print(renderCsv(['rule_id', 'severity', 'error_threshold', 'time_window_seconds', 'check_interval_seconds', 'enabled'],
      rules.map((r) => [r.rule_id, r.severity, r.error_threshold, r.time_window_seconds, r.check_interval_seconds, r.enabled])));
  } else print(cleanLine(summary));
}

function toggle(enabled: boolean): CommandSpec {
  const verb = enabled ? 'enable' : 'disable';
  const command: CommandSpec = {
    path: ['incidents', 'rules', verb],
    summary: `${enabled ? 'Enable' : 'Disable'} detection rules on the running daemon (persisted and audited).`,
    positionals: [{ name: 'rule_id...', required: true, description: 'one or more rule ids, e.g. error_burst' }],
    flags: [ACTOR_FLAG, FORMAT_FLAG],
    examples: [`firewatch incidents rules ${verb} error_burst`, `firewatch incidents rules ${verb} error_burst service_down`],
    async run(args) {
      const rules = await withClient(args, (client) => client.setRulesEnabled({ rule_ids: args.positionals, enabled, actor: actorOf(args) }));
      printRules(args, rules, `${verb}d: ${rules.map((r) => String(r.rule_id)).join(', ')}`);
      return 0;
    },
  };
  return command;
}

export const rulesEnable = toggle(true);
export const rulesDisable = toggle(false);

export const rulesReset: CommandSpec = {
  path: ['incidents', 'rules', 'reset'],
  summary: "Drop the runtime changes of rules: back to the configuration file's (rules created at runtime are removed).",
  positionals: [{ name: 'rule_id...', required: true, description: 'one or more rule ids changed at runtime' }],
  flags: [ACTOR_FLAG, FORMAT_FLAG],
  examples: ['firewatch incidents rules reset error_burst', 'firewatch incidents rules reset custom_rule error_burst'],
  async run(args) {
    const rules = await withClient(args, (client) => client.resetRules({ rule_ids: args.positionals, actor: actorOf(args) }));
    printRules(args, rules, `reset: ${args.positionals.join(', ')}`);
    return 0;
  },
};

/** Seconds as the seed writes them (`--time-window 600`), or with a unit (`10m`). */
function seconds(args: ParsedArgs, flag: string, command: CommandSpec): number | undefined {
  const raw = args.flags[flag];
  if (raw === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(String(raw).trim());
  if (!match || Number(match[1]) <= 0) throw new UsageError(`--${flag} needs a positive number of seconds (or 10m, 1h), got ${JSON.stringify(raw)}`, command);
  return Number(match[1]) * (match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1);
}

function threshold(args: ParsedArgs, command: CommandSpec): number | undefined {
  const raw = args.flags.threshold as number | undefined;
  if (raw === undefined) return undefined;
  if (!Number.isInteger(raw) || raw < 1 || raw > 1_000_000) {
    throw new UsageError(`--threshold needs a whole number of events from 1 to 1000000, got ${raw}`, command);
  }
  return raw;
}

export const rulesUpdate: CommandSpec = {
  path: ['incidents', 'rules', 'update'],
  summary: "Change a rule's threshold, time window, check interval or severity on the running daemon.",
  positionals: [{ name: 'rule_id', required: true, description: 'the rule, e.g. error_burst' }],
  flags: [
    { name: 'threshold', kind: 'number', placeholder: 'N', description: 'events within the window that open an incident' },
    { name: 'time-window', kind: 'string', placeholder: 'SECONDS', description: 'the sliding window (seconds, or 10m)' },
    { name: 'check-interval', kind: 'string', placeholder: 'SECONDS', description: 'how often time-based checks run (seconds)' },
    { name: 'severity', kind: 'string', choices: SEVERITIES, placeholder: 'SEVERITY', description: 'severity of the incidents it opens' },
    ACTOR_FLAG,
    FORMAT_FLAG,
  ],
  examples: [
    'firewatch incidents rules update error_burst --threshold 15',
    'firewatch incidents rules update error_burst --time-window 600',
    'firewatch incidents rules update error_burst --check-interval 120',
    'firewatch incidents rules update error_burst --severity critical',
  ],
  async run(args) {
    const update: RuleUpdate = {
      ...(threshold(args, rulesUpdate) !== undefined ? { error_threshold: threshold(args, rulesUpdate)! } : {}),
      ...(seconds(args, 'time-window', rulesUpdate) !== undefined ? { time_window_seconds: seconds(args, 'time-window', rulesUpdate)! } : {}),
      ...(seconds(args, 'check-interval', rulesUpdate) !== undefined ? { check_interval_seconds: seconds(args, 'check-interval', rulesUpdate)! } : {}),
      ...(args.flags.severity !== undefined ? { severity: String(args.flags.severity) as Severity } : {}),
    };
    if (Object.keys(update).length === 0) {
      throw new UsageError('nothing to change: give --threshold, --time-window, --check-interval or --severity', rulesUpdate);
    }
    const rule = await withClient(args, (client) => client.updateRule({ rule_id: args.positionals[0]!, update, actor: actorOf(args) }));
    const format = formatOf(args);
    if (format === 'table') print(renderRuleDetail(rule));
    else printRules(args, [rule], '');
    return 0;
  },
};

export const rulesCreate: CommandSpec = {
  path: ['incidents', 'rules', 'create'],
  summary: 'Add a custom detection rule to the running daemon (persisted and audited).',
  positionals: [],
  flags: [
    { name: 'id', kind: 'string', placeholder: 'RULE_ID', description: 'rule id (letters, digits, _ . -) (required)' },
    { name: 'name', kind: 'string', placeholder: 'TEXT', description: 'display name (required)' },
    { name: 'description', kind: 'string', placeholder: 'TEXT', description: 'description' },
    { name: 'type', kind: 'string', choices: INCIDENT_TYPES, placeholder: 'TYPE', description: 'incident type it opens (required)' },
    { name: 'severity', kind: 'string', choices: SEVERITIES, placeholder: 'SEVERITY', description: 'severity of its incidents (required)' },
    { name: 'threshold', kind: 'number', placeholder: 'N', description: 'events within the window (required)' },
    { name: 'time-window', kind: 'string', placeholder: 'SECONDS', description: 'the sliding window, seconds (required)' },
    { name: 'check-interval', kind: 'string', placeholder: 'SECONDS', description: 'time-based check interval, seconds (default 60)' },
    { name: 'event-types', kind: 'list', placeholder: 'TYPE[,…]', description: "event types it counts (default: those of a built-in rule of the same incident type)" },
    { name: 'min-severity', kind: 'string', choices: SEVERITIES, placeholder: 'SEVERITY', description: 'count only events at least this severe' },
    { name: 'source-pattern', kind: 'string', placeholder: 'GLOB', description: 'count only events whose source matches (* and ?)' },
    { name: 'match', kind: 'string', placeholder: 'JSON', description: 'the whole match object, e.g. {"event_types":["api_error"],"attributes":{"http.route":"/pay"}}' },
    { name: 'group-by', kind: 'string', placeholder: 'FIELD', description: 'group windows by source (default), event_type, metadata.KEY or "" for one window' },
    { name: 'disabled', kind: 'boolean', description: 'create it disabled' },
    ACTOR_FLAG,
    FORMAT_FLAG,
  ],
  examples: [
    'firewatch incidents rules create --id custom_rule --name "Custom Rule" --description "Custom detection rule" --type performance_degradation --severity high --threshold 10 --time-window 300 --check-interval 60',
    'firewatch incidents rules create --id payments_errors --name "Payments errors" --type error_burst --severity critical --threshold 5 --time-window 60 --event-types api_error --source-pattern "payments*"',
  ],
  async run(args) {
    const required = ['id', 'name', 'type', 'severity', 'threshold', 'time-window'].filter((flag) => args.flags[flag] === undefined);
    if (required.length > 0) throw new UsageError(`missing ${required.map((flag) => `--${flag}`).join(', ')}`, rulesCreate);
    let match: RuleMatchJson | undefined;
    if (args.flags.match !== undefined) {
      try {
        match = JSON.parse(String(args.flags.match)) as RuleMatchJson;
      } catch {
        throw new UsageError('--match must be a JSON object, e.g. {"event_types":["api_error"]}', rulesCreate);
      }
      if (match === null || typeof match !== 'object' || Array.isArray(match)) throw new UsageError('--match must be a JSON object', rulesCreate);
    }
    // event_types left out on purpose when not given: see below.
    const withMatch = (fields: Partial<RuleMatchJson>) => (match = { ...(match ?? {}), ...fields } as RuleMatchJson);
    if (args.flags['event-types'] !== undefined) withMatch({ event_types: args.flags['event-types'] as string[] });
    if (args.flags['min-severity'] !== undefined) withMatch({ min_severity: String(args.flags['min-severity']) as Severity });
    if (args.flags['source-pattern'] !== undefined) withMatch({ source_pattern: String(args.flags['source-pattern']) });
    const rule: RuleDraft = {
      rule_id: String(args.flags.id),
      name: String(args.flags.name),
      description: args.flags.description === undefined ? '' : String(args.flags.description),
      incident_type: String(args.flags.type) as IncidentType,
      severity: String(args.flags.severity) as Severity,
      error_threshold: threshold(args, rulesCreate)!,
      time_window_seconds: seconds(args, 'time-window', rulesCreate)!,
      check_interval_seconds: seconds(args, 'check-interval', rulesCreate) ?? 60,
      enabled: !args.flags.disabled,
      require_consecutive: false,
      min_components_affected: 1,
      ...(match !== undefined ? { match } : {}),
      group_by: args.flags['group-by'] !== undefined ? String(args.flags['group-by']) : 'source',
    };
    const created = await withClient(args, async (client) => {
      // Filters without event types narrow the built-in rule of the same incident type (an empty list would count
      // every event type): take its event types, as a rule without any match inherits its whole match.
      if (match !== undefined && (match as Partial<RuleMatchJson>).event_types === undefined) {
        const builtin = (await client.listRules()).find((r) => r.builtin && r.incident_type === rule.incident_type);
        if (builtin === undefined) {
          throw new UsageError(`--event-types is needed: no built-in rule raises ${String(rule.incident_type)} to inherit them from`, rulesCreate);
        }
        rule.match = { ...match, event_types: builtin.match.event_types };
      }
      return client.createRule({ rule, actor: actorOf(args) });
    });
    const format = formatOf(args);
    if (format === 'table') print(renderRuleDetail(created));
    else printRules(args, [created], '');
    return 0;
  },
};
