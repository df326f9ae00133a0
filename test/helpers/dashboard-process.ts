// Starts `firewatch incidents dashboard` (node dist/cli/main.js) in a child process for end-to-end tests, and learns
// the address it serves from the line it prints.

import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, REPO_ROOT } from './daemon-process.js';

export interface DashboardProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:PORT/`. */
  url: string;
  port: number;
  output(): string;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

/** `firewatch incidents dashboard ARGS…` (add --socket or --connect); `--port 0` unless ARGS name a port. */
export async function startDashboard(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<DashboardProcess> {
  const argv = [CLI, 'incidents', 'dashboard', ...(args.includes('--port') ? [] : ['--port', '0']), ...args];
  const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the dashboard did not start within 15 s:\n${output}`));
    }, 15_000);
    const check = () => {
      const match = /firewatch dashboard: (https?:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the dashboard exited with ${code} before it served:\n${output}`));
    });
  });
  return {
    child,
    url,
    port: Number(new URL(url).port),
    output: () => output,
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
