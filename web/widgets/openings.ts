// Which form or confirm a screen shows, one opening at a time. Each opening is a new object, so an action's answer,
// which may come back after the person cancelled and opened the same form again (the live stream often shows the
// change first), closes the opening it was made from and never one opened since, with what is being typed in it.

import { useState } from 'react';

/** One opening of the form or confirm named `key`. */
export interface Opening<K> {
  readonly key: K;
}

export interface Openings<K> {
  /** The opening shown now; undefined when none is. */
  readonly shown: Opening<K> | undefined;
  /** Shows `key`'s form (the one already shown stays as it is). */
  open(key: K): void;
  /** Shows `key`'s form, or closes it when it is the one shown (a button that opens and closes its panel). */
  toggle(key: K): void;
  /** Closes whatever is shown (Cancel, Escape, another incident). */
  close(): void;
  /** Closes `opening` if it is still the one shown: what an action's answer does. */
  closeIf(opening: Opening<K> | undefined): void;
}

export function useOpenings<K>(): Openings<K> {
  const [shown, setShown] = useState<Opening<K> | undefined>();
  return {
    shown,
    open: (key) => setShown((current) => (current !== undefined && current.key === key ? current : { key })),
    toggle: (key) => setShown((current) => (current !== undefined && current.key === key ? undefined : { key })),
    close: () => setShown(undefined),
    closeIf: (opening) => setShown((current) => (opening !== undefined && current === opening ? undefined : current)),
  };
}
