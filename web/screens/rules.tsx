// Rules: the detection rules in force (view/rule-text.ts); an operator enables or disables one after a confirm, as the
// terminal UI's Space does.

import { useEffect, useState } from 'react';
import type { RuleJson } from '../../api/rule.js';
import { RULE_COLUMNS, ruleCells } from '../../view/rule-text.js';
import { cleanLine } from '../../view/text.js';
import { useDashboard, useScreenCommands } from '../dashboard-context.js';
import { describeFailure, gateway } from '../gateway-client.js';
import { movementCommands, useSelection } from '../use-selection.js';
import { DataTable, ErrorNote } from '../widgets/basics.js';
import { useOpenings } from '../widgets/openings.js';

export function RulesScreen() {
  const { readOnly, actor, actorFromToken } = useDashboard();
  const [rules, setRules] = useState<RuleJson[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  // The enable/disable confirm, by rule id; an answer closes only its own opening (openings.ts).
  const confirm = useOpenings<string>();
  const [name, setName] = useState('');
  const load = () => gateway.rules().then(setRules, (failure: unknown) => setError(describeFailure(failure)));
  useEffect(() => {
    void load();
  }, []);
  const selection = useSelection((rules ?? []).map((rule) => rule.rule_id));
  useScreenCommands({ ...movementCommands(selection), toggle: () => selection.key !== undefined && !readOnly && confirm.open(selection.key) });
  const needsName = !actorFromToken && actor === '';

  const change = async (rule: RuleJson) => {
    const opening = confirm.shown;
    try {
      await gateway.setRuleEnabled(rule.rule_id, !rule.enabled, needsName ? name.trim() : actor);
      confirm.closeIf(opening);
      setError(undefined);
      await load();
    } catch (failure) {
      setError(describeFailure(failure));
    }
  };

  return (
    <div className="rules">
      <h1>Detection rules</h1>
      {error !== undefined ? <ErrorNote>{error}</ErrorNote> : null}
      {rules === undefined && error === undefined ? <p>Loading…</p> : null}
      {rules !== undefined ? (
        <DataTable
          stackWhenNarrow
          caption="Detection rules"
          captionHidden
          columns={readOnly ? RULE_COLUMNS : [...RULE_COLUMNS, { header: 'Change' }]}
          rows={rules.map((rule, index) => {
            const cells = ruleCells(rule);
            const action = readOnly ? [] : [
              confirm.shown?.key === rule.rule_id ? (
                <span className="confirm">
                  {needsName ? <input aria-label="Your name" placeholder="your name" value={name} onChange={(event) => setName(event.target.value)} /> : null}
                  <button type="button" disabled={needsName && name.trim() === ''} onClick={() => void change(rule)}>
                    {rule.enabled ? 'Disable' : 'Enable'} {cleanLine(rule.rule_id)}?
                  </button>
                  <button type="button" onClick={confirm.close}>
                    Cancel
                  </button>
                </span>
              ) : (
                <button type="button" onClick={() => confirm.open(rule.rule_id)}>
                  {rule.enabled ? 'Disable…' : 'Enable…'}
                </button>
              ),
            ];
            return {
              key: rule.rule_id,
              selected: index === selection.index,
              onSelect: () => selection.select(index),
              cells: [...cells.slice(0, 5), rule.enabled ? '✓ yes' : '✗ no', ...action],
            };
          })}
        />
      ) : null}
    </div>
  );
}
