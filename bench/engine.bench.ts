// Engine benchmark: events/s through ingest and through detection alone, and "100 events → decision" latency.
//
//   npx tsc -p tsconfig.json && node dist/bench/engine.bench.js [--only latency|throughput] [--clock frozen|advancing]
//
// Budgets (DESIGN.md "Budgets"): ≥ 5,000,000 events/s through detection; "100 events → decision" p99 < 150 µs.
// The workload is a mix of 5,000 sources and event types (half of them counted by a built-in rule) with trace IDs,
// spread in event time so that (almost) nothing fires: the steady state of a healthy system. Compared against the
// obvious alternative: a Map of per-group timestamp arrays filtered on every event.
// Trace correlation is always on in engine.ingest: a trace here is 5 events of random sources, so the few incidents
// that do open also absorb their traces' other events (about 2.6 × as many events linked as without correlation,
// and bigger incidents to snapshot per call). Spans, service totals and the trace ring: bench/engine-trace.bench.ts.

import { nearestRank } from '../engine/stats.js';
import { ChangeSet } from '../engine/change-set.js';
import { builtinRules } from '../engine/builtin-rules.js';
import { Detector } from '../engine/detector.js';
import { createEngine } from '../engine/engine.js';
import { IncidentBook, DEFAULT_INCIDENT_LIMITS } from '../engine/incidents.js';
import type { IncidentState } from '../engine/incidents.js';
import type { DetectionRule, EventDraft, IncidentEvent, Severity } from '../engine/types.js';

const T0 = Date.UTC(2025, 1, 5, 10, 30, 0);
const CLOCK = T0 + 1e9; // far past every event: no clamping
const SOURCES = 5_000;
/** Distinct drafts; ingest runs cycle through them with event time moved forward on each pass. */
const POOL = 200_000;
const PASSES = 10;
const EVENTS = POOL * PASSES;
const DETECT_EVENTS = 1_000_000;
const EVENT_SPACING_MS = 10; // per source ~ one event every 50 s: ~6 per 5-minute window, below every threshold
const RUNS = 5;
const LATENCY_TRIALS = 20_000;
const LATENCY_WARMUP = 2_000;

const TYPES: readonly { type: string; severity: Severity }[] = [
  { type: 'error', severity: 'high' },
  { type: 'api_error', severity: 'high' },
  { type: 'slow_request', severity: 'medium' },
  { type: 'database_connection_error', severity: 'high' },
  { type: 'span_ok', severity: 'info' },
  { type: 'log_warning', severity: 'low' },
  { type: 'http_client', severity: 'info' },
  { type: 'cache_miss', severity: 'info' },
];

/** Deterministic PRNG (mulberry32), so every run sees the same workload. */
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

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

const SOURCE_NAMES = Array.from({ length: SOURCES }, (_, i) => `service-${i}`);

/** `count` drafts numbered from `first` (event time T0 + n × spacing), types and sources drawn from `random`. */
function makeDrafts(count: number, random: () => number, first = 0): EventDraft[] {
  const sources = SOURCE_NAMES;
  const drafts = new Array<EventDraft>(count);
  let trace = hex(first, 32);
  for (let n = first; n < first + count; n++) {
    const i = n - first;
    if (n % 5 === 0) trace = hex(n, 32); // traces of 5 events
    const kind = TYPES[Math.floor(random() * TYPES.length)]!;
    drafts[i] = {
      timestamp: T0 + n * EVENT_SPACING_MS,
      event_type: kind.type,
      source: sources[Math.floor(random() * SOURCES)]!,
      severity: kind.severity,
      message: 'GET /api/items',
      metadata: { 'http.route': '/api/items' },
      correlation_id: trace,
      span_id: hex(n, 16),
    };
  }
  return drafts;
}

function toEvents(drafts: readonly EventDraft[]): IncidentEvent[] {
  return drafts.map((d, i) => ({
    event_id: `evt_${i + 1}`,
    ...d,
    seq: i + 1,
    received_at: CLOCK,
    incident_id: '',
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Nearest rank, as every bench table and `incidents stats` report it. */
function percentile(sorted: Float64Array, p: number): number {
  return nearestRank(sorted as unknown as readonly number[], p / 100) ?? Number.NaN;
}

interface Row {
  name: string;
  value: string;
  note: string;
}

function measureRuns(run: () => number): { best: number; median: number } {
  run(); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) rates.push(run());
  return { best: Math.max(...rates), median: median(rates) };
}

/**
 * Events/s through engine.ingest. The drafts are a pool reused pass after pass (timestamps rewritten between
 * passes, untimed) so the benchmark itself does not keep millions of objects alive: a daemon's heap holds the
 * engine's state, not the whole input.
 */
function ingestThroughput(pool: readonly EventDraft[], batchSize: number, rules: DetectionRule[], ring: number) {
  const batches: EventDraft[][] = [];
  for (let i = 0; i < pool.length; i += batchSize) batches.push(pool.slice(i, i + batchSize));
  const offsets = pool.map((d) => d.timestamp - T0);
  const span = pool.length * EVENT_SPACING_MS;
  let fired = 0;
  const rates = measureRuns(() => {
    const engine = createEngine({ rules, clock: () => CLOCK, eventRingCapacity: ring });
    let nanos = 0n;
    for (let pass = 0; pass < PASSES; pass++) {
      for (let i = 0; i < pool.length; i++) pool[i]!.timestamp = T0 + pass * span + offsets[i]!;
      const start = process.hrtime.bigint();
      for (const batch of batches) engine.ingest(batch);
      nanos += process.hrtime.bigint() - start;
    }
    fired = engine.counters().nextIncidentSeq - 1;
    return (pool.length * PASSES) / (Number(nanos) / 1e9);
  });
  for (let i = 0; i < pool.length; i++) pool[i]!.timestamp = T0 + offsets[i]!;
  return { ...rates, fired };
}

function detectionThroughput(events: readonly IncidentEvent[], rules: DetectionRule[]) {
  let fired = 0;
  const rates = measureRuns(() => {
    for (const event of events) event.incident_id = '';
    const book = new IncidentBook(DEFAULT_INCIDENT_LIMITS);
    const detector = new Detector(rules, { maxGroupsPerRule: 10_000 }, book);
    const changes = new ChangeSet<IncidentState>(CLOCK);
    const start = process.hrtime.bigint();
    for (let i = 0; i < events.length; i++) detector.observe(events[i]!, CLOCK, changes, false);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    fired = book.size;
    return events.length / seconds;
  });
  return { ...rates, fired };
}

/** The obvious alternative: per (rule, source) an array of timestamps, filtered to the window on every event. */
function naiveThroughput(events: readonly IncidentEvent[], rules: DetectionRule[]) {
  let fired = 0;
  const rates = measureRuns(() => {
    const windows = new Map<string, number[]>();
    fired = 0;
    const start = process.hrtime.bigint();
    for (const event of events) {
      for (const rule of rules) {
        if (!rule.match.event_types.includes(event.event_type)) continue;
        const key = `${rule.rule_id}\u0000${event.source}`;
        const cutoff = event.timestamp - rule.time_window_seconds * 1000;
        const kept = (windows.get(key) ?? []).filter((t) => t >= cutoff);
        kept.push(event.timestamp);
        if (kept.length >= rule.error_threshold) {
          fired++;
          windows.delete(key);
        } else {
          windows.set(key, kept);
        }
      }
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return events.length / seconds;
  });
  return { ...rates, fired };
}

/**
 * How the engine's clock moves in the latency trials. `frozen` is how this benchmark first measured it: the clock
 * never moves, so nothing ever recovers and every trial's incident stays open (20,000 open incidents by the end:
 * a state no daemon reaches). `advancing` is the daemon's: the clock follows event time (each trial is 90 events
 * 10 ms apart, ~0.9 s) and tick() runs every TICK_EVERY_MS as the daemon's timer does, so incidents recover after
 * their rule's window and resolve after the quiet period, and leave the engine.
 */
type ClockMode = 'frozen' | 'advancing';
/** The daemon's longest tick interval (daemon/serve.ts MAX_TICK_INTERVAL_MS). */
const TICK_EVERY_MS = 5_000;
/** Arrival after the batch's last event time. */
const ARRIVAL_LAG_MS = 20;

/** Time of one ingest of a 100-event batch, over many trials; `firing` batches complete an error burst. */
function decisionLatency(rules: DetectionRule[], firing: boolean, ring: number, clockMode: ClockMode) {
  let now = CLOCK;
  const engine = createEngine({ rules, clock: () => now, eventRingCapacity: ring });
  const random = prng(7);
  const samples = new Float64Array(LATENCY_TRIALS);
  // The decisions that opened an incident, apart: in the no-fire cases they are ~1 % of trials, so they set the p99.
  const openingSamples: number[] = [];
  let openedBefore = 0;
  let lastTick = 0;
  let maxOpen = 0;
  let maxTickMicros = 0;
  for (let trial = 0; trial < LATENCY_TRIALS + LATENCY_WARMUP; trial++) {
    const batch = makeDrafts(90, random, trial * 90); // background traffic, made outside the timed call
    const ts = batch[89]!.timestamp;
    for (let i = 0; i < 10; i++) {
      batch.push({
        timestamp: ts,
        event_type: firing ? 'error' : 'span_ok',
        source: `burst-${trial}`,
        // 'info': an error-level event of a type no rule names counts for error_burst, and would fire after all.
        severity: firing ? 'high' : 'info',
        message: 'boom',
        metadata: {},
        correlation_id: hex(trial, 32),
        span_id: hex(i, 16),
      });
    }
    if (clockMode === 'advancing') {
      now = ts + ARRIVAL_LAG_MS;
      if (now - lastTick >= TICK_EVERY_MS) {
        // The daemon's timer, on a turn of its own: not part of the decision, timed apart.
        lastTick = now;
        const tickStart = process.hrtime.bigint();
        engine.tick();
        if (trial >= LATENCY_WARMUP) maxTickMicros = Math.max(maxTickMicros, Number(process.hrtime.bigint() - tickStart) / 1e3);
      }
    }
    if (trial === LATENCY_WARMUP) openedBefore = engine.counters().nextIncidentSeq;
    const seqBefore = engine.counters().nextIncidentSeq;
    const start = process.hrtime.bigint();
    engine.ingest(batch);
    const micros = Number(process.hrtime.bigint() - start) / 1e3;
    if (trial >= LATENCY_WARMUP) {
      samples[trial - LATENCY_WARMUP] = micros;
      if (engine.counters().nextIncidentSeq !== seqBefore) openingSamples.push(micros);
    }
    maxOpen = Math.max(maxOpen, engine.sizes().openIncidents);
  }
  samples.sort();
  const opening = Float64Array.from(openingSamples).sort();
  const opened = engine.counters().nextIncidentSeq - openedBefore;
  return {
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples[samples.length - 1]!,
    opened,
    maxOpen,
    maxTickMicros,
    openingDecisions: opening.length,
    openingP50: percentile(opening, 50),
  };
}

function main(): void {
  const rules = builtinRules();
  const rows: Row[] = [];
  const mps = (n: number) => `${(n / 1e6).toFixed(2)} M/s`;
  const onlyIndex = process.argv.indexOf('--only');
  const only = onlyIndex === -1 ? undefined : process.argv[onlyIndex + 1];
  if (only !== 'latency') throughputRows(rules, rows, mps);
  const clockIndex = process.argv.indexOf('--clock');
  const clock = clockIndex === -1 ? undefined : process.argv[clockIndex + 1];
  if (only !== 'throughput') latencyRows(rules, rows, clock);
  printRows(rows);
}

function throughputRows(rules: DetectionRule[], rows: Row[], mps: (n: number) => string): void {

  // Pre-built events for the detector-only cases, in their own scope so they are garbage before the ingest and
  // latency cases run (a heap holding a million extra objects slows every major GC there).
  {
    const events = toEvents(makeDrafts(DETECT_EVENTS, prng(42)));
    const detect = detectionThroughput(events, rules);
    rows.push({
      name: 'detection only (Detector.observe)',
      value: `${mps(detect.median)} (best ${mps(detect.best)})`,
      note: `pre-built events; ${detect.fired} incidents / ${DETECT_EVENTS} events`,
    });
    const naive = naiveThroughput(events, rules);
    rows.push({
      name: 'naive Map + Array.filter detector',
      value: `${mps(naive.median)} (best ${mps(naive.best)})`,
      note: `pre-built events; the obvious alternative; ${naive.fired} fired`,
    });
  }

  const pool = makeDrafts(POOL, prng(43));
  for (const [batchSize, ring] of [
    [100, 100_000],
    [1000, 100_000],
    [100, 1_000],
  ] as const) {
    const ingest = ingestThroughput(pool, batchSize, rules, ring);
    rows.push({
      name: `engine.ingest, batches of ${batchSize}, ring ${ring / 1000}k`,
      value: `${mps(ingest.median)} (best ${mps(ingest.best)})`,
      note: `numbering + ring + detection; ${ingest.fired} incidents / ${EVENTS} events`,
    });
  }
  pool.length = 0;
}

/** The latency cases; `clock` keeps those of one clock mode (the frozen one alone takes minutes). */
function latencyRows(rules: DetectionRule[], rows: Row[], clock: string | undefined): void {
  for (const [firing, ring, clockMode] of [
    [true, 100_000, 'frozen'],
    [true, 100_000, 'advancing'],
    [false, 100_000, 'advancing'],
    [false, 1_000, 'advancing'],
  ] as const) {
    if (clock !== undefined && clock !== clockMode) continue;
    const latency = decisionLatency(rules, firing, ring, clockMode);
    const clockNote = clockMode === 'frozen' ? 'clock frozen (the old figure)' : 'clock follows event time, tick() every 5 s';
    const tickNote = clockMode === 'frozen' ? '' : `; slowest tick ${latency.maxTickMicros.toFixed(0)} µs`;
    rows.push({
      name: `100 events → decision (${firing ? 'fires' : 'no fire'}, ring ${ring / 1000}k, ${clockMode} clock)`,
      value: `p50 ${latency.p50.toFixed(1)} µs  p99 ${latency.p99.toFixed(1)} µs  max ${latency.max.toFixed(0)} µs`,
      note:
        `${clockNote}; ${LATENCY_TRIALS} trials; ${latency.opened} incidents opened, at most ${latency.maxOpen} open` +
        `; ${latency.openingDecisions} decisions opened one (p50 ${latency.openingP50.toFixed(0)} µs)${tickNote}`,
    });
  }

}

function printRows(rows: Row[]): void {
  const width = (key: keyof Row) => Math.max(key.length, ...rows.map((r) => r[key].length));
  const [w1, w2, w3] = [width('name'), width('value'), width('note')];
  const line = (a: string, b: string, c: string) => `| ${a.padEnd(w1)} | ${b.padEnd(w2)} | ${c.padEnd(w3)} |`;
  console.log(`firewatch engine bench — node ${process.version}, ${SOURCES} sources, medians of ${RUNS} runs`);
  console.log(line('case', 'result', 'note'));
  console.log(`|${'-'.repeat(w1 + 2)}|${'-'.repeat(w2 + 2)}|${'-'.repeat(w3 + 2)}|`);
  for (const row of rows) console.log(line(row.name, row.value, row.note));
}

main();
