// Ingest benchmark: OTLP/gRPC end to end, measured per server CPU core.
//
//   npm run build && node dist/bench/ingest.bench.js [--seconds 10] [--concurrency 32] [--error-ratio 0.02]
//        [--spans-per-trace 1] [--only firewatch,firewatch-token,firewatch-tls,ack-only,proto-loader]
//
// For each server — firewatch (`firewatch serve`: decode, convert, detect, persist events in LMDB, ack after
// flush), an ack-only grpc-js server (the floor any grpc-js receiver pays) and a proto-loader receiver (the
// obvious implementation) — it starts the server in its own process, drives it with the load generator in
// another process, and reads the server's CPU time from /proc. spans/s per server core = spans acknowledged /
// server CPU seconds: the figure that does not depend on how many cores the load generator took.
// firewatch-token asks senders for a bearer token, firewatch-tls also has TLS on the gRPC port: what securing ingest
// costs, in the same run as the plain figure.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../common/package-root.js';
import { makeTestPki } from '../test/helpers/tls.js';
import type { LoadResult } from './load-generator.js';

const CLOCK_TICKS_PER_SECOND = 100; // _SC_CLK_TCK on Linux

function cpuSeconds(pid: number): number {
  // /proc/<pid>/stat: fields 14 and 15 are utime and stime in clock ticks (after the parenthesised command name).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function startServer(command: string[], readyPattern: RegExp, cwd: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, command, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = readyPattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

function runLoadGenerator(port: number, args: string[]): Promise<LoadResult> {
  const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'bench', 'load-generator.js'), '--target', `127.0.0.1:${port}`, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(output) as LoadResult) : reject(new Error(`load generator exited with ${code}`)))),
  );
}

interface Row {
  server: string;
  spansPerSecond: number;
  serverCores: number;
  perCore: number;
  failed: number;
  rss: number;
  note: string;
}

async function measure(name: string, command: string[], readyPattern: RegExp, cwd: string, loadArgs: string[], note = ''): Promise<Row> {
  const { child, port } = await startServer(command, readyPattern, cwd);
  try {
    // Warm up (JIT, connection, LMDB map), then measure.
    await runLoadGenerator(port, [...loadArgs, '--seconds', '2']);
    const cpuBefore = cpuSeconds(child.pid!);
    const load = await runLoadGenerator(port, [...loadArgs, '--seconds', values.seconds!]);
    const cpu = cpuSeconds(child.pid!) - cpuBefore;
    return {
      server: name,
      spansPerSecond: load.spans_per_second,
      serverCores: cpu / load.seconds,
      perCore: load.spans / cpu,
      failed: load.failed,
      rss: rssMiB(child.pid!),
      note: note + (load.failed > 0 ? ` failures ${JSON.stringify(load.failures)}` : ''),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '32' },
    'error-ratio': { type: 'string', default: '0.02' },
    'spans-per-trace': { type: 'string', default: '1' },
    only: { type: 'string' },
  },
});
const loadArgs = ['--concurrency', values.concurrency!, '--error-ratio', values['error-ratio']!, '--spans-per-trace', values['spans-per-trace']!];
const root = packageRoot();
const workspace = mkdtempSync(join(tmpdir(), 'firewatch-bench-'));
const config = join(workspace, 'otel-config.yaml');
/** Its own metrics port too: the default (127.0.0.1:8888) is taken whenever another daemon runs on the machine. */
const EPHEMERAL_TELEMETRY = 'service: { telemetry: { metrics: { endpoint: "127.0.0.1:0" } } }';
writeFileSync(
  config,
  `receivers: { otlp: { protocols: { grpc: { endpoint: "127.0.0.1:0", max_recv_msg_size_mib: 16 } } } }\nstorage: { directory: ${JSON.stringify(join(workspace, 'data'))} }\n${EPHEMERAL_TELEMETRY}\n`,
);
const pki = makeTestPki(workspace);
const token = 'bench-ingest-token-0123456789abcdef';
/** The daemon's configuration with a token asked for, and TLS too when `tls`. */
function securedConfig(tls: boolean): string {
  const file = join(workspace, tls ? 'otel-config-tls.yaml' : 'otel-config-token.yaml');
  const tlsSetting = tls ? `tls: { cert_file: ${JSON.stringify(pki.certFile)}, key_file: ${JSON.stringify(pki.keyFile)} }, ` : '';
  writeFileSync(
    file,
    [
      `extensions: { bearertokenauth: { token: ${JSON.stringify(token)} } }`,
      `receivers: { otlp: { protocols: { grpc: { endpoint: "127.0.0.1:0", max_recv_msg_size_mib: 16, ${tlsSetting}auth: { authenticator: bearertokenauth } } } } }`,
      `storage: { directory: ${JSON.stringify(join(workspace, tls ? 'data-tls' : 'data-token'))} }`,
      EPHEMERAL_TELEMETRY,
      '',
    ].join('\n'),
  );
  return file;
}

const rows: Row[] = [];
const wanted = (name: string) => !values.only || values.only.split(',').includes(name);
try {
  if (wanted('firewatch')) {
    rows.push(await measure('firewatch (decode+detect+LMDB)', [join(root, 'dist', 'cli', 'main.js'), 'serve', '--config', config], /otlp_grpc=[^\s]+:(\d+)/, workspace, loadArgs));
  }
  if (wanted('firewatch-token')) {
    const command = [join(root, 'dist', 'cli', 'main.js'), 'serve', '--config', securedConfig(false)];
    rows.push(await measure('firewatch, bearer token', command, /otlp_grpc=[^\s]+:(\d+)/, workspace, [...loadArgs, '--token', token]));
  }
  if (wanted('firewatch-tls')) {
    const command = [join(root, 'dist', 'cli', 'main.js'), 'serve', '--config', securedConfig(true)];
    rows.push(await measure('firewatch, TLS + bearer token', command, /otlp_grpc=[^\s]+:(\d+)/, workspace, [...loadArgs, '--ca', pki.caFile, '--token', token]));
  }
  if (wanted('ack-only')) {
    rows.push(await measure('grpc-js ack-only', [join(root, 'dist', 'bench', 'servers', 'ack-only-server.js')], /ready port=(\d+)/, workspace, loadArgs));
  }
  if (wanted('proto-loader')) {
    rows.push(await measure('proto-loader receiver', [join(root, 'dist', 'bench', 'servers', 'proto-loader-server.js')], /ready port=(\d+)/, workspace, loadArgs));
  }
} finally {
  rmSync(workspace, { recursive: true, force: true });
}

const firewatch = rows.find((r) => r.server.startsWith('firewatch'));
console.log(`\nOTLP/gRPC ingest, 100 spans/request, ${values['spans-per-trace']} span(s) per trace (unique traces per send), error ratio ${values['error-ratio']}, ${values.concurrency} calls in flight, ${values.seconds} s`);
console.log('| server | spans/s (wall) | server cores used | spans/s per server core | vs firewatch | peak RSS MiB | notes |');
console.log('|---|---:|---:|---:|---:|---:|---|');
for (const row of rows) {
  const ratio = firewatch ? (firewatch.perCore / row.perCore).toFixed(2) : '-';
  console.log(`| ${row.server} | ${Math.round(row.spansPerSecond).toLocaleString('en-US')} | ${row.serverCores.toFixed(2)} | ${Math.round(row.perCore).toLocaleString('en-US')} | ${ratio} | ${row.rss.toFixed(0)} | ${row.note} |`);
}
