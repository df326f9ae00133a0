// firewatch's own metrics, served by telemetry-server.ts at /metrics. The names, types and labels below are a
// contract (dashboards and alerts are built on them): add families freely, never rename or retype one.
//
// | family                                        | type      | labels            | what                                                    |
// |-----------------------------------------------|-----------|-------------------|---------------------------------------------------------|
// | firewatch_receiver_items_total                | counter   | signal            | spans / log records / metric points accepted            |
// | firewatch_receiver_rejected_items_total       | counter   | signal            | items refused (OTLP partial_success)                    |
// | firewatch_receiver_bad_requests_total         | counter   |                   | undecodable export requests (both protocols)            |
// | firewatch_receiver_refused_exports_total      | counter   | signal            | exports refused retryably: over capacity, deadline gone |
// | firewatch_receiver_in_flight_bytes            | gauge     |                   | request bytes admitted and not yet answered             |
// | firewatch_receiver_in_flight_items            | gauge     |                   | items decoded and not yet answered                      |
// | firewatch_events_total                        | counter   | signal            | IncidentEvents the conversion produced                  |
// | firewatch_duplicates_dropped_total            | counter   | signal            | events dropped as repeats of an earlier export's        |
// | firewatch_incidents                           | gauge     | status, severity  | incidents now, by status and severity                   |
// | firewatch_incidents_opened_total              | counter   |                   | incidents ever opened                                   |
// | firewatch_detection_latency_seconds           | histogram |                   | export arrival → engine decision (50 µs … 1 s buckets)  |
// | firewatch_notifications_pending               | gauge     |                   | outbox items waiting (in flight included)               |
// | firewatch_notifications_dead_letters          | gauge     |                   | outbox items given up on, kept for inspection           |
// | firewatch_notifications_delivered_total       | counter   |                   | deliveries that succeeded (since start)                 |
// | firewatch_notifications_retried_total         | counter   |                   | failed attempts rescheduled (since start)               |
// | firewatch_notifications_dead_lettered_total   | counter   |                   | notifications dead-lettered (since start)               |
// | firewatch_silences_active                    | gauge     |                   | silences (maintenance windows) in force now             |
// | firewatch_notifications_silenced_total        | counter   |                   | notifications silences kept from channels (since start) |
// | firewatch_lmdb_size_bytes                     | gauge     |                   | size of the store's data file(s)                        |
// | firewatch_event_ring_events                   | gauge     |                   | events in the engine's event ring                       |
// | firewatch_event_ring_capacity                 | gauge     |                   | its capacity                                            |
// | firewatch_trace_ring_spans                    | gauge     |                   | spans in the trace ring                                 |
// | firewatch_trace_ring_capacity                 | gauge     |                   | its capacity                                            |
// | firewatch_open_incidents                      | gauge     |                   | open incidents the engine holds                         |
// | firewatch_detection_groups                    | gauge     |                   | (rule, group key) windows tracked                       |
// | firewatch_uptime_seconds                      | gauge     |                   | seconds since the daemon started                        |
// | process_resident_memory_bytes                 | gauge     |                   | RSS                                                     |
// | process_heap_bytes                            | gauge     |                   | V8 heap in use (memoryUsage().heapUsed)                 |
// | nodejs_eventloop_lag_seconds                  | gauge     |                   | p99 event-loop delay since the previous scrape          |
// | firewatch_metrics_label_overflow_total        | counter   | family            | label sets refused by a family's bound (the registry's) |
//
// Everything but the latency histogram is a collector: read from `source` at scrape time, so the receiver and the
// engine never push a number for it. The daemon observes detectionLatency once per export (one histogram update,
// no allocation).

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { createMetricsRegistry, type Histogram, type MetricsRegistry } from './metrics-registry.js';
import { type EngineSizes } from '../engine/index.js';
import { type TelemetrySignal } from '../receiver/index.js';

export const SIGNALS: readonly TelemetrySignal[] = ['traces', 'logs', 'metrics'];
export type Signal = TelemetrySignal;

/** Upper bounds of firewatch_detection_latency_seconds: 50 µs to 1 s (the engine's budget is p99 < 150 µs). */
export const DETECTION_LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];

/** Sampling period of the event-loop delay monitor (Node's default); subtracted from what it records. */
export const EVENT_LOOP_RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;
const NS_PER_SECOND = 1e9;
const LAG_PERCENTILE = 99;

export interface SignalTotals {
  /** Items accepted: spans, log records or metric points. */
  items: number;
  rejected: number;
  /** IncidentEvents converted from them. */
  events: number;
  /** Of those, events the engine dropped as repeats of an earlier export's (retried exports). */
  duplicates: number;
  /** Exports refused with a retryable answer (UNAVAILABLE / 503, or DEADLINE_EXCEEDED), both receivers. */
  refused: number;
}

export interface OutboxTotals {
  pending: number;
  deadLetters: number;
  delivered: number;
  retried: number;
  deadLettered: number;
}

export interface SilenceTotals {
  /** Silences in force now. */
  active: number;
  /** Notifications (one per channel) silences kept from being sent, since start. */
  suppressed: number;
}

export interface IncidentCount {
  status: string;
  severity: string;
  count: number;
}

/** What the daemon hands createSelfMetrics: each read at scrape time, so each should be cheap. */
export interface SelfMetricsSource {
  signals(): Record<Signal, SignalTotals>;
  /** Undecodable requests over both receivers. */
  badRequests(): number;
  /** What admission control holds now (receiver/admission.ts). */
  inFlight(): { bytes: number; items: number };
  engineSizes(): EngineSizes;
  /** Current incidents by status and severity (only non-zero counts need be listed). */
  incidentCounts(): readonly IncidentCount[];
  /** Incidents ever opened. */
  incidentsOpened(): number;
  outbox(): OutboxTotals;
  silences(): SilenceTotals;
  /** Size of the store's data file(s) in bytes. */
  lmdbBytes(): number;
  uptimeSeconds(): number;
}

export interface SelfMetricsOptions {
  /** Bound on label sets per family. Default 1000. */
  maxLabelSets?: number;
}

export interface SelfMetrics {
  readonly registry: MetricsRegistry;
  /** Observe seconds from an export's arrival to the engine's decision on it. */
  readonly detectionLatency: Histogram;
  /** The text for /metrics. */
  render(): string;
  /** Stops the event-loop delay monitor. */
  close(): void;
}

export function createSelfMetrics(source: SelfMetricsSource, options: SelfMetricsOptions = {}): SelfMetrics {
  const registry = createMetricsRegistry(options.maxLabelSets === undefined ? {} : { maxLabelSets: options.maxLabelSets });
  const perSignal = (pick: (totals: SignalTotals) => number) => (emit: (value: number, labels: readonly string[]) => void) => {
    const all = source.signals();
    for (const signal of SIGNALS) emit(pick(all[signal]), [signal]);
  };
  const scalar = (name: string, help: string, type: 'counter' | 'gauge', read: () => number): void => {
    registry.collector({ name, help, type, collect: (emit) => emit(read()) });
  };

  registry.collector({
    name: 'firewatch_receiver_items_total',
    help: 'Telemetry items accepted by the OTLP receivers: spans, log records or metric points.',
    type: 'counter',
    labelNames: ['signal'],
    collect: perSignal((totals) => totals.items),
  });
  registry.collector({
    name: 'firewatch_receiver_rejected_items_total',
    help: 'Telemetry items refused (reported in partial_success).',
    type: 'counter',
    labelNames: ['signal'],
    collect: perSignal((totals) => totals.rejected),
  });
  scalar('firewatch_receiver_bad_requests_total', 'Export requests that could not be decoded.', 'counter', () => source.badRequests());
  registry.collector({
    name: 'firewatch_receiver_refused_exports_total',
    help: 'Export requests refused with a retryable answer: over capacity (UNAVAILABLE / 503) or past their deadline.',
    type: 'counter',
    labelNames: ['signal'],
    collect: perSignal((totals) => totals.refused),
  });
  scalar('firewatch_receiver_in_flight_bytes', 'Request bytes admitted and not yet answered.', 'gauge', () => source.inFlight().bytes);
  scalar('firewatch_receiver_in_flight_items', 'Items decoded and not yet answered.', 'gauge', () => source.inFlight().items);
  registry.collector({
    name: 'firewatch_events_total',
    help: 'Incident events converted from telemetry.',
    type: 'counter',
    labelNames: ['signal'],
    collect: perSignal((totals) => totals.events),
  });
  registry.collector({
    name: 'firewatch_duplicates_dropped_total',
    help: "Incident events dropped as repeats of an earlier export's: a retried export counts once.",
    type: 'counter',
    labelNames: ['signal'],
    collect: perSignal((totals) => totals.duplicates),
  });

  registry.collector({
    name: 'firewatch_incidents',
    help: 'Incidents by status and severity.',
    type: 'gauge',
    labelNames: ['status', 'severity'],
    collect: (emit) => {
      for (const { status, severity, count } of source.incidentCounts()) emit(count, [status, severity]);
    },
  });
  scalar('firewatch_incidents_opened_total', 'Incidents opened since the store was created.', 'counter', () => source.incidentsOpened());
  const detectionLatency = registry.histogram({
    name: 'firewatch_detection_latency_seconds',
    help: "Time from an export's arrival to the engine's decision on it.",
    buckets: DETECTION_LATENCY_BUCKETS_SECONDS,
  });

  scalar('firewatch_notifications_pending', 'Notifications waiting in the outbox, in flight included.', 'gauge', () => source.outbox().pending);
  scalar('firewatch_notifications_dead_letters', 'Notifications given up on and kept in the outbox.', 'gauge', () => source.outbox().deadLetters);
  scalar('firewatch_notifications_delivered_total', 'Notifications delivered since start.', 'counter', () => source.outbox().delivered);
  scalar('firewatch_notifications_retried_total', 'Failed notification attempts rescheduled since start.', 'counter', () => source.outbox().retried);
  scalar('firewatch_notifications_dead_lettered_total', 'Notifications dead-lettered since start.', 'counter', () => source.outbox().deadLettered);
  scalar('firewatch_silences_active', 'Silences (maintenance windows) in force now.', 'gauge', () => source.silences().active);
  scalar('firewatch_notifications_silenced_total', 'Notifications silences kept from channels since start (one per channel).', 'counter', () => source.silences().suppressed);
  scalar('firewatch_lmdb_size_bytes', "Size of the store's data file(s).", 'gauge', () => source.lmdbBytes());

  // One engine.sizes() per scrape would do, but it is cheap and collectors stay independent this way.
  const engineGauge = (name: string, help: string, read: (sizes: EngineSizes) => number): void =>
    scalar(name, help, 'gauge', () => read(source.engineSizes()));
  engineGauge('firewatch_event_ring_events', "Events in the engine's event ring.", (sizes) => sizes.ringEvents);
  engineGauge('firewatch_event_ring_capacity', 'Capacity of the event ring.', (sizes) => sizes.ringCapacity);
  engineGauge('firewatch_trace_ring_spans', 'Spans in the trace ring.', (sizes) => sizes.traceRingSpans);
  engineGauge('firewatch_trace_ring_capacity', 'Capacity of the trace ring, in spans.', (sizes) => sizes.traceRingCapacity);
  engineGauge('firewatch_open_incidents', 'Open incidents held by the engine.', (sizes) => sizes.openIncidents);
  engineGauge('firewatch_detection_groups', 'Detection windows tracked (rule and group key).', (sizes) => sizes.groups);
  scalar('firewatch_uptime_seconds', 'Seconds since the daemon started.', 'gauge', () => source.uptimeSeconds());

  scalar('process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge', () => process.memoryUsage.rss());
  scalar('process_heap_bytes', 'V8 heap in use, in bytes.', 'gauge', () => process.memoryUsage().heapUsed);
  const loop: IntervalHistogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  loop.enable();
  scalar('nodejs_eventloop_lag_seconds', 'p99 event-loop delay since the previous scrape, beyond the sampling period.', 'gauge', () => {
    const lag = loop.count === 0 ? 0 : Math.max(0, loop.percentile(LAG_PERCENTILE) - EVENT_LOOP_RESOLUTION_MS * NS_PER_MS);
    loop.reset();
    return lag / NS_PER_SECOND;
  });

  return {
    registry,
    detectionLatency,
    render: () => registry.render(),
    close: () => {
      loop.disable();
    },
  };
}
