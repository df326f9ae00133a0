// The real daemon (`node dist/cli/main.js serve`) in a child process for the end-to-end benchmarks: a temporary
// workspace (config + LMDB directory + control socket), OTLP/gRPC and /metrics on ephemeral ports, and the
// endpoints read back from the `firewatch ready …` log line. test/helpers/daemon-process.ts does the same for
// tests; it is not part of the build (tsconfig includes bench/, not test/), hence this copy.
//
// The daemon logs a line per incident change on stderr; the pipe is drained all the time (a full pipe would stall
// the daemon and show up as latency) and only the tail is kept, for error messages.
//
// For a closer look, in the environment of any benchmark that uses it: FIREWATCH_BENCH_KEEP=1 keeps the workspace
// (the store) and prints its path; FIREWATCH_BENCH_NODE_FLAGS='--flag …' starts the daemon with node/V8 flags.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../common/package-root.js';

/** `node dist/cli/main.js`: the executable users run. */
export const CLI_SCRIPT = join(packageRoot(), 'dist', 'cli', 'main.js');

const READY_TIMEOUT_MS = 20_000;
/** Log kept for error messages. */
const LOG_TAIL_CHARS = 16_384;
const READY_LINE = /firewatch ready otlp_grpc=(\S+) otlp_http=(\S+) control_socket=(\S+) storage=\S+ metrics=(\S+)/;

export interface BenchDaemon {
  child: ChildProcess;
  /** OTLP/gRPC host:port. */
  otlpEndpoint: string;
  /** OTLP/HTTP host:port; '' unless started with `http: true`. */
  httpEndpoint: string;
  /** The control API's unix socket. */
  socket: string;
  /** host:port of /metrics. */
  metricsEndpoint: string;
  /** The temporary workspace: config, data directory; also a neutral cwd for CLI runs. */
  workspace: string;
  /** The last LOG_TAIL_CHARS of the daemon's output. */
  logTail(): string;
  /** SIGTERM, wait for exit, remove the workspace. Safe to call twice. */
  stop(): Promise<void>;
}

export interface BenchDaemonOptions {
  /** Enable OTLP/HTTP too (on an ephemeral port). Default false. */
  http?: boolean;
  /** `receivers.otlp.admission` keys to set, e.g. `{ max_event_loop_utilization: 0.7 }`. */
  admission?: Record<string, number>;
}

/** Starts `firewatch serve` with a fresh workspace; `extraYaml` is appended to the config. */
export async function startBenchDaemon(extraYaml = '', options: BenchDaemonOptions = {}): Promise<BenchDaemon> {
  const workspace = mkdtempSync(join(tmpdir(), 'firewatch-bench-'));
  const config = join(workspace, 'otel-config.yaml');
  writeFileSync(
    config,
    [
      'receivers:',
      '  otlp:',
      '    protocols:',
      '      grpc:',
      '        endpoint: 127.0.0.1:0',
      '        max_recv_msg_size_mib: 16',
      ...(options.http ? ['      http:', '        endpoint: 127.0.0.1:0'] : []),
      ...(options.admission ? ['    admission:', ...Object.entries(options.admission).map(([key, value]) => `      ${key}: ${value}`)] : []),
      'storage:',
      `  directory: ${JSON.stringify(join(workspace, 'data'))}`,
      'service:',
      '  telemetry:',
      '    metrics:',
      '      endpoint: 127.0.0.1:0',
      extraYaml,
    ].join('\n'),
  );
  // FIREWATCH_BENCH_NODE_FLAGS: node/V8 flags for the daemon (space-separated), to weigh a GC setting.
  const nodeFlags = (process.env.FIREWATCH_BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
  const child = spawn(process.execPath, [...nodeFlags, CLI_SCRIPT, 'serve', '--config', config], {
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FIREWATCH_SOCKET: '' },
  });
  let tail = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      // FIREWATCH_BENCH_KEEP=1 leaves the workspace for a look at what the store holds (its path goes to stderr).
      if (process.env.FIREWATCH_BENCH_KEEP === '1') process.stderr.write(`bench workspace kept: ${workspace}\n`);
      else rmSync(workspace, { recursive: true, force: true });
    })());

  try {
    const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => finish(new Error(`daemon did not start within ${READY_TIMEOUT_MS} ms:\n${tail}`)), READY_TIMEOUT_MS);
      const finish = (outcome: RegExpExecArray | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const onData = (chunk: Buffer) => {
        tail = (tail + chunk.toString()).slice(-LOG_TAIL_CHARS);
        if (!settled) {
          const match = READY_LINE.exec(tail);
          if (match) finish(match);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      void exited.then((code) => finish(new Error(`daemon exited with ${code} before it was ready:\n${tail}`)));
    });
    return {
      child,
      otlpEndpoint: ready[1]!,
      httpEndpoint: ready[2] === 'off' ? '' : ready[2]!,
      socket: ready[3]!,
      metricsEndpoint: ready[4]!,
      workspace,
      logTail: () => tail,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Stops `daemon` when the benchmark is interrupted (Ctrl-C) as well as when it ends. */
export function stopOnSignals(daemon: BenchDaemon, others: () => readonly ChildProcess[] = () => []): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const other of others()) if (other.exitCode === null) other.kill('SIGTERM');
      void daemon.stop().finally(() => process.exit(130));
    });
  }
}
