// `firewatch tui`: takes the terminal, runs the UI until q, Ctrl-C, a signal or an error, and gives the terminal back
// on every one of those paths before anything else (the network is closed after, with a bound on how long).
//
//   stdin ──input.ts──▶ controller ──frames──▶ React (app.tsx) ──Ink, debug mode──▶ frame sink ──▶ frame writer ──▶ stdout
//   clients ──fleet──▶ live store ──▶ controller                                 (whole frames)    (changed lines)
//
// Ink runs in its "debug" mode: it hands each whole frame to our sink and writes nothing else, so the frame writer
// (frame-writer.ts) alone decides what reaches the terminal. Ink never reads stdin here (it gets an empty stream) and
// never sees the real stdout.

import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ControlClient } from '../api/client.js';
import { createController, type Controller } from './controller.js';
import { createFrameWriter, type FrameWriter } from './frame-writer.js';
import { frameHeight } from './frame.js';
import { createInputDecoder } from './input.js';
import { runLineMode } from './line-mode.js';
import { createLiveStore, type LiveStore } from './live-store.js';
import { capabilities, sizeOf, takeOverTerminal, type TerminalInput } from './terminal.js';
import { createTheme } from './theme.js';
import { initialUiState, withMessage } from './ui-state.js';

export type TuiInput = TerminalInput & { on(event: 'data', listener: (chunk: Buffer | string) => void): unknown };
export type TuiOutput = NodeJS.EventEmitter & { write(data: string): unknown; isTTY?: boolean; columns?: number; rows?: number };

export type TuiOptions = {
  clients: readonly ControlClient[];
  readOnly: boolean;
  ascii: boolean;
  actor: string;
  stdin: TuiInput;
  stdout: TuiOutput;
  stderr: { write(data: string): unknown };
  env: NodeJS.ProcessEnv;
  /** Where `e` writes post-mortems (default: the working directory). */
  exportDirectory?: string;
  /** Signals and process-wide failures are listened for here (default: the process). */
  host?: NodeJS.EventEmitter;
  /** The clock (tests pin it). */
  now?: () => number;
  /**
   * Whether Ctrl-Z may stop the process (default true). `firewatch` with no command says false: its daemon runs in the
   * same process, and a stopped daemon would leave every exporter waiting.
   */
  suspendable?: boolean;
  /**
   * Stops the process until SIGCONT (default: SIGTSTP to itself, stopProcess). Calls `notStopped` when the process
   * was not stopped after all (no job control: the signal was discarded), so the TUI takes its terminal back.
   */
  suspend?: (notStopped: () => void) => void;
  /** Said on the message line at start (`firewatch` with no command names the daemon's log file there). */
  initialMessage?: string;
  /** Called with the controller and writer once running (tests and benchmarks look at them). */
  onStart?(running: { controller: Controller; writer: FrameWriter; live: LiveStore }): void;
};

/** How long closing the watch streams and clients may take before the TUI returns anyway. */
export const CLOSE_TIMEOUT_MS = 1_000;
/** Exit codes of the signals that end the TUI (128 + the signal's number, as a shell reports them). */
const SIGNAL_EXIT_CODES: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/**
 * SIGTSTP to this process: it stops before kill() returns, unless the kernel discards the signal, as Linux does for a
 * process group without job control (an orphaned one: under a pty with no shell, `setsid`, some `ssh host cmd`). A
 * stopped process gets SIGCONT when it continues, and its listener runs in the poll phase of the loop; a timer's
 * setImmediate runs after that phase, so by then a SIGCONT that came has been seen: no SIGCONT means no stop.
 */
function stopProcess(notStopped: () => void): void {
  process.kill(process.pid, 'SIGTSTP');
  setTimeout(() => setImmediate(notStopped), STOP_CHECK_MS);
}

/** After raising SIGTSTP: how long before the TUI concludes that the process was not stopped. */
const STOP_CHECK_MS = 50;

/** Resolves with the exit code: 0 for q / Ctrl-C, 128 + n for a signal, 1 for an error (said on stderr). */
export async function runTui(options: TuiOptions): Promise<number> {
  const caps = capabilities(options.env, options.stdin, options.stdout, { ascii: options.ascii });
  const host = options.host ?? process;
  if (!caps.fullScreen) {
    const stop = new Promise<void>((resolveStop) => {
      const onSignal = () => {
        for (const signal of Object.keys(SIGNAL_EXIT_CODES)) host.off(signal, onSignal);
        resolveStop();
      };
      for (const signal of Object.keys(SIGNAL_EXIT_CODES)) host.on(signal, onSignal);
    });
    const code = await runLineMode({ clients: options.clients, out: options.stdout, ascii: caps.ascii, reason: caps.lineModeReason, until: stop });
    for (const client of options.clients) client.close();
    return code;
  }

  // The daemons are asked first: their snapshots travel while React and Ink load, so the first frame has data.
  const live = createLiveStore(options.clients, options.now ? { now: options.now } : {});
  live.start();
  // React's production build, unless someone asked otherwise: the development build records a performance measure
  // per render and never drops them (RSS grew ~5 MB per 100,000 updates, bench/tui.bench.ts) and runs slower.
  // React reads NODE_ENV when it is first loaded, which is just below.
  if (process.env.NODE_ENV === undefined) process.env.NODE_ENV = 'production';
  // Loaded here, not at the top: every other `firewatch` command stays free of React's start-up cost. app.js is React
  // and Ink bundled into one file by `npm run build` (tools/build-tui.ts); tsc alone leaves the unbundled module.
  let mountApp;
  try {
    ({ mountApp } = await import('./app.js'));
  } catch (error) {
    await live.close();
    throw error;
  }

  const theme = createTheme(caps);
  let size = sizeOf(options.stdout);
  let hold = takeOverTerminal(options.stdin, options.stdout);
  let suspended = false;
  const writer = createFrameWriter((data) => options.stdout.write(data), { maxRows: frameHeight(size.rows), ascii: caps.ascii });

  // What Ink believes is its terminal: it lays out to `columns` and hands every frame to `write`.
  let lastOutput = '';
  const sink = Object.assign(new EventEmitter(), {
    columns: size.columns,
    rows: size.rows,
    isTTY: false,
    write(data: string) {
      lastOutput = data;
      // Suspended, the terminal is the shell's: the frame is painted whole when the TUI continues.
      if (!suspended) writer.frame(data);
      return true;
    },
  });

  let finish: (code: number, error?: unknown) => void = () => undefined;
  const done = new Promise<number>((resolveDone) => {
    let finished = false;
    finish = (code, error) => {
      if (finished) return;
      finished = true;
      cleanup();
      hold.restore();
      if (error !== undefined) options.stderr.write(`firewatch tui: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      void closeNetwork().then(() => resolveDone(code));
    };
  });

  const controller = createController({
    clients: options.clients,
    live,
    theme,
    readOnly: options.readOnly,
    actor: options.actor,
    size,
    exportDirectory: options.exportDirectory ?? process.cwd(),
    onQuit: () => finish(0),
    onSuspend: () => suspend(),
    ...(options.now ? { now: options.now } : {}),
    ...(options.initialMessage ? { initial: withMessage(initialUiState(), { text: options.initialMessage, kind: 'info' }, (options.now ?? Date.now)()) } : {}),
  });

  const emptyInput = new PassThrough();
  const ink = mountApp(controller, {
    stdout: sink as unknown as NodeJS.WriteStream,
    stdin: emptyInput as unknown as NodeJS.ReadStream,
    stderr: sink as unknown as NodeJS.WriteStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  ink.waitUntilExit().catch((error: unknown) => finish(1, error));

  const decoder = createInputDecoder((keys) => {
    try {
      controller.keys(keys);
    } catch (error) {
      finish(1, error);
    }
  });
  const onData = (chunk: Buffer | string) => decoder.feed(chunk);
  const onResize = () => {
    size = sizeOf(options.stdout);
    sink.columns = size.columns;
    sink.rows = size.rows;
    writer.setMaxRows(frameHeight(size.rows));
    writer.invalidate();
    controller.resize(size);
    // A size that changes no line (rare) still needs the screen repainted: the terminal moved things around.
    setImmediate(() => {
      if (writer.lines().length === 0 && lastOutput !== '') writer.frame(lastOutput);
    });
  };
  // Ctrl-Z arrives as a key (raw mode keeps the terminal from raising SIGTSTP itself): the terminal goes back to the
  // shell as on any exit, then the process stops as job control would stop it. SIGCONT (fg) takes the terminal again
  // and paints the whole frame: the shell wrote over the screen meanwhile, and the size may have changed.
  function suspend(): void {
    if (options.suspendable === false) {
      controller.notice('not suspended: the daemon runs in this process and would stop too', 'error');
      return;
    }
    if (suspended) return;
    suspended = true;
    hold.restore();
    (options.suspend ?? stopProcess)(() => {
      if (!suspended) return;
      takeBack();
      controller.notice('not suspended: no job control here (start it from an interactive shell to use Ctrl-Z)', 'error');
    });
  }
  function takeBack(): void {
    suspended = false;
    hold = takeOverTerminal(options.stdin, options.stdout);
    onResize();
  }
  const onContinue = () => {
    if (suspended) takeBack();
  };
  const onEnd = () => finish(0);
  const onOutputError = () => finish(129);
  const signalHandlers = Object.entries(SIGNAL_EXIT_CODES).map(([signal, code]) => {
    const handler = () => finish(code);
    host.on(signal, handler);
    return [signal, handler] as const;
  });
  const onCrash = (error: unknown) => finish(1, error);
  const onExit = () => hold.restore(); // last resort: process.exit() from elsewhere still gives the terminal back
  options.stdin.on('data', onData);
  options.stdin.on('end', onEnd);
  options.stdout.on('resize', onResize);
  options.stdout.on('error', onOutputError);
  host.on('uncaughtException', onCrash);
  host.on('unhandledRejection', onCrash);
  host.on('exit', onExit);
  host.on('SIGCONT', onContinue);

  function cleanup(): void {
    decoder.dispose();
    options.stdin.off('data', onData);
    options.stdin.off('end', onEnd);
    options.stdout.off('resize', onResize);
    options.stdout.off('error', onOutputError);
    for (const [signal, handler] of signalHandlers) host.off(signal, handler);
    host.off('uncaughtException', onCrash);
    host.off('unhandledRejection', onCrash);
    host.off('exit', onExit);
    host.off('SIGCONT', onContinue);
    controller.dispose();
    try {
      ink.unmount();
    } catch {
      // already unmounted by its own error
    }
  }

  async function closeNetwork(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolveTimeout) => {
      timer = setTimeout(resolveTimeout, CLOSE_TIMEOUT_MS);
      timer.unref();
    });
    await Promise.race([live.close().catch(() => undefined), timeout]);
    if (timer !== undefined) clearTimeout(timer);
    for (const client of options.clients) {
      try {
        client.close();
      } catch {
        // closing is best effort on the way out
      }
    }
  }

  options.onStart?.({ controller, writer, live });
  return done;
}
