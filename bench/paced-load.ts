// Paced OTLP load: the load generator's pre-encoded requests (otlp-requests.ts, unique trace IDs per send), sent at
// a fixed rate instead of as fast as a fixed number of calls in flight allows. A latency measurement needs a load
// that does not slow down when the server does (open loop): load-generator.ts keeps N calls in flight, so its
// offered rate follows the server's. Sends that are due while `maxInFlight` calls are still unanswered are skipped
// and counted (`behind`): the server was not keeping up with the rate asked for.
//
//   node dist/bench/paced-load.js --target 127.0.0.1:4317 --rate 50000 [--seconds 10] [--error-ratio 0.02]
//        [--transport grpc|http] [--connections 1] [--deadline-ms 10000] [--spans-per-request 100]
// Prints one JSON line: PacedLoadResult.
//
// --transport http POSTs the same protobuf bodies to /v1/traces over `connections` keep-alive sockets (requests
// beyond them wait in the agent's queue, as an SDK's would). --connections N spreads gRPC calls over N channels
// (N HTTP/2 connections). Every answer's latency is kept, and how the export was answered: OK, refused with a
// retryable code (gRPC UNAVAILABLE, HTTP 429/503; with or without a retry hint: RetryInfo / Retry-After), another
// error (by code), or no answer before the deadline (`unanswered`).

import { TRACE_EXPORT_PATH } from '../receiver/grpc-receiver.js';
import { TRACES_HTTP_PATH } from '../receiver/http-receiver.js';
import * as grpc from '@grpc/grpc-js';
import { Agent, request as httpRequest } from 'node:http';
import { parseArgs } from 'node:util';
import { decodeTraceRequest } from '../receiver/trace/decode-traces.js';
import type { LoadResult } from './load-generator.js';
import { buildTraceRequests, DEFAULT_SHAPE } from './otlp-requests.js';
import { percentile } from './percentiles.js';

const identity = (value: Buffer) => value;
/** Pacing granularity: at 1,000 requests/s a tick sends ~2 requests. */
const TICK_MS = 2;
const RETRY_INFO_TYPE = 'google.rpc.RetryInfo';
const ANSWERED_FAST_MS = 1_000;

export type Transport = 'grpc' | 'http';

export interface PacedLoadOptions {
  target: string;
  seconds: number;
  /** Offered spans/s. */
  rate: number;
  spansPerRequest: number;
  errorRatio: number;
  distinct: number;
  /** Calls in flight beyond which due sends are skipped. */
  maxInFlight: number;
  transport: Transport;
  /** gRPC channels or HTTP keep-alive sockets the calls are spread over. */
  connections: number;
  /** Client deadline per export (gRPC deadline / HTTP timeout), ms; 0 = none. */
  deadlineMs: number;
}

export interface PacedLoadResult extends LoadResult {
  /** Offered spans/s (the --rate asked for). */
  target_rate: number;
  /** Sends skipped because maxInFlight calls were unanswered. */
  behind: number;
  /** Exports sent. */
  sent: number;
  /** Refused with a retryable code and a retry hint (gRPC UNAVAILABLE + RetryInfo; HTTP 429/503 + Retry-After). */
  retryable: number;
  /** Refused retryably but without a retry hint. */
  retryable_without_hint: number;
  /** Not answered before the client's deadline. */
  unanswered: number;
  /** Answered (any way) within 1 s. */
  answered_within_1s: number;
  /** HTTP: how long exports waited in the client for a free socket (an agent with `connections` sockets), ms. */
  client_queue_p50_ms: number;
  client_queue_p99_ms: number;
  /** Answer latency of every answered export, ms (client queue included). */
  latency_p50_ms: number;
  latency_p99_ms: number;
  latency_max_ms: number;
}

/** Byte offsets of every span's trace ID in an encoded request (found with the receiver's own scanner). */
function traceIdOffsets(body: Buffer): number[] {
  const offsets: number[] = [];
  decodeTraceRequest(body, undefined, { onSpan: (span) => offsets.push(span.traceIdPos) });
  return offsets;
}

type Outcome = { kind: 'ok' } | { kind: 'retryable'; hinted: boolean } | { kind: 'unanswered' } | { kind: 'error'; code: string };

interface Sender {
  /** `done` once answered; `onWire` (HTTP) when the request got a socket and is written: before that it waits in the client. */
  send(body: Buffer, done: (outcome: Outcome) => void, onWire?: () => void): void;
  close(): void;
}

async function grpcSender(options: PacedLoadOptions): Promise<Sender> {
  // Distinct channel options, or grpc-js would share one subchannel (one connection) between the clients.
  const clients = Array.from(
    { length: options.connections },
    (_, index) =>
      new grpc.Client(options.target, grpc.credentials.createInsecure(), {
        'grpc.max_send_message_length': 64 * 1024 * 1024,
        'firewatch.bench.channel': index,
      }),
  );
  await Promise.all(
    clients.map(
      (client) => new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve()))),
    ),
  );
  let next = 0;
  return {
    send(body, done) {
      const client = clients[next++ % clients.length]!;
      const callOptions = options.deadlineMs > 0 ? { deadline: Date.now() + options.deadlineMs } : {};
      client.makeUnaryRequest(TRACE_EXPORT_PATH, identity, identity, body, new grpc.Metadata(), callOptions, (error) => {
        if (!error) return done({ kind: 'ok' });
        if (error.code === grpc.status.DEADLINE_EXCEEDED) return done({ kind: 'unanswered' });
        if (error.code === grpc.status.UNAVAILABLE || error.code === grpc.status.RESOURCE_EXHAUSTED) {
          const details = error.metadata?.get('grpc-status-details-bin')[0];
          const hinted = details !== undefined && Buffer.from(details).includes(RETRY_INFO_TYPE);
          if (error.code === grpc.status.UNAVAILABLE || hinted) return done({ kind: 'retryable', hinted });
        }
        done({ kind: 'error', code: `${grpc.status[error.code] ?? error.code}: ${error.details.slice(0, 160)}` });
      });
    },
    close: () => {
      for (const client of clients) client.close();
    },
  };
}

function httpSender(options: PacedLoadOptions): Sender {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const [host, port] = [options.target.slice(0, options.target.lastIndexOf(':')), Number(options.target.slice(options.target.lastIndexOf(':') + 1))];
  return {
    send(body, done, onWire) {
      let settled = false;
      const settle = (outcome: Outcome): void => {
        if (settled) return;
        settled = true;
        done(outcome);
      };
      const req = httpRequest(
        {
          agent,
          host,
          port,
          method: 'POST',
          path: TRACES_HTTP_PATH,
          headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': String(body.length) },
          ...(options.deadlineMs > 0 ? { signal: AbortSignal.timeout(options.deadlineMs) } : {}),
        },
        (res) => {
          res.resume();
          res.once('end', () => {
            const status = res.statusCode ?? 0;
            if (status === 200) settle({ kind: 'ok' });
            else if (status === 429 || status === 503) settle({ kind: 'retryable', hinted: res.headers['retry-after'] !== undefined });
            else settle({ kind: 'error', code: `HTTP ${status}` });
          });
          res.once('error', () => settle({ kind: 'unanswered' }));
        },
      );
      if (onWire !== undefined) req.once('socket', onWire);
      req.once('error', (error: NodeJS.ErrnoException) => {
        settle(error.name === 'AbortError' || error.name === 'TimeoutError' ? { kind: 'unanswered' } : { kind: 'error', code: error.code ?? error.name });
      });
      req.end(body);
    },
    close: () => agent.destroy(),
  };
}

export async function runPacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const requests = buildTraceRequests(options.distinct, {
    ...DEFAULT_SHAPE,
    spansPerRequest: options.spansPerRequest,
    errorRatio: options.errorRatio,
  });
  const offsets = requests.map(traceIdOffsets);
  // As in load-generator.ts: trace IDs unique to this process and send, so no trace ever repeats.
  const sendBase = (process.pid << 16) >>> 0;
  const sender = options.transport === 'http' ? httpSender(options) : await grpcSender(options);
  const requestsPerSecond = options.rate / options.spansPerRequest;
  let due = 0;
  let sent = 0;
  let done = 0;
  let failed = 0;
  let behind = 0;
  let inFlight = 0;
  let retryable = 0;
  let retryableWithoutHint = 0;
  let unanswered = 0;
  const latencies: number[] = [];
  const queueWaits: number[] = [];
  const failures: Record<string, number> = {};
  const started = performance.now();
  const durationMs = options.seconds * 1000;

  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - started;
      if (elapsed >= durationMs) {
        clearInterval(timer);
        if (inFlight === 0) resolve();
        return;
      }
      const target = Math.floor((elapsed / 1000) * requestsPerSecond);
      for (; due < target; due++) {
        if (inFlight >= options.maxInFlight) {
          behind++;
          continue;
        }
        const index = sent % requests.length;
        const body = Buffer.from(requests[index]!);
        for (const offset of offsets[index]!) body.writeUInt32BE((sendBase + sent) >>> 0, offset);
        sent++;
        inFlight++;
        const sentAt = performance.now();
        const onWire = options.transport === 'http' ? () => queueWaits.push(performance.now() - sentAt) : undefined;
        sender.send(body, (outcome) => {
          inFlight--;
          if (outcome.kind === 'unanswered') {
            unanswered++;
            failed++;
            failures.unanswered = (failures.unanswered ?? 0) + 1;
          } else {
            latencies.push(performance.now() - sentAt);
            if (outcome.kind === 'ok') done++;
            else {
              failed++;
              if (outcome.kind === 'retryable') {
                retryable++;
                if (!outcome.hinted) retryableWithoutHint++;
              } else {
                failures[outcome.code] = (failures[outcome.code] ?? 0) + 1;
              }
            }
          }
          if (inFlight === 0 && performance.now() - started >= durationMs) resolve();
        }, onWire);
      }
    };
    const timer = setInterval(tick, TICK_MS);
  });
  const seconds = (performance.now() - started) / 1000;
  sender.close();
  const spans = done * options.spansPerRequest;
  latencies.sort((a, b) => a - b);
  queueWaits.sort((a, b) => a - b);
  return {
    requests: done,
    spans,
    failed,
    seconds,
    spans_per_second: spans / seconds,
    failures,
    target_rate: options.rate,
    behind,
    sent,
    retryable,
    retryable_without_hint: retryableWithoutHint,
    unanswered,
    answered_within_1s: latencies.filter((ms) => ms <= ANSWERED_FAST_MS).length,
    client_queue_p50_ms: percentile(queueWaits, 50),
    client_queue_p99_ms: percentile(queueWaits, 99),
    latency_p50_ms: percentile(latencies, 50),
    latency_p99_ms: percentile(latencies, 99),
    latency_max_ms: latencies.length > 0 ? latencies[latencies.length - 1]! : Number.NaN,
  };
}

if (process.argv[1] && import.meta.url.endsWith(`/${process.argv[1].split('/').pop()!}`)) {
  const { values } = parseArgs({
    options: {
      target: { type: 'string', default: '127.0.0.1:4317' },
      seconds: { type: 'string', default: '10' },
      rate: { type: 'string', default: '50000' },
      'spans-per-request': { type: 'string', default: '100' },
      'error-ratio': { type: 'string', default: '0.02' },
      distinct: { type: 'string', default: '200' },
      'max-in-flight': { type: 'string', default: '256' },
      transport: { type: 'string', default: 'grpc' },
      connections: { type: 'string', default: '1' },
      'deadline-ms': { type: 'string', default: '0' },
    },
  });
  const transport = values.transport === 'http' ? 'http' : 'grpc';
  const result = await runPacedLoad({
    target: values.target!,
    seconds: Number(values.seconds),
    rate: Number(values.rate),
    spansPerRequest: Number(values['spans-per-request']),
    errorRatio: Number(values['error-ratio']),
    distinct: Number(values.distinct),
    maxInFlight: Number(values['max-in-flight']),
    transport,
    connections: Math.max(1, Math.floor(Number(values.connections))),
    deadlineMs: Number(values['deadline-ms']),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
