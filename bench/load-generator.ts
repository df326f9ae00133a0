// OTLP/gRPC load generator: sends pre-encoded ExportTraceServiceRequests from its own process, keeping a fixed
// number of calls in flight, for a fixed time. The OpenTelemetry SDK exporter tops out near 60k spans/s per
// client core, so it cannot measure a server; pre-encoded requests can.
//
//   node dist/bench/load-generator.js --target 127.0.0.1:4317 [--seconds 10] [--concurrency 32]
//        [--spans-per-request 100] [--error-ratio 0.02] [--distinct 200] [--spans-per-trace 1]
//        [--ca ca.pem] [--token T]     (TLS trusting that CA; `authorization: Bearer T` on every call)
// Prints one JSON line: { requests, spans, failed, seconds, spans_per_second, failures: {code: n} }.

import { TRACE_EXPORT_PATH } from '../receiver/grpc-receiver.js';
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeTraceRequest } from '../receiver/trace/decode-traces.js';
import { buildTraceRequests, DEFAULT_SHAPE } from './otlp-requests.js';

const identity = (value: Buffer) => value;

export interface LoadOptions {
  target: string;
  seconds: number;
  concurrency: number;
  spansPerRequest: number;
  errorRatio: number;
  distinct: number;
  spansPerTrace: number;
  /** PEM of the CA to trust: the calls go over TLS. */
  ca?: Buffer;
  /** Sent as `authorization: Bearer <token>`. */
  token?: string;
}

export interface LoadResult {
  requests: number;
  spans: number;
  failed: number;
  seconds: number;
  spans_per_second: number;
  failures: Record<string, number>;
}

/** Byte offsets of every span's trace ID in an encoded request (found with the receiver's own scanner). */
function traceIdOffsets(body: Buffer): number[] {
  const offsets: number[] = [];
  decodeTraceRequest(body, undefined, { onSpan: (span) => offsets.push(span.traceIdPos) });
  return offsets;
}

/**
 * A fresh copy of `body` whose trace IDs are unique to this send: real traffic never repeats a trace, and a
 * server that correlates by trace would otherwise see the same traces again and again.
 */
function uniqueCopy(body: Buffer, offsets: readonly number[], sendNumber: number): Buffer {
  const copy = Buffer.from(body);
  for (const offset of offsets) copy.writeUInt32BE(sendNumber >>> 0, offset);
  return copy;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const requests = buildTraceRequests(options.distinct, {
    ...DEFAULT_SHAPE,
    spansPerRequest: options.spansPerRequest,
    errorRatio: options.errorRatio,
    spansPerTrace: options.spansPerTrace,
  });
  const offsets = requests.map(traceIdOffsets);
  // Distinct per process too, so warm-up and measured runs never share traces.
  const sendBase = (process.pid << 16) >>> 0;
  const credentials = options.ca === undefined ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(options.ca);
  const client = new grpc.Client(options.target, credentials, {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    // the test certificate names localhost and 127.0.0.1; an IP target would otherwise become the SNI server name
    ...(options.ca === undefined ? {} : { 'grpc.ssl_target_name_override': 'localhost' }),
  });
  const metadata = new grpc.Metadata();
  if (options.token !== undefined) metadata.set('authorization', `Bearer ${options.token}`);
  await new Promise<void>((resolve, reject) =>
    client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())),
  );
  let sent = 0;
  let done = 0;
  let failed = 0;
  const failures: Record<string, number> = {};
  const started = process.hrtime.bigint();
  const deadline = Date.now() + options.seconds * 1000;

  await new Promise<void>((resolve) => {
    let inFlight = 0;
    const sendNext = () => {
      if (Date.now() >= deadline) {
        if (inFlight === 0) resolve();
        return;
      }
      const index = sent % requests.length;
      const body = uniqueCopy(requests[index]!, offsets[index]!, sendBase + sent);
      sent++;
      inFlight++;
      client.makeUnaryRequest(TRACE_EXPORT_PATH, identity, identity, body, metadata, (error) => {
        inFlight--;
        if (error) {
          failed++;
          failures[grpc.status[error.code] ?? String(error.code)] = (failures[grpc.status[error.code] ?? String(error.code)] ?? 0) + 1;
        } else {
          done++;
        }
        sendNext();
      });
    };
    for (let i = 0; i < options.concurrency; i++) sendNext();
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  client.close();
  const spans = done * options.spansPerRequest;
  return { requests: done, spans, failed, seconds, spans_per_second: spans / seconds, failures };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const { values } = parseArgs({
    options: {
      target: { type: 'string', default: '127.0.0.1:4317' },
      seconds: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '32' },
      'spans-per-request': { type: 'string', default: '100' },
      'error-ratio': { type: 'string', default: '0.02' },
      distinct: { type: 'string', default: '200' },
      'spans-per-trace': { type: 'string', default: '1' },
      ca: { type: 'string' },
      token: { type: 'string' },
    },
  });
  const result = await runLoad({
    target: values.target!,
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
    spansPerRequest: Number(values['spans-per-request']),
    errorRatio: Number(values['error-ratio']),
    distinct: Number(values.distinct),
    spansPerTrace: Number(values['spans-per-trace']),
    ...(values.ca === undefined ? {} : { ca: readFileSync(values.ca) }),
    ...(values.token === undefined ? {} : { token: values.token }),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
