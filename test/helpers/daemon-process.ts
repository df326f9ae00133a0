// Starts the real daemon (`node dist/cli/main.js serve`) in a child process for end-to-end tests, on an
// ephemeral OTLP port and a temporary storage directory, and runs CLI commands against it.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');

export interface DaemonProcess {
  child: ChildProcess;
  /** OTLP/gRPC host:port. */
  otlpEndpoint: string;
  /** OTLP/HTTP host:port; '' unless the config enabled it. */
  httpEndpoint: string;
  /** host:port of /metrics, /healthz, /readyz; '' when off. */
  metricsEndpoint: string;
  /** host:port of the remote control door; '' when there is none. */
  controlEndpoint: string;
  /** URL of the daemon's own web dashboard; '' when there is none. */
  dashboardUrl: string;
  socket: string;
  directory: string;
  configFile: string;
  logs(): string;
  /** Graceful stop (SIGTERM); resolves with the exit code. */
  stop(): Promise<number | null>;
  /** `kill -9`: no chance to flush or clean up. */
  kill9(): Promise<void>;
}

export function makeWorkspace(prefix = 'firewatch-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeWorkspace(directory: string): void {
  rmSync(directory, { recursive: true, force: true });
}

/**
 * Writes a config for `directory` and returns its path; `extra` YAML is appended; `http` enables OTLP/HTTP too;
 * `protocols` replaces the default `receivers.otlp.protocols` block (grpc on an ephemeral port) with its own lines.
 */
export function writeConfig(directory: string, extra = '', options: { http?: boolean; protocols?: readonly string[] } = {}): string {
  const file = join(directory, 'otel-config.yaml');
  const protocols = options.protocols ?? [
    '      grpc:',
    '        endpoint: 127.0.0.1:0',
    ...(options.http ? ['      http:', '        endpoint: 127.0.0.1:0'] : []),
  ];
  writeFileSync(
    file,
    [
      'receivers:',
      '  otlp:',
      '    protocols:',
      ...protocols,
      'storage:',
      `  directory: ${JSON.stringify(join(directory, 'data'))}`,
      // Parallel daemons must not fight over the default /metrics port; a config of its own may set `service:`.
      ...(/^service:/m.test(extra) ? [] : ['service:', '  telemetry:', '    metrics:', '      endpoint: 127.0.0.1:0']),
      extra,
    ].join('\n'),
  );
  return file;
}

export async function startDaemon(
  directory: string,
  configFile = writeConfig(directory),
  env: NodeJS.ProcessEnv = {},
): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', configFile], {
    cwd: directory,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FIREWATCH_SOCKET: '', ...env },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));

  const ready = await new Promise<RegExpExecArray>((resolveReady, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // the caller never gets a handle to it: do not leave it running
      reject(new Error(`daemon did not start within 15 s:\n${output}`));
    }, 15_000);
    const check = () => {
      const match = /firewatch ready otlp_grpc=(\S+) otlp_http=(\S+) control_socket=(\S+) storage=\S+ metrics=(\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveReady(match);
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code} before it was ready:\n${output}`));
    });
  });

  return {
    child,
    otlpEndpoint: ready[1]!,
    httpEndpoint: ready[2] === 'off' ? '' : ready[2]!,
    metricsEndpoint: ready[4] === 'off' ? '' : ready[4]!,
    controlEndpoint: /control_endpoint=(\S+)/.exec(output)?.[1]?.replace(/^off$/, '') ?? '',
    dashboardUrl: / dashboard=(\S+)/.exec(output)?.[1]?.replace(/^off$/, '') ?? '',
    socket: ready[3]!,
    directory,
    configFile,
    logs: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `firewatch ARGS…` as a user would, against the daemon's socket unless args name one. */
export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolveRun({ code, stdout, stderr }));
  });
}

/** Polls `probe` until it returns a value (not undefined) or the time runs out. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
