// Detection latency benchmark: error spans exported → incident visible through the control API, under load.
//
//   npm run build && node dist/bench/latency.bench.js [--seconds 20] [--trials 100] [--rate SPANS_PER_S]
//        [--probe watch|poll] [--max-seconds 4] [--error-ratio 0.02]
//
// Budget (DESIGN.md "Budgets"): < 50 ms p99 at half of max load.
//
//   paced-load.js (own process) ──OTLP/gRPC, --rate spans/s, open loop──▶ firewatch serve (own process)
//   this process: probe export ──OTLP/gRPC──▶      │ decode → engine → LMDB commit ──▶ WatchIncidents stream ──▶ here
//
// 1. Max load: unless --rate is given, the existing load generator (load-generator.js, 32 calls in flight, closed
//    loop) runs 2 s of warm-up and then --max-seconds against the daemon; its acknowledged spans/s is "max", and
//    the background rate is half of it. With --rate, that rate is used as is and no maximum is measured.
// 2. Background: paced-load.js offers that rate at a fixed pace (open loop: it does not ease off when the daemon
//    slows down, which is what makes a latency figure honest; load-generator.js has no rate setting), 100-span
//    requests of the five usual services with 2 % failing spans, for the whole measured phase.
// 3. Trials, spread evenly over --seconds: each sends one pre-encoded ExportTraceServiceRequest (encoded before the
//    clock starts) of 10 failing HTTP server spans — exactly the built-in error_burst threshold — from a service
//    name never used before, with fresh random trace IDs (so no open incident can absorb them through a shared
//    trace), over its own grpc-js channel, as the load generator does. Latency = from just before the export call
//    to the moment the incident naming that service is visible:
//      --probe watch (default): it arrives on a WatchIncidents stream opened before the trials (the daemon pushes
//        each change once it is committed to LMDB: no polling interval in the figure);
//      --probe poll: ListIncidents (component = the service) is called back to back until it is listed.
//    The export's acknowledgement time is printed too: the ack is also sent after the LMDB commit.
// A trial that sees nothing within 5 s counts as ∞ (a MISS).

import { TRACE_EXPORT_PATH } from '../receiver/grpc-receiver.js';
import * as grpc from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ControlClient } from '../api/client.js';
import { connectControl } from '../control/client.js';
import { packageRoot } from '../common/package-root.js';
import { encodeWith, otlpTypes } from '../test/helpers/receiver/otlp-oracle.js';
import { realisticTraceRequest } from '../test/helpers/receiver/trace-fixtures.js';
import { startBenchDaemon, stopOnSignals } from './daemon-child.js';
import type { LoadResult } from './load-generator.js';
import type { PacedLoadResult } from './paced-load.js';
import { ms, summarize } from './percentiles.js';

const BUDGET_MS = 50;
const identity = (value: Buffer) => value;
/** The built-in error_burst rule's error_threshold: one export of this many failures opens an incident. */
const PROBE_ERROR_SPANS = 10;
const TRIAL_TIMEOUT_MS = 5_000;
/** Background load runs this long (from its first spans) before the first trial: connections up, steady rate. */
const LOAD_LEAD_IN_MS = 1_500;
const MAX_WARMUP_SECONDS = 2;
/** How often GetStatus is asked whether the background load has begun. */
const STATUS_POLL_MS = 20;
const CLOCK_TICKS_PER_SECOND = 100; // _SC_CLK_TCK on Linux
/** Daemon log printed when the benchmark fails. */
const LOG_TAIL_PRINTED = 2_000;

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    trials: { type: 'string', default: '100' },
    rate: { type: 'string' },
    probe: { type: 'string', default: 'watch' },
    'max-seconds': { type: 'string', default: '4' },
    'error-ratio': { type: 'string', default: '0.02' },
  },
});
const seconds = Number(values.seconds);
const trials = Math.floor(Number(values.trials));
const probe = values.probe!;
if (!(seconds > 0) || !(trials > 0) || (probe !== 'watch' && probe !== 'poll') || (values.rate !== undefined && !(Number(values.rate) >= 0))) {
  process.stderr.write('usage: latency.bench.js [--seconds S>0] [--trials N>0] [--rate SPANS_PER_S] [--probe watch|poll] [--max-seconds S]\n');
  process.exit(2);
}

function cpuSeconds(pid: number): number {
  // /proc/<pid>/stat: fields 14 and 15 are utime and stime in clock ticks (after the parenthesised command name).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

const children = new Set<ChildProcess>();

/** Runs a bench script in its own process; resolves with the JSON line it prints. */
function runScript<T>(script: string, args: string[]): { child: ChildProcess; result: Promise<T> } {
  const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'bench', script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const result = new Promise<T>((resolve, reject) =>
    child.once('exit', (code) => {
      children.delete(child);
      if (code === 0) resolve(JSON.parse(output) as T);
      else reject(new Error(`${script} exited with ${code}`));
    }),
  );
  return { child, result };
}

/** One probe export: PROBE_ERROR_SPANS failing server spans of `service`, event time now, random trace IDs. */
function probeRequest(service: string, seed: number): Buffer {
  const request = realisticTraceRequest({ spans: PROBE_ERROR_SPANS, errorRate: 1, seed, service, startMs: Date.now() });
  const resourceSpans = request.resourceSpans as { scopeSpans: { spans: { traceId: Uint8Array }[] }[] }[];
  for (const span of resourceSpans[0]!.scopeSpans[0]!.spans) span.traceId = randomBytes(16);
  return encodeWith(otlpTypes().TraceRequest, request);
}

/** Resolves with performance.now() when an incident naming the service is seen; by watch or by polling. */
interface Visibility {
  expect(service: string): Promise<number>;
  close(): void;
}

function watchVisibility(client: ControlClient): Visibility {
  const waiting = new Map<string, (at: number) => void>();
  const watch = client.watch({}, (message) => {
    if (message.type !== 'update') return;
    const at = performance.now();
    for (const component of message.update.incident.affected_components) {
      const resolve = waiting.get(component);
      if (resolve) {
        waiting.delete(component);
        resolve(at);
      }
    }
  });
  watch.done.catch((error: unknown) => process.stderr.write(`watch stream failed: ${(error as Error).message}\n`));
  return {
    expect: (service) => new Promise((resolve) => waiting.set(service, resolve)),
    close: () => watch.cancel(),
  };
}

function pollVisibility(client: ControlClient): Visibility {
  let closed = false;
  return {
    async expect(service) {
      const deadline = performance.now() + TRIAL_TIMEOUT_MS;
      while (!closed && performance.now() < deadline) {
        const page = await client.listIncidents({ component: [service], limit: 1 });
        if (page.total_matched > 0) return performance.now();
      }
      return Number.POSITIVE_INFINITY;
    },
    close: () => {
      closed = true;
    },
  };
}

interface Trial {
  visibleMs: number;
  ackMs: number;
  /** Ended after the background load had stopped. */
  unloaded: boolean;
}

const sleep = (delayMs: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, delayMs)));

const daemon = await startBenchDaemon();
stopOnSignals(daemon, () => [...children]);
let exitCode = 0;
try {
  const target = daemon.otlpEndpoint;

  // 1. Max load (closed loop), unless the rate is given.
  let maxRate: number | undefined;
  let maxNote = '';
  if (values.rate === undefined) {
    const common = ['--target', target, '--concurrency', '32', '--error-ratio', values['error-ratio']!];
    await runScript<LoadResult>('load-generator.js', [...common, '--seconds', String(MAX_WARMUP_SECONDS)]).result;
    const maxCpuBefore = cpuSeconds(daemon.child.pid!);
    const max = await runScript<LoadResult>('load-generator.js', [...common, '--seconds', values['max-seconds']!]).result;
    maxRate = max.spans_per_second;
    maxNote = `, daemon ${((cpuSeconds(daemon.child.pid!) - maxCpuBefore) / max.seconds).toFixed(2)} cores`;
    if (max.failed > 0) maxNote += `; ${max.failed} failed exports: ${JSON.stringify(max.failures)}`;
  }
  const rate = values.rate !== undefined ? Number(values.rate) : Math.round(maxRate! / 2);

  // 2. Background load, paced.
  const loadSeconds = (LOAD_LEAD_IN_MS + seconds * 1000) / 1000;
  const load =
    rate > 0
      ? runScript<PacedLoadResult>('paced-load.js', ['--target', target, '--rate', String(rate), '--seconds', String(loadSeconds), '--error-ratio', values['error-ratio']!])
      : undefined;
  let loadEndedAt = Number.POSITIVE_INFINITY;
  void load?.result.then(
    () => (loadEndedAt = performance.now()),
    () => (loadEndedAt = performance.now()),
  );
  // The lead-in counts from the first background spans the daemon sees, not from spawning the load process.
  const control = connectControl(daemon.socket);
  const spansBefore = Number((await control.status()).spans_received);
  while (load && loadEndedAt === Number.POSITIVE_INFINITY && Number((await control.status()).spans_received) === spansBefore) await sleep(STATUS_POLL_MS);
  const loadStarted = performance.now();
  const cpuBefore = cpuSeconds(daemon.child.pid!);

  // 3. Trials.
  const visibility = probe === 'watch' ? watchVisibility(control) : pollVisibility(control);
  const exporter = new grpc.Client(target, grpc.credentials.createInsecure());
  await new Promise<void>((resolve, reject) => exporter.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())));
  // One export through the probe channel before timing: connection and code paths warm.
  await new Promise<void>((resolve) => exporter.makeUnaryRequest(TRACE_EXPORT_PATH, identity, identity, probeRequest('latency-probe-warmup', 1), () => resolve()));

  await sleep(LOAD_LEAD_IN_MS - (performance.now() - loadStarted));
  const spacingMs = (seconds * 1000) / trials;
  const firstAt = performance.now();
  const results: Trial[] = [];
  for (let i = 0; i < trials; i++) {
    await sleep(firstAt + i * spacingMs - performance.now());
    const service = `latency-probe-${process.pid}-${i}`;
    const body = probeRequest(service, i + 2);
    const seen = visibility.expect(service);
    const started = performance.now();
    const acked = new Promise<number>((resolve) =>
      exporter.makeUnaryRequest(TRACE_EXPORT_PATH, identity, identity, body, (error) => {
        if (error) process.stderr.write(`probe export ${i} failed: ${error.message}\n`);
        resolve(error ? Number.POSITIVE_INFINITY : performance.now());
      }),
    );
    const timeout = sleep(TRIAL_TIMEOUT_MS).then(() => Number.POSITIVE_INFINITY);
    const visibleAt = await Promise.race([seen, timeout]);
    const ackedAt = await Promise.race([acked, timeout]);
    const ended = Math.max(visibleAt, ackedAt);
    results.push({ visibleMs: visibleAt - started, ackMs: ackedAt - started, unloaded: ended > loadEndedAt });
  }
  visibility.close();
  exporter.close();
  control.close();
  const background = load ? await load.result : undefined;
  const daemonCores = (cpuSeconds(daemon.child.pid!) - cpuBefore) / ((performance.now() - loadStarted) / 1000);

  // Report.
  const visible = summarize(results.map((t) => t.visibleMs));
  const ack = summarize(results.map((t) => t.ackMs));
  const timeouts = results.filter((t) => !Number.isFinite(t.visibleMs)).length;
  const unloaded = results.filter((t) => t.unloaded).length;
  const pass = visible.p99 < BUDGET_MS && timeouts === 0;
  const achieved = background ? Math.round(background.spans_per_second).toLocaleString('en-US') : '0';
  const rateSource =
    values.rate !== undefined
      ? `--rate ${values.rate}`
      : `half of max ${Math.round(maxRate!).toLocaleString('en-US')} spans/s (load-generator.js, 32 in flight, ${values['max-seconds']} s${maxNote})`;
  console.log(`\nError spans exported → incident visible through the control API (${probe === 'watch' ? 'WatchIncidents push' : 'ListIncidents polled back to back'})`);
  console.log(`background: ${rate.toLocaleString('en-US')} spans/s offered = ${rateSource}; 100-span requests, error ratio ${values['error-ratio']}, paced (open loop)`);
  console.log(`probe: ${PROBE_ERROR_SPANS} failing spans of a new service per export (error_burst threshold ${PROBE_ERROR_SPANS}), ${trials} trials over ${seconds} s`);
  console.log('| trials | background spans/s achieved | daemon cores used | p50 ms | p90 ms | p99 ms | max ms | export ack p50 / p99 ms | budget p99 < 50 ms |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  console.log(
    `| ${results.length} | ${achieved} | ${daemonCores.toFixed(2)} | ${ms(visible.p50)} | ${ms(visible.p90)} | ${ms(visible.p99)} | ${ms(visible.max)} | ${ms(ack.p50)} / ${ms(ack.p99)} | ${pass ? 'PASS' : 'MISS'} |`,
  );
  const notes: string[] = [];
  if (timeouts > 0) notes.push(`${timeouts} trial(s) saw no incident within ${TRIAL_TIMEOUT_MS} ms`);
  if (unloaded > 0) notes.push(`${unloaded} trial(s) ended after the background load had stopped`);
  if (background && background.behind > 0) notes.push(`background load skipped ${background.behind} sends (256 calls unanswered): the daemon did not keep up with the rate`);
  if (background && background.failed > 0) notes.push(`background exports failed: ${JSON.stringify(background.failures)}`);
  for (const note of notes) console.log(`note: ${note}`);
} catch (error) {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n--- daemon log (tail) ---\n${daemon.logTail().slice(-LOG_TAIL_PRINTED)}\n`);
  exitCode = 1;
} finally {
  for (const child of children) child.kill('SIGTERM');
  await daemon.stop();
}
process.exit(exitCode);
