// Raw terminal input → key names as view/keymap.ts names them. The TUI reads stdin itself (not through Ink's useInput)
// because Ink 6.8 delivers several characters of one chunk as one event ('jj' when a key repeats over SSH), reports
// 0x7F as `delete`, and flushes a lone ESC on the next tick, so an arrow key split across two SSH packets reads as
// Esc and a stray `[A`. Here:
//
//   bytes ──StringDecoder (UTF-8 split across chunks kept)──▶ text ──decodeKeys──▶ KeyEvent[] (one per key)
//                                                              └── an unfinished escape sequence waits up to
//                                                                  ESCAPE_TIMEOUT_MS for its rest, then a lone ESC
//                                                                  is the Escape key
//
// Pasted text (bracketed paste, ESC[200~ … ESC[201~) arrives as one `paste` event, so a pasted `q` or `a` never
// runs a command; only prompts take it.

import { StringDecoder } from 'node:string_decoder';
import type { KeyName } from '../view/keymap.js';

export type KeyEvent = {
  /** A printable character as itself, else `up`, `down`, `enter`, `escape`, `backspace`, `ctrl-c`, `paste`… */
  name: KeyName;
  /** What the key types into a prompt: the character (' ' for space), the pasted text; '' for other keys. */
  text: string;
};

/** How long an ESC waits for the rest of its sequence: SSH splits arrow keys across packets a few ms apart. */
export const ESCAPE_TIMEOUT_MS = 40;
/** How long a paste waits for its end marker before what arrived is taken as the paste. */
export const PASTE_TIMEOUT_MS = 500;
/** Longest paste kept (a prompt takes a name or a line of notes). */
export const MAX_PASTE_CHARS = 16_384;

const PASTE_START = '\u001b[200~';
const PASTE_END = '\u001b[201~';

const CSI_FINAL_KEYS: Readonly<Record<string, KeyName>> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', Z: 'backtab' };
const CSI_TILDE_KEYS: Readonly<Record<string, KeyName>> = {
  '1': 'home',
  '7': 'home',
  '4': 'end',
  '8': 'end',
  '5': 'pageup',
  '6': 'pagedown',
  '3': 'delete',
  '2': 'insert',
};
const SS3_KEYS: Readonly<Record<string, KeyName>> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end' };
const CONTROL_KEYS: Readonly<Record<number, KeyName>> = {
  0x03: 'ctrl-c',
  0x09: 'tab',
  0x0a: 'enter',
  0x0d: 'enter',
  0x08: 'backspace',
  0x7f: 'backspace', // what the Backspace key sends on nearly every terminal
  0x15: 'ctrl-u',
  0x17: 'ctrl-w',
  0x1a: 'ctrl-z', // raw mode: the terminal no longer turns it into SIGTSTP, the TUI does (run.ts)
};

/** Characters a prompt never takes: controls, C1, bidirectional controls (they would reorder what is shown). */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

export type DecodeResult = {
  keys: KeyEvent[];
  /** An unfinished escape sequence (or paste) at the end of the input: fed again with what follows. */
  rest: string;
};

function key(name: KeyName, text = ''): KeyEvent {
  return { name, text };
}

/** Paste text for a one-line prompt: controls gone, line breaks and tabs as spaces. */
function pasteText(raw: string): string {
  let text = '';
  for (const char of raw.slice(0, MAX_PASTE_CHARS)) {
    if (char === '\n' || char === '\r' || char === '\t') text += ' ';
    else if (!UNPRINTABLE.test(char)) text += char;
  }
  return text;
}

/**
 * Decodes `input` into keys. With `final` false an unfinished escape sequence at the end is returned as `rest`;
 * with `final` true (its wait is over) a lone ESC is the Escape key and the characters after it are keys of their own.
 */
export function decodeKeys(input: string, final: boolean): DecodeResult {
  const keys: KeyEvent[] = [];
  let i = 0;
  while (i < input.length) {
    const code = input.charCodeAt(i);
    if (code === 0x1b) {
      if (input.startsWith(PASTE_START, i)) {
        const end = input.indexOf(PASTE_END, i + PASTE_START.length);
        if (end === -1) {
          if (!final) return { keys, rest: input.slice(i) };
          keys.push(key('paste', pasteText(input.slice(i + PASTE_START.length))));
          return { keys, rest: '' };
        }
        keys.push(key('paste', pasteText(input.slice(i + PASTE_START.length, end))));
        i = end + PASTE_END.length;
        continue;
      }
      const next = input[i + 1];
      if (next === undefined) {
        if (!final) return { keys, rest: input.slice(i) };
        keys.push(key('escape'));
        i++;
        continue;
      }
      if (next === '[') {
        // CSI: parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E.
        let j = i + 2;
        while (j < input.length && input.charCodeAt(j) >= 0x20 && input.charCodeAt(j) <= 0x3f) j++;
        if (j >= input.length) {
          if (!final) return { keys, rest: input.slice(i) };
          keys.push(key('escape')); // Esc then `[` typed within the wait: the `[` is a key of its own
          i++;
          continue;
        }
        const finalByte = input.charCodeAt(j);
        if (finalByte < 0x40 || finalByte > 0x7e) {
          keys.push(key('escape')); // not a sequence after all
          i++;
          continue;
        }
        const params = input.slice(i + 2, j);
        const finalChar = input[j]!;
        const name = finalChar === '~' ? CSI_TILDE_KEYS[params.split(';')[0] ?? ''] : /^[\d;]*$/.test(params) ? CSI_FINAL_KEYS[finalChar] : undefined;
        if (name !== undefined) keys.push(key(name)); // modifiers (ESC[1;5A) are ignored: ctrl-up is up
        i = j + 1; // unknown sequences (mouse, focus, function keys) are dropped whole
        continue;
      }
      if (next === 'O') {
        const third = input[i + 2];
        if (third === undefined) {
          if (!final) return { keys, rest: input.slice(i) };
          keys.push(key('escape'));
          i++;
          continue;
        }
        const name = SS3_KEYS[third];
        if (name !== undefined) keys.push(key(name));
        i += 3;
        continue;
      }
      // ESC followed by anything else (Esc and a key typed together, or Alt+key): Escape, then that key.
      keys.push(key('escape'));
      i++;
      continue;
    }
    if (code < 0x20 || code === 0x7f) {
      const name = CONTROL_KEYS[code];
      if (name !== undefined) keys.push(key(name));
      // CR LF (a pasted line end, some terminals' Enter) is one Enter.
      i += code === 0x0d && input.charCodeAt(i + 1) === 0x0a ? 2 : 1;
      continue;
    }
    const point = input.codePointAt(i)!;
    const char = String.fromCodePoint(point);
    i += char.length;
    if (char === ' ') keys.push(key('space', ' '));
    else if (!UNPRINTABLE.test(char)) keys.push(key(char, char));
  }
  return { keys, rest: '' };
}

export type Timers = {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface InputDecoder {
  /** Bytes (or text) as they came from stdin. */
  feed(chunk: Buffer | string): void;
  /** Drops what is waiting and stops the timer. */
  dispose(): void;
}

/** A stateful decoder: keys go to `onKeys` in order, one call per chunk (or per expired wait). */
export function createInputDecoder(
  onKeys: (keys: KeyEvent[]) => void,
  options: { timers?: Timers; escapeTimeoutMs?: number; pasteTimeoutMs?: number } = {},
): InputDecoder {
  const timers = options.timers ?? REAL_TIMERS;
  const escapeTimeout = options.escapeTimeoutMs ?? ESCAPE_TIMEOUT_MS;
  const pasteTimeout = options.pasteTimeoutMs ?? PASTE_TIMEOUT_MS;
  const utf8 = new StringDecoder('utf8');
  let pending = '';
  let timer: unknown;
  let disposed = false;

  const emit = (keys: KeyEvent[]) => {
    if (keys.length > 0 && !disposed) onKeys(keys);
  };

  const expire = () => {
    timer = undefined;
    const input = pending;
    pending = '';
    emit(decodeKeys(input, true).keys);
  };

  return {
    feed(chunk) {
      if (disposed) return;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      const text = typeof chunk === 'string' ? chunk : utf8.write(chunk);
      // A paste that never ends must not hold input forever: past the bound it is taken as it is.
      const input = pending + text;
      const { keys, rest } = decodeKeys(input, tooLongToWait(input));
      pending = rest;
      emit(keys);
      if (pending !== '') timer = timers.setTimeout(expire, pending.startsWith(PASTE_START) ? pasteTimeout : escapeTimeout);
    },
    dispose() {
      disposed = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      pending = '';
    },
  };
}

function tooLongToWait(input: string): boolean {
  return input.length > MAX_PASTE_CHARS + PASTE_START.length + PASTE_END.length;
}
