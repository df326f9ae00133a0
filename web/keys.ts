// The terminal UI's key map (view/keymap.ts) on the page: a browser key event named as the TUI's input decoder names
// keys, then looked up in the same map, so `a` acknowledges and `2` lists incidents in both. What a browser already
// does with a key is left to it: Tab moves the focus, and keys typed into a field are the field's.

import { commandFor, type Command, type KeyName, type Screen } from '../view/keymap.js';

const NAMED_KEYS: Readonly<Record<string, KeyName>> = {
  ArrowUp: 'up',
  ArrowDown: 'down',
  ArrowLeft: 'left',
  ArrowRight: 'right',
  PageUp: 'pageup',
  PageDown: 'pagedown',
  Home: 'home',
  End: 'end',
  Enter: 'enter',
  Escape: 'escape',
  ' ': 'space',
};

/** Commands the page leaves to the browser (or has no use for: a page is closed, not quit or suspended). */
const BROWSER_OWNED: ReadonlySet<Command> = new Set(['next_tab', 'suspend', 'quit']);

export function keyName(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>): KeyName | undefined {
  if (event.ctrlKey || event.metaKey || event.altKey) return undefined;
  const named = NAMED_KEYS[event.key];
  if (named !== undefined) return named;
  return [...event.key].length === 1 ? event.key : undefined;
}

/** Whether the key was typed into something that takes text (there, only Escape is ours). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(target.type);
}

/** The command a key event runs on `screen`; undefined when the key is not ours. */
export function pageCommand(event: KeyboardEvent, screen: Screen, readOnly: boolean): Command | undefined {
  const key = keyName(event);
  if (key === undefined) return undefined;
  if (isTyping(event.target) && key !== 'escape') return undefined;
  // Enter and Space on a focused button or link are the browser's: they press it.
  if ((key === 'enter' || key === 'space') && event.target instanceof HTMLElement && event.target.closest('a, button, summary') !== null) return undefined;
  const command = commandFor(key, screen, { readOnly });
  return command === undefined || BROWSER_OWNED.has(command) ? undefined : command;
}
