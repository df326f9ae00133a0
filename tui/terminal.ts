// What the terminal can do, and taking it over and giving it back.
//
//   capabilities(env, stdout, flags) ─▶ full screen or line mode; colour; ASCII; size
//   takeOverTerminal(stdin, stdout)   ─▶ raw mode, alternate screen, cursor hidden, line wrap off, bracketed paste
//                                        └─ restore(): the reverse, idempotent, safe to call from any exit path
//
// Colour is decided here, not by chalk: Ink colours through chalk 5, whose supports-color ignores NO_COLOR, so the
// theme (theme.ts) simply never asks for a colour when NO_COLOR is set. Inverse video and bold stay (no-color.org
// allows them) and every selection also has a marker, so it shows even where chalk drops all styles.

export type Capabilities = {
  /** A terminal that can be driven full screen; false: line output (piped, CI, TERM=dumb). */
  fullScreen: boolean;
  /** Why not full screen, for the line-mode banner ('' when full screen). */
  lineModeReason: string;
  colour: boolean;
  /** No byte above 0x7F is written (--ascii). */
  ascii: boolean;
};

type Stream = { isTTY?: boolean };

export function capabilities(env: NodeJS.ProcessEnv, stdin: Stream, stdout: Stream, flags: { ascii: boolean }): Capabilities {
  const term = env.TERM ?? '';
  let lineModeReason = '';
  if (!stdout.isTTY) lineModeReason = 'standard output is not a terminal';
  else if (!stdin.isTTY) lineModeReason = 'standard input is not a terminal';
  else if (term === 'dumb') lineModeReason = 'TERM=dumb';
  const noColour =
    (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false' || term === 'dumb';
  return {
    fullScreen: lineModeReason === '',
    lineModeReason,
    colour: !noColour,
    // A terminal that says it has no UTF-8 gets ASCII too: `LANG=C` over SSH draws box characters as mojibake.
    ascii: flags.ascii || isAsciiLocale(env),
  };
}

function isAsciiLocale(env: NodeJS.ProcessEnv): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  if (locale === '') return false; // unset says nothing; most terminals today are UTF-8
  return !/utf-?8/i.test(locale);
}

/** Below this the layout cannot hold: the TUI says what size it needs instead. */
export const MIN_COLUMNS = 60;
export const MIN_ROWS = 16;

export type Size = { columns: number; rows: number };

export function sizeOf(stdout: { columns?: number; rows?: number }): Size {
  return { columns: Math.max(1, stdout.columns || 80), rows: Math.max(1, stdout.rows || 24) };
}

export function isTooSmall(size: Size): boolean {
  return size.columns < MIN_COLUMNS || size.rows < MIN_ROWS;
}

// The sequences, named (xterm ctlseqs).
export const ENTER_ALTERNATE_SCREEN = '\u001b[?1049h';
export const LEAVE_ALTERNATE_SCREEN = '\u001b[?1049l';
export const HIDE_CURSOR = '\u001b[?25l';
export const SHOW_CURSOR = '\u001b[?25h';
export const WRAP_OFF = '\u001b[?7l';
export const WRAP_ON = '\u001b[?7h';
export const BRACKETED_PASTE_ON = '\u001b[?2004h';
export const BRACKETED_PASTE_OFF = '\u001b[?2004l';
export const RESET_STYLE = '\u001b[0m';
export const CLEAR_SCREEN = '\u001b[H\u001b[2J';

/** Written on the way in: alternate screen (cleared, cursor home), cursor hidden, no line wrap, bracketed paste. */
export const TAKE_OVER = ENTER_ALTERNATE_SCREEN + CLEAR_SCREEN + HIDE_CURSOR + WRAP_OFF + BRACKETED_PASTE_ON;
/** Written on the way out, whatever happened: the reverse, so the shell gets its screen back as it was. */
export const GIVE_BACK = RESET_STYLE + BRACKETED_PASTE_OFF + WRAP_ON + SHOW_CURSOR + LEAVE_ALTERNATE_SCREEN;

export type TerminalInput = NodeJS.EventEmitter & {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  resume(): unknown;
  pause(): unknown;
};
export type TerminalOutput = { write(data: string): unknown };

export interface TerminalHold {
  /** Gives the terminal back; the second and later calls do nothing. */
  restore(): void;
  readonly restored: boolean;
}

/** Raw mode on, full screen taken; `restore()` undoes both (call it on every exit path). */
export function takeOverTerminal(stdin: TerminalInput, stdout: TerminalOutput): TerminalHold {
  const wasRaw = Boolean((stdin as { isRaw?: boolean }).isRaw);
  if (stdin.isTTY && stdin.setRawMode) stdin.setRawMode(true);
  stdin.resume();
  stdout.write(TAKE_OVER);
  let restored = false;
  return {
    restore() {
      if (restored) return;
      restored = true;
      try {
        stdout.write(GIVE_BACK);
      } catch {
        // the terminal is gone (SSH closed): nothing to give back
      }
      try {
        if (stdin.isTTY && stdin.setRawMode) stdin.setRawMode(wasRaw);
        stdin.pause();
      } catch {
        // as above
      }
    },
    get restored() {
      return restored;
    },
  };
}
