import { afterEach, describe, expect, it } from 'vitest';
import type { EngineSizes } from '../engine/engine.js';
import { LABEL_OVERFLOW_METRIC } from './metrics-registry.js';
import { parsePrometheusText, type PrometheusFamily } from './prometheus-text.js';
import { createSelfMetrics, DETECTION_LATENCY_BUCKETS_SECONDS, type SelfMetrics, type SelfMetricsSource } from './self-metrics.js';

/** The contract: every family with its type and labels (the table at the top of self-metrics.ts). */
const FAMILIES: ReadonlyArray<[name: string, type: string, labels: readonly string[]]> = [
  ['firewatch_receiver_items_total', 'counter', ['signal']],
  ['firewatch_receiver_rejected_items_total', 'counter', ['signal']],
  ['firewatch_receiver_bad_requests_total', 'counter', []],
  ['firewatch_receiver_refused_exports_total', 'counter', ['signal']],
  ['firewatch_receiver_in_flight_bytes', 'gauge', []],
  ['firewatch_receiver_in_flight_items', 'gauge', []],
  ['firewatch_events_total', 'counter', ['signal']],
  ['firewatch_duplicates_dropped_total', 'counter', ['signal']],
  ['firewatch_incidents', 'gauge', ['status', 'severity']],
  ['firewatch_incidents_opened_total', 'counter', []],
  ['firewatch_detection_latency_seconds', 'histogram', []],
  ['firewatch_notifications_pending', 'gauge', []],
  ['firewatch_notifications_dead_letters', 'gauge', []],
  ['firewatch_notifications_delivered_total', 'counter', []],
  ['firewatch_notifications_retried_total', 'counter', []],
  ['firewatch_notifications_dead_lettered_total', 'counter', []],
  ['firewatch_silences_active', 'gauge', []],
  ['firewatch_notifications_silenced_total', 'counter', []],
  ['firewatch_lmdb_size_bytes', 'gauge', []],
  ['firewatch_event_ring_events', 'gauge', []],
  ['firewatch_event_ring_capacity', 'gauge', []],
  ['firewatch_trace_ring_spans', 'gauge', []],
  ['firewatch_trace_ring_capacity', 'gauge', []],
  ['firewatch_open_incidents', 'gauge', []],
  ['firewatch_detection_groups', 'gauge', []],
  ['firewatch_uptime_seconds', 'gauge', []],
  ['process_resident_memory_bytes', 'gauge', []],
  ['process_heap_bytes', 'gauge', []],
  ['nodejs_eventloop_lag_seconds', 'gauge', []],
  [LABEL_OVERFLOW_METRIC, 'counter', ['family']],
];

const SIZES: EngineSizes = {
  ringEvents: 120,
  ringCapacity: 100_000,
  traces: 7,
  groups: 9,
  windowEvents: 30,
  groupEvictions: 0,
  openIncidents: 2,
  traceRingSpans: 4_000,
  traceRingCapacity: 1_000_000,
  traceRingTraces: 50,
  incidentTraces: 3,
  servicesWatched: 4,
  serviceRates: 4,
  latencyBaselines: 1,
  fingerprints: 5,
  duplicatesDropped: 0,
};

function fakeSource(overrides: Partial<SelfMetricsSource> = {}): SelfMetricsSource {
  return {
    signals: () => ({
      traces: { items: 1_000, rejected: 2, events: 40, duplicates: 5, refused: 7 },
      logs: { items: 300, rejected: 0, events: 12, duplicates: 0, refused: 0 },
      metrics: { items: 50, rejected: 1, events: 1, duplicates: 1, refused: 0 },
    }),
    badRequests: () => 3,
    inFlight: () => ({ bytes: 4096, items: 100 }),
    engineSizes: () => SIZES,
    incidentCounts: () => [
      { status: 'detected', severity: 'high', count: 1 },
      { status: 'resolved', severity: 'critical', count: 4 },
    ],
    incidentsOpened: () => 11,
    outbox: () => ({ pending: 5, deadLetters: 1, delivered: 20, retried: 6, deadLettered: 1 }),
    silences: () => ({ active: 2, suppressed: 3 }),
    lmdbBytes: () => 1_048_576,
    uptimeSeconds: () => 42.5,
    ...overrides,
  };
}

/** The only sample of an unlabelled family, or the one with these labels. */
function valueOf(family: PrometheusFamily | undefined, labels: Record<string, string> = {}): number | undefined {
  return family?.samples.find((sample) => JSON.stringify(sample.labels) === JSON.stringify(labels))?.value;
}

describe('createSelfMetrics', () => {
  let metrics: SelfMetrics | undefined;
  afterEach(() => {
    metrics?.close();
    metrics = undefined;
  });

  it('renders every family of the contract with its type and labels, as valid text', () => {
    // prepare
    metrics = createSelfMetrics(fakeSource());
    // act
    const families = parsePrometheusText(metrics.render());
    // verify
    expect([...families.keys()].sort()).toEqual(FAMILIES.map(([name]) => name).sort());
    for (const [name, type, labels] of FAMILIES) {
      const family = families.get(name)!;
      expect(family.type, name).toBe(type);
      expect(family.help, name).toMatch(/\S/);
      for (const sample of family.samples) {
        expect(Object.keys(sample.labels).filter((label) => label !== 'le'), name).toEqual(labels);
      }
    }
  });

  it('reads the source at scrape time', () => {
    // prepare
    let delivered = 20;
    metrics = createSelfMetrics(fakeSource({ outbox: () => ({ pending: 5, deadLetters: 1, delivered, retried: 6, deadLettered: 1 }) }));
    const before = parsePrometheusText(metrics.render());
    // act
    delivered = 21;
    const after = parsePrometheusText(metrics.render());
    // verify
    expect(valueOf(before.get('firewatch_notifications_delivered_total'))).toBe(20);
    expect(valueOf(after.get('firewatch_notifications_delivered_total'))).toBe(21);
  });

  it('maps each source value to its family', () => {
    metrics = createSelfMetrics(fakeSource());
    const families = parsePrometheusText(metrics.render());
    const expected: Array<[string, Record<string, string>, number]> = [
      ['firewatch_receiver_items_total', { signal: 'traces' }, 1_000],
      ['firewatch_receiver_items_total', { signal: 'logs' }, 300],
      ['firewatch_receiver_items_total', { signal: 'metrics' }, 50],
      ['firewatch_receiver_rejected_items_total', { signal: 'traces' }, 2],
      ['firewatch_receiver_rejected_items_total', { signal: 'metrics' }, 1],
      ['firewatch_receiver_bad_requests_total', {}, 3],
      ['firewatch_events_total', { signal: 'logs' }, 12],
      ['firewatch_duplicates_dropped_total', { signal: 'traces' }, 5],
      ['firewatch_duplicates_dropped_total', { signal: 'metrics' }, 1],
      ['firewatch_incidents', { status: 'detected', severity: 'high' }, 1],
      ['firewatch_incidents', { status: 'resolved', severity: 'critical' }, 4],
      ['firewatch_incidents_opened_total', {}, 11],
      ['firewatch_notifications_pending', {}, 5],
      ['firewatch_notifications_dead_letters', {}, 1],
      ['firewatch_notifications_delivered_total', {}, 20],
      ['firewatch_notifications_retried_total', {}, 6],
      ['firewatch_notifications_dead_lettered_total', {}, 1],
      ['firewatch_silences_active', {}, 2],
      ['firewatch_notifications_silenced_total', {}, 3],
      ['firewatch_lmdb_size_bytes', {}, 1_048_576],
      ['firewatch_event_ring_events', {}, 120],
      ['firewatch_event_ring_capacity', {}, 100_000],
      ['firewatch_trace_ring_spans', {}, 4_000],
      ['firewatch_trace_ring_capacity', {}, 1_000_000],
      ['firewatch_open_incidents', {}, 2],
      ['firewatch_detection_groups', {}, 9],
      ['firewatch_uptime_seconds', {}, 42.5],
    ];
    for (const [name, labels, value] of expected) expect(valueOf(families.get(name), labels), `${name}${JSON.stringify(labels)}`).toBe(value);
    expect(valueOf(families.get('process_resident_memory_bytes'))).toBeGreaterThan(0);
    expect(valueOf(families.get('process_heap_bytes'))).toBeGreaterThan(0);
    expect(valueOf(families.get('nodejs_eventloop_lag_seconds'))).toBeGreaterThanOrEqual(0);
  });

  it('counts detection latency in buckets from 50 µs to 1 s', () => {
    // prepare
    metrics = createSelfMetrics(fakeSource());
    // act
    metrics.detectionLatency.observe(0.00004);
    metrics.detectionLatency.observe(0.0002);
    metrics.detectionLatency.observe(2);
    // verify
    const family = parsePrometheusText(metrics.render()).get('firewatch_detection_latency_seconds')!;
    const buckets = family.samples.filter((sample) => sample.name.endsWith('_bucket'));
    expect(buckets.map((sample) => sample.labels.le)).toEqual([...DETECTION_LATENCY_BUCKETS_SECONDS.map(String), '+Inf']);
    expect(buckets[0]!.labels.le).toBe('0.00005');
    expect(buckets.at(-2)!.labels.le).toBe('1');
    expect(valueOf({ ...family, samples: buckets }, { le: '0.00005' })).toBe(1);
    expect(valueOf({ ...family, samples: buckets }, { le: '0.00025' })).toBe(2);
    expect(valueOf({ ...family, samples: buckets }, { le: '1' })).toBe(2);
    expect(valueOf({ ...family, samples: buckets }, { le: '+Inf' })).toBe(3);
  });

  it('bounds incident label sets coming from the source', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ status: `s${i}`, severity: 'low', count: 1 }));
    metrics = createSelfMetrics(fakeSource({ incidentCounts: () => many }), { maxLabelSets: 8 });
    const families = parsePrometheusText(metrics.render());
    expect(families.get('firewatch_incidents')!.samples).toHaveLength(8);
    expect(valueOf(families.get(LABEL_OVERFLOW_METRIC), { family: 'firewatch_incidents' })).toBe(12);
  });
});
