// Trace ring and trace-aware ingest benchmark: bytes per span kept, bytes per event kept, spans/s pushed, and
// engine.ingest with spans, service totals and correlation on.
//
//   npx tsc -p tsconfig.json && node --expose-gc dist/bench/engine-trace.bench.js
//
// Budgets it speaks to (DESIGN.md "Budgets"): ingest ≥ 200,000 spans/s per core end to end (the trace ring and the
// engine's share of it must be far above that), memory bounded by ring sizes (bytes per span × capacity).
//
// Spans are made the way the receiver makes them: a fresh SpanRecord per span with freshly decoded strings (trace
// and span IDs, span names), service names shared per export request. Compared against the obvious alternative: a
// ring of SpanRecord references plus Map<trace ID, SpanRecord[]> (eviction shifts the trace's array).

import { buildTraceRequests } from './otlp-requests.js';
import { builtinRules } from '../engine/builtin-rules.js';
import { createEngine, DEFAULT_EVENT_RING_CAPACITY } from '../engine/engine.js';
import { RingBuffer } from '../engine/ring-buffer.js';
import { DEFAULT_TRACE_RING_CAPACITY, TraceRing } from '../engine/trace-ring.js';
import { isRequestSpan } from '../engine/types.js';
import type { EventDraft, ServiceTotals, SpanRecord } from '../engine/types.js';
import { Session } from 'node:inspector/promises';
import { decodeTraceRequest } from '../receiver/trace/decode-traces.js';
import { spanRecordFromView } from '../receiver/trace/span-record.js';

const T0 = Date.UTC(2025, 1, 5, 10, 30, 0);
const CAPACITY = DEFAULT_TRACE_RING_CAPACITY;
const SPANS_PER_TRACE = 8;
const SPANS_PER_REQUEST = 100;
const SERVICES = 200;
const ROUTES = 300;
const CHUNK = 100_000;
const PUSH_SPANS = 1_000_000;
const RUNS = 5;
const INGEST_REQUESTS = 10_000;
/** Failing share of spans for the memory and push cases (failures carry messages: the costlier kind to keep). */
const FAILING_SHARE = 0.05;
/** Failing share of the background traffic in the ingest case: low enough that no background service fires. */
const BACKGROUND_FAILING_SHARE = 0.0005;

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const scratch = Buffer.alloc(256);

/**
 * `n` as `width` hex digits: a fresh, flat string, made the way the receiver decodes IDs (Buffer.toString('hex')).
 * (Strings built with `+=` would be ropes, which V8 flattens on first read: a cost the receiver's strings do not have.)
 */
function freshHex(n: number, width: number): string {
  scratch.fill(0, 0, width / 2);
  scratch.writeUInt32BE(Math.floor(n / 2 ** 32) >>> 0, width / 2 - 8 >= 0 ? width / 2 - 8 : 0);
  scratch.writeUInt32BE(n >>> 0, width / 2 - 4);
  return scratch.toString('hex', 0, width / 2);
}

/** A fresh, flat copy of `text` (as decoded from the wire). */
function fresh(text: string): string {
  const length = scratch.write(text, 'latin1');
  return scratch.toString('latin1', 0, length);
}

/** Fresh spans numbered from `first`: traces of SPANS_PER_TRACE spans, some failing, a third with a user. */
function makeSpans(count: number, first: number, random: () => number, failingShare = FAILING_SHARE): SpanRecord[] {
  const spans = new Array<SpanRecord>(count);
  let service = '';
  for (let i = 0; i < count; i++) {
    const n = first + i;
    if (n % SPANS_PER_REQUEST === 0 || service === '') service = fresh(`service-${Math.floor(random() * SERVICES)}`); // per request
    const trace = Math.floor(n / SPANS_PER_TRACE);
    const position = n % SPANS_PER_TRACE;
    const failed = random() < failingShare;
    spans[i] = {
      trace_id: freshHex(trace, 32),
      span_id: freshHex(n + 1, 16),
      parent_span_id: position === 0 ? '' : freshHex(n, 16),
      service,
      name: fresh(`GET /api/route-${Math.floor(random() * ROUTES)}`),
      kind: position === 0 ? 2 : 3,
      start_ms: T0 + n * 0.25,
      end_ms: T0 + n * 0.25 + 12.5 + random() * 40,
      status_code: failed ? 2 : 0,
      status_message: failed ? fresh(`upstream returned ${500 + Math.floor(random() * 4)}`) : '',
      exception_type: failed ? fresh('UpstreamError') : '',
      exception_message: '',
      http_status: failed ? 502 : 200,
      peer: position === 0 ? '' : fresh(`service-${Math.floor(random() * SERVICES)}`),
      failed,
      user: random() < 0.33 ? fresh(`user-${Math.floor(random() * 100_000)}`) : '',
    };
  }
  return spans;
}

/** The obvious alternative: keep the records, index them by trace in arrays. */
class ObjectTraceRing {
  private readonly ring: RingBuffer<SpanRecord>;
  private readonly traces = new Map<string, SpanRecord[]>();

  constructor(capacity: number) {
    this.ring = new RingBuffer<SpanRecord>(capacity);
  }

  push(span: SpanRecord): void {
    const evicted = this.ring.push(span);
    if (evicted !== undefined) {
      const list = this.traces.get(evicted.trace_id);
      if (list !== undefined) {
        list.shift();
        if (list.length === 0) this.traces.delete(evicted.trace_id);
      }
    }
    const list = this.traces.get(span.trace_id);
    if (list === undefined) this.traces.set(span.trace_id, [span]);
    else list.push(span);
  }

  get size(): number {
    return this.ring.size;
  }
}

interface Pushable {
  push(span: SpanRecord): unknown;
}

const gc = (globalThis as { gc?: () => void }).gc;

function heapBytes(): number {
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Bytes the structure holds per span at capacity (after 1.5 × capacity pushes: the steady state). */
function bytesPerSpan(create: () => Pushable): number {
  const before = heapBytes();
  const ring = create();
  const random = prng(1);
  for (let first = 0; first < CAPACITY * 1.5; first += CHUNK) {
    const spans = makeSpans(CHUNK, first, random);
    for (let i = 0; i < spans.length; i++) ring.push(spans[i] as SpanRecord);
  }
  const after = heapBytes();
  const bytes = (after - before) / CAPACITY;
  if ((ring as { size?: number }).size !== CAPACITY) throw new Error('ring not full');
  return bytes;
}

/**
 * Bytes the engine holds per event with its event ring full at the default capacity, for events made the daemon's way:
 * OTLP requests of 100 failing HTTP server spans of five services (realistic fixtures: routes, status messages, ~10
 * attributes), decoded and converted by the receiver, ingested in order. The engine's other structures (windows,
 * the incidents the failures open) are counted too: they are what a full ring costs the daemon.
 */
function bytesPerRingEvent(): number {
  const requests = buildTraceRequests(DEFAULT_EVENT_RING_CAPACITY / 100, {
    spansPerRequest: 100,
    errorRatio: 1,
    services: ['frontend', 'checkout', 'payments', 'inventory', 'search'],
  });
  const before = heapBytes();
  const engine = createEngine({ rules: builtinRules(), clock: () => Date.now(), traceRingCapacity: 1_000 });
  for (const bytes of requests) engine.ingest(decodeTraceRequest(bytes).drafts);
  const held = engine.sizes().ringEvents;
  if (held !== DEFAULT_EVENT_RING_CAPACITY) throw new Error(`event ring holds ${held} events, not ${DEFAULT_EVENT_RING_CAPACITY}`);
  const bytes = (heapBytes() - before) / held;
  // The requests were in `before` too: alive until here.
  if (requests.length === 0) throw new Error('no requests');
  return bytes;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Spans/s through push (span creation untimed), over PUSH_SPANS spans per run, into a ring that is full early. */
function pushRate(create: () => Pushable): { median: number; best: number } {
  const rates: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const ring = create();
    const random = prng(run + 2);
    let nanos = 0n;
    for (let first = 0; first < PUSH_SPANS; first += CHUNK) {
      const spans = makeSpans(CHUNK, first, random);
      const start = process.hrtime.bigint();
      for (let i = 0; i < spans.length; i++) ring.push(spans[i] as SpanRecord);
      nanos += process.hrtime.bigint() - start;
    }
    if (run > 0) rates.push(PUSH_SPANS / (Number(nanos) / 1e9)); // run 0 warms up
  }
  return { median: median(rates), best: Math.max(...rates) };
}

interface Request {
  drafts: EventDraft[];
  spans: SpanRecord[];
  totals: Map<string, ServiceTotals>;
}

/**
 * Export requests of 100 spans: background traces as above (0.05 % failing spans, each an api_error event), plus a
 * cascade frontend → checkout → payments failing in 1 of 5 of its traces, each failing span an api_error event with
 * the trace ID: the cascade opens one incident early, and from then on its traces' events join it and their spans
 * are persisted (IngestResult.traceSpans).
 */
function makeRequests(count: number): Request[] {
  const random = prng(9);
  const requests: Request[] = [];
  const cascade = ['frontend', 'checkout', 'payments'];
  for (let r = 0; r < count; r++) {
    const spans = makeSpans(SPANS_PER_REQUEST - 6, r * SPANS_PER_REQUEST, random, BACKGROUND_FAILING_SHARE);
    const t = 1_000_000 + r * 2;
    for (let k = 0; k < 2; k++) {
      const failing = random() < 0.2;
      for (let s = 0; s < 3; s++) {
        spans.push({
          trace_id: freshHex(t + k, 32),
          span_id: freshHex((t + k) * 4 + s + 1, 16),
          parent_span_id: s === 0 ? '' : freshHex((t + k) * 4 + s, 16),
          service: cascade[s]!,
          name: fresh(`POST /${cascade[s]}`),
          kind: 2,
          start_ms: T0 + r * 10 + s,
          end_ms: T0 + r * 10 + 50 - s,
          status_code: failing ? 2 : 0,
          status_message: failing ? 'declined' : '',
          exception_type: failing && s === 2 ? 'ProcessorTimeout' : '',
          exception_message: '',
          http_status: failing ? 500 : 200,
          peer: '',
          failed: failing,
          user: failing && s === 0 ? fresh(`user-${r}`) : '',
        });
      }
    }
    const drafts: EventDraft[] = [];
    const totals = new Map<string, ServiceTotals>();
    for (const span of spans) {
      const counts = totals.get(span.service) ?? { requests: 0, failedRequests: 0 };
      if (isRequestSpan(span.kind, span.parent_span_id !== '', false)) {
        counts.requests++;
        if (span.failed) counts.failedRequests++;
      }
      totals.set(span.service, counts);
      if (!span.failed) continue;
      drafts.push({
        timestamp: span.start_ms,
        event_type: 'api_error',
        source: span.service,
        severity: 'high',
        message: `${span.name} returned ${span.http_status}`,
        metadata: { 'http.route': span.name, status_code: span.http_status },
        correlation_id: span.trace_id,
        span_id: span.span_id,
      });
    }
    requests.push({ drafts, spans, totals });
  }
  return requests;
}

function ingestRate(requests: readonly Request[], withContext: boolean) {
  const rates: number[] = [];
  let persisted = 0;
  let incidents = 0;
  let linked = 0;
  for (let run = 0; run <= RUNS; run++) {
    const engine = createEngine({ rules: builtinRules(), clock: () => T0 + 1e9 });
    let spansPersisted = 0;
    let linkedEvents = 0;
    const start = process.hrtime.bigint();
    for (const request of requests) {
      const result = withContext
        ? engine.ingest(request.drafts, { spans: request.spans, serviceTotals: request.totals })
        : engine.ingest(request.drafts);
      spansPersisted += result.traceSpans?.length ?? 0;
      linkedEvents += result.linked.length;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (run > 0) rates.push((requests.length * SPANS_PER_REQUEST) / seconds);
    persisted = spansPersisted;
    linked = linkedEvents;
    incidents = engine.counters().nextIncidentSeq - 1;
  }
  return { median: median(rates), best: Math.max(...rates), persisted, incidents, linked };
}

interface Row {
  name: string;
  value: string;
  note: string;
}

/** The byte offsets of `body`'s spans' trace IDs, found with the receiver's own scanner. */
function traceIdOffsets(body: Buffer): number[] {
  const offsets: number[] = [];
  decodeTraceRequest(body, undefined, { onSpan: (span) => offsets.push(span.traceIdPos) });
  return offsets;
}

/**
 * Bytes allocated per span (garbage included) by the daemon's path from request bytes to decision: the receiver's
 * scan, conversion and span records, then engine.ingest with spans and service totals. Realistic requests of 100
 * spans, 2 % failing, every trace new (as the load generator sends them); V8's sampling heap profiler counting
 * objects the collectors freed too. What the young generation is filled with: how often the daemon scavenges.
 */
async function allocatedBytesPerSpan(): Promise<number> {
  const requests = buildTraceRequests(200, { spansPerRequest: 100, errorRatio: 0.02, services: ['frontend', 'checkout', 'payments', 'inventory', 'search'] });
  const offsets = requests.map(traceIdOffsets);
  const engine = createEngine({ rules: builtinRules(), clock: () => Date.now() });
  let sends = 0;
  let spans = 0;
  const send = () => {
    const index = sends % requests.length;
    const body = Buffer.from(requests[index]!);
    for (const offset of offsets[index]!) body.writeUInt32BE(++sends >>> 0, offset);
    const records: SpanRecord[] = [];
    const decoded = decodeTraceRequest(body, undefined, {
      onSpan: (span, resource, classification) => records.push(spanRecordFromView(span, resource.serviceName ?? 'unknown', classification)),
    });
    engine.ingest(decoded.drafts, { spans: records, serviceTotals: decoded.perService });
    spans += decoded.spans;
  };
  for (let i = 0; i < 3_000; i++) send(); // warm: open incidents, full trace ring
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  spans = 0;
  for (let i = 0; i < 5_000; i++) send();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  let bytes = 0;
  const walk = (node: typeof profile.head): void => {
    bytes += node.selfSize;
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  return bytes / spans;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const kps = (n: number) => `${(n / 1e6).toFixed(2)} M spans/s`;

  if (gc === undefined) {
    rows.push({ name: 'bytes per span', value: 'n/a', note: 'run with node --expose-gc to measure memory' });
  } else {
    const columns = bytesPerSpan(() => new TraceRing(CAPACITY));
    const objects = bytesPerSpan(() => new ObjectTraceRing(CAPACITY));
    rows.push({
      name: `TraceRing bytes per span (capacity ${CAPACITY / 1000}k)`,
      value: `${columns.toFixed(0)} B/span`,
      note: `${((columns * CAPACITY) / 2 ** 20).toFixed(1)} MiB at capacity; heap + array buffers after GC`,
    });
    rows.push({
      name: 'records + Map<trace, SpanRecord[]> bytes per span',
      value: `${objects.toFixed(0)} B/span`,
      note: `${((objects * CAPACITY) / 2 ** 20).toFixed(1)} MiB at capacity; the obvious alternative`,
    });
    const perEvent = bytesPerRingEvent();
    rows.push({
      name: `engine bytes per event, event ring full (${DEFAULT_EVENT_RING_CAPACITY / 1000}k)`,
      value: `${perEvent.toFixed(0)} B/event`,
      note: `${((perEvent * DEFAULT_EVENT_RING_CAPACITY) / 2 ** 20).toFixed(1)} MiB; failing spans converted by the receiver (their names repeat, their IDs do not); heap + array buffers after GC`,
    });
  }

  const allocated = await allocatedBytesPerSpan();
  rows.push({
    name: 'bytes allocated per span, decode + engine.ingest',
    value: `${allocated.toFixed(0)} B/span`,
    note: 'garbage included (V8 sampling heap profiler); realistic 100-span requests, 2 % failing, every trace new',
  });

  const columnsRate = pushRate(() => new TraceRing(CAPACITY));
  rows.push({
    name: 'TraceRing.push',
    value: `${kps(columnsRate.median)} (best ${kps(columnsRate.best)})`,
    note: `${PUSH_SPANS / 1e6}M fresh spans per run, ring full after ${CAPACITY / 1000}k`,
  });
  const objectsRate = pushRate(() => new ObjectTraceRing(CAPACITY));
  rows.push({
    name: 'records + Map<trace, SpanRecord[]> push',
    value: `${kps(objectsRate.median)} (best ${kps(objectsRate.best)})`,
    note: 'the obvious alternative',
  });

  const requests = makeRequests(INGEST_REQUESTS);
  const events = requests.reduce((n, r) => n + r.drafts.length, 0);
  const off = ingestRate(requests, false);
  rows.push({
    name: 'engine.ingest, events only (no spans, no totals)',
    value: `${kps(off.median)} (best ${kps(off.best)})`,
    note: `spans of the requests, not passed; ${events} events, ${off.incidents} incidents, ${off.linked} linked`,
  });
  const on = ingestRate(requests, true);
  rows.push({
    name: 'engine.ingest, spans + totals, correlation on',
    value: `${kps(on.median)} (best ${kps(on.best)})`,
    note: `trace ring, baselines, rates, joins; ${on.incidents} incidents, ${on.linked} linked, ${on.persisted} spans persisted`,
  });

  const width = (key: keyof Row) => Math.max(key.length, ...rows.map((r) => r[key].length));
  const [w1, w2, w3] = [width('name'), width('value'), width('note')];
  const line = (a: string, b: string, c: string) => `| ${a.padEnd(w1)} | ${b.padEnd(w2)} | ${c.padEnd(w3)} |`;
  console.log(
    `firewatch trace bench — node ${process.version}, ${SPANS_PER_TRACE} spans/trace, ` +
      `${SPANS_PER_REQUEST} spans/request, medians of ${RUNS} runs`,
  );
  console.log(line('case', 'result', 'note'));
  console.log(`|${'-'.repeat(w1 + 2)}|${'-'.repeat(w2 + 2)}|${'-'.repeat(w3 + 2)}|`);
  for (const row of rows) console.log(line(row.name, row.value, row.note));
}

await main();
