// The built `firewatch` in a real pseudo-terminal (@lydell/node-pty), its screen read through @xterm/headless: what an
// operator sees over SSH, for the end-to-end tests of the terminal UI. Keys are written as a terminal sends them.

import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { CLI, REPO_ROOT } from './daemon-process.js';

const { Terminal } = xterm;

export type PtyTui = {
  /** Everything the program wrote. */
  output(): string;
  screen(): string;
  /** Waits until the screen shows `pattern`. */
  waitFor(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  type(text: string): void;
  /** The alternate screen is shown. */
  alternateScreen(): boolean;
  resize(columns: number, rows: number): void;
  exit: Promise<number>;
  /** The program's process id. */
  pid: number;
  kill(): void;
};

export type PtyOptions = { columns?: number; rows?: number; cwd?: string; env?: NodeJS.ProcessEnv };

/** The built `firewatch` with `args`, alone in a pty (the pty's session leader: no shell, so no job control). */
export function spawnFirewatch(args: readonly string[], options: PtyOptions = {}): PtyTui {
  return spawnInTerminal(process.execPath, [CLI, ...args], options);
}

/** `file` with `args` in a pty (an interactive shell, to test job control: type the command into it). */
export function spawnInTerminal(file: string, args: readonly string[], options: PtyOptions = {}): PtyTui {
  const columns = options.columns ?? 80;
  const rows = options.rows ?? 24;
  const terminal = new Terminal({ cols: columns, rows, allowProposedApi: true, scrollback: 0 });
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, TERM: 'xterm-256color', LANG: 'en_US.UTF-8', FIREWATCH_SOCKET: '', ...options.env })) {
    if (value !== undefined) env[key] = value;
  }
  const child = pty.spawn(file, [...args], { name: 'xterm-256color', cols: columns, rows, cwd: options.cwd ?? REPO_ROOT, env });
  let written = '';
  child.onData((data) => {
    written += data;
    terminal.write(data);
  });
  const flush = () => new Promise<void>((resolveFlush) => terminal.write('', resolveFlush));
  // The exit is reported once the screen shows everything the program wrote. node-pty reports it after the last
  // output was read, but xterm parses what it is given asynchronously: a check of the screen right after the exit
  // (the alternate screen left?) could see the terminal as it was a moment before the end (seen in CI, under load).
  const exit = new Promise<number>((resolveExit) => child.onExit(({ exitCode }) => void flush().then(() => resolveExit(exitCode))));

  const screen = () => {
    const buffer = terminal.buffer.active;
    const lines: string[] = [];
    for (let row = 0; row < terminal.rows; row++) lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
    return lines.join('\n');
  };
  return {
    output: () => written,
    screen,
    async waitFor(pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await flush();
        const text = screen();
        if (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) return text;
        if (Date.now() > deadline) throw new Error(`the screen never showed ${String(pattern)}; it shows:\n${text}`);
        await new Promise((resolveWait) => setTimeout(resolveWait, 50));
      }
    },
    type(text) {
      child.write(text);
    },
    alternateScreen: () => terminal.buffer.active.type === 'alternate',
    resize(newColumns, newRows) {
      terminal.resize(newColumns, newRows);
      child.resize(newColumns, newRows);
    },
    exit,
    pid: child.pid,
    kill() {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
