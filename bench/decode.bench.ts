// decode.bench: spans/s through the receiver's wire layer on one core, against protobufjs on the same bytes.
//
//   npx tsc -p tsconfig.json && node dist/bench/decode.bench.js [--seconds 3]
//
// Traffic: pre-encoded ExportTraceServiceRequests of 100 HTTP server spans with 10 attributes each, 2 % failing
// (status ERROR + HTTP 500), one resource with service.name and four more attributes (receiver/testing/
// trace-fixtures.ts). Budget (DESIGN.md): decode + convert ≥ 1,000,000 spans/s.

import { decodeTraceRequest } from '../receiver/trace/decode-traces.js';
import { scanTraceRequest, type TraceScanVisitor } from '../receiver/trace/trace-scanner.js';
import { decodeWith, encodeWith, otlpTypes } from '../test/helpers/receiver/otlp-oracle.js';
import { realisticTraceRequest } from '../test/helpers/receiver/trace-fixtures.js';

const SPANS_PER_REQUEST = 100;
const ERROR_RATE = 0.02;
/** Distinct requests cycled through, so the loop does not replay one hot buffer. */
const DISTINCT_REQUESTS = 64;
const DEFAULT_SECONDS = 3;
const WARMUP_SECONDS = 0.5;
const TARGET_SPANS_PER_SECOND = 1_000_000;

interface Result {
  name: string;
  spansPerSecond: number;
}

function secondsFromArgs(): number {
  const index = process.argv.indexOf('--seconds');
  const value = index === -1 ? Number.NaN : Number(process.argv[index + 1]);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_SECONDS;
}

/** Runs `decodeOne` over the requests round-robin for `seconds`; returns spans/s. `sink` defeats dead-code removal. */
function measure(requests: readonly Buffer[], seconds: number, decodeOne: (request: Buffer) => number): number {
  let sink = 0;
  const run = (limitSeconds: number): { spans: number; elapsed: number } => {
    const start = process.hrtime.bigint();
    const limitNs = BigInt(Math.round(limitSeconds * 1e9));
    let spans = 0;
    let i = 0;
    for (;;) {
      // Check the clock every 16 requests: a hrtime call per request would show up in the figure.
      for (let k = 0; k < 16; k++) {
        sink += decodeOne(requests[i]!);
        i = (i + 1) % requests.length;
        spans += SPANS_PER_REQUEST;
      }
      const elapsed = process.hrtime.bigint() - start;
      if (elapsed >= limitNs) return { spans, elapsed: Number(elapsed) / 1e9 };
    }
  };
  run(WARMUP_SECONDS);
  const { spans, elapsed } = run(seconds);
  if (sink === -1) console.log('unreachable');
  return spans / elapsed;
}

const NOOP_VISITOR: TraceScanVisitor = {
  resource() {},
  span() {},
  rejectedSpan() {},
};

function main(): void {
  const seconds = secondsFromArgs();
  const types = otlpTypes();
  const requests = Array.from({ length: DISTINCT_REQUESTS }, (_, seed) =>
    encodeWith(types.TraceRequest, realisticTraceRequest({ spans: SPANS_PER_REQUEST, errorRate: ERROR_RATE, seed })),
  );

  // Sanity: the path under test really converts (2 error spans per request → 2 drafts).
  const check = decodeTraceRequest(requests[0]!);
  if (check.spans !== SPANS_PER_REQUEST || check.drafts.length !== Math.round(SPANS_PER_REQUEST * ERROR_RATE)) {
    throw new Error(`fixture mismatch: ${check.spans} spans, ${check.drafts.length} drafts`);
  }

  const results: Result[] = [
    {
      name: 'firewatch decode + convert',
      spansPerSecond: measure(requests, seconds, (request) => decodeTraceRequest(request).drafts.length),
    },
    {
      name: 'firewatch scan only (no-op visitor)',
      spansPerSecond: measure(requests, seconds, (request) => {
        scanTraceRequest(request, NOOP_VISITOR);
        return 1;
      }),
    },
    {
      name: 'protobufjs decode (reflection)',
      spansPerSecond: measure(requests, seconds, (request) => (types.TraceRequest.decode(request) ? 1 : 0)),
    },
    {
      name: 'protobufjs decode + toObject (proto-loader style)',
      spansPerSecond: measure(requests, seconds, (request) => (decodeWith(types.TraceRequest, request) ? 1 : 0)),
    },
  ];

  const baseline = results[2]!.spansPerSecond;
  const bytes = requests.reduce((sum, request) => sum + request.length, 0) / requests.length;
  console.log(
    `decode.bench — ${SPANS_PER_REQUEST} spans/request (~${Math.round(bytes)} bytes), ${ERROR_RATE * 100} % errors, ` +
      `${seconds} s per row, node ${process.version}`,
  );
  const nameWidth = Math.max(...results.map((result) => result.name.length));
  console.log(`${'path'.padEnd(nameWidth)}  ${'spans/s'.padStart(12)}  ${'ns/span'.padStart(8)}  ${'× protobufjs'.padStart(12)}`);
  for (const result of results) {
    console.log(
      `${result.name.padEnd(nameWidth)}  ${Math.round(result.spansPerSecond).toLocaleString('en-US').padStart(12)}  ` +
        `${(1e9 / result.spansPerSecond).toFixed(0).padStart(8)}  ${(result.spansPerSecond / baseline).toFixed(2).padStart(12)}`,
    );
  }
  const ours = results[0]!.spansPerSecond;
  console.log(
    `budget: decode + convert ≥ ${TARGET_SPANS_PER_SECOND.toLocaleString('en-US')} spans/s — ` +
      (ours >= TARGET_SPANS_PER_SECOND ? 'met' : 'MISSED'),
  );
}

main();
