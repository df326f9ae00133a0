// Runs one remediation command: an argv, never a shell.
//
//   spawn(argv[0], argv.slice(1), shell: false, detached) ──stdout/stderr (last 4 KiB each)──▶ CommandResult
//        │ timeout: SIGTERM to the process group ── grace ──▶ SIGKILL to the group
//
// The child gets its own process group (detached) so a timeout reaches whatever it started too. Its environment is
// built from scratch: PATH, HOME and LANG of the daemon (nothing else leaks, e.g. tokens in the daemon's own
// environment), the action's `env`, then the FIREWATCH_* incident variables. Incident text only ever appears as
// whole argv elements or environment values; NUL bytes are stripped (spawn would throw on them).

import { spawn, type ChildProcess } from 'node:child_process';
import { bound, oneLine, sanitizeBlock } from './text.js';

export const MAX_OUTPUT_BYTES = 4096;
/** Time between SIGTERM and SIGKILL after a timeout. */
export const DEFAULT_KILL_GRACE_MS = 2000;
/** After the process exits, how long its pipes may stay open (held by a background grandchild) before we stop reading. */
const PIPE_DRAIN_MS = 200;
/** How often the leader is checked for during the grace period. */
const GROUP_POLL_MS = 25;
/** After SIGKILL, how long to wait for the exit before reporting anyway. */
const KILL_WAIT_MS = 1000;
/** Output shown in a one-line detail. */
const DETAIL_OUTPUT_CHARS = 300;
const BASE_ENV_NAMES = ['PATH', 'HOME', 'LANG'] as const;

export interface CommandRequest {
  argv: readonly string[];
  /** Added to the base environment (PATH, HOME, LANG); later keys win. */
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Default DEFAULT_KILL_GRACE_MS. */
  killGraceMs?: number;
  /** Working directory; default the daemon's. */
  cwd?: string;
}

interface CommandOutput {
  /** Sanitised (control characters removed), at most MAX_OUTPUT_BYTES of the end of the stream. */
  stdout: string;
  stderr: string;
  stdout_truncated: boolean;
  stderr_truncated: boolean;
  duration_ms: number;
  /** One line for the audit: outcome, duration and a bounded slice of the output. */
  detail: string;
}

export type CommandResult =
  | ({ kind: 'succeeded'; exit_code: 0 } & CommandOutput)
  | ({ kind: 'failed'; exit_code: number | null; signal: string | null; error: string | null } & CommandOutput)
  | ({ kind: 'timed_out'; signal: string | null } & CommandOutput);

export type RunCommand = (request: CommandRequest) => Promise<CommandResult>;

/** Keeps the last `limit` bytes of a stream and counts the rest. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private held = 0;
  total = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.held += chunk.length;
    if (this.held > 2 * this.limit) this.compact();
  }

  private compact(): void {
    const joined = Buffer.concat(this.chunks);
    const tail = joined.subarray(Math.max(0, joined.length - this.limit));
    this.chunks = [tail];
    this.held = tail.length;
  }

  text(): string {
    this.compact();
    return sanitizeBlock(this.chunks[0]?.toString('utf8') ?? '');
  }

  get truncated(): boolean {
    return this.total > this.limit;
  }
}

/** The environment a command sees (exported for tests and the dry run). */
export function commandEnv(extra: Readonly<Record<string, string>>, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of BASE_ENV_NAMES) {
    const value = base[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) {
    if (name.includes('\u0000') || name.includes('=') || name === '') continue;
    env[name] = value.replace(/\u0000/g, '');
  }
  return env;
}

export const runCommand: RunCommand = (request) =>
  new Promise<CommandResult>((resolve) => {
    const started = performance.now();
    const stdout = new TailBuffer(MAX_OUTPUT_BYTES);
    const stderr = new TailBuffer(MAX_OUTPUT_BYTES);
    const argv = request.argv.map((element) => element.replace(/\u0000/g, ''));
    const graceMs = request.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    const program = argv[0] ?? '';

    let child: ChildProcess;
    let settled = false;
    let timedOut = false;
    let exited = false;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let spawnError: string | null = null;
    const timers: NodeJS.Timeout[] = [];

    const finish = (): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      const output = {
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdout_truncated: stdout.truncated,
        stderr_truncated: stderr.truncated,
        duration_ms: Math.round(performance.now() - started),
      };
      const tail = outputSummary(output.stdout, output.stderr, stdout, stderr);
      if (timedOut) {
        resolve({
          kind: 'timed_out',
          signal: exitSignal,
          ...output,
          detail: `timed out after ${request.timeoutMs} ms; killed${tail}`,
        });
      } else if (spawnError === null && exitCode === 0) {
        resolve({ kind: 'succeeded', exit_code: 0, ...output, detail: `exit 0 in ${output.duration_ms} ms${tail}` });
      } else {
        const how =
          spawnError !== null
            ? `could not start ${oneLine(program)}: ${spawnError}`
            : exitSignal !== null
              ? `killed by ${exitSignal}`
              : `exit ${exitCode}`;
        resolve({
          kind: 'failed',
          exit_code: exitCode,
          signal: exitSignal,
          error: spawnError,
          ...output,
          detail: `${how} in ${output.duration_ms} ms${tail}`,
        });
      }
    };

    try {
      child = spawn(program, argv.slice(1), {
        shell: false,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: commandEnv(request.env),
        ...(request.cwd !== undefined ? { cwd: request.cwd } : {}),
      });
    } catch (error) {
      // Synchronous refusals (e.g. an invalid argument): nothing started.
      spawnError = errorCode(error);
      child = { stdout: null, stderr: null } as unknown as ChildProcess;
      finish();
      return;
    }

    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      // ENOENT, EACCES…: the process never ran (or could not be signalled, which we ignore once it exited).
      if (exited) return;
      spawnError = errorCode(error);
      exited = true;
      finish();
    });
    child.on('exit', (code, signal) => {
      exited = true;
      exitCode = code;
      exitSignal = signal;
      if (timedOut) return; // the grace loop finishes
      // Give the pipes a moment to drain; a background grandchild may hold them open forever.
      timers.push(setTimeout(finish, PIPE_DRAIN_MS));
    });
    child.on('close', () => {
      if (!timedOut) finish();
    });

    timers.push(
      setTimeout(() => {
        if (exited || settled) return;
        timedOut = true;
        signalGroup(child, 'SIGTERM');
        // Everything in the group got SIGTERM at once. When the leader has gone (or the grace is over), whatever
        // is left in the group gets SIGKILL. (Whether the group is empty cannot be told reliably: killed
        // grandchildren stay zombies wherever PID 1 does not reap them.)
        const deadline = performance.now() + graceMs;
        const poll = (): void => {
          if (settled) return;
          if (!exited && performance.now() < deadline) {
            timers.push(setTimeout(poll, GROUP_POLL_MS));
            return;
          }
          signalGroup(child, 'SIGKILL');
          const waitForExit = (): void => {
            if (settled) return;
            if (exited) finish();
            else timers.push(setTimeout(waitForExit, GROUP_POLL_MS));
          };
          // SIGKILL cannot be ignored; the bound only guards against a process stuck in the kernel.
          timers.push(setTimeout(finish, KILL_WAIT_MS));
          waitForExit();
        };
        timers.push(setTimeout(poll, GROUP_POLL_MS));
      }, request.timeoutMs),
    );
  });

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return oneLine(code ?? (error instanceof Error ? error.message : String(error)));
}

function outputSummary(out: string, err: string, outBuffer: TailBuffer, errBuffer: TailBuffer): string {
  const parts: string[] = [];
  const show = (name: string, text: string, buffer: TailBuffer): void => {
    const line = oneLine(text);
    if (line === '') return;
    const cut = buffer.truncated ? ` (last ${MAX_OUTPUT_BYTES} of ${buffer.total} bytes)` : '';
    parts.push(`${name}${cut}: ${bound(line.length > DETAIL_OUTPUT_CHARS ? `…${line.slice(-DETAIL_OUTPUT_CHARS)}` : line, DETAIL_OUTPUT_CHARS + 1)}`);
  };
  show('stderr', err, errBuffer);
  show('stdout', out, outBuffer);
  return parts.length === 0 ? '' : `; ${parts.join('; ')}`;
}
