// Paced OTLP/gRPC load: the load generator's pre-encoded requests (otlp-requests.ts, unique trace IDs per send),
// sent at a fixed rate instead of as fast as a fixed number of calls in flight allows. A latency measurement needs
// a load that does not slow down when the server does (open loop): load-generator.ts keeps N calls in flight, so
// its offered rate follows the server's. Sends that are due while `maxInFlight` calls are still unanswered are
// skipped and counted (`behind`): the server was not keeping up with the rate asked for.
//
//   node dist/bench/paced-load.js --target 127.0.0.1:4317 --rate 50000 [--seconds 10] [--error-ratio 0.02]
// Prints one JSON line: PacedLoadResult.

import { TRACE_EXPORT_PATH } from '../receiver/grpc-receiver.js';
import * as grpc from '@grpc/grpc-js';
import { parseArgs } from 'node:util';
import { decodeTraceRequest } from '../receiver/trace/decode-traces.js';
import type { LoadResult } from './load-generator.js';
import { buildTraceRequests, DEFAULT_SHAPE } from './otlp-requests.js';

const identity = (value: Buffer) => value;
/** Pacing granularity: at 1,000 requests/s a tick sends ~2 requests. */
const TICK_MS = 2;

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
}

export interface PacedLoadResult extends LoadResult {
  /** Offered spans/s (the --rate asked for). */
  target_rate: number;
  /** Sends skipped because maxInFlight calls were unanswered. */
  behind: number;
}

/** Byte offsets of every span's trace ID in an encoded request (found with the receiver's own scanner). */
function traceIdOffsets(body: Buffer): number[] {
  const offsets: number[] = [];
  decodeTraceRequest(body, undefined, { onSpan: (span) => offsets.push(span.traceIdPos) });
  return offsets;
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
  const client = new grpc.Client(options.target, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  });
  await new Promise<void>((resolve, reject) =>
    client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())),
  );
  const requestsPerSecond = options.rate / options.spansPerRequest;
  let due = 0;
  let sent = 0;
  let done = 0;
  let failed = 0;
  let behind = 0;
  let inFlight = 0;
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
        client.makeUnaryRequest(TRACE_EXPORT_PATH, identity, identity, body, (error) => {
          inFlight--;
          if (error) {
            failed++;
            const code = grpc.status[error.code] ?? String(error.code);
            failures[code] = (failures[code] ?? 0) + 1;
          } else {
            done++;
          }
          if (inFlight === 0 && performance.now() - started >= durationMs) resolve();
        });
      }
    };
    const timer = setInterval(tick, TICK_MS);
  });
  const seconds = (performance.now() - started) / 1000;
  client.close();
  const spans = done * options.spansPerRequest;
  return { requests: done, spans, failed, seconds, spans_per_second: spans / seconds, failures, target_rate: options.rate, behind };
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
    },
  });
  const result = await runPacedLoad({
    target: values.target!,
    seconds: Number(values.seconds),
    rate: Number(values.rate),
    spansPerRequest: Number(values['spans-per-request']),
    errorRatio: Number(values['error-ratio']),
    distinct: Number(values.distinct),
    maxInFlight: Number(values['max-in-flight']),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
