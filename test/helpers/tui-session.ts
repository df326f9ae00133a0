// The full-screen TUI (runTui) on a virtual terminal, fed by the in-memory fixture daemon, with a pinned clock: what
// the screen tests drive. Keys are typed as a terminal sends them; `settle()` waits until the screen stops changing
// (live changes are flushed every 100 ms, control calls answer asynchronously).

import { EventEmitter } from 'node:events';
import { FixtureDaemon, type FixtureData } from '../fixtures/fixture-client.js';
import { FIXTURE_NOW, cascadeFixture } from '../fixtures/tui-fixtures.js';
import { VirtualTerminal, until } from './virtual-terminal.js';
import { runTui, type TuiOptions } from '../../tui/run.js';
import type { Controller } from '../../tui/controller.js';
import type { FrameWriter } from '../../tui/frame-writer.js';
import type { LiveStore } from '../../tui/live-store.js';
import { ESCAPE_TIMEOUT_MS } from '../../tui/input.js';

export type TuiSessionOptions = {
  columns?: number;
  rows?: number;
  data?: FixtureData;
  env?: NodeJS.ProcessEnv;
  ascii?: boolean;
  readOnly?: boolean;
  exportDirectory?: string;
  /** Several daemons: one fixture each. */
  fleet?: FixtureData[];
  /** false: the daemon runs in the TUI's process (`firewatch` with no command), Ctrl-Z must not stop it. */
  suspendable?: boolean;
  /** Ctrl-Z finds no job control: the process is not stopped (else it "stops" until the host emits SIGCONT). */
  noJobControl?: boolean;
};

export type TuiSession = {
  terminal: VirtualTerminal;
  daemon: FixtureDaemon;
  daemons: FixtureDaemon[];
  host: EventEmitter;
  exit: Promise<number>;
  controller: Controller;
  writer: FrameWriter;
  stderr: string[];
  /** Times the TUI stopped its process (Ctrl-Z); the session's stand-in for SIGTSTP counts instead. */
  suspensions: number;
  /** Types `text` (one chunk) and waits for the screen to settle. */
  type(text: string): Promise<void>;
  /** Types each key of `keys` as its own chunk, settling after each. */
  press(...keys: string[]): Promise<void>;
  settle(): Promise<void>;
  screen(): string;
  /** Leaves any prompt, quits with q and waits for the exit code. */
  quit(): Promise<number>;
};

export const KEY = {
  enter: '\r',
  escape: '\u001b',
  tab: '\t',
  space: ' ',
  backspace: '\u007f',
  ctrlC: '\u0003',
  ctrlZ: '\u001a',
  down: '\u001b[B',
  up: '\u001b[A',
  pageDown: '\u001b[6~',
} as const;

export async function startTui(options: TuiSessionOptions = {}): Promise<TuiSession> {
  const terminal = new VirtualTerminal(options.columns ?? 80, options.rows ?? 24);
  const datas = options.fleet ?? [options.data ?? cascadeFixture()];
  const daemons = datas.map((data) => new FixtureDaemon(data, () => FIXTURE_NOW));
  const host = new EventEmitter();
  const stderr: string[] = [];
  let running: { controller: Controller; writer: FrameWriter; live: LiveStore } | undefined;
  const tuiOptions: TuiOptions = {
    clients: daemons.map((daemon) => daemon.client()),
    readOnly: options.readOnly ?? false,
    ascii: options.ascii ?? false,
    actor: 'tester',
    stdin: terminal.stdin,
    stdout: terminal.stdout,
    stderr: { write: (text: string) => stderr.push(text) },
    env: options.env ?? { TERM: 'xterm-256color', LANG: 'en_US.UTF-8' },
    host,
    now: () => FIXTURE_NOW,
    ...(options.exportDirectory ? { exportDirectory: options.exportDirectory } : {}),
    ...(options.suspendable !== undefined ? { suspendable: options.suspendable } : {}),
    suspend: (notStopped) => {
      session.suspensions++;
      if (options.noJobControl) setImmediate(notStopped);
    },
    onStart: (started) => {
      running = started;
    },
  };
  const exit = runTui(tuiOptions);
  await until(() => running !== undefined, 3_000, 'the TUI to start');

  // Settled: no control call in flight, no live change waiting for its flush, and a turn of the event loop wrote
  // nothing more.
  const settle = async () => {
    let bytes = -1;
    for (;;) {
      await running!.controller.settled();
      await new Promise((resolveWait) => setImmediate(resolveWait));
      await terminal.flush();
      if (running!.live.busy()) {
        await new Promise((resolveWait) => setTimeout(resolveWait, 10));
        continue;
      }
      if (!running!.controller.busy() && terminal.stdout.bytes === bytes) return;
      bytes = terminal.stdout.bytes;
    }
  };

  const session: TuiSession = {
    terminal,
    daemon: daemons[0]!,
    daemons,
    host,
    exit,
    controller: running!.controller,
    writer: running!.writer,
    stderr,
    suspensions: 0,
    async type(text) {
      terminal.stdin.type(text);
      // A chunk ending in ESC is decided after the decoder's wait for the rest of a sequence.
      if (text.endsWith('\u001b')) await new Promise((resolveWait) => setTimeout(resolveWait, ESCAPE_TIMEOUT_MS + 10));
      await settle();
    },
    async press(...keys) {
      for (const key of keys) await session.type(key);
    },
    settle,
    screen: () => terminal.text(),
    async quit() {
      await session.press(KEY.escape, KEY.escape); // out of any prompt, where q would be typed
      terminal.stdin.type('q');
      return exit;
    },
  };
  await settle();
  return session;
}
