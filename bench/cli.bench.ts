// CLI benchmark: how long `firewatch incidents list` takes as a user runs it, against a daemon holding N incidents.
//
//   npm run build && node dist/bench/cli.bench.js [--incidents 1000,10000] [--runs 10] [--concurrency 256]
//
// Budget (DESIGN.md "Budgets"): `firewatch incidents list` answers in < 300 ms.
//
// The real daemon runs in its own process with no telemetry coming in; N incidents are created through the control
// API (CreateIncident, `--concurrency` calls in flight; for several N, in ascending order, topping up). Then each
// variant is run `--runs` times as `node dist/cli/main.js incidents list … --socket S` in a fresh process, one at
// a time, cwd the daemon's workspace (its otel-config.yaml is not read: --socket comes first); wall time =
// spawn → exit, output drained and discarded.
// For context: `node -e 0` (the floor any Node CLI pays), `firewatch --version` (the CLI's start and module
// loading, no daemon call), and ListIncidents called from this process over an open
// connection (what the daemon and the transfer cost, without process start and module loading).
// The budget applies to the plain command (default --limit 100); `--limit 0 --format json` (every incident) is
// printed to show how the cost grows with the store, and judged against the same 300 ms.

import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { ControlClient } from '../api/client.js';
import { connectControl } from '../control/client.js';
import { CLI_SCRIPT, startBenchDaemon, stopOnSignals } from './daemon-child.js';
import { ms, summarize, type Summary } from './percentiles.js';

const BUDGET_MS = 300;
const RPC_RUNS = 20;
/** Daemon log printed when the benchmark fails. */
const LOG_TAIL_PRINTED = 2_000;
const INCIDENT_TYPES = ['error_burst', 'service_down', 'performance_degradation', 'memory_exhaustion', 'quality_drop'] as const;
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
const COMPONENTS = 40;

const VARIANTS: readonly { label: string; args: readonly string[] }[] = [
  { label: 'incidents list', args: ['incidents', 'list'] },
  { label: 'incidents list --format json', args: ['incidents', 'list', '--format', 'json'] },
  { label: 'incidents list --status active --limit 20', args: ['incidents', 'list', '--status', 'active', '--limit', '20'] },
  { label: 'incidents list --limit 0 --format json (all)', args: ['incidents', 'list', '--limit', '0', '--format', 'json'] },
];

const { values } = parseArgs({
  options: {
    incidents: { type: 'string', default: '1000,10000' },
    runs: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '256' },
  },
});
const counts = values.incidents!.split(',').map(Number).sort((a, b) => a - b);
const runs = Math.floor(Number(values.runs));
const concurrency = Math.floor(Number(values.concurrency));
if (counts.some((n) => !Number.isInteger(n) || n < 0) || !(runs > 0) || !(concurrency > 0)) {
  process.stderr.write('usage: cli.bench.js [--incidents N[,N…]] [--runs K>0] [--concurrency C>0]\n');
  process.exit(2);
}

/** Runs `node ARGS…` to completion; wall ms from spawn to exit, bytes printed, and the first error line if it failed. */
function timeProcess(args: readonly string[], cwd: string): Promise<{ wallMs: number; bytes: number; failure?: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => {
      const wallMs = performance.now() - started;
      resolve(code === 0 ? { wallMs, bytes } : { wallMs, bytes, failure: `exit ${code}: ${stderr.trim().split('\n')[0] ?? ''}` });
    });
  });
}

/** `runs` sequential runs; a failed run is reported (the first failure), its time still counted. */
async function timeRuns(args: readonly string[], cwd: string): Promise<{ summary: Summary; bytes: number; failure?: string }> {
  const samples: number[] = [];
  let bytes = 0;
  let failure: string | undefined;
  for (let i = 0; i < runs; i++) {
    const run = await timeProcess(args, cwd);
    samples.push(run.wallMs);
    bytes = run.bytes;
    failure ??= run.failure;
  }
  return { summary: summarize(samples), bytes, ...(failure !== undefined ? { failure } : {}) };
}

/** Creates incidents `from`..`to`-1 with `concurrency` calls in flight; resolves with the seconds it took. */
async function createIncidents(client: ControlClient, from: number, to: number): Promise<number> {
  const started = performance.now();
  let next = from;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      await client.createIncident({
        incident_type: INCIDENT_TYPES[i % INCIDENT_TYPES.length]!,
        severity: SEVERITIES[i % SEVERITIES.length]!,
        title: `bench incident ${i}: checkout latency above SLO in eu-west-1`,
        description: 'created by bench/cli.bench.ts',
        components: [`service-${i % COMPONENTS}`],
        actor: 'cli-bench',
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (performance.now() - started) / 1000;
}

const daemon = await startBenchDaemon();
stopOnSignals(daemon);
let exitCode = 0;
try {
  const cwd = daemon.workspace;
  const client = connectControl(daemon.socket, { deadlineMs: 60_000 });
  const warm = await timeRuns([CLI_SCRIPT, 'incidents', 'list', '--socket', daemon.socket], cwd); // page cache, socket
  if (warm.failure !== undefined) throw new Error(`firewatch incidents list failed: ${warm.failure}`);
  const baseline = await timeRuns(['-e', '0'], cwd);
  const cliStart = await timeRuns([CLI_SCRIPT, '--version'], cwd);

  const rows: string[] = [];
  let created = 0;
  const creation: string[] = [];
  for (const count of counts) {
    if (count > created) {
      const took = await createIncidents(client, created, count);
      creation.push(`${(count - created).toLocaleString('en-US')} in ${took.toFixed(1)} s (${Math.round((count - created) / took).toLocaleString('en-US')}/s)`);
      created = count;
    }
    const rpc: number[] = [];
    for (let i = 0; i < RPC_RUNS; i++) {
      const started = performance.now();
      await client.listIncidents({ limit: 100 });
      rpc.push(performance.now() - started);
    }
    const rpcSummary = summarize(rpc);
    rows.push(`| ${count.toLocaleString('en-US')} | (ListIncidents limit 100, in-process RPC) | ${ms(rpcSummary.p50)} | ${ms(rpcSummary.p90)} | ${ms(rpcSummary.max)} | | |`);
    for (const variant of VARIANTS) {
      const { summary, bytes, failure } = await timeRuns([CLI_SCRIPT, ...variant.args, '--socket', daemon.socket], cwd);
      const verdict = failure !== undefined ? `FAILED (${failure})` : summary.max < BUDGET_MS ? 'PASS' : 'MISS';
      rows.push(`| ${count.toLocaleString('en-US')} | ${variant.label} | ${ms(summary.p50)} | ${ms(summary.p90)} | ${ms(summary.max)} | ${bytes.toLocaleString('en-US')} | ${verdict} |`);
    }
  }
  client.close();

  console.log(`\n\`firewatch incidents list\` wall time, spawn → exit, ${runs} runs each, one at a time (daemon idle, no telemetry)`);
  console.log(`node -e 0 (process start floor): p50 ${ms(baseline.summary.p50)} ms, p90 ${ms(baseline.summary.p90)} ms, max ${ms(baseline.summary.max)} ms`);
  console.log(`firewatch --version (CLI start and module loading, no daemon call): p50 ${ms(cliStart.summary.p50)} ms, p90 ${ms(cliStart.summary.p90)} ms, max ${ms(cliStart.summary.max)} ms`);
  console.log(`incidents created through CreateIncident, ${concurrency} in flight: ${creation.join('; ') || 'none'}`);
  console.log('| incidents | command (+ --socket S) | p50 ms | p90 ms | max ms | stdout bytes | budget < 300 ms (every run) |');
  console.log('|---:|---|---:|---:|---:|---:|---|');
  for (const row of rows) console.log(row);
} catch (error) {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n--- daemon log (tail) ---\n${daemon.logTail().slice(-LOG_TAIL_PRINTED)}\n`);
  exitCode = 1;
} finally {
  await daemon.stop();
}
process.exit(exitCode);
