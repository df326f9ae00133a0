// A list's selected row, moved by the key map's j/k/g/G/PgUp/PgDn and kept on the same item (by key) while rows move
// as incidents change, as the terminal UI keeps it.

import { useEffect, useState } from 'react';

const PAGE = 10;

export interface Selection {
  index: number;
  key: string | undefined;
  select(index: number): void;
  move: { down(): void; up(): void; top(): void; bottom(): void; pageDown(): void; pageUp(): void };
}

export function useSelection(keys: readonly string[]): Selection {
  const [selectedKey, setSelectedKey] = useState<string | undefined>(undefined);
  // Nothing is marked until a key moves the selection: a wall screen shows no row as special.
  const index = selectedKey === undefined ? -1 : keys.indexOf(selectedKey);
  useEffect(() => {
    if (index >= 0) document.querySelector('tr[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [index]);
  const select = (next: number) => {
    if (keys.length === 0) return;
    setSelectedKey(keys[Math.max(0, Math.min(keys.length - 1, next))]);
  };
  return {
    index,
    key: index >= 0 ? keys[index] : undefined,
    select,
    move: {
      down: () => select(index + 1), // from nothing selected: the first row
      up: () => select(index - 1),
      top: () => select(0),
      bottom: () => select(keys.length - 1),
      pageDown: () => select(index + PAGE),
      pageUp: () => select(index - PAGE),
    },
  };
}

/** The key map's movement commands for a selection. */
export function movementCommands(selection: Selection) {
  return {
    down: selection.move.down,
    up: selection.move.up,
    top: selection.move.top,
    bottom: selection.move.bottom,
    page_down: selection.move.pageDown,
    page_up: selection.move.pageUp,
  };
}
