// Components: the seed's "Component Health" table over every daemon (view/component-text.ts), read again every few
// seconds while shown (health is measured, not pushed).

import { useEffect, useMemo, useState } from 'react';
import { COMPONENT_COLUMNS, componentCells, componentStatusLabel } from '../../view/component-text.js';
import { mergedComponents } from '../../view/overview.js';
import { cleanLine } from '../../view/text.js';
import { useDashboard, useScreenCommands } from '../dashboard-context.js';
import { describeFailure } from '../gateway-client.js';
import { loadComponents } from '../loaders.js';
import { movementCommands, useSelection } from '../use-selection.js';
import { DataTable, ErrorNote } from '../widgets/basics.js';

export function ComponentsScreen() {
  const { state, now, dispatch } = useDashboard();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    loadComponents(dispatch).then(() => setError(undefined), (failure: unknown) => setError(describeFailure(failure)));
  }, [now]);
  const components = useMemo(() => mergedComponents(state), [state.components]);
  const selection = useSelection(components.map((component) => component.component));
  useScreenCommands(movementCommands(selection));
  return (
    <div className="components">
      <h1>Component health</h1>
      {error !== undefined ? <ErrorNote>{error}</ErrorNote> : null}
      <DataTable
        caption="Health per service over the last minutes"
        captionHidden
        columns={[...COMPONENT_COLUMNS, { header: 'Why' }]}
        empty="No components seen yet: they appear once telemetry arrives."
        rows={components.map((component, index) => {
          const cells = componentCells(component, now);
          return {
            key: component.component,
            selected: index === selection.index,
            onSelect: () => selection.select(index),
            cells: [cells[0], <span className={`status-${component.status}`}>{componentStatusLabel(component.status)}</span>, ...cells.slice(2), cleanLine(component.reason)],
          };
        })}
      />
    </div>
  );
}
