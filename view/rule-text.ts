// Detection rules in words: the list's columns and cells, and one rule's fields and runtime changes
// (`incidents rules list|show`, the TUI's Rules screen).

import type { RuleJson } from '../api/rule.js';
import type { ColumnSpec, DetailField } from './incident-text.js';
import { label } from './format.js';
import { cleanLine } from './text.js';

export const RULE_COLUMNS: readonly ColumnSpec[] = [
  { header: 'Rule ID', minWidth: 10 },
  { header: 'Name', flexible: true },
  { header: 'Severity' },
  { header: 'Threshold', align: 'right' },
  { header: 'Window', align: 'right' },
  { header: 'Enabled' },
];

export function ruleCells(rule: RuleJson, ascii = false): string[] {
  return [
    cleanLine(rule.rule_id),
    cleanLine(rule.name),
    label(rule.severity),
    String(rule.error_threshold),
    `${rule.time_window_seconds}s`,
    rule.enabled ? (ascii ? 'yes' : '✓') : ascii ? 'no' : '✗',
  ];
}

export function ruleFields(rule: RuleJson): DetailField[] {
  const match = rule.match;
  const fields: DetailField[] = [
    { label: 'description', value: cleanLine(rule.description) },
    { label: 'incident type', value: rule.incident_type },
    { label: 'severity', value: label(rule.severity) },
    { label: 'threshold', value: `${rule.error_threshold} events within ${rule.time_window_seconds}s` },
    { label: 'check interval', value: `${rule.check_interval_seconds}s` },
    {
      label: 'matches event types',
      value: (match.event_types.map(cleanLine).join(', ') || 'any') + (match.other_errors ? ', and error-level events of types no rule names' : ''),
    },
  ];
  if (match.min_severity) fields.push({ label: 'minimum severity', value: label(match.min_severity) });
  if (match.source_pattern) fields.push({ label: 'sources matching', value: cleanLine(match.source_pattern) });
  if (match.attributes) fields.push({ label: 'attributes equal', value: cleanLine(JSON.stringify(match.attributes)) });
  fields.push(
    { label: 'grouped by', value: cleanLine(rule.group_by) },
    { label: 'require consecutive', value: rule.require_consecutive ? 'yes' : 'no' },
    { label: 'min components', value: String(rule.min_components_affected) },
    { label: 'enabled', value: rule.enabled ? 'yes' : 'no' },
  );
  return fields;
}

/** `rules show`'s text. */
export function renderRuleDetail(rule: RuleJson): string {
  const lines = [`${cleanLine(rule.rule_id)}  ${cleanLine(rule.name)}${rule.builtin ? '' : ' (custom)'}`];
  for (const field of ruleFields(rule)) lines.push(`  ${field.label.padEnd(22)}${field.value}`);
  if (rule.history !== undefined && rule.history.length > 0) {
    lines.push('', 'Changes made at runtime (newest first):');
    for (const change of rule.history) {
      lines.push(`  ${cleanLine(change.at ?? '')} ${cleanLine(change.kind)} by ${cleanLine(change.actor)}: ${cleanLine(change.detail)}`);
    }
  }
  return lines.join('\n');
}
