// The daemon's own work per span, in one process and without a network: the load generator's requests (fresh trace
// IDs every send) through the receiver's decode (with span records, as the daemon asks), engine.ingest (trace ring,
// index, detection) and the group commit into a real LMDB store (encoded on this thread, written and synced by
// lmdb-js' own). CPU time per span for each stage, so a change to one stage is measured without the noise of the
// gRPC layer and the load generator that share the machine in bench/ingest.bench.ts.
//
//   npx tsc -p tsconfig.json && node dist/bench/pipeline.bench.js [--seconds 10] [--spans-per-trace 1]
//        [--error-ratio 0.02] [--in-flight 32] [--no-store]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { builtinRules } from '../engine/builtin-rules.js';
import { createEngine } from '../engine/engine.js';
import { batchOf, createSignalConverters, createSignalRoutes } from '../receiver/export-pipeline.js';
import { decodeTraceRequest } from '../receiver/trace/decode-traces.js';
import { GroupCommitter } from '../store/group-commit.js';
import { openStore } from '../store/lmdb-store.js';
import { buildTraceRequests, DEFAULT_SHAPE } from './otlp-requests.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    'spans-per-trace': { type: 'string', default: '1' },
    'error-ratio': { type: 'string', default: '0.02' },
    'in-flight': { type: 'string', default: '32' },
    'no-store': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const inFlight = Number(values['in-flight']);
const withStore = !values['no-store'];

const requests = buildTraceRequests(200, {
  ...DEFAULT_SHAPE,
  errorRatio: Number(values['error-ratio']),
  spansPerTrace: Number(values['spans-per-trace']),
});
const offsets = requests.map((body) => {
  const found: number[] = [];
  decodeTraceRequest(body, undefined, { onSpan: (span) => found.push(span.traceIdPos) });
  return found;
});

const route = createSignalRoutes(createSignalConverters({ spanConverter: {}, logConverter: {}, metricConverter: {}, collectSpans: true }, 'bench')).traces;
const engine = createEngine({ rules: builtinRules(), clock: Date.now });
const directory = mkdtempSync(join(tmpdir(), 'firewatch-pipeline-'));
const store = openStore(directory);
const committer = new GroupCommitter(store);

const cpuMicros = (): number => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

let spans = 0;
let decodeUs = 0;
let ingestUs = 0;
let submitUs = 0;
let sent = 0;
const base = (process.pid << 16) >>> 0;
const pending: Promise<void>[] = [];

async function run(untilMs: number, measure: boolean): Promise<void> {
  while (Date.now() < untilMs) {
    for (let k = 0; k < inFlight; k++) {
      const index = sent % requests.length;
      // A fresh copy with trace IDs of its own, as the load generator sends (and as gRPC hands the receiver a buffer).
      const body = Buffer.from(requests[index]!);
      for (const offset of offsets[index]!) body.writeUInt32BE((base + sent) >>> 0, offset);
      sent++;
      const t0 = cpuMicros();
      const decoded = route.decode(body);
      const batch = batchOf(route, decoded)!;
      const t1 = cpuMicros();
      const result = engine.ingest(batch.drafts, { spans: batch.spans ?? [], serviceTotals: batch.perService! });
      const t2 = cpuMicros();
      if (withStore) pending.push(committer.submit(result, engine.counters()));
      const t3 = cpuMicros();
      if (measure) {
        spans += decoded.items;
        decodeUs += t1 - t0;
        ingestUs += t2 - t1;
        submitUs += t3 - t2;
      }
    }
    await Promise.all(pending);
    pending.length = 0;
  }
}

await run(Date.now() + 2_000, false);
const started = cpuMicros();
const wallStart = Date.now();
await run(wallStart + seconds * 1000, true);
const totalUs = cpuMicros() - started;
const wall = (Date.now() - wallStart) / 1000;
await store.close();
rmSync(directory, { recursive: true, force: true });

const perSpan = (us: number): string => (us / spans).toFixed(2);
const commitUs = totalUs - decodeUs - ingestUs - submitUs;
console.log(`pipeline, in process: ${spans.toLocaleString('en-US')} spans in ${wall.toFixed(1)} s, ${values['spans-per-trace']} span(s) per trace, error ratio ${values['error-ratio']}, ${inFlight} requests per commit wave${withStore ? '' : ', no store'}`);
console.log('| stage | µs per span (CPU) |');
console.log('|---|---:|');
console.log(`| decode + convert + span records | ${perSpan(decodeUs)} |`);
console.log(`| engine.ingest (trace ring, index, detection) | ${perSpan(ingestUs)} |`);
console.log(`| group commit submit | ${perSpan(submitUs)} |`);
console.log(`| the rest: LMDB commit (encode here, write + sync on lmdb-js' thread), GC, promises | ${perSpan(commitUs)} |`);
console.log(`| **total** | ${perSpan(totalUs)} (${Math.round((spans / totalUs) * 1e6).toLocaleString('en-US')} spans/s per core) |`);
