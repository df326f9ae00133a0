// Rules: the detection rules of every daemon (the daemon named in a fleet). Space enables or disables the selected
// one after a y/N confirm (not with --read-only); `/` narrows the list.

import type { RuleJson } from '../../api/rule.js';
import type { ColumnSpec } from '../../view/incident-text.js';
import { isFleet } from '../../view/incidents-state.js';
import { RULE_COLUMNS, ruleCells } from '../../view/rule-text.js';
import type { RuleRef } from '../ui-state.js';
import { rulesKey } from '../screen-resources.js';
import { countOf, heading, note, table, type ScreenInput, type ScreenOutput } from './common.js';
import { textLine } from '../lines.js';

export type RuleRow = { key: string; member: number; rule: RuleJson };

export function ruleRows(input: Pick<ScreenInput, 'incidents' | 'ui' | 'resources'>): { rows: RuleRow[]; total: number; problems: string[]; loading: boolean } {
  const rows: RuleRow[] = [];
  const problems: string[] = [];
  let loading = false;
  let total = 0;
  const words = input.ui.listText.rules.toLowerCase().split(/\s+/).filter(Boolean);
  input.incidents.connections.forEach((connection, member) => {
    const resource = input.resources.get<RuleJson[]>(rulesKey(member));
    if (resource === undefined || (resource.status === 'loading' && resource.value === undefined)) loading = connection.state === 'connected' || loading;
    if (resource?.status === 'error') problems.push(`${connection.address}: ${resource.error}`);
    for (const rule of resource?.value ?? []) {
      total++;
      const haystack = `${rule.rule_id} ${rule.name} ${rule.incident_type}`.toLowerCase();
      if (words.every((word) => haystack.includes(word))) rows.push({ key: `${member}/${rule.rule_id}`, member, rule });
    }
  });
  return { rows, total, problems, loading };
}

export function ruleRef(row: RuleRow): RuleRef {
  return { key: row.key, member: row.member, rule_id: row.rule.rule_id, name: row.rule.name, enabled: row.rule.enabled };
}

export function buildRules(input: ScreenInput): ScreenOutput {
  const { rows, total, problems, loading } = ruleRows(input);
  const fleet = isFleet(input.incidents);
  const text = input.ui.listText.rules;
  const hint = input.readOnly ? '' : ' · Space: enable/disable';
  const lines = [heading(input, 'Rules', `${countOf(rows.length, total)}${text ? ` · "${text}"` : ''}${hint}`)];
  for (const problem of problems) lines.push(textLine(input.width, input.theme, `could not load the rules of ${problem}`, input.theme.error));
  const keys = rows.map((row) => row.key);
  if (rows.length === 0) {
    lines.push(note(input, loading ? 'loading the rules…' : total === 0 ? 'No rules.' : 'No rule matches.'));
    return { lines, rows: keys, pageSize: 1, paneLines: 0 };
  }
  const columns: readonly ColumnSpec[] = fleet ? [{ header: 'Daemon' }, ...RULE_COLUMNS] : RULE_COLUMNS;
  const drawn = table(input, {
    columns,
    rows,
    keys,
    cells: (row) => [...(fleet ? [`d${row.member + 1}`] : []), ...ruleCells(row.rule, input.theme.ascii)],
    cellStyle: (row, i) => (i === columns.length - 1 && !row.rule.enabled ? input.theme.dim : undefined),
    cursor: input.ui.cursors.rules,
    height: input.height - lines.length,
    width: input.width,
    focused: input.ui.prompt === null || input.ui.prompt.kind === 'list-filter',
  });
  lines.push(...drawn.lines);
  return { lines, rows: keys, pageSize: drawn.pageSize, paneLines: 0 };
}
