// logs-metrics.bench: log records/s and metric points/s through the receiver's decode + convert path on one core,
// against protobufjs on the same bytes, plus the OTLP/JSON path (transcode + decode + convert) against JSON.parse.
//
//   npx tsc -p tsconfig.json && node dist/bench/logs-metrics.bench.js [--seconds 2]
//
// Traffic (receiver/testing/logs-metrics-fixtures.ts):
//   logs     ExportLogsServiceRequests of 100 records: 2 % ERROR (with exception attributes), the rest INFO, each with
//            a ~60-character body, 4 attributes and trace context; one resource of 4 attributes.
//   metrics  ExportMetricsServiceRequests of 100 points as a host + HTTP service sends them: 4 memory and 4 filesystem
//            gauges, 16 CPU-time and 2 up-down sums, 10 request-duration and 8 DB-duration cumulative histograms
//            (14 bounds), 56 unwatched runtime gauges/sums. One request in eight is "hot" (memory used 95 %, one route
//            slow): ~2 events per hot request. Collections advance 10 s each; cumulative histograms are differenced
//            against the previous collection, as in production (a fresh converter per pass over the requests, so
//            one request in DISTINCT_REQUESTS primes instead).

import { decodeLogsRequest } from '../receiver/logs/decode-logs.js';
import { scanLogsRequest, type LogsScanVisitor } from '../receiver/logs/logs-scanner.js';
import { transcodeOtlpJson } from '../receiver/json/otlp-json.js';
import { decodeMetricsRequest } from '../receiver/metrics/decode-metrics.js';
import { createMetricConverter } from '../receiver/metrics/metric-converter.js';
import { scanMetricsRequest, type MetricsScanVisitor } from '../receiver/metrics/metrics-scanner.js';
import { realisticLogsRequest, realisticMetricsRequest } from '../test/helpers/receiver/logs-metrics-fixtures.js';
import { otlpJsonBody } from '../test/helpers/receiver/otlp-json-fixtures.js';
import { decodeWith, encodeWith, otlpTypes } from '../test/helpers/receiver/otlp-oracle.js';

const ITEMS_PER_REQUEST = 100;
const ERROR_RATE = 0.02;
/** Distinct requests cycled through, so the loop does not replay one hot buffer. */
const DISTINCT_REQUESTS = 64;
const HOT_EVERY = 8;
const DEFAULT_SECONDS = 2;
const WARMUP_SECONDS = 0.5;
/** Our target for each signal: the span path's budget (decode + convert ≥ 1M items/s per core). */
const TARGET_ITEMS_PER_SECOND = 1_000_000;

interface Row {
  signal: string;
  name: string;
  itemsPerSecond: number;
  /** The row this one is compared against. */
  baseline?: Row;
}

function secondsFromArgs(): number {
  const index = process.argv.indexOf('--seconds');
  const value = index === -1 ? Number.NaN : Number(process.argv[index + 1]);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_SECONDS;
}

/**
 * Runs `decodeOne(request, index)` over the requests round-robin for `seconds`; returns items/s. `onPass` runs
 * before each pass over the requests (outside nothing: it is timed too, and cheap). `sink` defeats dead-code removal.
 */
function measure(
  requests: readonly Buffer[],
  seconds: number,
  decodeOne: (request: Buffer) => number,
  onPass: () => void = () => {},
): number {
  let sink = 0;
  const run = (limitSeconds: number): { items: number; elapsed: number } => {
    const start = process.hrtime.bigint();
    const limitNs = BigInt(Math.round(limitSeconds * 1e9));
    let items = 0;
    for (;;) {
      onPass();
      for (let i = 0; i < requests.length; i++) {
        sink += decodeOne(requests[i]!);
        items += ITEMS_PER_REQUEST;
      }
      const elapsed = process.hrtime.bigint() - start;
      if (elapsed >= limitNs) return { items, elapsed: Number(elapsed) / 1e9 };
    }
  };
  run(WARMUP_SECONDS);
  const { items, elapsed } = run(seconds);
  if (sink === -1) console.log('unreachable');
  return items / elapsed;
}

const NOOP_LOGS: LogsScanVisitor = { resource() {}, logRecord() {}, rejectedLogRecord() {} };
const NOOP_METRICS: MetricsScanVisitor = { resource() {}, dataPoint() {} };

function main(): void {
  const seconds = secondsFromArgs();
  const types = otlpTypes();

  const logObjects = Array.from({ length: DISTINCT_REQUESTS }, (_, seed) =>
    realisticLogsRequest({ records: ITEMS_PER_REQUEST, errorRate: ERROR_RATE, seed }),
  );
  const logs = logObjects.map((object) => encodeWith(types.LogsRequest, object));
  const logsJson = logObjects.map((object) => otlpJsonBody(types.LogsRequest, object));
  let hotSoFar = 0;
  const metricObjects = Array.from({ length: DISTINCT_REQUESTS }, (_, tick) => {
    const hot = tick % HOT_EVERY === HOT_EVERY - 1;
    if (hot) hotSoFar++;
    return realisticMetricsRequest({ tick, hot, slowTicks: hotSoFar });
  });
  const metrics = metricObjects.map((object) => encodeWith(types.MetricsRequest, object));
  const metricsJson = metricObjects.map((object) => otlpJsonBody(types.MetricsRequest, object));

  // Sanity: the paths under test really convert.
  const logCheck = decodeLogsRequest(logs[0]!);
  if (logCheck.logRecords !== ITEMS_PER_REQUEST || logCheck.drafts.length !== Math.round(ITEMS_PER_REQUEST * ERROR_RATE)) {
    throw new Error(`log fixture mismatch: ${logCheck.logRecords} records, ${logCheck.drafts.length} drafts`);
  }
  const checkConverter = createMetricConverter();
  let metricDrafts = 0;
  for (const request of metrics) {
    const result = decodeMetricsRequest(request, checkConverter);
    if (result.dataPoints !== ITEMS_PER_REQUEST) throw new Error(`metric fixture mismatch: ${result.dataPoints} points`);
    metricDrafts += result.drafts.length;
  }
  const expectedDrafts = (DISTINCT_REQUESTS / HOT_EVERY) * 2;
  if (metricDrafts !== expectedDrafts) throw new Error(`metric fixture mismatch: ${metricDrafts} drafts, expected ${expectedDrafts}`);

  let converter = createMetricConverter();
  const freshConverter = () => {
    converter = createMetricConverter();
  };

  const rows: Row[] = [];
  const add = (signal: string, name: string, itemsPerSecond: number, baseline?: Row): Row => {
    const row: Row = { signal, name, itemsPerSecond };
    if (baseline !== undefined) row.baseline = baseline;
    rows.push(row);
    return row;
  };

  const logsProtobufjs = add('logs', 'protobufjs decode (reflection)', measure(logs, seconds, (r) => (types.LogsRequest.decode(r) ? 1 : 0)));
  add('logs', 'firewatch decode + convert', measure(logs, seconds, (r) => decodeLogsRequest(r).drafts.length), logsProtobufjs);
  add('logs', 'firewatch scan only (no-op visitor)', measure(logs, seconds, (r) => (scanLogsRequest(r, NOOP_LOGS), 1)), logsProtobufjs);
  add('logs', 'protobufjs decode + toObject', measure(logs, seconds, (r) => (decodeWith(types.LogsRequest, r) ? 1 : 0)), logsProtobufjs);
  const logsJsonParse = add('logs', 'JSON: JSON.parse only', measure(logsJson, seconds, (r) => (JSON.parse(r.toString('utf8')) ? 1 : 0)));
  add('logs', 'JSON: transcode + decode + convert', measure(logsJson, seconds, (r) => decodeLogsRequest(transcodeOtlpJson(r, 'logs')).drafts.length), logsJsonParse);

  const metricsProtobufjs = add('metrics', 'protobufjs decode (reflection)', measure(metrics, seconds, (r) => (types.MetricsRequest.decode(r) ? 1 : 0)));
  add('metrics', 'firewatch decode + convert', measure(metrics, seconds, (r) => decodeMetricsRequest(r, converter).drafts.length, freshConverter), metricsProtobufjs);
  add('metrics', 'firewatch scan only (no-op visitor)', measure(metrics, seconds, (r) => (scanMetricsRequest(r, NOOP_METRICS), 1)), metricsProtobufjs);
  add('metrics', 'protobufjs decode + toObject', measure(metrics, seconds, (r) => (decodeWith(types.MetricsRequest, r) ? 1 : 0)), metricsProtobufjs);
  const metricsJsonParse = add('metrics', 'JSON: JSON.parse only', measure(metricsJson, seconds, (r) => (JSON.parse(r.toString('utf8')) ? 1 : 0)));
  add(
    'metrics',
    'JSON: transcode + decode + convert',
    measure(metricsJson, seconds, (r) => decodeMetricsRequest(transcodeOtlpJson(r, 'metrics'), converter).drafts.length, freshConverter),
    metricsJsonParse,
  );

  const size = (requests: Buffer[]) => Math.round(requests.reduce((sum, r) => sum + r.length, 0) / requests.length);
  console.log(
    `logs-metrics.bench — ${ITEMS_PER_REQUEST} items/request; logs ~${size(logs)} B protobuf / ~${size(logsJson)} B JSON, ` +
      `${ERROR_RATE * 100} % ERROR; metrics ~${size(metrics)} B protobuf / ~${size(metricsJson)} B JSON, ` +
      `${metricDrafts} events per ${DISTINCT_REQUESTS} requests; ${seconds} s per row, node ${process.version}`,
  );
  const nameWidth = Math.max(...rows.map((row) => row.name.length));
  console.log(`${'signal'.padEnd(8)}${'path'.padEnd(nameWidth)}  ${'items/s'.padStart(12)}  ${'ns/item'.padStart(8)}  ${'× baseline'.padStart(10)}`);
  for (const row of rows) {
    const ratio = row.baseline === undefined ? 'baseline' : (row.itemsPerSecond / row.baseline.itemsPerSecond).toFixed(2);
    console.log(
      `${row.signal.padEnd(8)}${row.name.padEnd(nameWidth)}  ${Math.round(row.itemsPerSecond).toLocaleString('en-US').padStart(12)}  ` +
        `${(1e9 / row.itemsPerSecond).toFixed(0).padStart(8)}  ${ratio.padStart(10)}`,
    );
  }
  for (const signal of ['logs', 'metrics']) {
    const ours = rows.find((row) => row.signal === signal && row.name === 'firewatch decode + convert')!.itemsPerSecond;
    console.log(
      `target: ${signal} decode + convert ≥ ${TARGET_ITEMS_PER_SECOND.toLocaleString('en-US')} items/s — ${ours >= TARGET_ITEMS_PER_SECOND ? 'met' : 'MISSED'}`,
    );
  }
}

main();
