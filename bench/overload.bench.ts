// Overload benchmark: what the daemon does when offered more than it can take, and what one huge export costs.
//
//   npm run build && node dist/bench/overload.bench.js [--mode overload|huge] [--seconds 20] [--factor 3]
//        [--rate SPANS_PER_S] [--grpc-connections 4] [--http-connections 16] [--deadline-ms 10000]
//        [--spans-per-request 500] [--skip-baseline] [--huge-count 4] [--max-event-loop-utilization U]
//   (the issue's run: --seconds 60)
//
// --mode overload (default)
//   1. Sustainable rate: unless --rate is given, load-generator.js (32 calls in flight, closed loop) runs 2 s of
//      warm-up and 4 s measured; its acknowledged spans/s is what the daemon sustains.
//   2. --factor × that rate, offered for --seconds by two paced-load.js processes (open loop), half over OTLP/gRPC
//      (--grpc-connections channels, the SDK's 10 s deadline) and half over OTLP/HTTP protobuf (--http-connections
//      keep-alive sockets, 10 s timeout): requests of --spans-per-request spans (default 500, near the SDK's
//      512-span batches; smaller requests make the load generator, not the daemon, the limit on a 2-core machine)
//      of five services, 2 % failing spans.
//   3. Half-way through, a canary: 10 failing server spans of a new service exported through the real OpenTelemetry
//      JS SDK (OTLPTraceExporter over gRPC, its default 10 s timeout), and the time until its incident is pushed on
//      a WatchIncidents stream.
//   Prints per transport: exports sent / OK / refused retryably (with a retry hint or not) / other errors by code /
//   unanswered within the deadline / answered within 1 s; answer latency p50/p99/max (from when the export was due:
//   HTTP exports past the sockets wait in the client, and that wait is printed apart); the daemon's VmHWM, peak
//   RssAnon (heap and buffers: what it really holds) and peak RssFile (file-backed pages: mostly the LMDB map,
//   reclaimable, growing with the store); whether the canary incident opened and how fast.
//   Budgets: every export answered within 1 s; VmHWM < 512 MiB; the canary incident opens.
//   4. Unless --skip-baseline: the same gRPC load against a bare grpc-js server that acknowledges everything
//      (servers/ack-only-server.js), for reference: on a busy machine the client side can be the limit.
//
// --mode huge
//   --huge-count exports (default 4), one after the other, each of 50,000 failing spans of one service (~3.6 MB,
//   so the same incident grows by 50,000 events each time), while this process sends a small 10-span export every
//   50 ms over its own channel. Prints each huge export's answer (code, time), the small exports' latency while a
//   huge one was in flight and outside, and the daemon's memory before, at its peak, and 5 s after the last one.

import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ControlClient } from '../api/client.js';
import { connectControl } from '../control/client.js';
import { packageRoot } from '../common/package-root.js';
import { TRACE_EXPORT_PATH } from '../receiver/grpc-receiver.js';
import { encodeWith, otlpTypes } from '../test/helpers/receiver/otlp-oracle.js';
import { realisticTraceRequest } from '../test/helpers/receiver/trace-fixtures.js';
import { mib, processMemory, runningScripts, runScript, watchMemory, type ProcessMemory } from './child-script.js';
import { startBenchDaemon, stopOnSignals, type BenchDaemon } from './daemon-child.js';
import type { LoadResult } from './load-generator.js';
import type { PacedLoadResult } from './paced-load.js';
import { ms, summarize } from './percentiles.js';

const MEMORY_BUDGET_BYTES = 512 * 1024 * 1024;
const CANARY_ERROR_SPANS = 10;
const CANARY_TIMEOUT_MS = 20_000;
const HUGE_SPANS = 50_000;
const SMALL_EXPORT_INTERVAL_MS = 50;
const SETTLE_MS = 5_000;
const LOG_TAIL_PRINTED = 2_000;
const identity = (value: Buffer) => value;

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'overload' },
    seconds: { type: 'string', default: '20' },
    factor: { type: 'string', default: '3' },
    rate: { type: 'string' },
    'grpc-connections': { type: 'string', default: '4' },
    'http-connections': { type: 'string', default: '16' },
    'deadline-ms': { type: 'string', default: '10000' },
    'huge-count': { type: 'string', default: '4' },
    'skip-baseline': { type: 'boolean', default: false },
    'spans-per-request': { type: 'string', default: '500' },
    /** receivers.otlp.admission.max_event_loop_utilization for the daemon (default: the daemon's). */
    'max-event-loop-utilization': { type: 'string' },
  },
});
const mode = values.mode!;
const seconds = Number(values.seconds);
const factor = Number(values.factor);
if ((mode !== 'overload' && mode !== 'huge') || !(seconds > 0) || !(factor > 0)) {
  process.stderr.write('usage: overload.bench.js [--mode overload|huge] [--seconds S>0] [--factor F>0] [--rate SPANS_PER_S]\n');
  process.exit(2);
}

const sleep = (delayMs: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, delayMs)));
const count = (n: number) => n.toLocaleString('en-US');

/** Resolves with performance.now() when an incident naming `service` is pushed on the watch stream. */
function incidentSeen(control: ControlClient, service: string): { seen: Promise<number>; close(): void } {
  let resolveSeen: (at: number) => void = () => {};
  const seen = new Promise<number>((resolve) => (resolveSeen = resolve));
  const watch = control.watch({}, (message) => {
    if (message.type === 'update' && message.update.incident.affected_components.includes(service)) resolveSeen(performance.now());
  });
  watch.done.catch(() => {});
  return { seen, close: () => watch.cancel() };
}

/** The SDK's exporter, remembering how its export ended (the processor swallows the result). */
class RecordingExporter implements SpanExporter {
  result: string | undefined;
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    this.inner.export(spans, (result) => {
      this.result = result.code === 0 ? 'OK' : `failed: ${result.error?.message ?? 'unknown'}`;
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

interface CanaryResult {
  exportResult: string;
  exportMs: number;
  incidentMs: number;
}

/** CANARY_ERROR_SPANS failing server spans of a new service through the real SDK; time to its incident. */
async function runCanary(daemon: BenchDaemon, control: ControlClient): Promise<CanaryResult> {
  const service = `canary-${process.pid}-${randomBytes(3).toString('hex')}`;
  const watch = incidentSeen(control, service);
  const exporter = new RecordingExporter(new OTLPTraceExporter({ url: `http://${daemon.otlpEndpoint}` }));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, scheduledDelayMillis: 60_000 })],
  });
  const tracer = provider.getTracer('firewatch-overload-bench');
  const started = performance.now();
  for (let i = 0; i < CANARY_ERROR_SPANS; i++) {
    const span = tracer.startSpan('POST /api/checkout', {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'POST', 'http.route': '/api/checkout', 'http.response.status_code': 500 },
    });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'canary failure' });
    span.end();
  }
  await provider.forceFlush();
  const exportMs = performance.now() - started;
  const seenAt = await Promise.race([watch.seen, sleep(CANARY_TIMEOUT_MS).then(() => Number.POSITIVE_INFINITY)]);
  watch.close();
  await provider.shutdown();
  return { exportResult: exporter.result ?? 'not exported', exportMs, incidentMs: seenAt - started };
}

function memoryLine(label: string, memory: ProcessMemory): string {
  return `${label}: VmHWM ${mib(memory.peakRss)} MiB, RSS ${mib(memory.rss)} MiB (anon ${mib(memory.rssAnon)}, file ${mib(memory.rssFile)})`;
}

async function overload(daemon: BenchDaemon): Promise<boolean> {
  let sustained: number;
  let sustainedNote: string;
  if (values.rate === undefined) {
    const common = ['--target', daemon.otlpEndpoint, '--concurrency', '32', '--spans-per-request', values['spans-per-request']!];
    await runScript<LoadResult>('load-generator.js', [...common, '--seconds', '2']).result;
    const max = await runScript<LoadResult>('load-generator.js', [...common, '--seconds', '4']).result;
    sustained = max.spans_per_second;
    sustainedNote = `measured: load-generator.js, 32 in flight, 4 s${max.failed > 0 ? `, ${max.failed} failed ${JSON.stringify(max.failures)}` : ''}`;
  } else {
    sustained = Number(values.rate);
    sustainedNote = '--rate';
  }
  const offered = sustained * factor;
  const perTransport = Math.round(offered / 2);
  const loadArgs = (transport: string, target: string, connections: string): string[] => [
    '--transport', transport, '--target', target, '--connections', connections, '--rate', String(perTransport),
    '--seconds', String(seconds), '--deadline-ms', values['deadline-ms']!, '--max-in-flight', '100000',
    '--spans-per-request', values['spans-per-request']!,
  ];
  const memory = watchMemory(daemon.child.pid!);
  const grpcLoad = runScript<PacedLoadResult>('paced-load.js', loadArgs('grpc', daemon.otlpEndpoint, values['grpc-connections']!));
  const httpLoad = runScript<PacedLoadResult>('paced-load.js', loadArgs('http', daemon.httpEndpoint, values['http-connections']!));
  const control = connectControl(daemon.socket);
  await sleep((seconds * 1000) / 2);
  const canary = await runCanary(daemon, control);
  const [grpcResult, httpResult] = await Promise.all([grpcLoad.result, httpLoad.result]);
  const peak = memory.stop();
  control.close();
  const baseline = values['skip-baseline'] ? undefined : await ackOnlyBaseline(loadArgs);

  console.log(`\nOverload: ${factor}× the sustainable ${count(Math.round(sustained))} spans/s (${sustainedNote}) for ${seconds} s`);
  console.log(`offered ${count(perTransport)} spans/s over OTLP/gRPC (${values['grpc-connections']} connections) + ${count(perTransport)} over OTLP/HTTP (${values['http-connections']} sockets); ${values['spans-per-request']}-span requests, 2 % failing; client deadline ${values['deadline-ms']} ms`);
  console.log('| transport | sent | OK | refused retryable (hinted) | other errors | unanswered in deadline | answered ≤ 1 s | p50 ms | p99 ms | max ms | spans/s accepted |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  let allFast = true;
  const rows: [string, PacedLoadResult][] = [['gRPC', grpcResult], ['HTTP', httpResult]];
  for (const [name, result] of rows) {
    const others = Object.entries(result.failures).filter(([code]) => code !== 'unanswered');
    const otherCount = others.reduce((sum, [, n]) => sum + n, 0);
    const share = result.sent > 0 ? (100 * result.answered_within_1s) / result.sent : 0;
    if (result.answered_within_1s < result.sent) allFast = false;
    console.log(
      `| ${name} | ${count(result.sent)} | ${count(result.requests)} | ${count(result.retryable)} (${count(result.retryable - result.retryable_without_hint)}) | ${count(otherCount)} | ${count(result.unanswered)} | ${count(result.answered_within_1s)} (${share.toFixed(1)} %) | ${ms(result.latency_p50_ms)} | ${ms(result.latency_p99_ms)} | ${ms(result.latency_max_ms)} | ${count(Math.round(result.spans_per_second))} |`,
    );
    for (const [code, n] of others) console.log(`  ${name} other error: ${code} × ${n}`);
    if (result.behind > 0) console.log(`  ${name}: ${result.behind} sends skipped (100,000 unanswered)`);
    if (Number.isFinite(result.client_queue_p50_ms)) {
      console.log(`  ${name}: of which waiting in the client for one of its sockets: p50 ${ms(result.client_queue_p50_ms)} ms, p99 ${ms(result.client_queue_p99_ms)} ms`);
    }
  }
  if (baseline !== undefined) {
    const share = baseline.sent > 0 ? (100 * baseline.answered_within_1s) / baseline.sent : 0;
    console.log(
      `reference, the same gRPC load against a bare grpc-js server (ack-only): ${count(baseline.sent)} sent, ${count(baseline.requests)} OK, ${count(baseline.unanswered)} unanswered, answered ≤ 1 s ${share.toFixed(1)} %, p50 ${ms(baseline.latency_p50_ms)} ms, p99 ${ms(baseline.latency_p99_ms)} ms${Object.keys(baseline.failures).filter((code) => code !== 'unanswered').map((code) => `; ${code} × ${baseline.failures[code]}`).join('')}`,
    );
  }
  console.log(memoryLine('daemon memory, peaks over the run', peak));
  const canaryOpened = Number.isFinite(canary.incidentMs);
  console.log(
    `canary (real SDK, ${CANARY_ERROR_SPANS} failing spans, mid-overload): export ${canary.exportResult} after ${ms(canary.exportMs)} ms; incident ${canaryOpened ? `seen after ${ms(canary.incidentMs)} ms` : `NOT seen within ${CANARY_TIMEOUT_MS} ms`}`,
  );
  const memoryOk = peak.peakRss < MEMORY_BUDGET_BYTES;
  console.log(
    `budgets: answered ≤ 1 s 100 % ${allFast ? 'PASS' : 'MISS'}; VmHWM < 512 MiB ${memoryOk ? 'PASS' : 'MISS'}; canary incident ${canaryOpened ? 'PASS' : 'MISS'}`,
  );
  return allFast && memoryOk && canaryOpened;
}

/** The gRPC half of the load against servers/ack-only-server.js in its own process. */
async function ackOnlyBaseline(loadArgs: (transport: string, target: string, connections: string) => string[]): Promise<PacedLoadResult> {
  const server = spawn(process.execPath, [join(packageRoot(), 'dist', 'bench', 'servers', 'ack-only-server.js'), '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  runningScripts.add(server);
  try {
    const port = await new Promise<string>((resolve, reject) => {
      let output = '';
      server.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /ready port=(\d+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      server.once('exit', (code) => reject(new Error(`ack-only server exited with ${code}`)));
    });
    return await runScript<PacedLoadResult>('paced-load.js', loadArgs('grpc', `127.0.0.1:${port}`, values['grpc-connections']!)).result;
  } finally {
    server.kill('SIGTERM');
    runningScripts.delete(server);
  }
}

/** One export of `spans` failing server spans of `service`, small spans (~70 bytes each), fresh trace IDs. */
function failingSpansRequest(service: string, spans: number): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  const salt = randomBytes(8);
  const list = Array.from({ length: spans }, (_, i) => {
    const traceId = Buffer.alloc(16);
    salt.copy(traceId, 0);
    traceId.writeUInt32BE(i, 12);
    const spanId = Buffer.alloc(8);
    spanId.writeUInt32BE(i + 1, 4);
    return {
      traceId,
      spanId,
      name: 'POST /api/pay',
      kind: 2,
      startTimeUnixNano: String(now + BigInt(i) * 1000n),
      endTimeUnixNano: String(now + BigInt(i) * 1000n + 5_000_000n),
      attributes: [{ key: 'http.response.status_code', value: { intValue: 500 } }],
      status: { code: 2, message: 'card declined' },
    };
  });
  return encodeWith(otlpTypes().TraceRequest, {
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans: list }] }],
  });
}

async function huge(daemon: BenchDaemon): Promise<boolean> {
  const hugeCount = Math.max(1, Math.floor(Number(values['huge-count'])));
  const client = new grpc.Client(daemon.otlpEndpoint, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
  const small = new grpc.Client(daemon.otlpEndpoint, grpc.credentials.createInsecure(), { 'firewatch.bench.channel': 'small' });
  for (const c of [client, small]) {
    await new Promise<void>((resolve, reject) => c.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())));
  }
  const bodies = Array.from({ length: hugeCount }, () => failingSpansRequest('huge-payments', HUGE_SPANS));
  const smallBody = encodeWith(otlpTypes().TraceRequest, realisticTraceRequest({ spans: 10, errorRate: 0, seed: 7, service: 'small', startMs: Date.now() }));
  await sleep(1_000);
  const before = processMemory(daemon.child.pid!);
  const memory = watchMemory(daemon.child.pid!, 20);

  const samples: { sentAt: number; latency: number }[] = [];
  let sending = true;
  let smallErrors = 0;
  const smallLoop = (async () => {
    while (sending) {
      const sentAt = performance.now();
      await new Promise<void>((resolve) =>
        small.makeUnaryRequest(TRACE_EXPORT_PATH, identity, identity, smallBody, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (error) => {
          if (error) smallErrors++;
          samples.push({ sentAt, latency: performance.now() - sentAt });
          resolve();
        }),
      );
      await sleep(SMALL_EXPORT_INTERVAL_MS - (performance.now() - sentAt));
    }
  })();

  const windows: { start: number; end: number }[] = [];
  console.log(`\nOne huge export: ${count(HUGE_SPANS)} failing spans of one service per request (${(bodies[0]!.length / 1e6).toFixed(1)} MB), ${hugeCount} in a row; a 10-span export every ${SMALL_EXPORT_INTERVAL_MS} ms alongside`);
  console.log('| # | answer | ms | partial_success |');
  console.log('|---:|---|---:|---|');
  for (let i = 0; i < hugeCount; i++) {
    await sleep(500);
    const start = performance.now();
    const answer = await new Promise<string>((resolve) =>
      client.makeUnaryRequest(TRACE_EXPORT_PATH, identity, identity, bodies[i]!, new grpc.Metadata(), { deadline: Date.now() + 30_000 }, (error, response) => {
        if (error) resolve(`${grpc.status[error.code]}: ${error.details.slice(0, 80)}|`);
        else resolve(`OK|${response && response.length > 0 ? JSON.stringify(decodePartial(response)) : '-'}`);
      }),
    );
    const end = performance.now();
    windows.push({ start, end });
    const [code, partial] = answer.split('|');
    console.log(`| ${i + 1} | ${code} | ${ms(end - start)} | ${partial} |`);
  }
  await sleep(500);
  sending = false;
  await smallLoop;
  const peak = memory.peak();
  await sleep(SETTLE_MS);
  const after = processMemory(daemon.child.pid!);
  memory.stop();
  client.close();
  small.close();

  const during = samples.filter((s) => windows.some((w) => s.sentAt + s.latency >= w.start && s.sentAt <= w.end)).map((s) => s.latency);
  const outside = samples.filter((s) => !windows.some((w) => s.sentAt + s.latency >= w.start && s.sentAt <= w.end)).map((s) => s.latency);
  const d = summarize(during);
  const o = summarize(outside);
  console.log(`small exports while a huge one was in flight: ${d.count}, p50 ${ms(d.p50)} ms, p99 ${ms(d.p99)} ms, max ${ms(d.max)} ms`);
  console.log(`small exports otherwise: ${o.count}, p50 ${ms(o.p50)} ms, p99 ${ms(o.p99)} ms, max ${ms(o.max)} ms; ${smallErrors} failed`);
  console.log(memoryLine('daemon memory before', before));
  console.log(memoryLine('daemon memory peak', peak));
  console.log(memoryLine(`daemon memory ${SETTLE_MS / 1000} s after`, after));
  return peak.peakRss < MEMORY_BUDGET_BYTES;
}

/** ExportTraceServiceResponse.partial_success → { rejected, message } (field 1 { 1 varint, 2 string }). */
function decodePartial(response: Buffer): { rejected: number; message: string } {
  const decoded = otlpTypes().TraceResponse.decode(response) as unknown as { partialSuccess?: { rejectedSpans?: number | { toNumber(): number }; errorMessage?: string } };
  const rejected = decoded.partialSuccess?.rejectedSpans;
  return {
    rejected: typeof rejected === 'object' && rejected !== null ? rejected.toNumber() : Number(rejected ?? 0),
    message: decoded.partialSuccess?.errorMessage ?? '',
  };
}

const elu = values['max-event-loop-utilization'];
const daemon = await startBenchDaemon('', { http: true, ...(elu !== undefined ? { admission: { max_event_loop_utilization: Number(elu) } } : {}) });
stopOnSignals(daemon, () => [...runningScripts]);
let exitCode = 0;
try {
  const pass = mode === 'huge' ? await huge(daemon) : await overload(daemon);
  if (!pass) exitCode = 3;
} catch (error) {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n--- daemon log (tail) ---\n${daemon.logTail().slice(-LOG_TAIL_PRINTED)}\n`);
  exitCode = 1;
} finally {
  for (const child of runningScripts) child.kill('SIGTERM');
  await daemon.stop();
}
process.exit(exitCode);
